//! Does the alert really arrive? Against the emulator: subscribers whose filter policy rejects
//! the publisher's message (PASS/FAIL twins for the alarm's notification and the EventBridge
//! route's message), and alarms that would notify only the first time.

mod common;
use common::*;
use serde_json::{json, Value};

fn sg(acct: &str, spec: &Value) -> (i32, Value) {
    seed(spec);
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert!(r.code <= 1, "{}\n{}", r.stdout, r.stderr);
    (r.code, r.json())
}

fn finding<'a>(rep: &'a Value, check: &str) -> &'a Value {
    rep["findings"].as_array().unwrap().iter().find(|f| f["check"] == check).unwrap_or_else(|| panic!("{check}: {rep}"))
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_subscriber_whose_filter_policy_rejects_the_alarm_does_not_count_and_its_twin_does() {
    // The issue's case: the only confirmed subscriber filters on a message attribute, which a
    // CloudWatch alarm notification never carries.
    let acct = "330000000001";
    let mut spec = compliant_spec(acct);
    spec["topics"][0]["subscriptions"][0]["filter_policy"] = json!({"severity": ["high"]});
    let (code, rep) = sg(acct, &spec);
    assert_eq!(code, 1);
    let c = control(&rep, "4.10");
    assert_eq!(c["status"], "FAIL", "{c}");
    let msg = c["message"].as_str().unwrap();
    assert!(msg.contains(r#"{"severity": ["high"]}"#) && msg.contains("carries no message attributes"), "{msg}");
    let f = finding(&rep, "security-group-changes/sns-subscription");
    assert_eq!(f["status"], "FAIL");
    assert!(f["evidence"].to_string().contains("sns_subscription.rejected"), "{f}");
    assert_eq!(rep["stats"]["api_calls"]["sns:GetSubscriptionAttributes"], 1);

    // Its twin: the same intent written on the message body accepts the notification.
    let acct = "330000000002";
    let mut spec = compliant_spec(acct);
    let sub = &mut spec["topics"][0]["subscriptions"][0];
    sub["filter_policy"] = json!({"NewStateValue": ["ALARM"], "Trigger": {"Namespace": ["CISBenchmark"]}});
    sub["filter_policy_scope"] = json!("MessageBody");
    let (code, rep) = sg(acct, &spec);
    assert_eq!(code, 0, "{rep}");
    assert_eq!(control(&rep, "4.10")["status"], "PASS");
    assert!(finding(&rep, "security-group-changes/sns-subscription")["evidence"].to_string().contains("receives"));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn an_alarm_that_stays_in_alarm_notifies_once_and_fails_its_twin_passes() {
    let acct = "330000000003";
    let mut spec = compliant_spec(acct);
    spec["alarms"][0]["treat_missing_data"] = json!("breaching");
    let (code, rep) = sg(acct, &spec);
    assert_eq!(code, 1);
    let msg = control(&rep, "4.10")["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("alarm link broken") && msg.contains("no later event notifies"), "{msg}");

    // Ignoring missing data is harmless when the filter publishes 0 between events.
    let acct = "330000000004";
    let mut spec = compliant_spec(acct);
    spec["alarms"][0]["treat_missing_data"] = json!("ignore");
    spec["metric_filters"][0]["default_value"] = json!(0);
    let (code, rep) = sg(acct, &spec);
    assert_eq!(code, 0, "{}", control(&rep, "4.10"));

    // A default value that itself breaches keeps the alarm in ALARM.
    let acct = "330000000005";
    let mut spec = compliant_spec(acct);
    spec["metric_filters"][0]["default_value"] = json!(1);
    let (code, rep) = sg(acct, &spec);
    assert_eq!(code, 1);
    assert!(control(&rep, "4.10")["message"].as_str().unwrap().contains("default value is 1"));
}

/// The real-time route in us-east-1 and eu-west-1 to a topic each, its subscriber filtering
/// with `policy` on the message body, the target sending `transformer` (None: the event).
fn route_spec(acct: &str, policy: Value, transformer: Option<Value>) -> Value {
    let mut spec = compliant_spec(acct);
    spec["metric_filters"] = json!([]);
    spec["alarms"] = json!([]);
    let pattern = json!({"source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["ec2.amazonaws.com"], "eventName": ["AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
        "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules"]}});
    let mut topics = vec![];
    let mut rules = vec![];
    for r in ["us-east-1", "eu-west-1"] {
        let topic_policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "AWSEvents", "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": "{topic_arn}"}]});
        topics.push(json!({"region": r, "name": "sg-realtime", "policy": topic_policy,
            "subscriptions": [{"protocol": "email", "endpoint": "secops@example.com", "confirm": true,
                               "filter_policy": policy, "filter_policy_scope": "MessageBody"}]}));
        let mut target = json!({"topic": "sg-realtime"});
        if let Some(t) = &transformer {
            target["input_transformer"] = t.clone();
        }
        rules.push(json!({"region": r, "name": "sg-changes", "pattern": pattern, "targets": [target]}));
    }
    spec["topics"] = json!(topics);
    spec["event_rules"] = json!(rules);
    spec
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn the_route_counts_only_if_the_subscriber_takes_the_rules_message() {
    let policy = json!({"detail": {"eventSource": ["ec2.amazonaws.com"]}});
    // The event itself passes a body policy on detail.eventSource.
    let acct = "330000000006";
    let (code, rep) = sg(acct, &route_spec(acct, policy.clone(), None));
    assert_eq!(code, 0, "{}", control(&rep, "4.10"));
    assert_eq!(finding(&rep, "security-group-changes/eventbridge-rule")["status"], "PASS");

    // The same subscriber behind a transformer that sends a sentence: nothing arrives.
    let acct = "330000000007";
    let sentence = json!({"InputPathsMap": {"user": "$.detail.userIdentity.arn", "event": "$.detail.eventName"},
        "InputTemplate": "\"The user <user> has initiated <event>.\""});
    let (code, rep) = sg(acct, &route_spec(acct, policy, Some(sentence)));
    assert_eq!(code, 1);
    let f = finding(&rep, "security-group-changes/eventbridge-rule");
    assert_eq!(f["status"], "FAIL");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("no confirmed subscriber receives the rule's message") && msg.contains("not a JSON object"),
        "{msg}"
    );
}

