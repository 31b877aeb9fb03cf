//! The command-line front end: argument parsing and wiring only.

use crate::aws::{self, AwsOptions, Runtime};
use crate::catalog::{catalog, DEFAULT_BENCHMARK};
use crate::checks::{self, EvalOptions};
use crate::inventory::{self, regions, Inventory, Target, INVENTORY_SCHEMA_VERSION};
use crate::report::{self, AccountScope, BenchmarkRef, Report, ReportOptions};
use crate::scope;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const EXIT_CODES: &str = "Exit status:
  0  every evaluated control passed (or is MANUAL / SKIPPED)
  1  at least one control FAILED
  2  a control could not be evaluated (ERROR), or the invocation was wrong
     (bad option, unknown control / benchmark / region, unreachable endpoint, bad credentials).
     ERROR takes precedence over FAIL.";

#[derive(Debug, Parser)]
#[command(
    name = "cis-audit",
    version,
    about = "Audit an AWS account against the CIS AWS Foundations Benchmark: CloudTrail (3.1), AWS Config (3.3) and the monitoring controls (4.1-4.15), with evidence for every verdict",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect an inventory from AWS (or load a saved one) and evaluate the controls.
    #[command(after_help = EXIT_CODES)]
    Audit(AuditArgs),
    /// Work with CloudWatch Logs filter patterns before deploying them.
    #[command(subcommand)]
    Pattern(PatternCommand),
    /// Undo what `audit --remediate` applied, from its journal, newest first. Refuses to touch
    /// a resource that changed since; running it twice is harmless.
    Rollback(crate::remediate::RollbackArgs),
    /// List the controls of a benchmark version.
    Controls {
        #[arg(long, default_value = DEFAULT_BENCHMARK)]
        benchmark: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Named profile from the AWS config files (default: AWS_PROFILE, then the default chain).
    #[arg(long, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Home region for global calls (STS, Account) [default: AWS_REGION, the profile's, us-east-1].
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS request to this URL (an emulator or a proxy).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Assume this role and audit its account; repeat to audit several accounts in one run.
    #[arg(long = "role-arn", value_name = "ARN")]
    pub role_arns: Vec<String>,
    /// External id for --role-arn.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Per-attempt timeout of one API call, in seconds.
    #[arg(long, default_value_t = 20)]
    pub call_timeout: u64,
    /// Maximum API calls in flight.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Regions to audit, comma-separated [default: every region enabled for the account].
    #[arg(long)]
    pub regions: Option<String>,
    /// CIS benchmark version.
    #[arg(long, default_value = DEFAULT_BENCHMARK)]
    pub benchmark: String,
    /// Controls to evaluate, comma-separated CIS ids (e.g. 3.1,4.10) [default: all].
    #[arg(long)]
    pub controls: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Write everything collected to FILE (JSON), to keep as evidence or evaluate later.
    #[arg(long, value_name = "FILE")]
    pub save_inventory: Option<std::path::PathBuf>,
    /// Evaluate a saved inventory offline, with no AWS access.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "endpoint_url", "role_arns", "regions", "save_inventory"])]
    pub inventory: Option<std::path::PathBuf>,
    /// Count a metric filter only when its pattern is the benchmark's exact text (modulo
    /// whitespace), as Security Hub does.
    #[arg(long)]
    pub strict_patterns: bool,
    /// Never colour the table.
    #[arg(long)]
    pub no_color: bool,
    #[command(flatten)]
    pub remediation: crate::remediate::RemediateArgs,
}

#[derive(Debug, Subcommand)]
pub enum PatternCommand {
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
    Test { pattern: String, file: std::path::PathBuf },
}

