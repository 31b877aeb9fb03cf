//! `audit --remediate`: plan → show → confirm → apply (journaled) → re-audit → before → after.

use super::options::AuditOptions;
pub(crate) use super::options::RemediateOptions;
use super::pipeline::{collect, evaluate, home_region};
use super::RunError;
use crate::aws::{Runtime, Session};
use crate::catalog::Control;
use crate::checks::{Context, EvalOptions};
use crate::finding::{Evaluation, Status};
use crate::inventory::{Inventory, Needs, Target};
use crate::pattern::Judge;
use crate::remediate::apply::{apply, Applied, Env};
use crate::remediate::journal::Journal;
use crate::remediate::plan;
use crate::report::plan::{plan_text, step_line, ControlChange, Outcome, StepOutcome};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

/// What the audit hands over.
pub(crate) struct Run<'a> {
    pub audit: &'a AuditOptions,
    pub controls: &'a [Control],
    pub inv: &'a Inventory,
    pub eval: &'a Evaluation,
    /// The audit's report (the policy applied: suppressions, baseline changes, exit status).
    pub report: &'a crate::report::Report,
    pub rt: &'a Runtime,
    pub targets: &'a [Target],
    /// The report files already written (for the summary line).
    pub written: &'a [String],
}

/// Set by SIGINT/SIGTERM during apply: finish the call in flight, then stop.
static STOP: AtomicBool = AtomicBool::new(false);

fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// The default journal path: `reports/out/remediation-<timestamp>-<pid>.json`.
fn default_journal(now: &str) -> PathBuf {
    let stamp: String = now.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    PathBuf::from("reports/out").join(format!("remediation-{stamp}-{}.json", std::process::id()))
}

/// `audit --remediate`, after the audit's own report was written. When nothing is applied the
/// audit's exit status stands; after applying, the exit status is the policy's over the
/// verdicts after (the re-audited ones, and the others as the audit left them), and the summary
/// line shows both.
pub(crate) async fn remediate(
    run: &Run<'_>,
    r: &RemediateOptions,
    requested: Option<&[String]>,
) -> Result<i32, RunError> {
    let audit_exit = run.report.exit_status();
    let summary = || eprintln!("{}", super::output::summary(&run.report.summary_line(), run.written));
    let json = run.audit.json_outcome();
    let sessions: Vec<Session> = run.targets.iter().map(|t| t.session.clone()).collect();
    let inputs = r.inputs(run.audit, &home_region(&run.audit.access, &sessions));
    let judge = Judge::new(crate::checks::corpus_for(run.controls));
    let ctx = Context::new(run.inv, EvalOptions { strict_patterns: run.audit.strict_patterns }, &judge);
    let plan = plan::build(&ctx, run.eval, run.controls, &inputs);

    let mut outcome = Outcome::new(plan.clone());
    let say = |text: &str| {
        if !json {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    };
    let finish = |outcome: &Outcome, code: i32| {
        if outcome.controls.is_empty() {
            summary();
        }
        if json {
            let mut o = outcome.clone();
            o.api_calls = run.rt.calls();
            let _ = std::io::stdout().lock().write_all(o.json().as_bytes());
        }
        Ok(code)
    };
    say(&plan_text(&plan));
    if plan.automatic() == 0 {
        if !plan.steps.is_empty() {
            say("Nothing cis-audit can apply by itself: supply the missing values above, or do the MANUAL steps.\n");
        }
        return finish(&outcome, audit_exit);
    }
    if r.dry_run {
        say("Dry run: nothing was changed.\n");
        return finish(&outcome, audit_exit);
    }
    if !r.yes {
        if !std::io::stdin().is_terminal() {
            let msg = "refusing to apply the plan: standard input is not a terminal, so cis-audit cannot ask for confirmation. Re-run with --yes to apply it unattended, or with --dry-run to only print it.".to_string();
            eprintln!("error: {msg}");
            outcome.refused = Some(msg);
            return finish(&outcome, 2);
        }
        eprint!("Apply the {} automatic step(s) above? [y/N] ", plan.automatic());
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if !matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            eprintln!("Nothing was changed.");
            outcome.refused = Some("not confirmed".into());
            return finish(&outcome, audit_exit);
        }
    }

    // Apply, journaled; Ctrl-C / SIGTERM stop between steps.
    let started = crate::clock::now_rfc3339();
    let path = r.journal.clone().unwrap_or_else(|| default_journal(&started));
    let mut j = Journal::new(&plan, path.clone(), started);
    say(&format!("\nApplying (journal: {}):\n", path.display()));
    let signals = super::on_stop_signal(&STOP);
    let env = Env { sessions: &sessions, rt: run.rt };
    let applied = apply(&env, &mut j, &stop_requested, &mut |e| say(&format!("{}\n", step_line(e))))
        .await
        .map_err(|e| RunError(e.to_string()));
    signals.abort();
    let applied = applied?;
    outcome.applied = true;
    outcome.journal = Some(path.display().to_string());
    outcome.steps =
        j.entries.iter().map(|e| StepOutcome { step: e.step, state: e.state, message: e.message.clone() }).collect();
    let undo = format!("cis-audit rollback {}", path.display());
    if let Applied::Interrupted(step) = applied {
        let msg = format!(
            "interrupted before step {step}: the steps before it are applied and journaled; undo them with: {undo}"
        );
        eprintln!("{msg}");
        outcome.interrupted = Some(msg);
        let _ = finish(&outcome, 130);
        return Ok(130);
    }
    eprintln!("Journal written to {} (undo with: {undo})", path.display());

    // Re-audit the controls the plan served, with the same sessions.
    let affected = plan.controls();
    let again: Vec<Control> = run.controls.iter().filter(|c| affected.contains(&c.id)).cloned().collect();
    let inv2 =
        collect(&run.audit.access, requested, &again, &Needs::default(), run.rt, run.targets, true, None).await?;
    let eval2 = evaluate(&inv2, &again, run.audit.strict_patterns);
    for after in &eval2.controls {
        let before = run
            .eval
            .controls
            .iter()
            .find(|b| b.control == after.control && b.account == after.account && b.region == after.region)
            .map(|b| b.status)
            .unwrap_or(Status::Fail);
        outcome.controls.push(ControlChange {
            control: after.control.clone(),
            account: after.account.clone(),
            region: after.region.clone(),
            before,
            after: after.status,
            message: after.message.clone(),
        });
    }
    say(&outcome.after_text());
    // The verdicts after: the re-audited ones (with the run's suppressions, and the change the
    // audit found for them), and the others as the audit left them; the exit status as for
    // `audit`, --fail-on included.
    let mut after = eval2.controls.clone();
    let audited: std::collections::HashSet<String> = run.inv.accounts.iter().map(|a| a.account_id.clone()).collect();
    crate::policy::apply_suppressions(
        &mut after,
        &run.audit.suppressions,
        &crate::clock::today(),
        &audited,
        crate::policy::ScopeKnowledge::Partial,
    );
    let same = |a: &crate::report::Verdict, c: &crate::finding::ControlResult| {
        a.key == c.key && a.account == c.account && a.region == c.region
    };
    for c in after.iter_mut() {
        c.change = run.report.controls.iter().find(|b| same(b, c)).and_then(|b| b.change);
    }
    let mut verdicts: Vec<crate::report::Verdict> = after.into_iter().map(Into::into).collect();
    verdicts.extend(run.report.controls.iter().filter(|c| !affected.contains(&c.control)).cloned());
    let decided = crate::policy::outcome(&verdicts, run.audit.fail_on);
    let code = match applied {
        Applied::Failed(_) => {
            eprintln!("error: a remediation step failed; the journal says what was done (undo it with {undo})");
            2
        }
        _ => decided.exit_status,
    };
    eprintln!(
        "{}",
        super::output::summary(&remediated_line(&run.report.summary_line(), &verdicts, &decided, code), run.written)
    );
    finish(&outcome, code)
}

