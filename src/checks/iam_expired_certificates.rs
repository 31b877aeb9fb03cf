//! No expired SSL/TLS server certificates are stored in IAM (CIS v5.0.0 1.18; v1.4.0–v4.0.0
//! 1.19; v6.0.0 2.18; v7.0.0 2.17).
//!
//! `ListServerCertificates`, read once per account: a certificate whose `Expiration` is before
//! the inventory's collection time FAILs (so an inventory evaluated later gives the same
//! verdict); one still valid PASSes, with its expiry as evidence. A certificate without an
//! expiry, or an unparsable one, is ERROR. No certificate at all passes.
//!
//! Remediation is MANUAL: cis-audit never deletes a certificate; the finding gives the command.

use super::iam_common::{need, Verdicts};
use super::module::{module_source, Check};
use super::rollup::account_verdict;
use super::Context;
use crate::catalog::Control;
use crate::clock::epoch_seconds;
use crate::finding::{Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "iam-expired-certificates",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::ServerCertificate],
    reads: &[Read::ServerCertificates],
    has_patterns: false,
    remedy: "nothing by itself: the finding gives the command to delete an expired certificate (after checking nothing still uses it).",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, ctx: &Context) -> Verdicts {
    let certs = match need(control, acct, acct.account_wide.server_certificates.as_ref(), "the server certificates") {
        Ok(c) => c,
        Err(v) => return v,
    };
    let now = &ctx.inv.collected_at;
    let now_s = epoch_seconds(now);
    let mut findings = Vec::new();
    for c in certs {
        let about = Finding::about(control, Subject::ServerCertificate, &acct.account_id).resource(Some(c.arn.clone()));
        let exp = c.expiration.as_deref().unwrap_or("none");
        let f = match (c.expiration.as_deref().and_then(epoch_seconds), now_s) {
            (Some(e), Some(n)) if e < n => about
                .status(Status::Fail)
                .message(format!("server certificate {} expired on {exp}", c.name))
                .evidence(vec![Evidence::bad("server_certificate.expiration", exp), Evidence::info("collected_at", now.clone())])
                .remediation(Some(format!(
                    "aws iam delete-server-certificate --server-certificate-name {}   # after checking no load balancer or distribution still uses it",
                    c.name
                ))),
            (Some(_), Some(_)) => about
                .message(format!("server certificate {} is valid until {exp}", c.name))
                .evidence(vec![Evidence::ok("server_certificate.expiration", exp), Evidence::info("collected_at", now.clone())]),
            _ => about
                .status(Status::Error)
                .message(format!("the expiry of server certificate {} ({exp}) or the collection time ({now}) is not a date", c.name)),
        };
        findings.push(f);
    }
    let n = findings.len();
    account_verdict(
        control,
        acct,
        findings,
        format!("none of the {n} server certificate(s) stored in IAM has expired"),
        (Status::Pass, "no server certificate is stored in IAM".into()),
    )
}

#[cfg(test)]
mod tests;
