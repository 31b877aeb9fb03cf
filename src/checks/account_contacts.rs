//! The account's contacts (one evaluator, each control's key naming its requirement), from
//! `account:GetAlternateContact` for SECURITY, BILLING and OPERATIONS, read once per account:
//! - **security-contact-registered** (CIS v5.0.0 1.2; v1.2.0 1.18; v1.4.0–v4.0.0 1.2; v6.0.0
//!   2.2; v7.0.0 2.3): a SECURITY alternate contact must be registered (PASS, with its name,
//!   email and phone); none (`ResourceNotFoundException`) FAILs. The recommendation is manual,
//!   but v4.0.0+ give exactly this call as its audit.
//! - **account-contact-details** (v5.0.0 1.1; v1.2.0 1.17; v1.4.0–v4.0.0 1.1; v6.0.0 2.1; v7.0.0
//!   2.2): MANUAL — whether the details are current and reach more than one person is for an
//!   assessor; the evidence lists every alternate contact registered (and which are missing). The
//!   primary contact is shown only in the console (or `account:GetContactInformation`).
//!
//! A contact type that could not be read is ERROR for the security contact, and shown as such in
//! the MANUAL evidence. Remediation is MANUAL: the finding gives the command to register the
//! contact (who it is, is the owner's call).

use super::iam_common::{one, Verdicts};
use super::module::{module_source, Check};
use super::Context;
use crate::catalog::Control;
use crate::finding::{Evidence, Status, Subject};
use crate::inventory::{AccountInventory, Collected, Read};
use serde_json::json;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "account-contacts",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Account],
    reads: &[Read::AlternateContacts],
    has_patterns: false,
    remedy: "nothing by itself: the finding gives the command to register the security contact.",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let reads = &acct.account_wide.alternate_contacts;
    if reads.is_empty() {
        return one(control, acct, Status::Error, "the alternate contacts were not collected".into(), vec![]);
    }
    let evidence = |t: &str, c: &Collected<Option<crate::inventory::AlternateContact>>, judge: bool| {
        let step = format!("alternate_contact.{}", t.to_ascii_lowercase());
        match c {
            Collected::Ok(Some(a)) => Evidence::new(
                step,
                json!({"name": a.name, "email": a.email, "phone": a.phone, "title": a.title}),
                judge.then_some(true),
            ),
            Collected::Ok(None) => Evidence::new(step, "none registered", judge.then_some(false)),
            Collected::Error(e) => Evidence::bad(step, format!("could not be read: {e}")),
        }
    };
    match control.key.as_str() {
        "security-contact-registered" => {
            let Some(r) = reads.iter().find(|r| r.contact_type == "SECURITY") else {
                return one(control, acct, Status::Error, "the security contact was not collected".into(), vec![]);
            };
            let ev = vec![evidence("SECURITY", &r.contact, true)];
            match &r.contact {
                Collected::Ok(Some(a)) => one(
                    control,
                    acct,
                    Status::Pass,
                    format!("a security contact is registered ({}, {})", a.name, a.email),
                    ev,
                ),
                Collected::Ok(None) => {
                    let mut v = one(control, acct, Status::Fail, "no security contact is registered".into(), ev);
                    v[0].1[0].remediation = Some("aws account put-alternate-contact --alternate-contact-type SECURITY --name <NAME> --email-address <SECURITY-TEAM-LIST@EXAMPLE.COM> --phone-number <PHONE> --title <TITLE>".into());
                    v
                }
                Collected::Error(e) => {
                    one(control, acct, Status::Error, format!("the security contact could not be read: {e}"), ev)
                }
            }
        }
        "account-contact-details" => {
            let ev: Vec<Evidence> = reads.iter().map(|r| evidence(&r.contact_type, &r.contact, false)).collect();
            let registered: Vec<&str> = reads
                .iter()
                .filter(|r| matches!(r.contact, Collected::Ok(Some(_))))
                .map(|r| r.contact_type.as_str())
                .collect();
            let message = format!(
                "alternate contacts registered: {}; an assessor confirms the primary and alternate contacts are current and reach more than one person (cis-audit explain {})",
                if registered.is_empty() { "none".to_string() } else { registered.join(", ") },
                control.key
            );
            one(control, acct, Status::Manual, message, ev)
        }
        other => {
            one(control, acct, Status::Error, format!("no contact requirement is defined for control {other}"), vec![])
        }
    }
}

#[cfg(test)]
mod tests;
