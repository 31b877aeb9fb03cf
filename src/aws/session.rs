//! Sessions: the credentials and identity of one audited account.
//!
//! - The caller's own account: the base configuration, identified with `sts:GetCallerIdentity`.
//! - Any other account: `sts:AssumeRole` into a role there (`--role-arn`, or the member role of
//!   an organization). The account id is the role ARN's; the role is assumed once, explicitly,
//!   before anything else is asked of that account ([`Session::establish`]), so a denied
//!   AssumeRole is one clear error for that account alone, with AWS's code. The credentials are
//!   cached and renewed five minutes before they expire (long organization audits).

use super::{arn_account, classify, ApiError, Lane, Runtime};
use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::{error::CredentialsError, future, ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

/// The error our role provider hands the SDK; [`classify`] recovers the AWS code from it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot assume {role_arn}: {error}")]
pub(crate) struct SessionError {
    pub role_arn: String,
    pub error: ApiError,
}

/// Credentials and identity of one audited account.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub config: SdkConfig,
    pub account_id: String,
    /// `aws`, `aws-us-gov`, `aws-cn`.
    pub partition: String,
    /// The role assumed into the account, if any.
    pub role_arn: Option<String>,
    caller_arn: Arc<OnceLock<String>>,
    role: Option<Arc<RoleProvider>>,
}

impl Session {
    /// The caller's own account, identified with `sts:GetCallerIdentity`.
    pub(crate) async fn caller(base: &SdkConfig, rt: &Runtime) -> Result<Session, ApiError> {
        let sts = aws_sdk_sts::Client::new(base);
        let out = rt
            .call("caller", None, Lane::Chain, "sts:GetCallerIdentity", sts.get_caller_identity().send())
            .await
            .map_err(|e| classify(&e))?;
        let arn = out.arn().unwrap_or_default().to_string();
        let partition = arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_string();
        let caller_arn = Arc::new(OnceLock::new());
        let _ = caller_arn.set(arn);
        Ok(Session {
            config: base.clone(),
            account_id: out.account().unwrap_or_default().to_string(),
            partition,
            role_arn: None,
            caller_arn,
            role: None,
        })
    }

    /// A session in another account through `role_arn`, assumed with the `base` credentials.
    /// Nothing is called yet; [`Session::establish`] assumes the role. None when `role_arn` is
    /// not an IAM role ARN with an account id.
    pub(crate) fn for_role(
        base: &SdkConfig,
        role_arn: &str,
        external_id: Option<&str>,
        rt: &Runtime,
    ) -> Option<Session> {
        let account_id = arn_account(role_arn)?.to_string();
        let partition = role_arn.split(':').nth(1).unwrap_or("aws").to_string();
        let provider = Arc::new(RoleProvider {
            sts: aws_sdk_sts::Client::new(base),
            role_arn: role_arn.to_string(),
            external_id: external_id.map(str::to_string),
            account: account_id.clone(),
            rt: rt.clone(),
            cache: tokio::sync::Mutex::new(None),
        });
        let config = base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(RoleProviderHandle(provider.clone())))
            .build();
        Some(Session {
            config,
            account_id,
            partition,
            role_arn: Some(role_arn.to_string()),
            caller_arn: Arc::new(OnceLock::new()),
            role: Some(provider),
        })
    }

    /// Assumes the role (once; later calls reuse the credentials). A no-op for the caller's own
    /// session. Err carries AWS's code, e.g. `AccessDenied`.
    pub(crate) async fn establish(&self) -> Result<(), SessionError> {
        if let Some(p) = &self.role {
            let assumed = p.load().await?.1;
            let _ = self.caller_arn.set(assumed);
        }
        Ok(())
    }

    /// The identity that reads this account: the caller's ARN, or the assumed-role ARN once
    /// [`Session::establish`] succeeded.
    pub(crate) fn caller_arn(&self) -> String {
        self.caller_arn.get().cloned().unwrap_or_default()
    }

    pub(crate) fn region_config(&self, region: &str) -> SdkConfig {
        self.config.to_builder().region(Region::new(region.to_string())).build()
    }
}

#[derive(Debug)]
struct RoleProvider {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    account: String,
    rt: Runtime,
    /// The credentials and the assumed-role ARN.
    cache: tokio::sync::Mutex<Option<(Credentials, String)>>,
}

impl RoleProvider {
    async fn load(&self) -> Result<(Credentials, String), SessionError> {
        let mut cache = self.cache.lock().await;
        if let Some((c, arn)) = cache.as_ref() {
            let fresh = c.expiry().is_none_or(|e| e > SystemTime::now() + Duration::from_secs(300));
            if fresh {
                return Ok((c.clone(), arn.clone()));
            }
        }
        let mut req = self.sts.assume_role().role_arn(&self.role_arn).role_session_name("cis-audit");
        if let Some(x) = &self.external_id {
            req = req.external_id(x);
        }
        let fail = |error: ApiError| SessionError { role_arn: self.role_arn.clone(), error };
        let out = self
            .rt
            .call(&self.account, None, Lane::Chain, "sts:AssumeRole", req.send())
            .await
            .map_err(|e| fail(classify(&e)))?;
        let c = out
            .credentials()
            .ok_or_else(|| fail(ApiError::new("ResponseError", "AssumeRole returned no credentials")))?;
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        let creds = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "cis-audit-assume-role",
        );
        let arn = out.assumed_role_user().map(|u| u.arn().to_string()).unwrap_or_default();
        *cache = Some((creds.clone(), arn.clone()));
        Ok((creds, arn))
    }
}

#[derive(Debug)]
struct RoleProviderHandle(Arc<RoleProvider>);

impl ProvideCredentials for RoleProviderHandle {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.0.load().await.map(|(c, _)| c).map_err(CredentialsError::provider_error)
        })
    }
}
