//! `audit --remediate` and `rollback`: from failing controls to a typed, printable, journaled
//! and reversible plan.
//!
//! audit → facts ([`apply::facts`]) → [`plan::build`] (pure) → print → confirm → [`apply::apply`]
//! (journaled, [`journal`]) → re-audit of the affected controls → before → after.
//! [`rollback::rollback`] undoes a journal newest first.

pub mod apply;
pub mod journal;
pub mod plan;
pub mod rollback;

use crate::aws::{self, AwsOptions, Runtime};
use crate::catalog::Control;
use crate::checks::{self, EvalOptions, Evaluation};
use crate::cli::{AuditArgs, AwsArgs, Format};
use crate::finding::{rollup, Status};
use crate::inventory::Inventory;
use clap::Args;
use journal::{EntryState, Journal};
use plan::{Inputs, Notify, Plan};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// Options of `audit --remediate` (flattened into the audit's options).
#[derive(Debug, Clone, Default, Args)]
pub struct RemediateArgs {
    /// After the audit, plan fixes for the FAILing controls, print each as its AWS CLI command,
    /// and apply them (asking first on a terminal). Never deletes anything.
    #[arg(long, conflicts_with = "inventory", help_heading = "Remediation")]
    pub remediate: bool,
    /// Apply the plan without asking.
    #[arg(long, requires = "remediate", help_heading = "Remediation")]
    pub yes: bool,
    /// Print the plan (JSON with --format json) and change nothing.
    #[arg(long, requires = "remediate", help_heading = "Remediation")]
    pub dry_run: bool,
    /// Who receives the alarms: email:ADDRESS, https:URL, sms:+NUMBER, lambda:ARN, sqs:ARN
    /// (repeatable).
    #[arg(long, value_name = "PROTOCOL:ENDPOINT", help_heading = "Remediation")]
    pub notify: Vec<Notify>,
    /// SNS topic every new alarm notifies, created in the log group's region if missing
    /// [default: cis-security-alarms, or an existing topic in that region that alarms already
    /// notify and someone has confirmed a subscription to].
    #[arg(long, help_heading = "Remediation")]
    pub topic_name: Option<String>,
    /// Namespace of the metrics new metric filters publish.
    #[arg(long, default_value = "CISBenchmark", help_heading = "Remediation")]
    pub metric_namespace: String,
    /// Name of the trail to create when no multi-region trail exists.
    #[arg(long, default_value = "cis-multi-region-trail", help_heading = "Remediation")]
    pub trail_name: String,
    /// Existing S3 bucket for a new trail's log files.
    #[arg(long, value_name = "BUCKET", help_heading = "Remediation")]
    pub trail_bucket: Option<String>,
    /// CloudWatch Logs group for a trail that delivers to none (created if missing).
    #[arg(long, default_value = "cis-cloudtrail-logs", help_heading = "Remediation")]
    pub log_group: String,
    /// IAM role CloudTrail assumes to write to CloudWatch Logs.
    #[arg(long, value_name = "ARN", help_heading = "Remediation")]
    pub cloudtrail_logs_role_arn: Option<String>,
    /// IAM role AWS Config uses for a new recorder.
    #[arg(long, value_name = "ARN", help_heading = "Remediation")]
    pub config_role_arn: Option<String>,
    /// Existing S3 bucket for a new AWS Config delivery channel.
    #[arg(long, value_name = "BUCKET", help_heading = "Remediation")]
    pub config_bucket: Option<String>,
    /// Where to write the journal [default: reports/out/remediation-<time>.json].
    #[arg(long, value_name = "FILE", help_heading = "Remediation")]
    pub journal: Option<PathBuf>,
}

/// `cis-audit rollback JOURNAL`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The journal a remediation wrote.
    pub journal: PathBuf,
}

fn aws_options(a: &AwsArgs) -> AwsOptions {
    AwsOptions {
        profile: a.profile.clone(),
        region: a.region.clone(),
        endpoint_url: a.endpoint_url.clone(),
        role_arns: a.role_arns.clone(),
        external_id: a.external_id.clone(),
        call_timeout: Duration::from_secs(a.call_timeout.max(1)),
        concurrency: a.concurrency,
    }
}

