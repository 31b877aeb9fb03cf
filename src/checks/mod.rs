//! Checks: pure functions of the inventory. Same inventory in, same findings out, sorted.
//!
//! Registration is explicit: [`evaluate`] dispatches on each control's `check` kind from the
//! `checks/` data.

pub mod cloudtrail;
pub mod config_recorder;
pub mod eventbridge_route;
pub mod metric_filter_chain;

use crate::catalog::{CheckKind, Control};
use crate::finding::{ControlResult, Finding};
use crate::inventory::{Inventory, Needs};

#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub controls: Vec<ControlResult>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// Only the benchmark's exact pattern text counts (Security Hub's rule).
    pub strict_patterns: bool,
}

/// The rolled-up verdict of `control` for one account (and region, for regional controls).
pub fn control_result(
    control: &Control,
    account: &str,
    region: Option<&str>,
    status: crate::finding::Status,
    message: String,
) -> ControlResult {
    ControlResult {
        control: control.id.clone(),
        title: control.title().to_string(),
        status,
        account: account.to_string(),
        region: region.map(str::to_string),
        message,
        level: control.level,
        assessment: control.assessment.clone(),
    }
}

/// What the selected controls need collected.
pub fn needs(controls: &[Control]) -> Needs {
    let mut n = Needs { trails: false, config: false, monitoring: false };
    for c in controls {
        match c.def.check {
            CheckKind::CloudtrailMultiRegion => n.trails = true,
            CheckKind::ConfigAllRegions => n.config = true,
            CheckKind::MetricFilterChain => {
                n.trails = true;
                n.monitoring = true;
            }
        }
    }
    n
}

pub fn evaluate(inv: &Inventory, benchmark: &str, controls: &[Control], opts: EvalOptions) -> Evaluation {
    let mut ev = Evaluation::default();
    for acct in &inv.accounts {
        for c in controls {
            let results: Vec<(ControlResult, Vec<Finding>)> = match c.def.check {
                CheckKind::CloudtrailMultiRegion => vec![cloudtrail::evaluate(c, acct, inv)],
                CheckKind::ConfigAllRegions => config_recorder::evaluate(c, acct),
                CheckKind::MetricFilterChain => {
                    vec![metric_filter_chain::evaluate(c, benchmark, acct, inv, opts.strict_patterns)]
                }
            };
            for (r, f) in results {
                ev.controls.push(r);
                ev.findings.extend(f);
            }
        }
    }
    let order: Vec<&str> = controls.iter().map(|c| c.id.as_str()).collect();
    let pos = |id: &str| order.iter().position(|x| *x == id).unwrap_or(usize::MAX);
    ev.controls.sort_by(|a, b| (pos(&a.control), &a.account, &a.region).cmp(&(pos(&b.control), &b.account, &b.region)));
    // Stable sort keeps each control's check modules in chain order.
    ev.findings.sort_by(|a, b| (pos(&a.control), &a.account).cmp(&(pos(&b.control), &b.account)));
    ev
}

#[cfg(test)]
mod tests;
