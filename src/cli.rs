//! The command-line front end: clap types, and their translation into the options of
//! [`crate::run`]. Nothing else.

use crate::aws::{AwsOptions, Bounds};
use crate::catalog::{cis, DEFAULT_BENCHMARK};
use crate::config::Config;
use crate::policy::FailOn;
use crate::remediate::{Notify, Route};
use crate::report::Format;
use crate::run::scope::{OrgOptions, Shard};
use crate::run::{self, audit::AuditOptions, remediate::RemediateOptions, Access, RunError};
use clap::builder::TypedValueParser;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

const EXIT_CODES: &str = "Exit status:
  0  every evaluated control passed (or is MANUAL / SKIPPED)
  1  at least one control FAILED
  2  a control could not be evaluated (ERROR), or the invocation was wrong
     (bad option, unknown control / benchmark / region, unreachable endpoint, bad credentials).
     ERROR takes precedence over FAIL.
130 a remediation was interrupted (Ctrl-C, SIGTERM) between two steps; roll it back from its journal";

#[derive(Debug, Parser)]
#[command(
    name = "cis-audit",
    version,
    about = "Audit an AWS account against the CIS AWS Foundations Benchmark: CloudTrail, AWS Config and the monitoring controls, with evidence for every verdict",
    after_help = EXIT_CODES
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once
pub(crate) enum Command {
    /// Collect an inventory from AWS (or load a saved one) and evaluate the controls.
    #[command(after_help = EXIT_CODES)]
    Audit(AuditArgs),
    /// Work with CloudWatch Logs filter patterns before deploying them.
    #[command(subcommand)]
    Pattern(PatternCommand),
    /// Undo what `audit --remediate` applied, from its journal, newest first. Refuses to touch
    /// a resource that changed since; running it twice is harmless.
    Rollback(RollbackArgs),
    /// Join JSON reports (shards, accounts, runs) into one report: every account's verdicts, the
    /// scope joined, the stats summed; the newer verdict wins where two reports hold the same.
    /// Exit status from the merged verdicts, as for `audit`.
    #[command(after_help = EXIT_CODES)]
    Merge(MergeArgs),
    /// Fire drill (opt-in, makes changes): in each region, make the harmless real change a
    /// monitoring control must catch, on resources it creates and tags `cis-audit-drill`, and
    /// follow the alert link by link — CloudTrail record, metric data point, alarm, action, SNS
    /// delivery to a temporary SQS queue, subscribers. Prints its plan and asks first (or --yes);
    /// removes everything it created at the end, on Ctrl-C, or by `cis-audit rollback JOURNAL`.
    /// Exit 0: every alert arrived; 1: one stopped at a link; 2: the drill could not run;
    /// 130: interrupted (cleaned up).
    Drill(DrillArgs),
    /// Print the IAM policy (JSON) cis-audit needs: the read-only audit, and what
    /// --remediation, --organization, --security-hub and --drill add.
    IamPolicy {
        /// Add what `audit --remediate` and `rollback` need.
        #[arg(long)]
        remediation: bool,
        /// Add what `drill` (and the rollback of its journal) needs.
        #[arg(long)]
        drill: bool,
        /// Add what `--organization` needs in the management account (and sts:AssumeRole on
        /// the member role).
        #[arg(long)]
        organization: bool,
        /// Add what `--send-to-security-hub` needs.
        #[arg(long)]
        security_hub: bool,
        /// The member role of --organization.
        #[arg(long, default_value = "OrganizationAccountAccessRole", value_name = "NAME")]
        member_role: String,
        /// Roles audited with `audit --role-arn` (ARNs; `*` allowed): sts:AssumeRole on them.
        #[arg(long = "role-arn", value_name = "ARN")]
        role_arns: Vec<String>,
        /// The partition of the accounts (aws, aws-us-gov, aws-cn): the member role's ARN.
        #[arg(long, default_value = "aws", value_parser = ["aws", "aws-us-gov", "aws-cn"])]
        partition: String,
        /// Print the permission lists as markdown (the README's) instead.
        #[arg(long, conflicts_with = "cloudformation")]
        markdown: bool,
        /// Print the CloudFormation template (YAML) of a read-only member role for a StackSet
        /// instead: named --member-role (default CisAuditReadOnly), trusted by the auditing
        /// account (a template parameter), with the audit's reads (and --security-hub's import).
        #[arg(long)]
        cloudformation: bool,
    },
    /// List the controls of a benchmark version: id, level, assessment, whether cis-audit
    /// evaluates it or reports it MANUAL, its key and its title (with --json: its patterns and
    /// events too; with --markdown: every control of every version as one table).
    Controls {
        #[arg(long, default_value = DEFAULT_BENCHMARK)]
        benchmark: String,
        /// Print the controls as JSON: id, key, title, level, assessment, check, patterns, events.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print every control of every version as a markdown table (the README's).
        #[arg(long)]
        markdown: bool,
    },
    /// Explain a control: its ids and titles in every version, what cis-audit checks, the
    /// audit steps, the rationale, and what --remediate does.
    Explain {
        /// A control key (security-group-changes) or a CIS id of --benchmark (4.10).
        control: String,
        /// The version a CIS id is read in.
        #[arg(long, default_value = DEFAULT_BENCHMARK)]
        benchmark: String,
    },
}

