//! AWS plumbing: SDK configuration (profile, region, endpoint, retries, timeouts), one session
//! per audited account, per-region clients, error classification and call accounting.

use crate::inventory::model::CollectError;
use aws_config::{sts::AssumeRoleProvider, BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// The AWS options common to every subcommand that talks to AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// Home region for global calls (STS, Account); also the default when nothing else is set.
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Roles to assume, one audited account each. Empty: the caller's own account.
    pub role_arns: Vec<String>,
    pub external_id: Option<String>,
    /// Per-attempt timeout of an API call.
    pub call_timeout: Duration,
    /// Bound on API calls in flight.
    pub concurrency: usize,
}

/// Shared by every API call of one run: the concurrency bound and the call counts.
#[derive(Debug, Clone)]
pub struct Runtime {
    permits: Arc<Semaphore>,
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl Runtime {
    pub fn new(concurrency: usize) -> Self {
        Runtime { permits: Arc::new(Semaphore::new(concurrency.max(1))), calls: Arc::new(Mutex::new(BTreeMap::new())) }
    }

    /// Runs one logical API call (one page) under the concurrency bound and counts it.
    pub async fn call<T>(&self, operation: &str, fut: impl std::future::Future<Output = T>) -> T {
        let _permit = self.permits.acquire().await.expect("semaphore never closed");
        *self.calls.lock().unwrap().entry(operation.to_string()).or_default() += 1;
        fut.await
    }

    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().unwrap().clone()
    }
}

/// Credentials and identity of one audited account.
#[derive(Debug, Clone)]
pub struct Session {
    pub config: SdkConfig,
    pub account_id: String,
    pub partition: String,
    pub caller_arn: String,
}

impl Session {
    pub fn region_config(&self, region: &str) -> SdkConfig {
        self.config.to_builder().region(Region::new(region.to_string())).build()
    }
}

/// A failure that stops the whole run before any control can be evaluated (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FatalError(pub String);

/// Loads the base SDK configuration from the standard chain (env, profile, SSO, IMDS …).
pub async fn base_config(opts: &AwsOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &opts.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    loader = loader.timeout_config(
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(opts.call_timeout)
            .build(),
    );
    let mut config = loader.load().await;
    if config.region().is_none() {
        config = config.to_builder().region(Region::from_static("us-east-1")).build();
    }
    config
}

/// One session per audited account: the caller's own, or one per `--role-arn`.
/// Each identity is confirmed with `sts:GetCallerIdentity`; a failure here is fatal, with a
/// message that says what to fix.
pub async fn sessions(opts: &AwsOptions, rt: &Runtime) -> Result<Vec<Session>, FatalError> {
    let base = base_config(opts).await;
    let configs: Vec<(Option<String>, SdkConfig)> = if opts.role_arns.is_empty() {
        vec![(None, base.clone())]
    } else {
        let mut v = Vec::new();
        for role in &opts.role_arns {
            let mut b = AssumeRoleProvider::builder(role.clone()).session_name("cis-audit").configure(&base);
            if let Some(x) = &opts.external_id {
                b = b.external_id(x.clone());
            }
            let provider = b.build().await;
            let cfg = base
                .to_builder()
                .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(provider))
                .build();
            v.push((Some(role.clone()), cfg));
        }
        v
    };
    let futs = configs.into_iter().map(|(role, cfg)| async move {
        let sts = aws_sdk_sts::Client::new(&cfg);
        let out = rt
            .call("sts:GetCallerIdentity", sts.get_caller_identity().send())
            .await
            .map_err(|e| {
                let (code, msg) = classify(&e);
                let who = role.as_deref().map(|r| format!(" (assuming {r})")).unwrap_or_default();
                let hint = match code.as_str() {
                    "ConnectionError" | "Timeout" => format!(
                        "cannot reach the AWS endpoint{}: {msg}; check --endpoint-url / network access",
                        opts.endpoint_url.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
                    ),
                    "CredentialsError" => format!(
                        "no usable AWS credentials{who}: {msg}; set --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
                    ),
                    _ => format!(
                        "AWS rejected the credentials{who}: {code}: {msg}; check the profile, keys or role and that sts:GetCallerIdentity is allowed"
                    ),
                };
                FatalError(hint)
            })?;
        let arn = out.arn().unwrap_or_default().to_string();
        let partition = arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_string();
        Ok::<_, FatalError>(Session {
            config: cfg,
            account_id: out.account().unwrap_or_default().to_string(),
            partition,
            caller_arn: arn,
        })
    });
    let mut sessions = Vec::new();
    for r in futures::future::join_all(futs).await {
        let s = r?;
        if !sessions.iter().any(|x: &Session| x.account_id == s.account_id) {
            sessions.push(s);
        }
    }
    Ok(sessions)
}

/// The AWS error code and a one-line message for any SDK error. Codes of our own for
/// failures that never reached AWS: `ConnectionError`, `Timeout`, `CredentialsError`,
/// `ResponseError`, `ConstructionFailure`.
pub fn classify<E, R>(err: &SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().unwrap_or("UnknownError").to_string();
            let msg = e.message().unwrap_or_default().to_string();
            (code, msg)
        }
        SdkError::TimeoutError(_) => ("Timeout".into(), "the call timed out".into()),
        SdkError::DispatchFailure(d) => {
            let text = chain(d.as_connector_error().map(|c| c as &dyn std::error::Error));
            if d.is_timeout() {
                ("Timeout".into(), text)
            } else if d.is_user() || text.contains("credential") {
                ("CredentialsError".into(), text)
            } else {
                ("ConnectionError".into(), text)
            }
        }
        SdkError::ResponseError(r) => ("ResponseError".into(), format!("unreadable response: {r:?}")),
        SdkError::ConstructionFailure(_) => {
            let text = chain(Some(err as &dyn std::error::Error));
            if text.contains("credential") {
                ("CredentialsError".into(), text)
            } else {
                ("ConstructionFailure".into(), text)
            }
        }
        _ => ("UnknownError".into(), chain(Some(err as &dyn std::error::Error))),
    }
}

/// An error and its sources on one line.
fn chain(err: Option<&dyn std::error::Error>) -> String {
    let mut parts = Vec::new();
    let mut cur = err;
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.contains(&s) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// The token of the next page of a listing, or None when the listing is complete: no token,
/// an empty one, or the same token again (an endpoint that never advances must not loop).
pub fn next_page(returned: Option<&str>, current: &Option<String>) -> Option<String> {
    returned.filter(|t| !t.is_empty() && Some(*t) != current.as_deref()).map(str::to_string)
}

/// A collection error for the inventory.
pub fn collect_error<E, R>(err: &SdkError<E, R>, operation: &str, account: &str, region: Option<&str>) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (code, message) = classify(err);
    CollectError {
        operation: operation.to_string(),
        account: account.to_string(),
        region: region.map(str::to_string),
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::next_page;

    #[test]
    fn pagination_stops_on_no_empty_or_repeated_token() {
        assert_eq!(next_page(Some("a"), &None), Some("a".to_string()));
        assert_eq!(next_page(Some("b"), &Some("a".into())), Some("b".to_string()));
        assert_eq!(next_page(None, &Some("a".into())), None);
        assert_eq!(next_page(Some(""), &None), None);
        assert_eq!(next_page(Some("a"), &Some("a".into())), None);
    }
}
