//! `cis-audit merge`: several JSON reports (shards of an organization, separate accounts,
//! separate runs) rendered as one ([`crate::report::compare::merge`]).

use super::output::{destinations, write_all};
use super::RunError;
use crate::clock::now_rfc3339;
use crate::policy::FailOn;
use crate::report::compare::{load_report, merge};
use crate::report::Format;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct MergeOptions {
    pub reports: Vec<PathBuf>,
    pub formats: Vec<Format>,
    pub output: Option<PathBuf>,
    pub output_dir: Option<PathBuf>,
    pub fail_on: FailOn,
    pub quiet: bool,
}

/// Merges, writes, and returns the exit status of the merged verdicts.
pub(crate) fn run(o: &MergeOptions) -> Result<i32, RunError> {
    let outputs = destinations(&o.formats, o.output.as_deref(), o.output_dir.as_deref())?;
    let mut inputs = Vec::with_capacity(o.reports.len());
    for p in &o.reports {
        inputs.push((p.display().to_string(), load_report(p).map_err(RunError)?));
    }
    let (report, warnings) = merge(inputs, now_rfc3339(), o.fail_on).map_err(RunError)?;
    if !o.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    write_all(&report, &outputs, false, false)?;
    Ok(report.exit_status())
}