/// The compliant chain with a history: `events` counted (one a day), the alarm's `items`, the
/// topic's `delivered` / `failed` notifications.
fn with_history(acct: &str, events: u32, items: Value, delivered: u32, failed: u32) -> Value {
    let mut spec = compliant_spec(acct);
    let per_day = |n: u32| (0..n).map(|i| json!([24 * i + 1, 1])).collect::<Vec<_>>();
    spec["history"] = json!({
        "metrics": [
            {"region": "us-east-1", "namespace": "CISBenchmark", "name": "SecurityGroupChanges", "values": per_day(events)},
            {"region": "us-east-1", "namespace": "AWS/SNS", "name": "NumberOfNotificationsDelivered",
             "dimensions": {"TopicName": "cis-alarms"}, "values": per_day(delivered)},
            {"region": "us-east-1", "namespace": "AWS/SNS", "name": "NumberOfNotificationsFailed",
             "dimensions": {"TopicName": "cis-alarms"}, "values": per_day(failed)}
        ],
        "alarms": [{"region": "us-east-1", "alarm": "sg-changes-alarm", "items": items}]
    });
    spec
}

fn fired(n: u32, outcome: &str, acct: &str) -> Value {
    let topic = format!("arn:aws:sns:us-east-1:{acct}:cis-alarms");
    json!((0..n)
        .flat_map(|i| {
            [
                json!({"type": "StateUpdate", "summary": "Alarm updated from OK to ALARM", "age_hours": 24 * i + 1}),
                json!({"type": "Action", "summary": format!("{outcome} {topic}"), "age_hours": 24 * i + 1}),
            ]
        })
        .collect::<Vec<_>>())
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn the_accounts_history_shows_the_chain_operated_or_where_it_stopped() {
    // Operated: the figures appear in the control's message and its history finding.
    let acct = "330000000011";
    let (code, rep) = sg(acct, &with_history(acct, 4, fired(3, "Successfully executed action", acct), 3, 0));
    assert_eq!(code, 0, "{}", control(&rep, "4.10"));
    let msg = control(&rep, "4.10")["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("operated over 30 days: 4 event(s) counted, alarm fired 3×, 3 notification(s) delivered"),
        "{msg}"
    );
    let h = finding(&rep, "security-group-changes/history");
    assert_eq!(h["status"], "PASS");
    let calls = &rep["stats"]["api_calls"];
    assert_eq!(calls["cloudwatch:GetMetricData"], 1, "one batched read for the region: {calls}");
    assert_eq!(calls["cloudwatch:DescribeAlarmHistory"], 1, "{calls}");
    // The history is in every report format (SARIF lists only what needs attention: it shows
    // the failing history below).
    assert_in_formats(acct, 0, "alarm fired 3×", &["cis-audit.sarif"]);

    // Deliveries that only failed.
    let acct = "330000000012";
    let (code, rep) = sg(acct, &with_history(acct, 2, fired(2, "Failed to execute action", acct), 0, 2));
    assert_eq!(code, 1);
    let msg = control(&rep, "4.10")["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("history link broken: over 30 days deliveries failed"), "{msg}");
    assert_in_formats(acct, 1, "deliveries failed", &[]);

    // Events counted while the alarm never fired.
    let acct = "330000000013";
    let (code, rep) = sg(acct, &with_history(acct, 3, json!([]), 0, 0));
    assert_eq!(code, 1);
    assert!(control(&rep, "4.10")["message"].as_str().unwrap().contains("never entered ALARM"));

    // No events: said, not failed; --evidence-days 0 reads nothing.
    let acct = "330000000014";
    let (code, rep) = sg(acct, &with_history(acct, 0, json!([]), 0, 0));
    assert_eq!(code, 0);
    assert!(control(&rep, "4.10")["message"].as_str().unwrap().contains("no matching event"));
    let r = audit(acct, &["--controls", "4.10", "--format", "json", "--evidence-days", "0"]);
    let rep = r.json();
    assert!(rep["stats"]["api_calls"].get("cloudwatch:GetMetricData").is_none());
    assert!(!rep["findings"].to_string().contains("security-group-changes/history"));

    // A denied history read changes no verdict; it is reported.
    let acct = "330000000015";
    seed(&with_history(acct, 3, json!([]), 0, 0));
    let (status, _) = harness("POST", "/_harness/faults", &json!({"operation": "GetMetricData", "account_id": acct}));
    assert_eq!(status, 200);
    let (s2, _) =
        harness("POST", "/_harness/faults", &json!({"operation": "DescribeAlarmHistory", "account_id": acct}));
    assert_eq!(s2, 200);
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    harness("DELETE", "/_harness/faults", &json!({}));
    let rep = r.json();
    assert_eq!(r.code, 0, "{}", control(&rep, "4.10"));
    assert!(control(&rep, "4.10")["message"].as_str().unwrap().contains("unavailable"), "{}", control(&rep, "4.10"));
    assert_eq!(finding(&rep, "security-group-changes/history")["status"], "SKIPPED");
}

/// Seed 003 in full: a `[[control]]` with its own alert sentence, and the real-time route
/// remediation plans for it carries that sentence as the target's input transformer.
#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_custom_controls_alert_sentence_reaches_the_routes_input_transformer() {
    let acct = "330000000021";
    seed(&json!({"account": acct,
        "trails": [{"name": "main", "region": "us-east-1", "bucket": "trail-{account}", "multi_region": true,
                    "logging": true, "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}]}));
    let cfg = tmp_path("alerts", "cis-audit.toml");
    std::fs::write(
        &cfg,
        r#"[[control]]
id = "x.ec2-instances"
title = "EC2 instance state changes are monitored"
event_source = "ec2.amazonaws.com"
events = ["RunInstances", "StartInstances", "StopInstances", "TerminateInstances"]
alert = "The user <username> has initiated <changetype> for instance with instance id <instanceid> in <region>."
alert_paths = { username = "$.detail.userIdentity.arn", changetype = "$.detail.eventName", instanceid = "$.detail.requestParameters.instancesSet.items[0].instanceId", region = "$.detail.awsRegion" }
"#,
    )
    .unwrap();
    let mut args: Vec<String> = [
        "--config",
        &cfg,
        "--controls",
        "x.ec2-instances",
        "--remediate",
        "--dry-run",
        "--route",
        "eventbridge",
        "--format",
        "json",
        "--regions",
        "us-east-1",
    ]
    .map(String::from)
    .to_vec();
    args.extend(remediation_inputs(acct, "ct"));
    let mut c = audit_command(acct);
    c.args(&args);
    let r = run(c);
    let out = r.json();
    let steps = out["plan"]["steps"].as_array().unwrap_or_else(|| panic!("{}\n{}", r.stdout, r.stderr));
    let target = steps.iter().find(|s| s["action"]["type"] == "PutTargets").expect("a PutTargets step");
    let it = &target["action"]["target"]["input_transformer"];
    assert_eq!(
        it["input_paths_map"]["instanceid"], "$.detail.requestParameters.instancesSet.items[0].instanceId",
        "{it}"
    );
    assert!(
        it["input_template"].as_str().unwrap().contains(
            "The user <username> has initiated <changetype> for instance with instance id <instanceid> in <region>."
        ),
        "{it}"
    );
}

/// Every report format of a 4.10 audit of `acct` (but `except`) contains `text`.
fn assert_in_formats(acct: &str, code: i32, text: &str, except: &[&str]) {
    let dir = tmp_path("alerts", &format!("formats-{acct}"));
    let r = audit(
        acct,
        &["--controls", "4.10", "--format", "json,markdown,html,csv,junit,sarif,ocsf,asff", "--output-dir", &dir],
    );
    assert_eq!(r.code, code, "{}", r.stderr);
    let files = [
        "cis-audit.json",
        "cis-audit.md",
        "cis-audit.html",
        "cis-audit.csv",
        "cis-audit.junit.xml",
        "cis-audit.sarif",
        "cis-audit.ocsf.json",
        "cis-audit.asff.json",
    ];
    for f in files.iter().filter(|f| !except.contains(f)) {
        let body = std::fs::read_to_string(std::path::Path::new(&dir).join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(body.contains(text), "{f} does not show the history ({text})");
    }
}

/// The compliant account with its only subscriber an SQS queue `alerts` whose policy is `policy`
/// (None: no policy) and whose key is `key`.
fn queue_only(acct: &str, policy: Option<Value>, key: Option<&str>) -> Value {
    let mut spec = compliant_spec(acct);
    let mut q = json!({"region": "us-east-1", "name": "alerts"});
    if let Some(p) = policy {
        q["policy"] = p;
    }
    if let Some(k) = key {
        q["kms_key"] = json!(k);
    }
    spec["queues"] = json!([q]);
    spec["topics"][0]["subscriptions"] =
        json!([{"protocol": "sqs", "endpoint": format!("arn:aws:sqs:us-east-1:{acct}:alerts")}]);
    spec
}

/// The statement the SNS console writes: `effect` sns.amazonaws.com sqs:SendMessage from `topic`.
fn topic_statement(effect: &str, topic: &str) -> Value {
    json!({"Sid": format!("{effect}Topic"), "Effect": effect, "Principal": {"Service": "sns.amazonaws.com"},
           "Action": "sqs:SendMessage", "Resource": "{queue_arn}",
           "Condition": {"ArnEquals": {"aws:SourceArn": topic}}})
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_queue_subscriber_counts_only_when_its_policy_lets_the_topic_send() {
    let topic = "arn:aws:sns:us-east-1:{account}:cis-alarms";
    // PASS: the queue policy allows this topic (as the emulator's delivery does).
    let acct = "330000000011";
    let spec =
        queue_only(acct, Some(json!({"Version": "2012-10-17", "Statement": [topic_statement("Allow", topic)]})), None);
    let (code, rep) = sg(acct, &spec);
    assert_eq!(code, 0, "{rep}");
    let f = finding(&rep, "security-group-changes/sns-subscription");
    assert_eq!(f["status"], "PASS", "{f}");
    assert!(
        f["evidence"].to_string().contains("queue policy lets sns.amazonaws.com send (statement AllowTopic)"),
        "{f}"
    );
    assert_eq!(rep["stats"]["api_calls"]["sqs:GetQueueAttributes"], 1, "{}", rep["stats"]);

    // FAIL twins: no policy, a policy for another topic, an explicit Deny, the AWS-managed key.
    let other = "arn:aws:sns:us-east-1:{account}:other";
    let mut deny_all = topic_statement("Deny", topic);
    deny_all["Condition"] = json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}});
    let cases: [(&str, Option<Value>, Option<&str>, &str); 4] = [
        ("330000000012", None, None, "has no policy, so sns.amazonaws.com may not send"),
        (
            "330000000013",
            Some(json!({"Statement": [topic_statement("Allow", other)]})),
            None,
            "does not let sns.amazonaws.com send from arn:aws:sns:us-east-1:330000000013:cis-alarms",
        ),
        (
            "330000000014",
            Some(json!({"Statement": [topic_statement("Allow", topic), deny_all.clone()]})),
            None,
            "statement DenyTopic denies sqs:SendMessage to sns.amazonaws.com",
        ),
        (
            "330000000015",
            Some(json!({"Statement": [topic_statement("Allow", topic)]})),
            Some("alias/aws/sqs"),
            "AWS-managed key alias/aws/sqs",
        ),
    ];
    for (acct, policy, key, why) in cases {
        let spec = queue_only(acct, policy, key);
        let (code, rep) = sg(acct, &spec);
        assert_eq!(code, 1, "{acct}: {rep}");
        let c = control(&rep, "4.10");
        assert_eq!(c["status"], "FAIL", "{acct}: {c}");
        let msg = c["message"].as_str().unwrap();
        assert!(msg.contains("no confirmed subscriber") && msg.contains(why), "{acct}: {msg}");
        let f = finding(&rep, "security-group-changes/sns-subscription");
        assert!(f["evidence"].to_string().contains("sns_subscription.rejected"), "{f}");
        assert!(f["remediation"].as_str().unwrap_or_default().contains("sns.amazonaws.com"), "{f}");
    }
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_queue_outside_the_audit_is_not_judged() {
    // The queue is another (unaudited) account's: the topic reader cannot see it, so it is not
    // judged (a note), never a FAIL on that alone.
    let acct = "330000000016";
    let mut spec = compliant_spec(acct);
    spec["topics"][0]["subscriptions"] =
        json!([{"protocol": "sqs", "endpoint": "arn:aws:sqs:us-east-1:330000000099:elsewhere"}]);
    let (code, rep) = sg(acct, &spec);
    assert_eq!(code, 0, "{rep}");
    let f = finding(&rep, "security-group-changes/sns-subscription");
    assert_eq!(f["status"], "PASS", "{f}");
    let ev = f["evidence"].to_string();
    assert!(ev.contains("sns_subscription.not_judged") && ev.contains("its attributes could not be read"), "{ev}");
}
