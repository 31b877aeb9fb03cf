//! Plans over inventory fixtures: what gets created, reused, left alone or marked MANUAL.

use super::*;
use crate::actions::{cloudtrail as ct, cloudwatch as cw, config as cf, logs as lg, sns as sn};
use crate::catalog::catalog;
use crate::checks::{evaluate_with, Context, EvalOptions};
use crate::inventory::*;
use crate::pattern::{Corpus, Judge};

const ACCT: &str = "111122223333";
const SG_V5: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }";
const GROUP_ARN: &str = "arn:aws:logs:us-east-1:111122223333:log-group:ct-logs:*";
const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:cis-security-alarms";

fn empty_account() -> Inventory {
    let rc = |r: &str| RegionConfig {
        region: r.into(),
        recorders: Collected::Ok(vec![]),
        recorder_statuses: Collected::Ok(vec![]),
        delivery_channels: Collected::Ok(vec![]),
    };
    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        tool_version: "test".into(),
        collected_at: "2026-11-23T00:00:00Z".into(),
        accounts: vec![AccountInventory {
            account_id: ACCT.into(),
            partition: "aws".into(),
            caller_arn: format!("arn:aws:iam::{ACCT}:user/auditor"),
            regions: vec!["eu-west-1".into(), "us-east-1".into()],
            regions_source: "--regions".into(),
            trails_by_region: vec![
                RegionTrails { region: "us-east-1".into(), trails: Collected::Ok(vec![]) },
                RegionTrails { region: "eu-west-1".into(), trails: Collected::Ok(vec![]) },
            ],
            trails: vec![],
            config: vec![rc("eu-west-1"), rc("us-east-1")],
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn good_trail(name: &str, group: Option<&str>) -> Trail {
    Trail {
        arn: format!("arn:aws:cloudtrail:us-east-1:{ACCT}:trail/{name}"),
        name: name.into(),
        home_region: "us-east-1".into(),
        owner_account: ACCT.into(),
        is_multi_region: true,
        is_organization_trail: false,
        s3_bucket: Some("b".into()),
        log_group_arn: group.map(str::to_string),
        cloudwatch_logs_role_arn: group.map(|_| format!("arn:aws:iam::{ACCT}:role/ct")),
        log_file_validation: false,
        kms_key_id: None,
        status: Some(Collected::Ok(TrailStatus { is_logging: true, ..Default::default() })),
        selectors: Some(Collected::Ok(TrailSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("All".into()),
                include_management_events: Some(true),
                exclude_management_event_sources: vec![],
                ..Default::default()
            }],
            advanced_event_selectors: vec![],
        })),
    }
}

fn inputs() -> Inputs {
    let mut i = Inputs::defaults("5.0.0", "us-east-1");
    i.notify = vec!["email:secops@example.com".parse().unwrap()];
    i.trail_bucket = Some("trail-bucket".into());
    i.cloudtrail_logs_role_arn = Some(format!("arn:aws:iam::{ACCT}:role/ct"));
    i.config_role_arn = Some(format!("arn:aws:iam::{ACCT}:role/config"));
    i.config_bucket = Some("config-bucket".into());
    i
}

/// What the collector would have read for remediation, in us-east-1.
#[derive(Clone, Default)]
struct TestFacts {
    log_group: String,
    log_group_exists: bool,
    filters: Vec<MetricFilter>,
    alarms: Vec<MetricAlarm>,
    topic_exists: bool,
    topic_subscriptions: Vec<Subscription>,
}

fn facts(exists: bool) -> TestFacts {
    TestFacts { log_group: "cis-cloudtrail-logs".into(), log_group_exists: exists, ..Default::default() }
}

fn not_found(op: &str) -> CollectError {
    CollectError {
        operation: op.into(),
        account: ACCT.into(),
        region: Some("us-east-1".into()),
        code: "NotFound".into(),
        message: "Topic does not exist".into(),
    }
}