/// The one summary line after an applied remediation: the audit's verdict counts → those after
/// the re-audit (and what is suppressed after), the rest of the audit's line, and the status the
/// process exits with (the re-audit's).
fn remediated_line(
    before: &str,
    after: &[crate::report::Verdict],
    decided: &crate::policy::Outcome,
    code: i32,
) -> String {
    let counts: Vec<String> =
        crate::report::summary_of(after.iter().map(|c| &c.status)).iter().map(|(s, n)| format!("{n} {s}")).collect();
    let before = before.rsplit_once(" | exit status").map(|(b, _)| b).unwrap_or(before);
    let (head, rest) = before.split_once(" | ").unwrap_or((before, ""));
    let suppressed =
        if decided.suppressed > 0 { format!(" ({} suppressed)", decided.suppressed) } else { String::new() };
    let rest = if rest.is_empty() { String::new() } else { format!(" | {rest}") };
    format!("{head} → after remediation: {}{suppressed}{rest} | exit status {code}", counts.join(", "))
}

#[cfg(test)]
mod line_tests {
    use super::*;
    use crate::finding::Status;

    #[test]
    fn the_line_after_remediation_shows_before_after_and_the_exit_status_of_the_re_audit() {
        let v = |status: Status| crate::report::Verdict {
            key: "k".into(),
            control: "1".into(),
            title: "t".into(),
            status,
            account: "111122223333".into(),
            region: None,
            message: String::new(),
            level: 1,
            assessment: "Automated".into(),
            custom: false,
            change: None,
            suppressed: None,
            chain: None,
        };
        let after = [v(Status::Pass), v(Status::Pass), v(Status::Fail)];
        let decided = crate::policy::outcome(&after, crate::policy::FailOn::Any);
        let line = remediated_line(
            "3 control verdicts: 3 FAIL | 1 account(s), 2 region(s) | 40 API calls in 1.0 s | exit status 1",
            &after,
            &decided,
            1,
        );
        assert_eq!(
            line,
            "3 control verdicts: 3 FAIL → after remediation: 2 PASS, 1 FAIL | 1 account(s), 2 region(s) | 40 API calls in 1.0 s | exit status 1"
        );
    }
}
