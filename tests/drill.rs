//! `cis-audit drill` against the emulator's pipeline twin (tests/emulator/pipeline.py): the
//! change a control must catch travels CloudTrail → log group → metric filter → alarm → SNS →
//! the drill's SQS queue, or CloudTrail → an EventBridge rule → SNS → the queue, as the emulator
//! evaluates it independently of cis-audit. Drills that arrive end to end on either route and on
//! both, drills that stop at each link (each naming that link), the account's history after a
//! drill, and the cleanup: at the end, after SIGKILL through `cis-audit rollback JOURNAL`, and on
//! Ctrl-C — leaving no security group, queue or subscription behind. Each test uses its own
//! account (4500000000NN).

mod common;
use common::*;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn journal(acct: &str) -> String {
    tmp_path("drill", &format!("journal-{acct}.json"))
}

fn drill_command(acct: &str, timeout: &str) -> Command {
    let e = emu();
    let mut c = bin();
    c.args([
        "drill",
        "--endpoint-url",
        &e.endpoint,
        "--role-arn",
        &format!("arn:aws:iam::{acct}:role/audit"),
        "--region",
        "us-east-1",
        "--timeout",
        timeout,
        "--poll",
        "1s",
        "--journal",
        &journal(acct),
    ]);
    c
}

/// `drill --yes --format json` with `extra`; the JSON outcome.
fn drill(acct: &str, timeout: &str, extra: &[&str]) -> (i32, Value) {
    let mut c = drill_command(acct, timeout);
    c.args(["--yes", "--format", "json"]).args(extra);
    let r = run(c);
    assert!(r.code <= 2, "{}\n{}", r.stdout, r.stderr);
    (r.code, r.json())
}

/// What the drill could have left in the account: security groups, network ACLs and route
/// tables tagged cis-audit-drill, queues named cis-audit-drill-*, SQS subscriptions.
fn leftovers(acct: &str) -> Value {
    let e = emu();
    let script = r#"
import boto3, json, sys
ep, acct = sys.argv[1], sys.argv[2]
c = boto3.client("sts", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
cr = c.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/check", RoleSessionName="check")["Credentials"]
kw = dict(endpoint_url=ep, region_name="us-east-1", aws_access_key_id=cr["AccessKeyId"],
          aws_secret_access_key=cr["SecretAccessKey"], aws_session_token=cr["SessionToken"])
ec2, sqs, sns = boto3.client("ec2", **kw), boto3.client("sqs", **kw), boto3.client("sns", **kw)
tag = [{"Name": "tag-key", "Values": ["cis-audit-drill"]}]
print(json.dumps({
  "security_groups": [g["GroupId"] for g in ec2.describe_security_groups(Filters=tag)["SecurityGroups"]],
  "network_acls": [a["NetworkAclId"] for a in ec2.describe_network_acls(Filters=tag)["NetworkAcls"]],
  "route_tables": [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=tag)["RouteTables"]],
  "queues": sqs.list_queues(QueueNamePrefix="cis-audit-drill").get("QueueUrls", []),
  "sqs_subscriptions": [s["Endpoint"] for s in sns.list_subscriptions()["Subscriptions"] if s["Protocol"] == "sqs"],
}))
"#;
    let out = Command::new(&e.python).args(["-c", script, &e.endpoint, acct]).output().expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn nothing_left(acct: &str) {
    let l = leftovers(acct);
    assert_eq!(
        l,
        json!({"security_groups": [], "network_acls": [], "route_tables": [], "queues": [], "sqs_subscriptions": []}),
        "the drill left something behind"
    );
}

fn unit(out: &Value) -> &Value {
    let units = out["units"].as_array().unwrap_or_else(|| panic!("no units: {out}"));
    assert_eq!(units.len(), 1, "{out}");
    &units[0]
}

/// The unit's route `kind` ("metric-filter" or "eventbridge").
fn route<'a>(u: &'a Value, kind: &str) -> &'a Value {
    u["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["route"] == kind)
        .unwrap_or_else(|| panic!("no {kind} route: {u:#}"))
}