#[derive(Debug, Clone, Args)]
pub(crate) struct AwsArgs {
    /// Named profile from the AWS config files [default: AWS_PROFILE, then the default chain].
    #[arg(long)]
    pub profile: Option<String>,
    /// Home region for global calls (STS, Account, Organizations) [default: AWS_REGION, the profile's, us-east-1].
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS request to this URL (an emulator or a proxy) [default: AWS_ENDPOINT_URL].
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Assume this role and work in its account; repeat for several accounts in one run.
    #[arg(long = "role-arn", value_name = "ARN")]
    pub role_arns: Vec<String>,
    /// External id for --role-arn and for --member-role's sessions.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Per-attempt timeout of one API call, in seconds.
    #[arg(long, default_value_t = 20)]
    pub call_timeout: u64,
    /// Maximum API calls in flight, all accounts together.
    #[arg(long, default_value_t = Bounds::DEFAULT.concurrency)]
    pub concurrency: usize,
    /// Maximum API calls in flight to any one account.
    #[arg(long, default_value_t = Bounds::DEFAULT.account)]
    pub account_concurrency: usize,
    /// Maximum API calls in flight to one service in one region of one account (AWS throttles
    /// each service per account and region; a global service such as IAM counts as one region).
    #[arg(long, default_value_t = Bounds::DEFAULT.region)]
    pub region_concurrency: usize,
}

