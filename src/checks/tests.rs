//! Verdict-path tests over inventory fixtures, including the traps of
//! shared/reference/peers.md. Every test starts from a compliant account and breaks one thing.

// The table-driven cases pair a label with a mutation closure.
#![allow(clippy::type_complexity)]

use super::fixtures::*;
use crate::catalog::catalog;
use crate::finding::Status;
use crate::inventory::*;

/// The 4.10 verdict and the status of each check module, in chain order.
fn sg(inv: &Inventory, bench: &str) -> (Status, String, Vec<Status>) {
    let e = run(inv, bench, &["4.10"], false);
    let c = &e.controls[0];
    (c.status, c.message.clone(), e.findings.iter().map(|f| f.status).collect())
}

#[test]
fn compliant_account_passes_with_evidence_for_each_link() {
    let e = run(&compliant(), "5.0.0", &["4.10"], false);
    assert_eq!(e.controls[0].status, Status::Pass, "{}", e.controls[0].message);
    let checks: Vec<String> = e.findings.iter().map(|f| f.check_id()).collect();
    assert_eq!(
        checks,
        [
            "security-group-changes/trail",
            "security-group-changes/metric-filter",
            "security-group-changes/alarm",
            "security-group-changes/sns-subscription"
        ]
    );
    assert!(e.findings.iter().all(|f| f.status == Status::Pass));
    let all = serde_json::to_string(&e.findings).unwrap();
    for needle in [TRAIL, "sg-changes", "sg-changes-alarm", TOPIC, "secops@example.com", "exact"] {
        assert!(all.contains(needle), "evidence lacks {needle}");
    }
}

#[test]
fn and_joined_clauses_fail_at_the_metric_filter() {
    let mut inv = compliant();
    set_pattern(&mut inv, &SG_V5.replace("||", "&&"));
    let (st, msg, mods) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.starts_with("metric-filter link broken"), "{msg}");
    assert_eq!(mods, [Status::Pass, Status::Fail, Status::Skipped, Status::Skipped]);
}

#[test]
fn an_added_condition_that_drops_ordinary_records_fails() {
    let mut inv = compliant();
    set_pattern(
        &mut inv,
        &format!("{} && ($.userIdentity.arn = \"nobody\") }}", SG_V5.trim_end_matches('}').trim_end()),
    );
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail, "{msg}");
}

#[test]
fn wildcard_and_reordered_quoted_patterns_pass() {
    for p in [
        "{ $.eventName = *SecurityGroup* }",
        "{($.eventName=\"ModifySecurityGroupRules\")||($.eventName=\"DeleteSecurityGroup\")||($.eventName=\"CreateSecurityGroup\")||($.eventName=\"RevokeSecurityGroupEgress\")||($.eventName=\"RevokeSecurityGroupIngress\")||($.eventName=\"AuthorizeSecurityGroupEgress\")||($.eventName=\"AuthorizeSecurityGroupIngress\")}",
    ] {
        let mut inv = compliant();
        set_pattern(&mut inv, p);
        let (st, msg, _) = sg(&inv, "5.0.0");
        assert_eq!(st, Status::Pass, "{p}: {msg}");
    }
}

#[test]
fn strict_patterns_accept_only_the_exact_text() {
    let mut inv = compliant();
    set_pattern(&mut inv, "{ $.eventName = *SecurityGroup* }");
    let e = run(&inv, "5.0.0", &["4.10"], true);
    assert_eq!(e.controls[0].status, Status::Fail);
    assert!(e.controls[0].message.contains("--strict-patterns"), "{}", e.controls[0].message);
    let e = run(&compliant(), "5.0.0", &["4.10"], true);
    assert_eq!(e.controls[0].status, Status::Pass);
}

#[test]
fn v3_pattern_fails_v5_for_modify_security_group_rules_but_passes_v3() {
    let mut inv = compliant();
    set_pattern(&mut inv, SG_V3);
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("ModifySecurityGroupRules"), "{msg}");
    let (st, msg, _) = sg(&inv, "3.0.0");
    assert_eq!(st, Status::Pass, "{msg}");
}

