//! CloudTrail log file validation is enabled (CIS v5.0.0 3.2; v1.2.0 2.2; v6.0.0 and v7.0.0
//! 4.2).
//!
//! Every trail that logs the account must have `LogFileValidationEnabled`: the account's own
//! trails, each once whichever region lists it (a multi-region trail homed in another region is
//! judged where it lives), and, for a member of an organization the audit discovered, the
//! organization trails of its management account (fixed there). One finding per trail; the
//! account passes when every trail does, and fails with no trail at all.

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::account_verdict;
use super::trail::{account_trails, each_trail};
use super::Context;
use crate::actions::cloudtrail::UpdateTrail;
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "cloudtrail-log-validation",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Trail],
    reads: &[Read::Trails],
    has_patterns: false,
    remedy: "enables log file validation on each of the account's own trails that lacks it (cloudtrail:UpdateTrail --enable-log-file-validation, in the trail's home region); rollback disables it again. An organization trail is left to its management account.",
    plan: Some(plan),
};

fn fix(name: &str) -> UpdateTrail {
    UpdateTrail { name: name.to_string(), log_file_validation: Some(true), ..Default::default() }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let findings = each_trail(
        control,
        acct,
        ctx,
        "trail.log_file_validation_enabled",
        |t| {
            if t.log_file_validation {
                Ok("log file validation is on".into())
            } else {
                Err("log file validation is off".into())
            }
        },
        |t| fix(&t.name).cli(&t.home_region),
    );
    let pass = format!("log file validation is on for every trail ({})", findings.len());
    account_verdict(control, acct, findings, pass, (Status::Fail, "no CloudTrail trail in any audited region".into()))
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    account_trails(input.acct, input.ctx)
        .into_iter()
        .filter(|t| !t.log_file_validation && (t.owner_account.is_empty() || t.owner_account == input.acct.account_id))
        .map(|t| Proposal { region: t.home_region.clone(), action: fix(&t.name).into(), missing: vec![], manual: None })
        .collect()
}

#[cfg(test)]
mod tests;
