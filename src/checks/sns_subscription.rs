//! The SNS link (CIS 4.x audit step 7): the topic an alarm notifies exists (else the alarm link
//! is broken) and has at least one subscription whose `SubscriptionArn` is an ARN — confirmed,
//! not `PendingConfirmation`.

use super::chain::{Chain, Link, Module, State};
use super::Context;
use crate::actions::{sns as sn, Hint};
use crate::finding::Evidence;
use crate::inventory::{Arn, Collected, MetricAlarm, Subscription};

/// A subscriber for a topic nobody receives.
pub fn fix(topic_arn: &str) -> Hint {
    let region = Arn::parse(topic_arn).map(|a| a.region.to_string()).unwrap_or_default();
    Hint::new(
        &region,
        [sn::Subscribe { topic_arn: topic_arn.into(), protocol: "email".into(), endpoint: "<address>".into() }.into()],
    )
    .then("then confirm it from the message AWS sends")
}

/// Confirmed subscribers as `protocol:endpoint`, and the number pending.
pub fn subscribers(subs: &[Subscription]) -> (Vec<String>, usize) {
    let confirmed =
        subs.iter().filter(|s| s.is_confirmed()).map(|s| format!("{}:{}", s.protocol, s.endpoint)).collect();
    (confirmed, subs.iter().filter(|s| s.is_pending()).count())
}

/// The alarm link ends at a topic that exists; then the subscription link.
#[allow(clippy::too_many_arguments)]
pub fn chains<'a>(
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
    let alarm_link = |state: State, message: String, evidence: Vec<Evidence>, remediation: Option<String>| {
        Link::new(Module::Alarm, state, alarm_resource.clone(), message, evidence, remediation)
    };
    let subs = match ctx.inv.topic(topic_arn).map(|t| &t.subscriptions) {
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
    let chain = chain.with(alarm_link(State::Ok, format!("alarm {}", a.name), evidence, None));
    let (confirmed, pending) = subscribers(subs);
    let evidence = vec![
        Evidence::info("sns_topic", topic_arn.to_string()),
        Evidence::new("sns_topic.confirmed_subscriptions", confirmed.len(), Some(!confirmed.is_empty())),
        Evidence::info("sns_topic.pending_subscriptions", pending),
        Evidence::info("sns_topic.subscribers", serde_json::json!(confirmed)),
    ];
    let (state, message, remediation) = if confirmed.is_empty() {
        (
            State::Fail,
            if pending > 0 {
                format!("topic {topic_arn} has {pending} subscription(s) pending confirmation and none confirmed")
            } else {
                format!("topic {topic_arn} has no subscription")
            },
            Some(fix(topic_arn).render()),
        )
    } else {
        (State::Ok, format!("topic {} ({} confirmed subscriber(s))", topic_arn, confirmed.len()), None)
    };
    out.push(chain.with(Link::new(
        Module::Subscription,
        state,
        Some(topic_arn.to_string()),
        message,
        evidence,
        remediation,
    )));
}
