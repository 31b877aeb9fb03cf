//! Snapshot tests: one inventory fixture per verdict path of each control, and the verdicts and
//! findings (with their evidence and remediation) it yields, reviewed and committed under
//! `src/checks/snapshots/`. A change to any message, evidence step or hint shows up here.

use super::tests::*;
use super::{Context, EvalOptions, REGISTRY};
use crate::finding::{Evaluation, Status};
use crate::inventory::*;
use crate::pattern::{Corpus, Judge};

type Mutation = fn(&mut Inventory);

/// (snapshot name, benchmark, controls, what to break)
const CASES: &[(&str, &str, &[&str], Mutation)] = &[
    // 3.1
    ("trail_pass", "5.0.0", &["3.1"], |_| {}),
    ("trail_none", "5.0.0", &["3.1"], |inv| inv.accounts[0].trails.clear()),
    ("trail_not_multi_region", "5.0.0", &["3.1"], |inv| inv.accounts[0].trails[0].is_multi_region = false),
    ("trail_not_logging", "5.0.0", &["3.1"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus::default()))
    }),
    ("trail_write_only", "5.0.0", &["3.1"], |inv| {
        inv.accounts[0].trails[0].selectors = Some(Collected::Ok(TrailSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("WriteOnly".into()),
                include_management_events: Some(true),
                data_resources: vec![DataResource {
                    resource_type: "AWS::S3::Object".into(),
                    values: vec!["arn:aws:s3".into()],
                }],
                ..Default::default()
            }],
            ..Default::default()
        }))
    }),
    ("trail_excluded_source", "5.0.0", &["3.1"], |inv| {
        inv.accounts[0].trails[0].selectors = Some(Collected::Ok(TrailSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("All".into()),
                include_management_events: Some(true),
                exclude_management_event_sources: vec!["kms.amazonaws.com".into()],
                ..Default::default()
            }],
            ..Default::default()
        }))
    }),
    ("trail_advanced_custom_name", "5.0.0", &["3.1"], |inv| {
        inv.accounts[0].trails[0].selectors = Some(Collected::Ok(TrailSelectors {
            advanced_event_selectors: vec![advanced(
                "Log all the things",
                vec![field("eventCategory", &["Management"], &[])],
            )],
            ..Default::default()
        }))
    }),
    ("trail_status_denied", "5.0.0", &["3.1"], |inv| {
        inv.accounts[0].trails[0].status =
            Some(Collected::Error(err("cloudtrail:GetTrailStatus", "AccessDeniedException")))
    }),
    ("trail_describe_denied", "5.0.0", &["3.1"], |inv| {
        inv.accounts[0].trails.clear();
        inv.accounts[0].trails_by_region[1].trails =
            Collected::Error(err("cloudtrail:DescribeTrails", "AccessDeniedException"));
    }),
    // 3.3
    ("config_pass", "5.0.0", &["3.3"], |_| {}),
    ("config_not_recording", "5.0.0", &["3.3"], |inv| {
        if let Collected::Ok(st) = &mut inv.accounts[0].config[1].recorder_statuses {
            st[0].recording = false;
        }
    }),
    ("config_last_status_failure", "5.0.0", &["3.3"], |inv| {
        if let Collected::Ok(st) = &mut inv.accounts[0].config[0].recorder_statuses {
            st[0].last_status = Some("FAILURE".into());
            st[0].last_error_code = Some("AccessDenied".into());
        }
    }),
    ("config_some_types_only", "5.0.0", &["3.3"], |inv| {
        if let Collected::Ok(r) = &mut inv.accounts[0].config[1].recorders {
            r[0].all_supported = false;
            r[0].recording_strategy = Some("INCLUSION_BY_RESOURCE_TYPES".into());
            r[0].resource_types = vec!["AWS::S3::Bucket".into()];
        }
    }),
    ("config_no_channel_no_global", "5.0.0", &["3.3"], |inv| {
        inv.accounts[0].config[1].delivery_channels = Collected::Ok(vec![]);
        if let Collected::Ok(r) = &mut inv.accounts[0].config[0].recorders {
            r[0].include_global_resource_types = false;
        }
    }),
    ("config_service_linked_only", "5.0.0", &["3.3"], |inv| {
        if let Collected::Ok(r) = &mut inv.accounts[0].config[1].recorders {
            r[0].service_principal = Some("securityhub.amazonaws.com".into());
        }
    }),
    ("config_throttled", "5.0.0", &["3.3"], |inv| {
        inv.accounts[0].config[1].recorders =
            Collected::Error(err("config:DescribeConfigurationRecorders", "ThrottlingException"))
    }),
    // 4.10 and its chain
    ("sg_pass_v5", "5.0.0", &["4.10"], |_| {}),
    ("sg_pass_v6_as_5_10", "6.0.0", &["5.10"], |_| {}),
    ("sg_v3_text_under_v5", "5.0.0", &["4.10"], |inv| set_pattern(inv, SG_V3)),
    ("sg_v3_text_under_v4", "4.0.0", &["4.10"], |inv| set_pattern(inv, SG_V3)),
    ("sg_and_joined", "5.0.0", &["4.10"], |inv| set_pattern(inv, &SG_V5.replace("||", "&&"))),
    ("sg_narrowed_by_arn", "5.0.0", &["4.10"], |inv| {
        set_pattern(inv, &SG_V5.replace(" }", r#" && ($.userIdentity.arn = "nobody") }"#))
    }),
    ("sg_wildcard_broader", "5.0.0", &["4.10"], |inv| set_pattern(inv, "{ $.eventName = *SecurityGroup* }")),
    ("sg_unparseable", "5.0.0", &["4.10"], |inv| set_pattern(inv, "{ ($.eventName = CreateSecurityGroup ")),
    ("sg_no_log_group_delivery", "5.0.0", &["4.10"], |inv| inv.accounts[0].trails[0].log_group_arn = None),
    ("sg_log_group_missing", "5.0.0", &["4.10"], |inv| {
        inv.log_groups[0].metric_filters =
            Collected::Error(err("logs:DescribeMetricFilters", "ResourceNotFoundException"))
    }),
    ("sg_filters_denied", "5.0.0", &["4.10"], |inv| {
        inv.log_groups[0].metric_filters = Collected::Error(err("logs:DescribeMetricFilters", "AccessDeniedException"))
    }),
    ("sg_no_filter", "5.0.0", &["4.10"], |inv| inv.log_groups[0].metric_filters = Collected::Ok(vec![])),
    ("sg_delivery_failing", "5.0.0", &["4.10"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus {
            is_logging: true,
            latest_cloudwatch_logs_delivery_error: Some("AccessDenied".into()),
            ..Default::default()
        }))
    }),
    ("sg_no_alarm", "5.0.0", &["4.10"], |inv| inv.metric_alarms[0].alarms = Collected::Ok(vec![])),
    ("sg_alarm_other_namespace", "5.0.0", &["4.10"], |inv| {
        if let Collected::Ok(a) = &mut inv.metric_alarms[0].alarms {
            a[0].namespace = Some("Other".into());
        }
    }),
    ("sg_alarm_actions_disabled_two_periods", "5.0.0", &["4.10"], |inv| {
        if let Collected::Ok(a) = &mut inv.metric_alarms[0].alarms {
            a[0].actions_enabled = false;
            a[0].evaluation_periods = Some(2);
        }
    }),
    ("sg_alarm_no_sns_action", "5.0.0", &["4.10"], |inv| {
        if let Collected::Ok(a) = &mut inv.metric_alarms[0].alarms {
            a[0].alarm_actions = vec!["arn:aws:automate:us-east-1:ec2:stop".into()];
        }
    }),
    ("sg_topic_missing", "5.0.0", &["4.10"], |inv| {
        inv.topics[0].subscriptions = Collected::Error(CollectError {
            code: "NotFound".into(),
            ..err("sns:ListSubscriptionsByTopic", "NotFound")
        })
    }),
    ("sg_subscription_pending", "5.0.0", &["4.10"], |inv| {
        if let Collected::Ok(s) = &mut inv.topics[0].subscriptions {
            s[0].subscription_arn = "PendingConfirmation".into();
        }
    }),
    ("sg_org_trail_out_of_scope", "5.0.0", &["4.10"], |inv| {
        let g = format!("arn:aws:logs:us-east-1:{MGMT}:log-group:org-trail:*");
        let mut org = trail(MGMT, "org", Some(&g));
        org.is_organization_trail = true;
        inv.accounts[0].trails = vec![org];
        inv.log_groups.clear();
    }),
    ("sg_assume_role_denied", "5.0.0", &["3.1", "4.10"], |inv| {
        inv.accounts[0].role_arn = Some(format!("arn:aws:iam::{ACCT}:role/audit"));
        inv.accounts[0].error = Some(err("sts:AssumeRole", "AccessDenied"));
    }),
    // Delivery: the topic's key and policy.
    ("sg_topic_aws_managed_key", "5.0.0", &["4.10"], |inv| set_topic_key(inv, "alias/aws/sns")),
    ("sg_topic_customer_key_without_cloudwatch", "5.0.0", &["4.10"], |inv| {
        set_topic_key(inv, KEY_ARN);
        add_key(inv, &root_key_policy());
    }),
    ("sg_topic_customer_key_with_cloudwatch", "5.0.0", &["4.10"], |inv| {
        set_topic_key(inv, KEY_ARN);
        add_key(inv, &service_key_policy("cloudwatch.amazonaws.com"));
    }),
    ("sg_topic_policy_denies_publish", "5.0.0", &["4.10"], |inv| {
        let mut p: serde_json::Value = serde_json::from_str(&default_topic_policy(TOPIC, ACCT)).unwrap();
        p["Statement"].as_array_mut().unwrap().push(serde_json::json!(
            {"Sid": "freeze", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC}));
        set_topic_policy(inv, TOPIC, &p.to_string());
    }),
    ("sg_topic_policy_beyond_the_evaluator", "5.0.0", &["4.10"], |inv| {
        let p = serde_json::json!({"Statement": [{"Sid": "org", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
            "Resource": TOPIC, "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}}]});
        set_topic_policy(inv, TOPIC, &p.to_string());
    }),
    ("eventbridge_default_policy_fails", "5.0.0", &["4.10"], |inv| eventbridge(inv, None, None)),
    ("eventbridge_statement_for_the_rule_passes", "5.0.0", &["4.10"], |inv| eventbridge(inv, Some("sg-changes"), None)),
    ("eventbridge_statement_for_another_rule_fails", "5.0.0", &["4.10"], |inv| {
        eventbridge(inv, Some("other-rule"), None)
    }),
    ("eventbridge_target_role_not_verified", "5.0.0", &["4.10"], |inv| {
        eventbridge(inv, None, Some("arn:aws:iam::111122223333:role/events-to-sns"))
    }),
    ("eventbridge_aws_managed_key_fails", "5.0.0", &["4.10"], |inv| {
        eventbridge(inv, Some("sg-changes"), None);
        set_topic_key_of(inv, REALTIME, "alias/aws/sns");
    }),
    // The rest of the monitoring family, compliant filter for 4.10 only.
    ("unauthorized_api_calls_fail", "5.0.0", &["4.1"], |_| {}),
    ("root_usage_v1_2_as_3_3", "1.2.0", &["3.3"], |_| {}),
    // 3.4 of v1.4.0 / v2.0.0
    ("cloudwatch_logs_recent_v1_4", "1.4.0", &["3.4"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus {
            is_logging: true,
            latest_cloudwatch_logs_delivery_time: Some("2026-11-22T23:00:00Z".into()),
            ..Default::default()
        }))
    }),
    ("cloudwatch_logs_stale_v1_4", "1.4.0", &["3.4"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus {
            is_logging: true,
            latest_cloudwatch_logs_delivery_time: Some("2026-11-20T00:00:00Z".into()),
            ..Default::default()
        }))
    }),
    ("cloudwatch_logs_never_v2_0", "2.0.0", &["3.4"], |_| {}),
    ("cloudwatch_logs_not_integrated_v1_2_as_2_4", "1.2.0", &["2.4"], |inv| {
        inv.accounts[0].trails[0].log_group_arn = None
    }),
];