/// Runs the CLI and returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Audit(a) => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
            match rt.block_on(audit(a)) {
                Ok(code) => code,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    2
                }
            }
        }
        Command::Pattern(p) => crate::pattern_cmd::run(p),
        Command::Rollback(r) => crate::remediate::rollback_command(r),
        Command::Controls { benchmark } => match catalog().select(&benchmark, None) {
            Ok(list) => {
                let b = catalog().benchmark(&benchmark).unwrap();
                println!("{}", b.title);
                for c in list {
                    println!("{:<5} L{} {:<9} {}", c.id, c.level, c.assessment, c.title());
                }
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

pub fn now_rfc3339() -> String {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

async fn audit(a: AuditArgs) -> Result<i32, String> {
    let started = Instant::now();
    let cat = catalog();
    let bench = cat.benchmark(&a.benchmark)?;
    let only = a.controls.as_deref().map(split_list);
    let controls = cat.select(&a.benchmark, only.as_deref())?;
    let requested_regions = a.regions.as_deref().map(scope::parse_region_list).transpose()?;
    if let Some(r) = &a.aws.region {
        scope::parse_region_list(r).map_err(|e| e.replace("--regions", "--region"))?;
    }

    let (inv, inventory_path) = match &a.inventory {
        Some(path) => (load_inventory(path)?, Some(path.display().to_string())),
        None => (collect(&a, &controls, requested_regions).await?, None),
    };
    if let Some(path) = &a.save_inventory {
        let text = serde_json::to_string_pretty(&inv).expect("inventory serialises");
        write_file(path, &text).map_err(|e| format!("cannot write inventory to {}: {e}", path.display()))?;
    }

    let eval = checks::evaluate(&inv, &a.benchmark, &controls, EvalOptions { strict_patterns: a.strict_patterns });
    let eval_to_fix = a.remediation.remediate.then(|| eval.clone());
    let report = Report::new(
        eval,
        BenchmarkRef { title: bench.title.clone(), version: bench.version.clone() },
        crate::cli::now_rfc3339(),
        ReportOptions { strict_patterns: a.strict_patterns, inventory: inventory_path },
        inv.accounts
            .iter()
            .map(|x| AccountScope {
                account: x.account_id.clone(),
                regions: x.regions.clone(),
                regions_source: x.regions_source.clone(),
            })
            .collect(),
        inv.api_calls.clone(),
        started.elapsed().as_millis() as u64,
    );
    let to_terminal = a.output.is_none() && std::io::stdout().is_terminal();
    let text = match a.format {
        Format::Table => {
            report::table::render(&report, to_terminal && !a.no_color && std::env::var_os("NO_COLOR").is_none())
        }
        Format::Json => report::json::render(&report),
        Format::Markdown => report::markdown::render(&report),
    };
    match &a.output {
        Some(path) => {
            write_file(path, &text).map_err(|e| format!("cannot write report to {}: {e}", path.display()))?;
            eprintln!("{} — report written to {}", report.summary_line(), path.display());
        }
        // With --remediate --format json, standard output carries the remediation outcome alone.
        None if a.remediation.remediate && a.format == Format::Json => {}
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
        }
    }
    if let Some(eval) = eval_to_fix {
        return crate::remediate::run(&a, &controls, &inv, &eval, report.exit_code()).await;
    }
    Ok(report.exit_code())
}

/// Writes atomically: a temporary file beside the target, then a rename.
fn write_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("{}.tmp", path.extension().and_then(|e| e.to_str()).unwrap_or("out")));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn load_inventory(path: &std::path::Path) -> Result<Inventory, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read inventory {}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("inventory {} is not JSON: {e}", path.display()))?;
    let ver = v.get("schema_version").and_then(|x| x.as_u64());
    if ver != Some(INVENTORY_SCHEMA_VERSION as u64) {
        return Err(format!(
            "inventory {} has schema_version {}, this cis-audit reads version {INVENTORY_SCHEMA_VERSION}",
            path.display(),
            ver.map(|x| x.to_string()).unwrap_or_else(|| "(missing)".into())
        ));
    }
    serde_json::from_value(v).map_err(|e| format!("inventory {} is not a cis-audit inventory: {e}", path.display()))
}

pub(crate) async fn collect(
    a: &AuditArgs,
    controls: &[crate::catalog::Control],
    requested: Option<Vec<String>>,
) -> Result<Inventory, String> {
    let opts = AwsOptions {
        profile: a.aws.profile.clone(),
        region: a.aws.region.clone(),
        endpoint_url: a.aws.endpoint_url.clone(),
        role_arns: a.aws.role_arns.clone(),
        external_id: a.aws.external_id.clone(),
        call_timeout: Duration::from_secs(a.aws.call_timeout.max(1)),
        concurrency: a.aws.concurrency,
    };
    let rt = Runtime::new(opts.concurrency);
    let collected_at = now_rfc3339();
    let sessions = aws::sessions(&opts, &rt).await.map_err(|e| e.0)?;
    // Enabled regions of every account, concurrently.
    let enabled = futures::future::join_all(sessions.iter().map(|s| regions::enabled_regions(s, &rt))).await;
    let mut targets = Vec::new();
    for (s, en) in sessions.iter().zip(enabled) {
        let (list, source) = match (&requested, en) {
            (Some(req), Ok(en)) => {
                scope::validate_regions(req, Some(&en), &s.account_id)?;
                (req.clone(), "--regions".to_string())
            }
            (Some(req), Err(_)) => {
                scope::validate_regions(req, None, &s.account_id)?;
                (req.clone(), "--regions".to_string())
            }
            (None, Ok(en)) => (en, "account:ListRegions".to_string()),
            (None, Err((code, msg))) => {
                eprintln!(
                    "warning: cannot list the regions enabled for account {} (account:ListRegions: {code}{}); auditing the {} default regions. Pass --regions to choose.",
                    s.account_id,
                    if msg.is_empty() { String::new() } else { format!(": {msg}") },
                    scope::DEFAULT_ENABLED_REGIONS.len()
                );
                (
                    scope::DEFAULT_ENABLED_REGIONS.iter().map(|r| r.to_string()).collect(),
                    format!("default regions (account:ListRegions failed: {code})"),
                )
            }
        };
        targets.push(Target { session: s, regions: list, regions_source: source });
    }
    let needs = checks::needs(controls);
    Ok(inventory::collect(&targets, needs, &rt, collected_at).await)
}
