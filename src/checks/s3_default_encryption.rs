//! Every S3 bucket has default encryption at rest (CIS v1.4.0 2.1.1, assessed as Manual; later
//! versions dropped the recommendation).
//!
//! `ListBuckets`, then `GetBucketEncryption` of each bucket in its region: a rule whose
//! `SSEAlgorithm` is `AES256` (SSE-S3), `aws:kms` (SSE-KMS) or `aws:kms:dsse` passes, and the
//! algorithm is the evidence. `ServerSideEncryptionConfigurationNotFoundError` means no default
//! encryption. Since January 2023 S3 encrypts every new object with SSE-S3 and reports that
//! configuration (`AES256`) for every bucket, so on AWS a bucket without default encryption no
//! longer occurs; cis-audit still follows what v1.4.0 asks and reads it. A bucket without
//! default encryption FAILs (v1.4.0 assesses the recommendation as Manual, but its audit has a
//! definite answer), with the evidence and the command. A bucket whose region or encryption
//! could not be read is ERROR; no bucket at all passes.
//!
//! Remediation is MANUAL: `aws s3api put-bucket-encryption` with SSE-S3 (or the operator's KMS
//! key), given in the finding.

use super::buckets::{listed, unread};
use super::module::{module_source, Check};
use super::rollup::account_verdict;
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "s3-default-encryption",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::S3Bucket],
    reads: &[Read::BucketEncryption],
    has_patterns: false,
    remedy: "nothing automatic: the finding gives the put-bucket-encryption command (SSE-S3, or your KMS key).",
    plan: None,
};

const ALGORITHMS: &[&str] = &["AES256", "aws:kms", "aws:kms:dsse"];

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let buckets = match listed(control, acct) {
        Ok(b) => b,
        Err(v) => return v,
    };
    let mut findings = Vec::new();
    for b in buckets {
        let (f, enc) = match unread(control, acct, b, &b.encryption, "default encryption") {
            Ok(x) => x,
            Err(f) => {
                findings.push(f);
                continue;
            }
        };
        let algs = enc.unwrap_or_default();
        let good: Vec<&String> = algs.iter().filter(|a| ALGORITHMS.contains(&a.as_str())).collect();
        findings.push(if let Some(a) = good.first() {
            f.message(format!("bucket {}: default encryption {a}", b.name))
                .evidence(vec![Evidence::ok("s3.default_encryption", a.as_str())])
        } else {
            let seen = if algs.is_empty() { "none".to_string() } else { algs.join(", ") };
            f.status(Status::Fail)
                .message(format!("bucket {}: no default encryption ({seen})", b.name))
                .evidence(vec![Evidence::bad("s3.default_encryption", seen)])
                .remediation(Some(format!(
                    "aws s3api put-bucket-encryption --bucket {} --server-side-encryption-configuration '{{\"Rules\": [{{\"ApplyServerSideEncryptionByDefault\": {{\"SSEAlgorithm\": \"AES256\"}}}}]}}'",
                    b.name
                )))
        });
    }
    let pass = format!("every bucket ({}) has default encryption", findings.len());
    account_verdict(control, acct, findings, pass, (Status::Pass, "the account has no S3 bucket".into()))
}

#[cfg(test)]
mod tests;