/// The inventory as the collectors would have read it: the remediation facts, and the facts'
/// log group, alarms and topics as the audit saw them.
fn mirror(inv: &mut Inventory, f: &TestFacts, topics: &[(&str, Vec<Subscription>)]) {
    inv.accounts[0].remediation = Some(RemediationFacts {
        log_groups: vec![LogGroupLookup {
            region: "us-east-1".into(),
            name: "cis-cloudtrail-logs".into(),
            exists: Collected::Ok(f.log_group_exists && f.log_group == "cis-cloudtrail-logs"),
        }],
        alarms: vec![RegionAlarms { region: "us-east-1".into(), alarms: Collected::Ok(f.alarms.clone()) }],
        topics: vec![TopicInventory {
            attributes: None,
            arn: TOPIC.into(),
            subscriptions: if f.topic_exists {
                Collected::Ok(f.topic_subscriptions.clone())
            } else {
                Collected::Error(not_found("sns:ListSubscriptionsByTopic"))
            },
        }],
    });
    if !f.log_group_exists {
        return;
    }
    inv.log_groups = vec![LogGroupInventory {
        account: ACCT.into(),
        region: "us-east-1".into(),
        name: f.log_group.clone(),
        metric_filters: Collected::Ok(f.filters.clone()),
    }];
    let mut metrics: Vec<(String, String)> = f
        .filters
        .iter()
        .flat_map(|x| x.transformations.iter().map(|t| (t.metric_namespace.clone(), t.metric_name.clone())))
        .collect();
    metrics.dedup();
    inv.metric_alarms = metrics
        .into_iter()
        .map(|(ns, m)| MetricAlarmsInventory {
            account: ACCT.into(),
            region: "us-east-1".into(),
            alarms: Collected::Ok(
                f.alarms
                    .iter()
                    .filter(|a| {
                        a.metric_name.as_deref() == Some(m.as_str()) && a.namespace.as_deref() == Some(ns.as_str())
                    })
                    .cloned()
                    .collect(),
            ),
            namespace: ns,
            metric_name: m,
        })
        .collect();
    inv.topics = topics
        .iter()
        .map(|(arn, subs)| TopicInventory {
            arn: arn.to_string(),
            subscriptions: Collected::Ok(subs.clone()),
            attributes: None,
        })
        .collect();
}

fn plan_for(inv: &Inventory, ids: &[&str], inputs: &Inputs, f: &TestFacts) -> Plan {
    let mut inv = inv.clone();
    if inv.accounts[0].remediation.is_none() {
        let topics: Vec<(String, Vec<Subscription>)> = inv
            .topics
            .iter()
            .filter_map(|t| match &t.subscriptions {
                Collected::Ok(s) => Some((t.arn.clone(), s.clone())),
                _ => None,
            })
            .collect();
        let refs: Vec<(&str, Vec<Subscription>)> = topics.iter().map(|(a, s)| (a.as_str(), s.clone())).collect();
        let (groups, alarms) = (inv.log_groups.clone(), inv.metric_alarms.clone());
        mirror(&mut inv, f, &refs);
        if !f.log_group_exists {
            inv.log_groups = groups;
            inv.metric_alarms = alarms;
        }
    }
    let keys: Vec<String> = ids.iter().map(|s| catalog().resolve(s, "5.0.0").unwrap()).collect();
    let controls = catalog().select("5.0.0", Some(&keys)).unwrap();
    let judge = Judge::new(Corpus::builtin());
    let ctx = Context::new(&inv, EvalOptions::default(), &judge);
    let eval = evaluate_with(&ctx, &controls);
    build(&ctx, &eval, &controls, inputs)
}

fn ops(p: &Plan) -> Vec<String> {
    p.steps.iter().map(|s| format!("{} {}", s.action.operation(), s.region)).collect()
}

