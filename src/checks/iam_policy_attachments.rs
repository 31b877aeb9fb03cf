//! Who holds the AWS managed policies the benchmark names (one evaluator, each control's key
//! naming its policy), from `ListEntitiesForPolicy`, read once per account:
//! - **support-role** (CIS v5.0.0 1.16; v1.2.0 1.20; v1.4.0–v4.0.0 1.17; v6.0.0 2.16; v7.0.0
//!   2.15): `AWSSupportAccess` must be attached to a role (`params.role_required`); v1.2.0's
//!   audit accepts any user, group or role. Not attached (or no such policy in the partition):
//!   FAIL.
//! - **cloudshell-full-access-restricted** (v5.0.0 1.21; v2.0.0–v4.0.0 1.22; v6.0.0 2.21;
//!   v7.0.0 2.20): `AWSCloudShellFullAccess` must be attached to no user, group or role; each
//!   holder is named. The recommendation is manual, but its audit is exactly this listing, so the
//!   verdict is PASS or FAIL.
//!
//! Remediation is MANUAL: the finding gives the command (creating a support role needs a trust
//! policy naming who may assume it; detaching CloudShell access is the owner's call).

use super::iam_common::{one, partition, Verdicts};
use super::module::{module_source, Check};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, Read};
use serde_json::json;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "iam-policy-attachments",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::IamPolicy],
    reads: &[Read::PolicyEntities],
    has_patterns: false,
    remedy: "nothing by itself: the finding gives the command to attach AWSSupportAccess to a role, or to detach AWSCloudShellFullAccess.",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let name = match control.key.as_str() {
        "support-role" => "AWSSupportAccess",
        "cloudshell-full-access-restricted" => "AWSCloudShellFullAccess",
        other => return one(control, acct, Status::Error, format!("no policy is named for control {other}"), vec![]),
    };
    let arn = format!("arn:{}:iam::aws:policy/{name}", partition(acct));
    let about = Finding::about(control, Subject::IamPolicy, &acct.account_id).resource(Some(arn.clone()));
    let read = acct.account_wide.policy_entities.iter().find(|p| p.policy_arn == arn);
    let (status, message, evidence, fix) = match read.map(|p| &p.entities) {
        None => (Status::Error, format!("the entities of {name} were not collected"), vec![], None),
        Some(Collected::Error(e)) => {
            let m = format!("the entities of {name} could not be listed: {e}");
            (Status::Error, m.clone(), vec![Evidence::bad("policy.entities.read", m)], None)
        }
        Some(Collected::Ok(entities)) => {
            let e = entities.clone().unwrap_or_default();
            let mut ev = vec![Evidence::info("policy.exists", entities.is_some())];
            let listed = json!({"users": e.users, "groups": e.groups, "roles": e.roles});
            if name == "AWSSupportAccess" {
                let role_required = control.param_bool("role_required");
                let ok = if role_required { !e.roles.is_empty() } else { !e.is_empty() };
                ev.push(Evidence::new("policy.entities", listed, Some(ok)));
                ev.push(Evidence::info("policy.role_required", role_required));
                if ok {
                    let who = if role_required {
                        format!("role(s) {}", e.roles.join(", "))
                    } else {
                        "a user, group or role".into()
                    };
                    (Status::Pass, format!("{name} is attached to {who}"), ev, None)
                } else {
                    let fix = format!(
                        "aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json   # trust: the principals who handle incidents\naws iam attach-role-policy --role-name aws-support --policy-arn {arn}"
                    );
                    let what = if role_required { "no role" } else { "no user, group or role" };
                    (
                        Status::Fail,
                        format!("{name} is attached to {what}: no role is set up to manage AWS Support incidents"),
                        ev,
                        Some(fix),
                    )
                }
            } else {
                ev.push(Evidence::new("policy.entities", listed, Some(e.is_empty())));
                if e.is_empty() {
                    (Status::Pass, format!("{name} is attached to no user, group or role"), ev, None)
                } else {
                    let mut fix: Vec<String> = e
                        .users
                        .iter()
                        .map(|u| format!("aws iam detach-user-policy --user-name {u} --policy-arn {arn}"))
                        .collect();
                    fix.extend(
                        e.groups
                            .iter()
                            .map(|g| format!("aws iam detach-group-policy --group-name {g} --policy-arn {arn}")),
                    );
                    fix.extend(
                        e.roles
                            .iter()
                            .map(|r| format!("aws iam detach-role-policy --role-name {r} --policy-arn {arn}")),
                    );
                    let mut who = Vec::new();
                    for (kind, list) in [("user", &e.users), ("group", &e.groups), ("role", &e.roles)] {
                        if !list.is_empty() {
                            who.push(format!("{kind}(s) {}", list.join(", ")));
                        }
                    }
                    (Status::Fail, format!("{name} is attached to {}", who.join(", ")), ev, Some(fix.join("\n")))
                }
            }
        }
    };
    let f = about.status(status).message(message.clone()).evidence(evidence).remediation(fix);
    vec![(ControlResult::new(control, &acct.account_id, None, status, message), vec![f])]
}

#[cfg(test)]
mod tests;
