//! Checks: pure functions of the inventory. Same inventory in, same findings out, sorted.
//!
//! One module per check the benchmark's audit procedures name:
//! - [`trail`]: CIS 3.1, a multi-region trail that logs every management event;
//! - [`trail_cloudwatch`]: CIS v1.x/v2.0 3.4 (2.4), trails integrated with CloudWatch Logs;
//! - [`config_recorder`]: CIS 3.3, AWS Config in every region;
//! - the monitoring family (4.1–4.15), one chain of links, each its own module:
//!   [`metric_filter`] → [`alarm`] → [`sns_subscription`], joined by [`chain`], with the
//!   real-time route [`eventbridge_rule`] beside it.
//!
//! [`REGISTRY`] maps each check kind of `checks/` data to its evaluator and what it needs
//! collected: the one place that dispatches on the kind.

pub mod alarm;
pub mod chain;
pub mod config_recorder;
pub mod delivery;
pub mod eventbridge_rule;
pub mod metric_filter;
pub mod sns_subscription;
pub mod trail;
pub mod trail_cloudwatch;

use crate::catalog::{CheckKind, Control, PatternVariant};
use crate::finding::{ControlResult, Evaluation, Evidence, Finding, Status};
use crate::inventory::{AccountInventory, Inventory, Needs};
use crate::pattern::{Corpus, Judge, Oracle, ParseError, RecordSet};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// Only the benchmark's exact pattern text counts (Security Hub's rule).
    pub strict_patterns: bool,
}

type Memo<K, V> = Mutex<HashMap<K, V>>;
type OracleMemo = Memo<(Vec<String>, Vec<String>), Arc<Result<Oracle, ParseError>>>;

/// Positions of the inventory's entries by key: lookups in O(1), so a thousand accounts cost a
/// thousand times one, not a million.
#[derive(Default)]
struct Index {
    accounts: HashMap<String, usize>,
    log_groups: HashMap<(String, String, String), usize>,
    alarms: HashMap<(String, String, String, String), usize>,
    topics: HashMap<String, usize>,
    keys: HashMap<(String, String, String), usize>,
}

impl Index {
    fn of(inv: &Inventory) -> Index {
        let mut ix = Index::default();
        for (i, a) in inv.accounts.iter().enumerate() {
            ix.accounts.entry(a.account_id.clone()).or_insert(i);
        }
        for (i, g) in inv.log_groups.iter().enumerate() {
            ix.log_groups.entry((g.account.clone(), g.region.clone(), g.name.clone())).or_insert(i);
        }
        for (i, m) in inv.metric_alarms.iter().enumerate() {
            ix.alarms
                .entry((m.account.clone(), m.region.clone(), m.namespace.clone(), m.metric_name.clone()))
                .or_insert(i);
        }
        for (i, t) in inv.topics.iter().enumerate() {
            ix.topics.entry(t.arn.clone()).or_insert(i);
        }
        for (i, k) in inv.kms_keys.iter().enumerate() {
            ix.keys.entry((k.account.clone(), k.region.clone(), k.key.clone())).or_insert(i);
        }
        ix
    }
}

/// What every check reads: the inventory (indexed), the options, and the memoised pattern judge.
pub struct Context<'a> {
    pub inv: &'a Inventory,
    index: Index,
    pub opts: EvalOptions,
    pub judge: &'a Judge<'a>,
    /// Per variant (its patterns and events).
    oracles: OracleMemo,
    /// The corpus as EventBridge events, per (region, account when a pattern names it).
    wrapped: Memo<(String, Option<String>), Arc<Vec<serde_json::Value>>>,
    /// What each distinct rule pattern matches, per (pattern, region, account when named).
    rule_sets: Memo<(String, String, Option<String>), Option<RecordSet>>,
    /// Rendered filter judgements, per (variant's patterns, filter pattern).
    judgements: Memo<(Vec<String>, String), Arc<metric_filter::Judgement>>,
    /// Trail assessments, per trail entry of the inventory (by address: the inventory is
    /// borrowed for the context's whole life).
    trails: Memo<usize, Arc<trail::TrailAssessment>>,
}

impl<'a> Context<'a> {
    pub fn new(inv: &'a Inventory, opts: EvalOptions, judge: &'a Judge<'a>) -> Self {
        Context {
            inv,
            index: Index::of(inv),
            opts,
            judge,
            oracles: Mutex::new(HashMap::new()),
            wrapped: Mutex::new(HashMap::new()),
            rule_sets: Mutex::new(HashMap::new()),
            judgements: Mutex::new(HashMap::new()),
            trails: Mutex::new(HashMap::new()),
        }
    }

