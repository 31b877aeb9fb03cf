//! KMS actions: automatic rotation of a customer managed key.

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::aws::Lane;
use crate::inventory::CollectError;
use serde::{Deserialize, Serialize};

/// Whether automatic rotation of a key is on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RotationState {
    pub enabled: bool,
}

async fn observe_rotation(cx: &Cx<'_>, key: &str) -> Result<RotationState, ActionError> {
    let c = aws_sdk_kms::Client::new(&cx.config());
    let op = "kms:GetKeyRotationStatus";
    let out = cx
        .rt
        .call(&cx.session.account_id, Some(cx.region), Lane::Chain, op, c.get_key_rotation_status().key_id(key).send())
        .await
        .map_err(|e| CollectError::new(op, &cx.session.account_id, Some(cx.region), crate::aws::classify(&e)))?;
    Ok(RotationState { enabled: out.key_rotation_enabled() })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnableKeyRotation {
    /// The key's ARN (or id).
    pub key: String,
}

impl Spec for EnableKeyRotation {
    const OPERATION: &'static str = "kms:EnableKeyRotation";
    type State = RotationState;
    fn resource(&self) -> String {
        format!("KMS key {}", self.key)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws kms enable-key-rotation --region {region} --key-id {}", q(&self.key))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<RotationState, ActionError> {
        observe_rotation(cx, &self.key).await
    }
    fn precheck(&self, before: &RotationState) -> Precheck {
        if before.enabled {
            Precheck::AlreadyDone(format!("rotation of {} is already on", self.key))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &RotationState) -> bool {
        s.enabled
    }
    fn inverse(&self, before: &RotationState) -> Option<Action> {
        (!before.enabled).then(|| DisableKeyRotation { key: self.key.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_kms::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.enable_key_rotation().key_id(&self.key).send()).await?;
        Ok(format!("rotation of {} is on", self.key))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisableKeyRotation {
    pub key: String,
}

impl Spec for DisableKeyRotation {
    const OPERATION: &'static str = "kms:DisableKeyRotation";
    type State = RotationState;
    fn resource(&self) -> String {
        format!("KMS key {}", self.key)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws kms disable-key-rotation --region {region} --key-id {}", q(&self.key))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<RotationState, ActionError> {
        observe_rotation(cx, &self.key).await
    }
    fn achieved(&self, s: &RotationState) -> bool {
        !s.enabled
    }
    fn inverse(&self, _before: &RotationState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_kms::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.disable_key_rotation().key_id(&self.key).send()).await?;
        Ok(format!("rotation of {} is off", self.key))
    }
}
