//! SQS: the temporary queue `cis-audit drill` subscribes to a topic to see the alert arrive.
//! Created with a policy that lets that one topic send to it; deleted at the end of the drill
//! (or by `cis-audit rollback JOURNAL`). Never any other queue.

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::drill as read;
use serde::{Deserialize, Serialize};

/// Whether the drill's queue exists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueState {
    pub url: Option<String>,
}

async fn observe_queue(cx: &Cx<'_>, name: &str) -> Result<QueueState, ActionError> {
    Ok(QueueState { url: read::queue_url(cx.session, cx.rt, cx.region, name).await? })
}

fn sqs(cx: &Cx<'_>) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&cx.config())
}

/// The queue's ARN in the drill's account and region.
pub(crate) fn queue_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:sqs:{region}:{account}:{name}")
}

/// The queue policy: the topic (and only it) may send to the queue.
pub(crate) fn queue_policy(queue_arn: &str, topic_arn: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CisAuditDrillTopic",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
        }]
    })
    .to_string()
}

/// Creates the drill's queue, letting `topic_arn` send to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateDrillQueue {
    pub name: String,
    pub queue_arn: String,
    pub topic_arn: String,
}

impl Spec for CreateDrillQueue {
    const OPERATION: &'static str = "sqs:CreateQueue";
    type State = QueueState;
    fn resource(&self) -> String {
        format!("SQS queue {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        let attrs = serde_json::json!({"Policy": queue_policy(&self.queue_arn, &self.topic_arn)}).to_string();
        format!(
            "aws sqs create-queue --region {region} --queue-name {} --tags {}=drill --attributes {}",
            q(&self.name),
            read::DRILL_TAG,
            q(&attrs)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<QueueState, ActionError> {
        observe_queue(cx, &self.name).await
    }
    fn precheck(&self, before: &QueueState) -> Precheck {
        match &before.url {
            // A queue of that name is not the drill's: never reuse or delete it.
            Some(u) => Precheck::Stop(format!("a queue named {} already exists ({u}); it is left alone", self.name)),
            None => Precheck::Go,
        }
    }
    fn achieved(&self, s: &QueueState) -> bool {
        s.url.is_some()
    }
    fn inverse(&self, before: &QueueState) -> Option<Action> {
        before.url.is_none().then(|| DeleteDrillQueue { name: self.name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        use aws_sdk_sqs::types::QueueAttributeName;
        let req = sqs(cx)
            .create_queue()
            .queue_name(&self.name)
            .attributes(QueueAttributeName::Policy, queue_policy(&self.queue_arn, &self.topic_arn))
            .attributes(QueueAttributeName::MessageRetentionPeriod, "3600")
            .tags(read::DRILL_TAG, "drill");
        let o = cx.call(Self::OPERATION, req.send()).await?;
        Ok(o.queue_url().unwrap_or_default().to_string())
    }
}

/// Deletes the drill's queue (the inverse of [`CreateDrillQueue`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteDrillQueue {
    pub name: String,
}

impl Spec for DeleteDrillQueue {
    const OPERATION: &'static str = "sqs:DeleteQueue";
    type State = QueueState;
    fn resource(&self) -> String {
        format!("SQS queue {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws sqs delete-queue --region {region} --queue-url \"$(aws sqs get-queue-url --region {region} --queue-name {} --query QueueUrl --output text)\"",
            q(&self.name)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<QueueState, ActionError> {
        observe_queue(cx, &self.name).await
    }
    fn achieved(&self, s: &QueueState) -> bool {
        s.url.is_none()
    }
    fn inverse(&self, _before: &QueueState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let Some(url) = observe_queue(cx, &self.name).await?.url else {
            return Ok(format!("queue {} is already gone", self.name));
        };
        cx.call(Self::OPERATION, sqs(cx).delete_queue().queue_url(&url).send()).await?;
        Ok(format!("queue {} deleted", self.name))
    }
}
