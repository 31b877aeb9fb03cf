//! `--format junit`: JUnit XML for CI. One test suite per account of the scope, one test case per
//! control verdict (account × control × region): FAIL → `<failure>`, ERROR → `<error>`,
//! MANUAL and SKIPPED → `<skipped>`; the message is the verdict's reason, system-out its
//! evidence. A suppressed FAIL or ERROR is an accepted exception: `<skipped>`, so that it does
//! not fail the build, as it does not count for the exit code either.

use super::view::{evidence_text, remediation, suppression_text};
use super::Verdict as ControlResult;
use super::{Report, ScopeState};
use crate::finding::Status;
use quick_junit::{NonSuccessKind, Property, Report as Junit, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

pub fn render(r: &Report) -> String {
    let mut out = Junit::new("cis-audit");
    let generated = chrono::DateTime::parse_from_rfc3339(&r.generated_at).ok();
    if let Some(t) = generated {
        out.set_timestamp(t);
    }
    out.set_time(Duration::from_millis(r.stats.duration_ms));
    // The accounts of the scope, then any other with verdicts; each account's verdicts indexed
    // once (a thousand accounts: no scan of every verdict per account).
    let mut accounts: Vec<&str> = r.scope.iter().map(|a| a.account.as_str()).collect();
    let mut by_account: std::collections::HashMap<&str, Vec<usize>> =
        accounts.iter().map(|a| (*a, Vec::new())).collect();
    for (i, c) in r.controls.iter().enumerate() {
        by_account
            .entry(&c.account)
            .or_insert_with(|| {
                accounts.push(&c.account);
                Vec::new()
            })
            .push(i);
    }
    for account in accounts {
        let scope = r.account_scope(account);
        let name = match scope.and_then(|s| s.name.as_deref()) {
            Some(n) => format!("{} / {account} ({n})", r.benchmark.title),
            None => format!("{} / {account}", r.benchmark.title),
        };
        let mut suite = TestSuite::new(name);
        if let Some(t) = generated {
            suite.set_timestamp(t);
        }
        suite.add_property(Property::new("account", account));
        if let Some(s) = scope {
            if let Some(n) = &s.name {
                suite.add_property(Property::new("account_name", n));
            }
            suite.add_property(Property::new("state", state_name(s.state)));
            if let Some(reason) = &s.reason {
                suite.add_property(Property::new("reason", reason));
            }
            suite.add_property(Property::new("regions", s.regions.join(",")));
            suite.add_property(Property::new("regions_source", &s.regions_source));
        }
        suite.add_property(Property::new("benchmark", &r.benchmark.version));
        for c in by_account[account].iter().map(|i| &r.controls[*i]) {
            suite.add_test_case(case(r, c));
        }
        out.add_test_suite(suite);
    }
    out.to_string().expect("JUnit XML serialises")
}

fn state_name(s: ScopeState) -> &'static str {
    match s {
        ScopeState::Audited => "audited",
        ScopeState::Excluded => "excluded",
        ScopeState::Suspended => "suspended",
        ScopeState::OtherShard => "other-shard",
        ScopeState::Failed => "failed",
    }
}

/// The test case's name: `ID title`, and `[region]` for a regional verdict; unique in its suite
/// and stable from run to run, so CI keeps each verdict's history.
fn case_name(c: &ControlResult) -> String {
    match &c.region {
        Some(region) => format!("{} {} [{region}]", c.control, c.title),
        None => format!("{} {}", c.control, c.title),
    }
}

fn case(r: &Report, c: &ControlResult) -> TestCase {
    let status = match (&c.suppressed, c.status) {
        (Some(s), Status::Fail | Status::Error) => {
            let mut st = TestCaseStatus::skipped();
            st.set_type("suppressed");
            st.set_message(format!("{} {}: {}", c.status, suppression_text(s), c.message));
            st
        }
        (_, Status::Pass) => TestCaseStatus::success(),
        (_, Status::Fail | Status::Error) => {
            let kind = if c.status == Status::Fail { NonSuccessKind::Failure } else { NonSuccessKind::Error };
            let mut st = TestCaseStatus::non_success(kind);
            st.set_type(c.status.as_str());
            st.set_message(c.message.as_str());
            if let Some(rem) = remediation(r, c) {
                st.set_description(format!("remediation:\n{rem}"));
            }
            st
        }
        (_, Status::Manual | Status::Skipped) => {
            let mut st = TestCaseStatus::skipped();
            st.set_type(c.status.as_str());
            st.set_message(format!("{}: {}", c.status, c.message));
            st
        }
    };
    let mut t = TestCase::new(case_name(c), status);
    t.set_classname(format!("cis-audit.{}", c.account));
    t.add_property(Property::new("control", c.control.as_str()));
    t.add_property(Property::new("key", c.key.as_str()));
    t.add_property(Property::new("status", c.status.as_str()));
    if let Some(region) = &c.region {
        t.add_property(Property::new("region", region.as_str()));
    }
    t.add_property(Property::new("level", c.level.to_string()));
    t.add_property(Property::new("assessment", c.assessment.as_str()));
    if c.custom {
        t.add_property(Property::new("custom", "true"));
    }
    if let Some(ch) = c.change {
        t.add_property(Property::new("change", ch.as_str()));
    }
    if let Some(s) = &c.suppressed {
        t.add_property(Property::new("suppressed", s.reason.as_str()));
        if let Some(e) = &s.expires {
            t.add_property(Property::new("suppressed_expires", e.as_str()));
        }
    }
    let mut out = format!("{} {}: {}\n", c.control, c.status, c.message);
    out.push_str(&evidence_text(r, c));
    t.set_system_out(out);
    t
}
