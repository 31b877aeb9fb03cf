//! Security Hub: whether it is enabled in a region (`DescribeHub`).

use super::model::*;
use super::read;
use crate::aws::{Lane, Runtime, Session};

/// `DescribeHub`: enabled, or not (Security Hub answers `InvalidAccessException` — "not
/// subscribed to AWS Security Hub" — for an account that has not enabled it in the region).
pub(crate) async fn hub(s: &Session, rt: &Runtime, region: &str) -> Collected<SecurityHubState> {
    let client = aws_sdk_securityhub::Client::new(&s.region_config(region));
    match read(s, rt, Lane::Leaf, "securityhub:DescribeHub", Some(region), || client.describe_hub().send()).await {
        Ok(o) => Collected::Ok(SecurityHubState {
            enabled: true,
            hub_arn: o.hub_arn().map(str::to_string),
            subscribed_at: o.subscribed_at().map(str::to_string),
        }),
        Err(e) if not_enabled(&e) => Collected::Ok(SecurityHubState::default()),
        Err(e) => Collected::Error(e),
    }
}

/// The answer of a region where Security Hub is not enabled.
fn not_enabled(e: &CollectError) -> bool {
    e.code == "InvalidAccessException" && e.message.to_ascii_lowercase().contains("not subscribed")
        || e.code == "ResourceNotFoundException"
}
