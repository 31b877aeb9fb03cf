//! Does a confirmed subscriber really receive the alert? The message each publisher sends, and
//! each subscription's filter policy applied to it ([`crate::snsfilter`]).
//!
//! - **The CloudWatch alarm's notification** is a JSON body and NO message attributes (Amazon
//!   CloudWatch User Guide, "Notifying users on alarm changes"; the body's fields as AWS
//!   documents and sends them: `AlarmName`, `AlarmDescription`, `AWSAccountId`, `NewStateValue`
//!   `ALARM`, `NewStateReason`, `StateChangeTime`, `Region` (the region's long name), `AlarmArn`,
//!   `OldStateValue`, `AlarmActions`, `Trigger` {`MetricName`, `Namespace`, `StatisticType`,
//!   `Statistic` (upper case: `SUM`), `Dimensions`, `Period`, `EvaluationPeriods`,
//!   `ComparisonOperator`, `Threshold`, `TreatMissingData`} …). An alarm enters ALARM from OK
//!   or from INSUFFICIENT_DATA, so a subscriber must take both notifications: one that drops
//!   either misses alerts.
//! - **The EventBridge route's message** is what the target sends: the input transformer's
//!   output (`InputPathsMap` JSONPaths filled into `InputTemplate`), the constant `Input`, the
//!   part `InputPath` selects, or the event itself; also without message attributes. A
//!   subscriber must take the message of every event the control requires.
//!
//! A subscription counts when no filter policy rejects any of those messages and, for an SQS
//! subscriber, its queue lets the topic send ([`endpoint_side`]): the queue policy allows
//! `sns.amazonaws.com` `sqs:SendMessage` for the topic (`aws:SourceArn` / `aws:SourceAccount`
//! conditions) and denies it nothing, and the queue is not encrypted with the AWS-managed key
//! `alias/aws/sqs`. The evidence names each policy, its scope and why it rejects or refuses.
//! What is not judged is said: a policy this evaluator cannot read (it names why), a
//! subscription whose attributes could not be read (then the verdict is unknown, not failed), a
//! queue whose attributes could not be read (denied, or outside the audit: it still counts), the
//! policy of a queue's customer managed key, and the other endpoints' own side — a Lambda
//! function's policy letting SNS invoke it (it would add the Lambda SDK to the build), a Firehose
//! subscription's role.

use super::delivery::{self, Decision};
use crate::inventory::{Arn, Collected, InputTransformer, MetricAlarm, RuleTarget, Subscription};
use crate::snsfilter::{self, Message, Outcome, Scope};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One message a publisher sends, and what it is (for the evidence).
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub label: String,
    pub body: String,
}

/// The long region name CloudWatch writes in a notification's `Region`.
pub(crate) fn region_name(code: &str) -> String {
    let name = match code {
        "us-east-1" => "US East (N. Virginia)",
        "us-east-2" => "US East (Ohio)",
        "us-west-1" => "US West (N. California)",
        "us-west-2" => "US West (Oregon)",
        "af-south-1" => "Africa (Cape Town)",
        "ap-east-1" => "Asia Pacific (Hong Kong)",
        "ap-south-1" => "Asia Pacific (Mumbai)",
        "ap-south-2" => "Asia Pacific (Hyderabad)",
        "ap-northeast-1" => "Asia Pacific (Tokyo)",
        "ap-northeast-2" => "Asia Pacific (Seoul)",
        "ap-northeast-3" => "Asia Pacific (Osaka)",
        "ap-southeast-1" => "Asia Pacific (Singapore)",
        "ap-southeast-2" => "Asia Pacific (Sydney)",
        "ap-southeast-3" => "Asia Pacific (Jakarta)",
        "ca-central-1" => "Canada (Central)",
        "eu-central-1" => "EU (Frankfurt)",
        "eu-central-2" => "EU (Zurich)",
        "eu-west-1" => "EU (Ireland)",
        "eu-west-2" => "EU (London)",
        "eu-west-3" => "EU (Paris)",
        "eu-north-1" => "EU (Stockholm)",
        "eu-south-1" => "EU (Milan)",
        "eu-south-2" => "EU (Spain)",
        "me-south-1" => "Middle East (Bahrain)",
        "me-central-1" => "Middle East (UAE)",
        "sa-east-1" => "South America (Sao Paulo)",
        "us-gov-west-1" => "AWS GovCloud (US-West)",
        "us-gov-east-1" => "AWS GovCloud (US-East)",
        "cn-north-1" => "China (Beijing)",
        "cn-northwest-1" => "China (Ningxia)",
        other => return other.to_string(),
    };
    name.to_string()
}