#[test]
fn lowercase_selector_and_typo_fail() {
    for p in [
        SG_V5.replace("$.eventName", "$.eventname"),
        SG_V5.replace("RevokeSecurityGroupEgress", "RevokeSecurityGroupEgres"),
    ] {
        let mut inv = compliant();
        set_pattern(&mut inv, &p);
        assert_eq!(sg(&inv, "5.0.0").0, Status::Fail, "{p}");
    }
}

#[test]
fn malformed_pattern_fails_with_the_parse_position() {
    let mut inv = compliant();
    set_pattern(&mut inv, "{ ($.eventName = CreateSecurityGroup ");
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("does not parse") && msg.contains("byte"), "{msg}");
}

#[test]
fn trail_must_be_multi_region_logging_and_record_management_events() {
    let cases: Vec<(&str, Box<dyn Fn(&mut Trail)>)> = vec![
        ("not multi-region", Box::new(|t| t.is_multi_region = false)),
        ("not logging", Box::new(|t| t.status = Some(Collected::Ok(TrailStatus::default())))),
        (
            "read-only",
            Box::new(|t| {
                t.selectors = Some(Collected::Ok(TrailSelectors {
                    event_selectors: vec![EventSelector {
                        read_write_type: Some("ReadOnly".into()),
                        include_management_events: Some(true),
                        exclude_management_event_sources: vec![],
                        ..Default::default()
                    }],
                    advanced_event_selectors: vec![],
                }))
            }),
        ),
        (
            "excludes",
            Box::new(|t| {
                t.selectors = Some(Collected::Ok(TrailSelectors {
                    event_selectors: vec![EventSelector {
                        read_write_type: Some("All".into()),
                        include_management_events: Some(true),
                        exclude_management_event_sources: vec!["kms.amazonaws.com".into()],
                        ..Default::default()
                    }],
                    advanced_event_selectors: vec![],
                }))
            }),
        ),
        ("no CloudWatch Logs", Box::new(|t| t.log_group_arn = None)),
    ];
    for (what, mutate) in cases {
        let mut inv = compliant();
        mutate(&mut inv.accounts[0].trails[0]);
        let (st, msg, mods) = sg(&inv, "5.0.0");
        assert_eq!(st, Status::Fail, "{what}: {msg}");
        assert!(msg.starts_with("trail link broken"), "{what}: {msg}");
        assert_eq!(mods[0], Status::Fail);
        if what != "no CloudWatch Logs" {
            let e = run(&inv, "5.0.0", &["3.1"], false);
            assert_eq!(e.controls[0].status, Status::Fail, "3.1 {what}: {}", e.controls[0].message);
        }
    }
}

#[test]
fn advanced_selectors_count_whatever_their_name() {
    let set = |sels: Vec<AdvancedEventSelector>| {
        let mut inv = compliant();
        inv.accounts[0].trails[0].selectors =
            Some(Collected::Ok(TrailSelectors { event_selectors: vec![], advanced_event_selectors: sels }));
        run(&inv, "5.0.0", &["3.1"], false).controls[0].status
    };
    assert_eq!(
        set(vec![advanced("Log everything we need", vec![field("eventCategory", &["Management"], &[])])]),
        Status::Pass
    );
    assert_eq!(
        set(vec![advanced(
            "mgmt",
            vec![field("eventCategory", &["Management"], &[]), field("readOnly", &["true"], &[])]
        )]),
        Status::Fail
    );
    // read-only plus write-only selectors together record everything.
    assert_eq!(
        set(vec![
            advanced("reads", vec![field("eventCategory", &["Management"], &[]), field("readOnly", &["true"], &[])]),
            advanced("writes", vec![field("eventCategory", &["Management"], &[]), field("readOnly", &["false"], &[])]),
        ]),
        Status::Pass
    );
    assert_eq!(
        set(vec![advanced(
            "no kms",
            vec![field("eventCategory", &["Management"], &[]), field("eventSource", &[], &["kms.amazonaws.com"])]
        )]),
        Status::Fail
    );
    assert_eq!(set(vec![advanced("data only", vec![field("eventCategory", &["Data"], &[])])]), Status::Fail);
}

