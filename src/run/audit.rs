//! `cis-audit audit`: scope → collect (or load) → evaluate → report, then remediation if asked.

use super::{now_rfc3339, scope, Access, RunError};
use crate::aws::Runtime;
use crate::catalog::{catalog, Control};
use crate::checks::{self, Context, EvalOptions};
use crate::finding::Evaluation;
use crate::inventory::{self, regions, store, CollectFatal, Inventory, Needs, Request, Target};
use crate::pattern::Judge;
use crate::report::{AccountScope, BenchmarkRef, Format, Report, ReportOptions, ScopeState};
use std::path::PathBuf;
use std::time::Instant;

/// Everything `audit` is asked to do.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub access: Access,
    /// `--regions`, unparsed.
    pub regions: Option<String>,
    pub benchmark: String,
    pub controls: Option<Vec<String>>,
    /// `--format`: one format or several (several need `output_dir`).
    pub formats: Vec<Format>,
    pub output: Option<PathBuf>,
    /// `--output-dir`: each format to its fixed file name there.
    pub output_dir: Option<PathBuf>,
    pub save_inventory: Option<PathBuf>,
    pub inventory: Option<PathBuf>,
    pub strict_patterns: bool,
    /// Colour the table (a terminal, and colour not refused).
    pub color: bool,
    /// Only errors and the closing summary line on stderr; no progress bar, no warnings.
    pub quiet: bool,
    pub remediation: Option<super::remediate::RemediateOptions>,
    /// `--send-to-security-hub`: import the ASFF findings (run::securityhub).
    pub send_to_security_hub: bool,
    /// Known exceptions of the configuration file.
    pub suppressions: Vec<crate::config::Suppression>,
    /// Custom monitoring controls of the configuration file.
    pub custom: Vec<crate::config::CustomControl>,
    /// `--baseline`: the report of an earlier run.
    pub baseline: Option<PathBuf>,
    pub fail_on: crate::report::compare::FailOn,
}

impl AuditOptions {
    /// Whether `--remediate` reports its outcome as JSON on standard output: JSON was asked for
    /// and no table takes standard output.
    pub fn json_outcome(&self) -> bool {
        self.formats.contains(&Format::Json) && !self.formats.contains(&Format::Table)
    }
}

/// The controls selected for a run: those of the benchmark, then the custom ones (all, or
/// those `only` names).
pub fn select(
    benchmark: &str,
    only: Option<&[String]>,
    custom: &[crate::config::CustomControl],
) -> Result<Vec<Control>, RunError> {
    let custom = crate::config::bind(custom, benchmark);
    let is_custom = |id: &String| custom.iter().any(|c| &c.id == id);
    let cis_only: Option<Vec<String>> = only.map(|ids| ids.iter().filter(|i| !is_custom(i)).cloned().collect());
    let mut out = match (&cis_only, only) {
        // Only custom controls named: none of the benchmark's.
        (Some(c), Some(all)) if c.is_empty() && !all.is_empty() => vec![],
        _ => catalog().select(benchmark, cis_only.as_deref())?,
    };
    out.extend(custom.into_iter().filter(|c| only.is_none_or(|ids| ids.contains(&c.id))));
    Ok(out)
}

/// Every suppression must name a control of the benchmark or a custom one.
fn check_suppressions(o: &AuditOptions) -> Result<(), RunError> {
    let b = catalog().benchmark(&o.benchmark)?;
    for s in &o.suppressions {
        let known = b.controls.iter().any(|c| c.id == s.control) || o.custom.iter().any(|c| c.id == s.control);
        if !known {
            return Err(RunError(format!(
                "{}: suppression names control '{}', which CIS v{} does not have and no [[control]] defines",
                s.at, s.control, o.benchmark
            )));
        }
    }
    Ok(())
}

