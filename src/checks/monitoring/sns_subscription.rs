//! The SNS link (CIS 4.x audit step 7): the topic an alarm notifies exists (else the alarm link
//! is broken) and has at least one subscription whose `SubscriptionArn` is an ARN — confirmed,
//! not `PendingConfirmation` — that receives the alarm's notification (no filter policy of its
//! rejects the JSON body CloudWatch sends, which has no message attributes; an SQS subscriber's
//! queue policy lets the topic send and its key is not `alias/aws/sqs`: [`super::receiver`]),
//! and the alarm's notifications can reach it: CloudWatch may use the topic's key and no
//! statement of its policy denies it ([`super::delivery`]). When the subscriptions' attributes
//! could not be read, the link is unknown (ERROR), not broken.

use super::delivery;
use super::link::{Chain, Link, State};
use super::receiver;
use crate::actions::{sns as sn, Hint};
use crate::checks::Context;
use crate::finding::{Evidence, LinkKind, LinkState, Subject};
use crate::inventory::{Arn, Collected, MetricAlarm, Subscription};

/// A subscriber for a topic nobody receives.
pub(crate) fn fix(topic_arn: &str) -> Hint {
    let region = Arn::parse(topic_arn).map(|a| a.region.to_string()).unwrap_or_default();
    Hint::new(
        &region,
        [sn::Subscribe { topic_arn: topic_arn.into(), protocol: "email".into(), endpoint: "<address>".into() }.into()],
    )
    .then("then confirm it from the message AWS sends")
}

/// What makes the topic deliver again: never a re-encryption or a change to a statement of the
/// user's (a Deny is theirs to lift), so these are the commands to run by hand.
pub(crate) fn fix_delivery(topic_arn: &str, d: &delivery::Delivery) -> Hint {
    let region = Arn::parse(topic_arn).map(|a| a.region.to_string()).unwrap_or_default();
    if d.aws_managed_key {
        return Hint::default().note(format!(
            "create a customer managed key whose policy allows cloudwatch.amazonaws.com and events.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, then encrypt the topic with it: aws kms create-key --region {region} --policy file://key-policy.json; aws sns set-topic-attributes --region {region} --topic-arn {topic_arn} --attribute-name KmsMasterKeyId --attribute-value <key-arn>"
        ));
    }
    Hint::default().note(format!(
        "let the service use the topic: add a statement allowing it to the key policy (aws kms put-key-policy --region {region} --key-id <key> --policy-name default --policy file://key-policy.json), or lift the topic policy's Deny (aws sns set-topic-attributes --region {region} --topic-arn {topic_arn} --attribute-name Policy --attribute-value file://policy.json)"
    ))
}

/// What lets a subscriber whose filter policy rejects the alarm's notification receive it: a
/// change to the user's own subscription, so the command to run by hand.
pub(crate) fn fix_filter(topic_arn: &str) -> Hint {
    let region = Arn::parse(topic_arn).map(|a| a.region.to_string()).unwrap_or_default();
    Hint::default().note(format!(
        "let a subscriber take the alarm's notification (a JSON body without message attributes): remove its filter policy (aws sns set-subscription-attributes --region {region} --subscription-arn <subscription-arn> --attribute-name FilterPolicy --attribute-value '{{}}'), or write it on the message body (--attribute-name FilterPolicyScope --attribute-value MessageBody, and a policy such as {{\"NewStateValue\": [\"ALARM\"]}}), or subscribe another endpoint"
    ))
}

/// What lets an SQS subscriber whose queue refuses the topic receive: the queue policy is the
/// user's, so the command to run by hand.
pub(crate) fn fix_queue(topic_arn: &str) -> Hint {
    Hint::default().note(format!(
        "let the topic send to the subscriber's queue: add a statement to its policy allowing Principal {{\"Service\": \"sns.amazonaws.com\"}} sqs:SendMessage on the queue with Condition {{\"ArnEquals\": {{\"aws:SourceArn\": \"{topic_arn}\"}}}} and lift any Deny of it (aws sqs set-queue-attributes --region <queue-region> --queue-url <queue-url> --attributes file://policy.json); a queue encrypted with alias/aws/sqs needs a customer managed key whose policy lets sns.amazonaws.com kms:GenerateDataKey* and kms:Decrypt"
    ))
}