#[test]
fn one_qualifying_trail_among_several_passes_3_1() {
    let mut inv = compliant();
    let mut bad = trail(ACCT, "regional", None);
    bad.is_multi_region = false;
    inv.accounts[0].trails.insert(0, bad);
    let e = run(&inv, "5.0.0", &["3.1"], false);
    assert_eq!(e.controls[0].status, Status::Pass);
    assert_eq!(e.findings.len(), 2);
    assert_eq!(e.findings[0].status, Status::Fail);
}

#[test]
fn no_trail_fails_3_1_and_4_10() {
    let mut inv = compliant();
    inv.accounts[0].trails.clear();
    let e = run(&inv, "5.0.0", &["3.1", "4.10"], false);
    assert_eq!(e.controls.len(), 2);
    assert!(e.controls.iter().all(|c| c.status == Status::Fail));
}

#[test]
fn filter_on_a_same_named_group_in_another_region_does_not_count() {
    let mut inv = compliant();
    inv.log_groups[0].region = "eu-west-1".into();
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Error, "{msg}");
    assert!(msg.contains("not collected"), "{msg}");
}

#[test]
fn alarm_must_match_namespace_and_breach_on_one_event() {
    let cases: Vec<(&str, Box<dyn Fn(&mut MetricAlarm)>)> = vec![
        ("namespace", Box::new(|a| a.namespace = Some("Other".into()))),
        ("disabled", Box::new(|a| a.actions_enabled = false)),
        ("no actions", Box::new(|a| a.alarm_actions.clear())),
        ("non-SNS action", Box::new(|a| a.alarm_actions = vec!["arn:aws:automate:us-east-1:ec2:stop".into()])),
        ("threshold 5", Box::new(|a| a.threshold = Some(5.0))),
        ("two periods", Box::new(|a| a.evaluation_periods = Some(2))),
        ("less-than", Box::new(|a| a.comparison_operator = Some("LessThanThreshold".into()))),
        ("dimensions", Box::new(|a| a.dimensions = vec!["InstanceId".into()])),
    ];
    for (what, mutate) in cases {
        let mut inv = compliant();
        if let Collected::Ok(list) = &mut inv.metric_alarms[0].alarms {
            mutate(&mut list[0]);
        }
        let (st, msg, mods) = sg(&inv, "5.0.0");
        assert_eq!(st, Status::Fail, "{what}: {msg}");
        assert!(msg.starts_with("alarm link broken"), "{what}: {msg}");
        assert_eq!(mods, [Status::Pass, Status::Pass, Status::Fail, Status::Skipped], "{what}");
    }
    // M-of-N with one datapoint, and > 0, breach on one event.
    let mut inv = compliant();
    if let Collected::Ok(list) = &mut inv.metric_alarms[0].alarms {
        list[0].evaluation_periods = Some(3);
        list[0].datapoints_to_alarm = Some(1);
        list[0].comparison_operator = Some("GreaterThanThreshold".into());
        list[0].threshold = Some(0.0);
    }
    assert_eq!(sg(&inv, "5.0.0").0, Status::Pass);
}

#[test]
fn topic_must_exist_and_have_a_confirmed_subscriber() {
    let mut inv = compliant();
    inv.topics[0].subscriptions = Collected::Error(err("sns:ListSubscriptionsByTopic", "NotFound"));
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("does not exist"), "{msg}");

    let mut inv = compliant();
    inv.topics[0].subscriptions = Collected::Ok(vec![Subscription {
        subscription_arn: "PendingConfirmation".into(),
        protocol: "email".into(),
        endpoint: "secops@example.com".into(),
        attributes: None,
        queue: None,
    }]);
    let (st, msg, mods) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("pending confirmation"), "{msg}");
    assert_eq!(mods, [Status::Pass, Status::Pass, Status::Pass, Status::Fail]);
}

