//! What the IAM checks share: an account-wide read as its data, or the ERROR verdict that names
//! the call that failed; ages in days measured from the inventory's collection time (so an
//! inventory evaluated later, offline, gives the same verdicts); whether a control's assessment
//! is manual in its version. A leaf of the checks.

use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, CredentialReport};

/// A verdict list of one account (what an evaluator returns).
pub(crate) type Verdicts = Vec<(ControlResult, Vec<Finding>)>;

/// One verdict with one account finding.
pub(crate) fn one(
    control: &Control,
    acct: &AccountInventory,
    status: Status,
    message: String,
    evidence: Vec<Evidence>,
) -> Verdicts {
    let f = Finding::about(control, Subject::Account, &acct.account_id)
        .status(status)
        .message(message.clone())
        .evidence(evidence);
    vec![(ControlResult::new(control, &acct.account_id, None, status, message), vec![f])]
}

/// The data of an account-wide read, or the ERROR verdict saying it was not collected or failed.
pub(crate) fn need<'a, T>(
    control: &Control,
    acct: &AccountInventory,
    read: Option<&'a Collected<T>>,
    what: &str,
) -> Result<&'a T, Verdicts> {
    match read {
        Some(Collected::Ok(v)) => Ok(v),
        Some(Collected::Error(e)) => {
            let m = format!("{what} could not be read: {e}");
            Err(one(
                control,
                acct,
                Status::Error,
                m.clone(),
                vec![Evidence::bad(format!("{}.read", step_name(what)), m)],
            ))
        }
        None => {
            let verb = if what.ends_with('s') { "were" } else { "was" };
            Err(one(control, acct, Status::Error, format!("{what} {verb} not collected"), vec![]))
        }
    }
}

fn step_name(what: &str) -> String {
    what.trim_start_matches("the ").replace([' ', '-'], "_")
}

/// The credential report, or the ERROR verdict.
pub(crate) fn report<'a>(control: &Control, acct: &'a AccountInventory) -> Result<&'a CredentialReport, Verdicts> {
    need(control, acct, acct.account_wide.credential_report.as_ref(), "the credential report")
}

/// Evidence of when the credential report was generated.
pub(crate) fn report_time(r: &CredentialReport) -> Evidence {
    Evidence::info("credential_report.generated_at", r.generated_at.clone())
}

/// A date of the credential report (`2026-01-01T00:00:00+00:00`), or None for `N/A`,
/// `no_information`, `not_supported`.
pub(crate) fn date(v: &str) -> Option<&str> {
    crate::clock::epoch_seconds(v).map(|_| v)
}

/// Whole days from `v` to `now` (both RFC 3339); None when `v` is not a date.
pub(crate) fn days_ago(v: &str, now: &str) -> Option<i64> {
    crate::clock::days_between(date(v)?, now)
}

/// Whether the control is a manual recommendation in its version (`Manual`, `Not Scored`).
pub(crate) fn is_manual(control: &Control) -> bool {
    matches!(control.assessment.as_str(), "Manual" | "Not Scored")
}

/// The ARN partition of the account (`aws` when unknown).
pub(crate) fn partition(acct: &AccountInventory) -> &str {
    if acct.partition.is_empty() {
        "aws"
    } else {
        &acct.partition
    }
}
