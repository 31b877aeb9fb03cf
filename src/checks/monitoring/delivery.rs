//! Will the alert actually arrive? The delivery questions of the SNS link, for both routes: can
//! the publishing service (CloudWatch for alarms, EventBridge for rules) publish to the topic,
//! and use the key it is encrypted with.
//!
//! A focused evaluator of a few documented questions, not a general IAM engine:
//! - **AWS-managed key.** A topic encrypted with the AWS-managed key for SNS (`alias/aws/sns`)
//!   cannot receive CloudWatch alarm or EventBridge notifications: "the AWS managed key for
//!   Amazon SNS … can't be used by" event sources from AWS services, which need a customer
//!   managed key (Amazon SNS Developer Guide, "Enable compatibility between event sources from
//!   AWS services and encrypted topics",
//!   <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>).
//! - **Customer managed key.** Its key policy must allow the service principal
//!   (`cloudwatch.amazonaws.com`, `events.amazonaws.com`) `kms:Decrypt` and
//!   `kms:GenerateDataKey*` (same page; KMS key policy evaluation:
//!   <https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>).
//! - **EventBridge's right to publish.** An SNS target needs the topic's resource policy to allow
//!   `events.amazonaws.com` `sns:Publish` (EventBridge User Guide, "Permissions for Amazon SNS":
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions>;
//!   AWS Knowledge Center "Why didn't I get an SNS notification for my EventBridge rule?"),
//!   unless the target sends with a role (`RoleArn`), whose permissions are not verified here.
//! - **Explicit Deny.** A Deny of `sns:Publish` (or of the KMS actions) that applies to the
//!   publisher wins over any Allow (IAM policy evaluation logic:
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>).
//!
//! Statement shapes understood: `Effect`; `Principal` `"*"`, `{"AWS": "*"}` or
//! `{"Service": …}` (a string or a list); `Action` strings or lists with `*`/`?` wildcards
//! (case-insensitive); `Resource` strings or lists with wildcards; `Condition` on
//! `aws:SourceArn` and `aws:SourceAccount` (key names case-insensitive) with `ArnEquals`,
//! `ArnLike`, `StringEquals`, `StringLike` (any of the listed values), and `AWS:SourceOwner`,
//! the key SNS's default topic policy uses: set for a same-account alarm's publish, not for
//! EventBridge's (which is why the default policy lets alarms publish and rules not).
//! Anything else — `NotPrincipal`, `NotAction`, `NotResource`, other condition keys or
//! operators — is beyond this evaluator: such a statement is never guessed at; when it is the
//! one that would decide, the link passes with a note naming it.

use crate::finding::Evidence;
use crate::inventory::{Arn, Collected, TopicInventory};
use serde_json::Value;

/// The service that publishes, and the request context it publishes with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Publisher<'a> {
    /// `cloudwatch.amazonaws.com` or `events.amazonaws.com`.
    pub service: &'a str,
    /// The alarm's or the rule's ARN (`aws:SourceArn`), when known.
    pub source_arn: Option<&'a str>,
    /// The account the alarm or the rule is in (`aws:SourceAccount`).
    pub source_account: &'a str,
}

pub(crate) const CLOUDWATCH: &str = "cloudwatch.amazonaws.com";
pub(crate) const EVENTS: &str = "events.amazonaws.com";
/// SNS delivering a topic's message to a subscriber (an SQS queue's policy must let it send).
pub(crate) const SNS: &str = "sns.amazonaws.com";

/// What a policy says about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Allowed by the statement (its Sid, or its position).
    Allowed(String),
    /// Denied explicitly by the statement.
    Denied(String),
    /// No statement allows it.
    NotAllowed,
    /// A statement beyond this evaluator could decide; it is named, with why.
    Unknown(String, String),
}

/// One statement's view of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Applies {
    Yes,
    No,
    Unknown(String),
}

fn list(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
        _ => vec![],
    }
}