#[test]
fn a_denied_call_is_error_with_the_aws_code_and_others_still_evaluate() {
    let mut inv = compliant();
    inv.log_groups[0].metric_filters = Collected::Error(err("logs:DescribeMetricFilters", "AccessDeniedException"));
    let e = run(&inv, "5.0.0", &["3.1", "3.3", "4.10"], false);
    let by_id = |id: &str| e.controls.iter().find(|c| c.control == id).unwrap();
    assert_eq!(by_id("4.10").status, Status::Error);
    assert!(by_id("4.10").message.contains("AccessDeniedException"));
    assert!(by_id("4.10").message.contains("logs:DescribeMetricFilters"));
    assert_eq!(by_id("3.1").status, Status::Pass);
    assert_eq!(by_id("3.3").status, Status::Pass);
}

#[test]
fn a_passing_chain_wins_over_a_broken_one() {
    let mut inv = compliant();
    let mut f = filter(&SG_V5.replace("||", "&&"));
    f.name = "broken".into();
    if let Collected::Ok(list) = &mut inv.log_groups[0].metric_filters {
        list.insert(0, f);
    }
    assert_eq!(sg(&inv, "5.0.0").0, Status::Pass);
}

#[test]
fn the_furthest_chain_is_reported() {
    let mut inv = compliant();
    // A second, non-logging trail with no log group must not hide the alarm problem.
    let mut other = trail(ACCT, "other", None);
    other.status = Some(Collected::Ok(TrailStatus::default()));
    inv.accounts[0].trails.insert(0, other);
    if let Collected::Ok(list) = &mut inv.metric_alarms[0].alarms {
        list[0].actions_enabled = false;
    }
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.starts_with("alarm link broken") && msg.contains("actions are disabled"), "{msg}");
}

#[test]
fn organization_trail_log_group_outside_the_audit_is_manual_not_fail() {
    let mut inv = compliant();
    let mgmt_group = format!("arn:aws:logs:us-east-1:{MGMT}:log-group:org-trail:*");
    let mut org = trail(MGMT, "org", Some(&mgmt_group));
    org.is_organization_trail = true;
    inv.accounts[0].trails = vec![org];
    inv.log_groups.clear();
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Manual, "{msg}");
    assert!(msg.contains(MGMT) && msg.contains("--role-arn"), "{msg}");
    // 3.1 still passes on the organization trail.
    assert_eq!(run(&inv, "5.0.0", &["3.1"], false).controls[0].status, Status::Pass);
}

/// A member whose only trail is the management account's organisation trail, and the audited
/// management account with the chain (log group, alarm, topic); the member cannot read the
/// trail's status, the management account can.
fn organisation_inventory() -> Inventory {
    let mut inv = compliant();
    let mgmt_group = format!("arn:aws:logs:us-east-1:{MGMT}:log-group:org-trail:*");
    let mut org = trail(MGMT, "org", Some(&mgmt_group));
    org.is_organization_trail = true;
    let mut member_view = org.clone();
    member_view.status = Some(Collected::Error(err("cloudtrail:GetTrailStatus", "TrailNotFoundException")));
    inv.accounts[0].trails = vec![member_view];
    let mut mgmt = inv.accounts[0].clone();
    mgmt.account_id = MGMT.into();
    mgmt.trails = vec![org];
    inv.accounts.push(mgmt);
    let topic = format!("arn:aws:sns:us-east-1:{MGMT}:org-alarms");
    inv.log_groups[0].account = MGMT.into();
    inv.log_groups[0].name = "org-trail".into();
    inv.metric_alarms[0].account = MGMT.into();
    if let Collected::Ok(list) = &mut inv.metric_alarms[0].alarms {
        list[0].alarm_actions = vec![topic.clone()];
    }
    inv.topics[0].arn = topic;
    inv
}

#[test]
fn organization_trail_follows_the_chain_into_the_audited_management_account() {
    let e = run(&organisation_inventory(), "5.0.0", &["4.10"], false);
    for c in &e.controls {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.account, c.message);
    }
    assert_eq!(e.controls.len(), 2);
}

