//! AWS Config actions: the configuration recorder, its delivery channel, and recording.

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::config as read;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A recorder's recording group and role, or None when there is no recorder of that name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecorderState {
    pub recorder: Option<RecorderDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecorderDef {
    pub role_arn: Option<String>,
    pub all_supported: bool,
    pub include_global: bool,
    pub resource_types: Vec<String>,
}

async fn observe_recorder(cx: &Cx<'_>, name: &str) -> Result<RecorderState, ActionError> {
    let list = read::recorders(cx.session, cx.rt, cx.region).await.into_result()?;
    Ok(RecorderState {
        recorder: list.into_iter().find(|r| r.name == name).map(|r| RecorderDef {
            role_arn: r.role_arn,
            all_supported: r.all_supported,
            include_global: r.include_global_resource_types,
            resource_types: r.resource_types,
        }),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutConfigurationRecorder {
    pub name: String,
    pub role_arn: String,
    pub all_supported: bool,
    pub include_global: bool,
    pub resource_types: Vec<String>,
}

impl Spec for PutConfigurationRecorder {
    const OPERATION: &'static str = "config:PutConfigurationRecorder";
    type State = RecorderState;
    fn resource(&self) -> String {
        format!("configuration recorder {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        let group = if self.all_supported {
            format!("allSupported=true,includeGlobalResourceTypes={}", self.include_global)
        } else {
            format!(
                "allSupported=false,includeGlobalResourceTypes={},resourceTypes={}",
                self.include_global,
                self.resource_types.join(",")
            )
        };
        format!(
            "aws configservice put-configuration-recorder --region {region} --configuration-recorder {} --recording-group {}",
            q(&format!("name={},roleARN={}", self.name, self.role_arn)),
            q(&group)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<RecorderState, ActionError> {
        observe_recorder(cx, &self.name).await
    }
    fn achieved(&self, s: &RecorderState) -> bool {
        s.recorder.as_ref().is_some_and(|r| {
            r.all_supported == self.all_supported
                && r.include_global == self.include_global
                && r.role_arn.as_deref() == Some(self.role_arn.as_str())
        })
    }
    fn inverse(&self, before: &RecorderState) -> Option<Action> {
        Some(match &before.recorder {
            None => DeleteConfigurationRecorder { name: self.name.clone() }.into(),
            Some(r) => PutConfigurationRecorder {
                name: self.name.clone(),
                role_arn: r.role_arn.clone().unwrap_or_default(),
                all_supported: r.all_supported,
                include_global: r.include_global,
                resource_types: r.resource_types.clone(),
            }
            .into(),
        })
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        use aws_sdk_config::types::{ConfigurationRecorder, RecordingGroup, ResourceType};
        let c = aws_sdk_config::Client::new(&cx.config());
        let mut g = RecordingGroup::builder()
            .all_supported(self.all_supported)
            .include_global_resource_types(self.include_global);
        if !self.all_supported {
            g = g
                .set_resource_types(Some(self.resource_types.iter().map(|t| ResourceType::from(t.as_str())).collect()));
        }
        let rec = ConfigurationRecorder::builder()
            .name(&self.name)
            .role_arn(&self.role_arn)
            .recording_group(g.build())
            .build();
        cx.call(Self::OPERATION, c.put_configuration_recorder().configuration_recorder(rec).send()).await?;
        Ok(format!("put configuration recorder {}", self.name))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteConfigurationRecorder {
    pub name: String,
}

impl Spec for DeleteConfigurationRecorder {
    const OPERATION: &'static str = "config:DeleteConfigurationRecorder";
    type State = RecorderState;
    fn resource(&self) -> String {
        format!("configuration recorder {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws configservice delete-configuration-recorder --region {region} --configuration-recorder-name {}",
            q(&self.name)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<RecorderState, ActionError> {
        observe_recorder(cx, &self.name).await
    }
    fn achieved(&self, s: &RecorderState) -> bool {
        s.recorder.is_none()
    }
    fn inverse(&self, _before: &RecorderState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_config::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.delete_configuration_recorder().configuration_recorder_name(&self.name).send())
            .await?;
        Ok(format!("deleted configuration recorder {}", self.name))
    }
}

/// A delivery channel (by name) and the other channels of the region (a region has one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelState {
    /// The channel's bucket, when it exists.
    pub channel: Option<Option<String>>,
    pub other_channels: Vec<String>,
}

async fn observe_channel(cx: &Cx<'_>, name: &str) -> Result<ChannelState, ActionError> {
    let list = read::channels(cx.session, cx.rt, cx.region).await.into_result()?;
    Ok(ChannelState {
        channel: list.iter().find(|d| d.name == name).map(|d| d.bucket.clone()),
        other_channels: list.iter().filter(|d| d.name != name).map(|d| d.name.clone()).collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutDeliveryChannel {
    pub name: String,
    pub bucket: String,
}

impl Spec for PutDeliveryChannel {
    const OPERATION: &'static str = "config:PutDeliveryChannel";
    type State = ChannelState;
    fn resource(&self) -> String {
        format!("delivery channel {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws configservice put-delivery-channel --region {region} --delivery-channel {}",
            q(&json!({"name": self.name, "s3BucketName": self.bucket}).to_string())
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<ChannelState, ActionError> {
        observe_channel(cx, &self.name).await
    }
    fn precheck(&self, before: &ChannelState) -> Precheck {
        match &before.channel {
            Some(b) if b.as_deref() == Some(self.bucket.as_str()) => {
                Precheck::AlreadyDone(format!("delivery channel {} already exists", self.name))
            }
            Some(_) => Precheck::Stop(format!(
                "delivery channel {} appeared since planning with another bucket; left untouched",
                self.name
            )),
            None => match before.other_channels.first() {
                Some(o) => Precheck::Stop(format!("the region already has delivery channel {o}; left untouched")),
                None => Precheck::Go,
            },
        }
    }
    fn achieved(&self, s: &ChannelState) -> bool {
        s.channel.as_ref().is_some_and(|b| b.as_deref() == Some(self.bucket.as_str()))
    }
    fn inverse(&self, _before: &ChannelState) -> Option<Action> {
        Some(DeleteDeliveryChannel { name: self.name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_config::Client::new(&cx.config());
        let ch =
            aws_sdk_config::types::DeliveryChannel::builder().name(&self.name).s3_bucket_name(&self.bucket).build();
        cx.call(Self::OPERATION, c.put_delivery_channel().delivery_channel(ch).send()).await?;
        Ok(format!("put delivery channel {}", self.name))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteDeliveryChannel {
    pub name: String,
}

impl Spec for DeleteDeliveryChannel {
    const OPERATION: &'static str = "config:DeleteDeliveryChannel";
    type State = ChannelState;
    fn resource(&self) -> String {
        format!("delivery channel {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws configservice delete-delivery-channel --region {region} --delivery-channel-name {}", q(&self.name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<ChannelState, ActionError> {
        observe_channel(cx, &self.name).await
    }
    fn achieved(&self, s: &ChannelState) -> bool {
        s.channel.is_none()
    }
    fn inverse(&self, _before: &ChannelState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_config::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.delete_delivery_channel().delivery_channel_name(&self.name).send()).await?;
        Ok(format!("deleted delivery channel {}", self.name))
    }
}

/// Whether a recorder exists and records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordingState {
    pub exists: bool,
    pub recording: bool,
}

async fn observe_recording(cx: &Cx<'_>, name: &str) -> Result<RecordingState, ActionError> {
    let list = read::statuses(cx.session, cx.rt, cx.region).await.into_result()?;
    let st = list.iter().find(|s| s.name == name);
    Ok(RecordingState { exists: st.is_some(), recording: st.is_some_and(|s| s.recording) })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartConfigurationRecorder {
    pub name: String,
}

impl Spec for StartConfigurationRecorder {
    const OPERATION: &'static str = "config:StartConfigurationRecorder";
    type State = RecordingState;
    fn resource(&self) -> String {
        format!("configuration recorder {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws configservice start-configuration-recorder --region {region} --configuration-recorder-name {}",
            q(&self.name)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<RecordingState, ActionError> {
        observe_recording(cx, &self.name).await
    }
    fn precheck(&self, before: &RecordingState) -> Precheck {
        if before.recording {
            Precheck::AlreadyDone(format!("recorder {} is already recording", self.name))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &RecordingState) -> bool {
        s.recording
    }
    fn inverse(&self, _before: &RecordingState) -> Option<Action> {
        Some(StopConfigurationRecorder { name: self.name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_config::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.start_configuration_recorder().configuration_recorder_name(&self.name).send())
            .await?;
        Ok(format!("recorder {} started", self.name))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopConfigurationRecorder {
    pub name: String,
}

impl Spec for StopConfigurationRecorder {
    const OPERATION: &'static str = "config:StopConfigurationRecorder";
    type State = RecordingState;
    fn resource(&self) -> String {
        format!("configuration recorder {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws configservice stop-configuration-recorder --region {region} --configuration-recorder-name {}",
            q(&self.name)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<RecordingState, ActionError> {
        observe_recording(cx, &self.name).await
    }
    fn achieved(&self, s: &RecordingState) -> bool {
        !s.recording
    }
    fn inverse(&self, _before: &RecordingState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_config::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.stop_configuration_recorder().configuration_recorder_name(&self.name).send())
            .await?;
        Ok(format!("recorder {} stopped", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_recorder_is_deleted_and_an_old_one_restored() {
        let a = PutConfigurationRecorder {
            name: "default".into(),
            role_arn: "r".into(),
            all_supported: true,
            include_global: true,
            resource_types: vec![],
        };
        assert_eq!(
            a.inverse(&RecorderState::default()),
            Some(DeleteConfigurationRecorder { name: "default".into() }.into())
        );
        let old = RecorderDef {
            role_arn: Some("old".into()),
            all_supported: false,
            include_global: false,
            resource_types: vec!["AWS::S3::Bucket".into()],
        };
        let Some(Action::PutConfigurationRecorder(p)) = a.inverse(&RecorderState { recorder: Some(old) }) else {
            panic!()
        };
        assert_eq!((p.role_arn.as_str(), p.all_supported, p.resource_types.len()), ("old", false, 1));
    }
}
