//! IAM users receive permissions only through groups (CIS v5.0.0 1.14; v1.2.0 1.16; v1.4.0–v4.0.0
//! 1.15; v6.0.0 2.14; v7.0.0 2.13).
//!
//! `ListUsers`, then for each user `ListAttachedUserPolicies` and `ListUserPolicies`: a user
//! with a managed policy attached directly, or an inline policy, FAILs (each named in the
//! evidence); a user with neither PASSes. A user whose policies could not be listed is ERROR. An
//! account without IAM users passes, saying so.
//!
//! Remediation is MANUAL (cis-audit never removes a permission someone may rely on): put the
//! user in a group that carries the policy, then detach it from the user; the finding gives the
//! commands.

use super::iam_common::{need, Verdicts};
use super::module::{module_source, Check};
use super::rollup::account_verdict;
use super::Context;
use crate::catalog::Control;
use crate::finding::{Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "iam-group-permissions-only",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::IamUser],
    reads: &[Read::UserPolicies],
    has_patterns: false,
    remedy: "nothing by itself: moving a user's policies to a group is MANUAL (the finding gives the commands).",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let users = match need(control, acct, acct.account_wide.users.as_ref(), "the IAM users") {
        Ok(u) => u,
        Err(v) => return v,
    };
    let mut findings = Vec::new();
    for u in users {
        let about = Finding::about(control, Subject::IamUser, &acct.account_id).resource(Some(u.arn.clone()));
        let (attached, inline) = match (&u.attached_policies, &u.inline_policies) {
            (Collected::Ok(a), Collected::Ok(i)) => (a, i),
            (Collected::Error(e), _) | (_, Collected::Error(e)) => {
                findings.push(
                    about
                        .status(Status::Error)
                        .message(format!("the policies of user {} could not be listed: {e}", u.name)),
                );
                continue;
            }
        };
        let evidence = vec![
            Evidence::new("user.attached_policies", serde_json::json!(attached), Some(attached.is_empty())),
            Evidence::new("user.inline_policies", serde_json::json!(inline), Some(inline.is_empty())),
        ];
        if attached.is_empty() && inline.is_empty() {
            findings.push(about.message(format!("user {} has no policy of its own", u.name)).evidence(evidence));
            continue;
        }
        let n = &u.name;
        let mut fixes = vec![format!("aws iam create-group --group-name <GROUP> (or use an existing one); aws iam add-user-to-group --user-name {n} --group-name <GROUP>")];
        for arn in attached {
            fixes.push(format!("aws iam attach-group-policy --group-name <GROUP> --policy-arn {arn} && aws iam detach-user-policy --user-name {n} --policy-arn {arn}"));
        }
        for p in inline {
            fixes.push(format!("aws iam get-user-policy --user-name {n} --policy-name {p}   # put its document on the group: aws iam put-group-policy --group-name <GROUP> --policy-name {p} --policy-document file://{p}.json; then aws iam delete-user-policy --user-name {n} --policy-name {p}"));
        }
        let mut parts = Vec::new();
        if !attached.is_empty() {
            parts.push(format!(
                "{} attached managed polic{}",
                attached.len(),
                if attached.len() == 1 { "y" } else { "ies" }
            ));
        }
        if !inline.is_empty() {
            parts.push(format!("{} inline polic{}", inline.len(), if inline.len() == 1 { "y" } else { "ies" }));
        }
        findings.push(
            about
                .status(Status::Fail)
                .message(format!("user {n} has {}", parts.join(" and ")))
                .evidence(evidence)
                .remediation(Some(fixes.join("\n"))),
        );
    }
    let n = findings.len();
    account_verdict(
        control,
        acct,
        findings,
        format!("none of the {n} IAM user(s) has a policy of its own"),
        (Status::Pass, "the account has no IAM users".into()),
    )
}

#[cfg(test)]
mod tests;