#[test]
fn empty_account_gets_trail_monitoring_and_config_in_order() {
    let p = plan_for(&empty_account(), &["3.1", "3.3", "4.10", "4.11"], &inputs(), &facts(false));
    assert_eq!(
        ops(&p),
        [
            "cloudtrail:CreateTrail us-east-1",
            "cloudtrail:PutEventSelectors us-east-1",
            "cloudtrail:StartLogging us-east-1",
            "logs:CreateLogGroup us-east-1",
            "cloudtrail:UpdateTrail us-east-1",
            "logs:PutMetricFilter us-east-1",
            "sns:CreateTopic us-east-1",
            "cloudwatch:PutMetricAlarm us-east-1",
            "sns:Subscribe us-east-1",
            "logs:PutMetricFilter us-east-1",
            "cloudwatch:PutMetricAlarm us-east-1",
            "config:PutConfigurationRecorder eu-west-1",
            "config:PutDeliveryChannel eu-west-1",
            "config:StartConfigurationRecorder eu-west-1",
            "config:PutConfigurationRecorder us-east-1",
            "config:PutDeliveryChannel us-east-1",
            "config:StartConfigurationRecorder us-east-1",
        ]
    );
    assert_eq!(p.automatic(), p.steps.len());
    // One topic and one subscription serve both alarms.
    let topic = p.steps.iter().find(|s| matches!(s.action, Action::CreateTopic(_))).unwrap();
    assert_eq!(topic.controls, ["4.10", "4.11"]);
    let trail = &p.steps[0];
    assert_eq!(trail.controls, ["3.1", "4.10", "4.11"]);
    // The filter deploys the benchmark's first pattern with the control's metric name.
    match &p.steps[5].action {
        Action::PutMetricFilter(lg::PutMetricFilter {
            filter_name,
            pattern,
            metric_name,
            metric_namespace,
            log_group,
        }) => {
            assert_eq!((filter_name.as_str(), metric_name.as_str()), ("SecurityGroupChanges", "SecurityGroupChanges"));
            assert_eq!(pattern, SG_V5);
            assert_eq!(metric_namespace, "CISBenchmark");
            assert_eq!(log_group, "cis-cloudtrail-logs");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.steps[5].depends_on, [4]);
    assert_eq!(p.steps[7].depends_on, [6, 7]);
    match &p.steps[7].action {
        Action::PutMetricAlarm(cw::PutMetricAlarm { alarm_name, topic_arn, .. }) => {
            assert_eq!(alarm_name, "SecurityGroupChanges-alarm");
            assert_eq!(topic_arn, TOPIC);
        }
        other => panic!("{other:?}"),
    }
    // Global resource types are recorded in the home region only.
    let globals: Vec<(String, bool)> = p
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::PutConfigurationRecorder(cf::PutConfigurationRecorder {
                include_global,
                all_supported: true,
                ..
            }) => Some((s.region.clone(), *include_global)),
            _ => None,
        })
        .collect();
    assert_eq!(globals, [("eu-west-1".to_string(), false), ("us-east-1".to_string(), true)]);
    assert!(p.notes.iter().any(|n| n.contains("pending") && n.contains("secops@example.com")), "{:?}", p.notes);
    // The commands are what an operator could paste.
    assert_eq!(
        p.steps[7].command,
        format!("aws cloudwatch put-metric-alarm --region us-east-1 --alarm-name SecurityGroupChanges-alarm --metric-name SecurityGroupChanges --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions {TOPIC}")
    );
    assert!(
        p.steps[5].command.contains("--filter-pattern '{ ($.eventName = AuthorizeSecurityGroupIngress) ||"),
        "{}",
        p.steps[5].command
    );
    assert!(p.steps[0].command.ends_with("--name cis-multi-region-trail --s3-bucket-name trail-bucket --is-multi-region-trail --include-global-service-events"));
}