const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const REALTIME: &str = "arn:aws:sns:us-east-1:111122223333:realtime";

fn set_topic_key_of(inv: &mut Inventory, topic: &str, key: &str) {
    let t = inv.topics.iter_mut().find(|t| t.arn == topic).unwrap();
    let mut attrs = match &t.attributes {
        Some(Collected::Ok(a)) => a.clone(),
        _ => TopicAttributes::default(),
    };
    attrs.kms_master_key_id = Some(key.into());
    t.attributes = Some(Collected::Ok(attrs));
}

fn set_topic_key(inv: &mut Inventory, key: &str) {
    set_topic_key_of(inv, TOPIC, key)
}

fn set_topic_policy(inv: &mut Inventory, topic: &str, policy: &str) {
    let t = inv.topics.iter_mut().find(|t| t.arn == topic).unwrap();
    t.attributes = Some(Collected::Ok(TopicAttributes { policy: Some(policy.into()), kms_master_key_id: None }));
}

fn root_key_policy() -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})
    .to_string()
}

fn service_key_policy(service: &str) -> String {
    let mut p: serde_json::Value = serde_json::from_str(&root_key_policy()).unwrap();
    p["Statement"].as_array_mut().unwrap().push(serde_json::json!({"Sid": "AllowAlarms", "Effect": "Allow",
        "Principal": {"Service": service}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}));
    p.to_string()
}

