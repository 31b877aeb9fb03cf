//! Snapshot cases of the monitoring family (4.10 and its chain, its delivery, the EventBridge route): the compliant fixture broken one way per case, and the
//! verdicts and findings it yields (evidence and remediation included).

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    sg_pass_v5: "5.0.0", ["4.10"], |inv| {},
    sg_pass_v6_as_5_10: "6.0.0", ["5.10"], |inv| {},
    sg_v3_text_under_v5: "5.0.0", ["4.10"], |inv| { set_pattern(inv, SG_V3); },
    sg_v3_text_under_v4: "4.0.0", ["4.10"], |inv| { set_pattern(inv, SG_V3); },
    sg_and_joined: "5.0.0", ["4.10"], |inv| { set_pattern(inv, &SG_V5.replace("||", "&&")); },
    sg_narrowed_by_arn: "5.0.0", ["4.10"], |inv| {
        set_pattern(inv, &SG_V5.replace(" }", r#" && ($.userIdentity.arn = "nobody") }"#))
    },
    sg_wildcard_broader: "5.0.0", ["4.10"], |inv| { set_pattern(inv, "{ $.eventName = *SecurityGroup* }"); },
    sg_unparseable: "5.0.0", ["4.10"], |inv| { set_pattern(inv, "{ ($.eventName = CreateSecurityGroup "); },
    sg_no_log_group_delivery: "5.0.0", ["4.10"], |inv| { inv.accounts[0].trails[0].log_group_arn = None; },
    sg_log_group_missing: "5.0.0", ["4.10"], |inv| {
        inv.log_groups[0].metric_filters =
            Collected::Error(err("logs:DescribeMetricFilters", "ResourceNotFoundException"))
    },
    sg_filters_denied: "5.0.0", ["4.10"], |inv| {
        inv.log_groups[0].metric_filters = Collected::Error(err("logs:DescribeMetricFilters", "AccessDeniedException"))
    },
    sg_no_filter: "5.0.0", ["4.10"], |inv| { inv.log_groups[0].metric_filters = Collected::Ok(vec![]); },
    sg_delivery_failing: "5.0.0", ["4.10"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus {
            is_logging: true,
            latest_cloudwatch_logs_delivery_error: Some("AccessDenied".into()),
            ..Default::default()
        }))
    },
    sg_no_alarm: "5.0.0", ["4.10"], |inv| { inv.metric_alarms[0].alarms = Collected::Ok(vec![]); },
    sg_alarm_other_namespace: "5.0.0", ["4.10"], |inv| {
        let a = ok(&mut inv.metric_alarms[0].alarms);
        a[0].namespace = Some("Other".into());
    },
    sg_alarm_actions_disabled_two_periods: "5.0.0", ["4.10"], |inv| {
        let a = ok(&mut inv.metric_alarms[0].alarms);
        a[0].actions_enabled = false;
        a[0].evaluation_periods = Some(2);
    },
    sg_alarm_no_sns_action: "5.0.0", ["4.10"], |inv| {
        let a = ok(&mut inv.metric_alarms[0].alarms);
        a[0].alarm_actions = vec!["arn:aws:automate:us-east-1:ec2:stop".into()];
    },
    sg_topic_missing: "5.0.0", ["4.10"], |inv| {
        inv.topics[0].subscriptions = Collected::Error(CollectError {
            code: "NotFound".into(),
            ..err("sns:ListSubscriptionsByTopic", "NotFound")
        })
    },
    sg_subscription_pending: "5.0.0", ["4.10"], |inv| {
        let s = ok(&mut inv.topics[0].subscriptions);
        s[0].subscription_arn = "PendingConfirmation".into();
    },
    sg_org_trail_out_of_scope: "5.0.0", ["4.10"], |inv| {
        let g = format!("arn:aws:logs:us-east-1:{MGMT}:log-group:org-trail:*");
        let mut org = trail(MGMT, "org", Some(&g));
        org.is_organization_trail = true;
        inv.accounts[0].trails = vec![org];
        inv.log_groups.clear();
    },
    sg_assume_role_denied: "5.0.0", ["3.1", "4.10"], |inv| {
        inv.accounts[0].role_arn = Some(format!("arn:aws:iam::{ACCT}:role/audit"));
        inv.accounts[0].error = Some(err("sts:AssumeRole", "AccessDenied"));
    },
    sg_topic_aws_managed_key: "5.0.0", ["4.10"], |inv| { set_topic_key(inv, "alias/aws/sns"); },
    sg_topic_customer_key_without_cloudwatch: "5.0.0", ["4.10"], |inv| {
        set_topic_key(inv, KEY_ARN);
        add_key(inv, &root_key_policy());
    },
    sg_topic_customer_key_with_cloudwatch: "5.0.0", ["4.10"], |inv| {
        set_topic_key(inv, KEY_ARN);
        add_key(inv, &service_key_policy("cloudwatch.amazonaws.com"));
    },
    sg_topic_policy_denies_publish: "5.0.0", ["4.10"], |inv| {
        let mut p: serde_json::Value = serde_json::from_str(&default_topic_policy(TOPIC, ACCT)).unwrap();
        p["Statement"].as_array_mut().unwrap().push(serde_json::json!(
            {"Sid": "freeze", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC}));
        set_topic_policy(inv, TOPIC, &p.to_string());
    },
    sg_topic_policy_beyond_the_evaluator: "5.0.0", ["4.10"], |inv| {
        let p = serde_json::json!({"Statement": [{"Sid": "org", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
            "Resource": TOPIC, "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}}]});
        set_topic_policy(inv, TOPIC, &p.to_string());
    },
    eventbridge_default_policy_fails: "5.0.0", ["4.10"], |inv| { eventbridge(inv, None, None); },
    eventbridge_statement_for_the_rule_passes: "5.0.0", ["4.10"], |inv| { eventbridge(inv, Some("sg-changes"), None); },
    eventbridge_statement_for_another_rule_fails: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("other-rule"), None)
    },
    eventbridge_target_role_not_verified: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, None, Some("arn:aws:iam::111122223333:role/events-to-sns"))
    },
    eventbridge_aws_managed_key_fails: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        set_topic_key_of(inv, REALTIME, "alias/aws/sns");
    },
    sg_subscriber_attribute_filter_rejects_the_alarm: "5.0.0", ["4.10"], |inv| {
        set_filter(inv, TOPIC, 0, r#"{"severity": ["high"]}"#, None);
    },
    sg_subscriber_body_filter_takes_the_alarm: "5.0.0", ["4.10"], |inv| {
        set_filter(inv, TOPIC, 0, r#"{"NewStateValue": ["ALARM"], "Trigger": {"MetricName": [{"prefix": "SecurityGroup"}]}}"#, Some("MessageBody"));
    },
    sg_subscriber_body_filter_drops_alarms_after_insufficient_data: "5.0.0", ["4.10"], |inv| {
        set_filter(inv, TOPIC, 0, r#"{"OldStateValue": ["OK"]}"#, Some("MessageBody"));
    },
    sg_one_of_two_subscribers_filters_the_alarm_out: "5.0.0", ["4.10"], |inv| {
        add_subscriber(inv, TOPIC, "sqs", "arn:aws:sqs:us-east-1:111122223333:alerts");
        set_filter(inv, TOPIC, 1, r#"{"severity": ["high"]}"#, None);
    },
    sg_queue_policy_lets_the_topic_send: "5.0.0", ["4.10"], |inv| {
        only_queue(inv, Collected::Ok(queue_attrs(Some(&queue_policy(TOPIC, "Allow")), None)), true);
    },
    sg_queue_policy_star_principal_source_account: "5.0.0", ["4.10"], |inv| {
        let p = serde_json::json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SQS:*",
            "Resource": QUEUE, "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]});
        only_queue(inv, Collected::Ok(queue_attrs(Some(&p.to_string()), None)), true);
    },
    eventbridge_queue_policy_lets_the_topic_send: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        only_queue_of(inv, REALTIME, Collected::Ok(queue_attrs(Some(&queue_policy(REALTIME, "Allow")), None)), true);
    },
    eventbridge_queue_policy_for_the_alarm_topic_only: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        only_queue_of(inv, REALTIME, Collected::Ok(queue_attrs(Some(&queue_policy(TOPIC, "Allow")), None)), true);
    },
    sg_queue_without_policy: "5.0.0", ["4.10"], |inv| {
        only_queue(inv, Collected::Ok(queue_attrs(None, None)), true);
    },
    sg_queue_policy_for_another_topic: "5.0.0", ["4.10"], |inv| {
        let other = "arn:aws:sns:us-east-1:111122223333:other";
        only_queue(inv, Collected::Ok(queue_attrs(Some(&queue_policy(other, "Allow")), None)), true);
    },
    sg_queue_policy_denies_the_topic: "5.0.0", ["4.10"], |inv| {
        let mut p: serde_json::Value = serde_json::from_str(&queue_policy(TOPIC, "Allow")).unwrap();
        let deny: serde_json::Value = serde_json::from_str(&queue_policy(TOPIC, "Deny")).unwrap();
        p["Statement"].as_array_mut().unwrap().push(deny["Statement"][0].clone());
        only_queue(inv, Collected::Ok(queue_attrs(Some(&p.to_string()), None)), true);
    },
    sg_queue_aws_managed_key: "5.0.0", ["4.10"], |inv| {
        only_queue(inv, Collected::Ok(queue_attrs(Some(&queue_policy(TOPIC, "Allow")), Some("alias/aws/sqs"))), true);
    },
    sg_queue_customer_key_not_judged: "5.0.0", ["4.10"], |inv| {
        only_queue(inv, Collected::Ok(queue_attrs(Some(&queue_policy(TOPIC, "Allow")), Some("alias/cis-queue"))), true);
    },
    sg_queue_policy_beyond_the_evaluator: "5.0.0", ["4.10"], |inv| {
        let p = serde_json::json!({"Statement": [{"Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
            "Resource": QUEUE, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]});
        only_queue(inv, Collected::Ok(queue_attrs(Some(&p.to_string()), None)), true);
    },
    sg_queue_unreadable_is_not_judged: "5.0.0", ["4.10"], |inv| {
        only_queue(inv, Collected::Error(err("sqs:GetQueueAttributes", "AccessDenied")), false);
    },
    sg_queue_missing_in_its_own_account: "5.0.0", ["4.10"], |inv| {
        only_queue(inv, Collected::Error(err("sqs:GetQueueAttributes", "AWS.SimpleQueueService.NonExistentQueue")), true);
    },
    sg_queue_refuses_but_the_email_receives: "5.0.0", ["4.10"], |inv| {
        add_subscriber(inv, TOPIC, "sqs", QUEUE);
        set_queue(inv, TOPIC, 1, Collected::Ok(queue_attrs(None, None)), true);
    },
    sg_subscription_attributes_denied: "5.0.0", ["4.10"], |inv| {
        let s = ok(&mut inv.topics[0].subscriptions);
        s[0].attributes = Some(Collected::Error(err("sns:GetSubscriptionAttributes", "AuthorizationError")));
    },
    sg_alarm_missing_data_breaching_never_notifies_again: "5.0.0", ["4.10"], |inv| {
        ok(&mut inv.metric_alarms[0].alarms)[0].treat_missing_data = Some("breaching".into());
    },
    sg_alarm_ignores_missing_data_without_default_value: "5.0.0", ["4.10"], |inv| {
        ok(&mut inv.metric_alarms[0].alarms)[0].treat_missing_data = Some("ignore".into());
    },
    sg_alarm_ignores_missing_data_with_default_zero: "5.0.0", ["4.10"], |inv| {
        ok(&mut inv.metric_alarms[0].alarms)[0].treat_missing_data = Some("ignore".into());
        set_default_value(inv, 0.0);
    },
    sg_alarm_default_value_breaches: "5.0.0", ["4.10"], |inv| { set_default_value(inv, 1.0); },
    sg_alarm_sample_count_with_default_value: "5.0.0", ["4.10"], |inv| {
        ok(&mut inv.metric_alarms[0].alarms)[0].statistic = Some("SampleCount".into());
        set_default_value(inv, 0.0);
    },
    eventbridge_body_filter_rejects_the_sentence: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        set_sentence(inv);
        set_filter(inv, REALTIME, 0, r#"{"detail": {"eventSource": ["ec2.amazonaws.com"]}}"#, Some("MessageBody"));
    },
    eventbridge_body_filter_takes_the_event: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        set_filter(inv, REALTIME, 0, r#"{"detail": {"eventSource": ["ec2.amazonaws.com"]}}"#, Some("MessageBody"));
    },
    eventbridge_body_filter_misses_some_events: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        set_filter(inv, REALTIME, 0, r#"{"detail": {"eventName": [{"prefix": "Authorize"}]}}"#, Some("MessageBody"));
    },
    sg_history_operated: "5.0.0", ["4.10"], |inv| {
        set_history(inv, 14.0, &[("StateUpdate", "Alarm updated from OK to ALARM"); 9], &[9.0, 0.0], false);
        add_actions(inv, 9, "Successfully executed action");
    },
    sg_history_deliveries_only_failed: "5.0.0", ["4.10"], |inv| {
        set_history(inv, 3.0, &[("StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM"); 3], &[0.0, 3.0], false);
        add_actions(inv, 3, "Failed to execute action");
    },
    sg_history_events_but_never_fired: "5.0.0", ["4.10"], |inv| {
        set_history(inv, 5.0, &[], &[0.0, 0.0], false);
    },
    sg_history_no_events: "5.0.0", ["4.10"], |inv| { set_history(inv, 0.0, &[], &[0.0, 0.0], false); },
    sg_history_denied: "5.0.0", ["4.10"], |inv| { set_history(inv, 0.0, &[], &[0.0, 0.0], true); },
    sg_history_broken_chain_is_only_evidence: "5.0.0", ["4.10"], |inv| {
        set_history(inv, 5.0, &[], &[0.0, 0.0], false);
        ok(&mut inv.metric_alarms[0].alarms)[0].actions_enabled = false;
    },
    eventbridge_history_operated: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        set_route_history(inv, [4.0, 4.0, 0.0], [4.0, 0.0]);
    },
    eventbridge_history_invocations_failed: "5.0.0", ["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        set_route_history(inv, [2.0, 2.0, 2.0], [0.0, 0.0]);
    },
    unauthorized_api_calls_fail: "5.0.0", ["4.1"], |inv| {},
    root_usage_v1_2_as_3_3: "1.2.0", ["3.3"], |inv| {},
}

const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub(crate) const REALTIME: &str = "arn:aws:sns:us-east-1:111122223333:realtime";

pub(crate) fn set_topic_key_of(inv: &mut Inventory, topic: &str, key: &str) {
    let t = inv.topics.iter_mut().find(|t| t.arn == topic).unwrap();
    let mut attrs = match &t.attributes {
        Some(Collected::Ok(a)) => a.clone(),
        _ => TopicAttributes::default(),
    };
    attrs.kms_master_key_id = Some(key.into());
    t.attributes = Some(Collected::Ok(attrs));
}

/// Gives subscription `i` of `topic` a filter policy.
pub(crate) fn set_filter(inv: &mut Inventory, topic: &str, i: usize, policy: &str, scope: Option<&str>) {
    let t = inv.topics.iter_mut().find(|t| t.arn == topic).unwrap();
    ok(&mut t.subscriptions)[i].attributes = Some(Collected::Ok(SubscriptionAttributes {
        filter_policy: Some(policy.into()),
        filter_policy_scope: scope.map(str::to_string),
        ..Default::default()
    }));
}

/// A second confirmed subscriber, without a filter policy.
pub(crate) fn add_subscriber(inv: &mut Inventory, topic: &str, protocol: &str, endpoint: &str) {
    let t = inv.topics.iter_mut().find(|t| t.arn == topic).unwrap();
    let subs = ok(&mut t.subscriptions);
    subs.push(Subscription {
        subscription_arn: format!("{topic}:{}", subs.len() + 1),
        protocol: protocol.into(),
        endpoint: endpoint.into(),
        attributes: Some(Collected::Ok(SubscriptionAttributes::default())),
        queue: None,
    });
}

pub(crate) const QUEUE: &str = "arn:aws:sqs:us-east-1:111122223333:alerts";

/// A queue policy with one statement of `effect`: sns.amazonaws.com sqs:SendMessage on QUEUE
/// from `topic` (the statement the SNS console writes).
pub(crate) fn queue_policy(topic: &str, effect: &str) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": format!("{effect}Topic"), "Effect": effect,
        "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": QUEUE,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})
    .to_string()
}