/// The kinds of the routes a unit followed.
fn routes(u: &Value) -> Vec<&str> {
    u["routes"].as_array().unwrap().iter().map(|r| r["route"].as_str().unwrap()).collect()
}

fn link<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["links"].as_array().unwrap().iter().find(|l| l["link"] == name).unwrap_or_else(|| panic!("{name}: {r}"))
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_drill_on_a_working_chain_arrives_link_by_link_and_leaves_nothing_behind() {
    let acct = "450000000001";
    seed(&compliant_spec(acct));
    let started = Instant::now();
    let (code, out) = drill(acct, "60s", &["--controls", "4.10"]);
    let wall = started.elapsed();
    assert_eq!(code, 0, "{out:#}");
    let u = unit(&out);
    assert_eq!(u["arrived"], true, "{u:#}");
    assert!(u["resource"].as_str().unwrap().starts_with("sg-"), "{u}");
    // The account has no EventBridge rule: the metric-filter route alone, and that is said.
    assert_eq!(routes(u), ["metric-filter"]);
    assert!(u["not_followed"].to_string().contains("the EventBridge route: no rule on the default bus"), "{u}");
    let r = route(u, "metric-filter");
    assert_eq!(r["arrived"], true);
    let names: Vec<&str> = r["links"].as_array().unwrap().iter().map(|l| l["link"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["cloudtrail-event", "metric-data-point", "alarm-state", "alarm-action", "sns-delivery", "subscribers"]
    );
    for l in r["links"].as_array().unwrap() {
        assert_eq!(l["state"], "happened", "{l}");
    }
    // Latencies are measured, in order.
    let lat: Vec<f64> = r["links"].as_array().unwrap().iter().filter_map(|l| l["latency_seconds"].as_f64()).collect();
    assert_eq!(lat.len(), 6, "{r}");
    assert!(lat.windows(2).all(|w| w[0] <= w[1]), "{lat:?}");
    eprintln!("drill 4.10, metric-filter route, latencies: {lat:?}");
    assert!(link(r, "cloudtrail-event")["detail"].as_str().unwrap().contains("ct-logs"));
    assert!(link(r, "alarm-action")["detail"].as_str().unwrap().starts_with("Successfully executed action"));
    let alarm: Value = serde_json::from_str(link(r, "sns-delivery")["message"].as_str().unwrap()).unwrap();
    assert_eq!(alarm["AlarmName"], "sg-changes-alarm");
    assert!(link(r, "subscribers")["detail"].as_str().unwrap().contains("email:secops@example.com"));
    // Every call counted; the drill's writes among them.
    let calls = &out["api_calls"];
    for op in [
        "ec2:CreateSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
        "sqs:CreateQueue",
        "sqs:DeleteQueue",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "logs:FilterLogEvents",
        "sqs:ReceiveMessage",
    ] {
        assert!(calls[op].as_u64().unwrap_or(0) >= 1, "{op}: {calls}");
    }
    assert_eq!(out["cleaned_up"], true);
    nothing_left(acct);
    let total: u64 = calls.as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    eprintln!("drill 4.10: {total} API calls, {:.1} s wall (reported {} s)", wall.as_secs_f64(), out["wall_seconds"]);
    // The account's history now shows the drill: the twin counted the event, the alarm fired,
    // and SNS counted its deliveries (the email subscriber's at least).
    let msg = history_after(acct);
    assert!(msg.contains("operated over 30 days: 4 event(s) counted, alarm fired "), "{msg}");
    assert!(delivered(&msg) >= 1, "{msg}");
}

/// The 4.10 verdict's message of an audit of `acct` (its history over 30 days included).
fn history_after(acct: &str) -> String {
    let r = audit(acct, &["--controls", "4.10", "--regions", "us-east-1", "--format", "json"]);
    assert!(r.code <= 1, "{}\n{}", r.stdout, r.stderr);
    control(&r.json(), "4.10")["message"].as_str().unwrap().to_string()
}

/// N of "N notification(s) delivered" in a history summary.
fn delivered(msg: &str) -> u64 {
    let end = msg.find(" notification(s) delivered").unwrap_or_else(|| panic!("no deliveries in: {msg}"));
    let start = msg[..end].rfind(' ').map(|i| i + 1).unwrap_or(0);
    msg[start..end].parse().unwrap_or_else(|_| panic!("{msg}"))
}

/// Seeds `spec`, drills 4.10 with a short timeout, and returns its one unit.
fn stops(acct: &str, spec: &Value) -> Value {
    seed(spec);
    let (code, out) = drill(acct, "8s", &["--controls", "4.10"]);
    assert_eq!(code, 1, "{out:#}");
    assert_eq!(out["cleaned_up"], true);
    nothing_left(acct);
    unit(&out).clone()
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_filter_that_misses_the_event_stops_the_drill_at_the_metric() {
    let acct = "450000000002";
    let mut spec = compliant_spec(acct);
    spec["metric_filters"][0]["pattern"] = json!("{ $.eventName = ModifySecurityGroupRules }");
    let u = stops(acct, &spec);
    let r = route(&u, "metric-filter");
    assert_eq!(r["stopped_at"], "metric-data-point", "{u:#}");
    assert_eq!(link(r, "cloudtrail-event")["state"], "happened");
    assert_eq!(link(r, "metric-data-point")["state"], "missed");
    assert_eq!(link(r, "alarm-state")["state"], "not-reached");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn an_alarm_with_actions_disabled_stops_the_drill_at_the_action() {
    let acct = "450000000003";
    let mut spec = compliant_spec(acct);
    spec["alarms"][0]["actions_enabled"] = json!(false);
    let u = stops(acct, &spec);
    let r = route(&u, "metric-filter");
    assert_eq!(r["stopped_at"], "alarm-action", "{u:#}");
    assert_eq!(link(r, "alarm-state")["state"], "happened");
    let a = link(r, "alarm-action");
    assert_eq!(a["state"], "failed");
    assert!(a["detail"].as_str().unwrap().contains("actions are disabled"), "{a}");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_topic_policy_that_denies_cloudwatch_stops_the_drill_at_the_action_with_the_failure() {
    let acct = "450000000004";
    let mut spec = compliant_spec(acct);
    spec["topics"][0]["policy"] = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "{topic_arn}",
         "Condition": {"StringEquals": {"AWS:SourceOwner": "{account}"}}},
        {"Effect": "Deny", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": "{topic_arn}"}]});
    let u = stops(acct, &spec);
    let r = route(&u, "metric-filter");
    assert_eq!(r["stopped_at"], "alarm-action", "{u:#}");
    let a = link(r, "alarm-action");
    assert_eq!(a["state"], "failed");
    assert!(a["detail"].as_str().unwrap().starts_with("Failed to execute action"), "{a}");
    assert_eq!(link(r, "sns-delivery")["state"], "not-reached");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_subscriber_whose_filter_policy_rejects_the_delivered_alarm_stops_the_drill_at_the_subscribers() {
    let acct = "450000000005";
    let mut spec = compliant_spec(acct);
    spec["topics"][0]["subscriptions"][0]["filter_policy"] = json!({"severity": ["high"]});
    let u = stops(acct, &spec);
    let r = route(&u, "metric-filter");
    // The drill's own queue (no filter policy) got it; the user's subscriber would not.
    assert_eq!(link(r, "sns-delivery")["state"], "happened", "{u:#}");
    assert_eq!(r["stopped_at"], "subscribers");
    let s = link(r, "subscribers");
    assert_eq!(s["state"], "failed");
    assert!(s["detail"].as_str().unwrap().contains(r#"{"severity": ["high"]}"#), "{s}");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_topic_without_a_confirmed_subscriber_stops_the_drill_at_the_subscribers() {
    let acct = "450000000006";
    let mut spec = compliant_spec(acct);
    spec["topics"][0]["subscriptions"][0]["confirm"] = json!(false);
    let u = stops(acct, &spec);
    let r = route(&u, "metric-filter");
    assert_eq!(r["stopped_at"], "subscribers", "{u:#}");
    let s = link(r, "subscribers");
    assert!(s["detail"].as_str().unwrap().contains("no confirmed subscriber"), "{s}");
    assert!(s["detail"].as_str().unwrap().contains("1 pending confirmation"), "{s}");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn network_acl_and_route_table_drills_arrive() {
    let acct = "450000000007";
    let mut spec = compliant_spec(acct);
    let nacl = "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }";
    let rtb = "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }";
    let filters = spec["metric_filters"].as_array_mut().unwrap();
    filters.push(json!({"region": "us-east-1", "log_group": "ct-logs", "name": "nacl", "pattern": nacl, "metric_name": "NaclChanges"}));
    filters.push(json!({"region": "us-east-1", "log_group": "ct-logs", "name": "rtb", "pattern": rtb, "metric_name": "RouteTableChanges"}));
    let alarms = spec["alarms"].as_array_mut().unwrap();
    alarms.push(
        json!({"region": "us-east-1", "name": "nacl-alarm", "metric_name": "NaclChanges", "topic": "cis-alarms"}),
    );
    alarms.push(
        json!({"region": "us-east-1", "name": "rtb-alarm", "metric_name": "RouteTableChanges", "topic": "cis-alarms"}),
    );
    seed(&spec);
    let (code, out) = drill(acct, "60s", &["--controls", "4.11,4.13"]);
    assert_eq!(code, 0, "{out:#}");
    let units = out["units"].as_array().unwrap();
    assert_eq!(units.len(), 2);
    let res: Vec<&str> = units.iter().map(|u| u["resource"].as_str().unwrap()).collect();
    assert!(res[0].starts_with("acl-") && res[1].starts_with("rtb-"), "{res:?}");
    assert!(units.iter().all(|u| u["arrived"] == true), "{out:#}");
    nothing_left(acct);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn without_a_terminal_or_yes_the_drill_refuses_and_changes_nothing() {
    let acct = "450000000008";
    seed(&compliant_spec(acct));
    let mut c = drill_command(acct, "10s");
    c.stdin(Stdio::null());
    let r = run(c);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("refusing to drill") && r.stderr.contains("--yes"), "{}", r.stderr);
    assert!(r.stdout.contains("Drill plan:") && r.stdout.contains("192.0.2.0/24"), "{}", r.stdout);
    assert!(!std::path::Path::new(&journal(acct)).exists(), "no journal: nothing was changed");
    nothing_left(acct);
    // A control without a harmless change is refused by name.
    let mut c = drill_command(acct, "10s");
    c.args(["--controls", "4.3", "--yes"]);
    let r = run(c);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be drilled") && r.stderr.contains("security-group-changes"), "{}", r.stderr);
}

/// Starts a drill in the background whose CreateSecurityGroup the harness holds for a while.
fn start_held(acct: &str) -> Child {
    seed(&compliant_spec(acct));
    let (st, _) = harness(
        "POST",
        "/_harness/faults",
        &json!({"operation": "CreateSecurityGroup", "account_id": acct, "delay_ms": 2500, "pass_through": true, "times": 1}),
    );
    assert_eq!(st, 200);
    let mut c = drill_command(acct, "60s");
    c.args(["--yes", "--controls", "4.10"]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("start cis-audit drill");
    let t = Instant::now();
    loop {
        let (_, v) = harness("GET", "/_harness/faults", &json!({}));
        let held = v["delaying"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["operation"] == "CreateSecurityGroup" && x["account_id"] == acct));
        if held {
            return child;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the drill ended ({status}) before CreateSecurityGroup was in flight");
        }
        assert!(t.elapsed() < Duration::from_secs(60), "CreateSecurityGroup never came in flight");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_released(acct: &str) {
    let t = Instant::now();
    loop {
        let (_, v) = harness("GET", "/_harness/faults", &json!({}));
        if !v["delaying"].as_array().is_some_and(|d| d.iter().any(|x| x["account_id"] == acct)) {
            return;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "the held call was never released");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_drill_killed_mid_change_is_cleaned_up_by_rollback() {
    let acct = "450000000009";
    let mut child = start_held(acct);
    child.kill().unwrap(); // SIGKILL while the group is being created
    assert_eq!(child.wait().unwrap().code(), None);
    wait_released(acct);
    // The queue, its subscription and the group are all there, and journaled.
    let l = leftovers(acct);
    assert_eq!(l["security_groups"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(l["queues"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(l["sqs_subscriptions"].as_array().unwrap().len(), 1, "{l}");
    let j: Value = serde_json::from_str(&std::fs::read_to_string(journal(acct)).unwrap()).unwrap();
    let states: Vec<(&str, &str)> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"]["type"].as_str().unwrap(), e["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [("CreateDrillQueue", "done"), ("Subscribe", "done"), ("CreateDrillResource", "started")],
        "{j}"
    );
    let r = rollback(acct, &journal(acct));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    nothing_left(acct);
    // Twice is harmless.
    assert_eq!(rollback(acct, &journal(acct)).code, 0);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_drill_interrupted_with_ctrl_c_cleans_up_itself() {
    let acct = "450000000010";
    let mut child = start_held(acct);
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    use std::io::Read;
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    wait_released(acct);
    nothing_left(acct);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn an_iam_policy_drill_arrives_and_deletes_its_policy() {
    let acct = "450000000011";
    let mut spec = compliant_spec(acct);
    let pattern = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";
    spec["metric_filters"].as_array_mut().unwrap().push(
        json!({"region": "us-east-1", "log_group": "ct-logs", "name": "iam", "pattern": pattern, "metric_name": "IAMPolicyChanges"}),
    );
    spec["alarms"].as_array_mut().unwrap().push(
        json!({"region": "us-east-1", "name": "iam-alarm", "metric_name": "IAMPolicyChanges", "topic": "cis-alarms"}),
    );
    seed(&spec);
    // IAM is global: one drill whatever --regions says.
    let (code, out) = drill(acct, "60s", &["--controls", "4.4", "--regions", "us-east-1,eu-west-1"]);
    assert_eq!(code, 0, "{out:#}");
    let u = unit(&out);
    assert_eq!(u["arrived"], true, "{u:#}");
    let arn = u["resource"].as_str().unwrap();
    assert!(arn.starts_with(&format!("arn:aws:iam::{acct}:policy/cis-audit-drill-")), "{arn}");
    for op in ["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"] {
        assert_eq!(out["api_calls"][op], 1, "{op}: {}", out["api_calls"]);
    }
    // The policy is gone.
    let e = emu();
    let script = r#"
import boto3, sys
ep, acct = sys.argv[1], sys.argv[2]
c = boto3.client("sts", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
cr = c.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/check", RoleSessionName="check")["Credentials"]
iam = boto3.client("iam", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=cr["AccessKeyId"],
                   aws_secret_access_key=cr["SecretAccessKey"], aws_session_token=cr["SessionToken"])
print(len([p for p in iam.list_policies(Scope="Local")["Policies"] if p["PolicyName"].startswith("cis-audit-drill")]))
"#;
    let o = Command::new(&e.python).args(["-c", script, &e.endpoint, acct]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "0", "{}", String::from_utf8_lossy(&o.stderr));
    nothing_left(acct);
}

/// The pattern of a rule for 4.10's events.
fn sg_rule_pattern(names: &[&str]) -> Value {
    json!({"source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"],
           "detail": {"eventSource": ["ec2.amazonaws.com"], "eventName": names}})
}

/// Seed 003's sentence for security groups (4.10's own, as `--route eventbridge` sets it).
fn sentence_target(topic: &str) -> Value {
    json!({"topic": topic, "input_transformer": {
        "InputPathsMap": {"username": "$.detail.userIdentity.arn", "changetype": "$.detail.eventName",
                          "sgid": "$.detail.requestParameters.groupId", "region": "$.detail.awsRegion"},
        "InputTemplate": "\"The user <username> has initiated <changetype> for Security Group with id <sgid> in <region>.\""}})
}

/// A topic policy letting EventBridge publish (and, with `alarms`, the account's CloudWatch alarms).
fn topic_policy(alarms: bool) -> Value {
    let mut statements =
        vec![json!({"Sid": "AWSEvents", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                     "Action": "sns:Publish", "Resource": "{topic_arn}"})];
    if alarms {
        statements.push(
            json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "{topic_arn}",
                               "Condition": {"StringEquals": {"AWS:SourceOwner": "{account}"}}}),
        );
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// 4.10's EventBridge route alone in us-east-1: the trail (which also delivers to the log group
/// ct-logs, with no metric filter there), a rule matching the control's events, its input
/// transformer's sentence sent to topic sg-realtime, a confirmed email subscriber.
fn rule_spec(acct: &str) -> Value {
    let mut spec = compliant_spec(acct);
    spec["metric_filters"] = json!([]);
    spec["alarms"] = json!([]);
    spec["topics"] = json!([{"region": "us-east-1", "name": "sg-realtime", "policy": topic_policy(false),
        "subscriptions": [{"protocol": "email", "endpoint": "secops@example.com", "confirm": true}]}]);
    spec["event_rules"] = json!([{"region": "us-east-1", "name": "sg-changes", "pattern": sg_rule_pattern(&SG_EVENTS),
                                  "targets": [sentence_target("sg-realtime")]}]);
    spec
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_drill_on_the_eventbridge_route_arrives_link_by_link_with_the_delivered_sentence() {
    let acct = "450000000012";
    seed(&rule_spec(acct));
    let (code, out) = drill(acct, "60s", &["--controls", "4.10"]);
    assert_eq!(code, 0, "{out:#}");
    let u = unit(&out);
    assert_eq!(u["arrived"], true, "{u:#}");
    let sg = u["resource"].as_str().unwrap();
    // The metric-filter route is not wired to an alert here: named, not followed.
    assert_eq!(routes(u), ["eventbridge"]);
    assert!(u["not_followed"].to_string().contains("the metric-filter route"), "{u}");
    let r = route(u, "eventbridge");
    assert_eq!(r["arrived"], true, "{r:#}");
    assert!(
        r["chain"].as_str().unwrap().starts_with("trail main → EventBridge rule sg-changes (us-east-1, ENABLED)"),
        "{r}"
    );
    let names: Vec<&str> = r["links"].as_array().unwrap().iter().map(|l| l["link"].as_str().unwrap()).collect();
    assert_eq!(names, ["cloudtrail-event", "rule-matched", "rule-invocation", "sns-delivery", "subscribers"]);
    let lat: Vec<f64> = r["links"].as_array().unwrap().iter().filter_map(|l| l["latency_seconds"].as_f64()).collect();
    assert_eq!(lat.len(), 5, "{r:#}");
    assert!(lat.windows(2).all(|w| w[0] <= w[1]), "{lat:?}");
    eprintln!("drill 4.10, EventBridge route, latencies: {lat:?}");
    for l in r["links"].as_array().unwrap() {
        assert_eq!(l["state"], "happened", "{l}");
    }
    assert!(link(r, "cloudtrail-event")["detail"]
        .as_str()
        .unwrap()
        .contains(&format!("naming {sg} in log group ct-logs")));
    let matched = link(r, "rule-matched")["detail"].as_str().unwrap();
    let invoked = link(r, "rule-invocation")["detail"].as_str().unwrap();
    assert!(matched.contains("TriggeredRules") || matched.contains("shown by"), "{matched}");
    assert!(invoked.contains("Invocations") || invoked.contains("shown by"), "{invoked}");
    // The sentence a person reads, as EventBridge's input transformer wrote it.
    let message = link(r, "sns-delivery")["message"].as_str().unwrap();
    let user = format!("arn:aws:sts::{acct}:assumed-role/caller/cis-audit");
    assert!(message.starts_with(&format!("\"The user {user} has initiated ")), "{message}");
    assert!(message.ends_with(&format!(" for Security Group with id {sg} in us-east-1.\"")), "{message}");
    assert!(link(r, "subscribers")["detail"].as_str().unwrap().contains("email:secops@example.com"));
    let calls = &out["api_calls"];
    for op in ["cloudwatch:GetMetricData", "sqs:ReceiveMessage", "sqs:CreateQueue", "sns:Subscribe", "sns:Unsubscribe"]
    {
        assert!(calls[op].as_u64().unwrap_or(0) >= 1, "{op}: {calls}");
    }
    assert_eq!(out["cleaned_up"], true);
    nothing_left(acct);
    let total: u64 = calls.as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    eprintln!("drill 4.10 (EventBridge route): {total} API calls, reported {} s", out["wall_seconds"]);

    // The account's history after the drill: the rule matched the four calls (create, authorize,
    // revoke, delete), invoked its target each time, and SNS delivered.
    let msg = history_after(acct);
    assert!(msg.contains("operated over 30 days: 4 event(s) matched, 4 invocation(s), "), "{msg}");
    assert!(delivered(&msg) >= 4, "{msg}");

    // As text: the plan names the route it follows, the report shows the sentence.
    let mut c = drill_command(acct, "60s");
    c.args(["--yes", "--controls", "4.10"]);
    let t = run(c);
    assert_eq!(t.code, 0, "{}\n{}", t.stdout, t.stderr);
    assert!(
        t.stdout.contains("follows the EventBridge route: trail main → EventBridge rule sg-changes"),
        "{}",
        t.stdout
    );
    assert!(t.stdout.contains("does not follow the metric-filter route"), "{}", t.stdout);
    assert!(t.stdout.contains(&format!("message delivered: The user {user} has initiated ")), "{}", t.stdout);
    assert!(t.stdout.contains("ARRIVED"), "{}", t.stdout);
    nothing_left(acct);
}

/// Seeds `spec`, drills 4.10 with a short timeout; its one unit's EventBridge route.
fn rule_stops(acct: &str, spec: &Value) -> (Value, Value) {
    seed(spec);
    let (code, out) = drill(acct, "8s", &["--controls", "4.10"]);
    assert_eq!(code, 1, "{out:#}");
    assert_eq!(out["cleaned_up"], true);
    nothing_left(acct);
    let u = unit(&out);
    assert_eq!(u["arrived"], false);
    (route(u, "eventbridge").clone(), out)
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_rule_whose_pattern_misses_the_change_stops_the_drill_at_the_rule() {
    let acct = "450000000013";
    let mut spec = rule_spec(acct);
    // The rule catches only ModifySecurityGroupRules: the drill's calls never match it.
    spec["event_rules"][0]["pattern"] = sg_rule_pattern(&["ModifySecurityGroupRules"]);
    let (r, _) = rule_stops(acct, &spec);
    assert_eq!(r["stopped_at"], "rule-matched", "{r:#}");
    assert!(r["chain"].as_str().unwrap().contains("matches only some of the events"), "{r}");
    assert_eq!(link(&r, "cloudtrail-event")["state"], "happened");
    assert_eq!(link(&r, "rule-matched")["state"], "missed");
    assert_eq!(link(&r, "rule-invocation")["state"], "not-reached");
    assert_eq!(link(&r, "sns-delivery")["state"], "not-reached");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_disabled_rule_stops_the_drill_at_the_rule_at_once() {
    let acct = "450000000014";
    let mut spec = rule_spec(acct);
    spec["event_rules"][0]["state"] = json!("DISABLED");
    let (r, out) = rule_stops(acct, &spec);
    assert_eq!(r["stopped_at"], "rule-matched", "{r:#}");
    let m = link(&r, "rule-matched");
    assert_eq!(m["state"], "failed");
    assert!(m["detail"].as_str().unwrap().contains("rule sg-changes is DISABLED"), "{m}");
    // The audit reads no disabled rule's targets: the drill does, for that rule only.
    assert_eq!(out["api_calls"]["events:ListTargetsByRule"], 1, "{}", out["api_calls"]);
    // It stopped at once, not at the timeout.
    assert!(out["wall_seconds"].as_f64().unwrap() < 8.0, "{}", out["wall_seconds"]);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_topic_that_does_not_let_eventbridge_publish_stops_the_drill_at_the_invocation() {
    let acct = "450000000015";
    let mut spec = rule_spec(acct);
    // The account's own principals only (moto's default policy): not events.amazonaws.com.
    spec["topics"][0]["policy"] = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "{topic_arn}",
         "Condition": {"StringEquals": {"AWS:SourceOwner": "{account}"}}}]});
    let (r, _) = rule_stops(acct, &spec);
    assert_eq!(r["stopped_at"], "rule-invocation", "{r:#}");
    assert_eq!(link(&r, "rule-matched")["state"], "happened");
    let i = link(&r, "rule-invocation");
    assert_eq!(i["state"], "failed");
    let d = i["detail"].as_str().unwrap();
    // Each of the drill's calls the rule matched failed (as many as had arrived when it looked).
    assert!(
        d.starts_with("AWS/Events FailedInvocations ")
            && d.contains("EventBridge could not publish to")
            && d.contains("sg-realtime"),
        "{d}"
    );
    // The audit's own reading of the topic policy is named beside the figures.
    assert!(d.contains("the audit found the route broken"), "{d}");
    assert_eq!(link(&r, "sns-delivery")["state"], "not-reached");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn with_both_routes_the_drill_follows_both_and_arrives_only_if_both_deliver() {
    // Both routes notify the same topic: one queue, shared.
    let acct = "450000000016";
    let mut spec = compliant_spec(acct);
    spec["topics"][0]["policy"] = topic_policy(true);
    spec["event_rules"] = json!([{"region": "us-east-1", "name": "sg-changes", "pattern": sg_rule_pattern(&SG_EVENTS),
                                  "targets": [sentence_target("cis-alarms")]}]);
    seed(&spec);
    let (code, out) = drill(acct, "60s", &["--controls", "4.10"]);
    assert_eq!(code, 0, "{out:#}");
    let u = unit(&out);
    assert_eq!(routes(u), ["metric-filter", "eventbridge"]);
    assert_eq!(u["arrived"], true, "{u:#}");
    assert!(u.get("not_followed").is_none(), "{u}");
    let alarm: Value =
        serde_json::from_str(link(route(u, "metric-filter"), "sns-delivery")["message"].as_str().unwrap()).unwrap();
    let sentence = link(route(u, "eventbridge"), "sns-delivery")["message"].as_str().unwrap().to_string();
    assert_eq!(alarm["AlarmName"], "sg-changes-alarm", "{alarm}");
    assert!(sentence.starts_with("\"The user "), "{sentence}");
    assert_eq!(out["api_calls"]["sqs:CreateQueue"], 1, "one queue for the shared topic: {}", out["api_calls"]);
    nothing_left(acct);

    // The rule's topic refuses EventBridge: the alarm still alerts, the drill does not arrive.
    let acct = "450000000017";
    let mut spec = compliant_spec(acct);
    spec["topics"].as_array_mut().unwrap().push(json!({"region": "us-east-1", "name": "sg-realtime",
        "subscriptions": [{"protocol": "email", "endpoint": "secops@example.com", "confirm": true}]}));
    spec["event_rules"] = json!([{"region": "us-east-1", "name": "sg-changes", "pattern": sg_rule_pattern(&SG_EVENTS),
                                  "targets": [sentence_target("sg-realtime")]}]);
    seed(&spec);
    let (code, out) = drill(acct, "8s", &["--controls", "4.10"]);
    assert_eq!(code, 1, "{out:#}");
    let u = unit(&out);
    assert_eq!(u["arrived"], false);
    assert_eq!(route(u, "metric-filter")["arrived"], true, "{u:#}");
    assert_eq!(route(u, "eventbridge")["stopped_at"], "rule-invocation", "{u:#}");
    assert_eq!(out["api_calls"]["sqs:CreateQueue"], 2, "a queue per topic: {}", out["api_calls"]);
    nothing_left(acct);
}