fn add_key(inv: &mut Inventory, policy: &str) {
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
fn eventbridge(inv: &mut Inventory, rule: Option<&str>, role: Option<&str>) {
    with_rules(inv, &["us-east-1", "eu-west-1"], EB_SG_FOR_SNAPSHOTS, true);
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
            if let Collected::Ok(rules) = &mut rr.rules {
                if let Some(Collected::Ok(targets)) = &mut rules[0].targets {
                    targets[0].role_arn = Some(role.into());
                }
            }
        }
    }
}

const EB_SG_FOR_SNAPSHOTS: &str = r#"{"source":["aws.ec2"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["AuthorizeSecurityGroupIngress","AuthorizeSecurityGroupEgress","RevokeSecurityGroupIngress","RevokeSecurityGroupEgress","CreateSecurityGroup","DeleteSecurityGroup","ModifySecurityGroupRules"]}}"#;

fn evaluate(inv: &Inventory, bench: &str, ids: &[&str]) -> Evaluation {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let controls = crate::catalog::catalog().select(bench, Some(&ids)).unwrap();
    let judge = Judge::new(Corpus::builtin());
    super::evaluate_with(&Context::new(inv, EvalOptions::default(), &judge), &controls)
}

#[test]
fn every_verdict_path_snapshot() {
    let mut seen = std::collections::BTreeSet::new();
    for (name, bench, ids, mutate) in CASES {
        let mut inv = compliant();
        mutate(&mut inv);
        let e = evaluate(&inv, bench, ids);
        for c in &e.controls {
            seen.insert(c.status);
        }
        insta::assert_json_snapshot!(*name, e);
    }
    // The cases reach every status a control can have.
    for s in [Status::Pass, Status::Fail, Status::Error, Status::Manual] {
        assert!(seen.contains(&s), "no case yields {s}");
    }
}

#[test]
fn strict_patterns_snapshot() {
    let mut inv = compliant();
    set_pattern(&mut inv, "{ $.eventName = *SecurityGroup* }");
    let controls = crate::catalog::catalog().select("5.0.0", Some(&["4.10".to_string()])).unwrap();
    let judge = Judge::new(Corpus::builtin());
    let e = super::evaluate_with(&Context::new(&inv, EvalOptions { strict_patterns: true }, &judge), &controls);
    assert_eq!(e.controls[0].status, Status::Fail);
    insta::assert_json_snapshot!("sg_strict_patterns_refuse_broader", e);
}

/// The stable check ids (`finding.check`): every control key × the modules its kind reports.
#[test]
fn check_ids_snapshot() {
    let ids = super::check_ids();
    assert_eq!(REGISTRY.len(), 4);
    assert!(ids.contains(&"security-group-changes/sns-subscription".to_string()));
    insta::assert_snapshot!("check_ids", ids.join("\n"));
}