/// The statistic as a notification spells it (`Sum` → `SUM`, `SampleCount` → `SAMPLE_COUNT`).
fn statistic_name(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// The notifications alarm `a` sends to its topics when it enters ALARM: from OK and from
/// INSUFFICIENT_DATA.
pub(crate) fn alarm_notifications(a: &MetricAlarm, account: &str, region: &str) -> Vec<Sent> {
    ["OK", "INSUFFICIENT_DATA"]
        .iter()
        .map(|old| {
            let (stat_type, stat) = match (&a.extended_statistic, &a.statistic) {
                (Some(x), _) => ("ExtendedStatistic", json!(x)),
                (None, s) => ("Statistic", json!(statistic_name(s.as_deref().unwrap_or("Sum")))),
            };
            let mut trigger = json!({
                "MetricName": a.metric_name,
                "Namespace": a.namespace,
                "StatisticType": stat_type,
                "Unit": null,
                "Dimensions": a.dimensions.iter().map(|d| json!({"name": d, "value": ""})).collect::<Vec<_>>(),
                "Period": a.period.unwrap_or(300),
                "EvaluationPeriods": a.evaluation_periods.unwrap_or(1),
                "ComparisonOperator": a.comparison_operator,
                "Threshold": a.threshold,
                "TreatMissingData": a.treat_missing_data.as_deref().unwrap_or("missing"),
                "EvaluateLowSampleCountPercentile": "",
            });
            trigger[stat_type] = stat;
            if let Some(d) = a.datapoints_to_alarm {
                trigger["DatapointsToAlarm"] = json!(d);
            }
            let body = json!({
                "AlarmName": a.name,
                "AlarmDescription": a.description,
                "AWSAccountId": account,
                "AlarmConfigurationUpdatedTimestamp": "1970-01-01T00:00:00.000+0000",
                "NewStateValue": "ALARM",
                "NewStateReason": "Threshold Crossed: 1 datapoint [1.0] was greater than or equal to the threshold (1.0).",
                "StateChangeTime": "1970-01-01T00:00:00.000+0000",
                "Region": region_name(region),
                "AlarmArn": a.arn,
                "OldStateValue": old,
                "OKActions": [],
                "AlarmActions": a.alarm_actions,
                "InsufficientDataActions": [],
                "Trigger": trigger,
            });
            Sent { label: format!("the alarm's notification (ALARM from {old})"), body: body.to_string() }
        })
        .collect()
}

/// A value at a JSONPath of an EventBridge input path (`$.detail.userIdentity.arn`,
/// `$.resources[0]`, `$`).
pub(crate) fn json_path<'v>(event: &'v Value, path: &str) -> Option<&'v Value> {
    let rest = path.trim().strip_prefix('$')?;
    let mut v = event;
    let mut s = rest;
    while !s.is_empty() {
        if let Some(r) = s.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            v = v.get(&r[..end])?;
            s = &r[end..];
        } else if let Some(r) = s.strip_prefix('[') {
            let end = r.find(']')?;
            let key = r[..end].trim_matches(|c| c == '\'' || c == '"');
            v = match key.parse::<usize>() {
                Ok(i) => v.get(i)?,
                Err(_) => v.get(key)?,
            };
            s = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(v)
}

