//! The JSON report, schema v1 (`reports/schema/report-v1.json`): types of its own, built from an
//! [`Evaluation`] and the policy's [`Outcome`], so that the domain types may change freely while
//! what `--format json` prints (and `--baseline` / `merge` read) changes only by adding fields.
//! Every renderer reads these types; none decides a verdict or an exit status.

use crate::finding::{self, ChainView, Change, ControlResult, Evaluation, Status, Suppressed};
use crate::policy::{FailOn, Outcome, SuppressionUse};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The summary line names at most this many failed accounts.
const FAILED_NAMED: usize = 3;

/// Version of the JSON report format. Minor bumps only add fields; anything else is a new major
/// version. 1.1 added `benchmark.numbering`, `scope[].state`/`reason`/`name`,
/// `controls[].custom`/`change`/`suppressed` and `baseline`; 1.2 added `controls[].key`,
/// `controls[].chain`, `findings[].key`, `policy`, `notes` and `baseline.benchmark_version`; 1.3
/// added `scope[].ou`.
pub(crate) const REPORT_SCHEMA_VERSION: &str = "1.3";

/// The frozen v1 report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub benchmark: BenchmarkRef,
    pub generated_at: String,
    pub options: ReportOptions,
    pub scope: Vec<AccountScope>,
    /// Every verdict by status (suppressed ones included).
    pub summary: BTreeMap<Status, usize>,
    /// What counts, and the exit status it gives (absent from reports before 1.2: computed when
    /// they are read).
    #[serde(default)]
    pub policy: ReportPolicy,
    /// What changed since the baseline report (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// Things the reader should know about how the run read its inputs (a control number read in
    /// another benchmark version, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub controls: Vec<Verdict>,
    pub findings: super::Findings,
    pub stats: Stats,
    /// Findings by control and account, scope by account: built on first lookup.
    #[serde(skip)]
    pub lookup: LazyLookup,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRef {
    pub title: String,
    pub version: String,
    /// How the version numbers its controls.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub numbering: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    pub strict_patterns: bool,
    /// The saved inventory evaluated offline, if any.
    pub inventory: Option<String>,
}

pub use crate::inventory::ScopeState;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountScope {
    pub account: String,
    /// The account's name in the organization, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The account's organizational unit, as a path from the root (`Root/Prod/Web`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ou: Option<String>,
    #[serde(default, skip_serializing_if = "ScopeState::is_audited")]
    pub state: ScopeState,
    /// Why the account is not audited, or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub regions: Vec<String>,
    pub regions_source: String,
}

/// The verdicts' changes against a baseline report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// `generated_at` of the baseline report.
    pub generated_at: String,
    /// The benchmark version of the baseline (its verdicts are matched by control key, so a
    /// baseline of another version still marks changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark_version: Option<String>,
    pub new: usize,
    pub fixed: usize,
    pub still_failing: usize,
    /// Verdicts of the baseline no longer evaluated.
    pub gone: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Logical API calls (pages) made to collect the inventory, by `service:Operation`.
    pub api_calls: BTreeMap<String, u64>,
    pub api_calls_total: u64,
    /// Wall time of this run, in milliseconds.
    pub duration_ms: u64,
}

/// What the policy decided: the counted verdicts and the exit status the process exits with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportPolicy {
    pub fail_on: FailOn,
    pub exit_status: i32,
    /// Verdicts that count, by status (suppressed ones left out).
    pub counted: BTreeMap<Status, usize>,
    pub suppressed: usize,
    /// FAIL verdicts that make the exit status 1 (with `fail_on = new`, only the new ones).
    pub gating_failures: usize,
    /// The run's suppressions and what each matched (for `merge` to judge across shards).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<SuppressionUse>,
    /// The run audited one shard of the scope: whether a suppression matched nothing is for
    /// `merge` to say.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial_scope: bool,
    /// Set when a report without a policy (schema 1.1) was read: the policy was computed.
    #[serde(skip)]
    pub missing: bool,
}

impl Default for ReportPolicy {
    fn default() -> Self {
        ReportPolicy {
            fail_on: FailOn::Any,
            exit_status: 0,
            counted: BTreeMap::new(),
            suppressed: 0,
            gating_failures: 0,
            suppressions: vec![],
            partial_scope: false,
            missing: true,
        }
    }
}

impl ReportPolicy {
    pub fn of(o: Outcome, suppressions: Vec<SuppressionUse>, partial_scope: bool) -> ReportPolicy {
        ReportPolicy {
            fail_on: o.fail_on,
            exit_status: o.exit_status,
            counted: o.counted,
            suppressed: o.suppressed,
            gating_failures: o.gating_failures,
            suppressions,
            partial_scope,
            missing: false,
        }
    }
}

