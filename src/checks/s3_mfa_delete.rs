//! MFA Delete is enabled on every S3 bucket (CIS v5.0.0 2.1.2; v1.4.0 2.1.3; v2.0.0–v4.0.0
//! 2.1.2; v6.0.0 and v7.0.0 3.1.2).
//!
//! `ListBuckets`, then `GetBucketVersioning` of each bucket in its region: a bucket passes when
//! versioning is `Enabled` and `MFADelete` is `Enabled`, as the audit's `get-bucket-versioning`
//! shows. The evidence gives both values ("never configured" when S3 returns neither). A bucket
//! without MFA Delete FAILs in every version: the versions that assess the recommendation as
//! Manual (v2.0.0 on) do so because only the root user can set it, not because the audit's
//! answer is uncertain, so the verdict is the audit's and an exception is a suppression with
//! its reason. A bucket whose region or versioning could not be read is ERROR; no bucket at
//! all passes.
//!
//! Remediation is MANUAL: only the root user, with its MFA device, can enable MFA Delete
//! (`aws s3api put-bucket-versioning … --mfa "<root MFA serial> <code>"`), so the finding gives
//! that command.

use super::buckets::{listed, unread};
use super::module::{module_source, Check};
use super::rollup::account_verdict;
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "s3-mfa-delete",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::S3Bucket],
    reads: &[Read::BucketVersioning],
    has_patterns: false,
    remedy: "nothing automatic: only the root user, with its MFA device, can enable MFA Delete; the finding gives the put-bucket-versioning command.",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let buckets = match listed(control, acct) {
        Ok(b) => b,
        Err(v) => return v,
    };
    let mut findings = Vec::new();
    for b in buckets {
        let (f, v) = match unread(control, acct, b, &b.versioning, "versioning") {
            Ok(x) => x,
            Err(f) => {
                findings.push(f);
                continue;
            }
        };
        let status = v.status.as_deref().unwrap_or("never configured");
        let mfa = v.mfa_delete.as_deref().unwrap_or("never configured");
        let ok = status == "Enabled" && mfa == "Enabled";
        let ev = vec![
            Evidence::new("s3.versioning.status", status, Some(status == "Enabled")),
            Evidence::new("s3.versioning.mfa_delete", mfa, Some(mfa == "Enabled")),
        ];
        findings.push(if ok {
            f.message(format!("bucket {}: versioning and MFA Delete are enabled", b.name)).evidence(ev)
        } else {
            f.status(Status::Fail)
                .message(format!("bucket {}: versioning {status}, MFA Delete {mfa}", b.name))
                .evidence(ev)
                .remediation(Some(format!(
                    "as the root user, with its MFA device: aws s3api put-bucket-versioning --bucket {} --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa \"arn:{}:iam::{}:mfa/root-account-mfa-device <code>\"",
                    b.name, acct.partition, acct.account_id
                )))
        });
    }
    let pass = format!("every bucket ({}) has versioning and MFA Delete enabled", findings.len());
    account_verdict(control, acct, findings, pass, (Status::Pass, "the account has no S3 bucket".into()))
}

#[cfg(test)]
mod tests;
