//! Orchestration: what each command does, end to end, on one tokio runtime with one set of
//! sessions. Options arrive as plain structs (the CLI fills them); results are exit codes and
//! [`RunError`]s, which the CLI prints.

pub(crate) mod audit;
pub(crate) mod drill;
pub(crate) mod explain;
pub(crate) mod merge;
pub(crate) mod options;
pub(crate) mod output;
pub(crate) mod pattern;
pub(crate) mod pipeline;
pub(crate) mod progress;
pub(crate) mod remediate;
pub(crate) mod rollback;
pub(crate) mod scope;
pub(crate) mod securityhub;

use crate::aws::{base_config, ApiError, AwsOptions, Runtime, Session};
use crate::catalog::{catalog, CatalogError};

/// A failure that stops a command before it can conclude anything: one line, exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct RunError(pub String);

impl From<CatalogError> for RunError {
    fn from(e: CatalogError) -> Self {
        RunError(e.to_string())
    }
}

/// Runs `f` to completion on the process's one multi-threaded runtime.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap_or_else(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        std::process::exit(2)
    });
    rt.block_on(f)
}

/// Whom to audit or remediate, and how to reach AWS.
#[derive(Debug, Clone, Default)]
pub(crate) struct Access {
    pub aws: AwsOptions,
    /// Roles to assume, one account each. Empty: the caller's own account.
    pub role_arns: Vec<String>,
    pub external_id: Option<String>,
    /// `--organization`: every account of the caller's organization.
    pub organization: Option<scope::OrgOptions>,
}

/// One session per account: the caller's own (identified with `sts:GetCallerIdentity`, a
/// failure of which stops the run with a line that says what to fix), or one per role (assumed
/// when first used; a denied role fails that account alone).
pub(crate) async fn sessions(a: &Access, rt: &Runtime) -> Result<Vec<Session>, RunError> {
    let base = base_config(&a.aws).await;
    if a.role_arns.is_empty() {
        let s = Session::caller(&base, rt).await.map_err(|e| credentials_error(&e, a, None))?;
        return Ok(vec![s]);
    }
    let mut out: Vec<Session> = Vec::new();
    for role in &a.role_arns {
        let s = Session::for_role(&base, role, a.external_id.as_deref(), rt).ok_or_else(|| {
            RunError(format!("--role-arn '{role}' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"))
        })?;
        if !out.iter().any(|x| x.account_id == s.account_id) {
            out.push(s);
        }
    }
    Ok(out)
}

/// What to tell the user when the caller's own credentials do not work.
pub(crate) fn credentials_error(e: &ApiError, a: &Access, role: Option<&str>) -> RunError {
    let who = role.map(|r| format!(" (assuming {r})")).unwrap_or_default();
    RunError(match e.code.as_str() {
        "ConnectionError" | "Timeout" => format!(
            "cannot reach the AWS endpoint{}: {}; check --endpoint-url / network access",
            a.aws.endpoint_for_messages().map(|u| format!(" {u}")).unwrap_or_default(),
            e.message
        ),
        "CredentialsError" => format!(
            "no usable AWS credentials{who}: {}; set --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`",
            e.message
        ),
        _ => format!(
            "AWS rejected the credentials{who}: {e}; check the profile, keys or role and that sts:GetCallerIdentity is allowed"
        ),
    })
}

/// `cis-audit controls --benchmark V`: the version's controls, one line each, or as JSON.
pub(crate) fn controls(benchmark: &str, json: bool) -> Result<String, RunError> {
    let cat = catalog();
    let b = cat.benchmark(benchmark)?;
    let list = cat.select(benchmark, None)?;
    if json {
        let controls: Vec<serde_json::Value> = list
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "title": c.title, "level": c.level, "assessment": c.assessment,
                    "key": c.key, "check": c.check(), "evaluated": crate::checks::registry::is_evaluated(c),
                    "metric_name": c.def.metric_name,
                    "patterns": c.variant.as_ref().map(|v| v.patterns.clone()).unwrap_or_default(),
                    "events": c.variant.as_ref().map(|v| v.events.clone()).unwrap_or_default(),
                })
            })
            .collect();
        let v =
            serde_json::json!({"version": b.version, "title": b.title, "numbering": b.numbering, "controls": controls});
        return Ok(format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    let mut out = format!("{}\n{}\n", b.title, b.numbering);
    let width = list.iter().map(|c| c.key.len()).max().unwrap_or(0);
    for c in list {
        let how = if crate::checks::registry::is_evaluated(&c) { "evaluated" } else { "MANUAL" };
        out.push_str(&format!(
            "{:<6} L{} {:<10} {:<9} {:<width$}  {}\n",
            c.id,
            c.level,
            c.assessment,
            how,
            c.key,
            c.title()
        ));
    }
    Ok(out)
}

/// Sets `stop` on Ctrl-C or SIGTERM (remediation and the drill check it between two steps);
/// abort the handle when the steps are done.
pub(crate) fn on_stop_signal(stop: &'static std::sync::atomic::AtomicBool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    })
}
