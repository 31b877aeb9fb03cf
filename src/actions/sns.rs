//! SNS actions: topics and subscriptions.

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::{sns as read, Collected, Subscription};
use serde::{Deserialize, Serialize};

/// The subscriptions of a topic: None when the topic does not exist.
async fn subscriptions(cx: &Cx<'_>, topic_arn: &str) -> Result<Option<Vec<Subscription>>, ActionError> {
    match read::topic(cx.session, cx.rt, topic_arn, cx.region).await.subscriptions {
        Collected::Ok(list) => Ok(Some(list)),
        Collected::Error(e) if e.is_not_found() => Ok(None),
        Collected::Error(e) => Err(e.into()),
    }
}

/// A topic: whether it exists, and who confirmed a subscription to it (`protocol:endpoint`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicState {
    pub exists: bool,
    pub confirmed_subscriptions: Vec<String>,
}

async fn observe_topic(cx: &Cx<'_>, topic_arn: &str) -> Result<TopicState, ActionError> {
    Ok(match subscriptions(cx, topic_arn).await? {
        None => TopicState::default(),
        Some(list) => {
            let mut confirmed: Vec<String> =
                list.iter().filter(|s| s.is_confirmed()).map(|s| format!("{}:{}", s.protocol, s.endpoint)).collect();
            confirmed.sort();
            TopicState { exists: true, confirmed_subscriptions: confirmed }
        }
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTopic {
    pub name: String,
    pub topic_arn: String,
}

impl Spec for CreateTopic {
    const OPERATION: &'static str = "sns:CreateTopic";
    type State = TopicState;
    fn resource(&self) -> String {
        format!("topic {}", self.topic_arn)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws sns create-topic --region {region} --name {}", q(&self.name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TopicState, ActionError> {
        observe_topic(cx, &self.topic_arn).await
    }
    fn precheck(&self, before: &TopicState) -> Precheck {
        if before.exists {
            Precheck::AlreadyDone(format!("topic {} already exists", self.topic_arn))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &TopicState) -> bool {
        s.exists
    }
    fn inverse(&self, _before: &TopicState) -> Option<Action> {
        Some(DeleteTopic { topic_arn: self.topic_arn.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_sns::Client::new(&cx.config());
        let o = cx.call(Self::OPERATION, c.create_topic().name(&self.name).send()).await?;
        Ok(o.topic_arn().unwrap_or_default().to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteTopic {
    pub topic_arn: String,
}

impl Spec for DeleteTopic {
    const OPERATION: &'static str = "sns:DeleteTopic";
    type State = TopicState;
    fn resource(&self) -> String {
        format!("topic {}", self.topic_arn)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws sns delete-topic --region {region} --topic-arn {}", q(&self.topic_arn))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TopicState, ActionError> {
        observe_topic(cx, &self.topic_arn).await
    }
    fn achieved(&self, s: &TopicState) -> bool {
        !s.exists
    }
    fn inverse(&self, _before: &TopicState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_sns::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.delete_topic().topic_arn(&self.topic_arn).send()).await?;
        Ok(format!("deleted topic {}", self.topic_arn))
    }
}

/// Whether `protocol:endpoint` is subscribed to the topic (confirmed or not).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionState {
    pub subscribed: bool,
}

async fn observe_subscription(
    cx: &Cx<'_>,
    topic: &str,
    protocol: &str,
    endpoint: &str,
) -> Result<SubscriptionState, ActionError> {
    let list = subscriptions(cx, topic).await?.unwrap_or_default();
    Ok(SubscriptionState { subscribed: list.iter().any(|x| x.protocol == protocol && x.endpoint == endpoint) })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscribe {
    pub topic_arn: String,
    pub protocol: String,
    pub endpoint: String,
}

impl Spec for Subscribe {
    const OPERATION: &'static str = "sns:Subscribe";
    type State = SubscriptionState;
    fn resource(&self) -> String {
        format!("subscription {}:{} to {}", self.protocol, self.endpoint, self.topic_arn)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws sns subscribe --region {region} --topic-arn {} --protocol {} --notification-endpoint {}",
            q(&self.topic_arn),
            q(&self.protocol),
            q(&self.endpoint)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<SubscriptionState, ActionError> {
        observe_subscription(cx, &self.topic_arn, &self.protocol, &self.endpoint).await
    }
    fn precheck(&self, before: &SubscriptionState) -> Precheck {
        if before.subscribed {
            Precheck::AlreadyDone(format!("{}:{} is already subscribed", self.protocol, self.endpoint))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &SubscriptionState) -> bool {
        s.subscribed
    }
    fn inverse(&self, _before: &SubscriptionState) -> Option<Action> {
        Some(
            Unsubscribe {
                topic_arn: self.topic_arn.clone(),
                protocol: self.protocol.clone(),
                endpoint: self.endpoint.clone(),
            }
            .into(),
        )
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_sns::Client::new(&cx.config());
        let req = c.subscribe().topic_arn(&self.topic_arn).protocol(&self.protocol).endpoint(&self.endpoint);
        let o = cx.call(Self::OPERATION, req.send()).await?;
        let arn = o.subscription_arn().unwrap_or_default();
        Ok(if crate::inventory::Arn::parse(arn).is_some() {
            arn.to_string()
        } else {
            "pending confirmation".to_string()
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unsubscribe {
    pub topic_arn: String,
    pub protocol: String,
    pub endpoint: String,
}

impl Spec for Unsubscribe {
    const OPERATION: &'static str = "sns:Unsubscribe";
    type State = SubscriptionState;
    fn resource(&self) -> String {
        format!("subscription {}:{} to {}", self.protocol, self.endpoint, self.topic_arn)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws sns unsubscribe --region {region} --subscription-arn <arn of {}:{} on {}>",
            self.protocol, self.endpoint, self.topic_arn
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<SubscriptionState, ActionError> {
        observe_subscription(cx, &self.topic_arn, &self.protocol, &self.endpoint).await
    }
    fn achieved(&self, s: &SubscriptionState) -> bool {
        !s.subscribed
    }
    fn inverse(&self, _before: &SubscriptionState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let list = subscriptions(cx, &self.topic_arn).await?.unwrap_or_default();
        let Some(sub) = list.iter().find(|x| x.protocol == self.protocol && x.endpoint == self.endpoint) else {
            return Ok("no such subscription any more".into());
        };
        if !sub.is_confirmed() {
            return Err(ActionError::PendingSubscription {
                protocol: self.protocol.clone(),
                endpoint: self.endpoint.clone(),
            });
        }
        let c = aws_sdk_sns::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.unsubscribe().subscription_arn(&sub.subscription_arn).send()).await?;
        Ok(format!("unsubscribed {}", sub.subscription_arn))
    }
}

/// A topic's policy (JSON text) and encryption key, as `GetTopicAttributes` returns them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicAttributesState {
    pub exists: bool,
    pub policy: Option<String>,
    pub kms_master_key_id: Option<String>,
}

async fn observe_attributes(cx: &Cx<'_>, topic_arn: &str) -> Result<TopicAttributesState, ActionError> {
    match read::attributes(cx.session, cx.rt, topic_arn, cx.region).await {
        Collected::Ok(a) => {
            Ok(TopicAttributesState { exists: true, policy: a.policy, kms_master_key_id: a.kms_master_key_id })
        }
        Collected::Error(e) if e.is_not_found() => Ok(TopicAttributesState::default()),
        Collected::Error(e) => Err(e.into()),
    }
}

fn same_policy(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<serde_json::Value>(a), serde_json::from_str::<serde_json::Value>(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Replaces a topic's policy with `policy`: the policy the plan read (`previous`) with its
/// statements kept as they are and a statement of ours added. Refused when the policy changed
/// since planning; the inverse restores the previous text byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetTopicPolicy {
    pub topic_arn: String,
    pub policy: String,
    /// The policy the plan merged into (None: the topic does not exist yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

impl Spec for SetTopicPolicy {
    const OPERATION: &'static str = "sns:SetTopicAttributes";
    type State = TopicAttributesState;
    fn resource(&self) -> String {
        format!("policy of topic {}", self.topic_arn)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws sns set-topic-attributes --region {region} --topic-arn {} --attribute-name Policy --attribute-value {}",
            q(&self.topic_arn),
            q(&self.policy)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TopicAttributesState, ActionError> {
        observe_attributes(cx, &self.topic_arn).await
    }
    fn precheck(&self, before: &TopicAttributesState) -> Precheck {
        if !before.exists {
            return Precheck::Stop(format!("topic {} does not exist", self.topic_arn));
        }
        if self.achieved(before) {
            return Precheck::AlreadyDone(format!("the policy of topic {} already has our statement", self.topic_arn));
        }
        match (&self.previous, &before.policy) {
            // Created by this plan: whatever SNS set as its default is what we merged into.
            (None, _) => Precheck::Go,
            (Some(p), Some(now)) if same_policy(p, now) => Precheck::Go,
            _ => {
                Precheck::Stop(format!("the policy of topic {} changed since planning; left untouched", self.topic_arn))
            }
        }
    }
    fn achieved(&self, s: &TopicAttributesState) -> bool {
        s.policy.as_deref().is_some_and(|p| same_policy(p, &self.policy))
    }
    fn inverse(&self, before: &TopicAttributesState) -> Option<Action> {
        before.policy.as_ref().map(|p| {
            SetTopicPolicy { topic_arn: self.topic_arn.clone(), policy: p.clone(), previous: Some(self.policy.clone()) }
                .into()
        })
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_sns::Client::new(&cx.config());
        let req =
            c.set_topic_attributes().topic_arn(&self.topic_arn).attribute_name("Policy").attribute_value(&self.policy);
        cx.call(Self::OPERATION, req.send()).await?;
        Ok(format!("set the policy of topic {}", self.topic_arn))
    }
}

/// Encrypts a topic with a customer managed key. Never planned as an automatic step (a topic
/// encrypted with `alias/aws/sns` is not re-encrypted by cis-audit): shown as the MANUAL step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncryptTopic {
    pub topic_arn: String,
    pub kms_key: String,
}

impl Spec for EncryptTopic {
    const OPERATION: &'static str = "sns:SetTopicAttributes";
    type State = TopicAttributesState;
    fn resource(&self) -> String {
        format!("encryption of topic {}", self.topic_arn)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws sns set-topic-attributes --region {region} --topic-arn {} --attribute-name KmsMasterKeyId --attribute-value {}",
            q(&self.topic_arn),
            q(&self.kms_key)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TopicAttributesState, ActionError> {
        observe_attributes(cx, &self.topic_arn).await
    }
    fn achieved(&self, s: &TopicAttributesState) -> bool {
        s.kms_master_key_id.as_deref() == Some(self.kms_key.as_str())
    }
    fn inverse(&self, before: &TopicAttributesState) -> Option<Action> {
        Some(
            EncryptTopic {
                topic_arn: self.topic_arn.clone(),
                kms_key: before.kms_master_key_id.clone().unwrap_or_default(),
            }
            .into(),
        )
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_sns::Client::new(&cx.config());
        let req = c
            .set_topic_attributes()
            .topic_arn(&self.topic_arn)
            .attribute_name("KmsMasterKeyId")
            .attribute_value(&self.kms_key);
        cx.call(Self::OPERATION, req.send()).await?;
        Ok(format!("topic {} encrypted with {}", self.topic_arn, self.kms_key))
    }
}
