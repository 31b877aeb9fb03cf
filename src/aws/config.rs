//! The SDK configuration every session starts from.

use aws_config::{retry::RetryConfig, BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// The AWS options common to every command that talks to AWS.
#[derive(Debug, Clone)]
pub(crate) struct AwsOptions {
    /// Named profile; None: `AWS_PROFILE` or the default chain (the SDK reads the environment).
    pub profile: Option<String>,
    /// Home region for global calls (STS, Account, Organizations); also the default region.
    pub region: Option<String>,
    /// Every request goes here; None: `AWS_ENDPOINT_URL` if set (the SDK reads it), else AWS.
    pub endpoint_url: Option<String>,
    /// Per-attempt timeout of an API call.
    pub call_timeout: Duration,
    /// Bounds on API calls in flight: all accounts together, one account, one region of one
    /// account.
    pub bounds: crate::aws::Bounds,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            region: None,
            endpoint_url: None,
            call_timeout: Duration::from_secs(20),
            bounds: crate::aws::Bounds::DEFAULT,
        }
    }
}

impl AwsOptions {
    /// The endpoint requests go to, for messages: the option, else `AWS_ENDPOINT_URL`.
    pub(crate) fn endpoint_for_messages(&self) -> Option<String> {
        self.endpoint_url.clone().or_else(|| std::env::var("AWS_ENDPOINT_URL").ok().filter(|s| !s.is_empty()))
    }
}

/// One HTTPS client for every SDK client of the run, built as the SDK builds its default one
/// (rustls with aws-lc, the proxy from the environment). Without it each SDK client made its
/// own: a connection pool and a copy of the trusted roots per client, so an organisation's
/// audit opened a connection per call and held ~0.6 MiB per call in flight (heaptrack: 36 MB
/// of copied trust anchors at 60 accounts).
fn shared_https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::{proxy::ProxyConfig, tls, Builder, ConnectorBuilder};
    Builder::new().build_with_connector_fn(move |settings, components| {
        let mut b =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc));
        b.set_connector_settings(settings.cloned());
        if let Some(c) = components {
            b.set_sleep_impl(c.sleep_impl());
        }
        b.set_proxy_config(Some(ProxyConfig::from_env()));
        b.build()
    })
}

/// Loads the base SDK configuration from the standard chain (environment, profile, SSO, web
/// identity, container and instance metadata). Retries use the SDK's **adaptive** mode (its
/// client-side token bucket slows down after a throttling answer), 3 attempts, unless
/// `AWS_RETRY_MODE` / `AWS_MAX_ATTEMPTS` say otherwise.
pub(crate) async fn base_config(opts: &AwsOptions) -> SdkConfig {
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
    if std::env::var_os("AWS_RETRY_MODE").is_none() {
        let attempts = std::env::var("AWS_MAX_ATTEMPTS").ok().and_then(|v| v.parse::<u32>().ok()).unwrap_or(3);
        loader = loader.retry_config(RetryConfig::adaptive().with_max_attempts(attempts.max(1)));
    }
    loader = loader.timeout_config(
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(opts.call_timeout)
            .build(),
    );
    loader = loader.http_client(shared_https_client());
    let mut config = loader.load().await;
    if config.region().is_none() {
        config = config.to_builder().region(Region::from_static("us-east-1")).build();
    }
    config
}
