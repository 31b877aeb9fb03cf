//! Reports read back and joined: a baseline or a `merge` input read (and completed, when it is
//! of an earlier 1.x schema), and several reports joined into one (`cis-audit merge`). What
//! counts and the exit status are the policy's ([`crate::policy`]), decided again over the
//! joined verdicts.

use super::{BaselineSummary, Report, ReportPolicy, Stats, Verdict, REPORT_SCHEMA_VERSION};
use crate::finding::Change;
use crate::policy::{self, FailOn, SuppressionUse};
use crate::report::ScopeState;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Reads a JSON report (a baseline, or an input of `merge`).
pub(crate) fn load_report(path: &Path) -> Result<Report, String> {
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
    let mut r: Report =
        serde_json::from_value(head).map_err(|e| format!("{name} is not a valid cis-audit report: {e}"))?;
    r.complete();
    Ok(r)
}

/// The verdicts of a report as the policy compares them with a run's (`--baseline`).
pub(crate) fn base_verdicts(r: &Report) -> Vec<policy::BaseVerdict> {
    r.controls
        .iter()
        .map(|c| policy::BaseVerdict {
            key: c.key.clone(),
            account: c.account.clone(),
            region: c.region.clone(),
            status: c.status,
        })
        .collect()
}

/// Which state of an account wins when several reports hold it: an audited (or failed) account
/// over one a report left to another shard; otherwise the newer report's.
fn scope_rank(s: ScopeState) -> u8 {
    match s {
        ScopeState::Audited | ScopeState::Failed => 3,
        ScopeState::Suspended | ScopeState::Excluded => 2,
        ScopeState::OtherShard => 1,
    }
}

