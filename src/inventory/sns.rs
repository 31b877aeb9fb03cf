//! SNS: the subscriptions of a topic (`ListSubscriptionsByTopic` also tells whether the topic
//! exists: `NotFound`), and its attributes (policy, encryption key).

use super::model::*;
use super::read;
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_sns::Client;
use std::collections::HashMap;

/// `ListSubscriptionsByTopic` (every page) for `arn`, read in the topic's region.
pub(crate) async fn topic(s: &Session, rt: &Runtime, arn: &str, region: &str) -> TopicInventory {
    let client = Client::new(&s.region_config(region));
    let mut subs = Vec::new();
    let mut token: Option<String> = None;
    let result = loop {
        let req = client.list_subscriptions_by_topic().topic_arn(arn).set_next_token(token.clone());
        match read(s, rt, Lane::Chain, "sns:ListSubscriptionsByTopic", Some(region), || req.send()).await {
            Ok(out) => {
                subs.extend(out.subscriptions().iter().map(|x| Subscription {
                    subscription_arn: x.subscription_arn().unwrap_or_default().to_string(),
                    protocol: x.protocol().unwrap_or_default().to_string(),
                    endpoint: x.endpoint().unwrap_or_default().to_string(),
                    attributes: None,
                    queue: None,
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
    let res = read(s, rt, Lane::Chain, "sns:GetTopicAttributes", Some(region), || req.send()).await;
    Collected::from(res.map(|o| {
        let a = o.attributes();
        let get = |k: &str| a.and_then(|m| m.get(k)).filter(|v| !v.is_empty()).cloned();
        TopicAttributes { policy: get("Policy"), kms_master_key_id: get("KmsMasterKeyId") }
    }))
}

/// `GetSubscriptionAttributes` for every confirmed subscription of `t`, concurrently: what
/// decides whether each receives a message (filter policy and its scope, raw delivery, redrive);
/// beside it, for each confirmed `sqs` subscription, its queue's policy and key
/// (`GetQueueAttributes`), read with the queue account's session from `owners` when that account
/// is audited, else with `s` (the topic reader's).
pub(crate) async fn subscription_attributes(
    s: &Session,
    rt: &Runtime,
    t: &mut TopicInventory,
    region: &str,
    owners: &HashMap<String, &Session>,
) {
    let Collected::Ok(subs) = &mut t.subscriptions else { return };
    let client = Client::new(&s.region_config(region));
    let reads = subs.iter().map(|sub| {
        let client = &client;
        async move {
            if !sub.is_confirmed() {
                return (None, None);
            }
            let req = client.get_subscription_attributes().subscription_arn(&sub.subscription_arn);
            let attributes = async {
                let res = read(s, rt, Lane::Chain, "sns:GetSubscriptionAttributes", Some(region), || req.send()).await;
                Collected::from(res.map(|o| {
                    let a = o.attributes();
                    let get = |k: &str| a.and_then(|m| m.get(k)).filter(|v| !v.is_empty()).cloned();
                    SubscriptionAttributes {
                        filter_policy: get("FilterPolicy"),
                        filter_policy_scope: get("FilterPolicyScope"),
                        raw_message_delivery: get("RawMessageDelivery").is_some_and(|v| v.eq_ignore_ascii_case("true")),
                        redrive_policy: get("RedrivePolicy"),
                        pending_confirmation: get("PendingConfirmation")
                            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                    }
                }))
            };
            let queue = async {
                if sub.protocol != "sqs" {
                    return None;
                }
                let q = Arn::parse(&sub.endpoint).filter(|a| a.service == "sqs")?;
                let owner = owners.get(q.account).copied();
                Some(queue(owner.unwrap_or(s), rt, &q, owner.is_some()).await)
            };
            let (a, q) = futures::join!(attributes, queue);
            (Some(a), q)
        }
    });
    let got = futures::future::join_all(reads).await;
    for (sub, (a, q)) in subs.iter_mut().zip(got) {
        sub.attributes = a;
        sub.queue = q;
    }
}

/// The URL of the queue `q` names: `https://sqs.REGION.DOMAIN/ACCOUNT/NAME`, the form SQS
/// gives every queue (GetQueueUrl would be one read more, before this one).
pub(crate) fn queue_url(q: &Arn) -> String {
    let domain = if q.partition == "aws-cn" { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://sqs.{}.{domain}/{}/{}", q.region, q.account, q.resource)
}

/// `GetQueueAttributes` (`Policy`, `KmsMasterKeyId`) of the queue `q`, in its region.
async fn queue(s: &Session, rt: &Runtime, q: &Arn<'_>, as_owner: bool) -> QueueInventory {
    use aws_sdk_sqs::types::QueueAttributeName as N;
    let client = aws_sdk_sqs::Client::new(&s.region_config(q.region));
    let req = client
        .get_queue_attributes()
        .queue_url(queue_url(q))
        .attribute_names(N::Policy)
        .attribute_names(N::KmsMasterKeyId);
    let res = read(s, rt, Lane::Chain, "sqs:GetQueueAttributes", Some(q.region), || req.send()).await;
    let attributes = Collected::from(res.map(|o| {
        let a = o.attributes();
        let get = |k: N| a.and_then(|m| m.get(&k)).filter(|v| !v.is_empty()).cloned();
        QueueAttributes { policy: get(N::Policy), kms_master_key_id: get(N::KmsMasterKeyId) }
    }));
    QueueInventory { as_owner, attributes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_urls_from_arns() {
        let q = Arn::parse("arn:aws:sqs:eu-west-1:111122223333:alerts").unwrap();
        assert_eq!(queue_url(&q), "https://sqs.eu-west-1.amazonaws.com/111122223333/alerts");
        let q = Arn::parse("arn:aws-cn:sqs:cn-north-1:111122223333:a.fifo").unwrap();
        assert_eq!(queue_url(&q), "https://sqs.cn-north-1.amazonaws.com.cn/111122223333/a.fifo");
    }
}