/// A verdict of one control for one account (and region, for regional controls).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The control's stable key (the same in every benchmark version). Absent from reports
    /// before 1.2: derived from `control` when they are read.
    #[serde(default)]
    pub key: String,
    /// The control's id in the report's benchmark version.
    pub control: String,
    pub title: String,
    pub status: Status,
    pub account: String,
    pub region: Option<String>,
    pub message: String,
    pub level: u8,
    pub assessment: String,
    /// A control of the run's configuration, not part of the CIS benchmark.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub custom: bool,
    /// How the verdict compares with the baseline report (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// A known exception from the configuration: the verdict keeps its status, and does not
    /// count for the exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppressed>,
    /// The evidence chain of a monitoring verdict, link by link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainView>,
}

impl crate::policy::Counted for Verdict {
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

impl From<ControlResult> for Verdict {
    fn from(c: ControlResult) -> Verdict {
        Verdict {
            key: c.key,
            control: c.control,
            title: c.title,
            status: c.status,
            account: c.account,
            region: c.region,
            message: c.message,
            level: c.level,
            assessment: c.assessment,
            custom: c.custom,
            change: c.change,
            suppressed: c.suppressed,
            chain: c.chain,
        }
    }
}

/// The verdict of one check module for one account (and region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFinding {
    /// The control's stable key (absent before 1.2).
    #[serde(default)]
    pub key: String,
    /// CIS control id in the report's benchmark, e.g. `4.10`.
    pub control: String,
    /// Stable kebab-case id of the check module: `<key>/<subject>`, e.g.
    /// `security-group-changes/metric-filter`.
    pub check: String,
    pub status: Status,
    pub account: String,
    pub region: Option<String>,
    /// The resource the verdict is about (ARN or name), when there is one.
    pub resource: Option<String>,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// What to do about a FAIL or ERROR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

/// One audit step and the value observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What was examined, e.g. `trail.is_logging`, `metric_filter.pattern`.
    pub step: String,
    pub observed: serde_json::Value,
    /// Whether this step met the requirement (None: informational).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
}

impl From<finding::Finding> for ReportFinding {
    fn from(f: finding::Finding) -> ReportFinding {
        ReportFinding {
            check: f.check_id(),
            key: f.key,
            control: f.control,
            status: f.status,
            account: f.account,
            region: f.region,
            resource: f.resource,
            message: f.message,
            evidence: f
                .evidence
                .into_iter()
                .map(|e| Evidence { step: e.step, observed: e.observed, ok: e.ok })
                .collect(),
            remediation: f.remediation,
        }
    }
}

/// What a report says besides its verdicts.
#[derive(Debug, Clone)]
pub struct Meta {
    pub benchmark: BenchmarkRef,
    pub generated_at: String,
    pub options: ReportOptions,
    pub scope: Vec<AccountScope>,
    pub api_calls: BTreeMap<String, u64>,
    pub duration_ms: u64,
}

#[derive(Debug, Default)]
struct Lookup {
    findings: std::collections::HashMap<String, std::collections::HashMap<String, super::findings::Units>>,
    scope: std::collections::HashMap<String, usize>,
}

/// A cache of the report's lookups: not part of its value (never compared, cloned empty).
#[derive(Default)]
pub struct LazyLookup(std::sync::OnceLock<Lookup>);

impl Clone for LazyLookup {
    fn clone(&self) -> Self {
        LazyLookup::default()
    }
}
impl PartialEq for LazyLookup {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl std::fmt::Debug for LazyLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LazyLookup")
    }
}

/// Counts of every verdict by status.
pub(crate) fn summary_of<'a>(statuses: impl Iterator<Item = &'a Status>) -> BTreeMap<Status, usize> {
    let mut summary = BTreeMap::new();
    for s in statuses {
        *summary.entry(*s).or_default() += 1;
    }
    summary
}

impl Report {
    /// The report of an evaluation whose verdicts the policy has marked, with what it decided.
    pub fn new(eval: Evaluation, meta: Meta, policy: ReportPolicy) -> Report {
        Report {
            schema_version: REPORT_SCHEMA_VERSION.to_string(),
            tool: Tool { name: "cis-audit".into(), version: env!("CARGO_PKG_VERSION").into() },
            benchmark: meta.benchmark,
            generated_at: meta.generated_at,
            options: meta.options,
            scope: meta.scope,
            summary: summary_of(eval.controls.iter().map(|c| &c.status)),
            policy,
            baseline: None,
            notes: vec![],
            controls: eval.controls.into_iter().map(Verdict::from).collect(),
            findings: eval.findings.into_iter().map(ReportFinding::from).collect(),
            stats: Stats {
                api_calls_total: meta.api_calls.values().sum(),
                api_calls: meta.api_calls,
                duration_ms: meta.duration_ms,
            },
            lookup: LazyLookup::default(),
        }
    }