    fn memo_judgement(
        &self,
        v: &PatternVariant,
        pattern: &str,
        make: impl FnOnce() -> metric_filter::Judgement,
    ) -> Arc<metric_filter::Judgement> {
        let key = (v.patterns.clone(), pattern.to_string());
        if let Some(j) = self.judgements.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return j.clone();
        }
        let j = Arc::new(make());
        self.judgements.lock().unwrap_or_else(|e| e.into_inner()).insert(key, j.clone());
        j
    }

    fn memo_trail(
        &self,
        t: &crate::inventory::Trail,
        make: impl FnOnce() -> trail::TrailAssessment,
    ) -> Arc<trail::TrailAssessment> {
        let key = t as *const crate::inventory::Trail as usize;
        if let Some(a) = self.trails.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return a.clone();
        }
        let a = Arc::new(make());
        self.trails.lock().unwrap_or_else(|e| e.into_inner()).insert(key, a.clone());
        a
    }

    /// The corpus records an EventBridge rule pattern matches in `region` of `account` (None:
    /// the pattern does not parse). Each distinct pattern is evaluated once per region; the
    /// account matters only to a pattern that names the `account` field.
    pub fn rule_matches(&self, pattern: &str, account: &str, region: &str) -> Option<RecordSet> {
        let acct = pattern.contains("\"account\"").then(|| account.to_string());
        let key = (pattern.to_string(), region.to_string(), acct.clone());
        if let Some(s) = self.rule_sets.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return s.clone();
        }
        let wrapped = {
            let mut w = self.wrapped.lock().unwrap_or_else(|e| e.into_inner());
            w.entry((region.to_string(), acct.clone()))
                .or_insert_with(|| {
                    let a = acct.as_deref().unwrap_or("000000000000");
                    Arc::new(
                        self.judge
                            .corpus()
                            .records()
                            .iter()
                            .map(|r| eventbridge_rule::as_event(&r.event, a, region))
                            .collect(),
                    )
                })
                .clone()
        };
        let set = eventbridge_rule::evaluate_pattern(pattern, &wrapped);
        self.rule_sets.lock().unwrap_or_else(|e| e.into_inner()).insert(key, set.clone());
        set
    }

    pub fn account(&self, id: &str) -> Option<&'a AccountInventory> {
        self.index.accounts.get(id).map(|i| &self.inv.accounts[*i])
    }
    pub fn log_group(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Option<&'a crate::inventory::LogGroupInventory> {
        let k = (account.to_string(), region.to_string(), name.to_string());
        self.index.log_groups.get(&k).map(|i| &self.inv.log_groups[*i])
    }
    pub fn alarms_for(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        metric: &str,
    ) -> Option<&'a crate::inventory::MetricAlarmsInventory> {
        let k = (account.to_string(), region.to_string(), namespace.to_string(), metric.to_string());
        self.index.alarms.get(&k).map(|i| &self.inv.metric_alarms[*i])
    }
    pub fn topic(&self, arn: &str) -> Option<&'a crate::inventory::TopicInventory> {
        self.index.topics.get(arn).map(|i| &self.inv.topics[*i])
    }
    pub fn kms_key(&self, account: &str, region: &str, key: &str) -> Option<&'a crate::inventory::KmsKeyInventory> {
        let k = (account.to_string(), region.to_string(), key.to_string());
        self.index.keys.get(&k).map(|i| &self.inv.kms_keys[*i])
    }

    /// The oracle of a variant's benchmark texts, evaluated over the corpus once per run.
    pub fn oracle(&self, v: &PatternVariant) -> Arc<Result<Oracle, ParseError>> {
        let mut m = self.oracles.lock().unwrap_or_else(|e| e.into_inner());
        m.entry((v.patterns.clone(), v.events.clone()))
            .or_insert_with(|| Arc::new(self.judge.oracle(&v.patterns, &v.events)))
            .clone()
    }
}

/// An evaluator: the verdicts (one per account, or one per region) and findings of a control.
pub type Evaluate = fn(&Control, &AccountInventory, &Context) -> Vec<(ControlResult, Vec<Finding>)>;

/// A check kind's entry in the registry.
pub struct Check {
    pub kind: CheckKind,
    pub evaluate: Evaluate,
    /// The modules its findings report (`<control key>/<module>`), in order.
    pub modules: &'static [&'static str],
    /// What the inventory must hold for it.
    pub needs: fn() -> Needs,
    /// Whether its controls are judged by a filter pattern (`cis-audit pattern check`).
    pub has_patterns: bool,
}

/// Every check kind, registered explicitly.
pub const REGISTRY: &[Check] = &[
    Check {
        kind: CheckKind::CloudtrailMultiRegion,
        evaluate: trail::evaluate,
        modules: &["trail"],
        needs: || Needs { trails: true, ..Default::default() },
        has_patterns: false,
    },
    Check {
        kind: CheckKind::CloudtrailCloudwatchLogs,
        evaluate: trail_cloudwatch::evaluate,
        modules: &["trail"],
        needs: || Needs { trails: true, ..Default::default() },
        has_patterns: false,
    },
    Check {
        kind: CheckKind::ConfigAllRegions,
        evaluate: config_recorder::evaluate,
        modules: &["recorder"],
        needs: || Needs { config: true, ..Default::default() },
        has_patterns: false,
    },
    Check {
        kind: CheckKind::MetricFilterChain,
        evaluate: chain::evaluate,
        modules: &["trail", "metric-filter", "alarm", "sns-subscription", "eventbridge-rule"],
        needs: || Needs { trails: true, monitoring: true, ..Default::default() },
        has_patterns: true,
    },
];