#[test]
fn config_recorders_are_keyed_by_region() {
    let mut inv = compliant();
    // Same recorder name in both regions; only eu-west-1's is stopped.
    if let Collected::Ok(st) = &mut inv.accounts[0].config[1].recorder_statuses {
        st[0].recording = false;
    }
    let e = run(&inv, "5.0.0", &["3.3"], false);
    let st: Vec<(Option<&str>, Status)> = e.controls.iter().map(|c| (c.region.as_deref(), c.status)).collect();
    assert_eq!(st, [(Some("eu-west-1"), Status::Fail), (Some("us-east-1"), Status::Pass)]);
}

#[test]
fn config_failure_paths() {
    let cases: Vec<(&str, Box<dyn Fn(&mut RegionConfig)>, &str)> = vec![
        ("no recorder", Box::new(|r| r.recorders = Collected::Ok(vec![])), "no configuration recorder"),
        ("no channel", Box::new(|r| r.delivery_channels = Collected::Ok(vec![])), "no delivery channel"),
        (
            "partial",
            Box::new(|r| {
                if let Collected::Ok(l) = &mut r.recorders {
                    l[0].all_supported = false;
                    l[0].resource_types = vec!["AWS::S3::Bucket".into()];
                }
            }),
            "does not record all supported",
        ),
        (
            "failure",
            Box::new(|r| {
                if let Collected::Ok(l) = &mut r.recorder_statuses {
                    l[0].last_status = Some("FAILURE".into());
                    l[0].last_error_code = Some("NoSuchBucket".into());
                }
            }),
            "FAILURE NoSuchBucket",
        ),
        (
            "service-linked only",
            Box::new(|r| {
                if let Collected::Ok(l) = &mut r.recorders {
                    l[0].service_principal = Some("securityhub.amazonaws.com".into());
                }
            }),
            "only service-linked",
        ),
    ];
    for (what, mutate, needle) in cases {
        let mut inv = compliant();
        mutate(&mut inv.accounts[0].config[0]);
        let e = run(&inv, "5.0.0", &["3.3"], false);
        let us = e.controls.iter().find(|c| c.region.as_deref() == Some("us-east-1")).unwrap();
        assert_eq!(us.status, Status::Fail, "{what}");
        assert!(us.message.contains(needle), "{what}: {}", us.message);
    }
}

#[test]
fn config_pending_passes_with_a_note_and_security_groups_are_reported() {
    let mut inv = compliant();
    if let Collected::Ok(st) = &mut inv.accounts[0].config[0].recorder_statuses {
        st[0].last_status = Some("PENDING".into());
    }
    let e = run(&inv, "5.0.0", &["3.3"], false);
    let us = e.controls.iter().find(|c| c.region.as_deref() == Some("us-east-1")).unwrap();
    assert_eq!(us.status, Status::Pass);
    assert!(us.message.contains("PENDING"), "{}", us.message);
    let f = e.findings.iter().find(|f| f.region.as_deref() == Some("us-east-1")).unwrap();
    assert!(f.evidence.iter().any(|x| x.step.ends_with("records_AWS::EC2::SecurityGroup") && x.ok == Some(true)));
}

#[test]
fn config_without_global_types_anywhere_fails_every_region() {
    let mut inv = compliant();
    if let Collected::Ok(l) = &mut inv.accounts[0].config[0].recorders {
        l[0].include_global_resource_types = false;
    }
    let e = run(&inv, "5.0.0", &["3.3"], false);
    assert_eq!(e.controls.len(), 2);
    assert!(e.controls.iter().all(|c| c.status == Status::Fail && c.message.contains("global resource types")));
}

#[test]
fn config_read_error_is_error() {
    let mut inv = compliant();
    inv.accounts[0].config[1].recorders =
        Collected::Error(err("config:DescribeConfigurationRecorders", "AccessDeniedException"));
    let e = run(&inv, "5.0.0", &["3.3"], false);
    let eu = e.controls.iter().find(|c| c.region.as_deref() == Some("eu-west-1")).unwrap();
    assert_eq!(eu.status, Status::Error);
    assert!(eu.message.contains("AccessDeniedException"));
}

