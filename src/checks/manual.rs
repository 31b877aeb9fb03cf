//! A recommendation cis-audit does not evaluate from an API: reported MANUAL for every account,
//! with the audit steps an assessor follows (`cis-audit explain KEY` prints them in full), so
//! that a report holds every recommendation of its version and none is silently absent.

use super::module::{module_source, Check};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::AccountInventory;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "manual",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Account],
    reads: &[],
    has_patterns: false,
    remedy: "nothing: a person follows the audit steps and fixes what they find.",
    plan: None,
};

pub(crate) fn evaluate(
    control: &Control,
    acct: &AccountInventory,
    _ctx: &Context,
) -> Vec<(ControlResult, Vec<Finding>)> {
    let message = format!(
        "not evaluated from an API: an assessor checks it by hand (cis-audit explain {} shows how)",
        control.key
    );
    verdict(control, acct, message, vec![])
}

/// The MANUAL verdict `message` of the account, its finding carrying the version's assessment,
/// `extra` evidence, and the control's audit steps.
pub(crate) fn verdict(
    control: &Control,
    acct: &AccountInventory,
    message: String,
    extra: Vec<Evidence>,
) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut evidence = vec![Evidence::info("assessment", control.assessment.clone())];
    evidence.extend(extra);
    if let Some(a) = control.def.audit.as_deref().filter(|a| !a.trim().is_empty()) {
        evidence.push(Evidence::info("audit_steps", a.trim().to_string()));
    }
    let finding = Finding::about(control, Subject::Account, &acct.account_id)
        .status(Status::Manual)
        .message(message.clone())
        .evidence(evidence);
    vec![(ControlResult::new(control, &acct.account_id, None, Status::Manual, message), vec![finding])]
}