pub(crate) fn queue_attrs(policy: Option<&str>, key: Option<&str>) -> QueueAttributes {
    QueueAttributes { policy: policy.map(str::to_string), kms_master_key_id: key.map(str::to_string) }
}

/// What `GetQueueAttributes` answered for subscription `i` of `topic`.
pub(crate) fn set_queue(inv: &mut Inventory, topic: &str, i: usize, a: Collected<QueueAttributes>, as_owner: bool) {
    let t = inv.topics.iter_mut().find(|t| t.arn == topic).unwrap();
    ok(&mut t.subscriptions)[i].queue = Some(QueueInventory { as_owner, attributes: a });
}

/// The topic's only confirmed subscriber is the SQS queue QUEUE, whose attributes are `a`.
pub(crate) fn only_queue(inv: &mut Inventory, a: Collected<QueueAttributes>, as_owner: bool) {
    only_queue_of(inv, TOPIC, a, as_owner);
}

/// `topic`'s only subscriber is queue [`QUEUE`], with attributes `a`.
pub(crate) fn only_queue_of(inv: &mut Inventory, topic: &str, a: Collected<QueueAttributes>, as_owner: bool) {
    let t = inv.topics.iter_mut().find(|t| t.arn == topic).unwrap();
    ok(&mut t.subscriptions).clear();
    add_subscriber(inv, topic, "sqs", QUEUE);
    set_queue(inv, topic, 0, a, as_owner);
}