/// `audit --organization` and the options that narrow it.
#[derive(Debug, Clone, Args)]
pub(crate) struct OrgArgs {
    /// Audit every ACTIVE account of the caller's AWS Organization (the caller must be its
    /// management account or a delegated administrator): the caller's own account with its own
    /// credentials, every other through --member-role.
    #[arg(long, conflicts_with = "role_arns")]
    pub organization: bool,
    /// The role assumed in each member account with --organization.
    #[arg(long, default_value = "OrganizationAccountAccessRole", value_name = "NAME")]
    pub member_role: String,
    /// With --organization: only these accounts (comma-separated ids).
    #[arg(long, value_name = "ID,ID")]
    pub accounts: Option<String>,
    /// With --organization: leave these accounts out (comma-separated ids).
    #[arg(long, value_name = "ID,ID")]
    pub exclude_accounts: Option<String>,
    /// With --organization: audit the K-th of N stable, balanced slices of the accounts (by
    /// account id), e.g. 2/4; N jobs with 1/N … N/N cover the organization exactly once.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

impl OrgArgs {
    /// The organization options; an error when one is given without --organization (on the
    /// command line or in the configuration file).
    fn options(&self, m: &ArgMatches) -> Result<Option<OrgOptions>, RunError> {
        if !self.organization {
            for (id, flag) in [
                ("member_role", "--member-role"),
                ("accounts", "--accounts"),
                ("exclude_accounts", "--exclude-accounts"),
                ("shard", "--shard"),
            ] {
                if given(m, id) {
                    return Err(RunError(format!(
                        "{flag} needs --organization (or organization = true in the configuration)"
                    )));
                }
            }
            return Ok(None);
        }
        Ok(Some(OrgOptions {
            member_role: self.member_role.clone(),
            only: self.accounts.as_deref().map(split_list),
            exclude: self.exclude_accounts.as_deref().map(split_list).unwrap_or_default(),
            shard: self.shard,
        }))
    }
}

impl AwsArgs {
    fn access(&self) -> Access {
        Access {
            aws: AwsOptions {
                profile: self.profile.clone(),
                region: self.region.clone(),
                endpoint_url: self.endpoint_url.clone(),
                call_timeout: Duration::from_secs(self.call_timeout.max(1)),
                bounds: Bounds {
                    concurrency: self.concurrency,
                    account: self.account_concurrency,
                    region: self.region_concurrency,
                },
            },
            role_arns: self.role_arns.clone(),
            external_id: self.external_id.clone(),
            organization: None,
        }
    }
}

/// `--format`'s values: the names of [`Format::ALL`].
fn format_parser() -> impl TypedValueParser<Value = Format> {
    clap::builder::PossibleValuesParser::new(Format::ALL.map(Format::name))
        .map(|s| s.parse::<Format>().expect("a possible value"))
}

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub org: OrgArgs,
    /// Regions to audit, comma-separated [default: every region enabled for the account].
    #[arg(long)]
    pub regions: Option<String>,
    /// CIS benchmark version.
    #[arg(long, default_value = DEFAULT_BENCHMARK)]
    pub benchmark: String,
    /// Controls to evaluate, comma-separated: CIS ids of --benchmark (e.g. 3.1,4.10) or control
    /// keys (e.g. security-group-changes) [default: all].
    #[arg(long)]
    pub controls: Option<String>,
    /// Output format; several, comma-separated, need --output-dir (the table still goes to
    /// standard output).
    #[arg(long, value_name = "FORMAT[,FORMAT...]", value_delimiter = ',', default_value = "table", value_parser = format_parser())]
    pub format: Vec<Format>,
    /// Write the report to FILE instead of standard output (one format).
    #[arg(long, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write each format of --format to its own file in DIR: cis-audit.json, cis-audit.md, …
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Write everything collected to FILE (JSON), to keep as evidence or evaluate later.
    #[arg(long, value_name = "FILE")]
    pub save_inventory: Option<PathBuf>,
    /// Evaluate a saved inventory offline, with no AWS access.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "endpoint_url", "role_arns", "regions", "save_inventory", "organization"])]
    pub inventory: Option<PathBuf>,
    /// Count a metric filter only when its pattern is the benchmark's exact text (modulo
    /// whitespace), as Security Hub does.
    #[arg(long)]
    pub strict_patterns: bool,
    /// How many days of the account's own history the monitoring controls read (alarm
    /// history, the filter's metric, notifications delivered and failed, rule invocations): the
    /// evidence that each chain has operated. 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub evidence_days: u32,
    /// Never colour the table (also NO_COLOR).
    #[arg(long)]
    pub no_color: bool,
    /// Nothing on stdout unless the report goes there; on stderr only errors and the one
    /// summary line (no progress bar, no warnings).
    #[arg(long, short)]
    pub quiet: bool,
    /// Import the findings (ASFF, as --format asff writes them) into AWS Security Hub, each into
    /// its account and region (securityhub:BatchImportFindings). Does not change the exit status.
    #[arg(long, conflicts_with = "inventory")]
    pub send_to_security_hub: bool,
    /// Defaults for these options, known exceptions ([[suppress]]) and custom controls
    /// ([[control]]) [default: ./cis-audit.toml when it exists]. A flag always wins.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A JSON report of an earlier run: every verdict says what changed since (new, fixed,
    /// still-failing, unchanged).
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Exit 1 on any FAIL, or only on a FAIL that is new since --baseline (every FAIL without
    /// one). ERROR still exits 2.
    #[arg(long, value_enum, default_value = "any")]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub remediation: RemediateArgs,
}

/// Options of `audit --remediate` (flattened into the audit's options).
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct RemediateArgs {
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
    /// How the monitoring family (4.x) is fixed: the CIS steps (metric filter, alarm, topic on
    /// the trail's log group), or EventBridge rules in every region targeting a topic whose
    /// policy lets exactly those rules publish (alerts within seconds, no log group needed).
    /// [default: metric-filter]
    #[arg(long, value_enum, requires = "remediate", help_heading = "Remediation")]
    pub route: Option<Route>,
    /// Who receives the alarms: email:ADDRESS, email-json:ADDRESS, https:URL, http:URL,
    /// sms:+NUMBER, lambda:ARN, sqs:ARN, firehose:ARN (repeatable).
    #[arg(long, value_name = "PROTOCOL:ENDPOINT", help_heading = "Remediation")]
    pub notify: Vec<Notify>,
    /// SNS topic new alarms (in the log group's region) and new EventBridge rules (in each
    /// region) notify, created where missing [default: cis-security-alarms, or an existing topic
    /// of that region someone has confirmed a subscription to].
    #[arg(long, help_heading = "Remediation")]
    pub topic_name: Option<String>,
    /// Namespace of the metrics new metric filters publish.
    #[arg(long, default_value = cis::METRIC_NAMESPACE, help_heading = "Remediation")]
    pub metric_namespace: String,
    /// Name of the trail to create when no multi-region trail exists.
    #[arg(long, default_value = cis::TRAIL_NAME, help_heading = "Remediation")]
    pub trail_name: String,
    /// Existing S3 bucket for a new trail's log files.
    #[arg(long, value_name = "BUCKET", help_heading = "Remediation")]
    pub trail_bucket: Option<String>,
    /// CloudWatch Logs group for a trail that delivers to none (created if missing).
    #[arg(long, default_value = cis::LOG_GROUP, help_heading = "Remediation")]
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
    /// Where to write the journal [default: reports/out/remediation-<time>-<pid>.json].
    #[arg(long, value_name = "FILE", help_heading = "Remediation")]
    pub journal: Option<PathBuf>,
    /// Also remove every rule of each VPC's default security group when it FAILs 6.x
    /// "default security group restricts all traffic" (the rules are journaled and restored by
    /// rollback). Off by default: instances still in the default group may depend on them.
    #[arg(long, requires = "remediate", help_heading = "Remediation")]
    pub remediate_default_sg: bool,
    /// IAM role VPC Flow Logs assumes to write to CloudWatch Logs (trusting
    /// vpc-flow-logs.amazonaws.com, allowed logs:CreateLogStream and logs:PutLogEvents): VPCs
    /// without a flow log get one of their rejected traffic; without it that step is MANUAL.
    #[arg(long, value_name = "ARN", help_heading = "Remediation")]
    pub flow_logs_role_arn: Option<String>,
    /// CloudWatch Logs group new flow logs write to (created where missing).
    #[arg(long, default_value = cis::FLOW_LOGS_LOG_GROUP, help_heading = "Remediation")]
    pub flow_logs_log_group: String,
}

impl RemediateArgs {
    fn options(&self) -> Option<RemediateOptions> {
        self.remediate.then(|| RemediateOptions {
            yes: self.yes,
            dry_run: self.dry_run,
            notify: self.notify.clone(),
            route: self.route.unwrap_or_default(),
            topic_name: self.topic_name.clone(),
            metric_namespace: self.metric_namespace.clone(),
            trail_name: self.trail_name.clone(),
            trail_bucket: self.trail_bucket.clone(),
            log_group: self.log_group.clone(),
            cloudtrail_logs_role_arn: self.cloudtrail_logs_role_arn.clone(),
            config_role_arn: self.config_role_arn.clone(),
            config_bucket: self.config_bucket.clone(),
            journal: self.journal.clone(),
            remediate_default_sg: self.remediate_default_sg,
            flow_logs_role_arn: self.flow_logs_role_arn.clone(),
            flow_logs_log_group: self.flow_logs_log_group.clone(),
        })
    }
}

/// `cis-audit merge A.json B.json …`.
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// JSON reports written by `audit --format json`.
    #[arg(required = true, num_args = 1..)]
    pub reports: Vec<PathBuf>,
    /// Output format; several, comma-separated, need --output-dir.
    #[arg(long, value_name = "FORMAT[,FORMAT...]", value_delimiter = ',', default_value = "json", value_parser = format_parser())]
    pub format: Vec<Format>,
    /// Write the merged report to FILE instead of standard output (one format).
    #[arg(long, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write each format to its own file in DIR.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 on any FAIL, or only on a FAIL that is new since the inputs' baseline.
    #[arg(long, value_enum, default_value = "any")]
    pub fail_on: FailOn,
    /// Only errors and the summary line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `cis-audit drill`.
#[derive(Debug, Args)]
pub(crate) struct DrillArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The monitoring controls to drill, comma-separated: CIS ids of --benchmark or keys. Those
    /// with a harmless change: security-group-changes (4.10), nacl-changes (4.11),
    /// route-table-changes (4.13).
    #[arg(long, default_value = "security-group-changes")]
    pub controls: String,
    /// Regions to make the change in, comma-separated [default: the home region, --region].
    #[arg(long)]
    pub regions: Option<String>,
    #[arg(long, default_value = DEFAULT_BENCHMARK)]
    pub benchmark: String,
    /// How long to wait for each alert after its change (90s, 15m, 1h).
    #[arg(long, default_value = "15m")]
    pub timeout: String,
    /// How often each link is looked for while waiting.
    #[arg(long, default_value = "10s")]
    pub poll: String,
    /// The VPC the drill's resources are created in [default: the region's default VPC].
    #[arg(long, value_name = "VPC_ID")]
    pub vpc: Option<String>,
    /// Make the changes without asking.
    #[arg(long)]
    pub yes: bool,
    /// `table` (the default) or `json` (the outcome on standard output).
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Where the journal goes [default: reports/out/drill-<timestamp>-<pid>.json].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// `cis-audit rollback JOURNAL`.
#[derive(Debug, Args)]
pub(crate) struct RollbackArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The journal a remediation wrote.
    pub journal: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PatternCommand {
    /// Does PATTERN catch every event the control's benchmark pattern catches?
    /// Exit 0 covered, 1 not covered, 2 the pattern does not parse.
    Check {
        /// CIS control id, e.g. 4.10.
        #[arg(long)]
        control: String,
        #[arg(long, default_value = DEFAULT_BENCHMARK)]
        benchmark: String,
        /// Only the benchmark's exact text counts.
        #[arg(long)]
        strict_patterns: bool,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
        pattern: String,
    },
    /// Does PATTERN match the log event in FILE (JSON), and which term decided it?
    /// Exit 0 match, 1 no match, 2 the pattern does not parse or the file is unreadable.
    Test { pattern: String, file: PathBuf },
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

/// Whether the user gave option `id` (on the command line or through its environment
/// variable): then the configuration file does not override it.
fn given(m: &ArgMatches, id: &str) -> bool {
    matches!(m.value_source(id), Some(ValueSource::CommandLine | ValueSource::EnvVariable))
}

/// Fills every option the user did not give from the configuration file.
fn apply_config(a: &mut AuditArgs, m: &ArgMatches, c: &Config) -> Result<(), RunError> {
    let d = &c.defaults;
    macro_rules! take {
        ($id:literal, $field:expr, $value:expr) => {
            if !given(m, $id) {
                if let Some(v) = $value {
                    $field = v;
                }
            }
        };
    }
    let offline = given(m, "inventory");
    take!("benchmark", a.benchmark, d.benchmark.as_ref().map(|b| b.get_ref().clone()));
    if !offline {
        take!("regions", a.regions, d.regions.as_ref().map(|r| Some(r.get_ref().join(","))));
        take!("profile", a.aws.profile, d.profile.clone().map(Some));
        take!("endpoint_url", a.aws.endpoint_url, d.endpoint_url.clone().map(Some));
        if !given(m, "organization") {
            take!("role_arns", a.aws.role_arns, d.role_arn.clone());
        }
        if a.aws.role_arns.is_empty() {
            take!("organization", a.org.organization, d.organization);
        }
    }
    take!("format", a.format, c.checked.formats.clone());
    if !given(m, "output_dir") {
        take!("output", a.output, d.output.clone().map(Some));
    }
    if !given(m, "output") {
        take!("output_dir", a.output_dir, d.output_dir.clone().map(Some));
    }
    take!("strict_patterns", a.strict_patterns, d.strict_patterns);
    take!("quiet", a.quiet, d.quiet);
    take!("no_color", a.no_color, d.no_color);
    take!("region", a.aws.region, d.region.as_ref().map(|r| Some(r.get_ref().clone())));
    take!("external_id", a.aws.external_id, d.external_id.clone().map(Some));
    take!("member_role", a.org.member_role, d.member_role.clone());
    take!("accounts", a.org.accounts, d.accounts.as_ref().map(|x| Some(x.get_ref().join(","))));
    take!("exclude_accounts", a.org.exclude_accounts, d.exclude_accounts.as_ref().map(|x| Some(x.get_ref().join(","))));
    take!("concurrency", a.aws.concurrency, d.concurrency);
    take!("account_concurrency", a.aws.account_concurrency, d.account_concurrency);
    take!("region_concurrency", a.aws.region_concurrency, d.region_concurrency);
    take!("call_timeout", a.aws.call_timeout, d.call_timeout);
    if !offline {
        take!("send_to_security_hub", a.send_to_security_hub, d.send_to_security_hub);
    }
    take!("baseline", a.baseline, d.baseline.clone().map(Some));
    take!("fail_on", a.fail_on, c.checked.fail_on);
    if let Some(r) = &d.remediation {
        let x = &mut a.remediation;
        take!("notify", x.notify, c.checked.notify.clone());
        take!("route", x.route, c.checked.route.map(Some));
        take!("topic_name", x.topic_name, r.topic_name.clone().map(Some));
        take!("metric_namespace", x.metric_namespace, r.metric_namespace.clone());
        take!("trail_name", x.trail_name, r.trail_name.clone());
        take!("trail_bucket", x.trail_bucket, r.trail_bucket.clone().map(Some));
        take!("log_group", x.log_group, r.log_group.clone());
        take!("cloudtrail_logs_role_arn", x.cloudtrail_logs_role_arn, r.cloudtrail_logs_role_arn.clone().map(Some));
        take!("config_role_arn", x.config_role_arn, r.config_role_arn.clone().map(Some));
        take!("config_bucket", x.config_bucket, r.config_bucket.clone().map(Some));
    }
    Ok(())
}

/// The controls `--controls` names (keys or CIS ids of the run's version), as keys; custom
/// controls by id or key.
fn cli_controls(
    list: &str,
    benchmark: &str,
    custom: &[crate::catalog::custom::CustomControl],
) -> Result<Vec<String>, RunError> {
    let mut keys = Vec::new();
    for text in split_list(list) {
        let key = match custom.iter().find(|c| c.named(&text)) {
            Some(c) => c.def.key.clone(),
            None => {
                crate::catalog::catalog().resolve(&text, benchmark).map_err(|e| RunError(format!("--controls: {e}")))?
            }
        };
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}

fn audit_options(mut a: AuditArgs, m: &ArgMatches) -> Result<AuditOptions, RunError> {
    let config = crate::config::load(a.config.as_deref()).map_err(|e| RunError(e.0))?;
    if let Some(c) = &config {
        apply_config(&mut a, m, c)?;
    }
    crate::catalog::catalog().benchmark(&a.benchmark)?;
    let custom = config.as_ref().map(|c| c.custom.clone()).unwrap_or_default();
    let (mut notes, mut warnings) = (Vec::new(), Vec::new());
    let suppressions = match &config {
        Some(c) => {
            let (list, r) = c.suppressions(&a.benchmark).map_err(|e| RunError(e.0))?;
            notes.extend(r.notes);
            warnings.extend(r.warnings);
            list
        }
        None => vec![],
    };
    let controls = match (&a.controls, &config) {
        (Some(list), _) if given(m, "controls") => Some(cli_controls(list, &a.benchmark, &custom)?),
        (_, Some(c)) => match c.controls(&a.benchmark).map_err(|e| RunError(e.0))? {
            Some((keys, r)) => {
                notes.extend(r.notes);
                warnings.extend(r.warnings);
                Some(keys)
            }
            None => None,
        },
        (Some(list), None) => Some(cli_controls(list, &a.benchmark, &custom)?),
        (None, None) => None,
    };
    let to_terminal = a.output.is_none() && std::io::stdout().is_terminal();
    Ok(AuditOptions {
        suppressions,
        custom,
        notes,
        warnings,
        baseline: a.baseline,
        fail_on: a.fail_on,
        access: Access { organization: a.org.options(m)?, ..a.aws.access() },
        regions: a.regions,
        benchmark: a.benchmark,
        controls,
        formats: a.format,
        output: a.output,
        output_dir: a.output_dir,
        save_inventory: a.save_inventory,
        inventory: a.inventory,
        strict_patterns: a.strict_patterns,
        evidence_days: a.evidence_days,
        color: to_terminal && !a.no_color && std::env::var_os("NO_COLOR").is_none(),
        quiet: a.quiet,
        remediation: a.remediation.options(),
        send_to_security_hub: a.send_to_security_hub,
    })
}

fn dispatch(cli: Cli, m: &ArgMatches) -> Result<i32, RunError> {
    match cli.command {
        Command::Audit(a) => {
            let sub = m.subcommand_matches("audit").expect("the audit subcommand was parsed");
            let o = audit_options(a, sub)?;
            run::block_on(run::audit::audit(o))
        }
        Command::Merge(a) => run::merge::run(&run::merge::MergeOptions {
            reports: a.reports,
            formats: a.format,
            output: a.output,
            output_dir: a.output_dir,
            fail_on: a.fail_on,
            quiet: a.quiet,
        }),
        Command::Pattern(PatternCommand::Check { control, benchmark, strict_patterns, json, pattern }) => {
            run::pattern::check_pattern(&control, &benchmark, strict_patterns, json, &pattern)
        }
        Command::Pattern(PatternCommand::Test { pattern, file }) => run::pattern::test_pattern(&pattern, &file),
        Command::Rollback(r) => run::block_on(run::rollback::run(&r.aws.access(), &r.journal)),
        Command::Drill(d) => {
            crate::catalog::catalog().benchmark(&d.benchmark)?;
            if let Some(r) = &d.aws.region {
                crate::inventory::regions::parse_region_list(r, "--region").map_err(|e| RunError(e.0))?;
            }
            let o = run::drill::DrillOptions {
                access: d.aws.access(),
                regions: d.regions,
                controls: cli_controls(&d.controls, &d.benchmark, &[])?,
                benchmark: d.benchmark,
                timeout: run::drill::parse_duration(&d.timeout, "--timeout")?,
                poll: run::drill::parse_duration(&d.poll, "--poll")?,
                vpc: d.vpc,
                yes: d.yes,
                json: d.format == "json",
                journal: d.journal,
            };
            run::block_on(run::drill::run(o))
        }
        Command::IamPolicy {
            remediation,
            drill,
            organization,
            security_hub,
            member_role,
            role_arns,
            partition,
            markdown,
            cloudformation,
        } => {
            if markdown {
                print!("{}", crate::iam::markdown());
            } else if cloudformation {
                let explicit = member_role != "OrganizationAccountAccessRole";
                let scope = crate::iam::Scope {
                    security_hub,
                    member_role: Some(if explicit { member_role } else { "CisAuditReadOnly".into() }),
                    partition,
                    ..Default::default()
                };
                print!("{}", crate::iam::cloudformation(&scope));
            } else {
                let scope = crate::iam::Scope {
                    remediation,
                    drill,
                    organization,
                    security_hub,
                    member_role: organization.then_some(member_role),
                    role_arns,
                    partition,
                };
                let text = serde_json::to_string_pretty(&crate::iam::policy(&scope)).unwrap_or_default();
                println!("{text}");
            }
            Ok(0)
        }
        Command::Controls { benchmark, json, markdown } => {
            if markdown {
                print!("{}", run::explain::controls_markdown());
            } else {
                print!("{}", run::controls(&benchmark, json)?);
            }
            Ok(0)
        }
        Command::Explain { control, benchmark } => {
            print!("{}", run::explain::explain(&control, &benchmark)?);
            Ok(0)
        }
    }
}

/// Parses the command line, runs the command, and returns the process exit code.
pub fn main() -> i32 {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match dispatch(cli, &matches) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