    /// The exit status the policy decided.
    pub(crate) fn exit_status(&self) -> i32 {
        self.policy.exit_status
    }

    /// The findings behind a verdict: its account and control, and its region for a regional
    /// verdict (an account-level verdict draws on findings of any region). Indexed on first
    /// use: renderers call it once per verdict.
    pub(crate) fn findings_of<'a>(&'a self, c: &'a Verdict) -> impl Iterator<Item = Cow<'a, ReportFinding>> + 'a {
        let units = self.lookup().findings.get(&c.control).and_then(|m| m.get(&c.account));
        let found = units.map(|u| self.findings.of_units(u)).unwrap_or_default();
        found.into_iter().filter(move |f| c.region.is_none() || f.region == c.region)
    }

    /// The account's entry in the scope, when it has one.
    pub(crate) fn account_scope(&self, account: &str) -> Option<&AccountScope> {
        self.lookup().scope.get(account).map(|i| &self.scope[*i])
    }

    fn lookup(&self) -> &Lookup {
        self.lookup.0.get_or_init(|| {
            let mut l = Lookup { findings: self.findings.by_control_and_account(), ..Default::default() };
            for (i, a) in self.scope.iter().enumerate() {
                l.scope.entry(a.account.clone()).or_insert(i);
            }
            l
        })
    }

    /// Fills what a report of an earlier 1.x schema lacks: the control keys (from the control ids
    /// in the report's benchmark version) and the policy (computed with `--fail-on any`).
    pub(crate) fn complete(&mut self) {
        let cat = crate::catalog::catalog();
        let version = self.benchmark.version.clone();
        let key_of = |custom: bool, id: &str| -> String {
            if custom {
                crate::catalog::custom::CustomControl::key_of(id)
            } else {
                cat.resolve(id, &version).unwrap_or_else(|_| id.to_string())
            }
        };
        for c in self.controls.iter_mut().filter(|c| c.key.is_empty()) {
            c.key = key_of(c.custom, &c.control);
        }
        let custom: std::collections::HashSet<&str> =
            self.controls.iter().filter(|c| c.custom).map(|c| c.control.as_str()).collect();
        let custom: std::collections::HashSet<String> = custom.into_iter().map(String::from).collect();
        for f in self.findings.listed_mut().into_iter().flatten().filter(|f| f.key.is_empty()) {
            f.key = f
                .check
                .split_once('/')
                .map(|(k, _)| k.to_string())
                .unwrap_or_else(|| key_of(custom.contains(&f.control), &f.control));
        }
        if self.policy.missing {
            self.policy = ReportPolicy::of(crate::policy::outcome(&self.controls, FailOn::Any), vec![], false);
        }
    }

    /// One line: verdicts by status, accounts and regions, calls and time, what changed since the
    /// baseline, the accounts that could not be audited, and the exit status the policy decided.
    pub(crate) fn summary_line(&self) -> String {
        let counts: Vec<String> = self.summary.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let regions: usize = self.scope.iter().map(|s| s.regions.len()).max().unwrap_or(0);
        let audited = self.scope.iter().filter(|s| matches!(s.state, ScopeState::Audited | ScopeState::Failed)).count();
        let left_out = self.scope.len() - audited;
        let suppressed = self.policy.suppressed;
        let mut s = format!(
            "{} control verdicts: {}{} | {} account(s){}, {} region(s) | {} API calls in {:.1} s",
            self.controls.len(),
            counts.join(", "),
            if suppressed > 0 { format!(" ({suppressed} suppressed)") } else { String::new() },
            audited,
            if left_out > 0 { format!(" ({left_out} not audited)") } else { String::new() },
            regions,
            self.stats.api_calls_total,
            self.stats.duration_ms as f64 / 1000.0
        );
        if let Some(b) = &self.baseline {
            s.push_str(&format!(
                " | since the baseline: {} new, {} fixed, {} still failing, {} gone",
                b.new, b.fixed, b.still_failing, b.gone
            ));
        }
        // The first few failed accounts with their reasons; the report's scope has every one (an
        // organisation's run must not print a line per unreadable account).
        let failed: Vec<&AccountScope> = self.scope.iter().filter(|a| a.state == ScopeState::Failed).collect();
        if !failed.is_empty() {
            let named: Vec<String> = failed
                .iter()
                .take(FAILED_NAMED)
                .map(|a| format!("{} ({})", a.account, a.reason.as_deref().unwrap_or("unreadable")))
                .collect();
            s.push_str(&format!(" | failed accounts: {}", named.join("; ")));
            if failed.len() > FAILED_NAMED {
                s.push_str(&format!(" … and {} more (the report's scope lists them)", failed.len() - FAILED_NAMED));
            }
        }
        s.push_str(&format!(" | exit status {}", self.policy.exit_status));
        s
    }
}
