//! End-to-end audits against the AWS emulator (moto in server mode, started by scripts/test).

mod common;
use common::*;
use serde_json::json;

fn statuses(r: &serde_json::Value) -> Vec<(String, Option<String>, String)> {
    verdicts(r)
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn compliant_account_passes_with_evidence_and_each_call_made_once() {
    let acct = "210000000001";
    seed(&compliant_spec(acct));
    let r = audit(acct, &["--controls", "3.1,3.3,4.10", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let rep = r.json();
    assert_eq!(rep["schema_version"], "1.3");
    assert_eq!(rep["benchmark"]["version"], "5.0.0");
    assert_eq!(
        statuses(&rep),
        vec![
            ("3.1".into(), None, "PASS".into()),
            ("3.3".into(), Some("eu-west-1".into()), "PASS".into()),
            ("3.3".into(), Some("us-east-1".into()), "PASS".into()),
            ("4.10".into(), None, "PASS".into()),
        ]
    );
    let findings = rep["findings"].to_string();
    for needle in [
        format!("arn:aws:cloudtrail:us-east-1:{acct}:trail/main"),
        "sg-changes".to_string(),
        "sg-changes-alarm".to_string(),
        format!("arn:aws:sns:us-east-1:{acct}:cis-alarms"),
        "email:secops@example.com".to_string(),
    ] {
        assert!(findings.contains(&needle), "evidence lacks {needle}");
    }
    // No call twice: one DescribeTrails per region, one status/selector read per trail, …
    let calls = &rep["stats"]["api_calls"];
    assert_eq!(calls["cloudtrail:DescribeTrails"], 2);
    assert_eq!(calls["cloudtrail:GetTrailStatus"], 1);
    assert_eq!(calls["cloudtrail:GetEventSelectors"], 1);
    assert_eq!(calls["logs:DescribeMetricFilters"], 1);
    assert_eq!(calls["cloudwatch:DescribeAlarmsForMetric"], 1);
    assert_eq!(calls["sns:ListSubscriptionsByTopic"], 1);
    assert_eq!(calls["config:DescribeConfigurationRecorders"], 2);
    // The role is assumed once; its response names the identity, so no GetCallerIdentity.
    assert_eq!(calls["sts:AssumeRole"], 1);
    assert!(calls.get("sts:GetCallerIdentity").is_none(), "{calls}");
    assert!(rep["stats"]["duration_ms"].as_u64().is_some());
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn pending_email_subscription_fails_4_10_until_confirmed() {
    let acct = "210000000002";
    let mut spec = compliant_spec(acct);
    spec["topics"][0]["subscriptions"][0]["confirm"] = json!(false);
    seed(&spec);
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let c = control(&r.json(), "4.10").clone();
    assert_eq!(c["status"], "FAIL");
    assert!(c["message"].as_str().unwrap().contains("pending confirmation"), "{c}");
    // The person clicks the link: now it passes.
    let (st, _) = harness(
        "POST",
        "/_harness/sns/confirm",
        &json!({"account_id": acct, "topic_arn": format!("arn:aws:sns:us-east-1:{acct}:cis-alarms")}),
    );
    assert_eq!(st, 200);
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn and_joined_pattern_fails_and_v3_pattern_depends_on_the_benchmark() {
    let acct = "210000000003";
    let mut spec = compliant_spec(acct);
    spec["metric_filters"][0]["pattern"] = json!(SG_V3);
    let mut f2 = spec["metric_filters"][0].clone();
    f2["name"] = json!("sg-and");
    f2["pattern"] = json!(SG_V5.replace("||", "&&"));
    spec["metric_filters"].as_array_mut().unwrap().push(f2);
    seed(&spec);
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 1);
    let c = control(&r.json(), "4.10").clone();
    assert!(c["message"].as_str().unwrap().contains("ModifySecurityGroupRules"), "{c}");
    let r = audit(acct, &["--controls", "4.10", "--format", "json", "--benchmark", "3.0.0"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(control(&r.json(), "4.10")["status"], "PASS");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn alarm_on_another_namespace_and_a_non_logging_trail_fail() {
    let acct = "210000000004";
    let mut spec = compliant_spec(acct);
    spec["alarms"][0]["namespace"] = json!("SomethingElse");
    seed(&spec);
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 1);
    let msg = control(&r.json(), "4.10")["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("alarm link broken: no alarm on metric CISBenchmark/SecurityGroupChanges"), "{msg}");

    let acct = "210000000005";
    let mut spec = compliant_spec(acct);
    spec["trails"][0]["logging"] = json!(false);
    seed(&spec);
    let r = audit(acct, &["--controls", "3.1,4.10", "--format", "json"]);
    assert_eq!(r.code, 1);
    let rep = r.json();
    assert_eq!(control(&rep, "3.1")["status"], "FAIL");
    assert!(control(&rep, "4.10")["message"].as_str().unwrap().contains("not logging"));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn access_denied_on_one_api_is_error_for_its_controls_only() {
    let acct = "210000000006";
    seed(&compliant_spec(acct));
    let (st, _) = harness(
        "POST",
        "/_harness/faults",
        &json!({"operation": "DescribeMetricFilters", "account_id": acct, "error_code": "AccessDeniedException",
                "message": "User is not authorized to perform logs:DescribeMetricFilters", "http_status": 400}),
    );
    assert_eq!(st, 200);
    let r = audit(acct, &["--controls", "3.1,3.3,4.10", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let rep = r.json();
    let c = control(&rep, "4.10");
    assert_eq!(c["status"], "ERROR");
    let msg = c["message"].as_str().unwrap();
    assert!(msg.contains("AccessDeniedException") && msg.contains("logs:DescribeMetricFilters"), "{msg}");
    assert_eq!(control(&rep, "3.1")["status"], "PASS");
    let config: Vec<String> = verdicts(&rep).into_iter().filter(|v| v.0 == "3.3").map(|v| v.2).collect();
    assert_eq!(config, ["PASS", "PASS"]);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn throttled_config_in_one_region_is_error_there_only() {
    let acct = "210000000007";
    seed(&compliant_spec(acct));
    harness(
        "POST",
        "/_harness/faults",
        &json!({"operation": "DescribeConfigurationRecorders", "account_id": acct, "region": "eu-west-1",
                "error_code": "ThrottlingException", "message": "Rate exceeded", "http_status": 400}),
    );
    let r = audit(acct, &["--controls", "3.3", "--format", "json"]);
    assert_eq!(r.code, 2);
    let v = verdicts(&r.json());
    assert_eq!(
        v,
        vec![
            ("3.3".into(), Some("eu-west-1".into()), "ERROR".into()),
            ("3.3".into(), Some("us-east-1".into()), "PASS".into())
        ]
    );
    assert!(r.stdout.contains("ThrottlingException"));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn same_named_recorders_in_two_regions_are_judged_separately() {
    let acct = "210000000008";
    let mut spec = compliant_spec(acct);
    spec["config"][1]["recording"] = json!(false);
    seed(&spec);
    let r = audit(acct, &["--controls", "3.3", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        verdicts(&r.json()),
        vec![
            ("3.3".into(), Some("eu-west-1".into()), "FAIL".into()),
            ("3.3".into(), Some("us-east-1".into()), "PASS".into())
        ]
    );
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn empty_account_fails_everything_with_exit_1() {
    let acct = "210000000009";
    let r = audit(acct, &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rep = r.json();
    // Every recommendation of v5.0.0 (63), AWS Config per region (2).
    assert_eq!(rep["controls"].as_array().unwrap().len(), 63 - 1 + 2);
    // A new account as AWS creates it: nothing configured FAILs; what it has none of (keys to
    // rotate, instances, peerings, open ports, buckets, databases, file systems, a trail bucket)
    // passes, saying so.
    for c in rep["controls"].as_array().unwrap().iter().filter(|c| !unevaluated(c)) {
        let key = c["key"].as_str().unwrap();
        let want = match key {
            "kms-key-rotation"
            | "ec2-imdsv2"
            | "vpc-peering-least-access"
            | "cifs-restricted"
            | "sg-admin-ports-ipv4"
            | "sg-admin-ports-ipv6"
            | "s3-deny-http"
            | "s3-mfa-delete"
            | "rds-encryption"
            | "rds-auto-minor-upgrade"
            | "rds-not-public"
            | "rds-multi-az"
            | "efs-encryption"
            | "cloudtrail-bucket-access-logging" => "PASS",
            // No root key, no users, no policy in use, no instance, no certificate.
            "root-access-keys"
            | "iam-user-console-mfa"
            | "iam-no-initial-access-keys"
            | "iam-unused-credentials"
            | "iam-one-active-key"
            | "iam-key-rotation"
            | "iam-group-permissions-only"
            | "iam-no-admin-policies"
            | "iam-instance-roles"
            | "iam-expired-certificates"
            | "cloudshell-full-access-restricted" => "PASS",
            // Manual recommendations with the evidence read for the assessor.
            "root-daily-use" | "iam-central-identity" | "account-contact-details" => "MANUAL",
            _ => "FAIL",
        };
        assert_eq!(c["status"], want, "{key}: {c}");
    }
    // The default network ACL and the default security group are AWS's defaults: both fail.
    let msg = |key: &str| {
        rep["controls"].as_array().unwrap().iter().find(|c| c["key"] == key).unwrap()["message"].to_string()
    };
    assert!(msg("nacl-admin-ports").contains("(default)"), "{}", msg("nacl-admin-ports"));
    assert!(msg("default-sg-restricts-all").contains("outbound"), "{}", msg("default-sg-restricts-all"));
    assert!(msg("password-min-length").contains("no password policy"));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn saved_inventory_evaluates_offline_to_the_same_verdicts() {
    let acct = "210000000010";
    seed(&compliant_spec(acct));
    let dir = std::env::temp_dir().join(format!("cis-audit-test-{acct}"));
    std::fs::create_dir_all(&dir).unwrap();
    let inv = dir.join("inventory.json");
    let r = audit(acct, &["--format", "json", "--save-inventory", inv.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let online = r.json();
    let mut c = bin();
    c.args(["audit", "--inventory", inv.to_str().unwrap(), "--format", "json"]);
    // An endpoint nothing listens on, and no credentials: any AWS call would fail the run.
    c.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    c.env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY");
    let off = run(c);
    assert_eq!(off.code, 1, "{}", off.stderr);
    let offline = off.json();
    assert_eq!(online["controls"], offline["controls"]);
    assert_eq!(online["findings"], offline["findings"]);
    // And under another benchmark version, from the same evidence.
    let mut c = bin();
    c.args([
        "audit",
        "--inventory",
        inv.to_str().unwrap(),
        "--format",
        "json",
        "--benchmark",
        "3.0.0",
        "--controls",
        "4.10",
    ]);
    assert_eq!(run(c).code, 0);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn table_is_plain_when_not_a_terminal_and_markdown_has_evidence() {
    let acct = "210000000011";
    seed(&compliant_spec(acct));
    let r = audit(acct, &["--controls", "3.1,4.10"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}'), "ANSI escapes in a pipe");
    assert!(r.stdout.contains("Ensure security group changes are monitored"));
    assert!(r.stdout.contains("API calls"));
    let out = std::env::temp_dir().join(format!("cis-audit-{acct}.md"));
    let r = audit(acct, &["--controls", "4.10", "--format", "markdown", "--output", out.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.is_empty());
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("security-group-changes/sns-subscription") && md.contains("sns_topic.confirmed_subscriptions"),
        "{md}"
    );
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn bad_input_is_one_clear_line_and_exit_2() {
    let acct = "210000000012";
    for (args, needle) in [
        (vec!["--controls", "4.99"], "unknown control '4.99'"),
        (vec!["--benchmark", "9.0.0"], "unknown benchmark version '9.0.0'"),
        (vec!["--regions", "us-east-1,us-nowhere-1"], "unknown region us-nowhere-1"),
        (vec!["--regions", "useast1"], "not a region code"),
    ] {
        let r = audit(acct, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.trim().starts_with("error: ") && r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    }
    // Disabled opt-in region.
    let r = audit(acct, &["--regions", "af-south-1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not enabled for account"), "{}", r.stderr);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn unreachable_endpoint_fails_fast_with_exit_2() {
    let mut c = bin();
    c.args(["audit", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1", "--regions", "us-east-1"]);
    c.env("AWS_ACCESS_KEY_ID", "x").env("AWS_SECRET_ACCESS_KEY", "y");
    let t = std::time::Instant::now();
    let r = run(c);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot reach the AWS endpoint http://127.0.0.1:9"), "{}", r.stderr);
    assert!(t.elapsed().as_secs() < 15);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn two_accounts_in_one_run_follow_an_organization_trail_into_the_management_account() {
    let mgmt = "210000000013";
    let member = "210000000014";
    seed(&compliant_spec(mgmt));
    // The member account sees nothing of its own in moto; give it a trail delivering to the
    // management account's log group, as an organization trail would.
    seed(&json!({
        "account": member,
        "trails": [{"name": "member-view", "region": "us-east-1", "bucket": "trail-{account}",
                    "log_group_arn": format!("arn:aws:logs:us-east-1:{mgmt}:log-group:ct-logs:*"),
                    "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}]
    }));
    let e = emu();
    let mut c = bin();
    c.args([
        "audit",
        "--endpoint-url",
        &e.endpoint,
        "--region",
        "us-east-1",
        "--regions",
        "us-east-1",
        "--controls",
        "4.10",
        "--format",
        "json",
        "--role-arn",
        &format!("arn:aws:iam::{mgmt}:role/audit"),
        "--role-arn",
        &format!("arn:aws:iam::{member}:role/audit"),
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let rep = r.json();
    assert_eq!(rep["controls"].as_array().unwrap().len(), 2);
    // The management account's metric filters were read once, with its own credentials.
    assert_eq!(rep["stats"]["api_calls"]["logs:DescribeMetricFilters"], 1);

    // Auditing the member alone: the evidence is out of scope, MANUAL (not a false FAIL).
    let r = audit(member, &["--controls", "4.10", "--format", "json", "--regions", "us-east-1"]);
    assert_eq!(r.code, 0);
    let c = control(&r.json(), "4.10").clone();
    assert_eq!(c["status"], "MANUAL");
    assert!(c["message"].as_str().unwrap().contains(mgmt));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn pattern_commands_exit_0_1_2() {
    let check = |p: &str| {
        let mut c = bin();
        c.args(["pattern", "check", "--control", "4.10", p]);
        run(c)
    };
    let r = check("{ $.eventName = *SecurityGroup* }");
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("COVERED (broader)"), "{}", r.stdout);
    let r = check(SG_V3);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("ModifySecurityGroupRules"));
    let r = check("{ ($.eventName = CreateSecurityGroup ");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("at byte"), "{}", r.stderr);

    let ev = std::env::temp_dir().join("cis-audit-event.json");
    std::fs::write(&ev, r#"{"eventSource":"ec2.amazonaws.com","eventName":"ModifySecurityGroupRules","userIdentity":{"type":"AssumedRole"}}"#).unwrap();
    let mut c = bin();
    c.args(["pattern", "test", SG_V5, ev.to_str().unwrap()]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.starts_with("MATCH"));
    let mut c = bin();
    c.args(["pattern", "test", SG_V3, ev.to_str().unwrap()]);
    assert_eq!(run(c).code, 1);
}

fn eventbridge_spec(acct: &str, regions: &[&str], names: &[&str]) -> serde_json::Value {
    let mut spec = compliant_spec(acct);
    // No metric filter: the route is EventBridge only.
    spec["metric_filters"] = json!([]);
    spec["alarms"] = json!([]);
    let pattern = json!({
        "source": ["aws.ec2"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["ec2.amazonaws.com"], "eventName": names}
    });
    let mut topics = vec![];
    let mut rules = vec![];
    for r in regions {
        // What the console adds for an SNS target: EventBridge may publish to the topic.
        let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "AWSEvents", "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": "{topic_arn}"}]});
        topics.push(json!({"region": r, "name": "sg-realtime", "policy": policy,
                           "subscriptions": [{"protocol": "email", "endpoint": "secops@example.com", "confirm": true}]}));
        rules.push(json!({"region": r, "name": "sg-changes", "pattern": pattern, "targets": ["sg-realtime"]}));
    }
    spec["topics"] = json!(topics);
    spec["event_rules"] = json!(rules);
    spec
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn eventbridge_rules_in_every_region_pass_4_10_and_a_missing_region_fails() {
    let acct = "210000000015";
    seed(&eventbridge_spec(acct, &["us-east-1", "eu-west-1"], &SG_EVENTS));
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let rep = r.json();
    assert!(control(&rep, "4.10")["message"].as_str().unwrap().contains("EventBridge"), "{rep}");
    let f = rep["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "security-group-changes/eventbridge-rule")
        .unwrap();
    assert_eq!(f["status"], "PASS");
    assert!(f["evidence"].to_string().contains("sg-realtime"));
    assert_eq!(rep["stats"]["api_calls"]["events:ListRules"], 2);

    let acct = "210000000016";
    seed(&eventbridge_spec(acct, &["us-east-1"], &SG_EVENTS));
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 1);
    let msg = control(&r.json(), "4.10")["message"].as_str().unwrap().to_string();
    assert!(msg.contains("eu-west-1: no enabled rule matches every required event"), "{msg}");

    // The topic's default policy does not let EventBridge publish: the route fails, saying so.
    let acct = "210000000018";
    let mut spec = eventbridge_spec(acct, &["us-east-1", "eu-west-1"], &SG_EVENTS);
    for t in spec["topics"].as_array_mut().unwrap() {
        t.as_object_mut().unwrap().remove("policy");
    }
    seed(&spec);
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let msg = control(&r.json(), "4.10")["message"].as_str().unwrap().to_string();
    assert!(msg.contains("does not let events.amazonaws.com publish"), "{msg}");
    assert_eq!(r.json()["stats"]["api_calls"]["sns:GetTopicAttributes"], 2);

    // A rule that forgets ModifySecurityGroupRules is no route at all.
    let acct = "210000000017";
    seed(&eventbridge_spec(acct, &["us-east-1", "eu-west-1"], &SG_EVENTS[..6]));
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 1);
    let rep = r.json();
    assert!(!rep["findings"].to_string().contains("eventbridge-rule"));
}
