//! CloudTrail logs are encrypted at rest with a KMS key (SSE-KMS) (CIS v5.0.0 3.5; v1.2.0 2.7;
//! v6.0.0 and v7.0.0 4.5).
//!
//! Every trail that logs the account (its own, each once; a member's organization trails) must
//! name a KMS key (`KmsKeyId`): the trail's own setting, not the bucket's default encryption,
//! which the audit does not count. One finding per trail; the account passes when every trail
//! does, and fails with no trail at all. The fix needs a key whose policy lets CloudTrail use it,
//! so it is a MANUAL step with its commands.

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::account_verdict;
use super::trail::{account_trails, each_trail};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "cloudtrail-kms-encryption",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Trail],
    reads: &[Read::Trails],
    has_patterns: false,
    remedy: "nothing by itself: a MANUAL step per trail, because the key must let CloudTrail encrypt (kms:GenerateDataKey* for cloudtrail.amazonaws.com) and let readers decrypt; the step shows the commands.",
    plan: Some(plan),
};

fn command(t: &crate::inventory::Trail) -> String {
    format!(
        "aws kms create-key --region {r} --policy file://cloudtrail-key-policy.json; aws cloudtrail update-trail --region {r} --name {n} --kms-key-id <key-arn>",
        r = t.home_region,
        n = crate::actions::shell_quote(&t.name)
    )
}

pub fn evaluate(control: &Control, acct: &AccountInventory, ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let findings = each_trail(
        control,
        acct,
        ctx,
        "trail.kms_key_id",
        |t| match &t.kms_key_id {
            Some(k) => Ok(format!("log files are encrypted with {k}")),
            None => Err("log files are not encrypted with a KMS key (no KmsKeyId)".into()),
        },
        command,
    );
    let pass = format!("every trail ({}) encrypts its log files with a KMS key", findings.len());
    account_verdict(control, acct, findings, pass, (Status::Fail, "no CloudTrail trail in any audited region".into()))
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    account_trails(input.acct, input.ctx)
        .into_iter()
        .filter(|t| t.kms_key_id.is_none() && (t.owner_account.is_empty() || t.owner_account == input.acct.account_id))
        .map(|t| Proposal {
            region: t.home_region.clone(),
            action: crate::actions::cloudtrail::UpdateTrail {
                name: t.name.clone(),
                kms_key_id: Some("<customer-managed-key-arn>".into()),
                ..Default::default()
            }
            .into(),
            missing: vec![],
            manual: Some(format!(
                "cis-audit does not choose or create the key for trail {}: create a customer managed key whose policy lets cloudtrail.amazonaws.com encrypt (kms:GenerateDataKey*) and your readers decrypt, then run this step with its ARN",
                t.name
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests;