/// IAM wildcard matching (`*` any run, `?` one character); `ci`: case-insensitive.
fn wildcard(pattern: &str, text: &str, ci: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if ci {
        (pattern.to_lowercase().chars().collect(), text.to_lowercase().chars().collect())
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    let (mut pi, mut ti, mut star): (usize, usize, Option<(usize, usize)>) = (0, 0, None);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A name for a statement in messages: its Sid, else its position.
pub(crate) fn statement_name(st: &Value, i: usize) -> String {
    st.get("Sid")
        .and_then(|s| s.as_str())
        .filter(|s| !s.is_empty())
        .map(|s| format!("statement {s}"))
        .unwrap_or_else(|| format!("statement #{}", i + 1))
}

fn principal_applies(st: &Value, service: &str) -> Applies {
    if st.get("NotPrincipal").is_some() {
        return Applies::Unknown("it uses NotPrincipal".into());
    }
    match st.get("Principal") {
        Some(Value::String(s)) if s == "*" => Applies::Yes,
        Some(Value::Object(m)) => {
            if m.get("AWS").is_some_and(|v| list(v).contains(&"*")) {
                return Applies::Yes;
            }
            if m.get("Service").is_some_and(|v| list(v).iter().any(|s| s.eq_ignore_ascii_case(service))) {
                return Applies::Yes;
            }
            Applies::No
        }
        _ => Applies::No,
    }
}

fn action_applies(st: &Value, action: &str) -> Applies {
    if st.get("NotAction").is_some() {
        return Applies::Unknown("it uses NotAction".into());
    }
    if list(st.get("Action").unwrap_or(&Value::Null)).iter().any(|p| wildcard(p, action, true)) {
        Applies::Yes
    } else {
        Applies::No
    }
}

fn resource_applies(st: &Value, resource: &str) -> Applies {
    if st.get("NotResource").is_some() {
        return Applies::Unknown("it uses NotResource".into());
    }
    match st.get("Resource") {
        // A key policy's statements may omit nothing; treat a missing Resource as "*".
        None => Applies::Yes,
        Some(v) if list(v).iter().any(|p| wildcard(p, resource, false)) => Applies::Yes,
        Some(_) => Applies::No,
    }
}

fn conditions_apply(st: &Value, p: &Publisher) -> Applies {
    let Some(cond) = st.get("Condition") else { return Applies::Yes };
    let Some(ops) = cond.as_object() else { return Applies::Unknown("its Condition is not an object".into()) };
    for (op, keys) in ops {
        let Some(keys) = keys.as_object() else {
            return Applies::Unknown(format!("its {op} condition is not an object"));
        };
        let like = match op.as_str() {
            "ArnLike" | "StringLike" => true,
            "ArnEquals" | "StringEquals" => false,
            other => return Applies::Unknown(format!("it uses the condition operator {other}")),
        };
        for (key, values) in keys {
            let actual = match key.to_ascii_lowercase().as_str() {
                "aws:sourcearn" => p.source_arn.map(str::to_string),
                "aws:sourceaccount" => Some(p.source_account.to_string()),
                // SNS fills AWS:SourceOwner for a same-account CloudWatch alarm; EventBridge
                // sends aws:SourceArn / aws:SourceAccount instead.
                "aws:sourceowner" => match p.service {
                    CLOUDWATCH => Some(p.source_account.to_string()),
                    EVENTS => None,
                    // What SNS sends an SQS queue is documented as aws:SourceArn/SourceAccount.
                    _ => return Applies::Unknown(format!("it has a condition on {key}")),
                },
                _ => return Applies::Unknown(format!("it has a condition on {key}")),
            };
            let Some(actual) = actual else { return Applies::No };
            let ok = list(values).iter().any(|v| if like { wildcard(v, &actual, false) } else { *v == actual });
            if !ok {
                return Applies::No;
            }
        }
    }
    Applies::Yes
}

fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => vec![],
    }
}

/// Whether statement `st` (of either effect) covers `p` performing `action` on `resource`.
fn statement_applies(st: &Value, p: &Publisher, action: &str, resource: &str) -> Applies {
    all([
        principal_applies(st, p.service),
        action_applies(st, action),
        resource_applies(st, resource),
        conditions_apply(st, p),
    ])
}

fn has_effect(st: &Value, effect: &str) -> bool {
    st.get("Effect").and_then(|e| e.as_str()) == Some(effect)
}

