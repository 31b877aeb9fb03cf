//! Snapshots of the renderers over the demo account's saved inventory
//! (`tests/fixtures/demo-inventory.json`), with the run-specific fields fixed.

use super::{AccountScope, BenchmarkRef, Meta, Report, ReportOptions, ReportPolicy, ScopeState};
use crate::catalog::catalog;
use crate::checks::{evaluate, EvalOptions};
use crate::inventory::store;

pub(crate) fn demo_report() -> Report {
    let inv = store::parse(include_str!("../../tests/fixtures/demo-inventory.json")).expect("the demo inventory loads");
    let controls = catalog().select("5.0.0", None).unwrap();
    let eval = evaluate(&inv, &controls, EvalOptions::default());
    let b = catalog().benchmark("5.0.0").unwrap();
    let meta = Meta {
        benchmark: BenchmarkRef { title: b.title.clone(), version: b.version.clone(), numbering: b.numbering.clone() },
        generated_at: "2026-01-01T00:00:00Z".into(),
        options: ReportOptions { strict_patterns: false, inventory: Some("demo-inventory.json".into()) },
        scope: inv
            .accounts
            .iter()
            .map(|a| AccountScope {
                account: a.account_id.clone(),
                name: None,
                ou: None,
                state: ScopeState::Audited,
                reason: None,
                regions: a.regions.clone(),
                regions_source: a.regions_source.clone(),
            })
            .collect(),
        api_calls: inv.api_calls.clone(),
        duration_ms: 0,
    };
    let policy = ReportPolicy::of(crate::policy::outcome(&eval.controls, crate::policy::FailOn::Any), vec![], false);
    Report::new(eval, meta, policy)
}

#[test]
fn table_snapshot() {
    let text = super::table::render(&demo_report(), false, Some(160));
    assert!(!text.contains('\u{1b}'));
    insta::assert_snapshot!("demo_table", text);
}

#[test]
fn markdown_snapshot() {
    let text = super::markdown::render(&demo_report());
    assert!(text.contains("security-group-changes/sns-subscription"));
    insta::assert_snapshot!("demo_markdown", text);
}
