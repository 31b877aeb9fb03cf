//! The journal: one JSON file per remediation run, rewritten atomically (temporary file, flushed,
//! then renamed; owner-only) before and after every action, so a crash at any point leaves a
//! file that says exactly what was done: each entry's intent, the state observed before it, the
//! inverse rollback would run, its result and the state after it. An entry left `started` (the
//! process died during the call) is resolved by rollback from the resource's current state.

use super::plan::Plan;
use crate::actions::{Action, Observed};
use crate::inventory::store::{write_atomic, Access};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Version 2: typed observations (version 1 kept them as untyped JSON).
pub(crate) const JOURNAL_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Not reached (yet).
    Pending,
    /// MANUAL: not applied by cis-audit.
    Manual,
    /// Not run because a step it depends on is MANUAL, failed or was not run.
    Skipped,
    /// Intent recorded, the call was sent; no result recorded (a crash happened here).
    Started,
    /// Applied.
    Done,
    /// Nothing to do when it came to it (the resource was already as wanted).
    Unchanged,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RollbackState {
    Done,
    /// Nothing to undo (never applied, or already as before).
    NothingToUndo,
    /// Refused: the resource changed since remediation.
    Refused,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollbackRecord {
    pub state: RollbackState,
    pub message: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub step: usize,
    pub account: String,
    pub region: String,
    pub action: Action,
    pub command: String,
    pub state: EntryState,
    /// State of the touched resource observed just before the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Observed>,
    /// State observed just after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Observed>,
    /// What undoes it, computed from `before`; None when nothing needs undoing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverse: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<RollbackRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub journal_version: u32,
    pub tool_version: String,
    pub created_at: String,
    pub updated_at: String,
    /// `applying`, `complete`, `failed`; `rolled_back` / `rollback_incomplete` after rollback.
    pub status: String,
    pub accounts: Vec<String>,
    pub plan: Plan,
    pub entries: Vec<Entry>,
    #[serde(skip)]
    pub path: PathBuf,
}

impl Journal {
    pub fn new(plan: &Plan, path: PathBuf, now: String) -> Journal {
        let mut accounts: Vec<String> = plan.steps.iter().map(|s| s.account.clone()).collect();
        accounts.sort();
        accounts.dedup();
        Journal {
            journal_version: JOURNAL_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: now.clone(),
            updated_at: now,
            status: "applying".into(),
            accounts,
            plan: plan.clone(),
            entries: plan
                .steps
                .iter()
                .map(|s| Entry {
                    step: s.id,
                    account: s.account.clone(),
                    region: s.region.clone(),
                    action: s.action.clone(),
                    command: s.command.clone(),
                    state: if s.manual.is_some() { EntryState::Manual } else { EntryState::Pending },
                    before: None,
                    after: None,
                    inverse: None,
                    message: s.manual.as_ref().map(|m| m.describe()),
                    started_at: None,
                    finished_at: None,
                    rollback: None,
                })
                .collect(),
            path,
        }
    }

    pub(crate) fn load(path: &Path) -> Result<Journal, JournalError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| JournalError::Read { path: p.clone(), message: e.to_string() })?;
        let mut j = parse(&text).map_err(|message| JournalError::Invalid { path: p.clone(), message })?;
        j.path = path.to_path_buf();
        Ok(j)
    }

    /// Writes the journal atomically, owner-only.
    pub(crate) fn save(&mut self, now: String) -> Result<(), JournalError> {
        self.updated_at = now;
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| JournalError::Write { path: self.path.display().to_string(), message: e.to_string() })?;
        write_atomic(&self.path, text.as_bytes(), Access::Private)
            .map_err(|e| JournalError::Write { path: self.path.display().to_string(), message: e.to_string() })
    }
}

/// Parses journal text; never panics, whatever the input.
pub fn parse(text: &str) -> Result<Journal, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    match v.get("journal_version").and_then(|x| x.as_u64()) {
        Some(n) if n == JOURNAL_VERSION as u64 => {}
        Some(n) => {
            return Err(format!(
                "a version {n} journal; this cis-audit reads version {JOURNAL_VERSION} (roll it back with the cis-audit that wrote it)"
            ))
        }
        None => return Err("not a cis-audit remediation journal (no journal_version)".into()),
    }
    serde_json::from_value(v).map_err(|e| format!("not a cis-audit remediation journal: {e}"))
}

/// A journal that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum JournalError {
    #[error("cannot read journal {path}: {message}")]
    Read { path: String, message: String },
    #[error("journal {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot write journal {path}: {message}")]
    Write { path: String, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::{cloudtrail, sns};
    use crate::remediate::plan::{Manual, Step};

    #[test]
    fn journal_round_trips_and_writes_atomically() {
        let plan = Plan {
            steps: vec![
                Step {
                    id: 1,
                    account: "111122223333".into(),
                    region: "us-east-1".into(),
                    action: sns::CreateTopic {
                        name: "t".into(),
                        topic_arn: "arn:aws:sns:us-east-1:111122223333:t".into(),
                    }
                    .into(),
                    controls: vec!["4.10".into()],
                    depends_on: vec![],
                    manual: None,
                    command: "aws sns create-topic --region us-east-1 --name t".into(),
                },
                Step {
                    id: 2,
                    account: "111122223333".into(),
                    region: "us-east-1".into(),
                    action: cloudtrail::CreateTrail { name: "x".into(), bucket: "<trail-bucket>".into() }.into(),
                    controls: vec!["3.1".into()],
                    depends_on: vec![],
                    manual: Some(Manual { missing: vec!["--trail-bucket".into()], reason: "bucket".into() }),
                    command: "aws cloudtrail create-trail".into(),
                },
            ],
            notes: vec![],
            left_to_do: vec![],
        };
        let dir = std::env::temp_dir().join(format!("cis-audit-journal-test-{}", std::process::id()));
        let path = dir.join("j.json");
        let mut j = Journal::new(&plan, path.clone(), "2026-01-01T00:00:00Z".into());
        assert_eq!(j.entries[0].state, EntryState::Pending);
        assert_eq!(j.entries[1].state, EntryState::Manual);
        assert!(j.entries[1].message.as_deref().unwrap().contains("--trail-bucket"));
        j.save("2026-01-01T00:00:01Z".into()).unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "a temporary file was left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let back = Journal::load(&path).unwrap();
        assert_eq!(back.entries, j.entries);
        assert_eq!(back.updated_at, "2026-01-01T00:00:01Z");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_journals_say_what_is_wrong() {
        assert!(parse("{").unwrap_err().starts_with("not JSON"));
        assert!(parse("{}").unwrap_err().contains("no journal_version"));
        assert!(parse(r#"{"journal_version": 1}"#).unwrap_err().contains("a version 1 journal"));
        assert!(parse(r#"{"journal_version": 2, "entries": 5}"#)
            .unwrap_err()
            .starts_with("not a cis-audit remediation journal"));
    }
}
