//! The remediation views: the plan as a person reads it, each step's outcome as it is applied,
//! the before → after of the affected controls, and the whole outcome as JSON.

use crate::finding::Status;
use crate::remediate::journal::{Entry, EntryState, RollbackRecord};
use crate::remediate::Plan;
use serde::Serialize;
use std::fmt::Write;

/// The plan: each step with the controls it serves and its CLI command; notes.
pub(crate) fn plan_text(p: &Plan) -> String {
    let mut out = String::new();
    if p.steps.is_empty() {
        let _ = writeln!(out, "\nRemediation plan: nothing to change.");
    } else {
        let manual = p.steps.len() - p.automatic();
        let _ = writeln!(
            out,
            "\nRemediation plan: {} step(s), {} automatic{}",
            p.steps.len(),
            p.automatic(),
            if manual > 0 { format!(", {manual} MANUAL") } else { String::new() }
        );
        for s in &p.steps {
            let tag = match &s.manual {
                None => String::new(),
                Some(m) if m.missing.is_empty() => format!(" MANUAL ({})", m.reason),
                Some(m) => format!(" MANUAL: missing {} ({})", m.missing.join(", "), m.reason),
            };
            let _ = writeln!(
                out,
                "  {:>2}. [{}] {} {} {}{tag}",
                s.id,
                s.controls.join(","),
                s.account,
                s.action.operation(),
                s.action.resource()
            );
            let _ = writeln!(out, "      $ {}", s.command);
        }
    }
    if !p.notes.is_empty() {
        let _ = writeln!(out, "Notes:");
        for n in &p.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}

/// One applied step, as it finishes.
pub(crate) fn step_line(e: &Entry) -> String {
    let state = format!("{:?}", e.state).to_uppercase();
    format!(
        "  {:>2}. {:<9} {}{}",
        e.step,
        state,
        e.action.resource(),
        e.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
    )
}

/// One rolled-back step.
pub(crate) fn rollback_line(step: usize, r: &RollbackRecord) -> String {
    format!("  {:>2}. {:<15} {}", step, format!("{:?}", r.state).to_uppercase(), r.message)
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct StepOutcome {
    pub step: usize,
    pub state: EntryState,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ControlChange {
    pub control: String,
    pub account: String,
    pub region: Option<String>,
    pub before: Status,
    pub after: Status,
    pub message: String,
}

/// What `audit --remediate --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub plan: Plan,
    pub applied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<String>,
    pub steps: Vec<StepOutcome>,
    pub controls: Vec<ControlChange>,
    /// Every call of the run (audit, plan reads, steps, re-audit), by IAM action name.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub api_calls: std::collections::BTreeMap<String, u64>,
}

impl Outcome {
    pub fn new(plan: Plan) -> Outcome {
        Outcome {
            plan,
            applied: false,
            refused: None,
            interrupted: None,
            journal: None,
            steps: vec![],
            controls: vec![],
            api_calls: Default::default(),
        }
    }

    pub(crate) fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The before → after view, and what a person still has to do.
    pub(crate) fn after_text(&self) -> String {
        let mut out = String::from("\nBefore → after:\n");
        for c in &self.controls {
            let _ = writeln!(
                out,
                "  {:<5} {} {}{} → {}  {}",
                c.control,
                c.account,
                c.region.as_deref().map(|r| format!("{r} ")).unwrap_or_default(),
                c.before,
                c.after,
                if c.after == Status::Pass { String::new() } else { c.message.clone() }
            );
        }
        if !self.plan.left_to_do.is_empty() {
            out.push_str("\nLeft to do:\n");
            for n in &self.plan.left_to_do {
                let _ = writeln!(out, "  - {n}");
            }
        }
        out
    }
}