/// Reads `--baseline`, refusing a report of another benchmark version before anything is
/// collected.
fn read_baseline(o: &AuditOptions) -> Result<Option<(String, Report)>, RunError> {
    let Some(path) = &o.baseline else { return Ok(None) };
    let name = path.display().to_string();
    let b = crate::report::compare::load_report(path).map_err(RunError)?;
    if b.benchmark.version != o.benchmark {
        return Err(RunError(format!(
            "baseline {name} is a report of CIS v{}; this run audits CIS v{} (use --benchmark {} or another baseline)",
            b.benchmark.version, o.benchmark, b.benchmark.version
        )));
    }
    Ok(Some((name, b)))
}

/// Collects an inventory of `targets` for `controls` (plus `extra` needs) from AWS.
pub async fn collect(
    access: &Access,
    regions: Option<&[String]>,
    controls: &[Control],
    extra: &Needs,
    rt: &Runtime,
    targets: &[Target],
    quiet: bool,
) -> Result<Inventory, RunError> {
    let needs = checks::needs(controls).union(extra);
    let progress = super::progress::Progress::new(targets.iter().filter(|t| !t.support).count(), rt, quiet);
    let tick = |d: inventory::AccountDone| progress.account_done(d);
    let req = Request {
        targets,
        regions,
        needs: &needs,
        rt,
        collected_at: now_rfc3339(),
        endpoint: access.aws.endpoint_for_messages(),
        progress: Some(&tick),
    };
    let inv = inventory::collect(&req).await;
    progress.finish();
    inv.map_err(|e| match e {
        CollectFatal::Region(r) => RunError(r.0),
        other => RunError(other.to_string()),
    })
}

/// Evaluates, with a judge over the built-in corpus.
pub fn evaluate(inv: &Inventory, controls: &[Control], strict: bool) -> Evaluation {
    let judge = Judge::new(checks::corpus_for(controls));
    checks::evaluate_with(&Context::new(inv, EvalOptions { strict_patterns: strict }, &judge), controls)
}

fn report(o: &AuditOptions, inv: &Inventory, eval: Evaluation, started: Instant) -> Result<Report, RunError> {
    let b = catalog().benchmark(&o.benchmark)?;
    Ok(Report::new(
        eval,
        BenchmarkRef { title: b.title.clone(), version: b.version.clone(), numbering: b.numbering.clone() },
        now_rfc3339(),
        ReportOptions {
            strict_patterns: o.strict_patterns,
            inventory: o.inventory.as_ref().map(|p| p.display().to_string()),
        },
        scope(inv),
        inv.api_calls.clone(),
        started.elapsed().as_millis() as u64,
    ))
}

/// Every account of the run: those audited (or failed), then those left out and why.
pub fn scope(inv: &Inventory) -> Vec<AccountScope> {
    let name = |id: &str| {
        inv.organization.as_ref().and_then(|o| o.accounts.iter().find(|a| a.id == id)).and_then(|a| a.name.clone())
    };
    let mut out: Vec<AccountScope> =
        inv.accounts
            .iter()
            .filter(|x| !x.support)
            .map(|x| AccountScope {
                account: x.account_id.clone(),
                name: name(&x.account_id),
                state: if x.error.is_some() { ScopeState::Failed } else { ScopeState::Audited },
                reason: x.error.as_ref().map(|e| {
                    format!("{e}{}", x.role_arn.as_deref().map(|r| format!(" (role {r})")).unwrap_or_default())
                }),
                regions: x.regions.clone(),
                regions_source: x.regions_source.clone(),
            })
            .collect();
    out.extend(inv.unaudited.iter().map(|u| AccountScope {
        account: u.account.clone(),
        name: u.name.clone(),
        state: u.state,
        reason: Some(u.reason.clone()),
        regions: vec![],
        regions_source: String::new(),
    }));
    out.sort_by(|a, b| a.account.cmp(&b.account));
    out
}

/// The home region: `--region`, else the configuration's (AWS_REGION, the profile), else us-east-1.
pub fn home_region(access: &Access, sessions: &[crate::aws::Session]) -> String {
    access
        .aws
        .region
        .clone()
        .or_else(|| sessions.first().and_then(|s| s.config.region().map(|x| x.to_string())))
        .unwrap_or_else(|| "us-east-1".into())
}

