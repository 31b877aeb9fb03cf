//! The registry: every check module, listed once. A control is evaluated by the module its data
//! names (`check = "…"` in `checks/controls/<key>.toml`, for a family such as the monitoring
//! chain) or by the module registered under its own key; a recommendation with neither is
//! MANUAL ([`super::manual`]).
//!
//! A module's entry carries everything about it the rest of the product needs: its
//! documentation (the module's `//!` doc comment, which `cis-audit explain` prints), its
//! evaluator, the subjects its findings report, the reads it needs collected, and its
//! remediation hook.

use super::Context;
use crate::actions::Action;
use crate::catalog::Control;
use crate::finding::{ControlResult, Finding, Subject};
use crate::inventory::{AccountInventory, Read};

/// An evaluator: the verdicts (one per account, or one per region) and findings of a control.
pub type Evaluate = fn(&Control, &AccountInventory, &Context) -> Vec<(ControlResult, Vec<Finding>)>;

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
    /// Region for account-level changes.
    pub home_region: String,
}

/// A module's remediation hook: the changes that fix its FAILing verdicts.
pub type PlanHook = fn(&PlanInput) -> Vec<Proposal>;

/// One check module.
pub struct Check {
    /// Its registry name: the key of the control it evaluates, or the family's name.
    pub name: &'static str,
    /// The module's source: its `//!` doc comment is its documentation ([`Check::doc`]).
    pub doc: &'static str,
    pub evaluate: Evaluate,
    /// The subjects its findings report (`<key>/<subject>` check ids), in order.
    pub subjects: &'static [Subject],
    /// What the inventory must hold for it.
    pub reads: &'static [Read],
    /// Whether its controls are judged by a filter pattern (`cis-audit pattern check`).
    pub has_patterns: bool,
    pub plan: Option<PlanHook>,
}

impl Check {
    /// The module's documentation: its `//!` doc comment, as text.
    pub fn doc(&self) -> String {
        module_doc(self.doc)
    }
}

/// Every check module, registered explicitly: one line each.
pub const REGISTRY: &[&Check] =
    &[&super::trail::CHECK, &super::trail_cloudwatch::CHECK, &super::config_recorder::CHECK, &super::monitoring::CHECK];

/// The module registered under `name`.
pub fn check(name: &str) -> Option<&'static Check> {
    REGISTRY.iter().copied().find(|c| c.name == name)
}

/// The module that evaluates a control: its own, or the manual one.
pub fn for_control(c: &Control) -> &'static Check {
    check(c.check()).unwrap_or(&super::manual::CHECK)
}

/// Whether the control is evaluated from the inventory (not MANUAL by lack of a module).
pub fn is_evaluated(c: &Control) -> bool {
    check(c.check()).is_some()
}

/// The `//!` lines at the top of a module's source, without the markers.
pub fn module_doc(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else { break };
        out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        out.push('\n');
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_is_registered_once_and_documented() {
        let mut names: Vec<&str> = REGISTRY.iter().map(|c| c.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a name is registered twice");
        for c in REGISTRY {
            assert!(c.doc().lines().count() >= 2, "{} has no module documentation", c.name);
            assert!(!c.subjects.is_empty(), "{} reports no subject", c.name);
        }
        assert_eq!(module_doc("//! One.\n//!\n//! Two.\nuse x;"), "One.\n\nTwo.");
    }

    /// The stable check ids (`finding.check`): every control key × the subjects its module reports.
    #[test]
    fn check_ids_snapshot() {
        let ids = crate::checks::check_ids();
        assert!(ids.contains(&"security-group-changes/sns-subscription".to_string()));
        insta::assert_snapshot!("check_ids", ids.join("\n"));
    }

    #[test]
    fn every_registered_module_evaluates_a_control_of_some_version() {
        let cat = crate::catalog::catalog();
        for c in REGISTRY {
            let used = cat
                .benchmarks
                .iter()
                .any(|b| cat.select(&b.version, None).unwrap().iter().any(|x| x.check() == c.name));
            assert!(used, "module {} evaluates no control of any benchmark version", c.name);
        }
    }
}
