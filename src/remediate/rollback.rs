//! Rollback: undo what a remediation applied, newest first.
//!
//! For each applied entry the resource's current state is observed and compared:
//! - a step that finished (`done`): equal to the state recorded right after it → the recorded
//!   inverse runs; equal to the state before it → nothing to undo; anything else → refused,
//!   naming what changed;
//! - a step whose outcome was never recorded (`started`: the process died during the call, or
//!   `failed`): equal to the state before → the call did not land, nothing to undo; the state
//!   this action produces ([`Action::achieved`]) → the inverse runs; anything else → refused.
//!
//! Each outcome is written back to the journal, so a second rollback skips what the first did.

use super::apply::{timestamp, Env};
use super::journal::{Entry, EntryState, Journal, JournalError, RollbackRecord, RollbackState};
use crate::actions::{Action, ActionError, Observed};

/// One record per entry considered, and whether everything that needed undoing was undone.
pub(crate) async fn rollback(
    env: &Env<'_>,
    j: &mut Journal,
    report: &mut dyn FnMut(usize, &RollbackRecord),
) -> Result<bool, JournalError> {
    let mut ok = true;
    for i in (0..j.entries.len()).rev() {
        let e = j.entries[i].clone();
        if !matches!(e.state, EntryState::Done | EntryState::Started | EntryState::Failed) {
            continue;
        }
        if e.rollback.as_ref().is_some_and(|r| matches!(r.state, RollbackState::Done | RollbackState::NothingToUndo)) {
            continue;
        }
        let (state, message) = undo_one(env, &e).await;
        if matches!(state, RollbackState::Refused | RollbackState::Failed) {
            ok = false;
        }
        let rec = RollbackRecord { state, message, at: timestamp() };
        report(e.step, &rec);
        j.entries[i].rollback = Some(rec);
        j.save(timestamp())?;
    }
    j.status = if ok { "rolled_back".into() } else { "rollback_incomplete".into() };
    j.save(timestamp())?;
    Ok(ok)
}

async fn undo_one(env: &Env<'_>, e: &Entry) -> (RollbackState, String) {
    let what = e.action.resource();
    let cx = match env.cx(&e.account, &e.region) {
        Ok(c) => c,
        Err(err) => return (RollbackState::Failed, err.to_string()),
    };
    let now = match e.action.observe(&cx).await {
        Ok(v) => v,
        Err(err) => return (RollbackState::Failed, format!("cannot read the current state of {what}: {err}")),
    };
    if e.before.as_ref() == Some(&now) {
        return (RollbackState::NothingToUndo, format!("{what} is as it was before remediation"));
    }
    let Some(inverse) = &e.inverse else {
        return (RollbackState::NothingToUndo, format!("nothing to undo for {what}"));
    };
    if e.state == EntryState::Done {
        if e.after.as_ref() != Some(&now) {
            return (RollbackState::Refused, changed_message(&what, e.after.as_ref(), &now));
        }
    } else if !e.action.achieved(&now) {
        // The outcome was never recorded: undo only what this step would have produced.
        return (
            RollbackState::Refused,
            format!(
                "step {} did not finish and {what} is neither as before nor as the step would have left it; left as it is, check it by hand: now {}",
                e.step,
                describe(&now)
            ),
        );
    }
    run_inverse(env, e, inverse).await
}

async fn run_inverse(env: &Env<'_>, e: &Entry, inverse: &Action) -> (RollbackState, String) {
    let cx = match env.cx(&e.account, &e.region) {
        Ok(c) => c,
        Err(err) => return (RollbackState::Failed, err.to_string()),
    };
    match inverse.execute(&cx).await {
        Ok(m) => (RollbackState::Done, format!("{m} ({})", inverse.cli(&e.region))),
        // Pending subscriptions cannot be removed; they lapse by themselves.
        Err(err @ ActionError::PendingSubscription { .. }) => (RollbackState::NothingToUndo, err.to_string()),
        Err(err) => (RollbackState::Failed, err.to_string()),
    }
}

fn describe(o: &Observed) -> String {
    serde_json::to_string(o).unwrap_or_default()
}

/// What changed between the state recorded after remediation and now, field by field.
fn changed_message(what: &str, after: Option<&Observed>, now: &Observed) -> String {
    let mut diffs = Vec::new();
    let (a, n) = (after.and_then(|x| serde_json::to_value(x).ok()), serde_json::to_value(now).ok());
    if let (Some(serde_json::Value::Object(a)), Some(serde_json::Value::Object(n))) = (&a, &n) {
        for (k, v) in a {
            let cur = n.get(k).unwrap_or(&serde_json::Value::Null);
            if cur != v {
                diffs.push(format!("{k} was {v} after remediation, is now {cur}"));
            }
        }
        for (k, v) in n {
            if !a.contains_key(k) {
                diffs.push(format!("{k} is now {v}"));
            }
        }
    }
    if diffs.is_empty() {
        diffs.push(format!("now {}", describe(now)));
    }
    format!("refused: {what} changed since remediation ({}); left as it is", diffs.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::logs::LogGroupState;

    #[test]
    fn change_message_names_the_field() {
        let after = Observed::LogGroup(LogGroupState { exists: true, metric_filters: vec![] });
        let now = Observed::LogGroup(LogGroupState { exists: true, metric_filters: vec!["someone-elses".into()] });
        let m = changed_message("log group g", Some(&after), &now);
        assert!(m.contains("log group g changed since remediation"), "{m}");
        assert!(m.contains("metric_filters was [] after remediation, is now [\"someone-elses\"]"), "{m}");
    }
}
