//! `audit --send-to-security-hub` against the emulator: the findings land in their account and
//! region, a region without Security Hub is one warning, a second run updates instead of
//! duplicating, and the exit code stays the audit's.

mod common;
use common::*;
use serde_json::{json, Value};
use std::process::Command;

/// The Security Hub findings of `account` in `region`, read with boto3 (as that account).
fn hub_findings(account: &str, region: &str) -> Vec<Value> {
    let e = emu();
    let script = r#"
import json, sys, boto3
from botocore.config import Config
endpoint, account, region = sys.argv[1:4]
cfg = Config(retries={"total_max_attempts": 1})
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", config=cfg,
                   aws_access_key_id="testing", aws_secret_access_key="testing")
c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/check", RoleSessionName="check")["Credentials"]
hub = boto3.client("securityhub", endpoint_url=endpoint, region_name=region, config=cfg,
                   aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                   aws_session_token=c["SessionToken"])
out, token = [], None
while True:
    page = hub.get_findings(**({"NextToken": token} if token else {}))
    out += page["Findings"]
    token = page.get("NextToken")
    if not token:
        break
print(json.dumps(out))
"#;
    let out = Command::new(&e.python).args(["-c", script, &e.endpoint, account, region]).output().unwrap();
    assert!(out.status.success(), "get_findings: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

fn by_control(findings: &[Value]) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["ProductFields"]["cis-audit/ControlId"].as_str().unwrap().to_string(),
                f["Region"].as_str().unwrap().to_string(),
                f["Compliance"]["Status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn findings_go_to_their_region_a_region_without_security_hub_warns_and_a_rerun_updates() {
    let acct = "310000000001";
    let mut spec = compliant_spec(acct);
    // 4.10 FAILs (nobody confirmed the subscription), so the audit exits 1.
    spec["topics"][0]["subscriptions"][0]["confirm"] = json!(false);
    spec["securityhub"] = json!({"regions": ["us-east-1"]});
    seed(&spec);
    let plain = audit(acct, &["--controls", "3.1,3.3,4.10", "--format", "json"]);
    assert_eq!(plain.code, 1, "{}", plain.stderr);

    let r = audit(acct, &["--controls", "3.1,3.3,4.10", "--format", "json", "--send-to-security-hub"]);
    assert_eq!(r.code, plain.code, "the exit code is the audit's: {}", r.stderr);
    eprintln!("{}", r.stderr);
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "one warning, for eu-west-1: {}", r.stderr);
    assert!(warnings[0].contains("eu-west-1") && warnings[0].contains("not enabled"), "{}", warnings[0]);
    assert!(r.stderr.contains("Security Hub: 3 of 4 finding(s) imported"), "{}", r.stderr);
    let rep = r.json();
    let calls = &rep["stats"]["api_calls"];
    assert_eq!(calls["securityhub:DescribeHub"], 2, "one per region: {calls}");
    assert_eq!(calls["securityhub:BatchImportFindings"], 1, "{calls}");

    let first = hub_findings(acct, "us-east-1");
    assert_eq!(
        by_control(&first),
        vec![
            ("3.1".into(), "us-east-1".into(), "PASSED".into()),
            ("3.3".into(), "us-east-1".into(), "PASSED".into()),
            ("4.10".into(), "us-east-1".into(), "FAILED".into()),
        ],
        "the account-level 3.1 and 4.10 go to us-east-1, 3.3 to its own region"
    );
    let f410 = first.iter().find(|f| f["ProductFields"]["cis-audit/ControlId"] == "4.10").unwrap();
    assert_eq!(
        f410["Id"],
        format!("cis-audit/cis-aws-foundations-benchmark/v5.0.0/{acct}/global/security-group-changes")
    );
    assert_eq!(f410["ProductArn"], format!("arn:aws:securityhub:us-east-1:{acct}:product/{acct}/default"));
    assert!(hub_findings(acct, "eu-west-1").is_empty(), "nothing went to eu-west-1");

    // Someone confirms the subscription: the next run updates the same findings.
    let (st, _) = harness(
        "POST",
        "/_harness/sns/confirm",
        &json!({"account_id": acct, "topic_arn": format!("arn:aws:sns:us-east-1:{acct}:cis-alarms")}),
    );
    assert_eq!(st, 200);
    let r = audit(acct, &["--controls", "3.1,3.3,4.10", "--format", "json", "--send-to-security-hub"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let second = hub_findings(acct, "us-east-1");
    assert_eq!(second.len(), 3, "updated, not duplicated: {second:?}");
    let f410b = second.iter().find(|f| f["ProductFields"]["cis-audit/ControlId"] == "4.10").unwrap();
    assert_eq!(f410b["Compliance"]["Status"], "PASSED");
    assert!(f410b["UpdatedAt"].as_str() > f410["UpdatedAt"].as_str(), "{f410b}");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn security_hub_needs_a_live_audit() {
    let mut c = bin();
    c.args(["audit", "--inventory", "tests/fixtures/demo-inventory.json", "--send-to-security-hub"]);
    let r = run(c);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--send-to-security-hub") && r.stderr.contains("--inventory"), "{}", r.stderr);
}
