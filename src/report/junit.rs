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
use std::io::{self, Write};
use std::time::Duration;

pub fn render(r: &Report) -> String {
    let mut out = Vec::new();
    write(r, &mut out).expect("write to memory");
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

/// The closing tag of the document, as quick-junit writes it.
const END: &[u8] = b"\n</testsuites>\n";

/// The JUnit XML, streamed to `w` one test suite (one account) at a time: byte for byte what
/// quick-junit writes for the whole report. The `<testsuites>` totals are counted first; each
/// suite is then serialised by quick-junit as a report of its own (with those totals), and
/// only its suite is written (a suite's XML does not depend on its neighbours).
pub(crate) fn write(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let generated = chrono::DateTime::parse_from_rfc3339(&r.generated_at).ok();
    let mut header = Junit::new("cis-audit");
    if let Some(t) = generated {
        header.set_timestamp(t);
    }
    header.set_time(Duration::from_millis(r.stats.duration_ms));
    for c in &r.controls {
        header.tests += 1;
        match outcome(c) {
            Outcome::Success => {}
            Outcome::Failure => header.failures += 1,
            Outcome::Error => header.errors += 1,
            Outcome::Skipped => header.skipped += 1,
        }
    }
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
    if accounts.is_empty() {
        return header.serialize(&mut *w).map_err(io::Error::other);
    }
    let mut buf: Vec<u8> = Vec::new();
    for (n, account) in accounts.iter().enumerate() {
        let mut one = header.clone();
        one.test_suites.push(suite(r, account, generated, by_account[account].iter().map(|i| &r.controls[*i])));
        buf.clear();
        one.serialize(&mut buf).map_err(io::Error::other)?;
        drop(one);
        // `<?xml ...?>` then `<testsuites ...>`: attribute values have `>` escaped, so the
        // second `>` ends the header.
        let head = buf.iter().enumerate().filter(|(_, b)| **b == b'>').nth(1).map(|(i, _)| i + 1);
        let (Some(head), true) = (head, buf.ends_with(END)) else {
            return Err(io::Error::other("unexpected JUnit XML from quick-junit"));
        };
        if n == 0 {
            w.write_all(&buf[..head])?;
        }
        w.write_all(&buf[head..buf.len() - END.len()])?;
    }
    w.write_all(END)
}

/// One account's test suite.
fn suite<'a>(
    r: &Report,
    account: &str,
    generated: Option<chrono::DateTime<chrono::FixedOffset>>,
    verdicts: impl Iterator<Item = &'a ControlResult>,
) -> TestSuite {
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
    for c in verdicts {
        suite.add_test_case(case(r, c));
    }
    suite
}

/// How a verdict counts in JUnit.
enum Outcome {
    Success,
    Failure,
    Error,
    Skipped,
}

fn outcome(c: &ControlResult) -> Outcome {
    match (&c.suppressed, c.status) {
        (Some(_), Status::Fail | Status::Error) => Outcome::Skipped,
        (_, Status::Pass) => Outcome::Success,
        (_, Status::Fail) => Outcome::Failure,
        (_, Status::Error) => Outcome::Error,
        (_, Status::Manual | Status::Skipped) => Outcome::Skipped,
    }
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
    let status = match (outcome(c), &c.suppressed) {
        (Outcome::Skipped, Some(s)) if matches!(c.status, Status::Fail | Status::Error) => {
            let mut st = TestCaseStatus::skipped();
            st.set_type("suppressed");
            st.set_message(format!("{} {}: {}", c.status, suppression_text(s), c.message));
            st
        }
        (Outcome::Success, _) => TestCaseStatus::success(),
        (kind @ (Outcome::Failure | Outcome::Error), _) => {
            let kind = if matches!(kind, Outcome::Failure) { NonSuccessKind::Failure } else { NonSuccessKind::Error };
            let mut st = TestCaseStatus::non_success(kind);
            st.set_type(c.status.as_str());
            st.set_message(c.message.as_str());
            if let Some(rem) = remediation(r, c) {
                st.set_description(format!("remediation:\n{rem}"));
            }
            st
        }
        (Outcome::Skipped, _) => {
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
