//! Applying a plan, journaled step by step, with the audit's sessions and call runtime.
//!
//! For each step: its dependencies must have succeeded; the resource's state is observed
//! ([`Action::observe`], through the inventory's readers); the pre-check may find it already as
//! wanted (nothing to do) or changed since planning (stop); the inverse is computed from that
//! state; the intent, the state and the inverse are journaled (flushed to disk) BEFORE the call;
//! then the call is made, the state observed again and the result journaled. A stop request
//! (Ctrl-C, SIGTERM) is honoured between steps: the call in flight always finishes and is
//! journaled first.

use super::journal::{Entry, EntryState, Journal, JournalError};
use crate::actions::{ActionError, Cx, Precheck};
use crate::aws::{Runtime, Session};

/// The sessions and runtime actions run with.
pub(crate) struct Env<'a> {
    pub sessions: &'a [Session],
    pub rt: &'a Runtime,
}

impl<'a> Env<'a> {
    pub(crate) fn cx(&self, account: &str, region: &'a str) -> Result<Cx<'a>, ActionError> {
        let session = self.sessions.iter().find(|s| s.account_id == account).ok_or_else(|| {
            ActionError::Invalid(format!(
                "no credentials for account {account}: pass the --role-arn (or --profile) that reaches it"
            ))
        })?;
        Ok(Cx { session, rt: self.rt, region })
    }
}

/// How an apply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Applied {
    /// Every automatic step ran (or had nothing to do).
    Complete,
    /// Step N failed; later steps were skipped.
    Failed(usize),
    /// Stopped on request before step N; it and later steps are still pending.
    Interrupted(usize),
}

fn now() -> String {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// Applies the journal's plan in order, stopping at the first failure or when `stop()` says so.
/// `report` is told about each step as it finishes.
pub(crate) async fn apply(
    env: &Env<'_>,
    j: &mut Journal,
    stop: &dyn Fn() -> bool,
    report: &mut dyn FnMut(&Entry),
) -> Result<Applied, JournalError> {
    j.save(now())?;
    let mut failed_at: Option<usize> = None;
    for i in 0..j.entries.len() {
        if j.entries[i].state != EntryState::Pending {
            report(&j.entries[i]);
            continue;
        }
        let step = j.plan.steps[i].clone();
        if let Some(f) = failed_at {
            set(j, i, EntryState::Skipped, format!("not run: step {f} failed"))?;
            report(&j.entries[i]);
            continue;
        }
        if stop() {
            j.status = "interrupted".into();
            j.save(now())?;
            return Ok(Applied::Interrupted(step.id));
        }
        if let Some(d) = step
            .depends_on
            .iter()
            .find(|d| !matches!(j.entries[**d - 1].state, EntryState::Done | EntryState::Unchanged))
        {
            set(j, i, EntryState::Skipped, format!("not run: step {d} did not run"))?;
            report(&j.entries[i]);
            continue;
        }
        let cx = match env.cx(&step.account, &step.region) {
            Ok(c) => c,
            Err(e) => {
                set(j, i, EntryState::Failed, e.to_string())?;
                report(&j.entries[i]);
                failed_at = Some(step.id);
                continue;
            }
        };
        let before = match step.action.observe(&cx).await {
            Ok(v) => v,
            Err(e) => {
                set(j, i, EntryState::Failed, format!("could not read the state before the change: {e}"))?;
                report(&j.entries[i]);
                failed_at = Some(step.id);
                continue;
            }
        };
        match step.action.precheck(&before) {
            Precheck::AlreadyDone(why) => {
                j.entries[i].before = Some(before);
                set(j, i, EntryState::Unchanged, why)?;
                report(&j.entries[i]);
                continue;
            }
            Precheck::Stop(why) => {
                j.entries[i].before = Some(before);
                set(j, i, EntryState::Failed, why)?;
                report(&j.entries[i]);
                failed_at = Some(step.id);
                continue;
            }
            Precheck::Go => {}
        }
        {
            let e = &mut j.entries[i];
            e.inverse = step.action.inverse(&before);
            e.before = Some(before);
            e.state = EntryState::Started;
            e.started_at = Some(now());
        }
        // The intent is on disk before the call is made.
        j.save(now())?;
        let res = step.action.execute(&cx).await;
        let after = step.action.observe(&cx).await.ok();
        let e = &mut j.entries[i];
        e.after = after;
        e.finished_at = Some(now());
        match res {
            Ok(msg) => {
                e.state = EntryState::Done;
                e.message = Some(msg);
            }
            Err(err) => {
                e.state = EntryState::Failed;
                e.message = Some(err.to_string());
                failed_at = Some(step.id);
            }
        }
        j.save(now())?;
        report(&j.entries[i]);
    }
    j.status = if failed_at.is_some() { "failed".into() } else { "complete".into() };
    j.save(now())?;
    Ok(failed_at.map(Applied::Failed).unwrap_or(Applied::Complete))
}

fn set(j: &mut Journal, i: usize, state: EntryState, message: String) -> Result<(), JournalError> {
    j.entries[i].state = state;
    j.entries[i].message = Some(message);
    j.save(now())
}

pub(super) fn timestamp() -> String {
    now()
}
