//! CIS v1.4.0 / v2.0.0 3.4 (v1.2.0 2.4) — Ensure CloudTrail trails are integrated with
//! CloudWatch Logs.
//!
//! The audit: every trail has a `CloudWatchLogsLogGroupArn`, and `GetTrailStatus` shows a
//! `LatestCloudWatchLogsDeliveryTime` no more than a day old (AWS's field; the benchmark prints
//! it `LatestcloudwatchLogdDeliveryTime`). The age is measured from the time the inventory was
//! collected, so an offline replay judges what was true then. One finding per trail; the
//! control passes when every trail of the account passes (as Security Hub's CloudTrail.5 and
//! Steampipe judge each trail). A delivery error also fails.

use super::module::{module_source, Check};
use super::trail::account_trails;
use super::Context;
use crate::actions::{cloudtrail as ct, Hint};
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read, Trail};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "cloudtrail-cloudwatch-logs",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Trail],
    reads: &[Read::Trails],
    has_patterns: false,
    remedy: "points the trail at a CloudWatch Logs group (--log-group, created if missing) with the role --cloudtrail-logs-role-arn names.",
    plan: None,
};
use aws_smithy_types::date_time::{DateTime, Format};

/// How old the latest delivery may be.
pub(crate) const MAX_DELIVERY_AGE_SECS: i64 = 24 * 3600;

/// What makes a trail deliver to CloudWatch Logs (and qualify for 3.1).
pub(crate) fn fix_delivery(t: &Trail) -> Hint {
    let mut h = super::trail::fix_trail(t);
    if t.log_group_arn.is_some() && h.steps.is_empty() {
        return h.note(format!(
            "CloudTrail is not delivering trail {} to CloudWatch Logs: check that role {} may write to the log group, and the error aws cloudtrail get-trail-status --region {} --name {} reports",
            t.name,
            t.cloudwatch_logs_role_arn.as_deref().unwrap_or("(none set)"),
            t.home_region,
            t.name
        ));
    }
    if t.log_group_arn.is_none() {
        h.steps.push((
            t.home_region.clone(),
            ct::UpdateTrail {
                name: t.name.clone(),
                is_multi_region: None,
                log_group_arn: Some("<cloudtrail-log-group-arn>".into()),
                role_arn: Some("<cloudtrail-cloudwatch-logs-role-arn>".into()),
                log_file_validation: None,
                kms_key_id: None,
            }
            .into(),
        ));
    }
    h
}

fn parse_time(s: &str) -> Option<i64> {
    DateTime::from_str(s, Format::DateTime).ok().map(|t| t.secs())
}

/// 3.4 for one account.
pub(crate) fn evaluate(
    control: &Control,
    acct: &AccountInventory,
    ctx: &Context,
) -> Vec<(ControlResult, Vec<Finding>)> {
    let now = parse_time(&ctx.inv.collected_at);
    let mut findings = Vec::new();
    for t in account_trails(acct, ctx) {
        let mut ev =
            vec![Evidence::info("trail", t.arn.clone()), Evidence::info("trail.home_region", t.home_region.clone())];
        ev.push(Evidence::new(
            "trail.cloudwatch_logs_log_group_arn",
            t.log_group_arn.clone().map(serde_json::Value::from).unwrap_or_default(),
            Some(t.log_group_arn.is_some()),
        ));
        let status = super::trail::owner_status(t, ctx);
        let (state, message) = match (&t.log_group_arn, status) {
            (None, _) => (Status::Fail, format!("trail {} does not deliver to CloudWatch Logs", t.name)),
            (Some(_), None) => (Status::Error, format!("status of trail {} was not collected", t.name)),
            (Some(_), Some(Err(e))) => (Status::Error, e.to_string()),
            (Some(_), Some(Ok(st))) => {
                let latest = st.latest_cloudwatch_logs_delivery_time.as_deref();
                let age = latest.and_then(parse_time).zip(now).map(|(l, n)| n - l);
                let fresh = age.is_some_and(|a| a <= MAX_DELIVERY_AGE_SECS);
                ev.push(Evidence::new(
                    "trail.latest_cloudwatch_logs_delivery_time",
                    latest.map(serde_json::Value::from).unwrap_or_default(),
                    Some(fresh),
                ));
                if let Some(a) = age {
                    ev.push(Evidence::info(
                        "trail.latest_cloudwatch_logs_delivery_age_hours",
                        (a as f64 / 360.0).round() / 10.0,
                    ));
                }
                if let Some(e) = &st.latest_cloudwatch_logs_delivery_error {
                    ev.push(Evidence::bad("trail.latest_cloudwatch_logs_delivery_error", e.clone()));
                }
                match (latest, age, &st.latest_cloudwatch_logs_delivery_error) {
                    (_, _, Some(e)) => {
                        (Status::Fail, format!("trail {} fails to deliver to CloudWatch Logs: {e}", t.name))
                    }
                    (None, _, _) => (Status::Fail, format!("trail {} has never delivered to CloudWatch Logs", t.name)),
                    (Some(l), Some(a), _) if a > MAX_DELIVERY_AGE_SECS => (
                        Status::Fail,
                        format!(
                            "trail {} last delivered to CloudWatch Logs at {l}, {:.1} days before the audit",
                            t.name,
                            a as f64 / 86400.0
                        ),
                    ),
                    (Some(l), None, _) => (Status::Error, format!("trail {}: unreadable delivery time {l}", t.name)),
                    (Some(l), Some(_), _) => {
                        (Status::Pass, format!("trail {} delivers to CloudWatch Logs (latest delivery {l})", t.name))
                    }
                }
            }
        };
        findings.push(
            Finding::about(control, Subject::Trail, &acct.account_id)
                .status(state)
                .region(Some(&t.home_region))
                .resource(Some(&t.arn))
                .message(message)
                .evidence(ev)
                .remediation((state == Status::Fail).then(|| fix_delivery(t).render())),
        );
    }
    let describe_errors = super::trail::describe_errors(acct);
    let failing: Vec<&Finding> = findings.iter().filter(|f| f.status == Status::Fail).collect();
    let (status, message) = if findings.is_empty() && describe_errors.is_empty() {
        (Status::Fail, "no CloudTrail trail in any audited region".to_string())
    } else if !failing.is_empty() {
        (Status::Fail, failing.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; "))
    } else if let Some(e) = findings.iter().find(|f| f.status == Status::Error) {
        (Status::Error, e.message.clone())
    } else if !describe_errors.is_empty() {
        (Status::Error, format!("could not read every trail: {}", describe_errors.join("; ")))
    } else {
        (Status::Pass, format!("every trail ({}) delivers to CloudWatch Logs within a day", findings.len()))
    };
    vec![(ControlResult::new(control, &acct.account_id, None, status, message), findings)]
}

#[cfg(test)]
mod tests;
