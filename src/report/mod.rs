//! Rendering. Renderers never compute verdicts; they only format a [`Report`].

pub mod compare;
pub mod json;
pub mod markdown;
pub mod plan;
#[cfg(test)]
mod snapshots;
pub mod table;

use crate::finding::{exit_code, ControlResult, Evaluation, Finding, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

impl Format {
    /// Renders `report`; `color` only matters for the table.
    pub fn render(self, report: &Report, color: bool) -> String {
        match self {
            Format::Table => table::render(report, color, None),
            Format::Json => json::render(report),
            Format::Markdown => markdown::render(report),
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