/// An input transformer's output for `event`: each `<name>` of the template filled with the value
/// its path selects (a string's text, else its JSON; a path that selects nothing gives nothing),
/// and the reserved `<aws.events.rule-arn>`, `<aws.events.rule-name>`, `<aws.events.event>`,
/// `<aws.events.event.json>`.
pub(crate) fn transform(it: &InputTransformer, event: &Value, rule_name: &str, rule_arn: &str) -> String {
    let mut out = String::new();
    let t = &it.input_template;
    let mut rest = t.as_str();
    // Inside a JSON-string template (or a quoted JSON value) a string value is escaped as JSON.
    let quoted = t.trim_start().starts_with('"') || t.trim_start().starts_with('{');
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        let value: Option<String> = match name {
            "aws.events.rule-arn" => Some(rule_arn.to_string()),
            "aws.events.rule-name" => Some(rule_name.to_string()),
            "aws.events.event" | "aws.events.event.json" => Some(event.to_string()),
            n => it.input_paths_map.get(n).map(|p| match json_path(event, p) {
                Some(Value::String(s)) => {
                    if quoted {
                        let e = serde_json::to_string(s).unwrap_or_default();
                        e[1..e.len() - 1].to_string()
                    } else {
                        s.clone()
                    }
                }
                Some(v) => v.to_string(),
                None => String::new(),
            }),
        };
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..start + end + 2]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// What an EventBridge target sends SNS for `event`.
pub(crate) fn target_message(t: &RuleTarget, event: &Value, rule_name: &str, rule_arn: &str) -> String {
    if let Some(it) = &t.input_transformer {
        return transform(it, event, rule_name, rule_arn);
    }
    if let Some(i) = &t.input {
        return i.clone();
    }
    if let Some(p) = &t.input_path {
        return json_path(event, p).map(Value::to_string).unwrap_or_default();
    }
    event.to_string()
}

/// Whether one confirmed subscription receives every message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Receives {
    /// Yes; with what was not verified.
    Yes(Vec<String>),
    /// Its filter policy rejects a message: why.
    No(String),
    /// The endpoint's own side refuses SNS (an SQS queue's policy or key): why.
    Refused(String),
    /// Its attributes could not be read.
    Unknown(String),
}

/// `protocol:endpoint` of a subscription.
pub(crate) fn who(s: &Subscription) -> String {
    format!("{}:{}", s.protocol, s.endpoint)
}

/// The topic of a subscription, from its ARN (`TOPIC_ARN:ID`).
pub(crate) fn topic_of(s: &Subscription) -> Option<&str> {
    s.subscription_arn.rsplit_once(':').map(|x| x.0).filter(|t| Arn::parse(t).is_some())
}

/// The AWS-managed key for SQS, by alias or alias ARN.
pub(crate) fn is_aws_managed_sqs_alias(k: &str) -> bool {
    k == "alias/aws/sqs" || k.ends_with(":alias/aws/sqs")
}

/// What the endpoint's own side says of SNS delivering to it: Ok(a summary for the evidence,
/// what was not judged) or Err(why it refuses).
///
/// An SQS queue: SNS is a service principal, so only the queue policy can let it
/// `sqs:SendMessage` — in the topic's own account too; no policy, no delivery (Amazon SNS
/// Developer Guide, "Fanout to Amazon SQS queues": "give Amazon SNS permission to send messages
/// to the queue"). An explicit Deny wins. A queue encrypted with the AWS-managed key
/// `alias/aws/sqs` cannot take SNS's messages: SNS needs a customer managed key whose policy
/// lets it `kms:GenerateDataKey*` and `kms:Decrypt` (that policy is not read). The policy is
/// judged by [`delivery::decide`], statements beyond it are named, not guessed at. A Lambda
/// function's or a Firehose subscription role's side is not read.
pub(crate) fn endpoint_side(s: &Subscription) -> Result<(Option<String>, Vec<String>), String> {
    let w = who(s);
    match s.protocol.as_str() {
        "lambda" => Ok((None, vec![format!(
            "{w}: the Lambda function's resource policy (letting sns.amazonaws.com invoke it) is not judged: cis-audit has no Lambda reader (it would add the aws-sdk-lambda crate to the build)"
        )])),
        "firehose" => Ok((None, vec![format!(
            "{w}: the subscription role's right to put records into the Firehose stream is not judged: cis-audit does not read it"
        )])),
        "sqs" => queue_side(s),
        _ => Ok((None, vec![])),
    }
}

