//! `cis-audit rollback JOURNAL`: undo what a remediation applied, newest first.

use super::{sessions, Access, RunError};
use crate::aws::Runtime;
use crate::remediate::apply::Env;
use crate::remediate::journal::Journal;
use crate::remediate::rollback::rollback;
use crate::report::plan::rollback_line;
use std::path::Path;

/// Exit 0 when everything applied is undone (or was already), 2 when something was refused or
/// failed.
pub(crate) async fn run(access: &Access, journal: &Path) -> Result<i32, RunError> {
    let mut j = Journal::load(journal).map_err(|e| RunError(e.to_string()))?;
    let rt = Runtime::new(access.aws.bounds);
    let sessions = sessions(access, &rt).await?;
    for s in &sessions {
        s.establish().await.map_err(|e| RunError(e.to_string()))?;
    }
    let env = Env { sessions: &sessions, rt: &rt };
    println!("Rolling back {} ({} step(s) in the plan):", journal.display(), j.entries.len());
    let mut n = 0;
    let ok = rollback(&env, &mut j, &mut |step, rec| {
        n += 1;
        println!("{}", rollback_line(step, rec));
    })
    .await
    .map_err(|e| RunError(e.to_string()))?;
    if n == 0 {
        println!("  nothing to roll back: every applied step is already undone.");
    }
    if ok {
        println!("Rollback complete; journal updated.");
        Ok(0)
    } else {
        eprintln!("error: some steps were not undone (see above); the journal records which");
        Ok(2)
    }
}