pub(crate) fn set_default_value(inv: &mut Inventory, d: f64) {
    let Collected::Ok(f) = &mut inv.log_groups[0].metric_filters else { panic!("fixture filters") };
    f[0].transformations[0].default_value = Some(d);
}

/// The route's targets send remediation's alert sentence (a quoted input template).
pub(crate) fn set_sentence(inv: &mut Inventory) {
    for rr in &mut inv.accounts[0].event_rules {
        let rules = ok(&mut rr.rules);
        let Some(targets) = rules[0].targets.as_mut() else { panic!("the fixture's rule has no targets") };
        ok(targets)[0].input_transformer = Some(InputTransformer {
            input_paths_map: [("user".to_string(), "$.detail.userIdentity.arn".to_string())].into_iter().collect(),
            input_template: "\"The user <user> changed a security group.\"".into(),
        });
    }
}

/// The history of the fixture's chain: `events` counted, the alarm's `items`, the topic's
/// [delivered, failed]; `denied`: every history read was refused.
pub(crate) fn set_history(inv: &mut Inventory, events: f64, items: &[(&str, &str)], topic: &[f64; 2], denied: bool) {
    let total = |ns: &str, name: &str, dims: &[(&str, &str)], total: f64| MetricTotal {
        namespace: ns.into(),
        metric_name: name.into(),
        dimensions: dims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        total,
        datapoints: u32::from(total > 0.0),
    };
    let metrics = vec![
        total("CISBenchmark", "SecurityGroupChanges", &[], events),
        total("AWS/SNS", "NumberOfNotificationsDelivered", &[("TopicName", "cis-alarms")], topic[0]),
        total("AWS/SNS", "NumberOfNotificationsFailed", &[("TopicName", "cis-alarms")], topic[1]),
    ];
    let items: Vec<AlarmHistoryItem> = items
        .iter()
        .enumerate()
        .map(|(i, (t, s))| AlarmHistoryItem {
            timestamp: format!("2026-11-{:02}T10:00:00Z", i + 1),
            item_type: t.to_string(),
            summary: s.to_string(),
        })
        .collect();
    inv.history = Some(HistoryInventory {
        days: 30,
        start: "2026-11-04T00:00:00Z".into(),
        end: "2026-12-04T00:00:00Z".into(),
        alarms: vec![AlarmHistory {
            account: ACCT.into(),
            region: "us-east-1".into(),
            alarm: "sg-changes-alarm".into(),
            items: if denied {
                Collected::Error(err("cloudwatch:DescribeAlarmHistory", "AccessDenied"))
            } else {
                Collected::Ok(items)
            },
        }],
        metrics: vec![RegionMetrics {
            account: ACCT.into(),
            region: "us-east-1".into(),
            metrics: if denied {
                Collected::Error(err("cloudwatch:GetMetricData", "AccessDenied"))
            } else {
                Collected::Ok(metrics)
            },
        }],
    });
}

