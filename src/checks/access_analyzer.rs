//! IAM Access Analyzer is enabled in every region (CIS v5.0.0 1.19; v1.4.0–v4.0.0 1.20; v6.0.0
//! 2.19; v7.0.0 2.18).
//!
//! In each audited region `ListAnalyzers` (every type): an analyzer whose status is `ACTIVE`
//! passes the region. From v5.0.0 the benchmark asks for an *external* access analyzer
//! (`params.external_access_only`): only type `ACCOUNT` or `ORGANIZATION` counts, and an
//! unused-access or internal-access analyzer alone FAILs. An analyzer that is `CREATING`,
//! `DISABLED` or `FAILED` does not count (its status and reason are evidence). Every analyzer of
//! the region is listed. A region whose analyzers could not be listed is ERROR.
//!
//! Remediation creates an external access analyzer of the account (type `ACCOUNT`, named
//! `cis-audit-external-access`) in each failing region with `access-analyzer:CreateAnalyzer`;
//! rollback deletes that analyzer, and only it.

use super::iam_common::Verdicts;
use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::actions::accessanalyzer::CreateAnalyzer;
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Analyzer, Read};
use serde_json::json;

const SOURCE: (&str, &str) = module_source!();

/// The name of the analyzer remediation creates.
pub(crate) const ANALYZER_NAME: &str = "cis-audit-external-access";

pub(crate) const CHECK: Check = Check {
    name: "access-analyzer-all-regions",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Region],
    reads: &[Read::AccessAnalyzers],
    has_patterns: false,
    remedy: "creates an external access analyzer of the account (type ACCOUNT, cis-audit-external-access) in each region without one (access-analyzer:CreateAnalyzer); rollback deletes it.",
    plan: Some(plan),
};

fn counts(control: &Control, a: &Analyzer) -> bool {
    a.status == "ACTIVE"
        && (!control.param_bool("external_access_only")
            || matches!(a.analyzer_type.as_str(), "ACCOUNT" | "ORGANIZATION"))
}

fn fix(region: &str) -> String {
    CreateAnalyzer { name: ANALYZER_NAME.into() }.cli(region)
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let external = control.param_bool("external_access_only");
    let what =
        if external { "active external access analyzer (type ACCOUNT or ORGANIZATION)" } else { "active analyzer" };
    let mut findings = Vec::new();
    for (region, read) in per_region(acct, |r| r.access_analyzers.as_ref()) {
        if let Some(f) = unreadable(control, acct, Subject::Region, region, &read, "IAM Access Analyzer analyzers") {
            findings.push(f);
            continue;
        }
        let RegionRead::Ok(list) = read else { continue };
        let listed = json!(list
            .iter()
            .map(|a| json!({"name": a.name, "type": a.analyzer_type, "status": a.status, "status_reason": a.status_reason}))
            .collect::<Vec<_>>());
        let about = Finding::about(control, Subject::Region, &acct.account_id).region(Some(region));
        let f = match list.iter().find(|a| counts(control, a)) {
            Some(a) => about
                .message(format!("analyzer {} ({}) is active in {region}", a.name, a.analyzer_type))
                .evidence(vec![Evidence::ok("access_analyzer.analyzers", listed)]),
            None => about
                .status(Status::Fail)
                .message(format!("{region} has no {what}"))
                .evidence(vec![
                    Evidence::bad("access_analyzer.analyzers", listed),
                    Evidence::info("access_analyzer.required", what),
                ])
                .remediation(Some(fix(region))),
        };
        findings.push(f);
    }
    let n = findings.len();
    account_verdict(
        control,
        acct,
        findings,
        format!("all {n} audited region(s) have an {what}"),
        (Status::Pass, "no region audited".into()),
    )
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    let mut out = Vec::new();
    for r in &input.acct.resources {
        let Some(crate::inventory::Collected::Ok(list)) = &r.access_analyzers else { continue };
        if list.iter().any(|a| counts(input.control, a)) {
            continue;
        }
        let taken = list.iter().any(|a| a.name == ANALYZER_NAME);
        out.push(Proposal {
            region: r.region.clone(),
            action: CreateAnalyzer { name: ANALYZER_NAME.into() }.into(),
            missing: vec![],
            manual: taken.then(|| {
                format!("an analyzer named {ANALYZER_NAME} exists in {} but is not active: look at it (aws accessanalyzer get-analyzer --analyzer-name {ANALYZER_NAME})", r.region)
            }),
        });
    }
    out
}

#[cfg(test)]
mod tests;
