//! Centralised root access is enabled in AWS Organizations (CIS v7.0.0 2.1.1).
//!
//! `iam:ListOrganizationsFeatures`, read once per account. In the organization's management
//! account (or a delegated administrator for IAM) it lists the features on: PASS when
//! `RootCredentialsManagement` is among them (`RootSessions` is shown beside it), FAIL when it
//! is not. Where the call says there is nothing to list here — the account is in no
//! organization, IAM's trusted access is not enabled, or the account is a member that may not
//! ask — the verdict is MANUAL with that answer as evidence: the management account's own
//! verdict decides (an organization run audits it too). Any other error is ERROR.
//!
//! Remediation is MANUAL, from the management account: enable trusted access for IAM
//! (`aws organizations enable-aws-service-access --service-principal iam.amazonaws.com`), then
//! `aws iam enable-organizations-root-credentials-management` (and
//! `enable-organizations-root-sessions`).

use super::iam_common::{need, one, Verdicts};
use super::module::{module_source, Check};
use super::Context;
use crate::catalog::Control;
use crate::finding::{Evidence, Status, Subject};
use crate::inventory::{AccountInventory, Read};
use serde_json::json;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "org-centralized-root-access",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Account],
    reads: &[Read::OrganizationsFeatures],
    has_patterns: false,
    remedy: "nothing by itself: the finding gives the management account's commands.",
    plan: None,
};

const FIX: &str = "From the management account: aws organizations enable-aws-service-access --service-principal iam.amazonaws.com; aws iam enable-organizations-root-credentials-management; aws iam enable-organizations-root-sessions";

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let f = match need(control, acct, acct.account_wide.organizations_features.as_ref(), "the organizations features") {
        Ok(f) => f,
        Err(v) => return v,
    };
    if let Some(why) = &f.unavailable {
        return one(
            control,
            acct,
            Status::Manual,
            format!("IAM lists no organizations features from this account ({why}); the management account's verdict decides"),
            vec![Evidence::info("iam.organizations_features", why.clone())],
        );
    }
    let on = f.enabled_features.iter().any(|x| x == "RootCredentialsManagement");
    let ev = vec![
        Evidence::info("iam.organization_id", f.organization_id.clone().unwrap_or_default()),
        Evidence::new("iam.enabled_features", json!(f.enabled_features), Some(on)),
    ];
    if on {
        one(
            control,
            acct,
            Status::Pass,
            "centralised root credentials management is enabled for the organization".into(),
            ev,
        )
    } else {
        let mut v = one(
            control,
            acct,
            Status::Fail,
            "centralised root credentials management is not enabled for the organization".into(),
            ev,
        );
        v[0].1[0].remediation = Some(FIX.into());
        v
    }
}

#[cfg(test)]
mod tests;