/// The route's history in us-east-1 (eu-west-1: nothing): the rule's [triggered, invocations,
/// failed invocations], the topic's [delivered, failed].
pub(crate) fn set_route_history(inv: &mut Inventory, rule: [f64; 3], topic: [f64; 2]) {
    let total = |ns: &str, name: &str, dims: (&str, &str), total: f64| MetricTotal {
        namespace: ns.into(),
        metric_name: name.into(),
        dimensions: [(dims.0.to_string(), dims.1.to_string())].into_iter().collect(),
        total,
        datapoints: u32::from(total > 0.0),
    };
    let mut metrics = vec![];
    for (m, v) in ["TriggeredRules", "Invocations", "FailedInvocations"].iter().zip(rule) {
        metrics.push(total("AWS/Events", m, ("RuleName", "sg-changes"), v));
    }
    for (m, v) in ["NumberOfNotificationsDelivered", "NumberOfNotificationsFailed"].iter().zip(topic) {
        metrics.push(total("AWS/SNS", m, ("TopicName", "realtime"), v));
    }
    inv.history = Some(HistoryInventory {
        days: 30,
        start: "2026-11-04T00:00:00Z".into(),
        end: "2026-12-04T00:00:00Z".into(),
        alarms: vec![],
        metrics: vec![RegionMetrics {
            account: ACCT.into(),
            region: "us-east-1".into(),
            metrics: Collected::Ok(metrics),
        }],
    });
}

