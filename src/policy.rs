//! The policy: which verdicts count, decided once per run (or per merge) and stored in the report,
//! so that every renderer only reads it.
//!
//! - **Suppressions** (`[[suppress]]`): known exceptions, matched by control **key** (a CIS
//!   number in a configuration file is read in the file's benchmark version and resolved to its
//!   key before it gets here), account and region. A suppressed verdict keeps its status and does
//!   not count. An expired suppression is not applied.
//! - **Baseline marks** (`--baseline`): each verdict is `new`, `fixed`, `still-failing` or
//!   `unchanged` against the verdict of the same key × account × region in an earlier report,
//!   whatever benchmark version numbered it.
//! - **`--fail-on`** and the **exit status**: 2 when a counted verdict is ERROR; else 1 when one
//!   FAILs (with `--fail-on new`, only a FAIL marked `new`; without a baseline every FAIL is new);
//!   else 0.
//!
//! A verdict "fails" here when it is FAIL or ERROR (MANUAL and SKIPPED verdicts never fail).

use crate::finding::{Change, ControlResult, Status, Suppressed};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which verdicts make the exit status 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any FAIL.
    #[default]
    Any,
    /// Only a FAIL that is new since the baseline (every FAIL, without one).
    New,
}

/// What the policy reads of a verdict (the run's own, or a report's when merging).
pub trait Counted {
    fn status(&self) -> Status;
    fn suppressed(&self) -> bool;
    fn change(&self) -> Option<Change>;
}

impl Counted for ControlResult {
    fn status(&self) -> Status {
        self.status
    }
    fn suppressed(&self) -> bool {
        self.suppressed.is_some()
    }
    fn change(&self) -> Option<Change> {
        self.change
    }
}

pub(crate) fn failing(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Error)
}

/// A known exception, validated and resolved to a control key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The control as written (a CIS id or a key).
    pub control: String,
    /// The key it names.
    pub key: String,
    /// The benchmark version a CIS id was read in (the file's, else the run's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`: the last day it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where it is written (`cis-audit.toml:12`).
    pub at: String,
}

impl Suppression {
    /// One phrase naming it: `suppression of 4.10 (account 1111…, eu-west-1) at cis-audit.toml:12`.
    pub(crate) fn describe(&self) -> String {
        let mut scope = vec![];
        if let Some(a) = &self.account {
            scope.push(format!("account {a}"));
        }
        if let Some(r) = &self.region {
            scope.push(r.clone());
        }
        let scope = if scope.is_empty() { String::new() } else { format!(" ({})", scope.join(", ")) };
        format!("suppression of {}{scope} at {}", self.control, self.at)
    }

    fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e < today)
    }

    fn hits(&self, c: &ControlResult) -> bool {
        c.key == self.key
            && self.account.as_ref().is_none_or(|a| *a == c.account)
            && self.region.as_ref().is_none_or(|r| c.region.as_deref() == Some(r.as_str()))
    }
}

/// How one suppression fared in a run: recorded in the report, so that `merge` can decide
/// whether it matched anything across every shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionUse {
    #[serde(flatten)]
    pub rule: Suppression,
    /// Failing verdicts it suppressed.
    pub applied: usize,
    /// Passing verdicts it matched (it may no longer be needed).
    pub passing: usize,
    /// Expired: not applied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expired: bool,
    /// Its account is outside this run's scope (another shard, excluded, not selected): whether
    /// it matches is for the run that audits that account (or `merge`) to say.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub out_of_scope: bool,
}

/// What a run may say about its suppressions: everything, or (a shard) only what is certain
/// without the other shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKnowledge {
    /// The run audits the whole scope: an unmatched suppression is reported here.
    Whole,
    /// One shard of several: unmatched suppressions are left for `merge` to report.
    Partial,
}

