//! CIS 3.3 — Ensure AWS Config is enabled in all regions (one verdict per region).
//!
//! In each audited region: a customer-managed configuration recorder exists; every such recorder
//! is recording, its last status is not FAILURE (PENDING right after a start passes, with a
//! note), and it records all supported resource types; a delivery channel exists; and at least
//! one recorder in the account includes global resource types (IAM). Whether
//! `AWS::EC2::SecurityGroup` is recorded is stated explicitly. Recorders are keyed by region:
//! two regions' recorders may share a name ("default").

use super::module::{module_source, Check};
use super::Context;
use crate::actions::{config as cf, Hint};
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, ConfigRecorder, Read, RegionConfig};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "config-all-regions",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Recorder],
    reads: &[Read::Config],
    has_patterns: false,
    remedy: "creates a recorder of all supported resource types (global types in the home region) with the role --config-role-arn names, a delivery channel to --config-bucket, and starts it, in each failing region.",
    plan: None,
};

const SG_TYPE: &str = "AWS::EC2::SecurityGroup";

/// Whether a recorder records every supported resource type.
pub(crate) fn records_all(r: &ConfigRecorder) -> bool {
    r.all_supported && r.recording_strategy.as_deref().is_none_or(|s| s == "ALL_SUPPORTED_RESOURCE_TYPES")
}

/// A recorder of all supported types (global types too), a delivery channel, recording.
pub(crate) fn fix(region: &str, partition: &str, account: &str) -> Hint {
    Hint::new(
        region,
        [
            cf::PutConfigurationRecorder {
                name: "default".into(),
                role_arn: format!("arn:{partition}:iam::{account}:role/<config-role>"),
                all_supported: true,
                include_global: true,
                resource_types: vec![],
            }
            .into(),
            cf::PutDeliveryChannel { name: "default".into(), bucket: "<config-bucket>".into() }.into(),
            cf::StartConfigurationRecorder { name: "default".into() }.into(),
        ],
    )
}

pub(crate) fn evaluate(
    control: &Control,
    acct: &AccountInventory,
    _ctx: &Context,
) -> Vec<(ControlResult, Vec<Finding>)> {
    // Account-wide: does any customer-managed recorder include global resource types?
    let global_in: Vec<String> = acct
        .config
        .iter()
        .filter_map(|rc| match &rc.recorders {
            Collected::Ok(list) => list
                .iter()
                .find(|r| r.service_principal.is_none() && r.all_supported && r.include_global_resource_types)
                .map(|r| format!("{} ({})", rc.region, r.name)),
            Collected::Error(_) => None,
        })
        .collect();
    let global_unknown = acct.config.iter().any(|rc| matches!(rc.recorders, Collected::Error(_)));
    acct.config.iter().map(|rc| region_verdict(control, acct, rc, &global_in, global_unknown)).collect()
}

