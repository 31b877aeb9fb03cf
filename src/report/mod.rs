//! Rendering. Renderers never compute verdicts; they only format a [`Report`].

pub mod asff;
pub mod compare;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod plan;
pub mod sarif;
#[cfg(test)]
mod snapshots;
pub mod table;
pub mod view;

use crate::finding::{exit_code, ControlResult, Evaluation, Finding, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An output format: the one place that maps a format to its name, its renderer and the file it
/// is written to with `--output-dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Table,
    Json,
    Markdown,
    Html,
    Csv,
    Junit,
    Sarif,
    Ocsf,
    Asff,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 9] = [
        Format::Table,
        Format::Json,
        Format::Markdown,
        Format::Html,
        Format::Csv,
        Format::Junit,
        Format::Sarif,
        Format::Ocsf,
        Format::Asff,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Ocsf => "ocsf",
            Format::Asff => "asff",
        }
    }

    /// The file the format is written to under `--output-dir`; None for the table, which is for
    /// a terminal and always goes to standard output.
    pub fn file_name(self) -> Option<&'static str> {
        match self {
            Format::Table => None,
            Format::Json => Some("cis-audit.json"),
            Format::Markdown => Some("cis-audit.md"),
            Format::Html => Some("cis-audit.html"),
            Format::Csv => Some("cis-audit.csv"),
            Format::Junit => Some("cis-audit.junit.xml"),
            Format::Sarif => Some("cis-audit.sarif"),
            Format::Ocsf => Some("cis-audit.ocsf.json"),
            Format::Asff => Some("cis-audit.asff.json"),
        }
    }

    /// Renders `report`; `color` only matters for the table.
    pub fn render(self, report: &Report, color: bool) -> String {
        match self {
            Format::Table => table::render(report, color, None),
            Format::Json => json::render(report),
            Format::Markdown => markdown::render(report),
            Format::Html => html::render(report),
            Format::Csv => csv::render(report),
            Format::Junit => junit::render(report),
            Format::Sarif => sarif::render(report),
            Format::Ocsf => ocsf::render(report),
            Format::Asff => asff::render(report),
        }
    }

    /// Writes `report` to `w`; JSON is streamed, never built as one string.
    pub fn write(self, report: &Report, color: bool, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Format::Json => json::write(report, w),
            other => w.write_all(other.render(report, color).as_bytes()),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format '{s}' (use {})", names.join(", "))
        })
    }
}

/// Version of the JSON report format (`reports/schema/report-v1.json`). Minor bumps only add
/// fields; anything else is a new major version. 1.1 added `benchmark.numbering`,
/// `scope[].state`/`reason`/`name`, `controls[].custom`/`change`/`suppressed` and `baseline`.
pub const REPORT_SCHEMA_VERSION: &str = "1.1";

/// The frozen v1 report: what `--format json` prints (and `--baseline` / `merge` read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub benchmark: BenchmarkRef,
    pub generated_at: String,
    pub options: ReportOptions,
    pub scope: Vec<AccountScope>,
    pub summary: BTreeMap<Status, usize>,
    /// What changed since the baseline report (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    pub controls: Vec<ControlResult>,
    pub findings: Vec<Finding>,
    pub stats: Stats,
    /// Findings by control and account, scope by account: built on first lookup.
    #[serde(skip)]
    pub lookup: LazyLookup,
}

#[derive(Debug, Default)]
struct Lookup {
    findings: std::collections::HashMap<String, std::collections::HashMap<String, Vec<usize>>>,
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

impl Report {
    pub fn new(
        eval: Evaluation,
        benchmark: BenchmarkRef,
        generated_at: String,
        options: ReportOptions,
        scope: Vec<AccountScope>,
        api_calls: BTreeMap<String, u64>,
        duration_ms: u64,
    ) -> Report {
        let mut summary = BTreeMap::new();
        for c in &eval.controls {
            *summary.entry(c.status).or_default() += 1;
        }
        Report {
            schema_version: REPORT_SCHEMA_VERSION.to_string(),
            tool: Tool { name: "cis-audit".into(), version: env!("CARGO_PKG_VERSION").into() },
            benchmark,
            generated_at,
            options,
            scope,
            summary,
            baseline: None,
            controls: eval.controls,
            findings: eval.findings,
            stats: Stats { api_calls_total: api_calls.values().sum(), api_calls, duration_ms },
            lookup: LazyLookup::default(),
        }
    }

    /// 2 when a control could not be evaluated, else 1 when one failed, else 0; suppressed
    /// verdicts do not count.
    pub fn exit_code(&self) -> i32 {
        exit_code(self.controls.iter().filter(|c| c.suppressed.is_none()).map(|c| c.status))
    }

    /// The findings behind each control verdict, in the order of `controls` (one pass over the
    /// findings: renderers must not search them per verdict, a thousand accounts make that
    /// quadratic).
    pub fn findings_by_control(&self) -> Vec<Vec<&Finding>> {
        let mut by: std::collections::HashMap<(&str, &str), Vec<&Finding>> = std::collections::HashMap::new();
        for f in &self.findings {
            by.entry((f.control.as_str(), f.account.as_str())).or_default().push(f);
        }
        self.controls
            .iter()
            .map(|c| {
                by.get(&(c.control.as_str(), c.account.as_str()))
                    .map(|l| l.iter().filter(|f| c.region.is_none() || f.region == c.region).copied().collect())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The findings behind a verdict: its account and control, and its region for a regional
    /// verdict (an account-level verdict draws on findings of any region). Indexed on first
    /// use: renderers call it once per verdict.
    pub fn findings_of<'a>(&'a self, c: &'a ControlResult) -> impl Iterator<Item = &'a Finding> + 'a {
        let l = self.lookup();
        l.findings
            .get(&c.control)
            .and_then(|m| m.get(&c.account))
            .into_iter()
            .flatten()
            .map(|i| &self.findings[*i])
            .filter(move |f| c.region.is_none() || f.region == c.region)
    }

    /// The account's entry in the scope, when it has one.
    pub fn account_scope(&self, account: &str) -> Option<&AccountScope> {
        self.lookup().scope.get(account).map(|i| &self.scope[*i])
    }

    fn lookup(&self) -> &Lookup {
        self.lookup.0.get_or_init(|| {
            let mut l = Lookup::default();
            for (i, f) in self.findings.iter().enumerate() {
                l.findings.entry(f.control.clone()).or_default().entry(f.account.clone()).or_default().push(i);
            }
            for (i, a) in self.scope.iter().enumerate() {
                l.scope.entry(a.account.clone()).or_insert(i);
            }
            l
        })
    }

    /// One line: verdicts by status, accounts and regions, calls and time, and the accounts
    /// that could not be audited.
    pub fn summary_line(&self) -> String {
        let counts: Vec<String> = self.summary.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let regions: usize = self.scope.iter().map(|s| s.regions.len()).max().unwrap_or(0);
        let audited = self.scope.iter().filter(|s| matches!(s.state, ScopeState::Audited | ScopeState::Failed)).count();
        let left_out = self.scope.len() - audited;
        let suppressed = self.controls.iter().filter(|c| c.suppressed.is_some()).count();
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
        let failed: Vec<String> = self
            .scope
            .iter()
            .filter(|a| a.state == ScopeState::Failed)
            .map(|a| format!("{} ({})", a.account, a.reason.as_deref().unwrap_or("unreadable")))
            .collect();
        if !failed.is_empty() {
            s.push_str(&format!(" | failed accounts: {}", failed.join("; ")));
        }
        s
    }
}
