//! `cis-audit rollback JOURNAL`: undo what a remediation applied, newest first.
//!
//! For each applied entry, the resource's current state is compared with the state recorded
//! right after the action: equal → the recorded inverse runs; equal to the state *before* →
//! nothing to undo; anything else → refused, with what changed. Each outcome is written back to
//! the journal, so a second rollback skips what the first did.

use super::apply::{execute, observe, Ctx};
use super::journal::{EntryState, Journal, RollbackRecord, RollbackState};
use super::plan::Action;
use serde_json::Value;

/// One line per entry considered, and whether everything that needed undoing was undone.
pub async fn rollback(
    ctx: &Ctx<'_>,
    j: &mut Journal,
    report: &mut dyn FnMut(usize, &RollbackRecord),
) -> Result<bool, String> {
    let now = crate::cli::now_rfc3339;
    let mut ok = true;
    for i in (0..j.entries.len()).rev() {
        let e = j.entries[i].clone();
        if !matches!(e.state, EntryState::Done | EntryState::Started | EntryState::Failed) {
            continue;
        }
        if let Some(r) = &e.rollback {
            if matches!(r.state, RollbackState::Done | RollbackState::NothingToUndo) {
                continue;
            }
        }
        let (state, message) = undo_one(ctx, &e).await;
        if matches!(state, RollbackState::Refused | RollbackState::Failed) {
            ok = false;
        }
        let rec = RollbackRecord { state, message, at: now() };
        report(e.step, &rec);
        j.entries[i].rollback = Some(rec);
        j.save(now())?;
    }
    j.status = if ok { "rolled_back".into() } else { "rollback_incomplete".into() };
    j.save(now())?;
    Ok(ok)
}

async fn undo_one(ctx: &Ctx<'_>, e: &super::journal::Entry) -> (RollbackState, String) {
    let what = e.action.resource();
    let now = match observe(ctx, &e.account, &e.region, &e.action).await {
        Ok(v) => v,
        Err(err) => return (RollbackState::Failed, format!("cannot read the current state of {what}: {err}")),
    };
    if e.before.as_ref() == Some(&now) {
        return (RollbackState::NothingToUndo, format!("{what} is as it was before remediation"));
    }
    let Some(inv) = &e.inverse else {
        return (RollbackState::NothingToUndo, format!("nothing to undo for {what}"));
    };
    if e.state != EntryState::Done {
        // A crash or a failure mid-call: undo only when the resource is exactly as the
        // action would have left it.
        if e.after.as_ref() != Some(&now) {
            return (
                RollbackState::Refused,
                format!("step {} did not finish and {what} is neither as before nor as after it; check it by hand: now {now}", e.step),
            );
        }
    } else if e.after.as_ref() != Some(&now) {
        return (RollbackState::Refused, changed_message(&what, e.after.as_ref(), &now));
    }
    if let Action::Unsubscribe { .. } = inv {
        // Pending subscriptions cannot be removed by ARN; say so rather than fail.
        match execute(ctx, &e.account, &e.region, inv).await {
            Ok(m) => return (RollbackState::Done, m),
            Err(m) if m.contains("pending confirmation") => return (RollbackState::NothingToUndo, m),
            Err(m) => return (RollbackState::Failed, m),
        }
    }
    match execute(ctx, &e.account, &e.region, inv).await {
        Ok(m) => (RollbackState::Done, format!("{m} ({})", inv.cli(&e.region))),
        Err(m) => (RollbackState::Failed, m),
    }
}

fn changed_message(what: &str, after: Option<&Value>, now: &Value) -> String {
    let mut diffs = Vec::new();
    if let (Some(Value::Object(a)), Value::Object(n)) = (after, now) {
        for (k, v) in a {
            let cur = n.get(k).unwrap_or(&Value::Null);
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
        diffs.push(format!("now {now}"));
    }
    format!("refused: {what} changed since remediation ({}); left as it is", diffs.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn change_message_names_the_field() {
        let m = changed_message(
            "log group g",
            Some(&json!({"exists": true, "metric_filters": []})),
            &json!({"exists": true, "metric_filters": ["someone-elses"]}),
        );
        assert!(m.contains("log group g changed since remediation"), "{m}");
        assert!(m.contains("metric_filters was [] after remediation, is now [\"someone-elses\"]"), "{m}");
    }
}
