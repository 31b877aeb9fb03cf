//! What `audit` (and its `--remediate`) is asked to do: the options the command line fills.

use super::Access;
use crate::catalog::cis;
use crate::policy::{FailOn, Suppression};
use crate::remediate::{Inputs, Notify, Route};
use crate::report::Format;
use std::path::PathBuf;

/// Everything `audit` is asked to do.
#[derive(Debug, Clone)]
pub(crate) struct AuditOptions {
    pub access: Access,
    /// `--regions`, unparsed.
    pub regions: Option<String>,
    pub benchmark: String,
    /// The controls to evaluate, as keys (None: all).
    pub controls: Option<Vec<String>>,
    /// `--format`: one format or several (several need `output_dir`).
    pub formats: Vec<Format>,
    pub output: Option<PathBuf>,
    /// `--output-dir`: each format to its fixed file name there.
    pub output_dir: Option<PathBuf>,
    pub save_inventory: Option<PathBuf>,
    pub inventory: Option<PathBuf>,
    pub strict_patterns: bool,
    /// `--evidence-days`: days of history the monitoring controls read (0: none).
    pub evidence_days: u32,
    /// Colour the table (a terminal, and colour not refused).
    pub color: bool,
    /// Only errors and the closing summary line on stderr; no progress bar, no warnings.
    pub quiet: bool,
    pub remediation: Option<RemediateOptions>,
    /// `--send-to-security-hub`: import the ASFF findings (run::securityhub).
    pub send_to_security_hub: bool,
    /// Known exceptions of the configuration file, resolved to keys.
    pub suppressions: Vec<Suppression>,
    /// Custom monitoring controls of the configuration file.
    pub custom: Vec<crate::catalog::custom::CustomControl>,
    /// What reading the configuration's control numbers in this run's version has to say.
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    /// `--baseline`: the report of an earlier run.
    pub baseline: Option<PathBuf>,
    pub fail_on: FailOn,
}

impl AuditOptions {
    /// Whether `--remediate` reports its outcome as JSON on standard output: JSON was asked for
    /// and no table takes standard output.
    pub(crate) fn json_outcome(&self) -> bool {
        self.formats.contains(&Format::Json) && !self.formats.contains(&Format::Table)
    }

    /// Whether the run audits one shard of the scope (so that whether a suppression matched
    /// nothing is for `merge` to say).
    pub(crate) fn partial_scope(&self) -> bool {
        self.access.organization.as_ref().is_some_and(|o| o.shard.is_some())
    }
}

/// The remediation options of `audit`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RemediateOptions {
    pub yes: bool,
    pub dry_run: bool,
    pub notify: Vec<Notify>,
    pub topic_name: Option<String>,
    pub metric_namespace: String,
    pub trail_name: String,
    pub trail_bucket: Option<String>,
    pub log_group: String,
    pub cloudtrail_logs_role_arn: Option<String>,
    pub config_role_arn: Option<String>,
    pub config_bucket: Option<String>,
    pub journal: Option<PathBuf>,
    pub route: Route,
    pub remediate_default_sg: bool,
    pub flow_logs_role_arn: Option<String>,
    pub flow_logs_log_group: String,
}

impl RemediateOptions {
    pub(crate) fn inputs(&self, o: &AuditOptions, home_region: &str) -> Inputs {
        Inputs {
            benchmark: o.benchmark.clone(),
            strict_patterns: o.strict_patterns,
            home_region: home_region.to_string(),
            notify: self.notify.clone(),
            topic_name: self.topic_name.clone().unwrap_or_else(|| cis::TOPIC_NAME.into()),
            reuse_confirmed_topic: self.topic_name.is_none(),
            metric_namespace: self.metric_namespace.clone(),
            trail_name: self.trail_name.clone(),
            trail_bucket: self.trail_bucket.clone(),
            log_group: self.log_group.clone(),
            cloudtrail_logs_role_arn: self.cloudtrail_logs_role_arn.clone(),
            config_role_arn: self.config_role_arn.clone(),
            config_bucket: self.config_bucket.clone(),
            route: self.route,
            remediate_default_sg: self.remediate_default_sg,
            flow_logs_role_arn: self.flow_logs_role_arn.clone(),
            flow_logs_log_group: self.flow_logs_log_group.clone(),
            yes: self.yes,
        }
    }
}
