//! `cis-audit audit`: scope → collect (or load) → evaluate → policy → report, then remediation
//! if asked.

pub(crate) use super::options::AuditOptions;
use super::pipeline::{collect, evaluate, home_region, scope, select};
use super::{scope as reach, RunError};
use crate::aws::Runtime;
use crate::catalog::catalog;
use crate::checks::{EvalOptions, Streamed};
use crate::clock::{now_rfc3339, today};
use crate::finding::Evaluation;
use crate::inventory::{regions, store, AccountInventory, Inventory, Needs};
use crate::policy::{self, ScopeKnowledge};
use crate::report::compare::base_verdicts;
use crate::report::{BaselineSummary, BenchmarkRef, Meta, Report, ReportOptions, ReportPolicy};
use std::collections::HashSet;
use std::time::Instant;

/// Reads `--baseline` before anything is collected. A baseline of another benchmark version is
/// compared by control key; the report notes it.
fn read_baseline(o: &AuditOptions) -> Result<Option<(String, Report)>, RunError> {
    let Some(path) = &o.baseline else { return Ok(None) };
    let b = crate::report::compare::load_report(path).map_err(RunError)?;
    Ok(Some((path.display().to_string(), b)))
}

/// The policy decided over the run's verdicts: suppressions, baseline marks, `--fail-on`.
/// Returns the report's policy, its baseline summary and notes, and the warnings to print.
pub(crate) fn decide(
    o: &AuditOptions,
    eval: &mut Evaluation,
    inv: &Inventory,
    baseline: Option<&(String, Report)>,
) -> (ReportPolicy, Option<BaselineSummary>, Vec<String>, Vec<String>) {
    let audited: HashSet<String> = inv.accounts.iter().filter(|a| !a.support).map(|a| a.account_id.clone()).collect();
    let knowledge = if o.partial_scope() { ScopeKnowledge::Partial } else { ScopeKnowledge::Whole };
    let (uses, warnings) =
        policy::apply_suppressions(&mut eval.controls, &o.suppressions, &today(), &audited, knowledge);
    let mut notes = o.notes.clone();
    let summary = baseline.map(|(name, b)| {
        let ch = policy::apply_baseline(&mut eval.controls, &base_verdicts(b));
        let other = (b.benchmark.version != o.benchmark).then(|| b.benchmark.version.clone());
        if let Some(v) = &other {
            notes.push(format!(
                "the baseline {name} is a report of CIS v{v}; its verdicts are matched by control key to this run's CIS v{}",
                o.benchmark
            ));
        }
        BaselineSummary {
            generated_at: b.generated_at.clone(),
            benchmark_version: Some(b.benchmark.version.clone()),
            new: ch.new,
            fixed: ch.fixed,
            still_failing: ch.still_failing,
            gone: ch.gone,
        }
    });
    let outcome = policy::outcome(&eval.controls, o.fail_on);
    (ReportPolicy::of(outcome, uses, o.partial_scope()), summary, notes, warnings)
}

