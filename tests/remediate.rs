//! `audit --remediate` and `rollback` end to end against the AWS emulator (run via scripts/test).
//! Each test uses its own account id (23000000000N), so they run in parallel.

mod common;
use common::*;
use serde_json::{json, Value};

const CIS_4_11: &str = "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }";

fn tmp(name: &str) -> String {
    tmp_path("remediate", name)
}

/// Every input remediation can use, for `acct`.
fn all_inputs(acct: &str) -> Vec<String> {
    remediation_inputs(acct, "CloudTrail_CloudWatchLogs_Role")
}

fn remediate(acct: &str, controls: &str, journal: &str, extra: &[String]) -> Run {
    let mut args: Vec<String> =
        ["--controls", controls, "--remediate", "--yes", "--format", "json", "--journal", journal]
            .iter()
            .map(|s| s.to_string())
            .collect();
    args.extend(extra.iter().cloned());
    let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    audit(acct, &refs)
}

/// The parts of a saved inventory that describe the account (not when or how it was read),
/// which fails the controls (before remediation, after rollback).
fn saved_state(acct: &str, controls: &str, name: &str) -> Value {
    let (code, state) = read_state(acct, controls, name);
    assert_eq!(code, 1, "the account fails before remediation and after rollback");
    state
}

/// The state whatever the verdicts.
fn saved_state_any(acct: &str, controls: &str, name: &str) -> Value {
    read_state(acct, controls, name).1
}

fn read_state(acct: &str, controls: &str, name: &str) -> (i32, Value) {
    let path = tmp(name);
    let r = audit(acct, &["--controls", controls, "--save-inventory", &path, "--format", "json"]);
    assert!(r.code == 0 || r.code == 1, "{}\n{}", r.stdout, r.stderr);
    let inv: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let state = json!({
        "accounts": inv["accounts"],
        "log_groups": inv["log_groups"],
        "metric_alarms": inv["metric_alarms"],
        "topics": inv["topics"],
    });
    (r.code, state)
}

fn step_states(outcome: &Value) -> Vec<(String, String)> {
    let plan = outcome["plan"]["steps"].as_array().unwrap();
    outcome["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let id = s["step"].as_u64().unwrap() as usize;
            (plan[id - 1]["action"]["type"].as_str().unwrap().to_string(), s["state"].as_str().unwrap().to_string())
        })
        .collect()
}

