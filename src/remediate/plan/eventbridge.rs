//! Planning the real-time route of the monitoring family (`--route eventbridge`): in every
//! region the control's events arrive in (us-east-1 alone for global-service events), an
//! enabled rule `cis-audit-<control>` on the default bus whose pattern catches every event the
//! benchmark text does, targeting an SNS topic (the `--topic-name` topic, else one someone
//! already receives, else a new one) through an input transformer that makes the event a
//! sentence; a topic policy statement that lets exactly those rules publish; a subscriber.
//!
//! The topic policy is merged, never replaced: the statements it has are kept as they are and
//! one statement of ours (`Sid` [`POLICY_SID`]) lists the rule ARNs allowed to publish; one
//! `SetTopicPolicy` per topic carries every rule of the plan. A topic encrypted with the
//! AWS-managed key `alias/aws/sns`, which EventBridge cannot use, gets a MANUAL step: cis-audit
//! does not re-encrypt a topic or edit a key policy or a Deny.

use super::topic::{delivery_steps, subscribe};
use super::{topic_arn, Inputs, Plan};
use crate::actions::{events as ev, sns as sn};
use crate::catalog::Control;
use crate::checks::monitoring::{delivery, eventbridge_rule as route};
use crate::checks::Context;
use crate::inventory::TopicInventory;
use crate::inventory::{AccountInventory, Arn, Collected, EventRule, InputTransformer, RuleTarget, Subscription};
use serde_json::{json, Value};

/// The `Sid` of the topic policy statement that lets the route's rules publish.
pub(crate) const POLICY_SID: &str = "CisAuditEventBridgePublish";
/// The `Id` of the route's target on its rule.
pub(crate) const TARGET_ID: &str = "cis-audit-sns";

/// The policy SNS gives a topic it creates (the one a new topic's statement is merged into).
pub(crate) fn default_topic_policy(topic_arn: &str, account: &str) -> String {
    json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"
            ],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}

/// `policy` with our statement allowing `rule_arns` (and the rules it already allowed) to
/// publish to the topic; every other statement, and the order of everything, kept.
pub(crate) fn merge_statement(policy: &str, topic_arn: &str, rule_arns: &[String]) -> Result<String, String> {
    let mut v: Value = serde_json::from_str(policy).map_err(|e| format!("the topic policy is not JSON: {e}"))?;
    let obj = v.as_object_mut().ok_or("the topic policy is not a JSON object")?;
    let st = obj.entry("Statement").or_insert_with(|| json!([]));
    if st.is_object() {
        *st = json!([st.take()]);
    }
    let list = st.as_array_mut().ok_or("the topic policy's Statement is neither a list nor an object")?;
    let ours = list.iter().position(|s| s["Sid"] == POLICY_SID);
    let mut arns: Vec<String> = ours
        .map(|i| match &list[i]["Condition"]["ArnEquals"]["aws:SourceArn"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
            _ => vec![],
        })
        .unwrap_or_default();
    for a in rule_arns {
        if !arns.contains(a) {
            arns.push(a.clone());
        }
    }
    let statement = json!({
        "Sid": POLICY_SID,
        "Effect": "Allow",
        "Principal": {"Service": delivery::EVENTS},
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": arns}},
    });
    match ours {
        Some(i) => list[i] = statement,
        None => list.push(statement),
    }
    Ok(v.to_string())
}

/// The topic policy changes the route needs, merged once per topic after every control.
#[derive(Debug, Default)]
pub(super) struct Policies {
    merges: Vec<PolicyMerge>,
}

#[derive(Debug)]
struct PolicyMerge {
    account: String,
    region: String,
    topic: String,
    /// The policy read (None: the topic is created by the plan).
    previous: Option<String>,
    base: String,
    rules: Vec<String>,
    controls: Vec<String>,
    deps: Vec<Option<usize>>,
}

impl Policies {
    #[allow(clippy::too_many_arguments)]
    fn want(
        &mut self,
        account: &str,
        region: &str,
        topic: &str,
        previous: Option<String>,
        rule: &str,
        controls: &[String],
        deps: &[Option<usize>],
    ) {
        let m = match self.merges.iter().position(|m| m.account == account && m.topic == topic) {
            Some(i) => &mut self.merges[i],
            None => {
                let base = previous.clone().unwrap_or_else(|| default_topic_policy(topic, account));
                self.merges.push(PolicyMerge {
                    account: account.into(),
                    region: region.into(),
                    topic: topic.into(),
                    previous,
                    base,
                    rules: vec![],
                    controls: vec![],
                    deps: vec![],
                });
                self.merges.last_mut().expect("just pushed")
            }
        };
        if !m.rules.iter().any(|r| r == rule) {
            m.rules.push(rule.into());
        }
        for c in controls {
            if !m.controls.contains(c) {
                m.controls.push(c.clone());
            }
        }
        m.deps.extend_from_slice(deps);
    }

