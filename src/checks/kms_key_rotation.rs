//! Rotation is enabled for every customer managed symmetric KMS key (CIS v5.0.0 3.6; v1.2.0
//! 2.8; v1.4.0–v4.0.0 3.8 or 3.6; v6.0.0 and v7.0.0 4.6).
//!
//! In each audited region every key is listed (`ListKeys`) and described (`DescribeKey`). The
//! keys the benchmark asks to rotate are the enabled, customer managed, symmetric encryption keys
//! (`KeySpec` `SYMMETRIC_DEFAULT`) whose key material KMS generated: for each,
//! `GetKeyRotationStatus` must say rotation is on — PASS, else FAIL. The others are skipped,
//! and the evidence says which and why: AWS managed keys (AWS rotates them), asymmetric and HMAC
//! keys (they cannot rotate automatically), disabled keys and keys pending deletion or import,
//! keys with imported or custom-key-store material. A key that could not be described, or whose
//! rotation could not be read, is ERROR. No customer managed symmetric key at all passes.

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::actions::kms::EnableKeyRotation;
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{kms::rotation_applies, AccountInventory, Collected, KmsKeyDetails, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "kms-key-rotation",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::KmsKey, Subject::Region],
    reads: &[Read::KmsKeys],
    has_patterns: false,
    remedy: "enables automatic rotation of each customer managed symmetric key that lacks it (kms:EnableKeyRotation); rollback disables it again.",
    plan: Some(plan),
};

/// Why a key is not one the benchmark asks to rotate (None: it is), naming what DescribeKey
/// said.
fn skipped_because(k: &KmsKeyDetails) -> Option<String> {
    if rotation_applies(k) {
        return None;
    }
    Some(match (k.manager.as_deref(), k.spec.as_deref(), k.state.as_deref(), k.origin.as_deref()) {
        (Some("AWS"), ..) => "AWS managed: AWS rotates it".into(),
        (_, Some(s), ..) if s != "SYMMETRIC_DEFAULT" => {
            format!("{s}: asymmetric and HMAC keys have no automatic rotation")
        }
        (_, _, Some(st), _) if st != "Enabled" => format!("{st}: only enabled keys are judged"),
        (_, _, _, Some(o)) if o != "AWS_KMS" => {
            format!("origin {o}: imported or custom key store material has no automatic rotation")
        }
        _ => "not a customer managed symmetric key".into(),
    })
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut findings = Vec::new();
    let mut checked = 0;
    for (region, read) in per_region(acct, |r| r.kms_keys.as_ref()) {
        if let Some(f) = unreadable(control, acct, Subject::Region, region, &read, "KMS keys") {
            findings.push(f);
            continue;
        }
        let RegionRead::Ok(keys) = read else { continue };
        let mut skipped: Vec<String> = Vec::new();
        for k in keys {
            let about = Finding::about(control, Subject::KmsKey, &acct.account_id)
                .region(Some(region))
                .resource(Some(k.arn.clone()));
            if let Some(e) = &k.error {
                findings
                    .push(about.status(Status::Error).message(format!("key {} could not be described: {e}", k.key_id)));
                continue;
            }
            if let Some(why) = skipped_because(k) {
                skipped.push(format!("{} ({why})", k.key_id));
                continue;
            }
            checked += 1;
            let evidence = vec![
                Evidence::info("kms_key.manager", k.manager.clone().unwrap_or_default()),
                Evidence::info("kms_key.spec", k.spec.clone().unwrap_or_default()),
                Evidence::info("kms_key.state", k.state.clone().unwrap_or_default()),
            ];
            findings.push(match &k.rotation {
                Some(Collected::Ok(true)) => about
                    .message(format!("rotation of key {} is on", k.key_id))
                    .evidence([evidence, vec![Evidence::ok("kms_key.rotation_enabled", true)]].concat()),
                Some(Collected::Ok(false)) => about
                    .status(Status::Fail)
                    .message(format!("rotation of customer managed key {} in {region} is off", k.key_id))
                    .evidence([evidence, vec![Evidence::bad("kms_key.rotation_enabled", false)]].concat())
                    .remediation(Some(EnableKeyRotation { key: k.arn.clone() }.cli(region))),
                Some(Collected::Error(e)) => about
                    .status(Status::Error)
                    .message(format!("rotation of key {} could not be read: {e}", k.key_id))
                    .evidence(evidence),
                None => about.status(Status::Error).message(format!("rotation of key {} was not read", k.key_id)),
            });
        }
        if !skipped.is_empty() {
            findings.push(
                Finding::about(control, Subject::Region, &acct.account_id)
                    .status(Status::Skipped)
                    .region(Some(region))
                    .message(format!("{} key(s) of {region} are not ones the benchmark asks to rotate", skipped.len()))
                    .evidence(vec![Evidence::info("kms.skipped_keys", serde_json::json!(skipped))]),
            );
        }
    }
    let none = (Status::Pass, "no customer managed symmetric KMS key in any audited region".to_string());
    account_verdict(
        control,
        acct,
        findings,
        format!("rotation is on for all {checked} customer managed symmetric key(s)"),
        none,
    )
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    let mut out = Vec::new();
    for r in &input.acct.resources {
        let Some(Collected::Ok(keys)) = &r.kms_keys else { continue };
        for k in keys.iter().filter(|k| matches!(k.rotation, Some(Collected::Ok(false)))) {
            out.push(Proposal {
                region: r.region.clone(),
                action: EnableKeyRotation { key: k.arn.clone() }.into(),
                missing: vec![],
                manual: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
