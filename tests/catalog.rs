//! The shipped control data, checked against itself, for every benchmark version: a typo in any
//! pattern, an event listed that the pattern never catches, a check kind or version not
//! registered, or an EventBridge route that misses a required event fails here.

mod common;

use cis_audit::catalog::catalog;
use cis_audit::checks::monitoring::eventbridge_rule;
use cis_audit::checks::{check, check_ids, Context, EvalOptions};
use cis_audit::inventory::Inventory;
use cis_audit::pattern::{corpus, parse, squash_whitespace, Corpus, CoverageKind, Judge};

const VERSIONS: &[&str] = &["1.2.0", "1.4.0", "2.0.0", "3.0.0", "4.0.0", "5.0.0", "6.0.0", "7.0.0"];

#[test]
fn every_version_is_shipped_with_unique_ids_and_titles() {
    let cat = catalog();
    assert_eq!(cat.versions().len(), VERSIONS.len());
    for v in VERSIONS {
        let b = cat.benchmark(v).unwrap_or_else(|e| panic!("{e}"));
        assert!(b.title.contains(v) && !b.numbering.is_empty(), "{v}");
        let all = cat.select(v, None).unwrap();
        assert!(all.len() >= 16, "{v}: {} controls", all.len());
        let mut ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "{v}: duplicate id");
        for c in &all {
            assert!(!c.title.trim().is_empty(), "{v} {}", c.id);
            assert!(matches!(c.level, 1 | 2), "{v} {}", c.id);
            assert!(["Automated", "Manual", "Scored", "Not Scored"].contains(&c.assessment.as_str()), "{v} {}", c.id);
            // A control that names an evaluator names a registered one (else it is MANUAL).
            if c.def.check.is_some() {
                assert!(check(c.check()).is_some(), "{v} {}: evaluator {} is not registered", c.id, c.check());
            }
        }
    }
}

#[test]
fn every_pattern_parses_is_exact_to_itself_and_catches_its_events() {
    let cat = catalog();
    let judge = Judge::new(Corpus::builtin());
    let mut checked = 0;
    for v in VERSIONS {
        for c in cat.select(v, None).unwrap() {
            if c.check() != "metric-filter-chain" {
                assert!(c.variant.is_none() || c.def.variants.is_empty(), "{v} {}", c.id);
                continue;
            }
            let var =
                c.variant.as_ref().unwrap_or_else(|| panic!("{v} {} ({}) has no pattern variant", c.id, c.def.key));
            assert!(!var.patterns.is_empty(), "{v} {}", c.id);
            let oracle = judge.oracle(&var.patterns, &var.events).unwrap_or_else(|e| panic!("{v} {}: {e}", c.id));
            for (i, p) in var.patterns.iter().enumerate() {
                parse(p).unwrap_or_else(|e| panic!("{v} {} pattern {i} does not parse: {e}\n{p}", c.id));
                // Each accepted text is exact against itself: it is its own closest benchmark text.
                let cov = judge.coverage(p, &oracle).unwrap();
                assert_eq!(cov.kind, CoverageKind::Exact, "{v} {} pattern {i}", c.id);
                assert!(
                    cov.oracle_gaps.is_empty(),
                    "{v} {}: pattern {i} catches no record of {:?}",
                    c.id,
                    cov.oracle_gaps
                );
                assert!(!cov.never_matches && cov.required > 0, "{v} {}: pattern {i} matches nothing", c.id);
                checked += 1;
            }
            // Every listed event is in the corpus and caught by every accepted text.
            for e in &var.events {
                assert!(corpus().iter().any(|r| &r.event_name == e), "{v} {}: event {e} is not in the corpus", c.id);
                for (i, p) in var.patterns.iter().enumerate() {
                    let pat = parse(p).unwrap();
                    let caught = corpus().iter().any(|r| &r.event_name == e && pat.matches(&r.event, &r.raw));
                    assert!(caught, "{v} {}: pattern {i} never catches {e}", c.id);
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} patterns checked");
}

#[test]
fn the_eventbridge_route_of_every_control_catches_what_its_patterns_require() {
    let inv = Inventory::default();
    let judge = Judge::new(Corpus::builtin());
    let ctx = Context::new(&inv, EvalOptions::default(), &judge);
    for v in VERSIONS {
        for c in catalog().select(v, None).unwrap() {
            let Some(var) = &c.variant else { continue };
            let p = eventbridge_rule::route_pattern(&ctx, var).unwrap_or_else(|| panic!("{v} {}: no route", c.id));
            cis_audit::eventpattern::parse(&p).unwrap_or_else(|e| panic!("{v} {}: {e}\n{p}", c.id));
            for region in ["us-east-1", "eu-west-1"] {
                let global = eventbridge_rule::global_only(&ctx, var);
                if global && region != "us-east-1" {
                    continue;
                }
                assert!(
                    eventbridge_rule::pattern_covers(&ctx, var, &p, "111122223333", region),
                    "{v} {} in {region}: the route pattern misses required events\n{p}",
                    c.id
                );
            }
        }
    }
}

#[test]
fn versions_differ_where_the_benchmark_does() {
    let cat = catalog();
    let sg = |v: &str| {
        let c = cat.select(v, None).unwrap().into_iter().find(|c| c.def.key == "security-group-changes").unwrap();
        (c.id.clone(), c.variant.unwrap().patterns[0].clone())
    };
    let (id12, p12) = sg("1.2.0");
    let (id4, p4) = sg("4.0.0");
    let (id5, p5) = sg("5.0.0");
    let (id6, p6) = sg("6.0.0");
    assert_eq!((id12.as_str(), id4.as_str(), id5.as_str(), id6.as_str()), ("3.10", "4.10", "4.10", "5.10"));
    assert!(
        p12.starts_with("{(") && !p4.contains("ModifySecurityGroupRules") && p5.contains("ModifySecurityGroupRules")
    );
    assert_eq!(p5, p6);
    assert_eq!(squash_whitespace(&p12), squash_whitespace(&p4));
    // The CloudWatch Logs integration control exists up to v2.0 only.
    for (v, id) in
        [("1.2.0", Some("2.4")), ("1.4.0", Some("3.4")), ("2.0.0", Some("3.4")), ("3.0.0", None), ("6.0.0", None)]
    {
        let found = cat.select(v, None).unwrap().into_iter().find(|c| c.key == "cloudtrail-cloudwatch-logs");
        assert_eq!(found.map(|c| c.id), id.map(str::to_string), "{v}");
    }
    // No Organizations control in v1.2.0.
    assert!(!cat.select("1.2.0", None).unwrap().iter().any(|c| c.def.key == "organizations-changes"));
}

#[test]
fn check_ids_are_kebab_case_and_unique() {
    let ids = check_ids();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len());
    for id in &ids {
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/'), "{id}");
    }
}

#[test]
fn the_readme_lists_every_control_of_every_version() {
    let mut c = common::bin();
    c.args(["controls", "--markdown"]);
    let table = common::run(c).stdout;
    assert_eq!(table.lines().count(), catalog().keys().len() + 2);
    common::readme_section("controls", "cis-audit controls --markdown", &table, "catalog");
}