/// `n` SNS action outcomes of the alarm ("Successfully executed action" / "Failed to execute action").
pub(crate) fn add_actions(inv: &mut Inventory, n: usize, outcome: &str) {
    let Some(Collected::Ok(items)) = inv.history.as_mut().map(|h| &mut h.alarms[0].items) else { return };
    for i in 0..n {
        items.push(AlarmHistoryItem {
            timestamp: format!("2026-11-{:02}T10:00:01Z", i + 1),
            item_type: "Action".into(),
            summary: format!("{outcome} {TOPIC}"),
        });
    }
}

pub(crate) fn set_topic_key(inv: &mut Inventory, key: &str) {
    set_topic_key_of(inv, TOPIC, key)
}

pub(crate) fn set_topic_policy(inv: &mut Inventory, topic: &str, policy: &str) {
    let t = inv.topics.iter_mut().find(|t| t.arn == topic).unwrap();
    t.attributes = Some(Collected::Ok(TopicAttributes { policy: Some(policy.into()), kms_master_key_id: None }));
}

pub(crate) fn root_key_policy() -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})
    .to_string()
}

pub(crate) fn service_key_policy(service: &str) -> String {
    let mut p: serde_json::Value = serde_json::from_str(&root_key_policy()).unwrap();
    p["Statement"].as_array_mut().unwrap().push(serde_json::json!({"Sid": "AllowAlarms", "Effect": "Allow",
        "Principal": {"Service": service}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}));
    p.to_string()
}