#[test]
fn describe_trails_error_makes_a_non_passing_control_error() {
    let mut inv = compliant();
    inv.accounts[0].trails.clear();
    inv.accounts[0].trails_by_region[1].trails =
        Collected::Error(err("cloudtrail:DescribeTrails", "ThrottlingException"));
    let e = run(&inv, "5.0.0", &["3.1", "4.10"], false);
    for c in &e.controls {
        assert_eq!(c.status, Status::Error, "{}", c.control);
        assert!(c.message.contains("ThrottlingException"), "{}", c.message);
    }
}

#[test]
fn evaluation_is_deterministic_and_survives_a_save_and_reload() {
    let inv = compliant();
    let text = serde_json::to_string(&inv).unwrap();
    let back: Inventory = serde_json::from_str(&text).unwrap();
    assert_eq!(back, inv);
    let all: Vec<String> = catalog().select("5.0.0", None).unwrap().iter().map(|c| c.id.clone()).collect();
    let ids: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
    let a = run(&inv, "5.0.0", &ids, false);
    let b = run(&back, "5.0.0", &ids, false);
    assert_eq!(serde_json::to_string(&a.findings).unwrap(), serde_json::to_string(&b.findings).unwrap());
    // Other monitoring controls have no filter in this account: they fail at the filter link.
    let nacl = a.controls.iter().find(|c| c.control == "4.11").unwrap();
    assert_eq!(nacl.status, Status::Fail);
    assert!(nacl.message.starts_with("metric-filter link broken"), "{}", nacl.message);
}

#[test]
fn failing_cloudwatch_logs_delivery_or_a_missing_log_group_breaks_the_trail_link() {
    let mut inv = compliant();
    inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus {
        is_logging: true,
        latest_cloudwatch_logs_delivery_error: Some("AccessDeniedException: role cannot write".into()),
        ..Default::default()
    }));
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("fails to deliver to CloudWatch Logs"), "{msg}");
    // 3.1 does not depend on CloudWatch Logs.
    assert_eq!(run(&inv, "5.0.0", &["3.1"], false).controls[0].status, Status::Pass);

    let mut inv = compliant();
    inv.log_groups[0].metric_filters = Collected::Error(err("logs:DescribeMetricFilters", "ResourceNotFoundException"));
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("does not exist"), "{msg}");
}

#[test]
fn eventbridge_route_passes_only_in_every_region_with_a_confirmed_subscriber_and_a_trail() {
    let mut inv = compliant();
    with_rules(&mut inv, &["us-east-1", "eu-west-1"], EB_SG, true);
    let (st, msg, mods) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Pass, "{msg}");
    assert_eq!(mods.last(), Some(&Status::Pass));

    let mut inv = compliant();
    with_rules(&mut inv, &["us-east-1"], EB_SG, true);
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("eu-west-1"), "{msg}");

    let mut inv = compliant();
    with_rules(&mut inv, &["us-east-1", "eu-west-1"], EB_SG, false);
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("no confirmed subscription"), "{msg}");

    let mut inv = compliant();
    with_rules(&mut inv, &["us-east-1", "eu-west-1"], EB_SG, true);
    inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus::default()));
    let (st, msg, _) = sg(&inv, "5.0.0");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("no trail satisfies 3.1"), "{msg}");

    // A prefix pattern covers; one that misses ModifySecurityGroupRules is no route at all.
    let mut inv = compliant();
    with_rules(
        &mut inv,
        &["us-east-1", "eu-west-1"],
        r#"{"source":["aws.ec2"],"detail":{"eventName":[{"wildcard":"*SecurityGroup*"}]}}"#,
        true,
    );
    assert_eq!(sg(&inv, "5.0.0").0, Status::Pass);
    let mut inv = compliant();
    with_rules(&mut inv, &["us-east-1", "eu-west-1"], &EB_SG.replace(",\"ModifySecurityGroupRules\"", ""), true);
    let e = run(&inv, "5.0.0", &["4.10"], false);
    assert_eq!(e.controls[0].status, Status::Fail);
    assert_eq!(e.findings.len(), 4);
    assert!(e.findings.iter().all(|f| f.subject != crate::finding::Subject::EventbridgeRule));
    // … but passes v3.0.0, which does not require it.
    assert_eq!(sg(&inv, "3.0.0").0, Status::Pass);
}

