//! IAM users are managed centrally through identity federation or AWS Organizations (CIS
//! v5.0.0 1.20; v1.4.0–v4.0.0 1.21; v6.0.0 2.20; v7.0.0 2.19): a MANUAL recommendation, for
//! which cis-audit lists the evidence.
//!
//! Read once per account: the identity providers (`ListSAMLProviders`,
//! `ListOpenIDConnectProviders`) and the credential report's IAM users, with which of them can
//! sign in to the console (a password) or hold an active access key. The verdict is MANUAL: an
//! assessor decides whether those users represent people who should come through the central
//! identity store instead (IAM Identity Center is not read).

use super::iam_common::{one, report_time, Verdicts};
use super::module::{module_source, Check};
use super::Context;
use crate::catalog::Control;
use crate::finding::{Evidence, Status, Subject};
use crate::inventory::{AccountInventory, Collected, Read};
use serde_json::json;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "iam-central-identity",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Account],
    reads: &[Read::IdentityProviders, Read::CredentialReport],
    has_patterns: false,
    remedy: "nothing: a person decides which users should move to the central identity store.",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let w = &acct.account_wide;
    let mut ev = Vec::new();
    let providers = match &w.identity_providers {
        Some(Collected::Ok(p)) => {
            ev.push(Evidence::info("iam.identity_providers", json!(p)));
            format!("{} identity provider(s)", p.len())
        }
        Some(Collected::Error(e)) => {
            ev.push(Evidence::bad("iam.identity_providers", format!("could not be read: {e}")));
            "identity providers unreadable".into()
        }
        None => "identity providers not collected".into(),
    };
    let users = match &w.credential_report {
        Some(Collected::Ok(r)) => {
            ev.push(report_time(r));
            let rows: Vec<_> = r.rows.iter().filter(|x| !x.is_root()).collect();
            let console: Vec<&str> = rows.iter().filter(|x| x.has_password()).map(|x| x.user.as_str()).collect();
            let keyed: Vec<&str> =
                rows.iter().filter(|x| x.access_keys.iter().any(|k| k.active)).map(|x| x.user.as_str()).collect();
            ev.push(Evidence::info("iam.users", rows.len()));
            ev.push(Evidence::info("iam.users_with_console_password", json!(console)));
            ev.push(Evidence::info("iam.users_with_active_access_keys", json!(keyed)));
            format!("{} IAM user(s), {} with a console password", rows.len(), console.len())
        }
        Some(Collected::Error(e)) => {
            ev.push(Evidence::bad("credential_report", format!("could not be read: {e}")));
            "IAM users unreadable".into()
        }
        None => "IAM users not collected".into(),
    };
    one(
        control,
        acct,
        Status::Manual,
        format!("{providers}; {users}: an assessor decides whether the users should be managed centrally"),
        ev,
    )
}

#[cfg(test)]
mod tests;