#[test]
fn missing_inputs_make_manual_steps_and_the_rest_still_applies() {
    let mut i = inputs();
    i.trail_bucket = None;
    i.notify = vec![];
    i.config_bucket = None;
    let p = plan_for(&empty_account(), &["3.1", "3.3", "4.10"], &i, &facts(false));
    let manual: Vec<(String, Vec<String>)> = p
        .steps
        .iter()
        .filter_map(|s| s.manual.as_ref().map(|m| (s.action.operation().to_string(), m.missing.clone())))
        .collect();
    assert_eq!(
        manual,
        [
            ("cloudtrail:CreateTrail".to_string(), vec!["--trail-bucket".to_string()]),
            ("cloudtrail:PutEventSelectors".into(), vec![]),
            ("cloudtrail:StartLogging".into(), vec![]),
            ("cloudtrail:UpdateTrail".into(), vec![]),
            ("sns:Subscribe".into(), vec!["--notify".into()]),
            ("config:PutDeliveryChannel".into(), vec!["--config-bucket".into()]),
            ("config:StartConfigurationRecorder".into(), vec![]),
            ("config:PutDeliveryChannel".into(), vec!["--config-bucket".into()]),
            ("config:StartConfigurationRecorder".into(), vec![]),
        ]
    );
    let auto: Vec<&str> = p.steps.iter().filter(|s| s.manual.is_none()).map(|s| s.action.operation()).collect();
    assert_eq!(
        auto,
        [
            "logs:CreateLogGroup",
            "logs:PutMetricFilter",
            "sns:CreateTopic",
            "cloudwatch:PutMetricAlarm",
            "config:PutConfigurationRecorder",
            "config:PutConfigurationRecorder"
        ]
    );
    assert!(p.steps[1].manual.as_ref().unwrap().reason.contains("needs step 1"));
}

