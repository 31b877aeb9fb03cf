//! `cis-audit audit`: scope → collect (or load) → evaluate → report, then remediation if asked.

use super::{now_rfc3339, sessions, Access, RunError};
use crate::aws::Runtime;
use crate::catalog::{catalog, Control};
use crate::checks::{self, Context, EvalOptions};
use crate::finding::Evaluation;
use crate::inventory::{self, regions, store, CollectFatal, Inventory, Needs, Request, Target};
use crate::pattern::{Corpus, Judge};
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
    pub remediation: Option<super::remediate::RemediateOptions>,
    /// `--send-to-security-hub`: import the ASFF findings (run::securityhub).
    pub send_to_security_hub: bool,
}

impl AuditOptions {
    /// Whether `--remediate` reports its outcome as JSON on standard output: JSON was asked for
    /// and no table takes standard output.
    pub fn json_outcome(&self) -> bool {
        self.formats.contains(&Format::Json) && !self.formats.contains(&Format::Table)
    }
}

/// The controls selected for a run.
pub fn select(benchmark: &str, only: Option<&[String]>) -> Result<Vec<Control>, RunError> {
    Ok(catalog().select(benchmark, only)?)
}

/// The sessions, runtime and collection of one run, kept for remediation's re-audit.
pub struct Collected {
    pub inv: Inventory,
    pub rt: Runtime,
    pub sessions: Vec<crate::aws::Session>,
}

/// Collects an inventory for `controls` (plus `extra` needs) from AWS.
pub async fn collect(
    access: &Access,
    regions: Option<&[String]>,
    controls: &[Control],
    extra: &Needs,
    existing: Option<(&Runtime, &[crate::aws::Session])>,
) -> Result<Collected, RunError> {
    let (rt, sessions) = match existing {
        Some((rt, s)) => (rt.clone(), s.to_vec()),
        None => {
            let rt = Runtime::new(access.aws.concurrency, access.aws.account_concurrency);
            let s = sessions(access, &rt).await?;
            (rt, s)
        }
    };
    let needs = checks::needs(controls).union(extra);
    let targets: Vec<Target> = sessions.iter().map(|s| Target { session: s.clone() }).collect();
    let req = Request {
        targets: &targets,
        regions,
        needs: &needs,
        rt: &rt,
        collected_at: now_rfc3339(),
        endpoint: access.aws.endpoint_for_messages(),
    };
    let inv = inventory::collect(&req).await.map_err(|e| match e {
        CollectFatal::Region(r) => RunError(r.0),
        other => RunError(other.to_string()),
    })?;
    Ok(Collected { inv, rt, sessions })
}

/// Evaluates, with a judge over the built-in corpus.
pub fn evaluate(inv: &Inventory, controls: &[Control], strict: bool) -> Evaluation {
    let judge = Judge::new(Corpus::builtin());
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
        inv.accounts
            .iter()
            .map(|x| AccountScope {
                account: x.account_id.clone(),
                name: None,
                state: if x.error.is_some() { ScopeState::Failed } else { ScopeState::Audited },
                reason: x.error.as_ref().map(|e| e.to_string()),
                regions: x.regions.clone(),
                regions_source: x.regions_source.clone(),
            })
            .collect(),
        inv.api_calls.clone(),
        started.elapsed().as_millis() as u64,
    ))
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
    let controls = select(&o.benchmark, o.controls.as_deref())?;
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
            let sessions = sessions(&o.access, &rt).await?;
            let extra = match &o.remediation {
                Some(r) => Needs {
                    remediation: Some(r.inputs(&o, &home_region(&o.access, &sessions)).needs()),
                    ..Default::default()
                },
                None => Needs::default(),
            };
            let c = collect(&o.access, requested.as_deref(), &controls, &extra, Some((&rt, &sessions))).await?;
            (c.inv, Some((c.rt, c.sessions)))
        }
    };
    for w in &inv.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(path) = &o.save_inventory {
        store::save(&inv, path).map_err(|e| RunError(e.to_string()))?;
    }
    let eval = evaluate(&inv, &controls, o.strict_patterns);
    let mut rep = report(&o, &inv, eval.clone(), started)?;
    // Before the reports are written, so that their stats count the Security Hub calls.
    if let (true, Some((rt, sessions))) = (o.send_to_security_hub, &live) {
        super::securityhub::send(&mut rep, rt, sessions).await;
    }
    super::output::write_all(&rep, &outputs, o.color, o.remediation.is_some())?;
    match (&o.remediation, live) {
        (Some(r), Some((rt, sessions))) => {
            let run = super::remediate::Run {
                audit: &o,
                controls: &controls,
                inv: &inv,
                eval: &eval,
                rt: &rt,
                sessions: &sessions,
            };
            super::remediate::remediate(&run, r, requested.as_deref(), rep.exit_code()).await
        }
        _ => Ok(rep.exit_code()),
    }
}