/// What the Deny statements of a policy say of a request.
enum Denies {
    /// This statement applies.
    Denied(String),
    /// None applies, except perhaps this one, which this evaluator cannot decide (and why).
    NotDenied(Option<(String, String)>),
}

fn scan_denies(sts: &[&Value], p: &Publisher, actions: &[&str], resource: &str) -> Denies {
    let mut unknown = None;
    for (i, st) in sts.iter().enumerate().filter(|(_, st)| has_effect(st, "Deny")) {
        for action in actions {
            match statement_applies(st, p, action, resource) {
                Applies::Yes => return Denies::Denied(statement_name(st, i)),
                Applies::Unknown(why) => {
                    unknown.get_or_insert((statement_name(st, i), why));
                }
                Applies::No => {}
            }
        }
    }
    Denies::NotDenied(unknown)
}

/// Whether `policy` lets `p` perform every one of `actions` on `resource`: an explicit Deny
/// decides first; then each action needs an Allow (different statements may allow different
/// actions). Err: the policy is not JSON.
pub(crate) fn decide(policy: &str, p: &Publisher, actions: &[&str], resource: &str) -> Result<Decision, String> {
    let doc: Value = serde_json::from_str(policy).map_err(|e| format!("the policy is not JSON: {e}"))?;
    let sts = statements(&doc);
    let unknown_deny = match scan_denies(&sts, p, actions, resource) {
        Denies::Denied(statement) => return Ok(Decision::Denied(statement)),
        Denies::NotDenied(unknown) => unknown,
    };
    let mut allowed_by: Vec<String> = Vec::new();
    let mut unknown_allow: Option<(String, String)> = None;
    for action in actions {
        let mut this: Option<String> = None;
        for (i, st) in sts.iter().enumerate().filter(|(_, st)| has_effect(st, "Allow")) {
            match statement_applies(st, p, action, resource) {
                Applies::Yes => {
                    this = Some(statement_name(st, i));
                    break;
                }
                Applies::Unknown(why) => {
                    unknown_allow.get_or_insert((statement_name(st, i), why));
                }
                Applies::No => {}
            }
        }
        match this {
            Some(s) => {
                if !allowed_by.contains(&s) {
                    allowed_by.push(s)
                }
            }
            None => {
                return Ok(match unknown_allow.or(unknown_deny) {
                    Some((s, why)) => Decision::Unknown(s, why),
                    None => Decision::NotAllowed,
                })
            }
        }
    }
    if let Some((s, why)) = unknown_deny {
        return Ok(Decision::Unknown(s, why));
    }
    Ok(Decision::Allowed(allowed_by.join(", ")))
}

/// An explicit Deny that applies to the request, or a Deny beyond this evaluator that might.
pub(crate) fn denial(
    policy: &str,
    p: &Publisher,
    actions: &[&str],
    resource: &str,
) -> Result<Option<Decision>, String> {
    let doc: Value = serde_json::from_str(policy).map_err(|e| format!("the policy is not JSON: {e}"))?;
    Ok(match scan_denies(&statements(&doc), p, actions, resource) {
        Denies::Denied(statement) => Some(Decision::Denied(statement)),
        Denies::NotDenied(unknown) => unknown.map(|(s, why)| Decision::Unknown(s, why)),
    })
}

/// The verdict on a topic's delivery path for one publisher.
#[derive(Debug, Clone, Default)]
pub(crate) struct Delivery {
    /// Why delivery fails (AWS documents it does); empty: it does not.
    pub failures: Vec<String>,
    /// A read that failed: delivery cannot be decided.
    pub error: Option<String>,
    /// What was not verified, and why (statements beyond the evaluator, a target role).
    pub notes: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// The AWS-managed SNS key: the fix is a customer managed key, not a policy statement.
    pub aws_managed_key: bool,
    /// The topic policy does not let the publisher publish (a statement would fix it).
    pub needs_statement: bool,
}