fn region_verdict(
    control: &Control,
    acct: &AccountInventory,
    rc: &RegionConfig,
    global_in: &[String],
    global_unknown: bool,
) -> (ControlResult, Vec<Finding>) {
    let mut ev = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let mut resource = None;

    match (&rc.recorders, &rc.recorder_statuses) {
        (Collected::Error(e), _) | (_, Collected::Error(e)) => errors.push(e.to_string()),
        (Collected::Ok(recorders), Collected::Ok(statuses)) => {
            let (customer, linked): (Vec<&ConfigRecorder>, Vec<&ConfigRecorder>) =
                recorders.iter().partition(|r| r.service_principal.is_none());
            for r in &linked {
                ev.push(Evidence::info(
                    format!("recorder.{}", r.name),
                    format!(
                        "service-linked recorder for {} (limited scope; does not satisfy 3.3)",
                        r.service_principal.as_deref().unwrap_or("?")
                    ),
                ));
            }
            if customer.is_empty() {
                failures.push(if linked.is_empty() {
                    "no configuration recorder".into()
                } else {
                    "only service-linked recorders, which record a limited set of resources".into()
                });
                ev.push(Evidence::bad("recorder", serde_json::Value::Null));
            }
            for r in customer {
                resource.get_or_insert_with(|| r.name.clone());
                let prefix = format!("recorder.{}", r.name);
                let st = statuses.iter().find(|s| s.name == r.name);
                let recording = st.is_some_and(|s| s.recording);
                ev.push(Evidence::new(format!("{prefix}.recording"), recording, Some(recording)));
                if !recording {
                    failures.push(format!("recorder {} is not recording", r.name));
                }
                let last = st.and_then(|s| s.last_status.clone());
                match last.as_deref().map(str::to_ascii_uppercase).as_deref() {
                    Some("FAILURE") => {
                        let detail = st
                            .and_then(|s| s.last_error_code.clone().or(s.last_error_message.clone()))
                            .unwrap_or_default();
                        ev.push(Evidence::bad(
                            format!("{prefix}.last_status"),
                            format!("FAILURE {detail}").trim().to_string(),
                        ));
                        failures
                            .push(format!("recorder {} last status is FAILURE {detail}", r.name).trim().to_string());
                    }
                    Some("SUCCESS") => ev.push(Evidence::ok(format!("{prefix}.last_status"), "SUCCESS")),
                    Some("PENDING") => {
                        ev.push(Evidence::ok(format!("{prefix}.last_status"), "PENDING"));
                        if recording {
                            notes.push(format!("recorder {} has just started (last status PENDING)", r.name));
                        }
                    }
                    other => {
                        ev.push(Evidence::info(format!("{prefix}.last_status"), other.unwrap_or("none").to_string()))
                    }
                }
                let all = records_all(r);
                ev.push(Evidence::new(format!("{prefix}.all_supported"), r.all_supported, Some(all)));
                if !all {
                    let what = match r.recording_strategy.as_deref() {
                        Some("EXCLUSION_BY_RESOURCE_TYPES") => {
                            format!("excludes {}", r.excluded_resource_types.join(", "))
                        }
                        _ => format!("records only {} resource type(s)", r.resource_types.len()),
                    };
                    failures.push(format!("recorder {} does not record all supported resources ({what})", r.name));
                }
                let sg = (all || r.resource_types.iter().any(|t| t == SG_TYPE))
                    && !r.excluded_resource_types.iter().any(|t| t == SG_TYPE);
                ev.push(Evidence::new(format!("{prefix}.records_{SG_TYPE}"), sg, Some(sg)));
                ev.push(Evidence::info(
                    format!("{prefix}.include_global_resource_types"),
                    r.include_global_resource_types,
                ));
            }
        }
    }
    match &rc.delivery_channels {
        Collected::Error(e) => errors.push(e.to_string()),
        Collected::Ok(ch) => {
            let names: Vec<&str> = ch.iter().map(|c| c.name.as_str()).collect();
            ev.push(Evidence::new("delivery_channels", serde_json::json!(names), Some(!ch.is_empty())));
            if ch.is_empty() {
                failures.push("no delivery channel".into());
            }
        }
    }
    if global_in.is_empty() {
        if global_unknown {
            errors.push("cannot tell whether any recorder includes global resource types (a region's recorders could not be read)".into());
        } else {
            failures.push("no recorder in the account includes global resource types (IAM)".into());
        }
        ev.push(Evidence::bad("account.global_resource_types_recorded_in", serde_json::json!([])));
    } else {
        ev.push(Evidence::ok("account.global_resource_types_recorded_in", serde_json::json!(global_in)));
    }

    let (status, mut message) = if !failures.is_empty() {
        (Status::Fail, failures.join("; "))
    } else if !errors.is_empty() {
        (Status::Error, errors.join("; "))
    } else {
        (Status::Pass, "AWS Config records all supported resources, with a delivery channel".to_string())
    };
    if status == Status::Pass && !notes.is_empty() {
        message.push_str(&format!(" (note: {})", notes.join("; ")));
    }
    let finding = Finding::about(control, Subject::Recorder, &acct.account_id)
        .status(status)
        .region(Some(&rc.region))
        .resource(resource)
        .message(message.clone())
        .evidence(ev)
        .remediation((status == Status::Fail).then(|| fix(&rc.region, &acct.partition, &acct.account_id).render()));
    let result = ControlResult::new(control, &acct.account_id, Some(&rc.region), status, message);
    (result, vec![finding])
}

#[cfg(test)]
mod tests;