/// Joins reports (shards, accounts, runs) into one: verdicts and findings of every account, the
/// scope joined (one state per account: audited or failed over another shard's), the stats
/// summed, and the policy decided again over the joined verdicts with `fail_on`. Reports of
/// different benchmark versions are refused. The same key × account × region in several: the
/// newest `generated_at` wins (a warning says so). Suppressions that matched nothing in any
/// shard are reported here, once.
pub(crate) fn merge(
    inputs: Vec<(String, Report)>,
    generated_at: String,
    fail_on: FailOn,
) -> Result<(Report, Vec<String>), String> {
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

    type K = (String, String, Option<String>);
    // Newest first: the first report holding a key wins.
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by(|a, b| inputs[*b].1.generated_at.cmp(&inputs[*a].1.generated_at).then(b.cmp(a)));
    let mut winner: HashMap<K, usize> = HashMap::new();
    let mut overridden: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for &i in &order {
        for c in &inputs[i].1.controls {
            let k = (c.account.clone(), c.key.clone(), c.region.clone());
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

    let mut controls: Vec<Verdict> = Vec::new();
    let mut findings = Vec::new();
    let mut scope: BTreeMap<String, (usize, super::AccountScope)> = BTreeMap::new();
    let mut api_calls: BTreeMap<String, u64> = BTreeMap::new();
    let mut duration_ms = 0;
    let mut baseline: Option<BaselineSummary> = None;
    let mut notes: Vec<String> = Vec::new();
    let mut uses: Vec<SuppressionUse> = Vec::new();
    let mut partial = false;
    for (i, (_, r)) in inputs.iter().enumerate() {
        let wins = |account: &str, key: &str, region: Option<&str>| {
            winner.get(&(account.to_string(), key.to_string(), region.map(String::from))).copied()
        };
        controls
            .extend(r.controls.iter().filter(|c| wins(&c.account, &c.key, c.region.as_deref()) == Some(i)).cloned());
        findings.extend(
            r.findings
                .iter()
                .filter(|f| {
                    wins(&f.account, &f.key, f.region.as_deref())
                        .or_else(|| wins(&f.account, &f.key, None))
                        .is_none_or(|w| w == i)
                })
                .map(std::borrow::Cow::into_owned),
        );
        for s in &r.scope {
            let better = match scope.get(&s.account) {
                None => true,
                Some((j, kept)) => {
                    let (mine, theirs) = (scope_rank(s.state), scope_rank(kept.state));
                    mine > theirs || (mine == theirs && inputs[*j].1.generated_at <= r.generated_at)
                }
            };
            if better {
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
                benchmark_version: b.benchmark_version.clone(),
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
        for n in &r.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
        uses.extend(r.policy.suppressions.iter().cloned());
        partial |= r.policy.partial_scope;
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
    if partial {
        let evaluated: HashSet<String> = controls.iter().map(|c| c.key.clone()).collect();
        warnings.extend(policy::merged_suppression_warnings(&uses, &evaluated));
    }
    // One entry per suppression (the shards each recorded theirs): what it matched in all.
    let mut joined: Vec<SuppressionUse> = Vec::new();
    for u in uses {
        match joined.iter_mut().find(|x| x.rule == u.rule) {
            Some(x) => {
                x.applied += u.applied;
                x.passing += u.passing;
                x.out_of_scope &= u.out_of_scope;
            }
            None => joined.push(u),
        }
    }
    let policy = ReportPolicy::of(policy::outcome(&controls, fail_on), joined, false);
    let report = Report {
        schema_version: REPORT_SCHEMA_VERSION.to_string(),
        tool: super::Tool { name: "cis-audit".into(), version: env!("CARGO_PKG_VERSION").into() },
        benchmark,
        generated_at,
        options,
        scope: scope.into_values().map(|(_, s)| s).collect(),
        summary: super::summary_of(controls.iter().map(|c| &c.status)),
        policy,
        baseline,
        notes,
        controls,
        findings: findings.into(),
        stats: Stats { api_calls_total: api_calls.values().sum(), api_calls, duration_ms },
        lookup: Default::default(),
    };
    Ok((report, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{ControlResult, Status};
    use crate::report::{AccountScope, BenchmarkRef, Meta, ReportOptions, ScopeState};

    fn verdict(account: &str, key: &str, status: Status) -> ControlResult {
        ControlResult {
            key: key.into(),
            control: format!("id-{key}"),
            title: format!("control {key}"),
            status,
            account: account.into(),
            region: None,
            message: String::new(),
            level: 1,
            assessment: "Automated".into(),
            custom: false,
            change: None,
            suppressed: None,
            chain: None,
        }
    }

    fn scope(account: &str, state: ScopeState) -> AccountScope {
        AccountScope {
            account: account.into(),
            name: None,
            ou: None,
            state,
            reason: None,
            regions: if state == ScopeState::Audited { vec!["us-east-1".into()] } else { vec![] },
            regions_source: "--regions".into(),
        }
    }

    fn report(at: &str, version: &str, controls: Vec<ControlResult>, scope: Vec<AccountScope>) -> Report {
        let meta = Meta {
            benchmark: BenchmarkRef { title: "CIS".into(), version: version.into(), numbering: String::new() },
            generated_at: at.into(),
            options: ReportOptions { strict_patterns: false, inventory: None },
            scope,
            api_calls: [("sts:AssumeRole".to_string(), 1)].into_iter().collect(),
            duration_ms: 10,
        };
        let policy = ReportPolicy::of(policy::outcome(&controls, FailOn::Any), vec![], false);
        Report::new(crate::finding::Evaluation { controls, findings: vec![] }, meta, policy)
    }

    #[test]
    fn reports_parse_with_clear_errors_and_old_ones_are_completed() {
        let a = "111122223333";
        let r = report("2026-12-01T00:00:00Z", "5.0.0", vec![verdict(a, "sg", Status::Fail)], vec![]);
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
        // A 1.1 report: no keys, no policy. Its ids are read in its own version.
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["schema_version"] = "1.1".into();
        v.as_object_mut().unwrap().remove("policy");
        v["controls"][0].as_object_mut().unwrap().remove("key");
        v["controls"][0]["control"] = "4.10".into();
        let old = parse_report(&v.to_string(), "old.json").unwrap();
        assert_eq!(old.controls[0].key, "security-group-changes");
        assert_eq!(old.policy.exit_status, 1);
    }

    #[test]
    fn merge_joins_accounts_prefers_the_newer_verdict_and_decides_the_policy_again() {
        let (a, b) = ("111111111111", "222222222222");
        let one = report(
            "2026-12-01T01:00:00Z",
            "5.0.0",
            vec![verdict(a, "sg", Status::Fail)],
            vec![scope(a, ScopeState::Audited), scope(b, ScopeState::OtherShard)],
        );
        let two = report(
            "2026-12-01T02:00:00Z",
            "5.0.0",
            vec![verdict(a, "sg", Status::Pass), verdict(b, "sg", Status::Fail)],
            vec![scope(a, ScopeState::OtherShard), scope(b, ScopeState::Audited)],
        );
        let (m, w) =
            merge(vec![("one.json".into(), one.clone()), ("two.json".into(), two)], "now".into(), FailOn::Any).unwrap();
        assert_eq!(m.controls.len(), 2);
        let va = m.controls.iter().find(|c| c.account == a).unwrap();
        assert_eq!(va.status, Status::Pass, "the newer verdict wins");
        assert!(
            m.scope.iter().all(|s| s.state == ScopeState::Audited),
            "audited wins over another shard's: {:?}",
            m.scope
        );
        assert_eq!(m.stats.api_calls_total, 2);
        assert_eq!(m.stats.duration_ms, 20);
        assert_eq!(m.summary.get(&Status::Fail), Some(&1));
        assert_eq!(m.policy.exit_status, 1);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("1 verdict(s) of one.json are also in two.json"), "{w:?}");

        let old = report("2026-12-01T00:00:00Z", "4.0.0", vec![], vec![]);
        let e = merge(vec![("one.json".into(), one), ("old.json".into(), old)], "now".into(), FailOn::Any).unwrap_err();
        assert!(e.contains("one.json (CIS v5.0.0)") && e.contains("old.json (CIS v4.0.0)"), "{e}");
    }
}