/// Applies the suppressions in force on `today` (`YYYY-MM-DD`) to the failing verdicts.
/// `audited`: the accounts this run audited. Returns each suppression's use and the warnings
/// the run can give (expired; matched nothing, when the scope is whole and the suppression's
/// account was audited; matched only passing verdicts).
pub(crate) fn apply_suppressions(
    verdicts: &mut [ControlResult],
    rules: &[Suppression],
    today: &str,
    audited: &HashSet<String>,
    scope: ScopeKnowledge,
) -> (Vec<SuppressionUse>, Vec<String>) {
    let mut uses = Vec::new();
    let mut warnings = Vec::new();
    let evaluated: HashSet<&str> = verdicts.iter().map(|c| c.key.as_str()).collect();
    let evaluated: HashSet<String> = evaluated.into_iter().map(String::from).collect();
    for s in rules {
        let out_of_scope = s.account.as_ref().is_some_and(|a| !audited.contains(a));
        let mut u = SuppressionUse { rule: s.clone(), applied: 0, passing: 0, expired: false, out_of_scope };
        if s.expired(today) {
            u.expired = true;
            warnings.push(format!(
                "{} expired on {}: not applied ({})",
                s.describe(),
                s.expires.as_deref().unwrap_or_default(),
                s.reason
            ));
            uses.push(u);
            continue;
        }
        for c in verdicts.iter_mut().filter(|c| s.hits(c)) {
            if !failing(c.status) {
                u.passing += 1;
                continue;
            }
            if c.suppressed.is_none() {
                c.suppressed = Some(Suppressed { reason: s.reason.clone(), expires: s.expires.clone() });
            }
            u.applied += 1;
        }
        // A shard says nothing of what a suppression matched: whether it matched anything
        // across the organisation is for `merge` to say, once (not once per shard).
        if let Some(w) = unmatched_warning(&u, evaluated.contains(&s.key), scope) {
            warnings.push(w);
        }
        uses.push(u);
    }
    (uses, warnings)
}

/// The warning for a suppression that matched no failing verdict, when it is certain: its
/// control was evaluated, its account audited, and the scope whole (a shard's "only passing
/// verdicts" may be another shard's failing ones, too).
fn unmatched_warning(u: &SuppressionUse, evaluated: bool, scope: ScopeKnowledge) -> Option<String> {
    if u.applied > 0 || u.expired || u.out_of_scope || !evaluated || scope != ScopeKnowledge::Whole {
        return None;
    }
    if u.passing > 0 {
        return Some(format!("{} matches only passing verdicts: it is no longer needed", u.rule.describe()));
    }
    Some(format!("{} matched nothing", u.rule.describe()))
}

/// The suppressions of several shards judged together (`merge`): one warning per suppression
/// that matched no failing verdict in any shard that audited its account.
pub(crate) fn merged_suppression_warnings(uses: &[SuppressionUse], evaluated: &HashSet<String>) -> Vec<String> {
    let mut by: BTreeMap<&str, SuppressionUse> = BTreeMap::new();
    for u in uses {
        let acc = by.entry(u.rule.at.as_str()).or_insert_with(|| SuppressionUse {
            rule: u.rule.clone(),
            applied: 0,
            passing: 0,
            expired: u.expired,
            out_of_scope: true,
        });
        acc.applied += u.applied;
        acc.passing += u.passing;
        acc.out_of_scope &= u.out_of_scope;
    }
    by.values().filter_map(|u| unmatched_warning(u, evaluated.contains(&u.rule.key), ScopeKnowledge::Whole)).collect()
}

/// A verdict of the baseline: what marks need of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct BaseVerdict {
    pub key: String,
    pub account: String,
    pub region: Option<String>,
    pub status: Status,
}

/// How the verdicts changed since the baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    pub new: usize,
    pub fixed: usize,
    pub still_failing: usize,
    /// Verdicts of the baseline no longer evaluated.
    pub gone: usize,
}