/// Writes `text` to `path` atomically.
pub fn write_report(path: &std::path::Path, text: &str) -> Result<(), RunError> {
    store::write_atomic(path, text.as_bytes(), store::Access::Shared)
        .map_err(|e| RunError(format!("cannot write report to {}: {e}", path.display())))
}

/// `cis-audit audit`. Returns the exit code.
pub async fn audit(o: AuditOptions) -> Result<i32, RunError> {
    let started = Instant::now();
    let outputs = super::output::destinations(&o.formats, o.output.as_deref(), o.output_dir.as_deref())?;
    let controls = select(&o.benchmark, o.controls.as_deref(), &o.custom)?;
    check_suppressions(&o)?;
    let baseline = read_baseline(&o)?;
    let requested = o
        .regions
        .as_deref()
        .map(|r| regions::parse_region_list(r, "--regions"))
        .transpose()
        .map_err(|e| RunError(e.0))?;
    if let Some(r) = &o.access.aws.region {
        regions::parse_region_list(r, "--region").map_err(|e| RunError(e.0))?;
    }
    let (inv, live) = match &o.inventory {
        Some(path) => (store::load(path).map_err(|e| RunError(e.to_string()))?, None),
        None => {
            let rt = Runtime::new(o.access.aws.concurrency, o.access.aws.account_concurrency);
            let reach = scope::reach(&o.access, &rt).await?;
            let sessions: Vec<_> = reach.targets.iter().map(|t| t.session.clone()).collect();
            let extra = match &o.remediation {
                Some(r) => Needs {
                    remediation: Some(r.inputs(&o, &home_region(&o.access, &sessions)).needs()),
                    ..Default::default()
                },
                None => Needs::default(),
            };
            let mut inv =
                collect(&o.access, requested.as_deref(), &controls, &extra, &rt, &reach.targets, o.quiet).await?;
            inv.organization = reach.organization;
            inv.unaudited = reach.not_audited;
            (inv, Some((rt, reach.targets)))
        }
    };
    if !o.quiet {
        for w in &inv.warnings {
            eprintln!("warning: {w}");
        }
    }
    if let Some(path) = &o.save_inventory {
        store::save(&inv, path).map_err(|e| RunError(e.to_string()))?;
    }
    let mut eval = evaluate(&inv, &controls, o.strict_patterns);
    let warnings =
        crate::report::compare::apply_suppressions(&mut eval.controls, &o.suppressions, &crate::config::today());
    if !o.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    // The evaluation is kept beside the report only when remediation plans from it.
    let (mut rep, eval) = match &o.remediation {
        Some(_) => (report(&o, &inv, eval.clone(), started)?, eval),
        None => (report(&o, &inv, eval, started)?, Evaluation::default()),
    };
    if let Some((name, b)) = &baseline {
        crate::report::compare::apply_baseline(&mut rep, b, name).map_err(RunError)?;
    }
    let exit = crate::report::compare::exit_status(&rep, o.fail_on);
    // Before the reports are written, so that their stats count the Security Hub calls.
    if let (true, Some((rt, targets))) = (o.send_to_security_hub, &live) {
        let sessions: Vec<crate::aws::Session> = targets.iter().map(|t| t.session.clone()).collect();
        super::securityhub::send(&mut rep, rt, &sessions).await;
    }
    super::output::write_all(&rep, &outputs, o.color, o.remediation.is_some())?;
    match (&o.remediation, live) {
        (Some(r), Some((rt, targets))) => {
            let run = super::remediate::Run {
                audit: &o,
                controls: &controls,
                inv: &inv,
                eval: &eval,
                report_controls: &rep.controls,
                rt: &rt,
                targets: &targets,
            };
            super::remediate::remediate(&run, r, requested.as_deref(), exit).await
        }
        _ => {
            let code = exit;
            // The process ends right after: freeing a large inventory and report piece by
            // piece would only delay the exit (a thousand accounts: a quarter of a second).
            std::mem::forget(rep);
            std::mem::forget(inv);
            Ok(code)
        }
    }
}