#[test]
fn eventbridge_route_for_global_service_events_needs_us_east_1_only() {
    let mut inv = compliant();
    // The CIS 4.4 pattern names no eventSource, so it also catches Organizations' CreatePolicy
    // and DeletePolicy: a rule must too. Both services are global: us-east-1 is enough.
    let iam = r#"{"source":["aws.iam","aws.organizations"],"detail":{"eventName":[{"anything-but":["GetUser"]}]}}"#;
    with_rules(&mut inv, &["us-east-1"], iam, true);
    let e = run(&inv, "5.0.0", &["4.4"], false);
    assert_eq!(e.controls[0].status, Status::Pass, "{}", e.controls[0].message);
}

#[test]
fn global_service_events_are_routed_in_the_partitions_home_region() {
    // In GovCloud, IAM and Organizations events arrive in us-gov-west-1, never in us-east-1.
    let iam = r#"{"source":["aws.iam","aws.organizations"],"detail":{"eventName":[{"anything-but":["GetUser"]}]}}"#;
    for (rule_region, want) in [("us-gov-west-1", Status::Pass), ("us-gov-east-1", Status::Fail)] {
        let mut inv = compliant();
        inv.accounts[0].partition = "aws-us-gov".into();
        inv.accounts[0].regions = vec!["us-gov-east-1".into(), "us-gov-west-1".into()];
        with_rules(&mut inv, &[rule_region], iam, true);
        let e = run(&inv, "5.0.0", &["4.4"], false);
        assert_eq!(e.controls[0].status, want, "a rule in {rule_region}: {}", e.controls[0].message);
    }
}

/// [`organisation_inventory`] with a member whose role could not be assumed, and a member
/// whose own sections differ from the management account's.
fn organisation_with_a_failed_member() -> Inventory {
    let mut inv = organisation_inventory();
    inv.accounts[0].account_wide.password_policy = None;
    let mut failed = inv.accounts[0].clone();
    failed.account_id = "444455556666".into();
    failed.error = Some(err("sts:AssumeRole", "AccessDenied"));
    inv.accounts.push(failed);
    inv
}

#[test]
fn streamed_evaluation_equals_the_whole_inventorys_for_every_version() {
    let demo = crate::inventory::store::parse(include_str!("../../tests/fixtures/demo-inventory.json")).unwrap();
    let mut support = organisation_with_a_failed_member();
    support.accounts[1].support = true;
    for (label, inv) in [
        ("compliant", compliant()),
        ("organisation", organisation_with_a_failed_member()),
        ("support", support),
        ("demo", demo),
    ] {
        for bench in crate::catalog::catalog().versions() {
            let controls = catalog().select(bench, None).unwrap();
            let opts = super::EvalOptions::default();
            let whole = serde_json::to_value(super::evaluate(&inv, &controls, opts)).unwrap();
            let mut s = super::Streamed::new(&controls, opts, super::Keep);
            let mut kept = Inventory { accounts: Vec::new(), ..inv.clone() };
            for a in inv.accounts.iter().rev() {
                kept.accounts.insert(0, s.account(a.clone(), &inv.collected_at));
            }
            let (controls, groups, _) = s.finish(&kept);
            let findings: Vec<crate::finding::Finding> = groups.into_iter().flatten().collect();
            let streamed = serde_json::to_value(crate::finding::Evaluation { controls, findings }).unwrap();
            for part in ["controls", "findings"] {
                let (w, st) = (&whole[part], &streamed[part]);
                if w != st {
                    let n = w.as_array().unwrap().len().max(st.as_array().unwrap().len());
                    let first = (0..n).find(|i| w.get(i) != st.get(i));
                    panic!(
                        "{label} v{bench}: the streamed evaluation's {part} differ from the whole one's; first that differs:\n{}\n{}",
                        first.map(|i| w[i].to_string()).unwrap_or_default(),
                        first.map(|i| st[i].to_string()).unwrap_or_default()
                    );
                }
            }
            // What is kept of an account is only what the others may read.
            assert!(kept.accounts.iter().filter(|a| !a.support).all(|a| a.resources.is_empty() && a.config.is_empty()));
        }
    }
}