/// The registry entry of a kind.
pub fn check(kind: CheckKind) -> &'static Check {
    REGISTRY.iter().find(|c| c.kind == kind).expect("every check kind is registered (tested)")
}

/// Every stable check id (`finding.check`): each control of the catalog × the modules its kind
/// reports, and `<key>/account` for an account that could not be read.
pub fn check_ids() -> Vec<String> {
    let mut ids = Vec::new();
    for d in &crate::catalog::catalog().controls {
        for m in check(d.check).modules.iter().chain(&["account"]) {
            ids.push(format!("{}/{m}", d.key));
        }
    }
    ids
}

/// What the selected controls need collected.
pub fn needs(controls: &[Control]) -> Needs {
    controls.iter().fold(Needs::default(), |n, c| n.union(&(check(c.kind()).needs)()))
}

/// The corpus the controls are judged over: the built-in one, plus synthetic records for the
/// events of custom controls it lacks (built once per distinct set of events in a process).
pub fn corpus_for(controls: &[Control]) -> &'static Corpus {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    let mut events: Vec<(String, String)> = Vec::new();
    for c in controls.iter().filter(|c| c.custom) {
        let Some(v) = &c.variant else { continue };
        let source = c.event_source();
        for e in &v.events {
            let pair = (source.clone(), e.clone());
            if !events.contains(&pair) {
                events.push(pair);
            }
        }
    }
    let builtin = Corpus::builtin();
    let known =
        |(s, n): &(String, String)| builtin.records().iter().any(|r| r.event_source == *s && r.event_name == *n);
    if events.iter().all(known) {
        return builtin;
    }
    type Cache = Mutex<HashMap<Vec<(String, String)>, &'static Corpus>>;
    static EXTENDED: OnceLock<Cache> = OnceLock::new();
    let mut cache = EXTENDED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(events.clone()).or_insert_with(|| Box::leak(Box::new(Corpus::with_events(&events))))
}

/// Evaluates every control for every account, with the corpus the controls need.
pub fn evaluate(inv: &Inventory, controls: &[Control], opts: EvalOptions) -> Evaluation {
    let judge = Judge::new(corpus_for(controls));
    evaluate_with(&Context::new(inv, opts, &judge), controls)
}

/// Evaluates every control for every account of the context's inventory. Verdicts come out in
/// benchmark order, then by account (then region); each control's findings keep their chain
/// order.
pub fn evaluate_with(ctx: &Context, controls: &[Control]) -> Evaluation {
    // One bucket per control, in benchmark order: no sort over every finding.
    let mut buckets: Vec<Vec<(ControlResult, Vec<Finding>)>> = controls.iter().map(|_| Vec::new()).collect();
    for acct in ctx.inv.accounts.iter().filter(|a| !a.support) {
        for (i, c) in controls.iter().enumerate() {
            match &acct.error {
                Some(e) => buckets[i].push(unreadable_account(c, acct, e)),
                None => buckets[i].extend((check(c.kind()).evaluate)(c, acct, ctx)),
            }
        }
    }
    let mut ev = Evaluation::default();
    for mut b in buckets {
        // Stable: an account's findings keep the order its check produced them in.
        b.sort_by(|x, y| x.0.account.cmp(&y.0.account));
        let mut results = Vec::with_capacity(b.len());
        for (r, f) in b {
            ev.findings.extend(f);
            results.push(r);
        }
        results.sort_by(|x, y| (&x.account, &x.region).cmp(&(&y.account, &y.region)));
        ev.controls.extend(results);
    }
    ev
}

/// An account that could not be read at all: ERROR, with AWS's code and the role.
fn unreadable_account(
    c: &Control,
    acct: &AccountInventory,
    e: &crate::inventory::CollectError,
) -> (ControlResult, Vec<Finding>) {
    let role = acct.role_arn.as_deref().map(|r| format!(" (role {r})")).unwrap_or_default();
    let message = format!("account {} could not be audited: {e}{role}", acct.account_id);
    let finding = Finding {
        control: c.id.clone(),
        check: format!("{}/account", c.def.key),
        status: Status::Error,
        account: acct.account_id.clone(),
        region: None,
        resource: acct.role_arn.clone(),
        message: message.clone(),
        evidence: vec![Evidence::bad("account.assume_role", format!("{}: {}", e.code, e.message))],
        remediation: Some(format!(
            "check that the role exists in account {} and trusts the caller (sts:AssumeRole), or leave the account out",
            acct.account_id
        )),
    };
    (ControlResult::new(c, &acct.account_id, None, Status::Error, message), vec![finding])
}

#[cfg(test)]
mod snapshots;
#[cfg(test)]
mod tests;