#[test]
fn an_existing_trail_is_updated_without_narrowing_its_selectors() {
    let mut inv = empty_account();
    let mut t = good_trail("org-audit", Some(GROUP_ARN));
    t.is_multi_region = false;
    t.status = Some(Collected::Ok(TrailStatus { is_logging: false, ..Default::default() }));
    t.selectors = Some(Collected::Ok(TrailSelectors {
        event_selectors: vec![EventSelector {
            read_write_type: Some("WriteOnly".into()),
            include_management_events: Some(false),
            ..Default::default()
        }],
        advanced_event_selectors: vec![],
    }));
    // Only a trail named --trail-name or a multi-region one is reused; name it so.
    let mut i = inputs();
    i.trail_name = "org-audit".into();
    inv.accounts[0].trails = vec![t];
    let data_sel = EventSelector {
        read_write_type: Some("WriteOnly".into()),
        include_management_events: Some(false),
        data_resources: vec![DataResource {
            resource_type: "AWS::S3::Object".into(),
            values: vec!["arn:aws:s3".into()],
        }],
        ..Default::default()
    };
    inv.accounts[0].trails[0].selectors = Some(Collected::Ok(TrailSelectors {
        event_selectors: vec![data_sel.clone()],
        advanced_event_selectors: vec![],
    }));
    let mut f = facts(true);
    f.log_group = "ct-logs".into();
    let p = plan_for(&inv, &["3.1"], &i, &f);
    assert_eq!(
        ops(&p),
        [
            "cloudtrail:UpdateTrail us-east-1",
            "cloudtrail:StartLogging us-east-1",
            "cloudtrail:PutEventSelectors us-east-1"
        ]
    );
    match &p.steps[2].action {
        Action::PutEventSelectors(ct::PutEventSelectors { selectors, trail }) => {
            assert_eq!(trail, "org-audit");
            assert_eq!(selectors.event_selectors[0], data_sel, "the data-event selector is kept as it was");
            assert_eq!(
                selectors.event_selectors[1],
                EventSelector {
                    read_write_type: Some("All".into()),
                    include_management_events: Some(true),
                    ..Default::default()
                }
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn same_name_with_another_definition_is_left_alone() {
    let mut inv = empty_account();
    inv.accounts[0].trails = vec![good_trail("main", Some(GROUP_ARN))];
    let mut f = facts(true);
    f.log_group = "ct-logs".into();
    f.filters = vec![MetricFilter {
        name: "SecurityGroupChanges".into(),
        pattern: "{ $.eventName = CreateSecurityGroup }".into(),
        transformations: vec![MetricTransformation {
            metric_name: "SecurityGroupChanges".into(),
            metric_namespace: "CISBenchmark".into(),
            metric_value: "1".into(),
            default_value: None,
            dimensions: vec![],
        }],
    }];
    f.alarms = vec![MetricAlarm {
        name: "SecurityGroupChanges-cis-alarm".into(),
        metric_name: Some("SomethingElse".into()),
        namespace: Some("Custom".into()),
        ..Default::default()
    }];
    mirror(&mut inv, &f, &[]);
    let p = plan_for(&inv, &["4.10"], &inputs(), &f);
    let names: Vec<String> = p
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::PutMetricFilter(lg::PutMetricFilter { filter_name, .. }) => Some(filter_name.clone()),
            Action::PutMetricAlarm(cw::PutMetricAlarm { alarm_name, .. }) => Some(alarm_name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["SecurityGroupChanges-cis", "SecurityGroupChanges-cis-alarm-cis"]);
    assert!(
        p.notes.iter().any(|n| n.contains(
            "metric filter SecurityGroupChanges on ct-logs exists with another definition and is left untouched"
        )),
        "{:?}",
        p.notes
    );
    assert!(
        p.notes.iter().any(|n| n.contains("alarm SecurityGroupChanges-cis-alarm exists with another definition")),
        "{:?}",
        p.notes
    );
    // Neither existing resource is the target of any step.
    assert!(p.steps.iter().all(|s| !s.command.contains("--filter-name SecurityGroupChanges ")));
}

#[test]
fn a_covering_filter_and_working_alarm_are_reused() {
    let mut inv = empty_account();
    inv.accounts[0].trails = vec![good_trail("main", Some(GROUP_ARN))];
    let mut f = facts(true);
    f.log_group = "ct-logs".into();
    f.filters = vec![MetricFilter {
        name: "mine".into(),
        pattern: SG_V5.into(),
        transformations: vec![MetricTransformation {
            metric_name: "SG".into(),
            metric_namespace: "Sec".into(),
            metric_value: "1".into(),
            default_value: None,
            dimensions: vec![],
        }],
    }];
    let other_topic = "arn:aws:sns:us-east-1:111122223333:ops";
    f.alarms = vec![MetricAlarm {
        name: "my-sg-alarm".into(),
        metric_name: Some("SG".into()),
        namespace: Some("Sec".into()),
        actions_enabled: true,
        alarm_actions: vec![other_topic.into()],
        statistic: Some("Sum".into()),
        comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
        threshold: Some(1.0),
        evaluation_periods: Some(1),
        period: Some(300),
        ..Default::default()
    }];
    // The existing alarm's topic has no subscriber: subscribe the operator there.
    mirror(&mut inv, &f, &[(other_topic, vec![])]);
    let p = plan_for(&inv, &["4.10"], &inputs(), &f);
    assert_eq!(ops(&p), ["sns:Subscribe us-east-1"]);
    assert!(
        matches!(&p.steps[0].action, Action::Subscribe(sn::Subscribe { topic_arn, .. }) if topic_arn == other_topic)
    );
}

#[test]
fn a_topic_someone_already_receives_is_reused() {
    let mut inv = empty_account();
    inv.accounts[0].trails = vec![good_trail("main", Some(GROUP_ARN))];
    let mut f = facts(true);
    f.log_group = "ct-logs".into();
    let ops_topic = "arn:aws:sns:us-east-1:111122223333:ops";
    let sub = Subscription {
        subscription_arn: format!("{ops_topic}:1"),
        protocol: "email".into(),
        endpoint: "ops@example.com".into(),
        attributes: None,
        queue: None,
    };
    mirror(&mut inv, &f, &[(ops_topic, vec![sub])]);
    let p = plan_for(&inv, &["4.10"], &inputs(), &f.clone());
    assert_eq!(ops(&p), ["logs:PutMetricFilter us-east-1", "cloudwatch:PutMetricAlarm us-east-1"]);
    assert!(
        matches!(&p.steps[1].action, Action::PutMetricAlarm(cw::PutMetricAlarm { topic_arn, .. }) if topic_arn == ops_topic)
    );
    // An explicit --topic-name is honoured.
    let mut i = inputs();
    i.reuse_confirmed_topic = false;
    let p = plan_for(&inv, &["4.10"], &i, &f);
    assert_eq!(
        ops(&p),
        [
            "logs:PutMetricFilter us-east-1",
            "sns:CreateTopic us-east-1",
            "cloudwatch:PutMetricAlarm us-east-1",
            "sns:Subscribe us-east-1"
        ]
    );
}

#[test]
fn a_compliant_account_or_a_pending_subscription_plans_nothing() {
    let mut inv = empty_account();
    inv.accounts[0].trails = vec![good_trail("main", Some(GROUP_ARN))];
    let mut f = facts(true);
    f.log_group = "ct-logs".into();
    f.filters = vec![MetricFilter {
        name: "SecurityGroupChanges".into(),
        pattern: SG_V5.into(),
        transformations: vec![MetricTransformation {
            metric_name: "SecurityGroupChanges".into(),
            metric_namespace: "CISBenchmark".into(),
            metric_value: "1".into(),
            default_value: None,
            dimensions: vec![],
        }],
    }];
    f.alarms = vec![MetricAlarm {
        name: "SecurityGroupChanges-alarm".into(),
        metric_name: Some("SecurityGroupChanges".into()),
        namespace: Some("CISBenchmark".into()),
        actions_enabled: true,
        alarm_actions: vec![TOPIC.into()],
        statistic: Some("Sum".into()),
        comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
        threshold: Some(1.0),
        evaluation_periods: Some(1),
        period: Some(300),
        ..Default::default()
    }];
    f.topic_exists = true;
    f.topic_subscriptions = vec![Subscription {
        subscription_arn: "PendingConfirmation".into(),
        protocol: "email".into(),
        endpoint: "secops@example.com".into(),
        attributes: None,
        queue: None,
    }];
    // The inventory has the chain too, but the subscription is pending: 4.10 FAILs.
    inv.log_groups = vec![LogGroupInventory {
        account: ACCT.into(),
        region: "us-east-1".into(),
        name: "ct-logs".into(),
        metric_filters: Collected::Ok(f.filters.clone()),
    }];
    inv.metric_alarms = vec![MetricAlarmsInventory {
        account: ACCT.into(),
        region: "us-east-1".into(),
        namespace: "CISBenchmark".into(),
        metric_name: "SecurityGroupChanges".into(),
        alarms: Collected::Ok(f.alarms.clone()),
    }];
    inv.topics = vec![TopicInventory {
        arn: TOPIC.into(),
        subscriptions: Collected::Ok(f.topic_subscriptions.clone()),
        attributes: None,
    }];
    let p = plan_for(&inv, &["3.1", "4.10"], &inputs(), &f.clone());
    assert!(p.is_empty(), "{:#?}", p.steps);
    assert!(p.notes.iter().any(|n| n.contains("pending") && n.contains("the one thing left to do")), "{:?}", p.notes);
    // Confirmed: the control passes and nothing at all is planned or noted.
    f.topic_subscriptions[0].subscription_arn = format!("{TOPIC}:1234");
    if let Collected::Ok(s) = &mut inv.topics[0].subscriptions {
        s[0].subscription_arn = format!("{TOPIC}:1234");
    }
    let p = plan_for(&inv, &["3.1", "4.10"], &inputs(), &f);
    assert!(p.is_empty() && p.notes.is_empty(), "{p:#?}");
}

#[test]
fn notify_parses_each_protocol() {
    let n: Notify = "email:secops@example.com".parse().unwrap();
    assert_eq!((n.protocol.as_str(), n.endpoint.as_str()), ("email", "secops@example.com"));
    let n: Notify = "https:https://hooks.example.com/x".parse().unwrap();
    assert_eq!(n.endpoint, "https://hooks.example.com/x");
    assert!("sms:+15550100".parse::<Notify>().is_ok());
    assert!("sqs:arn:aws:sqs:us-east-1:1:q".parse::<Notify>().is_ok());
    assert!("lambda:arn:aws:lambda:us-east-1:1:function:f".parse::<Notify>().is_ok());
    assert!("email:nobody".parse::<Notify>().is_err());
    assert!("pager:123".parse::<Notify>().unwrap_err().contains("unknown protocol"));
    assert!("secops@example.com".parse::<Notify>().unwrap_err().contains("PROTOCOL:ENDPOINT"));
}

#[test]
fn dry_run_plans_snapshot() {
    let full = plan_for(&empty_account(), &["3.1", "3.3", "4.10", "4.11"], &inputs(), &facts(false));
    insta::assert_json_snapshot!("plan_empty_account", full);
    let mut i = inputs();
    i.trail_bucket = None;
    i.notify = vec![];
    i.config_bucket = None;
    let manual = plan_for(&empty_account(), &["3.1", "3.3", "4.10"], &i, &facts(false));
    assert!(manual.steps.iter().any(|s| s.manual.is_some()));
    insta::assert_json_snapshot!("plan_missing_inputs", manual);
    let mut inv = empty_account();
    inv.accounts[0].trails = vec![good_trail("main", Some(GROUP_ARN))];
    let mut f = facts(true);
    f.log_group = "ct-logs".into();
    let monitoring = plan_for(&inv, &["4.1", "4.3", "4.15"], &inputs(), &f);
    assert_eq!(monitoring.steps.iter().filter(|s| s.action.operation() == "logs:PutMetricFilter").count(), 3);
    insta::assert_json_snapshot!("plan_three_monitoring_controls", monitoring);
}

#[test]
fn topic_policy_statements_are_merged_not_replaced() {
    use super::{default_topic_policy, merge_statement, POLICY_SID};
    let topic = "arn:aws:sns:us-east-1:111122223333:t";
    let rule = |n: &str| format!("arn:aws:events:us-east-1:111122223333:rule/{n}");
    // A lone statement object, with keys in the user's order.
    let user = r#"{"Version":"2012-10-17","Statement":{"Sid":"Mine","Effect":"Deny","Principal":"*","Action":"sns:Subscribe","Resource":"*"}}"#;
    let once = merge_statement(user, topic, &[rule("a")]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&once).unwrap();
    let sts = v["Statement"].as_array().unwrap();
    assert_eq!(sts.len(), 2);
    assert_eq!(sts[0], serde_json::from_str::<serde_json::Value>(user).unwrap()["Statement"]);
    assert!(once.starts_with(r#"{"Version":"2012-10-17","Statement":[{"Sid":"Mine""#), "{once}");
    assert_eq!(sts[1]["Sid"], POLICY_SID);
    // Merging again adds the new rule to our statement, once.
    let twice = merge_statement(&once, topic, &[rule("a"), rule("b")]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&twice).unwrap();
    assert_eq!(v["Statement"].as_array().unwrap().len(), 2);
    assert_eq!(v["Statement"][1]["Condition"]["ArnEquals"]["aws:SourceArn"], serde_json::json!([rule("a"), rule("b")]));
    assert_eq!(merge_statement(&twice, topic, &[rule("b")]).unwrap(), twice, "idempotent");
    // The merged default policy lets exactly the rule publish, as the delivery check reads it.
    let merged = merge_statement(&default_topic_policy(topic, "111122223333"), topic, &[rule("a")]).unwrap();
    let p = |src: String| crate::checks::monitoring::delivery::Publisher {
        service: crate::checks::monitoring::delivery::EVENTS,
        source_arn: Some(Box::leak(src.into_boxed_str())),
        source_account: "111122223333",
    };
    let decide = |pub_: &crate::checks::monitoring::delivery::Publisher| {
        crate::checks::monitoring::delivery::decide(&merged, pub_, &["sns:Publish"], topic).unwrap()
    };
    assert!(matches!(decide(&p(rule("a"))), crate::checks::monitoring::delivery::Decision::Allowed(_)));
    assert!(matches!(decide(&p(rule("other"))), crate::checks::monitoring::delivery::Decision::NotAllowed));
    for bad in ["not json", "[]", r#"{"Statement":"x"}"#] {
        assert!(merge_statement(bad, topic, &[rule("a")]).is_err(), "{bad}");
    }
}
