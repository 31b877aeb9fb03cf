//! The shipped IAM policy is the one cis-audit needs: every call an audit, an organization
//! run, a Security Hub import or a remediation made (as the emulator saw them, `stats.api_calls`
//! and the remediation outcome's `api_calls`, named as IAM actions) is allowed by
//! `cis-audit iam-policy`, and the README's permission lists are generated from the same source.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn policy(flags: &[&str]) -> Value {
    let mut c = bin();
    c.arg("iam-policy").args(flags);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

/// The actions a policy allows (`*` patterns are not used by cis-audit's policy).
fn allowed(p: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for st in p["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow");
        match &st["Action"] {
            Value::String(a) => {
                out.insert(a.clone());
            }
            Value::Array(list) => out.extend(list.iter().map(|a| a.as_str().unwrap().to_string())),
            other => panic!("Action {other}"),
        }
    }
    out
}

fn assert_covered(calls: &Value, policy: &BTreeSet<String>, what: &str) {
    let calls: Vec<&String> = calls.as_object().unwrap_or_else(|| panic!("{what}: no api_calls")).keys().collect();
    assert!(!calls.is_empty(), "{what}: no calls recorded");
    let missing: Vec<&&String> = calls.iter().filter(|c| !policy.contains(c.as_str())).collect();
    assert!(missing.is_empty(), "{what}: calls the policy does not allow: {missing:?} (policy: {policy:?})");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn every_call_of_an_audit_and_a_remediation_is_in_the_policy() {
    // The tests audit through --role-arn: the caller may assume those roles.
    let role = ["--role-arn", "arn:aws:iam::*:role/audit"];
    let read = allowed(&policy(&role));
    for a in &read {
        let verb = a.split(':').nth(1).unwrap();
        // GenerateCredentialReport only asks IAM to (re)build the credential report that
        // GetCredentialReport reads; it changes no resource.
        assert!(
            ["Describe", "Get", "List", "AssumeRole"].iter().any(|v| verb.starts_with(v))
                || *a == "iam:GenerateCredentialReport",
            "the audit policy is read-only: {a}"
        );
    }

    // A full audit of a compliant account, with an EventBridge route and a customer key.
    let acct = "270000000001";
    let mut spec = compliant_spec(acct);
    spec["kms_keys"] = json!([{"region": "us-east-1", "name": "k"}]);
    spec["topics"][0]["kms_key"] = json!("k");
    spec["event_rules"] = json!([{"region": "us-east-1", "name": "sg",
        "pattern": {"source": ["aws.ec2"], "detail": {"eventName": ["CreateSecurityGroup"]}}, "targets": ["cis-alarms"]}]);
    seed(&spec);
    let r = audit(acct, &["--format", "json"]);
    assert!(r.code <= 1, "{}", r.stderr);
    assert_covered(&r.json()["stats"]["api_calls"], &read, "audit");
    // v7.0.0's centralised root access (ListOrganizationsFeatures).
    let r = audit(acct, &["--benchmark", "7.0.0", "--controls", "org-centralized-root-access", "--format", "json"]);
    assert_covered(&r.json()["stats"]["api_calls"], &read, "audit v7.0.0");

    // Security Hub import.
    let hub = allowed(&policy(&["--security-hub", role[0], role[1]]));
    let r = audit(acct, &["--controls", "3.1", "--format", "json", "--send-to-security-hub"]);
    assert_covered(&r.json()["stats"]["api_calls"], &hub, "--send-to-security-hub");
    assert!(r.json()["stats"]["api_calls"].get("securityhub:DescribeHub").is_some());

    // A remediation of an empty account on both routes (applied: every step's call and read).
    let rem = allowed(&policy(&["--remediation", role[0], role[1]]));
    for (i, route) in ["metric-filter", "eventbridge"].iter().enumerate() {
        let acct = format!("27000000001{i}");
        seed(&json!({"account": acct, "buckets": [{"region": "us-east-1", "name": "trail-{account}"},
            {"region": "us-east-1", "name": "config-{account}"}]}));
        let mut args: Vec<String> =
            ["--controls", "3.1,3.3,4.10,1.19", "--remediate", "--yes", "--format", "json", "--route", route]
                .map(String::from)
                .to_vec();
        args.extend(remediation_inputs(&acct, "ct"));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = audit(&acct, &refs);
        let out = r.json();
        assert_eq!(out["applied"], true, "{}\n{}", r.stdout, r.stderr);
        assert_covered(&out["api_calls"], &rem, route);
    }
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn every_call_of_a_drill_and_its_rollback_is_in_the_drill_policy() {
    let role = ["--role-arn", "arn:aws:iam::*:role/audit"];
    let drill_policy = allowed(&policy(&["--drill", role[0], role[1]]));
    let acct = "270000000040";
    seed(&compliant_spec(acct));
    let e = emu();
    let journal = tmp_path("iam", "drill-journal.json");
    let mut c = bin();
    c.args(["drill", "--endpoint-url", &e.endpoint, "--role-arn", &format!("arn:aws:iam::{acct}:role/audit")])
        .args(["--region", "us-east-1", "--timeout", "30s", "--poll", "1s", "--yes", "--format", "json"])
        .args(["--journal", &journal]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = r.json();
    assert_covered(&out["api_calls"], &drill_policy, "drill");
    assert!(
        out["api_calls"].get("sqs:CreateQueue").is_some() && out["api_calls"].get("ec2:CreateSecurityGroup").is_some()
    );
    // The other drills' calls (their chains here stop at the metric: that is enough to make them).
    let mut c = bin();
    c.args(["drill", "--endpoint-url", &e.endpoint, "--role-arn", &format!("arn:aws:iam::{acct}:role/audit")])
        .args(["--region", "us-east-1", "--timeout", "4s", "--poll", "1s", "--yes", "--format", "json"])
        .args(["--controls", "4.4,4.11,4.13", "--journal", &tmp_path("iam", "drill-journal-2.json")]);
    let r = run(c);
    assert!(r.code <= 1, "{}\n{}", r.stdout, r.stderr);
    let out = r.json();
    assert_covered(&out["api_calls"], &drill_policy, "drill 4.4, 4.11, 4.13");
    for op in ["iam:CreatePolicy", "iam:DeletePolicy", "ec2:CreateNetworkAcl", "ec2:DeleteRouteTable"] {
        assert!(out["api_calls"].get(op).is_some(), "{op}: {}", out["api_calls"]);
    }
    // The EventBridge route's calls: an enabled rule's figures (GetMetricData) and, for a
    // disabled rule the audit does not read the targets of, its targets.
    for (i, state) in ["ENABLED", "DISABLED"].iter().enumerate() {
        let acct = format!("27000000004{}", i + 1);
        let mut spec = compliant_spec(&acct);
        spec["metric_filters"] = json!([]);
        spec["alarms"] = json!([]);
        spec["topics"][0]["policy"] = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": "{topic_arn}"}]});
        spec["event_rules"] = json!([{"region": "us-east-1", "name": "sg", "state": state,
            "pattern": {"source": ["aws.ec2"], "detail": {"eventName": ["CreateSecurityGroup", "DeleteSecurityGroup",
                "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupEgress", "ModifySecurityGroupRules"]}},
            "targets": ["cis-alarms"]}]);
        seed(&spec);
        let mut c = bin();
        c.args(["drill", "--endpoint-url", &e.endpoint, "--role-arn", &format!("arn:aws:iam::{acct}:role/audit")])
            .args(["--region", "us-east-1", "--timeout", "20s", "--poll", "1s", "--yes", "--format", "json"])
            .args(["--journal", &tmp_path("iam", &format!("drill-journal-eb-{i}.json"))]);
        let r = run(c);
        assert!(r.code <= 1, "{}\n{}", r.stdout, r.stderr);
        let out = r.json();
        assert_eq!(out["units"][0]["routes"][0]["route"], "eventbridge", "{out:#}");
        assert_covered(&out["api_calls"], &drill_policy, &format!("drill on a {state} rule"));
        let op = if *state == "ENABLED" { "cloudwatch:GetMetricData" } else { "events:ListTargetsByRule" };
        assert!(out["api_calls"].get(op).is_some(), "{op}: {}", out["api_calls"]);
    }
    // Without --drill, the policy has none of the drill's writes.
    let plain = allowed(&policy(&[]));
    assert!(!plain.contains("sqs:CreateQueue") && !plain.contains("ec2:CreateSecurityGroup"));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn organization_runs_are_in_the_policy() {
    let mgmt = "270000000020";
    let mut spec = compliant_spec(mgmt);
    spec["organization"] = json!({"members": [{"name": "m1", "email": "m1@example.com", "key": "m1"}]});
    let created = seed_json(&spec);
    let m1 = created["organization"]["accounts"]["m1"].as_str().unwrap().to_string();
    seed(&compliant_spec(&m1));
    let org = allowed(&policy(&["--organization"]));
    assert!(org.contains("sts:AssumeRole"));
    let r = audit_org(mgmt, &["--controls", "3.1", "--format", "json"]);
    assert!(r.code <= 1, "{}", r.stderr);
    assert_covered(&r.json()["stats"]["api_calls"], &org, "--organization");
}

#[test]
fn the_readme_lists_the_permissions_of_the_policy() {
    let mut c = bin();
    c.args(["iam-policy", "--markdown"]);
    let lists = run(c).stdout;
    readme_section("iam-policy", "cis-audit iam-policy --markdown", &lists, "iam");
}

/// The StackSet template CloudFormation deploys (the emulator's CloudFormation): its role is
/// trusted by the auditing account and allowed exactly the audit's reads; an audit through it
/// then runs. The README shows the same template.
#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn the_stackset_template_deploys_a_role_with_the_audit_s_reads() {
    let mut c = bin();
    c.args(["iam-policy", "--cloudformation"]);
    let template = run(c).stdout;
    readme_section(
        "stackset",
        "cis-audit iam-policy --cloudformation",
        &format!("```yaml\n# cis-audit-role.yaml\n{template}```\n"),
        "iam",
    );
    let acct = "270000000030";
    seed(&compliant_spec(acct));
    let e = emu();
    let script = r#"
import json, sys, boto3
endpoint, acct, template = sys.argv[1], sys.argv[2], sys.stdin.read()
creds = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1").assume_role(
    RoleArn=f"arn:aws:iam::{acct}:role/stackset", RoleSessionName="cis-audit-test")["Credentials"]
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
          aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
cfn = boto3.client("cloudformation", **kw)
cfn.create_stack(StackName="cis-audit-read-only", TemplateBody=template, Capabilities=["CAPABILITY_NAMED_IAM"],
                 Parameters=[{"ParameterKey": "AuditorAccountId", "ParameterValue": "111122223333"}])
stack = cfn.describe_stacks(StackName="cis-audit-read-only")["Stacks"][0]
iam = boto3.client("iam", **kw)
role = iam.get_role(RoleName="CisAuditReadOnly")["Role"]
doc = iam.get_role_policy(RoleName="CisAuditReadOnly", PolicyName="cis-audit-read")["PolicyDocument"]
if isinstance(doc, str):
    # moto hands back the document CloudFormation stored as a Python literal, URL-encoded.
    import ast, urllib.parse
    text = urllib.parse.unquote(doc)
    try:
        doc = json.loads(text)
    except ValueError:
        doc = ast.literal_eval(text)
print(json.dumps({"status": stack["StackStatus"], "outputs": stack.get("Outputs", []),
                  "trust": role["AssumeRolePolicyDocument"], "policy": doc}))
"#;
    let mut child = std::process::Command::new(&e.python)
        .args(["-c", script, &e.endpoint, acct])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(template.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["status"], "CREATE_COMPLETE", "{got}");
    assert!(got["trust"].to_string().contains("arn:aws:iam::111122223333:root"), "{got}");
    let deployed: BTreeSet<String> = got["policy"]["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let mut read = allowed(&policy(&[]));
    read.remove("sts:AssumeRole");
    assert_eq!(deployed, read, "the role allows exactly the audit's reads");
}