fn queue_side(s: &Subscription) -> Result<(Option<String>, Vec<String>), String> {
    let w = who(s);
    let queue = s.endpoint.as_str();
    let not_judged = |why: String| {
        Ok((Some("queue policy not judged".to_string()), vec![format!("{w}: the queue's policy is not judged: {why}")]))
    };
    let Some(topic) = topic_of(s) else { return not_judged("the subscription ARN names no topic".into()) };
    let qi = match &s.queue {
        None => return not_judged("it was not read (an older inventory)".into()),
        Some(q) => q,
    };
    let a = match &qi.attributes {
        Collected::Error(e)
            if qi.as_owner && (e.code.contains("NonExistentQueue") || e.code == "QueueDoesNotExist") =>
        {
            return Err(format!(
                "{w}: queue {queue} does not exist, so SNS cannot deliver the messages of {topic} to it"
            ))
        }
        Collected::Error(e) => return not_judged(format!("its attributes could not be read: {e}")),
        Collected::Ok(a) => a,
    };
    let mut notes = vec![];
    if let Some(k) = &a.kms_master_key_id {
        if is_aws_managed_sqs_alias(k) {
            return Err(format!(
                "{w}: queue {queue} is encrypted with the AWS-managed key {k}, which sns.amazonaws.com cannot use: a queue SNS delivers to needs a customer managed key whose policy lets it kms:GenerateDataKey* and kms:Decrypt"
            ));
        }
        notes.push(format!(
            "{w}: the policy of the queue's key {k} (it must let sns.amazonaws.com kms:GenerateDataKey* and kms:Decrypt) is not judged: cis-audit does not read queue keys"
        ));
    }
    let Some(policy) = &a.policy else {
        return Err(format!(
            "{w}: queue {queue} has no policy, so sns.amazonaws.com may not send from {topic} (only the queue policy can let SNS send, in the same account too)"
        ));
    };
    let account = Arn::parse(topic).map(|t| t.account).unwrap_or_default();
    let p = delivery::Publisher { service: delivery::SNS, source_arn: Some(topic), source_account: account };
    let summary = match delivery::decide(policy, &p, &["sqs:SendMessage"], queue) {
        Err(e) => {
            notes.push(format!("{w}: the queue policy is not judged: {e}"));
            "queue policy not judged".to_string()
        }
        Ok(Decision::Allowed(st)) => format!("queue policy lets sns.amazonaws.com send ({st})"),
        Ok(Decision::Denied(st)) => {
            return Err(format!(
                "{w}: the queue policy of {queue}: {st} denies sqs:SendMessage to sns.amazonaws.com from {topic}"
            ))
        }
        Ok(Decision::NotAllowed) => {
            return Err(format!("{w}: the queue policy of {queue} does not let sns.amazonaws.com send from {topic}"))
        }
        Ok(Decision::Unknown(st, why)) => {
            notes.push(format!("{w}: the queue policy of {queue} was not fully verified: {st} ({why})"));
            format!("queue policy not fully verified ({st})")
        }
    };
    Ok((Some(summary), notes))
}