/// Can `p` deliver to `topic`? `must_be_allowed`: the topic policy must allow the publisher
/// (EventBridge); otherwise only an explicit Deny stops it (CloudWatch alarms, which SNS's
/// default policy lets publish).
pub(crate) fn assess(ctx: &super::Context, topic: &TopicInventory, p: &Publisher, must_be_allowed: bool) -> Delivery {
    let mut d = Delivery::default();
    let who = p.service;
    let attrs = match &topic.attributes {
        None => {
            d.notes.push("the topic's policy and encryption were not collected (an older inventory)".into());
            return d;
        }
        Some(Collected::Error(e)) => {
            d.error = Some(e.to_string());
            d.evidence.push(Evidence::bad("sns_topic.attributes", format!("unknown: {e}")));
            return d;
        }
        Some(Collected::Ok(a)) => a,
    };
    // Encryption.
    match attrs.kms_master_key_id.as_deref() {
        None => d.evidence.push(Evidence::ok("sns_topic.kms_key", "none (not encrypted)")),
        Some(k) if is_aws_managed_sns_alias(k) => {
            d.aws_managed_key = true;
            d.evidence.push(Evidence::bad("sns_topic.kms_key", k.to_string()));
            d.failures.push(format!(
                "topic {} is encrypted with the AWS-managed key {k}, which {who} cannot use: a topic AWS services publish to needs a customer managed key whose policy allows them",
                topic.arn
            ));
        }
        Some(k) => kms(ctx, topic, k, p, &mut d),
    }
    // The topic policy.
    if let Some(policy) = &attrs.policy {
        let decision = if must_be_allowed {
            decide(policy, p, &["sns:Publish"], &topic.arn)
        } else {
            denial(policy, p, &["sns:Publish"], &topic.arn).map(|x| x.unwrap_or(Decision::Allowed(String::new())))
        };
        match decision {
            Err(e) => d.notes.push(format!("topic policy: {e}")),
            Ok(Decision::Allowed(s)) => {
                let by = if s.is_empty() { "no statement denies it".to_string() } else { format!("{s} allows it") };
                d.evidence.push(Evidence::ok("sns_topic.policy", format!("{who} may publish: {by}")));
            }
            Ok(Decision::Denied(s)) => {
                d.evidence.push(Evidence::bad("sns_topic.policy", format!("{s} denies sns:Publish to {who}")));
                d.failures.push(format!("the policy of topic {}: {s} denies sns:Publish to {who}", topic.arn));
            }
            Ok(Decision::NotAllowed) => {
                d.needs_statement = true;
                let src = p.source_arn.map(|a| format!(" for {a}")).unwrap_or_default();
                d.evidence
                    .push(Evidence::bad("sns_topic.policy", format!("no statement allows {who} sns:Publish{src}")));
                d.failures.push(format!("the policy of topic {} does not let {who} publish{src}", topic.arn));
            }
            Ok(Decision::Unknown(s, why)) => {
                d.evidence.push(Evidence::info("sns_topic.policy", format!("not verified: {s} ({why})")));
                d.notes.push(format!("the topic policy was not fully verified: {s} ({why})"));
            }
        }
    }
    d
}

