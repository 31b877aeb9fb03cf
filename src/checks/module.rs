//! What a check module is: its entry in the registry ([`Check`]), its evaluator, the changes its
//! remediation hook proposes. A leaf of the checks: every module imports it, it imports none.

use super::Context;
use crate::actions::Action;
use crate::catalog::Control;
use crate::finding::{ControlResult, Finding, Subject};
use crate::inventory::{AccountInventory, Read};

/// An evaluator: the verdicts (one per account, or one per region) and findings of a control.
pub(crate) type Evaluate = fn(&Control, &AccountInventory, &Context) -> Vec<(ControlResult, Vec<Finding>)>;

/// A change a module proposes for its FAILing verdicts: the action, where, and why it cannot run
/// by itself when it cannot (an input to supply, or a change cis-audit never makes alone).
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub region: String,
    pub action: Action,
    /// Inputs to supply (`--flow-logs-role-arn` …).
    pub missing: Vec<String>,
    /// Set when the step is shown but never applied by cis-audit (MANUAL), and why.
    pub manual: Option<String>,
}

/// What a remediation hook reads: the control, the account, the evaluation's context, the
/// account's FAILing verdicts of the control (not suppressed), and the operator's options.
pub struct PlanInput<'a> {
    pub control: &'a Control,
    pub acct: &'a AccountInventory,
    pub ctx: &'a Context<'a>,
    pub failing: Vec<&'a ControlResult>,
    pub options: &'a HookOptions,
}

/// The operator's remediation options a module's hook may read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookOptions {
    /// The role VPC Flow Logs delivers with (`--flow-logs-role-arn`), and the log group new
    /// flow logs write to (`--flow-logs-log-group`).
    pub flow_logs_role_arn: Option<String>,
    pub flow_logs_log_group: String,
    /// Region for account-level changes.
    pub home_region: String,
    /// `--remediate-default-sg`: empty the default security groups.
    pub remediate_default_sg: bool,
    /// `--yes`: the operator accepts the plan as shown (a step that cuts off what relies on it,
    /// such as account-level Block Public Access over public buckets, applies only then).
    pub yes: bool,
}

/// A module's remediation hook: the changes that fix its FAILing verdicts.
pub type PlanHook = fn(&PlanInput) -> Vec<Proposal>;

/// One check module.
pub struct Check {
    /// Its registry name: the key of the control it evaluates, or the family's name.
    pub name: &'static str,
    /// The module's source file, from the crate root (`file!()`), and its text: its `//!` doc
    /// comment is its documentation ([`Check::doc`]). Both from [`module_source!`].
    pub file: &'static str,
    pub doc: &'static str,
    pub evaluate: Evaluate,
    /// The subjects its findings report (`<key>/<subject>` check ids), in order.
    pub subjects: &'static [Subject],
    /// What the inventory must hold for it.
    pub reads: &'static [Read],
    /// Whether its controls are judged by a filter pattern (`cis-audit pattern check`).
    pub has_patterns: bool,
    /// What `--remediate` does for a FAILing verdict, in a sentence (`explain` prints it).
    pub remedy: &'static str,
    pub plan: Option<PlanHook>,
}

impl Check {
    /// The module's documentation: its `//!` doc comment, as text.
    pub(crate) fn doc(&self) -> String {
        module_doc(self.doc)
    }
}

/// `file: …, doc: …` of a [`Check`]: the module's own path and source, read at build time.
macro_rules! module_source {
    () => {
        (file!(), include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", file!())))
    };
}
pub(crate) use module_source;

/// The `//!` lines at the top of a module's source, without the markers, as text for a person:
/// rustdoc links (`` [`super::trail`] ``) become the name they point at.
pub(crate) fn module_doc(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else { break };
        let mut line = rest.strip_prefix(' ').unwrap_or(rest).to_string();
        while let Some(i) = line.find("[`") {
            let Some(j) = line[i..].find("`]").map(|j| i + j) else { break };
            let target = line[i + 2..j].rsplit("::").next().unwrap_or_default().to_string();
            line.replace_range(i..j + 2, &format!("`{target}`"));
        }
        out.push_str(&line.replace("**", ""));
        out.push('\n');
    }
    out.trim_end().to_string()
}