pub(crate) fn add_key(inv: &mut Inventory, policy: &str) {
    inv.kms_keys.push(KmsKeyInventory {
        account: ACCT.into(),
        region: "us-east-1".into(),
        key: KEY_ARN.into(),
        details: Collected::Ok(KmsKey {
            arn: KEY_ARN.into(),
            key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            manager: Some("CUSTOMER".into()),
            state: Some("Enabled".into()),
            policy: Collected::Ok(policy.into()),
        }),
    });
}

/// The EventBridge route in both regions to topic `realtime`, whose policy lets `rule` publish
/// (None: SNS's default policy), optionally through a target role.
pub(crate) fn eventbridge(inv: &mut Inventory, rule: Option<&str>, role: Option<&str>) {
    with_rules(inv, &["us-east-1", "eu-west-1"], EB_SG, true);
    let policy = match rule {
        None => default_topic_policy(REALTIME, ACCT),
        Some(r) => {
            let mut p: serde_json::Value = serde_json::from_str(&default_topic_policy(REALTIME, ACCT)).unwrap();
            for region in ["us-east-1", "eu-west-1"] {
                let arn = format!("arn:aws:events:{region}:{ACCT}:rule/{r}");
                let mut st = serde_json::from_str::<serde_json::Value>(&events_topic_policy(REALTIME, ACCT, &arn))
                    .unwrap()["Statement"][1]
                    .clone();
                st["Sid"] = format!("AWSEvents_{region}").into();
                p["Statement"].as_array_mut().unwrap().push(st);
            }
            p.to_string()
        }
    };
    set_topic_policy(inv, REALTIME, &policy);
    if let Some(role) = role {
        for rr in &mut inv.accounts[0].event_rules {
            let rules = ok(&mut rr.rules);
            let Some(targets) = rules[0].targets.as_mut() else { panic!("the fixture's rule has no targets") };
            ok(targets)[0].role_arn = Some(role.into());
        }
    }
}

#[test]
fn strict_patterns_refuse_a_broader_pattern() {
    let mut inv = compliant();
    set_pattern(&mut inv, "{ $.eventName = *SecurityGroup* }");
    let e = verdicts(&inv, "5.0.0", &["4.10"], true);
    assert_eq!(e.controls[0].status, crate::finding::Status::Fail);
    insta::assert_json_snapshot!("sg_strict_patterns_refuse_broader", e);
}