    /// One `SetTopicPolicy` per topic.
    pub(super) fn flush(self, plan: &mut Plan) {
        for m in self.merges {
            match merge_statement(&m.base, &m.topic, &m.rules) {
                Ok(policy) => {
                    let set = sn::SetTopicPolicy { topic_arn: m.topic.clone(), policy, previous: m.previous };
                    plan.add(&m.account, &m.region, &m.controls, set, &m.deps, None);
                }
                Err(e) => plan.note(format!(
                    "{}: topic {}: {e}; the statement that lets the rules publish is not added",
                    m.controls.join(", "),
                    m.topic
                )),
            }
        }
    }
}

/// The topic a region's rules target.
struct TopicChoice<'a> {
    arn: String,
    /// What was read of it (None: it is created by the plan).
    read: Option<&'a TopicInventory>,
}

fn choose_topic<'a>(
    ctx: &'a Context<'a>,
    acct: &'a AccountInventory,
    inputs: &Inputs,
    region: &str,
) -> Result<TopicChoice<'a>, String> {
    let a = acct.account_id.as_str();
    let named = topic_arn(&acct.partition, region, a, &inputs.topic_name);
    let rem = acct
        .remediation
        .as_ref()
        .ok_or("the inventory holds no remediation facts (it was collected without --remediate)")?;
    match rem.topics.iter().find(|t| t.arn == named) {
        Some(t) => match &t.subscriptions {
            Collected::Ok(_) => return Ok(TopicChoice { arn: named, read: Some(t) }),
            Collected::Error(e) if e.is_not_found() => {}
            Collected::Error(e) => return Err(format!("topic {named}: {e}")),
        },
        None => return Err(format!("topic {named} was not read")),
    }
    if inputs.reuse_confirmed_topic {
        // A topic someone receives, that EventBridge can publish to once a statement is added.
        let usable = ctx.inv.topics.iter().find(|t| {
            let ok_arn = Arn::parse(&t.arn).is_some_and(|x| x.region == region && x.account == a);
            let confirmed = matches!(&t.subscriptions, Collected::Ok(s) if s.iter().any(Subscription::is_confirmed));
            ok_arn && confirmed && {
                let p = delivery::Publisher { service: delivery::EVENTS, source_arn: None, source_account: a };
                let d = delivery::assess(ctx, t, &p, true);
                d.error.is_none() && (d.failures.is_empty() || (d.needs_statement && d.failures.len() == 1))
            }
        });
        if let Some(t) = usable {
            return Ok(TopicChoice { arn: t.arn.clone(), read: Some(t) });
        }
    }
    Ok(TopicChoice { arn: named, read: None })
}

/// The rule name to use in a region: `cis-audit-<control>`, or `-2` when a rule of that name
/// exists with another pattern or target; the existing rule when it is already ours.
fn rule_name<'a>(
    base: &str,
    pattern: &str,
    target: &RuleTarget,
    rules: &'a [EventRule],
) -> Option<(String, Option<&'a EventRule>)> {
    [base.to_string(), format!("{base}-2")].into_iter().find_map(|name| match rules.iter().find(|r| r.name == name) {
        None => Some((name, None)),
        Some(r) => {
            let same = r.state == "ENABLED"
                && r.event_pattern.as_deref().is_some_and(|p| same_json(p, pattern))
                && match &r.targets {
                    Some(Collected::Ok(t)) => t.iter().all(|x| x.id != TARGET_ID || x == target),
                    _ => false,
                };
            same.then_some((name, Some(r)))
        }
    })
}

