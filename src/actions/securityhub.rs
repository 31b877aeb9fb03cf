//! Security Hub actions: enabling it in a region (and, to roll back, disabling it again).

use super::{Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::{securityhub as read, Collected};
use serde::{Deserialize, Serialize};

/// Whether Security Hub is enabled in the region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HubState {
    pub enabled: bool,
}

async fn observe_hub(cx: &Cx<'_>) -> Result<HubState, ActionError> {
    match read::hub(cx.session, cx.rt, cx.region).await {
        Collected::Ok(h) => Ok(HubState { enabled: h.enabled }),
        Collected::Error(e) => Err(e.into()),
    }
}

/// Enables Security Hub without the default standards (which would add controls and cost the
/// operator did not ask for); the CIS standard can be enabled from the console or the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnableSecurityHub {}

impl Spec for EnableSecurityHub {
    const OPERATION: &'static str = "securityhub:EnableSecurityHub";
    type State = HubState;
    fn resource(&self) -> String {
        "Security Hub".into()
    }
    fn cli(&self, region: &str) -> String {
        format!("aws securityhub enable-security-hub --region {region} --no-enable-default-standards")
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<HubState, ActionError> {
        observe_hub(cx).await
    }
    fn precheck(&self, before: &HubState) -> Precheck {
        if before.enabled {
            Precheck::AlreadyDone("Security Hub is already enabled".into())
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &HubState) -> bool {
        s.enabled
    }
    fn inverse(&self, before: &HubState) -> Option<Action> {
        (!before.enabled).then(|| DisableSecurityHub {}.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_securityhub::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.enable_security_hub().enable_default_standards(false).send()).await?;
        Ok(format!("Security Hub enabled in {}", cx.region))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisableSecurityHub {}

impl Spec for DisableSecurityHub {
    const OPERATION: &'static str = "securityhub:DisableSecurityHub";
    type State = HubState;
    fn resource(&self) -> String {
        "Security Hub".into()
    }
    fn cli(&self, region: &str) -> String {
        format!("aws securityhub disable-security-hub --region {region}")
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<HubState, ActionError> {
        observe_hub(cx).await
    }
    fn achieved(&self, s: &HubState) -> bool {
        !s.enabled
    }
    fn inverse(&self, _before: &HubState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_securityhub::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.disable_security_hub().send()).await?;
        Ok(format!("Security Hub disabled in {}", cx.region))
    }
}
