//! Findings: what the checks conclude, with the evidence behind each verdict; the evaluation of
//! a run (its control verdicts and findings) and the exit status they mean.

use crate::catalog::Control;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Fail,
    Error,
    Manual,
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::Manual => "MANUAL",
            Status::Skipped => "SKIPPED",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit step and the value observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What was examined, e.g. `trail`, `trail.is_logging`, `metric_filter.pattern`.
    pub step: String,
    /// The value observed.
    pub observed: serde_json::Value,
    /// Whether this step met the requirement (None: informational).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
}

impl Evidence {
    pub fn new(step: impl Into<String>, observed: impl Into<serde_json::Value>, ok: Option<bool>) -> Self {
        Evidence { step: step.into(), observed: observed.into(), ok }
    }
    pub fn ok(step: impl Into<String>, observed: impl Into<serde_json::Value>) -> Self {
        Self::new(step, observed, Some(true))
    }
    pub fn bad(step: impl Into<String>, observed: impl Into<serde_json::Value>) -> Self {
        Self::new(step, observed, Some(false))
    }
    pub fn info(step: impl Into<String>, observed: impl Into<serde_json::Value>) -> Self {
        Self::new(step, observed, None)
    }
}

/// The verdict of one check module for one account (and region, for regional checks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// CIS control id in the selected benchmark, e.g. `4.10`.
    pub control: String,
    /// Stable kebab-case id of the check module, e.g. `security-group-changes/metric-filter`.
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

/// The rolled-up verdict of one control for one account (and region, for regional controls).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlResult {
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
}

/// A verdict against the same account × control × region of the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Failing (FAIL or ERROR) now; not failing or absent in the baseline.
    New,
    /// Not failing now, failing then.
    Fixed,
    /// Failing both times.
    StillFailing,
    /// Not failing either time.
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Fixed => "fixed",
            Change::StillFailing => "still-failing",
            Change::Unchanged => "unchanged",
        }
    }
}

/// Why a verdict is accepted as a known exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl ControlResult {
    /// The rolled-up verdict of `control` for one account (and region, for regional controls).
    pub fn new(control: &Control, account: &str, region: Option<&str>, status: Status, message: String) -> Self {
        ControlResult {
            control: control.id.clone(),
            title: control.title().to_string(),
            status,
            account: account.to_string(),
            region: region.map(str::to_string),
            message,
            level: control.level,
            assessment: control.assessment.clone(),
            custom: control.custom,
            change: None,
            suppressed: None,
        }
    }
}

/// What one run concludes: a verdict per account × control (× region), and the findings of every
/// check module behind them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub controls: Vec<ControlResult>,
    pub findings: Vec<Finding>,
}

impl Evaluation {
    /// The exit status of the verdicts that count: suppressed ones do not.
    pub fn exit_code(&self) -> i32 {
        exit_code(self.controls.iter().filter(|c| c.suppressed.is_none()).map(|c| c.status))
    }
}

/// The process exit status for a set of verdicts: 2 when one is ERROR, else 1 when one FAILed,
/// else 0 (MANUAL and SKIPPED pass).
pub fn exit_code(statuses: impl IntoIterator<Item = Status>) -> i32 {
    match rollup(statuses) {
        Some(Status::Error) => 2,
        Some(Status::Fail) => 1,
        _ => 0,
    }
}

/// Worst-first order used to roll several verdicts into one.
pub fn rollup(statuses: impl IntoIterator<Item = Status>) -> Option<Status> {
    statuses.into_iter().max_by_key(|s| match s {
        Status::Skipped => 0,
        Status::Pass => 1,
        Status::Manual => 2,
        Status::Fail => 3,
        Status::Error => 4,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollup_takes_the_worst() {
        assert_eq!(rollup([Status::Pass, Status::Fail, Status::Manual]), Some(Status::Fail));
        assert_eq!(rollup([Status::Pass, Status::Error, Status::Fail]), Some(Status::Error));
        assert_eq!(rollup([Status::Skipped, Status::Pass]), Some(Status::Pass));
        assert_eq!(rollup([]), None);
    }

    #[test]
    fn exit_codes_follow_the_worst_verdict() {
        assert_eq!(exit_code([Status::Pass, Status::Manual, Status::Skipped]), 0);
        assert_eq!(exit_code([Status::Pass, Status::Fail]), 1);
        assert_eq!(exit_code([Status::Fail, Status::Error]), 2);
        assert_eq!(exit_code([]), 0);
    }

    #[test]
    fn status_serialises_uppercase() {
        assert_eq!(serde_json::to_string(&Status::Manual).unwrap(), "\"MANUAL\"");
    }
}
