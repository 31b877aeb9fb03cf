//! EFS file systems are encrypted at rest (CIS v5.0.0 2.3.1; v2.0.0 and v3.0.0 2.4.1; v4.0.0
//! 2.3.1; v6.0.0 and v7.0.0 3.3.1).
//!
//! `DescribeFileSystems` in every audited region: each file system must have `Encrypted` true.
//! One finding per file system (its KMS key as evidence); the account passes when every one
//! does, and with none at all. A region whose read failed is ERROR, naming the call. An
//! unencrypted file system FAILs in v2.0.0 too, which assesses the recommendation as Manual.
//!
//! Remediation is MANUAL: EFS cannot encrypt an existing file system. The finding gives the
//! commands for a new encrypted file system (`aws efs create-file-system --encrypted`); the
//! data is then copied across (AWS DataSync, or `rsync` between two mounts) and clients moved
//! to it before the old one is deleted.

use super::module::{module_source, Check};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "efs-encryption",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::EfsFileSystem],
    reads: &[Read::Efs],
    has_patterns: false,
    remedy: "nothing automatic: an existing EFS file system cannot be encrypted; the finding gives the commands for an encrypted replacement, to which the data is copied.",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut findings = Vec::new();
    for (region, read) in per_region(acct, |r| r.efs_file_systems.as_ref()) {
        let list = match &read {
            RegionRead::Ok(v) => *v,
            other => {
                findings.extend(unreadable(
                    control,
                    acct,
                    Subject::EfsFileSystem,
                    region,
                    other,
                    "the EFS file systems",
                ));
                continue;
            }
        };
        for fs in list {
            let name = fs.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
            let f = Finding::about(control, Subject::EfsFileSystem, &acct.account_id)
                .region(Some(region))
                .resource(Some(fs.arn.clone().unwrap_or_else(|| fs.id.clone())));
            findings.push(if fs.encrypted {
                let mut ev = vec![Evidence::ok("efs.encrypted", true)];
                if let Some(k) = &fs.kms_key_id {
                    ev.push(Evidence::info("efs.kms_key_id", k.clone()));
                }
                f.message(format!("file system {}{name} in {region} is encrypted", fs.id)).evidence(ev)
            } else {
                f.status(Status::Fail)
                    .message(format!("file system {}{name} in {region} is not encrypted", fs.id))
                    .evidence(vec![Evidence::bad("efs.encrypted", false)])
                    .remediation(Some(format!(
                        "an existing file system cannot be encrypted: create an encrypted one (aws efs create-file-system --region {region} --encrypted --creation-token {}-encrypted --tags Key=Name,Value={}-encrypted), add its mount targets, copy the data across (AWS DataSync, or rsync between the two mounts), move the clients, then delete {} (aws efs delete-file-system --region {region} --file-system-id {})",
                        fs.id,
                        fs.name.as_deref().unwrap_or(&fs.id),
                        fs.id,
                        fs.id
                    )))
            });
        }
    }
    let pass = format!("every EFS file system ({}) is encrypted", findings.len());
    account_verdict(control, acct, findings, pass, (Status::Pass, "no EFS file system in any audited region".into()))
}

#[cfg(test)]
mod tests;
