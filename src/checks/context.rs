//! What every check reads: the inventory (indexed), the options, the memoised pattern judge,
//! and a memo for anything a check computes once per evaluation (a trail's assessment, a filter
//! pattern's judgement), shared by every control and account that asks.

use crate::catalog::PatternVariant;
use crate::eventpattern::{self, cloudtrail};
use crate::inventory::{
    AccountInventory, Inventory, KmsKeyInventory, LogGroupInventory, MetricAlarmsInventory, TopicInventory,
};
use crate::pattern::{Judge, Oracle, ParseError, RecordSet};
use serde_json::Value;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// Only the benchmark's exact pattern text counts (Security Hub's rule).
    pub strict_patterns: bool,
}

type Memo<K, V> = Mutex<HashMap<K, V>>;
type OracleMemo = Memo<(Vec<String>, Vec<String>), Arc<Result<Oracle, ParseError>>>;
type AnyMemo = Memo<(TypeId, String), Arc<dyn Any + Send + Sync>>;

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

/// The evaluation's shared state: see the module's documentation.
pub struct Context<'a> {
    pub inv: &'a Inventory,
    index: Index,
    pub opts: EvalOptions,
    pub judge: &'a Judge<'a>,
    /// Per variant (its patterns and events).
    oracles: OracleMemo,
    /// The corpus as EventBridge events, per (region, account when a pattern names it).
    wrapped: Memo<(String, Option<String>), Arc<Vec<Value>>>,
    /// What each distinct rule pattern matches, per (pattern, region, account when named).
    rule_sets: Memo<(String, String, Option<String>), Option<RecordSet>>,
    /// Whatever a check memoises, by its type and a key of its own.
    memo: AnyMemo,
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
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// The value `make` computes, once per evaluation for each `key` (and type `T`).
    pub(crate) fn memo<T: Any + Send + Sync>(&self, key: String, make: impl FnOnce() -> T) -> Arc<T> {
        let k = (TypeId::of::<T>(), key);
        if let Some(v) = self.memo.lock().unwrap_or_else(|e| e.into_inner()).get(&k) {
            if let Ok(t) = v.clone().downcast::<T>() {
                return t;
            }
        }
        let v = Arc::new(make());
        self.memo.lock().unwrap_or_else(|e| e.into_inner()).insert(k, v.clone());
        v
    }

    /// The corpus records an EventBridge rule pattern matches in `region` of `account` (None:
    /// the pattern does not parse). Each distinct pattern is evaluated once per region; the
    /// account matters only to a pattern that names the `account` field.
    pub(crate) fn rule_matches(&self, pattern: &str, account: &str, region: &str) -> Option<RecordSet> {
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
                            .map(|r| cloudtrail::as_event(&r.event, a, region))
                            .collect(),
                    )
                })
                .clone()
        };
        let set = evaluate_pattern(pattern, &wrapped);
        self.rule_sets.lock().unwrap_or_else(|e| e.into_inner()).insert(key, set.clone());
        set
    }

    pub(crate) fn account(&self, id: &str) -> Option<&'a AccountInventory> {
        self.index.accounts.get(id).map(|i| &self.inv.accounts[*i])
    }
    pub(crate) fn log_group(&self, account: &str, region: &str, name: &str) -> Option<&'a LogGroupInventory> {
        let k = (account.to_string(), region.to_string(), name.to_string());
        self.index.log_groups.get(&k).map(|i| &self.inv.log_groups[*i])
    }
    pub(crate) fn alarms_for(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        metric: &str,
    ) -> Option<&'a MetricAlarmsInventory> {
        let k = (account.to_string(), region.to_string(), namespace.to_string(), metric.to_string());
        self.index.alarms.get(&k).map(|i| &self.inv.metric_alarms[*i])
    }
    pub(crate) fn topic(&self, arn: &str) -> Option<&'a TopicInventory> {
        self.index.topics.get(arn).map(|i| &self.inv.topics[*i])
    }
    pub(crate) fn kms_key(&self, account: &str, region: &str, key: &str) -> Option<&'a KmsKeyInventory> {
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

/// Parses a rule pattern and evaluates it over the corpus wrapped as events of one region.
fn evaluate_pattern(pattern: &str, wrapped: &[Value]) -> Option<RecordSet> {
    let p = eventpattern::parse(pattern).ok()?;
    let mut set = RecordSet::empty(wrapped.len());
    for (i, e) in wrapped.iter().enumerate() {
        if p.matches(e) {
            set.insert(i);
        }
    }
    Some(set)
}