/// The fix for subscribers that all reject or refuse: their filter policies, their queues.
pub(crate) fn fix_receivers(topic_arn: &str, recv: &receiver::Receivers) -> Hint {
    if recv.refused_by_endpoint == 0 {
        return fix_filter(topic_arn);
    }
    let q = fix_queue(topic_arn);
    if recv.refused_by_endpoint == recv.rejected.len() {
        return q;
    }
    let f = fix_filter(topic_arn);
    Hint::default().note(format!("{}; {}", f.note.unwrap_or_default(), q.note.unwrap_or_default()))
}

/// Confirmed subscribers as `protocol:endpoint`, and the number pending.
pub(crate) fn subscribers(subs: &[Subscription]) -> (Vec<String>, usize) {
    let confirmed =
        subs.iter().filter(|s| s.is_confirmed()).map(|s| format!("{}:{}", s.protocol, s.endpoint)).collect();
    (confirmed, subs.iter().filter(|s| s.is_pending()).count())
}

/// The alarm link ends at a topic that exists; then the subscription link.
#[allow(clippy::too_many_arguments)]
pub(crate) fn chains<'a>(
    ctx: &Context<'a>,
    chain: &Chain<'a>,
    a: &MetricAlarm,
    topic_arn: &str,
    alarm_evidence: &[Evidence],
    alarm_resource: &Option<String>,
    alarm_remediation: &str,
    out: &mut Vec<Chain<'a>>,
) {
    let mut evidence = alarm_evidence.to_vec();
    let topic_name = topic_arn.rsplit(':').next().unwrap_or(topic_arn).to_string();
    // The alarm link ends at the topic: the alarm holds, the topic node says whether it exists.
    let alarm_link = |state: State, message: String, evidence: Vec<Evidence>, remediation: Option<String>| {
        let topic_state = match state {
            State::Ok => None,
            s => Some(s.link_state()),
        };
        let l = Link::new(Subject::Alarm, state, alarm_resource.clone(), message, evidence, remediation).node(
            LinkKind::Alarm,
            LinkState::Holds,
            a.name.clone(),
            alarm_resource.clone(),
        );
        match topic_state {
            Some(ts) => l.node(LinkKind::SnsTopic, ts, topic_name.clone(), Some(topic_arn.to_string())),
            None => l,
        }
    };
    let subs = match ctx.topic(topic_arn).map(|t| &t.subscriptions) {
        Some(Collected::Ok(s)) => s,
        Some(Collected::Error(e)) if e.is_not_found() => {
            evidence.push(Evidence::bad("sns_topic.exists", false));
            let message = format!("alarm {} notifies SNS topic {topic_arn}, which does not exist", a.name);
            out.push(chain.with(alarm_link(State::Fail, message, evidence, Some(alarm_remediation.to_string()))));
            return;
        }
        Some(Collected::Error(e)) => {
            evidence.push(Evidence::bad("sns_topic.exists", format!("unknown: {e}")));
            out.push(chain.with(alarm_link(State::Error, e.to_string(), evidence, None)));
            return;
        }
        None => {
            let message = format!("SNS topic {topic_arn} was not collected");
            out.push(chain.with(alarm_link(State::Error, message, evidence, None)));
            return;
        }
    };
    evidence.push(Evidence::ok("sns_topic.exists", topic_arn.to_string()));
    let mut chain = chain.with(alarm_link(State::Ok, format!("alarm {}", a.name), evidence, None));
    chain.refs.topic = Some(topic_arn.to_string());
    let (confirmed, pending) = subscribers(subs);
    let mut evidence = vec![
        Evidence::info("sns_topic", topic_arn.to_string()),
        Evidence::new("sns_topic.confirmed_subscriptions", confirmed.len(), Some(!confirmed.is_empty())),
        Evidence::info("sns_topic.pending_subscriptions", pending),
        Evidence::info("sns_topic.subscribers", serde_json::json!(confirmed)),
    ];
    // Which confirmed subscribers take the alarm's notification (their filter policies).
    let (alarm_account, alarm_region) =
        receiver::arn_place(a.arn.as_deref()).or_else(|| receiver::arn_place(Some(topic_arn))).unwrap_or_default();
    let sent = || receiver::alarm_notifications(a, &alarm_account, &alarm_region);
    let recv = receiver::receivers(subs, &sent);
    if !confirmed.is_empty() {
        let ok = !recv.receiving.is_empty() || !recv.unknown.is_empty();
        evidence.push(Evidence::new("sns_subscription.filter_policies", serde_json::json!(recv.policies), Some(ok)));
        if !recv.rejected.is_empty() {
            evidence.push(Evidence::new("sns_subscription.rejected", serde_json::json!(recv.rejected), Some(ok)));
        }
        if !recv.unknown.is_empty() {
            evidence.push(Evidence::bad("sns_subscription.unreadable", serde_json::json!(recv.unknown)));
        }
        if !recv.notes.is_empty() {
            evidence.push(Evidence::info("sns_subscription.not_judged", serde_json::json!(recv.notes)));
        }
    }
    let p = delivery::Publisher {
        service: delivery::CLOUDWATCH,
        source_arn: a.arn.as_deref(),
        source_account: Arn::parse(topic_arn).map(|x| x.account).unwrap_or_default(),
    };
    let alarm_account = a.arn.as_deref().and_then(|x| Arn::parse(x).map(|x| x.account.to_string()));
    let p = delivery::Publisher { source_account: alarm_account.as_deref().unwrap_or(p.source_account), ..p };
    let d = ctx.topic(topic_arn).map(|t| delivery::assess(ctx, t, &p, false)).unwrap_or_default();
    evidence.extend(d.evidence.clone());
    if !d.notes.is_empty() {
        evidence.push(Evidence::info("sns_topic.delivery_notes", serde_json::json!(d.notes)));
    }
    // Delivery (policy, key) is the topic's; confirmed subscriptions the subscriber's.
    let (state, message, remediation, topic_ok) = if let Some(e) = &d.error {
        (State::Error, format!("delivery to topic {topic_arn} could not be checked: {e}"), None, false)
    } else if !d.failures.is_empty() {
        (State::Fail, d.failures.join("; "), Some(fix_delivery(topic_arn, &d).render()), false)
    } else if confirmed.is_empty() {
        (
            State::Fail,
            if pending > 0 {
                format!("topic {topic_arn} has {pending} subscription(s) pending confirmation and none confirmed")
            } else {
                format!("topic {topic_arn} has no subscription")
            },
            Some(fix(topic_arn).render()),
            true,
        )
    } else if recv.receiving.is_empty() && !recv.unknown.is_empty() {
        (
            State::Error,
            format!(
                "whether a subscriber of topic {topic_arn} receives the alarm's notification could not be read: {}",
                recv.unknown.join("; ")
            ),
            None,
            true,
        )
    } else if recv.receiving.is_empty() {
        (
            State::Fail,
            format!(
                "no confirmed subscriber of topic {topic_arn} receives the alarm's notification: {}",
                recv.rejected.join("; ")
            ),
            Some(fix_receivers(topic_arn, &recv).render()),
            true,
        )
    } else if recv.rejected.is_empty() {
        (State::Ok, format!("topic {} ({} confirmed subscriber(s))", topic_arn, confirmed.len()), None, true)
    } else {
        (
            State::Ok,
            format!(
                "topic {} ({} of {} confirmed subscriber(s) receive the alarm's notification; {})",
                topic_arn,
                recv.receiving.len(),
                confirmed.len(),
                if recv.refused_by_endpoint == 0 {
                    "the others' filter policies reject it"
                } else {
                    "the others' filter policies or queues refuse it"
                }
            ),
            None,
            true,
        )
    };
    let subscriber = match (recv.receiving.first(), confirmed.first()) {
        (Some(first), _) if recv.rejected.is_empty() => format!("{} confirmed: {first}", confirmed.len()),
        (Some(first), _) => format!("{} of {} confirmed receive: {first}", recv.receiving.len(), confirmed.len()),
        (None, Some(_)) if recv.unknown.is_empty() => format!("{} confirmed, none receives", confirmed.len()),
        (None, Some(_)) => format!("{} confirmed, filter policies unreadable", confirmed.len()),
        (None, None) => format!("0 confirmed, {pending} pending"),
    };
    let link = Link::new(Subject::SnsSubscription, state, Some(topic_arn.to_string()), message, evidence, remediation);
    let link = if topic_ok {
        link.node(LinkKind::SnsTopic, LinkState::Holds, topic_name, Some(topic_arn.to_string())).node(
            LinkKind::Subscriber,
            state.link_state(),
            subscriber,
            None,
        )
    } else {
        link.node(LinkKind::SnsTopic, state.link_state(), topic_name, Some(topic_arn.to_string()))
    };
    out.push(chain.with(link));
}