/// Whether `s` takes every message of `sent`: its filter policy, then its endpoint's own side
/// ([`endpoint_side`]).
pub(crate) fn receives(s: &Subscription, sent: &dyn Fn() -> Vec<Sent>) -> Receives {
    match filter_receives(s, sent) {
        Receives::Yes(mut notes) => match endpoint_side(s) {
            Ok((_, more)) => {
                notes.extend(more);
                Receives::Yes(notes)
            }
            Err(why) => Receives::Refused(why),
        },
        other => other,
    }
}

/// Whether `s`'s filter policy takes every message of `sent`.
fn filter_receives(s: &Subscription, sent: &dyn Fn() -> Vec<Sent>) -> Receives {
    let mut notes = vec![];
    let attrs = match &s.attributes {
        None => {
            notes.push(format!("{}: its filter policy was not read (an older inventory)", who(s)));
            return Receives::Yes(notes);
        }
        Some(Collected::Error(e)) => return Receives::Unknown(format!("{}: {e}", who(s))),
        Some(Collected::Ok(a)) => a,
    };
    let Some(policy) = &attrs.filter_policy else { return Receives::Yes(notes) };
    let scope = Scope::parse(attrs.filter_policy_scope.as_deref());
    let none = BTreeMap::new();
    for m in sent() {
        match snsfilter::evaluate(policy, scope, &Message { body: &m.body, attributes: &none }) {
            Ok(Outcome::Accepted) => {}
            Ok(Outcome::Rejected(why)) => {
                return Receives::No(format!(
                    "{}: its filter policy {policy} (scope {}) rejects {}: {why}",
                    who(s),
                    scope.name(),
                    m.label
                ))
            }
            Err(e) => {
                notes.push(format!("{}: its filter policy {policy} was not verified: {e}", who(s)));
                return Receives::Yes(notes);
            }
        }
    }
    Receives::Yes(notes)
}

/// The confirmed subscriptions of a topic, judged.
#[derive(Debug, Clone, Default)]
pub(crate) struct Receivers {
    /// `protocol:endpoint` of each subscription that receives every message.
    pub receiving: Vec<String>,
    /// Why each other confirmed subscription does not (its filter policy, or its endpoint).
    pub rejected: Vec<String>,
    /// How many of `rejected` the endpoint's own side refuses (an SQS queue's policy or key).
    pub refused_by_endpoint: usize,
    /// Subscriptions whose attributes could not be read.
    pub unknown: Vec<String>,
    /// What was not verified.
    pub notes: Vec<String>,
    /// One line per confirmed subscription: its filter policy (and an SQS queue's policy), and
    /// its verdict.
    pub policies: Vec<String>,
}

/// Judges every confirmed subscription of `subs` on the messages `sent` makes (built only if a
/// subscription filters).
pub(crate) fn receivers(subs: &[Subscription], sent: &dyn Fn() -> Vec<Sent>) -> Receivers {
    let mut r = Receivers::default();
    let cache = std::cell::OnceCell::new();
    let sent = || cache.get_or_init(sent).clone();
    for s in subs.iter().filter(|s| s.is_confirmed()) {
        let mut policy = match &s.attributes {
            Some(Collected::Ok(a)) => match &a.filter_policy {
                Some(p) => format!(
                    "filter policy {p} (scope {})",
                    a.filter_policy_scope.as_deref().unwrap_or("MessageAttributes")
                ),
                None => "no filter policy".to_string(),
            },
            Some(Collected::Error(e)) => format!("attributes unreadable ({})", e.code),
            None => "filter policy not read".to_string(),
        };
        if let Ok((Some(q), _)) = endpoint_side(s) {
            policy = format!("{policy}; {q}");
        }
        match receives(s, &sent) {
            Receives::Yes(notes) => {
                r.policies.push(format!("{}: {policy}: receives", who(s)));
                r.receiving.push(who(s));
                r.notes.extend(notes);
            }
            Receives::No(why) => {
                r.policies.push(format!("{}: {policy}: rejects", who(s)));
                r.rejected.push(why);
            }
            Receives::Refused(why) => {
                r.policies.push(format!("{}: {policy}: refused by its endpoint", who(s)));
                r.rejected.push(why);
                r.refused_by_endpoint += 1;
            }
            Receives::Unknown(why) => {
                r.policies.push(format!("{}: {policy}: unknown", who(s)));
                r.unknown.push(why);
            }
        }
    }
    r
}