#[derive(Debug, Serialize)]
struct StepOutcome {
    step: usize,
    state: EntryState,
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct ControlChange {
    control: String,
    account: String,
    region: Option<String>,
    before: Status,
    after: Status,
    message: String,
}

#[derive(Debug, Serialize)]
struct Outcome {
    plan: Plan,
    applied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    journal: Option<String>,
    steps: Vec<StepOutcome>,
    controls: Vec<ControlChange>,
}

fn print_plan(out: &mut impl Write, p: &Plan) {
    if p.steps.is_empty() {
        let _ = writeln!(out, "\nRemediation plan: nothing to change.");
    } else {
        let manual = p.steps.len() - p.automatic();
        let _ = writeln!(
            out,
            "\nRemediation plan: {} step(s), {} automatic{}",
            p.steps.len(),
            p.automatic(),
            if manual > 0 { format!(", {manual} MANUAL") } else { String::new() }
        );
        for s in &p.steps {
            let tag = match &s.manual {
                None => String::new(),
                Some(m) if m.missing.is_empty() => format!(" MANUAL ({})", m.reason),
                Some(m) => format!(" MANUAL: missing {} ({})", m.missing.join(", "), m.reason),
            };
            let _ = writeln!(
                out,
                "  {:>2}. [{}] {} {} {}{tag}",
                s.id,
                s.controls.join(","),
                s.account,
                s.action.operation(),
                s.action.resource()
            );
            let _ = writeln!(out, "      $ {}", s.command);
        }
    }
    if !p.notes.is_empty() {
        let _ = writeln!(out, "Notes:");
        for n in &p.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
}

fn exit_code(statuses: impl IntoIterator<Item = Status>) -> i32 {
    match rollup(statuses) {
        Some(Status::Error) => 2,
        Some(Status::Fail) => 1,
        _ => 0,
    }
}

/// `audit --remediate`, after the audit's own report was printed. `audit_exit` is the audit's
/// exit code, returned when nothing is applied.
pub async fn run(
    a: &AuditArgs,
    controls: &[Control],
    inv: &Inventory,
    eval: &Evaluation,
    audit_exit: i32,
) -> Result<i32, String> {
    let r = &a.remediation;
    let json = a.format == Format::Json;
    let opts = aws_options(&a.aws);
    let rt = Runtime::new(opts.concurrency);
    let sessions = aws::sessions(&opts, &rt).await.map_err(|e| e.0)?;
    let home = a
        .aws
        .region
        .clone()
        .or_else(|| sessions.first().and_then(|s| s.config.region().map(|x| x.to_string())))
        .unwrap_or_else(|| "us-east-1".into());
    let inputs = Inputs {
        benchmark: a.benchmark.clone(),
        strict_patterns: a.strict_patterns,
        home_region: home,
        notify: r.notify.clone(),
        topic_name: r.topic_name.clone().unwrap_or_else(|| "cis-security-alarms".into()),
        reuse_confirmed_topic: r.topic_name.is_none(),
        metric_namespace: r.metric_namespace.clone(),
        trail_name: r.trail_name.clone(),
        trail_bucket: r.trail_bucket.clone(),
        log_group: r.log_group.clone(),
        cloudtrail_logs_role_arn: r.cloudtrail_logs_role_arn.clone(),
        config_role_arn: r.config_role_arn.clone(),
        config_bucket: r.config_bucket.clone(),
    };
    let failing = |kind: crate::catalog::CheckKind| {
        controls
            .iter()
            .filter(|c| c.def.check == kind)
            .any(|c| eval.controls.iter().any(|x| x.control == c.id && x.status == Status::Fail))
    };
    let monitoring = failing(crate::catalog::CheckKind::MetricFilterChain);
    let trail = failing(crate::catalog::CheckKind::CloudtrailMultiRegion);
    let ctx = apply::Ctx { sessions: &sessions, rt: &rt };
    let facts = if monitoring || trail { apply::facts(&ctx, inv, &inputs, monitoring, trail).await } else { vec![] };
    let plan = plan::build(inv, eval, controls, &inputs, &facts);

    let mut outcome =
        Outcome { plan: plan.clone(), applied: false, refused: None, journal: None, steps: vec![], controls: vec![] };
    let mut stdout = std::io::stdout().lock();
    if !json {
        print_plan(&mut stdout, &plan);
    }
    let finish = |outcome: &Outcome, code: i32| {
        if json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(outcome).expect("outcome serialises"));
        }
        code
    };
    if plan.automatic() == 0 {
        if !json && !plan.steps.is_empty() {
            let _ = writeln!(
                stdout,
                "Nothing cis-audit can apply by itself: supply the missing values above, or do the MANUAL steps."
            );
        }
        drop(stdout);
        return Ok(finish(&outcome, audit_exit));
    }
    if r.dry_run {
        if !json {
            let _ = writeln!(stdout, "Dry run: nothing was changed.");
        }
        drop(stdout);
        return Ok(finish(&outcome, audit_exit));
    }
    if !r.yes {
        if !std::io::stdin().is_terminal() {
            let msg = "refusing to apply the plan: standard input is not a terminal, so cis-audit cannot ask for confirmation. Re-run with --yes to apply it unattended, or with --dry-run to only print it.".to_string();
            eprintln!("error: {msg}");
            outcome.refused = Some(msg);
            drop(stdout);
            return Ok(finish(&outcome, 2));
        }
        let _ = stdout.flush();
        eprint!("Apply the {} automatic step(s) above? [y/N] ", plan.automatic());
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if !matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            eprintln!("Nothing was changed.");
            outcome.refused = Some("not confirmed".into());
            drop(stdout);
            return Ok(finish(&outcome, audit_exit));
        }
    }

    // Apply, journaled.
    let started = crate::cli::now_rfc3339();
    let path = r.journal.clone().unwrap_or_else(|| Journal::default_path(&started));
    let mut j = Journal::new(&plan, path.clone(), started);
    if !json {
        let _ = writeln!(stdout, "\nApplying (journal: {}):", path.display());
        let _ = stdout.flush();
    }
    drop(stdout);
    let mut report = |e: &journal::Entry| {
        if !json {
            let state = format!("{:?}", e.state).to_uppercase();
            println!(
                "  {:>2}. {:<9} {}{}",
                e.step,
                state,
                e.action.resource(),
                e.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
            );
        }
    };
    let ok = apply::apply(&ctx, &mut j, &mut report).await?;
    outcome.applied = true;
    outcome.journal = Some(path.display().to_string());
    outcome.steps =
        j.entries.iter().map(|e| StepOutcome { step: e.step, state: e.state, message: e.message.clone() }).collect();
    eprintln!("Journal written to {} (undo with: cis-audit rollback {})", path.display(), path.display());

    // Re-audit the controls the plan served.
    let mut affected: Vec<String> = plan.steps.iter().flat_map(|s| s.controls.clone()).collect();
    affected.sort();
    affected.dedup();
    let again: Vec<Control> = controls.iter().filter(|c| affected.contains(&c.id)).cloned().collect();
    let requested = a.regions.as_deref().map(crate::scope::parse_region_list).transpose()?;
    let inv2 = crate::cli::collect(a, &again, requested).await?;
    let eval2 = checks::evaluate(&inv2, &a.benchmark, &again, EvalOptions { strict_patterns: a.strict_patterns });
    for after in &eval2.controls {
        let before = eval
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
    if !json {
        println!("\nBefore → after:");
        for c in &outcome.controls {
            println!(
                "  {:<5} {} {}{} → {}  {}",
                c.control,
                c.account,
                c.region.as_deref().map(|r| format!("{r} ")).unwrap_or_default(),
                c.before,
                c.after,
                if c.after == Status::Pass { String::new() } else { c.message.clone() }
            );
        }
        let pending: Vec<&String> = plan.notes.iter().filter(|n| n.contains("pending")).collect();
        if !pending.is_empty() {
            println!("\nLeft to do:");
            for n in pending {
                println!("  - {n}");
            }
        }
    }
    let statuses = eval
        .controls
        .iter()
        .filter(|c| !affected.contains(&c.control))
        .map(|c| c.status)
        .chain(eval2.controls.iter().map(|c| c.status));
    let code = if ok { exit_code(statuses) } else { 2 };
    if !ok {
        eprintln!(
            "error: a remediation step failed; the journal says what was done (undo it with cis-audit rollback {})",
            path.display()
        );
    }
    Ok(finish(&outcome, code))
}

/// `cis-audit rollback JOURNAL`. Exit 0 when everything applied is undone (or was already),
/// 2 when something was refused or failed, or the journal is unreadable.
pub fn rollback_command(a: RollbackArgs) -> i32 {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(rollback_async(a)) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            2
        }
    }
}

async fn rollback_async(a: RollbackArgs) -> Result<i32, String> {
    let mut j = Journal::load(&a.journal)?;
    let opts = aws_options(&a.aws);
    let rt = Runtime::new(opts.concurrency);
    let sessions = aws::sessions(&opts, &rt).await.map_err(|e| e.0)?;
    let ctx = apply::Ctx { sessions: &sessions, rt: &rt };
    println!("Rolling back {} ({} step(s) in the plan):", a.journal.display(), j.entries.len());
    let mut n = 0;
    let ok = rollback::rollback(&ctx, &mut j, &mut |step, rec| {
        n += 1;
        println!("  {:>2}. {:<15} {}", step, format!("{:?}", rec.state).to_uppercase(), rec.message);
    })
    .await?;
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