fn buckets(acct: &str) -> Value {
    json!({"account": acct, "buckets": [
        {"region": "us-east-1", "name": "trail-{account}"},
        {"region": "us-east-1", "name": "config-{account}"}]})
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn remediate_then_pass_then_rollback_restores_the_account() {
    let acct = "230000000001";
    let controls = "3.1,3.3,4.10,4.11";
    seed(&buckets(acct));
    let before = saved_state(acct, controls, "before-1.json");
    let journal = tmp("journal-1.json");

    let r = remediate(acct, controls, &journal, &all_inputs(acct));
    assert_eq!(r.code, 1, "only the pending email keeps 4.10/4.11 failing\n{}\n{}", r.stdout, r.stderr);
    let out = r.json();
    assert_eq!(out["applied"], true);
    assert_eq!(out["journal"], journal.as_str());
    assert!(r.stderr.contains(&journal), "the journal path is printed: {}", r.stderr);
    // The one summary line: before → after (the re-audit), and the status the process exits with.
    let line = r.stderr.lines().find(|l| l.contains("control verdicts")).unwrap_or_default();
    assert!(line.contains(" → after remediation: ") && line.ends_with("| exit status 1"), "{}", r.stderr);
    let states = step_states(&out);
    assert!(states.len() >= 10 && states.iter().all(|(_, s)| s == "done"), "{states:?}");
    // One topic, one subscription for both alarms.
    let types: Vec<String> = step_states(&out).into_iter().map(|x| x.0).collect();
    assert_eq!(types.iter().filter(|t| *t == "CreateTopic").count(), 1);
    assert_eq!(types.iter().filter(|t| *t == "Subscribe").count(), 1);
    assert_eq!(types.iter().filter(|t| *t == "PutMetricAlarm").count(), 2);
    let after: Vec<(String, String, String)> = out["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["control"].as_str().unwrap().into(),
                c["before"].as_str().unwrap().into(),
                c["after"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(after.contains(&("3.1".into(), "FAIL".into(), "PASS".into())), "{after:?}");
    assert_eq!(after.iter().filter(|c| c.0 == "3.3" && c.2 == "PASS").count(), 2, "{after:?}");
    assert!(out["plan"]["notes"].to_string().contains("the one thing left to do"), "{}", out["plan"]["notes"]);
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
    assert_eq!(j["status"], "complete");
    let entries = j["entries"].as_array().unwrap();
    assert_eq!(entries.len(), states.len());
    assert!(entries.iter().all(|e| e["before"].is_object() && e["after"].is_object()));

    // Remediating again changes nothing: the plan is empty.
    let r = audit(acct, &["--controls", controls, "--remediate", "--dry-run", "--format", "json"]);
    let again = r.json();
    assert_eq!(again["plan"]["steps"], json!([]), "{}", again["plan"]);
    assert_eq!(again["applied"], false);

    // The person clicks the link in the email: every remediated control passes.
    let (st, _) = harness(
        "POST",
        "/_harness/sns/confirm",
        &json!({"account_id": acct, "topic_arn": format!("arn:aws:sns:us-east-1:{acct}:cis-security-alarms")}),
    );
    assert_eq!(st, 200);
    let r = audit(acct, &["--controls", controls, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v = verdicts(&r.json());
    assert_eq!(v.len(), controls.split(',').count() + 1, "3.3 has a verdict per region: {v:?}");
    assert!(v.iter().all(|v| v.2 == "PASS"), "{v:?}");

    // Rollback restores the account as it was; a second rollback is harmless.
    let r = rollback(acct, &journal);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(saved_state(acct, controls, "after-1.json"), before);
    let r = rollback(acct, &journal);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("nothing to roll back"), "{}", r.stdout);
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
    assert_eq!(j["status"], "rolled_back");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn existing_filter_and_alarm_with_our_names_are_left_untouched() {
    let acct = "230000000002";
    let mut spec = compliant_spec(acct);
    // 4.10: a filter named as ours would be, with a narrower pattern, on the same metric.
    spec["metric_filters"] = json!([
        {"region": "us-east-1", "log_group": "ct-logs", "name": "SecurityGroupChanges",
         "pattern": "{ $.eventName = CreateSecurityGroup }", "metric_name": "SecurityGroupChanges", "namespace": "CISBenchmark"},
        {"region": "us-east-1", "log_group": "ct-logs", "name": "nacl", "pattern": CIS_4_11,
         "metric_name": "NACLChanges", "namespace": "CISBenchmark"}
    ]);
    // 4.11: an alarm named as ours would be, that needs five events.
    spec["alarms"] = json!([
        {"region": "us-east-1", "name": "NACLChanges-alarm", "metric_name": "NACLChanges", "namespace": "CISBenchmark",
         "topic": "cis-alarms", "threshold": 5}
    ]);
    seed(&spec);
    let journal = tmp("journal-2.json");
    let r = remediate(acct, "4.10,4.11", &journal, &all_inputs(acct));
    // The seeded topic already has a confirmed subscriber: both controls pass once applied.
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = r.json();
    let notes = out["plan"]["notes"].to_string();
    assert!(notes.contains("metric filter SecurityGroupChanges on ct-logs exists with another definition and is left untouched; using SecurityGroupChanges-cis"), "{notes}");
    assert!(
        notes.contains(
            "alarm NACLChanges-alarm exists with another definition and is left untouched; using NACLChanges-alarm-cis"
        ),
        "{notes}"
    );

    let r = audit(acct, &["--controls", "4.10,4.11", "--format", "json"]);
    assert_eq!(r.code, 0, "existing confirmed subscription: both pass\n{}", r.stdout);
    let inv_path = tmp("inv-2.json");
    audit(acct, &["--controls", "4.10,4.11", "--save-inventory", &inv_path]);
    let inv: Value = serde_json::from_str(&std::fs::read_to_string(&inv_path).unwrap()).unwrap();
    let filters = inv["log_groups"][0]["metric_filters"]["ok"].as_array().unwrap().clone();
    let old = filters.iter().find(|f| f["name"] == "SecurityGroupChanges").expect("the old filter survives");
    assert_eq!(old["pattern"], "{ $.eventName = CreateSecurityGroup }");
    assert!(filters.iter().any(|f| f["name"] == "SecurityGroupChanges-cis"));
    let alarms: Vec<&Value> =
        inv["metric_alarms"].as_array().unwrap().iter().flat_map(|m| m["alarms"]["ok"].as_array().unwrap()).collect();
    let old = alarms.iter().find(|a| a["name"] == "NACLChanges-alarm").expect("the old alarm survives");
    assert_eq!(old["threshold"], 5.0);
    assert!(alarms.iter().any(|a| a["name"] == "NACLChanges-alarm-cis"));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn missing_inputs_give_manual_steps_and_the_rest_applies() {
    let acct = "230000000003";
    seed(&buckets(acct));
    let journal = tmp("journal-3.json");
    let args: Vec<String> =
        ["--notify", "email:secops@example.com", "--config-role-arn", &format!("arn:aws:iam::{acct}:role/config")]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let r = remediate(acct, "3.1,3.3,4.10", &journal, &args);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let out = r.json();
    let manual: Vec<Value> = out["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["manual"].is_null())
        .map(|s| json!([s["action"]["type"], s["manual"]["missing"]]))
        .collect();
    assert!(manual.contains(&json!(["CreateTrail", ["--trail-bucket"]])), "{manual:?}");
    assert!(manual.contains(&json!(["UpdateTrail", ["--cloudtrail-logs-role-arn"]])), "{manual:?}");
    assert!(manual.contains(&json!(["PutDeliveryChannel", ["--config-bucket"]])), "{manual:?}");
    let states = step_states(&out);
    for t in
        ["CreateLogGroup", "PutMetricFilter", "CreateTopic", "PutMetricAlarm", "Subscribe", "PutConfigurationRecorder"]
    {
        assert!(states.iter().any(|(x, s)| x == t && s == "done"), "{t} not applied: {states:?}");
    }
    assert!(states.iter().any(|(x, s)| x == "CreateTrail" && s == "manual"), "{states:?}");
    assert!(states.iter().any(|(x, s)| x == "StartConfigurationRecorder" && s == "manual"), "{states:?}");

    // The text plan names each missing value next to the command to run by hand.
    let r = audit(acct, &["--controls", "3.1", "--remediate", "--dry-run"]);
    assert!(r.stdout.contains("MANUAL: missing --trail-bucket"), "{}", r.stdout);
    assert!(r.stdout.contains("$ aws cloudtrail create-trail --region us-east-1 --name cis-multi-region-trail --s3-bucket-name '<trail-bucket>'"), "{}", r.stdout);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_failure_halfway_leaves_a_journal_that_rollback_undoes() {
    let acct = "230000000004";
    let controls = "3.1,4.10";
    seed(&buckets(acct));
    let before = saved_state(acct, controls, "before-4.json");
    let (st, _) = harness(
        "POST",
        "/_harness/faults",
        &json!({"operation": "PutMetricAlarm", "account_id": acct, "error_code": "AccessDenied", "http_status": 403, "times": 1}),
    );
    assert_eq!(st, 200);
    let journal = tmp("journal-4.json");
    let r = remediate(acct, controls, &journal, &all_inputs(acct));
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("a remediation step failed"), "{}", r.stderr);
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
    assert_eq!(j["status"], "failed");
    let entries = j["entries"].as_array().unwrap();
    let failed = entries.iter().find(|e| e["state"] == "failed").expect("a failed entry");
    assert_eq!(failed["action"]["type"], "PutMetricAlarm");
    assert!(failed["message"].as_str().unwrap().contains("AccessDenied"), "{failed}");
    assert!(entries.iter().any(|e| e["state"] == "done"));
    let after_failure: Vec<&Value> = entries.iter().skip_while(|e| e["state"] != "failed").skip(1).collect();
    assert!(!after_failure.is_empty() && after_failure.iter().all(|e| e["state"] == "skipped"), "{entries:?}");

    let r = rollback(acct, &journal);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(saved_state(acct, controls, "after-4.json"), before);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn rollback_refuses_to_delete_what_changed_since() {
    let acct = "230000000005";
    seed(&buckets(acct));
    let journal = tmp("journal-5.json");
    let r = remediate(acct, "3.1,4.10", &journal, &all_inputs(acct));
    assert_eq!(
        r.code, 1,
        "applied; only the pending email subscription keeps a control failing: {}\n{}",
        r.stdout, r.stderr
    );
    // Someone adds a metric filter of their own to the log group remediation created.
    seed(&json!({"account": acct, "metric_filters": [{"region": "us-east-1", "log_group": "cis-cloudtrail-logs",
        "name": "theirs", "pattern": "{ $.eventName = ConsoleLogin }", "metric_name": "Logins"}]}));
    let r = rollback(acct, &journal);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("refused: log group cis-cloudtrail-logs changed since remediation"), "{}", r.stdout);
    assert!(r.stdout.contains("theirs"), "{}", r.stdout);
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
    assert_eq!(j["status"], "rollback_incomplete");

    // Without a terminal and without --yes nothing is applied.
    let r = audit(acct, &["--controls", "3.3", "--remediate", "--config-role-arn", "arn:aws:iam::1:role/c"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("standard input is not a terminal"), "{}", r.stderr);
}

/// The policy of a topic as a saved inventory holds it.
fn topic_policy(state: &Value, arn: &str) -> Value {
    let t = state["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["arn"] == arn)
        .unwrap_or_else(|| panic!("{arn} not in {state}"));
    serde_json::from_str(t["attributes"]["ok"]["policy"].as_str().unwrap()).unwrap()
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn the_eventbridge_route_is_built_in_every_region_and_rolled_back() {
    let acct = "230000000006";
    let team = format!("arn:aws:sns:us-east-1:{acct}:team-alerts");
    let user_statement = json!({"Sid": "TeamPublish", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{acct}:role/team")}, "Action": "sns:Publish", "Resource": "{topic_arn}"});
    seed(&json!({
        "account": acct,
        "trails": [{"name": "main", "region": "us-east-1", "bucket": "trail-{account}", "multi_region": true,
                    "logging": true, "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}],
        // A topic someone receives, with a statement of the team's own.
        "topics": [{"region": "us-east-1", "name": "team-alerts",
                    "policy": {"Version": "2012-10-17", "Statement": [user_statement]},
                    "subscriptions": [{"protocol": "email", "endpoint": "team@example.com", "confirm": true}]}],
        // A rule of the team's on another event: it stays as it is.
        "event_rules": [{"region": "us-east-1", "name": "team-ec2",
                         "pattern": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]},
                         "targets": ["team-alerts"]}]
    }));
    let before = saved_state(acct, "4.10", "before-6.json");
    let journal = tmp("journal-6.json");
    let notify = ["--route", "eventbridge", "--notify", "email:secops@example.com"].map(String::from);

    let r = remediate(acct, "4.10", &journal, &notify);
    let out = r.json();
    assert_eq!(out["applied"], true, "{}\n{}", r.stdout, r.stderr);
    let states = step_states(&out);
    assert!(states.iter().all(|(_, s)| s == "done"), "{states:?}");
    let steps = out["plan"]["steps"].as_array().unwrap();
    let of = |t: &str| -> Vec<&Value> { steps.iter().filter(|s| s["action"]["type"] == t).collect() };
    // A rule and its target in each region, no metric filter or alarm.
    assert_eq!(of("PutRule").len(), 2, "{steps:#?}");
    assert_eq!(of("PutTargets").len(), 2);
    assert!(of("PutMetricFilter").is_empty() && of("PutMetricAlarm").is_empty());
    // us-east-1 reuses the team's topic; eu-west-1 gets a new one, subscribed.
    let target_arns: Vec<&str> =
        of("PutTargets").iter().map(|s| s["action"]["target"]["arn"].as_str().unwrap()).collect();
    let new_topic = format!("arn:aws:sns:eu-west-1:{acct}:cis-security-alarms");
    assert!(target_arns.contains(&team.as_str()) && target_arns.contains(&new_topic.as_str()), "{target_arns:?}");
    assert_eq!(of("CreateTopic").len(), 1);
    assert_eq!(of("Subscribe").len(), 1);
    assert_eq!(of("SetTopicPolicy").len(), 2, "one policy step per topic");
    // The target turns the event into seed 003's sentence.
    let it = &of("PutTargets")[0]["action"]["target"]["input_transformer"];
    assert_eq!(it["input_paths_map"]["sgid"], "$.detail.requestParameters.groupId", "{it}");
    assert!(it["input_template"].as_str().unwrap().contains("for Security Group with id <sgid>"), "{it}");

    // The team's statement is kept, ours lets exactly the rule publish.
    let during = saved_state_any(acct, "4.10", "during-6.json");
    let policy = topic_policy(&during, &team);
    let sts = policy["Statement"].as_array().unwrap();
    assert_eq!(sts[0]["Sid"], "TeamPublish", "{policy}");
    assert_eq!(sts[0]["Principal"], user_statement["Principal"]);
    let ours = sts.iter().find(|s| s["Sid"] == "CisAuditEventBridgePublish").expect("our statement");
    assert_eq!(ours["Principal"]["Service"], "events.amazonaws.com");
    assert_eq!(
        ours["Condition"]["ArnEquals"]["aws:SourceArn"],
        json!([format!("arn:aws:events:us-east-1:{acct}:rule/cis-audit-security-group-changes")])
    );

    // eu-west-1's subscriber confirms: the route holds in both regions and 4.10 passes.
    let (st, _) = harness("POST", "/_harness/sns/confirm", &json!({"account_id": acct, "topic_arn": new_topic}));
    assert_eq!(st, 200);
    let r = audit(acct, &["--controls", "4.10", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(control(&r.json(), "4.10")["status"], "PASS");
    assert!(
        r.stdout.contains("eventbridge.eu-west-1") && r.stdout.contains("cis-audit-security-group-changes"),
        "{}",
        r.stdout
    );

    // Nothing left to do; rollback restores the topics, the rules and the policy.
    let r =
        audit(acct, &["--controls", "4.10", "--remediate", "--dry-run", "--format", "json", "--route", "eventbridge"]);
    assert_eq!(r.json()["plan"]["steps"], json!([]), "{}", r.stdout);
    let r = rollback(acct, &journal);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let after = saved_state(acct, "4.10", "after-6.json");
    assert_eq!(topic_policy(&after, &team), topic_policy(&before, &team));
    assert_eq!(after, before);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_topic_on_the_aws_managed_key_gets_a_manual_step() {
    let acct = "230000000007";
    seed(&json!({
        "account": acct,
        "trails": [{"name": "main", "region": "us-east-1", "bucket": "trail-{account}", "multi_region": true,
                    "logging": true, "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}],
        "topics": [{"region": "us-east-1", "name": "cis-security-alarms", "kms_key": "alias/aws/sns",
                    "subscriptions": [{"protocol": "email", "endpoint": "secops@example.com", "confirm": true}]}]
    }));
    let r = audit(
        acct,
        &[
            "--controls",
            "4.10",
            "--regions",
            "us-east-1",
            "--remediate",
            "--dry-run",
            "--format",
            "json",
            "--route",
            "eventbridge",
        ],
    );
    let out = r.json();
    let steps = out["plan"]["steps"].as_array().unwrap();
    let enc = steps.iter().find(|s| s["action"]["type"] == "EncryptTopic").unwrap_or_else(|| panic!("{steps:#?}"));
    assert!(enc["manual"]["reason"].as_str().unwrap().contains("alias/aws/sns"), "{enc}");
    assert!(steps.iter().any(|s| s["action"]["type"] == "PutRule" && s["manual"].is_null()), "{steps:#?}");

    // CloudWatch alarms cannot use that key either.
    let r =
        audit(acct, &["--controls", "4.10", "--regions", "us-east-1", "--remediate", "--dry-run", "--format", "json"]);
    let out = r.json();
    let steps = out["plan"]["steps"].as_array().unwrap();
    let enc = steps.iter().find(|s| s["action"]["type"] == "EncryptTopic").unwrap_or_else(|| panic!("{steps:#?}"));
    assert!(enc["manual"]["reason"].as_str().unwrap().contains("CloudWatch cannot use"), "{enc}");
}