/// The region and account of an ARN, for the alarm's notification.
pub(crate) fn arn_place(arn: Option<&str>) -> Option<(String, String)> {
    let a = Arn::parse(arn?)?;
    Some((a.account.to_string(), a.region.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_and_regions_as_notifications_spell_them() {
        assert_eq!(statistic_name("Sum"), "SUM");
        assert_eq!(statistic_name("SampleCount"), "SAMPLE_COUNT");
        assert_eq!(region_name("eu-west-1"), "EU (Ireland)");
        assert_eq!(region_name("xx-test-9"), "xx-test-9");
    }

    #[test]
    fn json_paths_of_input_transformers() {
        let e = json!({"detail": {"userIdentity": {"arn": "arn:aws:iam::1:user/a"}, "items": [{"x": 1}]}, "resources": ["r0"]});
        assert_eq!(json_path(&e, "$.detail.userIdentity.arn"), Some(&json!("arn:aws:iam::1:user/a")));
        assert_eq!(json_path(&e, "$.resources[0]"), Some(&json!("r0")));
        assert_eq!(json_path(&e, "$.detail.items[0].x"), Some(&json!(1)));
        assert_eq!(json_path(&e, "$"), Some(&e));
        assert_eq!(json_path(&e, "$.nope"), None);
        assert_eq!(json_path(&e, "detail"), None);
    }

    #[test]
    fn the_built_in_alert_sentences_name_the_resource_each_event_changes() {
        // (control, CloudTrail record's eventName, requestParameters, responseElements, the id
        // the sentence must name)
        let cases = [
            (
                "security-group-changes",
                "AuthorizeSecurityGroupIngress",
                json!({"groupId": "sg-1"}),
                json!(null),
                "Security Group with id sg-1",
            ),
            (
                "nacl-changes",
                "CreateNetworkAcl",
                json!({"vpcId": "vpc-1"}),
                json!({"networkAcl": {"networkAclId": "acl-9"}}),
                "network ACL acl-9 in",
            ),
            ("nacl-changes", "DeleteNetworkAcl", json!({"networkAclId": "acl-9"}), json!(null), "network ACL acl-9 in"),
            (
                "route-table-changes",
                "CreateRouteTable",
                json!({"vpcId": "vpc-1"}),
                json!({"routeTable": {"routeTableId": "rtb-2"}}),
                "route table rtb-2 in",
            ),
            (
                "route-table-changes",
                "DisassociateRouteTable",
                json!({"associationId": "rtbassoc-3"}),
                json!(null),
                "route table rtbassoc-3 in",
            ),
            (
                "iam-policy-changes",
                "CreatePolicyVersion",
                json!({"policyArn": "arn:aws:iam::1:policy/p"}),
                json!(null),
                "IAM policy arn:aws:iam::1:policy/p in",
            ),
            (
                "iam-policy-changes",
                "PutRolePolicy",
                json!({"policyName": "inline", "roleName": "r"}),
                json!(null),
                "IAM policy inline in",
            ),
            ("cloudtrail-config-changes", "StopLogging", json!({"name": "main"}), json!(null), "trail main in"),
            ("cmk-disable-or-deletion", "ScheduleKeyDeletion", json!({"keyId": "k-1"}), json!(null), "KMS key k-1 in"),
            ("s3-bucket-policy-changes", "PutBucketPolicy", json!({"bucketName": "b"}), json!(null), "bucket b in"),
            (
                "config-changes",
                "StopConfigurationRecorder",
                json!({"configurationRecorderName": "default"}),
                json!(null),
                "AWS Config default in",
            ),
            (
                "config-changes",
                "PutDeliveryChannel",
                json!({"deliveryChannel": {"name": "ch"}}),
                json!(null),
                "AWS Config ch in",
            ),
            (
                "network-gateway-changes",
                "AttachInternetGateway",
                json!({"internetGatewayId": "igw-1", "vpcId": "vpc-1"}),
                json!(null),
                "gateway igw-1 in",
            ),
            (
                "network-gateway-changes",
                "CreateCustomerGateway",
                json!({}),
                json!({"customerGateway": {"customerGatewayId": "cgw-4"}}),
                "gateway cgw-4 in",
            ),
            (
                "vpc-changes",
                "CreateVpc",
                json!({"cidrBlock": "10.0.0.0/16"}),
                json!({"vpc": {"vpcId": "vpc-7"}}),
                "VPC vpc-7 in",
            ),
            (
                "vpc-changes",
                "AcceptVpcPeeringConnection",
                json!({"vpcPeeringConnectionId": "pcx-1"}),
                json!(null),
                "VPC pcx-1 in",
            ),
        ];
        for (key, event, req, resp, want) in cases {
            let def = crate::catalog::catalog().def(key);
            assert!(def.alert.is_some(), "{key} has no sentence of its own");
            let (sentence, paths) = def.alert();
            let it =
                InputTransformer { input_paths_map: paths, input_template: serde_json::to_string(&sentence).unwrap() };
            let e = json!({"detail": {"eventName": event, "awsRegion": "eu-west-1", "userIdentity": {"arn": "arn:aws:iam::1:user/u"},
                "requestParameters": req, "responseElements": resp}});
            let out = transform(&it, &e, "r", "arn");
            assert!(
                out.contains(want)
                    && out.contains(event)
                    && out.contains("arn:aws:iam::1:user/u")
                    && out.contains("eu-west-1"),
                "{key} {event}: {out}"
            );
            assert!(!out.contains('<'), "{key}: a placeholder is left: {out}");
        }
    }

    #[test]
    fn the_transformer_fills_its_template() {
        let it = InputTransformer {
            input_paths_map: [
                ("user".to_string(), "$.detail.user".to_string()),
                ("n".to_string(), "$.detail.n".to_string()),
            ]
            .into_iter()
            .collect(),
            input_template: "\"The user <user> did <n> things in <aws.events.rule-name>; <missing>\"".into(),
        };
        let e = json!({"detail": {"user": "a\"b", "n": 3}});
        assert_eq!(transform(&it, &e, "r", "arn"), r#""The user a\"b did 3 things in r; <missing>""#);
        let obj = InputTransformer { input_template: r#"{"who": "<user>", "n": <n>}"#.into(), ..it.clone() };
        let out: Value = serde_json::from_str(&transform(&obj, &e, "r", "arn")).unwrap();
        assert_eq!(out, json!({"who": "a\"b", "n": 3}));
        let t = RuleTarget { input_path: Some("$.detail".into()), ..Default::default() };
        assert_eq!(target_message(&t, &e, "r", "a"), e["detail"].to_string());
        let t = RuleTarget { input: Some("{\"k\":1}".into()), ..Default::default() };
        assert_eq!(target_message(&t, &e, "r", "a"), "{\"k\":1}");
        assert_eq!(target_message(&RuleTarget::default(), &e, "r", "a"), e.to_string());
    }

    fn sub(policy: Option<&str>, scope: Option<&str>) -> Subscription {
        Subscription {
            subscription_arn: "arn:aws:sns:us-east-1:1:t:1".into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
            attributes: Some(Collected::Ok(crate::inventory::SubscriptionAttributes {
                filter_policy: policy.map(str::to_string),
                filter_policy_scope: scope.map(str::to_string),
                ..Default::default()
            })),
            queue: None,
        }
    }

    #[test]
    fn a_subscriber_receives_unless_its_policy_rejects_the_alarm() {
        let a = crate::checks::fixtures::alarm();
        let sent = || alarm_notifications(&a, "111122223333", "us-east-1");
        assert_eq!(receives(&sub(None, None), &sent), Receives::Yes(vec![]));
        match receives(&sub(Some(r#"{"severity": ["high"]}"#), None), &sent) {
            Receives::No(why) => assert!(why.contains("carries no message attributes"), "{why}"),
            o => panic!("{o:?}"),
        }
        assert_eq!(
            receives(
                &sub(Some(r#"{"NewStateValue": ["ALARM"], "Trigger": {"Statistic": ["SUM"]}}"#), Some("MessageBody")),
                &sent
            ),
            Receives::Yes(vec![])
        );
        // Dropping the notifications that come after INSUFFICIENT_DATA misses alerts.
        match receives(&sub(Some(r#"{"OldStateValue": ["OK"]}"#), Some("MessageBody")), &sent) {
            Receives::No(why) => assert!(why.contains("ALARM from INSUFFICIENT_DATA"), "{why}"),
            o => panic!("{o:?}"),
        }
        let r = receivers(&[sub(None, None), sub(Some(r#"{"severity": ["high"]}"#), None)], &sent);
        assert_eq!(r.receiving.len(), 1);
        assert_eq!(r.rejected.len(), 1);
    }

    fn queue_sub(policy: Option<serde_json::Value>, key: Option<&str>) -> Subscription {
        Subscription {
            subscription_arn: "arn:aws:sns:us-east-1:1:t:abc".into(),
            protocol: "sqs".into(),
            endpoint: "arn:aws:sqs:eu-west-1:2:q".into(),
            attributes: Some(Collected::Ok(Default::default())),
            queue: Some(crate::inventory::QueueInventory {
                as_owner: true,
                attributes: Collected::Ok(crate::inventory::QueueAttributes {
                    policy: policy.map(|p| p.to_string()),
                    kms_master_key_id: key.map(str::to_string),
                }),
            }),
        }
    }

    #[test]
    fn a_queue_takes_the_topic_only_as_its_policy_and_key_let_it() {
        let allow = |cond: Value| {
            json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:eu-west-1:2:q", "Condition": cond}]})
        };
        // The topic is read from the subscription ARN; the queue may be in another account and region.
        let ok = allow(json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:1:*"}}));
        assert!(matches!(endpoint_side(&queue_sub(Some(ok.clone()), None)), Ok((Some(_), n)) if n.is_empty()));
        let other_account = allow(json!({"StringEquals": {"aws:SourceAccount": "3"}}));
        assert!(endpoint_side(&queue_sub(Some(other_account), None)).is_err());
        // The AWS-managed key, by alias ARN too; a customer key is a note.
        assert!(endpoint_side(&queue_sub(Some(ok.clone()), Some("arn:aws:kms:eu-west-1:2:alias/aws/sqs"))).is_err());
        assert!(matches!(endpoint_side(&queue_sub(Some(ok), Some("alias/mine"))), Ok((_, n)) if n.len() == 1));
        // AWS:SourceOwner is not what SNS is documented to send a queue: not guessed at.
        let owner = allow(json!({"StringEquals": {"AWS:SourceOwner": "1"}}));
        assert!(
            matches!(endpoint_side(&queue_sub(Some(owner), None)), Ok((_, n)) if n[0].contains("not fully verified"))
        );
        // Lambda and Firehose endpoints are not judged, with why.
        let l = Subscription { protocol: "lambda".into(), ..queue_sub(None, None) };
        assert!(matches!(endpoint_side(&l), Ok((None, n)) if n[0].contains("aws-sdk-lambda")));
    }
}