fn kms(ctx: &super::Context, topic: &TopicInventory, key: &str, p: &Publisher, d: &mut Delivery) {
    let who = p.service;
    let t = Arn::parse(&topic.arn);
    let region =
        Arn::parse(key).map(|a| a.region.to_string()).or(t.as_ref().map(|a| a.region.to_string())).unwrap_or_default();
    let account = Arn::parse(key)
        .map(|a| a.account.to_string())
        .or(t.as_ref().map(|a| a.account.to_string()))
        .unwrap_or_default();
    let k = match ctx.kms_key(&account, &region, key).map(|k| &k.details) {
        None => {
            d.error = Some(format!("key {key} of topic {} was not collected", topic.arn));
            return;
        }
        Some(Collected::Error(e)) if e.is_not_found() => {
            d.evidence.push(Evidence::bad("sns_topic.kms_key", format!("{key} (does not exist)")));
            d.failures.push(format!("topic {} is encrypted with key {key}, which does not exist", topic.arn));
            return;
        }
        Some(Collected::Error(e)) => {
            d.error = Some(e.to_string());
            return;
        }
        Some(Collected::Ok(k)) => k,
    };
    d.evidence
        .push(Evidence::info("sns_topic.kms_key", format!("{} ({})", k.arn, k.manager.as_deref().unwrap_or("?"))));
    if k.manager.as_deref() == Some("AWS") {
        d.aws_managed_key = true;
        d.failures.push(format!(
            "topic {} is encrypted with an AWS-managed key ({}), which {who} cannot use",
            topic.arn, k.arn
        ));
        return;
    }
    if let Some(state) = k.state.as_deref().filter(|s| *s != "Enabled") {
        d.failures.push(format!("the key {} of topic {} is {state}", k.arn, topic.arn));
        return;
    }
    let policy = match &k.policy {
        Collected::Ok(p) => p,
        Collected::Error(e) => {
            d.error = Some(e.to_string());
            return;
        }
    };
    match decide(policy, p, &["kms:Decrypt", "kms:GenerateDataKey"], &k.arn) {
        Err(e) => d.notes.push(format!("key policy: {e}")),
        Ok(Decision::Allowed(s)) => {
            d.evidence.push(Evidence::ok("kms_key.policy", format!("{who} may use the key: {s}")))
        }
        Ok(Decision::Denied(s)) => {
            d.evidence.push(Evidence::bad("kms_key.policy", format!("{s} denies {who}")));
            d.failures.push(format!("the key policy of {}: {s} denies {who} the key", k.arn));
        }
        Ok(Decision::NotAllowed) => {
            d.evidence.push(Evidence::bad(
                "kms_key.policy",
                format!("no statement allows {who} kms:Decrypt and kms:GenerateDataKey*"),
            ));
            d.failures.push(format!(
                "the key policy of {} does not allow {who} kms:Decrypt and kms:GenerateDataKey*, so it cannot publish to the encrypted topic",
                k.arn
            ));
        }
        Ok(Decision::Unknown(s, why)) => {
            d.evidence.push(Evidence::info("kms_key.policy", format!("not verified: {s} ({why})")));
            d.notes.push(format!("the key policy was not fully verified: {s} ({why})"));
        }
    }
}

/// A statement applies when every part does; an unknown part makes it unknown unless another
/// part rules it out.
fn all(parts: [Applies; 4]) -> Applies {
    if parts.contains(&Applies::No) {
        return Applies::No;
    }
    parts.into_iter().find(|p| matches!(p, Applies::Unknown(_))).unwrap_or(Applies::Yes)
}

