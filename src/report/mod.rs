//! Rendering. Renderers never compute verdicts; they only format a [`Report`].

pub mod asff;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod plan;
pub mod sarif;
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
            Format::Table => table::render(report, color),
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

/// What happened to an account of the scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeState {
    #[default]
    Audited,
    /// Left out with `--exclude-accounts`, or not among `--accounts`.
    Excluded,
    /// A closed (SUSPENDED) account of the organization.
    Suspended,
    /// Audited by another shard (`--shard K/N`).
    OtherShard,
    /// Could not be read (its role could not be assumed): its verdicts are ERROR.
    Failed,
}

impl ScopeState {
    pub fn is_audited(&self) -> bool {
        *self == ScopeState::Audited
    }
}

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
        }
    }

    /// 2 when a control could not be evaluated, else 1 when one failed, else 0; suppressed
    /// verdicts do not count.
    pub fn exit_code(&self) -> i32 {
        exit_code(self.controls.iter().filter(|c| c.suppressed.is_none()).map(|c| c.status))
    }

    /// The findings behind a verdict: its account and control, and its region for a regional
    /// verdict (an account-level verdict draws on findings of any region).
    pub fn findings_of<'a>(&'a self, c: &'a ControlResult) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| {
            f.control == c.control && f.account == c.account && (c.region.is_none() || f.region == c.region)
        })
    }

    /// The account's entry in the scope, when it has one.
    pub fn account_scope(&self, account: &str) -> Option<&AccountScope> {
        self.scope.iter().find(|a| a.account == account)
    }

    pub fn summary_line(&self) -> String {
        let counts: Vec<String> = self.summary.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let regions: usize = self.scope.iter().map(|s| s.regions.len()).max().unwrap_or(0);
        format!(
            "{} control verdicts: {} | {} account(s), {} region(s) | {} API calls in {:.1} s",
            self.controls.len(),
            counts.join(", "),
            self.scope.len(),
            regions,
            self.stats.api_calls_total,
            self.stats.duration_ms as f64 / 1000.0
        )
    }
}
