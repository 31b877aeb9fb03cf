//! AWS plumbing, and nothing of ours: SDK configuration (profile, region, endpoint, retries,
//! timeouts), one [`Session`] per audited account (the caller's own credentials, or an assumed
//! role), the call [`Runtime`] (global and per-account bounds on calls in flight, call counting),
//! and the classification of SDK errors into an AWS error code and message ([`ApiError`]).

mod config;
mod runtime;
mod session;

pub(crate) use config::{base_config, AwsOptions};
pub(crate) use runtime::{Bounds, Lane, Runtime};
pub(crate) use session::{Session, SessionError};

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// An AWS error code and a one-line message. Codes of our own for failures that never reached
/// AWS: `ConnectionError`, `Timeout`, `CredentialsError`, `ResponseError`, `ConstructionFailure`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError { code: code.into(), message: message.into() }
    }

    /// The code says the resource does not exist (each service spells it its own way).
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ResourceNotFoundException"
                | "NotFound"
                | "NotFoundException"
                | "TrailNotFoundException"
                | "NoSuchConfigurationRecorderException"
                | "NoSuchDeliveryChannelException"
        )
    }

    /// The endpoint could not be reached at all (not an answer from AWS).
    pub(crate) fn is_unreachable(&self) -> bool {
        matches!(self.code.as_str(), "ConnectionError" | "Timeout")
    }
}

/// The AWS error code and a one-line message for any SDK error.
pub(crate) fn classify<E, R>(err: &SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            ApiError::new(e.code().unwrap_or("UnknownError"), e.message().unwrap_or_default())
        }
        SdkError::TimeoutError(_) => ApiError::new("Timeout", "the call timed out"),
        SdkError::DispatchFailure(d) => {
            let text = chain(d.as_connector_error().map(|c| c as &dyn std::error::Error));
            if d.is_timeout() {
                ApiError::new("Timeout", text)
            } else if d.is_user() || text.contains("credential") {
                credentials_error(err, text)
            } else {
                ApiError::new("ConnectionError", text)
            }
        }
        SdkError::ResponseError(r) => ApiError::new("ResponseError", format!("unreadable response: {r:?}")),
        SdkError::ConstructionFailure(_) => {
            let text = chain(Some(err as &dyn std::error::Error));
            if text.contains("credential") {
                credentials_error(err, text)
            } else {
                ApiError::new("ConstructionFailure", text)
            }
        }
        _ => ApiError::new("UnknownError", chain(Some(err as &dyn std::error::Error))),
    }
}

/// A credentials failure; when our role provider failed, its AWS error (AccessDenied …) is the
/// one that matters, so it is taken from the error's sources.
fn credentials_error(err: &(dyn std::error::Error + 'static), text: String) -> ApiError {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(se) = e.downcast_ref::<SessionError>() {
            return se.error.clone();
        }
        cur = e.source();
    }
    ApiError::new("CredentialsError", text)
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
pub(crate) fn next_page(returned: Option<&str>, current: &Option<String>) -> Option<String> {
    returned.filter(|t| !t.is_empty() && Some(*t) != current.as_deref()).map(str::to_string)
}

/// The account id in an ARN (`arn:partition:service:region:ACCOUNT:…`), when it has one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    let mut it = arn.splitn(6, ':');
    (it.next()? == "arn").then_some(())?;
    it.nth(3).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_stops_on_no_empty_or_repeated_token() {
        assert_eq!(next_page(Some("a"), &None), Some("a".to_string()));
        assert_eq!(next_page(Some("b"), &Some("a".into())), Some("b".to_string()));
        assert_eq!(next_page(None, &Some("a".into())), None);
        assert_eq!(next_page(Some(""), &None), None);
        assert_eq!(next_page(Some("a"), &Some("a".into())), None);
    }

    #[test]
    fn api_error_displays_code_and_message() {
        assert_eq!(ApiError::new("AccessDenied", "no").to_string(), "AccessDenied: no");
        assert_eq!(ApiError::new("Timeout", "").to_string(), "Timeout");
        assert!(ApiError::new("TrailNotFoundException", "").is_not_found());
        assert_eq!(arn_account("arn:aws:iam::111122223333:role/x"), Some("111122223333"));
        assert_eq!(arn_account("arn:aws:s3:::bucket"), None);
        assert_eq!(arn_account("role/x"), None);
    }
}