pub(crate) use crate::inventory::kms::is_aws_managed_sns_alias;

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:alerts";
    const RULE: &str = "arn:aws:events:us-east-1:111122223333:rule/sg-changes";

    fn events() -> Publisher<'static> {
        Publisher { service: EVENTS, source_arn: Some(RULE), source_account: "111122223333" }
    }
    fn alarms() -> Publisher<'static> {
        Publisher {
            service: CLOUDWATCH,
            source_arn: Some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:a"),
            source_account: "111122223333",
        }
    }
    fn publish(policy: &Value, p: &Publisher) -> Decision {
        decide(&policy.to_string(), p, &["sns:Publish"], TOPIC).unwrap()
    }
    fn policy(statements: Value) -> Value {
        serde_json::json!({"Version": "2012-10-17", "Statement": statements})
    }

    /// SNS's default topic policy: the account's principals, through AWS:SourceOwner.
    fn default_policy() -> Value {
        policy(serde_json::json!([{"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:Publish", "SNS:Subscribe"], "Resource": TOPIC,
            "Condition": {"StringEquals": {"AWS:SourceOwner": "111122223333"}}}]))
    }

    #[test]
    fn the_default_topic_policy_lets_alarms_publish_and_not_rules() {
        assert_eq!(publish(&default_policy(), &alarms()), Decision::Allowed("statement __default_statement_ID".into()));
        assert_eq!(publish(&default_policy(), &events()), Decision::NotAllowed);
    }

    #[test]
    fn a_service_statement_for_the_rule_allows_and_one_for_another_rule_does_not() {
        let st = |arn: &str, op: &str| {
            policy(
                serde_json::json!([{"Sid": "events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish", "Resource": TOPIC, "Condition": {op: {"aws:SourceArn": arn}}}]),
            )
        };
        assert!(matches!(publish(&st(RULE, "ArnEquals"), &events()), Decision::Allowed(_)));
        assert!(matches!(
            publish(&st("arn:aws:events:us-east-1:111122223333:rule/sg-*", "ArnLike"), &events()),
            Decision::Allowed(_)
        ));
        assert_eq!(
            publish(&st("arn:aws:events:us-east-1:111122223333:rule/other", "ArnEquals"), &events()),
            Decision::NotAllowed
        );
        // The service statement is for events, not for CloudWatch.
        assert_eq!(publish(&st(RULE, "ArnEquals"), &alarms()), Decision::NotAllowed);
    }

    #[test]
    fn star_principals_wildcard_actions_and_source_account() {
        let p = policy(serde_json::json!([{"Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]));
        assert_eq!(publish(&p, &events()), Decision::Allowed("statement #1".into()));
        let other = Publisher { source_account: "999999999999", ..events() };
        assert_eq!(publish(&p, &other), Decision::NotAllowed);
        // Actions are case-insensitive: SNS:Publish, sns:publish.
        let p = policy(
            serde_json::json!({"Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com"]}, "Action": ["SNS:PUBLISH"], "Resource": TOPIC}),
        );
        assert!(matches!(publish(&p, &events()), Decision::Allowed(_)));
    }

    #[test]
    fn an_explicit_deny_wins() {
        let mut p = default_policy();
        p["Statement"].as_array_mut().unwrap().push(serde_json::json!(
            {"Sid": "no-publish", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC}));
        assert_eq!(publish(&p, &alarms()), Decision::Denied("statement no-publish".into()));
        // A Deny for someone else does not apply.
        p["Statement"][1]["Principal"] = serde_json::json!({"AWS": "arn:aws:iam::111122223333:role/x"});
        assert!(matches!(publish(&p, &alarms()), Decision::Allowed(_)));
    }

    #[test]
    fn what_is_beyond_the_evaluator_is_named_not_guessed() {
        let p = policy(
            serde_json::json!([{"Sid": "org-only", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish",
            "Resource": TOPIC, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]),
        );
        assert_eq!(
            publish(&p, &events()),
            Decision::Unknown("statement org-only".into(), "it has a condition on aws:PrincipalOrgID".into())
        );
        let p = policy(
            serde_json::json!([{"Effect": "Deny", "NotPrincipal": {"AWS": "x"}, "Action": "sns:Publish", "Resource": TOPIC},
            {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": TOPIC}]),
        );
        assert_eq!(publish(&p, &events()), Decision::Unknown("statement #1".into(), "it uses NotPrincipal".into()));
        assert!(decide("not json", &events(), &["sns:Publish"], TOPIC).is_err());
    }

    #[test]
    fn a_key_policy_must_allow_both_kms_actions_to_the_service() {
        let root = policy(serde_json::json!([{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]));
        let acts = ["kms:Decrypt", "kms:GenerateDataKey"];
        let key = "arn:aws:kms:us-east-1:111122223333:key/k";
        assert_eq!(decide(&root.to_string(), &alarms(), &acts, key).unwrap(), Decision::NotAllowed);
        let mut ok = root.clone();
        ok["Statement"].as_array_mut().unwrap().push(serde_json::json!({"Sid": "cw", "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}));
        assert_eq!(decide(&ok.to_string(), &alarms(), &acts, key).unwrap(), Decision::Allowed("statement cw".into()));
        assert_eq!(decide(&ok.to_string(), &events(), &acts, key).unwrap(), Decision::NotAllowed);
        // Decrypt alone is not enough.
        ok["Statement"][1]["Action"] = serde_json::json!("kms:Decrypt");
        assert_eq!(decide(&ok.to_string(), &alarms(), &acts, key).unwrap(), Decision::NotAllowed);
    }

    #[test]
    fn wildcards_and_aliases() {
        assert!(wildcard("kms:GenerateDataKey*", "kms:generatedatakey", true));
        assert!(wildcard("arn:aws:sns:*:111122223333:*", TOPIC, false));
        assert!(!wildcard("arn:aws:sns:*:999:*", TOPIC, false));
        assert!(wildcard("a?c", "abc", false));
        assert!(is_aws_managed_sns_alias("alias/aws/sns"));
        assert!(is_aws_managed_sns_alias("arn:aws:kms:us-east-1:111122223333:alias/aws/sns"));
        assert!(!is_aws_managed_sns_alias("alias/cis-alarms"));
    }
}