fn same_json(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<Value>(a), serde_json::from_str::<Value>(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The route's target: the topic, with the control's alert sentence as input transformer.
pub(crate) fn alert_target(c: &Control, topic: &str) -> RuleTarget {
    let (sentence, paths) = c.def.alert();
    RuleTarget {
        id: TARGET_ID.into(),
        arn: topic.into(),
        role_arn: None,
        input_transformer: Some(InputTransformer {
            input_paths_map: paths,
            // A quoted template: SNS receives the sentence as a JSON string.
            input_template: serde_json::to_string(&sentence).unwrap_or_default(),
        }),
        input: None,
        input_path: None,
    }
}

pub(super) fn plan(
    plan: &mut Plan,
    policies: &mut Policies,
    ctx: &Context,
    acct: &AccountInventory,
    inputs: &Inputs,
    c: &Control,
) {
    let a = acct.account_id.as_str();
    let id = c.id.as_str();
    let ids = [c.id.clone()];
    let Some(variant) = &c.variant else {
        plan.note(format!("{id}: no filter pattern for CIS v{} in checks/ data", inputs.benchmark));
        return;
    };
    let Some(pattern) = route::route_pattern(ctx, variant) else {
        plan.note(format!("{id}: no EventBridge pattern can be derived from the benchmark text"));
        return;
    };
    let base = format!("cis-audit-{}", c.def.key);
    for region in route::route_regions(ctx, c, variant, acct) {
        let rr = route::region_route(ctx, variant, acct, region);
        if rr.route.is_some() {
            continue;
        }
        if rr.uncollected || !rr.errors.is_empty() {
            let why = if rr.uncollected { "its rules were not read".to_string() } else { rr.errors.join("; ") };
            plan.note(format!("{id}: the route is not planned in {region}: {why}"));
            continue;
        }
        let rules: &[EventRule] = match acct.event_rules.iter().find(|r| r.region == region).map(|r| &r.rules) {
            Some(Collected::Ok(r)) => r,
            _ => continue,
        };
        let topic = match choose_topic(ctx, acct, inputs, region) {
            Ok(t) => t,
            Err(e) => {
                plan.note(format!("{id}: the route is not planned in {region}: {e}"));
                continue;
            }
        };
        let target = alert_target(c, &topic.arn);
        let Some((name, existing)) = rule_name(&base, &pattern, &target, rules) else {
            plan.note(format!(
                "{id}: rules {base} and {base}-2 exist in {region} with other definitions; left untouched, so no rule is added"
            ));
            continue;
        };
        if name != base {
            plan.note(format!(
                "{id}: rule {base} exists in {region} with another definition and is left untouched; using {name}"
            ));
        }
        let rule_arn = existing
            .map(|r| r.arn.clone())
            .unwrap_or_else(|| format!("arn:{}:events:{region}:{a}:rule/{name}", acct.partition));

        let topic_step = topic.read.is_none().then(|| {
            let create = sn::CreateTopic { name: inputs.topic_name.clone(), topic_arn: topic.arn.clone() };
            plan.add(a, region, &ids, create, &[], None)
        });

        // Delivery: the rule's right to publish, and a key EventBridge can use.
        match topic.read {
            None => policies.want(a, region, &topic.arn, None, &rule_arn, &ids, &[topic_step]),
            Some(t) => {
                let p =
                    delivery::Publisher { service: delivery::EVENTS, source_arn: Some(&rule_arn), source_account: a };
                let d = delivery::assess(ctx, t, &p, true);
                if let Some(e) = &d.error {
                    plan.note(format!("{id}: whether EventBridge can publish to {} was not decided: {e}", topic.arn));
                }
                delivery_steps(plan, a, region, &ids, &topic.arn, &d, "EventBridge");
                if d.needs_statement {
                    let previous = match &t.attributes {
                        Some(Collected::Ok(x)) => x.policy.clone(),
                        _ => None,
                    };
                    match previous {
                        Some(p) => policies.want(a, region, &topic.arn, Some(p), &rule_arn, &ids, &[]),
                        None => plan.note(format!(
                            "{id}: the policy of topic {} was not read, so no statement is added",
                            topic.arn
                        )),
                    }
                }
            }
        }

        let rule_step = existing.is_none().then(|| {
            let put = ev::PutRule {
                name: name.clone(),
                pattern: pattern.clone(),
                description: format!("cis-audit: {} ({} {})", c.title, inputs.benchmark, c.id),
            };
            plan.add(a, region, &ids, put, &[], None)
        });
        let has_target = existing.is_some_and(|r| matches!(&r.targets, Some(Collected::Ok(t)) if t.contains(&target)));
        if !has_target {
            plan.add(a, region, &ids, ev::PutTargets { rule: name.clone(), target }, &[rule_step, topic_step], None);
        }

        let subs: &[Subscription] = match topic.read.map(|t| &t.subscriptions) {
            Some(Collected::Ok(s)) => s,
            _ => &[],
        };
        subscribe(plan, inputs, a, region, &ids, &topic.arn, subs, topic_step);
    }
}
