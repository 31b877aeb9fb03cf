//! What a scheduled job relies on, end to end against the AWS emulator (run via scripts/test):
//! `--baseline` and `--fail-on new`, `[[suppress]]`, the configuration file and its precedence,
//! custom `[[control]]`s, `merge`, `--quiet`. Each test uses its own accounts (25000000000N).

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cis-audit-jobs-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.display().to_string()
}

/// Runs boto3 code against the emulator as `account` (`c(service, region)` makes a client).
fn boto(account: &str, code: &str) {
    let e = emu();
    let script = format!(
        r#"
import boto3, sys
sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
k = sts.assume_role(RoleArn=f"arn:aws:iam::{{sys.argv[2]}}:role/admin", RoleSessionName="cis-audit-test")["Credentials"]
def c(service, region="us-east-1"):
    return boto3.client(service, endpoint_url=sys.argv[1], region_name=region,
                        aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"],
                        aws_session_token=k["SessionToken"])
{code}
"#
    );
    let out = Command::new(&e.python).args(["-c", &script, &e.endpoint, account]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `cis-audit audit` as `account`, with nothing added (no --regions): for configuration tests.
fn bare(account: &str, cwd: Option<&Path>, extra: &[&str]) -> Run {
    let mut c = audit_command(account);
    c.args(extra);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    run(c)
}

fn change_of<'a>(r: &'a Value, control: &str, region: Option<&str>) -> &'a str {
    r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == control && c["region"].as_str() == region)
        .unwrap_or_else(|| panic!("no {control} {region:?} in {r}"))["change"]
        .as_str()
        .unwrap()
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_baseline_shows_a_fix_and_a_regression_and_fail_on_new_gates_regressions() {
    let acct = "250000000001";
    let mut spec = compliant_spec(acct);
    spec["config"].as_array_mut().unwrap().truncate(1); // no recorder in eu-west-1
    seed(&spec);
    let d = dir("baseline");
    let base = d.join("night-1.json").display().to_string();
    let r = audit(acct, &["--controls", "3.3,4.10", "--format", "json", "--output", &base]);
    assert_eq!(r.code, 1, "{}", r.stderr);

    // Overnight: someone fixes AWS Config in eu-west-1, someone deletes the 4.10 alarm.
    seed(&json!({"account": acct, "config": [{"region": "eu-west-1", "recorder": "default", "include_global": false,
        "delivery_channel": {"name": "default", "bucket": "config-eu-{account}"}}]}));
    boto(acct, r#"c("cloudwatch").delete_alarms(AlarmNames=["sg-changes-alarm"])"#);

    let night2 = d.join("night-2.json").display().to_string();
    let r = audit(acct, &["--controls", "3.3,4.10", "--format", "json", "--output", &night2, "--baseline", &base]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(&night2).unwrap()).unwrap();
    assert_eq!(change_of(&rep, "3.3", Some("eu-west-1")), "fixed");
    assert_eq!(change_of(&rep, "3.3", Some("us-east-1")), "unchanged");
    assert_eq!(change_of(&rep, "4.10", None), "new");
    let b = &rep["baseline"];
    assert_eq!(
        (b["new"].as_u64(), b["fixed"].as_u64(), b["still_failing"].as_u64(), b["gone"].as_u64()),
        (Some(1), Some(1), Some(0), Some(0)),
        "{b}"
    );
    let base_rep: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(b["generated_at"], base_rep["generated_at"]);
    assert!(r.stderr.contains("since the baseline: 1 new, 1 fixed"), "{}", r.stderr);
    // The regression fails the gate.
    let r = audit(acct, &["--controls", "3.3,4.10", "--format", "json", "--baseline", &base, "--fail-on", "new"]);
    assert_eq!(r.code, 1);

    // The next night nothing changed: 4.10 is still failing, not new; the gate passes.
    let r = audit(acct, &["--controls", "3.3,4.10", "--baseline", &night2, "--fail-on", "new", "--format", "markdown"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("| Change |") && r.stdout.contains("| still-failing |"), "{}", r.stdout);
    let r = audit(acct, &["--controls", "3.3,4.10", "--baseline", &night2]);
    assert_eq!(r.code, 1, "without --fail-on new every FAIL counts");
    assert!(r.stdout.contains("still-failing"), "the table shows the change: {}", r.stdout);

    // Not a report: exit 2, one line.
    let junk = write(&d.join("junk.json"), "{\"schema_version\": \"1.1\", \"controls\": 3}");
    let r = audit(acct, &["--controls", "3.3", "--baseline", &junk]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("junk.json is not a valid cis-audit report"), "{}", r.stderr);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn suppressions_apply_until_they_expire_and_say_when_they_match_nothing() {
    let acct = "250000000002";
    let mut spec = compliant_spec(acct);
    spec.as_object_mut().unwrap().remove("alarms"); // 4.10 fails: no alarm
    seed(&spec);
    let d = dir("suppress");
    let cfg = |name: &str, text: &str| write(&d.join(name), text);

    let ok = cfg(
        "ok.toml",
        &format!("[[suppress]]\ncontrol = \"4.10\"\naccount = \"{acct}\"\nreason = \"alerts go through the SIEM\"\nexpires = 2999-12-31\n"),
    );
    let r = audit(acct, &["--controls", "3.1,4.10", "--config", &ok, "--format", "json"]);
    assert_eq!(r.code, 0, "a suppressed FAIL does not count: {}", r.stderr);
    let c = control(&r.json(), "4.10").clone();
    assert_eq!(c["status"], "FAIL", "it keeps its status");
    assert_eq!(c["suppressed"], json!({"reason": "alerts go through the SIEM", "expires": "2999-12-31"}));
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert!(r.stderr.contains("(1 suppressed)"), "{}", r.stderr);
    let r = audit(acct, &["--controls", "4.10", "--config", &ok]);
    assert!(r.stdout.contains("FAIL (suppressed)") && r.stdout.contains("alerts go through the SIEM"), "{}", r.stdout);

    let expired = cfg(
        "expired.toml",
        "\n[[suppress]]\ncontrol = \"4.10\"\nreason = \"until the migration\"\nexpires = 2020-01-31\n",
    );
    let r = audit(acct, &["--controls", "4.10", "--config", &expired, "--format", "json"]);
    assert_eq!(r.code, 1);
    assert!(control(&r.json(), "4.10")["suppressed"].is_null());
    assert!(r.stderr.contains("expired.toml:2") && r.stderr.contains("expired on 2020-01-31"), "{}", r.stderr);

    let other = cfg(
        "other.toml",
        "[[suppress]]\ncontrol = \"4.10\"\naccount = \"999999999999\"\nreason = \"another account\"\n",
    );
    // A suppression for an account this run does not audit is not "unmatched": the run that
    // audits that account says whether it matches.
    let r = audit(acct, &["--controls", "4.10", "--config", &other]);
    assert_eq!(r.code, 1);
    assert!(!r.stderr.contains("matched nothing") && !r.stderr.contains("warning"), "{}", r.stderr);
    let mine = cfg(
        "mine.toml",
        &format!("[[suppress]]\ncontrol = \"4.10\"\naccount = \"{acct}\"\nregion = \"eu-west-1\"\nreason = \"r\"\n"),
    );
    let r = audit(acct, &["--controls", "4.10", "--config", &mine]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!("suppression of 4.10 (account {acct}, eu-west-1) at"))
            && r.stderr.contains("matched nothing"),
        "{}",
        r.stderr
    );

    let no_reason = cfg("no-reason.toml", "regions = [\"us-east-1\"]\n\n[[suppress]]\ncontrol = \"4.10\"\n");
    let r = audit(acct, &["--controls", "4.10", "--config", &no_reason]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-reason.toml:3:1") && r.stderr.contains("missing field `reason`"), "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);

    let unknown = cfg("unknown.toml", "[[suppress]]\ncontrol = \"4.99\"\nreason = \"typo\"\n");
    let r = audit(acct, &["--controls", "4.10", "--config", &unknown]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown.toml:2:11") && r.stderr.contains("'4.99'"), "{}", r.stderr);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn the_configuration_file_gives_defaults_and_a_flag_always_wins() {
    let acct = "250000000003";
    seed(&compliant_spec(acct));
    let d = dir("config");
    write(
        &d.join("cis-audit.toml"),
        "# nightly job\nregions = [\"us-east-1\"]\ncontrols = [\"3.1\", \"3.3\"]\nformat = \"json\"\n",
    );
    // ./cis-audit.toml is read when present.
    let r = bare(acct, Some(d.as_path()), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep = r.json();
    assert_eq!(rep["scope"][0]["regions"], json!(["us-east-1"]));
    let ids: Vec<String> = verdicts(&rep)
        .into_iter()
        .map(|v| format!("{}{}", v.0, v.1.map(|r| format!("@{r}")).unwrap_or_default()))
        .collect();
    assert_eq!(ids, ["3.1", "3.3@us-east-1"]);
    // Flags win over the file.
    let r = bare(
        acct,
        Some(d.as_path()),
        &["--regions", "us-east-1,eu-west-1", "--controls", "3.3", "--format", "markdown"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("# CIS"), "{}", r.stdout);
    assert!(
        r.stdout.contains("| 3.3 |") && r.stdout.contains("eu-west-1") && !r.stdout.contains("| 3.1 |"),
        "{}",
        r.stdout
    );
    // --config names another file; a bad key is refused with its line.
    let bad = write(&d.join("bad.toml"), "regions = [\"us-east-1\"]\nregion_list = [\"eu-west-1\"]\n");
    let r = bare(acct, Some(d.as_path()), &["--config", &bad]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.toml:2:1: unknown field `region_list`"), "{}", r.stderr);
    let r = bare(acct, None, &["--config", &d.join("missing.toml").display().to_string()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read configuration"), "{}", r.stderr);
    let typo = write(&d.join("typo.toml"), "controls = [\"3.1\", \"3.33\"]\n");
    let r = bare(acct, None, &["--config", &typo]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("typo.toml:1:12") && r.stderr.contains("3.33"), "{}", r.stderr);
}

const EC2_EVENTS: [&str; 4] = ["RunInstances", "StartInstances", "StopInstances", "TerminateInstances"];

fn ec2_config(d: &Path) -> String {
    write(
        &d.join("ec2.toml"),
        r#"
[[control]]
id = "x.ec2-instances"
title = "Ensure EC2 instance state changes are monitored"
event_source = "ec2.amazonaws.com"
events = ["RunInstances", "StartInstances", "StopInstances", "TerminateInstances"]
regions = ["us-east-1"]
"#,
    )
}

/// A filter with `pattern` on the trail's log group and an alarm on its metric, beside the
/// compliant account's 4.10 chain.
fn add_ec2_alarm(spec: &mut Value, pattern: &str) {
    spec["metric_filters"].as_array_mut().unwrap().push(json!({"region": "us-east-1", "log_group": "ct-logs",
        "name": "ec2", "pattern": pattern, "metric_name": "Ec2Changes", "namespace": "CISBenchmark"}));
    spec["alarms"].as_array_mut().unwrap().push(json!({"region": "us-east-1", "name": "ec2-alarm",
        "metric_name": "Ec2Changes", "namespace": "CISBenchmark", "topic": "cis-alarms"}));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_custom_control_passes_through_a_metric_filter_or_an_eventbridge_rule() {
    let d = dir("custom");
    let cfg = ec2_config(&d);
    let names: Vec<String> = EC2_EVENTS.iter().map(|e| format!("($.eventName = {e})")).collect();
    let full = format!("{{ ($.eventSource = ec2.amazonaws.com) && ({}) }}", names.join(" || "));

    // A: the metric-filter chain.
    let a = "250000000004";
    let mut spec = compliant_spec(a);
    add_ec2_alarm(&mut spec, &full);
    seed(&spec);
    let r = audit(a, &["--controls", "x.ec2-instances", "--config", &cfg, "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let c = control(&r.json(), "x.ec2-instances").clone();
    assert_eq!((c["status"].as_str(), c["custom"].as_bool()), (Some("PASS"), Some(true)), "{c}");

    // B: the EventBridge route, in the control's one region, to a topic EventBridge may publish to.
    let b = "250000000005";
    seed(&json!({
        "account": b,
        "trails": [{"name": "main", "region": "us-east-1", "bucket": "trail-{account}", "multi_region": true,
                    "logging": true, "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}],
        "topics": [{"region": "us-east-1", "name": "ec2-alerts",
                    "policy": {"Version": "2012-10-17", "Statement": [{"Sid": "events", "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": "{topic_arn}"}]},
                    "subscriptions": [{"protocol": "email", "endpoint": "ops@example.com", "confirm": true}]}],
        "event_rules": [{"region": "us-east-1", "name": "ec2-state",
            "pattern": {"source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"],
                        "detail": {"eventSource": ["ec2.amazonaws.com"], "eventName": EC2_EVENTS}},
            "targets": [{"topic": "ec2-alerts", "input_transformer": {
                "InputPathsMap": {"user": "$.detail.userIdentity.arn", "event": "$.detail.eventName"},
                "InputTemplate": "\"<user> called <event>\""}}]}]
    }));
    let r = audit(b, &["--controls", "x.ec2-instances", "--config", &cfg, "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("EventBridge rules deliver these events") && r.stdout.contains("rule ec2-state"),
        "{}",
        r.stdout
    );

    // C: a filter that misses two of the events: FAIL naming them.
    let c_acct = "250000000006";
    let mut spec = compliant_spec(c_acct);
    add_ec2_alarm(&mut spec, "{ ($.eventName = RunInstances) || ($.eventName = StopInstances) }");
    seed(&spec);
    let r = audit(c_acct, &["--controls", "4.10,x.ec2-instances", "--config", &cfg, "--format", "json"]);
    assert_eq!(r.code, 1);
    let rep = r.json();
    assert_eq!(control(&rep, "4.10")["status"], "PASS", "the CIS controls are judged as before");
    let c = control(&rep, "x.ec2-instances");
    assert_eq!(c["status"], "FAIL");
    let text = rep["findings"].to_string();
    assert!(text.contains("StartInstances") && text.contains("TerminateInstances"), "{text}");
    let r = audit(c_acct, &["--controls", "x.ec2-instances", "--config", &cfg]);
    assert!(r.stdout.contains("[custom control, not CIS]"), "{}", r.stdout);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn merge_joins_two_accounts_and_refuses_mixed_benchmark_versions() {
    let (a, b) = ("250000000007", "250000000008");
    seed(&compliant_spec(a));
    let mut spec = compliant_spec(b);
    spec.as_object_mut().unwrap().remove("alarms");
    seed(&spec);
    let d = dir("merge");
    let (ra, rb) = (d.join("a.json").display().to_string(), d.join("b.json").display().to_string());
    assert_eq!(audit(a, &["--controls", "3.1,4.10", "--format", "json", "--output", &ra]).code, 0);
    assert_eq!(audit(b, &["--controls", "3.1,4.10", "--format", "json", "--output", &rb]).code, 1);
    let mut m = bin();
    m.args(["merge", &ra, &rb]);
    let r = run(m);
    assert_eq!(r.code, 1, "the merged verdicts decide: {}", r.stderr);
    let rep = r.json();
    let accounts: Vec<&str> = rep["scope"].as_array().unwrap().iter().map(|s| s["account"].as_str().unwrap()).collect();
    assert_eq!(accounts, [a, b]);
    assert_eq!(rep["controls"].as_array().unwrap().len(), 4);
    let (ja, jb): (Value, Value) = (
        serde_json::from_str(&std::fs::read_to_string(&ra).unwrap()).unwrap(),
        serde_json::from_str(&std::fs::read_to_string(&rb).unwrap()).unwrap(),
    );
    assert_eq!(
        rep["stats"]["api_calls_total"].as_u64().unwrap(),
        ja["stats"]["api_calls_total"].as_u64().unwrap() + jb["stats"]["api_calls_total"].as_u64().unwrap()
    );
    assert!(r.stderr.contains("control verdicts"), "{}", r.stderr);

    // The same account twice: the newer report wins, with a warning.
    let ra2 = d.join("a-again.json").display().to_string();
    assert_eq!(audit(a, &["--controls", "3.1,4.10", "--format", "json", "--output", &ra2]).code, 0);
    let mut m = bin();
    m.args(["merge", &ra, &ra2, "--format", "csv"]);
    let r = run(m);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("2 verdict(s) of") && r.stderr.contains("a-again.json, which is newer"), "{}", r.stderr);
    for row in ["\n3.1,cloudtrail-multi-region,", "\n4.10,security-group-changes,"] {
        assert_eq!(r.stdout.matches(row).count(), 1, "one row each: {}", r.stdout);
    }

    // Another benchmark version: refused, naming both.
    let old = d.join("old.json").display().to_string();
    audit(a, &["--benchmark", "4.0.0", "--controls", "3.1", "--format", "json", "--output", &old]);
    let mut m = bin();
    m.args(["merge", &ra, &old]);
    let r = run(m);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("a.json (CIS v5.0.0)") && r.stderr.contains("old.json (CIS v4.0.0)"), "{}", r.stderr);
    let mut m = bin();
    m.args(["merge", &d.join("nope.json").display().to_string()]);
    let r = run(m);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read report"), "{}", r.stderr);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn quiet_prints_only_the_summary_line() {
    let acct = "250000000009";
    seed(&compliant_spec(acct));
    let d = dir("quiet");
    // 3.1 passes: the suppression is no longer needed, which the run warns about.
    let other = write(&d.join("c.toml"), "[[suppress]]\ncontrol = \"3.1\"\nreason = \"r\"\n");
    let out = d.join("r.json").display().to_string();
    let r = audit(acct, &["--controls", "3.1", "--config", &other, "--format", "json", "--output", &out, "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr.lines().count(), 1, "no warning, no progress: {}", r.stderr);
    assert!(r.stderr.contains("report written to"), "{}", r.stderr);
    let r = audit(acct, &["--controls", "3.1", "--config", &other, "--output", &out]);
    assert!(r.stderr.contains("no longer needed"), "without --quiet the warning shows: {}", r.stderr);
}

/// The verdict of `key` in a report.
fn by_key<'a>(r: &'a Value, key: &str) -> &'a Value {
    r["controls"].as_array().unwrap().iter().find(|c| c["key"] == key).unwrap_or_else(|| panic!("no {key} in {r}"))
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_suppression_follows_its_control_across_benchmark_versions() {
    let acct = "250000000011";
    let mut spec = compliant_spec(acct);
    spec.as_object_mut().unwrap().remove("alarms"); // 4.10 (5.10 in v6) fails; so does 4.1 (5.1)
    seed(&spec);
    let d = dir("identity");
    // Written for v5.0.0: "4.1" is unauthorized API calls there (in v6.0.0, 4.1 is the trail).
    let v5 = write(
        &d.join("v5.toml"),
        "benchmark = \"5.0.0\"\n\n[[suppress]]\ncontrol = \"4.1\"\nreason = \"handled by the SIEM\"\n\n[[suppress]]\ncontrol = \"security-group-changes\"\nreason = \"network team\"\n",
    );
    for (bench, controls, sg_id, api_id) in
        [("5.0.0", "3.1,4.1,4.10", "4.10", "4.1"), ("6.0.0", "4.1,5.1,5.10", "5.10", "5.1")]
    {
        let r = audit(acct, &["--benchmark", bench, "--controls", controls, "--config", &v5, "--format", "json"]);
        assert_eq!(r.code, 0, "v{bench}: both failures are suppressed\n{}", r.stderr);
        let rep = r.json();
        let sg = by_key(&rep, "security-group-changes");
        assert_eq!((sg["control"].as_str(), sg["status"].as_str()), (Some(sg_id), Some("FAIL")));
        assert_eq!(sg["suppressed"]["reason"], "network team", "v{bench}: by key");
        let api = by_key(&rep, "unauthorized-api-calls");
        assert_eq!(api["control"], api_id);
        assert_eq!(api["suppressed"]["reason"], "handled by the SIEM", "v{bench}: the v5 number, through its key");
        let trail = by_key(&rep, "cloudtrail-multi-region");
        assert!(trail["suppressed"].is_null(), "v{bench}: the trail is not what 4.1 of v5.0.0 names");
        let note = "4.1 of CIS v5.0.0 is unauthorized-api-calls, numbered 5.1 in CIS v6.0.0";
        assert_eq!(
            r.stderr.matches(note).count(),
            usize::from(bench == "6.0.0"),
            "once, and only when it differs: {}",
            r.stderr
        );
        assert_eq!(rep["notes"].as_array().map_or(0, |n| n.len()), usize::from(bench == "6.0.0"), "{}", rep["notes"]);
        let uses = rep["policy"]["suppressions"].as_array().unwrap();
        assert_eq!(uses.len(), 2);
        assert!(uses.iter().all(|u| u["applied"] == 1), "{uses:?}");
    }
    // A number only the file's version has: resolved through its key, and ignored (with a
    // warning) by a run whose version lacks the control, instead of stopping the run.
    let only_v5 = write(
        &d.join("only-v5.toml"),
        "benchmark = \"5.0.0\"\n\n[[suppress]]\ncontrol = \"1.12\"\nreason = \"one key per user is enforced elsewhere\"\n",
    );
    let r = audit(acct, &["--benchmark", "7.0.0", "--controls", "5.10", "--config", &only_v5]);
    assert_eq!(r.code, 1, "the run goes on: {}", r.stderr);
    assert!(
        r.stderr.contains("1.12 (iam-one-active-key, read in CIS v5.0.0) is not part of CIS v7.0.0"),
        "{}",
        r.stderr
    );
    // A typo is still an error, at its line and column, in the file's own version.
    let typo =
        write(&d.join("typo.toml"), "benchmark = \"5.0.0\"\n[[suppress]]\ncontrol = \"4.16.1\"\nreason = \"r\"\n");
    let r = audit(acct, &["--benchmark", "6.0.0", "--controls", "5.10", "--config", &typo]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("typo.toml:3:11") && r.stderr.contains("'4.16.1' in CIS v5.0.0"), "{}", r.stderr);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_baseline_of_another_version_is_matched_by_key() {
    let acct = "250000000012";
    let mut spec = compliant_spec(acct);
    spec.as_object_mut().unwrap().remove("alarms");
    seed(&spec);
    let d = dir("baseline-versions");
    let base = d.join("v5.json").display().to_string();
    let r = audit(acct, &["--benchmark", "5.0.0", "--controls", "3.1,4.10", "--format", "json", "--output", &base]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // The next night the job audits CIS v6.0.0: 5.10 is v5.0.0's 4.10, still failing.
    let night2 = d.join("v6.json").display().to_string();
    let r = audit(
        acct,
        &[
            "--benchmark",
            "6.0.0",
            "--controls",
            "4.1,5.10",
            "--baseline",
            &base,
            "--fail-on",
            "new",
            "--format",
            "json",
            "--output",
            &night2,
        ],
    );
    assert_eq!(r.code, 0, "still failing is not new: {}", r.stderr);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(&night2).unwrap()).unwrap();
    assert_eq!(change_of(&rep, "5.10", None), "still-failing");
    assert_eq!(change_of(&rep, "4.1", None), "unchanged", "v6's 4.1 is v5's 3.1");
    assert_eq!(rep["baseline"]["benchmark_version"], "5.0.0");
    assert_eq!((rep["baseline"]["new"].as_u64(), rep["baseline"]["gone"].as_u64()), (Some(0), Some(0)));
    assert!(r.stderr.contains("the baseline") && r.stderr.contains("CIS v5.0.0"), "{}", r.stderr);
    // Merge still refuses reports of two versions: one report names one benchmark.
    let mut m = bin();
    m.args(["merge", &base, &night2]);
    let r = run(m);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("different benchmark versions"), "{}", r.stderr);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn every_format_states_the_exit_status_the_process_exits_with() {
    let acct = "250000000013";
    let mut spec = compliant_spec(acct);
    spec.as_object_mut().unwrap().remove("alarms");
    seed(&spec);
    let d = dir("exit-status");
    let base = d.join("night-1.json").display().to_string();
    let r = audit(acct, &["--controls", "3.1,4.10", "--format", "json", "--output", &base]);
    assert_eq!(r.code, 1);
    // Night 2: 4.10 is still failing, so with --fail-on new the run passes the gate.
    let out = d.join("night-2");
    let out_s = out.display().to_string();
    let r = audit(
        acct,
        &[
            "--controls",
            "3.1,4.10",
            "--baseline",
            &base,
            "--fail-on",
            "new",
            "--format",
            "json,html,markdown",
            "--output-dir",
            &out_s,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(out.join("cis-audit.html")).unwrap();
    assert!(html.contains("Exit status 0:") && !html.contains("Exit status 1"), "the page states the process's status");
    let md = std::fs::read_to_string(out.join("cis-audit.md")).unwrap();
    assert!(md.contains("- Exit status 0: no FAIL is new since the baseline"), "{md}");
    assert!(r.stderr.contains("| exit status 0"), "{}", r.stderr);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(out.join("cis-audit.json")).unwrap()).unwrap();
    assert_eq!(rep["policy"]["exit_status"], 0);
    assert_eq!(rep["policy"]["fail_on"], "new");
    // merge decides the policy again, with its own --fail-on, and states it the same way.
    let merged = d.join("merged.html").display().to_string();
    let mut m = bin();
    m.args([
        "merge",
        &out.join("cis-audit.json").display().to_string(),
        "--fail-on",
        "new",
        "--format",
        "html",
        "--output",
        &merged,
    ]);
    let r = run(m);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read_to_string(&merged).unwrap().contains("Exit status 0:"));
    let mut m = bin();
    m.args(["merge", &out.join("cis-audit.json").display().to_string(), "--format", "markdown"]);
    let r = run(m);
    assert_eq!(r.code, 1, "without --fail-on new every FAIL counts");
    assert!(r.stdout.contains("- Exit status 1:") && r.stderr.contains("| exit status 1"), "{}{}", r.stdout, r.stderr);
}
