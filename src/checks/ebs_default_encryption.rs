//! EBS encryption by default is on in every region (CIS v5.0.0 5.1.1; v1.4.0–v3.0.0 2.2.1;
//! v6.0.0 and v7.0.0 6.1.1).
//!
//! In each audited region, `GetEbsEncryptionByDefault` must answer true: every new volume (and
//! snapshot copy) of the region is then encrypted. One finding per region; the account passes
//! when every region does. A region whose setting could not be read is ERROR, naming the call;
//! volumes that already exist unencrypted are not what this recommendation audits.

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::{account_verdict, region_setting};
use super::Context;
use crate::actions::ec2::EnableEbsEncryptionByDefault;
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "ebs-default-encryption",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Region],
    reads: &[Read::EbsEncryption],
    has_patterns: false,
    remedy: "turns EBS encryption by default on in each failing region (ec2:EnableEbsEncryptionByDefault, with the account's default EBS key); rollback turns it off again.",
    plan: Some(plan),
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let findings = region_setting(
        control,
        acct,
        |r| r.ebs_encryption_by_default.clone(),
        "EBS encryption by default",
        "ebs.encryption_by_default",
        |region| EnableEbsEncryptionByDefault {}.cli(region),
    );
    let pass = format!("EBS encryption by default is on in all {} audited region(s)", findings.len());
    account_verdict(control, acct, findings, pass, (Status::Error, "no region was audited".into()))
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    input
        .acct
        .resources
        .iter()
        .filter(|r| matches!(r.ebs_encryption_by_default, Some(Collected::Ok(false))))
        .map(|r| Proposal {
            region: r.region.clone(),
            action: EnableEbsEncryptionByDefault {}.into(),
            missing: vec![],
            manual: None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
