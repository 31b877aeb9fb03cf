//! AWS Security Hub is enabled in every region (CIS v2.0.0–v5.0.0 4.16; v6.0.0 and v7.0.0 5.16).
//!
//! In each audited region, `DescribeHub` must return the account's hub. Security Hub answers an
//! account that has not enabled it with `InvalidAccessException` ("not subscribed"): that region
//! FAILs. Any other error (access denied) makes the region ERROR, never FAIL: a denied read does
//! not mean Security Hub is off. One finding per region; the account passes when every region
//! does.

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::{account_verdict, region_setting};
use super::Context;
use crate::actions::securityhub::EnableSecurityHub;
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "securityhub-enabled",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Region],
    reads: &[Read::SecurityHub],
    has_patterns: false,
    remedy: "enables Security Hub in each failing region without its default standards (securityhub:EnableSecurityHub --no-enable-default-standards); rollback disables it again.",
    plan: Some(plan),
};

/// Security Hub's state of a region, as on/off.
fn enabled(r: &crate::inventory::RegionResources) -> Option<Collected<bool>> {
    r.security_hub.as_ref().map(|h| match h {
        Collected::Ok(h) => Collected::Ok(h.enabled),
        Collected::Error(e) => Collected::Error(e.clone()),
    })
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let findings =
        region_setting(control, acct, enabled, "Security Hub", "securityhub.enabled", |r| EnableSecurityHub {}.cli(r));
    let pass = format!("Security Hub is enabled in all {} audited region(s)", findings.len());
    account_verdict(control, acct, findings, pass, (Status::Error, "no region was audited".into()))
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    input
        .acct
        .resources
        .iter()
        .filter(|r| matches!(enabled(r), Some(Collected::Ok(false))))
        .map(|r| Proposal {
            region: r.region.clone(),
            action: EnableSecurityHub {}.into(),
            missing: vec![],
            manual: None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
