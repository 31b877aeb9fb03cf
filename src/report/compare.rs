//! What a scheduled job needs beyond one run's verdicts: known exceptions applied
//! (`[[suppress]]`), the change against the previous run (`--baseline`), the exit status a gate
//! wants (`--fail-on`), and several reports joined into one (`cis-audit merge`).
//!
//! A verdict "fails" here when it is FAIL or ERROR, as for the exit status (MANUAL and SKIPPED
//! verdicts are not failures).

use super::{BaselineSummary, Report, Stats, REPORT_SCHEMA_VERSION};
use crate::config::Suppression;
use crate::finding::{exit_code, Change, ControlResult, Status, Suppressed};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Which verdicts make the exit status 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any FAIL.
    #[default]
    Any,
    /// Only a FAIL that is new since the baseline (every FAIL, without one).
    New,
}

fn failing(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Error)
}

type Key<'a> = (&'a str, &'a str, Option<&'a str>);

fn key(c: &ControlResult) -> Key<'_> {
    (c.account.as_str(), c.control.as_str(), c.region.as_deref())
}

/// Applies the suppressions in force on `today` (`YYYY-MM-DD`) to the failing verdicts; returns
/// the warnings: an expired suppression (not applied), one that matched nothing evaluated, one
/// that matches only passing verdicts (no longer needed).
pub fn apply_suppressions(controls: &mut [ControlResult], rules: &[Suppression], today: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    let evaluated: std::collections::HashSet<&str> = controls.iter().map(|c| c.control.as_str()).collect();
    let evaluated: std::collections::HashSet<String> = evaluated.into_iter().map(String::from).collect();
    for s in rules {
        if let Some(e) = s.expires.as_deref().filter(|e| *e < today) {
            warnings.push(format!("{} expired on {e}: not applied ({})", s.describe(), s.reason));
            continue;
        }
        let (mut applied, mut passing) = (0, 0);
        for c in controls.iter_mut() {
            let hit = c.control == s.control
                && s.account.as_ref().is_none_or(|a| *a == c.account)
                && s.region.as_ref().is_none_or(|r| c.region.as_deref() == Some(r.as_str()));
            if !hit {
                continue;
            }
            if !failing(c.status) {
                passing += 1;
                continue;
            }
            if c.suppressed.is_none() {
                c.suppressed = Some(Suppressed { reason: s.reason.clone(), expires: s.expires.clone() });
            }
            applied += 1;
        }
        if applied == 0 && evaluated.contains(&s.control) {
            warnings.push(if passing > 0 {
                format!("{} matches only passing verdicts: it is no longer needed", s.describe())
            } else {
                format!("{} matched nothing", s.describe())
            });
        }
    }
    warnings
}

/// Reads a JSON report (a baseline, or an input of `merge`).
pub fn load_report(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read report {}: {e}", path.display()))?;
    parse_report(&text, &path.display().to_string())
}

/// Parses a JSON report; `name` is how errors name it.
pub fn parse_report(text: &str, name: &str) -> Result<Report, String> {
    // The schema version first: a report of another major version is named as such, not as
    // a field that does not parse.
    let head: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{name} is not a JSON report: {e}"))?;
    let version = head.get("schema_version").and_then(|v| v.as_str()).ok_or_else(|| {
        format!("{name} is not a cis-audit JSON report (no schema_version; write one with --format json)")
    })?;
    let major = |v: &str| v.split('.').next().unwrap_or_default().to_string();
    if major(version) != major(REPORT_SCHEMA_VERSION) {
        return Err(format!(
            "{name} is a report of schema {version}; this cis-audit reads schema {}.x",
            major(REPORT_SCHEMA_VERSION)
        ));
    }
    serde_json::from_value(head).map_err(|e| format!("{name} is not a valid cis-audit report: {e}"))
}

/// Marks every verdict with its change against `base` and sets the report's baseline summary.
pub fn apply_baseline(report: &mut Report, base: &Report, name: &str) -> Result<(), String> {
    if base.benchmark.version != report.benchmark.version {
        return Err(format!(
            "baseline {name} is a report of CIS v{}; this run audits CIS v{}",
            base.benchmark.version, report.benchmark.version
        ));
    }
    let then: HashMap<Key, Status> = base.controls.iter().map(|c| (key(c), c.status)).collect();
    let mut now = std::collections::HashSet::new();
    let (mut new, mut fixed, mut still) = (0, 0, 0);
    for c in report.controls.iter_mut() {
        let prev = then.get(&key(c)).copied();
        let change = match (failing(c.status), prev.map(failing)) {
            (true, Some(true)) => Change::StillFailing,
            (true, _) => Change::New,
            (false, Some(true)) => Change::Fixed,
            (false, _) => Change::Unchanged,
        };
        match change {
            Change::New => new += 1,
            Change::Fixed => fixed += 1,
            Change::StillFailing => still += 1,
            Change::Unchanged => {}
        }
        c.change = Some(change);
    }
    for c in &report.controls {
        now.insert(key(c));
    }
    let gone = base.controls.iter().filter(|c| !now.contains(&key(c))).count();
    report.baseline =
        Some(BaselineSummary { generated_at: base.generated_at.clone(), new, fixed, still_failing: still, gone });
    Ok(())
}