/// Marks every verdict with its change against the baseline's verdict of the same key, account
/// and region.
pub(crate) fn apply_baseline(verdicts: &mut [ControlResult], base: &[BaseVerdict]) -> Changes {
    type K<'a> = (&'a str, &'a str, Option<&'a str>);
    let then: HashMap<K, Status> =
        base.iter().map(|b| ((b.key.as_str(), b.account.as_str(), b.region.as_deref()), b.status)).collect();
    let mut ch = Changes::default();
    let mut now: HashSet<(String, String, Option<String>)> = HashSet::new();
    for c in verdicts.iter_mut() {
        let prev = then.get(&(c.key.as_str(), c.account.as_str(), c.region.as_deref())).copied();
        let change = match (failing(c.status), prev.map(failing)) {
            (true, Some(true)) => Change::StillFailing,
            (true, _) => Change::New,
            (false, Some(true)) => Change::Fixed,
            (false, _) => Change::Unchanged,
        };
        match change {
            Change::New => ch.new += 1,
            Change::Fixed => ch.fixed += 1,
            Change::StillFailing => ch.still_failing += 1,
            Change::Unchanged => {}
        }
        c.change = Some(change);
        now.insert((c.key.clone(), c.account.clone(), c.region.clone()));
    }
    ch.gone = base.iter().filter(|b| !now.contains(&(b.key.clone(), b.account.clone(), b.region.clone()))).count();
    ch
}

/// The exit status of a list of verdicts under `fail_on` (suppressed verdicts do not count).
pub(crate) fn exit_status<T: Counted>(verdicts: &[T], fail_on: FailOn) -> i32 {
    let mut code = 0;
    for c in verdicts.iter().filter(|c| !c.suppressed()) {
        match c.status() {
            Status::Error => return 2,
            Status::Fail if fail_on == FailOn::Any || c.change().is_none_or(|x| x == Change::New) => code = 1,
            _ => {}
        }
    }
    code
}

/// What the policy decided for a run: stored in the report; every renderer states it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub fail_on: FailOn,
    /// The status the process exits with.
    pub exit_status: i32,
    /// Verdicts that count, by status (suppressed ones left out).
    pub counted: BTreeMap<Status, usize>,
    /// Verdicts suppressed.
    pub suppressed: usize,
    /// FAIL verdicts that count for the exit status under `fail_on` (with `new`: the new ones).
    pub gating_failures: usize,
}