/// The report of an evaluation the policy has decided.
pub(crate) fn build_report(
    o: &AuditOptions,
    inv: &Inventory,
    eval: Evaluation,
    decided: (ReportPolicy, Option<BaselineSummary>, Vec<String>),
    started: Instant,
) -> Result<Report, RunError> {
    let b = catalog().benchmark(&o.benchmark)?;
    let meta = Meta {
        benchmark: BenchmarkRef { title: b.title.clone(), version: b.version.clone(), numbering: b.numbering.clone() },
        generated_at: now_rfc3339(),
        options: ReportOptions {
            strict_patterns: o.strict_patterns,
            inventory: o.inventory.as_ref().map(|p| p.display().to_string()),
        },
        scope: scope(inv),
        api_calls: inv.api_calls.clone(),
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let (policy, baseline, notes) = decided;
    let mut r = Report::new(eval, meta, policy);
    r.baseline = baseline;
    r.notes = notes;
    Ok(r)
}

/// `cis-audit audit`. Returns the exit code.
pub(crate) async fn audit(o: AuditOptions) -> Result<i32, RunError> {
    let started = Instant::now();
    let outputs = super::output::destinations(&o.formats, o.output.as_deref(), o.output_dir.as_deref())?;
    let controls = select(&o.benchmark, o.controls.as_deref(), &o.custom)?;
    if !o.quiet {
        for n in &o.notes {
            eprintln!("note: {n}");
        }
        for w in &o.warnings {
            eprintln!("warning: {w}");
        }
    }
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
    // An audit without remediation evaluates each account as soon as it is read (or loaded) and
    // keeps only what the other accounts' verdicts may read (a live audit never holds an
    // organisation's raw inventory whole), its findings spilled to a temporary file; a live
    // audit's `--save-inventory` writes each account as it comes.
    let streaming = o.remediation.is_none();
    let live_streaming = streaming && o.inventory.is_none();
    let streamed = std::sync::Mutex::new(streaming.then(|| {
        Streamed::new(&controls, EvalOptions { strict_patterns: o.strict_patterns }, crate::report::Spill::new())
    }));
    let writer = match (&o.save_inventory, live_streaming) {
        (Some(path), true) => Some(store::InventoryWriter::create(path).map_err(|e| RunError(e.to_string()))?),
        _ => None,
    };
    let writer = std::sync::Mutex::new(writer);
    let seal = |acct: AccountInventory, collected_at: &str| -> AccountInventory {
        if let Some(w) = writer.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            w.account(&acct, collected_at);
        }
        match streamed.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            Some(s) => s.account(acct, collected_at),
            None => acct,
        }
    };
    let (mut inv, live) = match &o.inventory {
        Some(path) => (store::load(path).map_err(|e| RunError(e.to_string()))?, None),
        None => {
            let rt = Runtime::new(o.access.aws.bounds);
            let reached = reach::reach(&o.access, &rt).await?;
            let sessions: Vec<_> = reached.targets.iter().map(|t| t.session.clone()).collect();
            let extra = match &o.remediation {
                Some(r) => Needs {
                    remediation: Some(r.inputs(&o, &home_region(&o.access, &sessions)).needs()),
                    ..Default::default()
                },
                None => Needs::default(),
            };
            let extra = Needs { evidence_days: o.evidence_days, ..extra };
            let seal: Option<&crate::inventory::Seal<'_>> =
                live_streaming.then_some(&seal as &crate::inventory::Seal<'_>);
            let mut inv =
                collect(&o.access, requested.as_deref(), &controls, &extra, &rt, &reached.targets, o.quiet, seal)
                    .await?;
            inv.organization = reached.organization;
            inv.unaudited = reached.not_audited;
            inv.warnings.extend(reached.warnings);
            (inv, Some((rt, reached.targets)))
        }
    };
    if !o.quiet {
        for w in &inv.warnings {
            eprintln!("warning: {w}");
        }
    }
    match (writer.into_inner().unwrap_or_else(|e| e.into_inner()), &o.save_inventory) {
        (Some(w), _) => w.finish(&mut inv).map_err(|e| RunError(e.to_string()))?,
        (None, Some(path)) => store::save(&inv, path).map_err(|e| RunError(e.to_string()))?,
        (None, None) => {}
    }
    // A loaded inventory is evaluated account by account as a live one is (once saved, if asked:
    // what is saved is the whole inventory).
    if o.inventory.is_some() {
        if let Some(s) = streamed.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let accounts = std::mem::take(&mut inv.accounts);
            inv.accounts = accounts.into_iter().map(|a| s.account(a, &inv.collected_at)).collect();
        }
    }
    // A streamed evaluation's findings are already in their temporary file: only the verdicts
    // are in memory.
    let (mut eval, spilled) = match streamed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(s) => {
            let (controls, groups, spill) = s.finish(&inv);
            (Evaluation { controls, findings: Vec::new() }, Some(spill.finish(groups)))
        }
        None => (evaluate(&inv, &controls, o.strict_patterns), None),
    };
    let (policy, summary, notes, warnings) = decide(&o, &mut eval, &inv, baseline.as_ref());
    if !o.quiet {
        for n in notes.iter().skip(o.notes.len()) {
            eprintln!("note: {n}");
        }
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    // The evaluation is kept beside the report only when remediation plans from it.
    let keep = o.remediation.is_some().then(|| eval.clone());
    let mut rep = build_report(&o, &inv, eval, (policy, summary, notes), started)?;
    if let Some(findings) = spilled {
        rep.findings = findings;
    }
    // Rendering needs only the report: the raw inventory (a thousand accounts' worth) is freed
    // first, unless remediation plans from it.
    let inv = if o.remediation.is_some() {
        Some(inv)
    } else {
        drop(inv);
        None
    };
    // Before the reports are written, so that their stats count the Security Hub calls.
    if let (true, Some((rt, targets))) = (o.send_to_security_hub, &live) {
        let sessions: Vec<crate::aws::Session> = targets.iter().map(|t| t.session.clone()).collect();
        super::securityhub::send(&mut rep, rt, &sessions).await;
    }
    match (&o.remediation, live, keep, inv) {
        (Some(r), Some((rt, targets)), Some(eval), Some(inv)) => {
            let (written, _) = super::output::write_reports(&rep, &outputs, o.color, true)?;
            let run = super::remediate::Run {
                audit: &o,
                controls: &controls,
                inv: &inv,
                eval: &eval,
                report: &rep,
                rt: &rt,
                targets: &targets,
                written: &written,
            };
            super::remediate::remediate(&run, r, requested.as_deref()).await
        }
        _ => {
            super::output::write_all(&rep, &outputs, o.color, false)?;
            let code = rep.exit_status();
            // The process ends right after: freeing a large report piece by piece would only
            // delay the exit.
            std::mem::forget(rep);
            Ok(code)
        }
    }
}
