//! SNS: the subscriptions of a topic (`ListSubscriptionsByTopic` also tells whether the topic
//! exists: `NotFound`), and its attributes (policy, encryption key).

use super::model::*;
use super::read;
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_sns::Client;

/// `ListSubscriptionsByTopic` (every page) for `arn`, read in the topic's region.
pub(crate) async fn topic(s: &Session, rt: &Runtime, arn: &str, region: &str) -> TopicInventory {
    let client = Client::new(&s.region_config(region));
    let mut subs = Vec::new();
    let mut token: Option<String> = None;
    let result = loop {
        let req = client.list_subscriptions_by_topic().topic_arn(arn).set_next_token(token.clone());
        match read(s, rt, Lane::Chain, "sns:ListSubscriptionsByTopic", Some(region), req.send()).await {
            Ok(out) => {
                subs.extend(out.subscriptions().iter().map(|x| Subscription {
                    subscription_arn: x.subscription_arn().unwrap_or_default().to_string(),
                    protocol: x.protocol().unwrap_or_default().to_string(),
                    endpoint: x.endpoint().unwrap_or_default().to_string(),
                }));
                match next_page(out.next_token(), &token) {
                    Some(t) => token = Some(t),
                    None => break Collected::Ok(std::mem::take(&mut subs)),
                }
            }
            Err(e) => break Collected::Error(e),
        }
    };
    TopicInventory { arn: arn.to_string(), subscriptions: result, attributes: None }
}

/// `GetTopicAttributes`: the policy and the encryption key.
pub(crate) async fn attributes(s: &Session, rt: &Runtime, arn: &str, region: &str) -> Collected<TopicAttributes> {
    let client = Client::new(&s.region_config(region));
    let req = client.get_topic_attributes().topic_arn(arn);
    let res = read(s, rt, Lane::Chain, "sns:GetTopicAttributes", Some(region), req.send()).await;
    Collected::from(res.map(|o| {
        let a = o.attributes();
        let get = |k: &str| a.and_then(|m| m.get(k)).filter(|v| !v.is_empty()).cloned();
        TopicAttributes { policy: get("Policy"), kms_master_key_id: get("KmsMasterKeyId") }
    }))
}