/// Decides the outcome of a list of verdicts.
pub fn outcome<T: Counted>(verdicts: &[T], fail_on: FailOn) -> Outcome {
    let mut counted = BTreeMap::new();
    let mut suppressed = 0;
    let mut gating = 0;
    for c in verdicts {
        if c.suppressed() {
            suppressed += 1;
            continue;
        }
        *counted.entry(c.status()).or_default() += 1;
        if c.status() == Status::Fail && (fail_on == FailOn::Any || c.change().is_none_or(|x| x == Change::New)) {
            gating += 1;
        }
    }
    Outcome { fail_on, exit_status: exit_status(verdicts, fail_on), counted, suppressed, gating_failures: gating }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(account: &str, key: &str, region: Option<&str>, status: Status) -> ControlResult {
        ControlResult {
            key: key.into(),
            control: format!("id-of-{key}"),
            title: format!("control {key}"),
            status,
            account: account.into(),
            region: region.map(String::from),
            message: String::new(),
            level: 1,
            assessment: "Automated".into(),
            custom: false,
            change: None,
            suppressed: None,
            chain: None,
        }
    }

    fn rule(key: &str, account: Option<&str>, expires: Option<&str>) -> Suppression {
        Suppression {
            control: key.into(),
            key: key.into(),
            version: None,
            account: account.map(String::from),
            region: None,
            reason: "accepted".into(),
            expires: expires.map(String::from),
            at: format!("cis-audit.toml:{key}"),
        }
    }

    const A: &str = "111122223333";

    fn audited(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn suppressions_apply_by_key_expire_and_warn() {
        let mut v = vec![verdict(A, "sg", None, Status::Fail), verdict(A, "trail", None, Status::Pass)];
        assert_eq!(exit_status(&v, FailOn::Any), 1);
        let (uses, w) = apply_suppressions(
            &mut v,
            &[
                rule("sg", Some(A), Some("2026-12-01")),
                rule("sg", None, Some("2026-11-30")),
                rule("trail", None, None),
                rule("other", None, None),
            ],
            "2026-12-01",
            &audited(&[A]),
            ScopeKnowledge::Whole,
        );
        assert_eq!(v[0].suppressed.as_ref().unwrap().expires.as_deref(), Some("2026-12-01"));
        assert_eq!(exit_status(&v, FailOn::Any), 0, "a suppressed FAIL does not count");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("expired on 2026-11-30"), "{w:?}");
        assert!(w[1].contains("no longer needed"), "{w:?}");
        assert_eq!(uses.iter().map(|u| u.applied).collect::<Vec<_>>(), [1, 0, 0, 0]);
    }

    #[test]
    fn a_suppression_outside_the_scope_is_not_unmatched() {
        let mut v = vec![verdict(A, "sg", None, Status::Fail)];
        let rules = [rule("sg", Some("999999999999"), None), rule("sg", Some(A), None)];
        let (uses, w) = apply_suppressions(&mut v, &rules, "2026-12-01", &audited(&[A]), ScopeKnowledge::Whole);
        assert!(w.is_empty(), "{w:?}");
        assert!(uses[0].out_of_scope);
        // A shard says nothing of an unmatched suppression: merge does, once.
        let mut v2 = vec![verdict(A, "sg", None, Status::Pass)];
        let (uses2, w2) = apply_suppressions(
            &mut v2,
            &[rule("sg", None, None)],
            "2026-12-01",
            &audited(&[A]),
            ScopeKnowledge::Partial,
        );
        assert!(w2.is_empty(), "{w2:?}");
        // Not even for an account the shard audits, nor for passing verdicts: merge says it.
        let (_, w3) = apply_suppressions(
            &mut v2,
            &[rule("sg", Some(A), None)],
            "2026-12-01",
            &audited(&[A]),
            ScopeKnowledge::Partial,
        );
        assert!(w3.is_empty(), "{w3:?}");
        let unneeded = merged_suppression_warnings(&uses2, &["sg".to_string()].into());
        assert_eq!(unneeded.len(), 1);
        assert!(unneeded[0].contains("no longer needed"), "{unneeded:?}");
        let evaluated: HashSet<String> = ["sg".to_string()].into();
        let mut none = uses2.clone();
        none[0].passing = 0;
        let merged = merged_suppression_warnings(&[none.clone(), none].concat(), &evaluated);
        assert_eq!(merged.len(), 1, "{merged:?}");
        assert!(merged[0].ends_with("matched nothing"));
        let mut hit = uses2;
        hit[0].applied = 1;
        assert!(merged_suppression_warnings(&hit, &evaluated).is_empty());
    }

    #[test]
    fn baseline_marks_by_key_and_fail_on_new_gates_regressions() {
        let base = [
            ("trail", Status::Fail),
            ("sg", Status::Pass),
            ("nacl", Status::Fail),
            ("rt", Status::Pass),
            ("vpc", Status::Fail),
        ]
        .map(|(k, s)| BaseVerdict { key: k.into(), account: A.into(), region: None, status: s });
        let mut now: Vec<ControlResult> = [
            ("trail", Status::Pass),
            ("sg", Status::Fail),
            ("nacl", Status::Fail),
            ("rt", Status::Pass),
            ("gw", Status::Fail),
        ]
        .into_iter()
        .map(|(k, s)| verdict(A, k, None, s))
        .collect();
        assert_eq!(exit_status(&now, FailOn::New), 1, "without a baseline every FAIL is new");
        let ch = apply_baseline(&mut now, &base);
        let marks: Vec<_> = now.iter().map(|c| c.change.unwrap().as_str()).collect();
        assert_eq!(marks, ["fixed", "new", "still-failing", "unchanged", "new"]);
        assert_eq!((ch.new, ch.fixed, ch.still_failing, ch.gone), (2, 1, 1, 1));
        let o = outcome(&now, FailOn::New);
        assert_eq!((o.exit_status, o.gating_failures), (1, 2));
        let (_, w) = apply_suppressions(
            &mut now,
            &[rule("sg", None, None), rule("gw", None, None)],
            "2026-12-01",
            &audited(&[A]),
            ScopeKnowledge::Whole,
        );
        assert!(w.is_empty(), "{w:?}");
        let o = outcome(&now, FailOn::New);
        assert_eq!((o.exit_status, o.suppressed, o.gating_failures), (0, 2, 0), "still-failing does not gate");
        assert_eq!(exit_status(&now, FailOn::Any), 1);
        now[3].status = Status::Error;
        assert_eq!(exit_status(&now, FailOn::New), 2, "ERROR still exits 2");
    }
}
