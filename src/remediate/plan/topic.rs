//! What both routes of the monitoring family need of the topic they notify: subscribing
//! `--notify` to a topic nobody receives, and what cis-audit will not fix on its delivery path.

use super::{Inputs, Manual, Notify, Plan};
use crate::actions::sns as sn;
use crate::checks::monitoring::delivery;
use crate::inventory::{Arn, Subscription};

pub(super) fn pending_note(protocol: &str, endpoint: &str, topic: &str) -> String {
    format!(
        "the {protocol} subscription of {endpoint} to {topic} stays pending until someone follows the confirmation link AWS sends to {endpoint}: that is the one thing left to do"
    )
}

/// Subscribes `--notify` to a topic nobody receives (a MANUAL step without `--notify`).
#[allow(clippy::too_many_arguments)]
pub(super) fn subscribe(
    plan: &mut Plan,
    inputs: &Inputs,
    a: &str,
    r: &str,
    ids: &[String],
    topic: &str,
    subs: &[Subscription],
    topic_step: Option<usize>,
) {
    let confirmed = subs.iter().any(Subscription::is_confirmed);
    let mut any = confirmed;
    // A topic someone already receives is reused as it is.
    let wanted: &[Notify] = if confirmed { &[] } else { &inputs.notify };
    for n in wanted {
        match subs.iter().find(|s| s.protocol == n.protocol && s.endpoint == n.endpoint) {
            Some(s) if s.is_pending() => {
                plan.left(pending_note(&n.protocol, &n.endpoint, topic));
                any = true;
            }
            Some(_) => any = true,
            None => {
                let tr_region = Arn::parse(topic).map(|x| x.region.to_string()).unwrap_or_else(|| r.to_string());
                let sub = sn::Subscribe {
                    topic_arn: topic.to_string(),
                    protocol: n.protocol.clone(),
                    endpoint: n.endpoint.clone(),
                };
                plan.add(a, &tr_region, ids, sub, &[topic_step], None);
                if n.protocol.starts_with("email") || n.protocol.starts_with("http") {
                    plan.left(pending_note(&n.protocol, &n.endpoint, topic));
                }
                any = true;
            }
        }
    }
    if !any {
        let id = ids.join(",");
        if subs.iter().any(Subscription::is_pending) {
            plan.left(format!(
                "{id}: topic {topic} has subscriptions pending confirmation and none confirmed: confirm one from the message AWS sent"
            ));
        } else {
            let sub =
                sn::Subscribe { topic_arn: topic.to_string(), protocol: "email".into(), endpoint: "<address>".into() };
            let manual = Manual {
                missing: vec!["--notify".into()],
                reason: format!("topic {topic} has no subscriber; say who receives the alarms"),
            };
            plan.add(a, r, ids, sub, &[topic_step], Some(manual));
        }
    }
}

/// What cis-audit does not fix on a topic's delivery path: a topic on the AWS-managed key gets
/// the MANUAL step of a customer managed key; a Deny or a key policy is reported. (A missing
/// statement allowing the publisher is the caller's business.)
pub(super) fn delivery_steps(
    plan: &mut Plan,
    a: &str,
    region: &str,
    ids: &[String],
    topic: &str,
    d: &delivery::Delivery,
    who: &str,
) {
    let id = ids.join(", ");
    if d.aws_managed_key {
        let service = if who == "EventBridge" { delivery::EVENTS } else { delivery::CLOUDWATCH };
        let manual = Manual {
            missing: vec![],
            reason: format!(
                "topic {topic} is encrypted with the AWS-managed key alias/aws/sns, which {who} cannot use, and cis-audit does not re-encrypt a topic: create a customer managed key whose policy allows {service} kms:GenerateDataKey* and kms:Decrypt (aws kms create-key --policy file://key-policy.json), then run this step with its ARN"
            ),
        };
        let enc = sn::EncryptTopic { topic_arn: topic.to_string(), kms_key: "<customer-managed-key-arn>".into() };
        plan.add(a, region, ids, enc, &[], Some(manual));
        return;
    }
    for f in &d.failures {
        if !(d.needs_statement && f.contains("does not let")) {
            plan.note(format!("{id}: {f}; left to you (cis-audit does not change a Deny or a key policy)"));
        }
    }
}