/// The exit status: 2 when a verdict that counts is ERROR; else 1 when one FAILs (with
/// `FailOn::New`, only a FAIL whose change is `new`; without a baseline every FAIL is new);
/// else 0. Suppressed verdicts do not count.
pub fn exit_status(report: &Report, fail_on: FailOn) -> i32 {
    exit_status_of(&report.controls, fail_on)
}

/// [`exit_status`] of a list of verdicts.
pub fn exit_status_of(controls: &[ControlResult], fail_on: FailOn) -> i32 {
    let counted = controls.iter().filter(|c| c.suppressed.is_none());
    match fail_on {
        FailOn::Any => exit_code(counted.map(|c| c.status)),
        FailOn::New => {
            let mut code = 0;
            for c in counted {
                match c.status {
                    Status::Error => return 2,
                    Status::Fail if c.change.is_none_or(|x| x == Change::New) => code = 1,
                    _ => {}
                }
            }
            code
        }
    }
}

/// Joins reports (shards, accounts, runs) into one: verdicts and findings of every account, the
/// scope joined, the stats summed. Reports of different benchmark versions are refused. The same
/// account × control × region in several: the newest `generated_at` wins (a warning says so).
pub fn merge(inputs: Vec<(String, Report)>, generated_at: String) -> Result<(Report, Vec<String>), String> {
    let Some(first) = inputs.first().map(|x| &x.1) else {
        return Err("merge needs at least one report".into());
    };
    let versions: Vec<String> = {
        let mut v: Vec<String> = inputs.iter().map(|(_, r)| r.benchmark.version.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    if versions.len() > 1 {
        let names: Vec<String> = inputs.iter().map(|(n, r)| format!("{n} (CIS v{})", r.benchmark.version)).collect();
        return Err(format!("cannot merge reports of different benchmark versions: {}", names.join(", ")));
    }
    let benchmark = first.benchmark.clone();
    let options = first.options.clone();
    let mut warnings = Vec::new();
    if inputs.iter().any(|(_, r)| r.options.strict_patterns != options.strict_patterns) {
        warnings
            .push("the reports were evaluated with and without --strict-patterns; each verdict keeps its own".into());
    }

    // Newest first: the first report holding a key wins.
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by(|a, b| inputs[*b].1.generated_at.cmp(&inputs[*a].1.generated_at).then(b.cmp(a)));
    let mut winner: HashMap<(String, String, Option<String>), usize> = HashMap::new();
    let mut overridden: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for &i in &order {
        for c in &inputs[i].1.controls {
            let k = (c.account.clone(), c.control.clone(), c.region.clone());
            match winner.get(&k) {
                None => {
                    winner.insert(k, i);
                }
                Some(&w) if w != i => *overridden.entry((i, w)).or_default() += 1,
                Some(_) => {}
            }
        }
    }
    for ((older, newer), n) in &overridden {
        warnings.push(format!(
            "{n} verdict(s) of {} are also in {}, which is newer: the newer ones are kept",
            inputs[*older].0, inputs[*newer].0
        ));
    }

    let mut controls = Vec::new();
    let mut findings = Vec::new();
    let mut scope: BTreeMap<String, (usize, super::AccountScope)> = BTreeMap::new();
    let mut api_calls: BTreeMap<String, u64> = BTreeMap::new();
    let mut duration_ms = 0;
    let mut baseline: Option<BaselineSummary> = None;
    for (i, (_, r)) in inputs.iter().enumerate() {
        let wins = |account: &str, control: &str, region: Option<&str>| {
            let k = (account.to_string(), control.to_string(), region.map(String::from));
            winner.get(&k).copied()
        };
        controls.extend(
            r.controls.iter().filter(|c| wins(&c.account, &c.control, c.region.as_deref()) == Some(i)).cloned(),
        );
        findings.extend(
            r.findings
                .iter()
                .filter(|f| {
                    wins(&f.account, &f.control, f.region.as_deref())
                        .or_else(|| wins(&f.account, &f.control, None))
                        .is_none_or(|w| w == i)
                })
                .cloned(),
        );
        for s in &r.scope {
            let newer = scope.get(&s.account).is_none_or(|(j, _)| inputs[*j].1.generated_at <= r.generated_at);
            if newer {
                scope.insert(s.account.clone(), (i, s.clone()));
            }
        }
        for (k, v) in &r.stats.api_calls {
            *api_calls.entry(k.clone()).or_default() += v;
        }
        duration_ms += r.stats.duration_ms;
        if let Some(b) = &r.baseline {
            let acc = baseline.get_or_insert_with(|| BaselineSummary {
                generated_at: b.generated_at.clone(),
                new: 0,
                fixed: 0,
                still_failing: 0,
                gone: 0,
            });
            acc.gone += b.gone;
            if b.generated_at < acc.generated_at {
                acc.generated_at = b.generated_at.clone();
            }
        }
    }
    if let Some(b) = baseline.as_mut() {
        for c in &controls {
            match c.change {
                Some(Change::New) => b.new += 1,
                Some(Change::Fixed) => b.fixed += 1,
                Some(Change::StillFailing) => b.still_failing += 1,
                _ => {}
            }
        }
    }
    let mut summary = BTreeMap::new();
    for c in &controls {
        *summary.entry(c.status).or_default() += 1;
    }
    let report = Report {
        schema_version: REPORT_SCHEMA_VERSION.to_string(),
        tool: super::Tool { name: "cis-audit".into(), version: env!("CARGO_PKG_VERSION").into() },
        benchmark,
        generated_at,
        options,
        scope: scope.into_values().map(|(_, s)| s).collect(),
        summary,
        baseline,
        controls,
        findings,
        stats: Stats { api_calls_total: api_calls.values().sum(), api_calls, duration_ms },
        lookup: Default::default(),
    };
    Ok((report, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AccountScope, BenchmarkRef, ReportOptions, ScopeState};

    fn verdict(account: &str, control: &str, region: Option<&str>, status: Status) -> ControlResult {
        ControlResult {
            control: control.into(),
            title: format!("control {control}"),
            status,
            account: account.into(),
            region: region.map(String::from),
            message: String::new(),
            level: 1,
            assessment: "Automated".into(),
            custom: false,
            change: None,
            suppressed: None,
        }
    }

    fn report(at: &str, version: &str, controls: Vec<ControlResult>) -> Report {
        let mut accounts: Vec<String> = controls.iter().map(|c| c.account.clone()).collect();
        accounts.dedup();
        let mut r = Report::new(
            crate::finding::Evaluation { controls, findings: vec![] },
            BenchmarkRef { title: "CIS".into(), version: version.into(), numbering: String::new() },
            at.into(),
            ReportOptions { strict_patterns: false, inventory: None },
            accounts
                .into_iter()
                .map(|a| AccountScope {
                    account: a,
                    name: None,
                    state: ScopeState::Audited,
                    reason: None,
                    regions: vec!["us-east-1".into()],
                    regions_source: "--regions".into(),
                })
                .collect(),
            [("sts:AssumeRole".to_string(), 1)].into_iter().collect(),
            10,
        );
        r.generated_at = at.into();
        r
    }

    fn rule(control: &str, account: Option<&str>, expires: Option<&str>) -> Suppression {
        Suppression {
            control: control.into(),
            account: account.map(String::from),
            region: None,
            reason: "accepted".into(),
            expires: expires.map(String::from),
            at: "cis-audit.toml:3".into(),
        }
    }

    #[test]
    fn suppressions_apply_expire_and_warn() {
        let a = "111122223333";
        let mut r = report(
            "2026-12-01T00:00:00Z",
            "5.0.0",
            vec![verdict(a, "4.10", None, Status::Fail), verdict(a, "3.1", None, Status::Pass)],
        );
        assert_eq!(exit_status(&r, FailOn::Any), 1);
        let w = apply_suppressions(
            &mut r.controls,
            &[
                rule("4.10", Some(a), Some("2026-12-01")),
                rule("4.10", None, Some("2026-11-30")),
                rule("4.10", Some("999999999999"), None),
                rule("3.1", None, None),
                rule("4.1", None, None),
            ],
            "2026-12-01",
        );
        assert_eq!(r.controls[0].suppressed.as_ref().unwrap().expires.as_deref(), Some("2026-12-01"));
        assert_eq!(exit_status(&r, FailOn::Any), 0, "a suppressed FAIL does not count");
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].contains("expired on 2026-11-30"), "{w:?}");
        assert!(w[1].contains("account 999999999999") && w[1].ends_with("matched nothing"), "{w:?}");
        assert!(w[2].contains("no longer needed"), "{w:?}");
    }

    #[test]
    fn baseline_marks_changes_and_fail_on_new_gates_regressions() {
        let a = "111122223333";
        let base = report(
            "2026-11-30T00:00:00Z",
            "5.0.0",
            vec![
                verdict(a, "3.1", None, Status::Fail),
                verdict(a, "4.10", None, Status::Pass),
                verdict(a, "4.11", None, Status::Fail),
                verdict(a, "4.12", None, Status::Pass),
                verdict(a, "4.9", None, Status::Fail),
            ],
        );
        let mut now = report(
            "2026-12-01T00:00:00Z",
            "5.0.0",
            vec![
                verdict(a, "3.1", None, Status::Pass),
                verdict(a, "4.10", None, Status::Fail),
                verdict(a, "4.11", None, Status::Fail),
                verdict(a, "4.12", None, Status::Pass),
                verdict(a, "4.13", None, Status::Fail),
            ],
        );
        assert_eq!(exit_status(&now, FailOn::New), 1, "without a baseline every FAIL is new");
        apply_baseline(&mut now, &base, "prev.json").unwrap();
        let changes: Vec<_> = now.controls.iter().map(|c| c.change.unwrap().as_str()).collect();
        assert_eq!(changes, ["fixed", "new", "still-failing", "unchanged", "new"]);
        let b = now.baseline.as_ref().unwrap();
        assert_eq!((b.new, b.fixed, b.still_failing, b.gone), (2, 1, 1, 1));
        assert_eq!(b.generated_at, "2026-11-30T00:00:00Z");
        assert_eq!(exit_status(&now, FailOn::New), 1);
        // Only the regressions are suppressed: the gate opens, still-failing does not count.
        let w =
            apply_suppressions(&mut now.controls, &[rule("4.10", None, None), rule("4.13", None, None)], "2026-12-01");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(exit_status(&now, FailOn::New), 0);
        assert_eq!(exit_status(&now, FailOn::Any), 1);
        now.controls[3].status = Status::Error;
        assert_eq!(exit_status(&now, FailOn::New), 2, "ERROR still exits 2");

        let other = report("2026-11-30T00:00:00Z", "4.0.0", vec![]);
        let e = apply_baseline(&mut now, &other, "old.json").unwrap_err();
        assert!(e.contains("CIS v4.0.0") && e.contains("CIS v5.0.0") && e.contains("old.json"), "{e}");
    }

    #[test]
    fn reports_parse_with_clear_errors() {
        let r = report("2026-12-01T00:00:00Z", "5.0.0", vec![]);
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(parse_report(&text, "r.json").unwrap(), r);
        let cases = [
            ("{", "r.json is not a JSON report"),
            ("[]", "no schema_version"),
            (r#"{"schema_version": "2.0"}"#, "schema 2.0; this cis-audit reads schema 1.x"),
            (r#"{"schema_version": "1.1"}"#, "not a valid cis-audit report: missing field"),
        ];
        for (t, want) in cases {
            let e = parse_report(t, "r.json").unwrap_err();
            assert!(e.contains(want), "{t}: {e}");
        }
    }

    #[test]
    fn merge_joins_accounts_and_prefers_the_newer_verdict() {
        let (a, b) = ("111111111111", "222222222222");
        let one = report("2026-12-01T01:00:00Z", "5.0.0", vec![verdict(a, "4.10", None, Status::Fail)]);
        let two = report(
            "2026-12-01T02:00:00Z",
            "5.0.0",
            vec![verdict(a, "4.10", None, Status::Pass), verdict(b, "4.10", None, Status::Fail)],
        );
        let (m, w) = merge(vec![("one.json".into(), one.clone()), ("two.json".into(), two)], "now".into()).unwrap();
        assert_eq!(m.controls.len(), 2);
        let va = m.controls.iter().find(|c| c.account == a).unwrap();
        assert_eq!(va.status, Status::Pass, "the newer verdict wins");
        assert_eq!(m.scope.iter().map(|s| s.account.as_str()).collect::<Vec<_>>(), [a, b]);
        assert_eq!(m.stats.api_calls_total, 2);
        assert_eq!(m.stats.duration_ms, 20);
        assert_eq!(m.summary.get(&Status::Fail), Some(&1));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("1 verdict(s) of one.json are also in two.json"), "{w:?}");

        let old = report("2026-12-01T00:00:00Z", "4.0.0", vec![]);
        let e = merge(vec![("one.json".into(), one), ("old.json".into(), old)], "now".into()).unwrap_err();
        assert!(e.contains("one.json (CIS v5.0.0)") && e.contains("old.json (CIS v4.0.0)"), "{e}");
    }
}
