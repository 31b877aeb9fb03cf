//! Shared by the integration tests: the emulator started by `scripts/test`, the seeder, the
//! harness endpoints and the built binary. Each test uses its own account id (moto keeps state
//! per account), so tests run in parallel without seeing each other.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

pub struct Emu {
    pub endpoint: String,
    pub python: String,
    pub seed: String,
}

pub fn emu() -> Emu {
    let var = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!("{k} is not set: this test needs the AWS emulator; run it with scripts/test, which starts the emulator and runs the ignored tests")
        })
    };
    Emu {
        endpoint: var("CIS_AUDIT_TEST_ENDPOINT"),
        python: var("CIS_AUDIT_TEST_PYTHON"),
        seed: var("CIS_AUDIT_TEST_SEED"),
    }
}

pub const SG_V5: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }";
pub const SG_V3: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }";

/// A compliant account for 3.1, 3.3 (us-east-1, eu-west-1) and 4.10, as a seeder spec.
pub fn compliant_spec(account: &str) -> Value {
    json!({
        "account": account,
        "trails": [{"name": "main", "region": "us-east-1", "bucket": "trail-{account}", "multi_region": true,
                    "logging": true, "log_group": "ct-logs",
                    "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}],
        "metric_filters": [{"region": "us-east-1", "log_group": "ct-logs", "name": "sg-changes", "pattern": SG_V5,
                            "metric_name": "SecurityGroupChanges", "namespace": "CISBenchmark"}],
        "topics": [{"region": "us-east-1", "name": "cis-alarms",
                    "subscriptions": [{"protocol": "email", "endpoint": "secops@example.com", "confirm": true}]}],
        "alarms": [{"region": "us-east-1", "name": "sg-changes-alarm", "metric_name": "SecurityGroupChanges",
                    "namespace": "CISBenchmark", "topic": "cis-alarms"}],
        "config": [{"region": "us-east-1", "recorder": "default", "include_global": true,
                    "delivery_channel": {"name": "default", "bucket": "config-{account}"}},
                   {"region": "eu-west-1", "recorder": "default", "include_global": false,
                    "delivery_channel": {"name": "default", "bucket": "config-eu-{account}"}}]
    })
}

pub fn seed(spec: &Value) {
    run_seeder(spec, &[]);
}

/// Runs the seeder on `spec` with `extra` arguments; its standard output.
fn run_seeder(spec: &Value, extra: &[&str]) -> Vec<u8> {
    let e = emu();
    let mut child = Command::new(&e.python)
        .args([&e.seed, "--endpoint", &e.endpoint, "--spec", "-"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start seed.py");
    child.stdin.take().unwrap().write_all(spec.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "seeding failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cis-audit"));
    c.env("AWS_MAX_ATTEMPTS", "1").env_remove("NO_COLOR").env_remove("AWS_PROFILE");
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }
}

pub fn run(mut c: Command) -> Run {
    let out: Output = c.output().expect("run cis-audit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `cis-audit audit` against the emulator, as `account` (its role `audit`), home region
/// us-east-1, with nothing else: the command the helpers below add to.
pub fn audit_command(account: &str) -> Command {
    let e = emu();
    let mut c = bin();
    c.args([
        "audit",
        "--endpoint-url",
        &e.endpoint,
        "--role-arn",
        &format!("arn:aws:iam::{account}:role/audit"),
        "--region",
        "us-east-1",
    ]);
    c
}

/// `cis-audit audit` against the emulator, as `account`, over us-east-1 and eu-west-1.
pub fn audit(account: &str, extra: &[&str]) -> Run {
    let mut c = audit_command(account);
    if !extra.contains(&"--regions") {
        c.args(["--regions", "us-east-1,eu-west-1"]);
    }
    c.args(extra);
    run(c)
}

/// The control verdicts of a JSON report as (control, region, status).
pub fn verdicts(report: &Value) -> Vec<(String, Option<String>, String)> {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["control"].as_str().unwrap().to_string(),
                c["region"].as_str().map(str::to_string),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

/// POST (or DELETE) JSON to a harness endpoint; returns (status, body).
pub fn harness(method: &str, path: &str, body: &Value) -> (u16, Value) {
    let e = emu();
    let hostport = e.endpoint.trim_start_matches("http://").trim_end_matches('/').to_string();
    // A GET carries no body: werkzeug drains unread request bytes until the client closes, so a
    // body the handler never reads would hold the response back. The request goes in one write,
    // and the client then closes its sending side.
    let payload = if method == "GET" { String::new() } else { body.to_string() };
    let mut s = std::net::TcpStream::connect(&hostport).expect("connect to emulator");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    s.write_all(request.as_bytes()).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status: u16 = resp.split_whitespace().nth(1).and_then(|x| x.parse().ok()).unwrap_or(0);
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
    // Tolerate chunked encoding: take the first JSON object in the body.
    let start = body.find('{').unwrap_or(0);
    let end = body.rfind('}').map(|i| i + 1).unwrap_or(body.len());
    (status, serde_json::from_str(&body[start..end]).unwrap_or(Value::Null))
}

/// Seeds like [`seed`] and returns what the seeder created (its --json output): member account
/// ids of an organization under `organization.accounts.KEY`, KMS key ARNs under `kms_keys.NAME`.
pub fn seed_json(spec: &Value) -> Value {
    let out = run_seeder(spec, &["--json"]);
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("seed --json: {e}: {}", String::from_utf8_lossy(&out)))
}

/// Credentials that act as `account` in the emulator (an assumed role there), as environment
/// variables: for a run whose caller is that account (an organization's management account).
pub fn caller_env(account: &str) -> Vec<(String, String)> {
    let e = emu();
    let script = r#"
import boto3, json, sys
sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
c = sts.assume_role(RoleArn=f"arn:aws:iam::{sys.argv[2]}:role/admin", RoleSessionName="caller")["Credentials"]
print(json.dumps([c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]]))
"#;
    let out = Command::new(&e.python).args(["-c", script, &e.endpoint, account]).output().expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    vec![
        ("AWS_ACCESS_KEY_ID".into(), v[0].clone()),
        ("AWS_SECRET_ACCESS_KEY".into(), v[1].clone()),
        ("AWS_SESSION_TOKEN".into(), v[2].clone()),
    ]
}

/// `cis-audit audit --organization` against the emulator, as the management account `mgmt`.
pub fn audit_org(mgmt: &str, extra: &[&str]) -> Run {
    let e = emu();
    let mut c = bin();
    c.args(["audit", "--organization", "--endpoint-url", &e.endpoint, "--region", "us-east-1"]);
    if !extra.contains(&"--regions") {
        c.args(["--regions", "us-east-1"]);
    }
    c.args(extra);
    for (k, v) in caller_env(mgmt) {
        c.env(k, v);
    }
    run(c)
}

/// A path under this test process's own temporary directory (`cis-audit-SUITE-PID/NAME`).
pub fn tmp_path(suite: &str, name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("cis-audit-{suite}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

/// Every input remediation can use, for `acct`: an email to notify, the trail and Config
/// buckets (`trail-ACCT`, `config-ACCT`), the CloudTrail-to-Logs role `ct_role` and the Config role.
pub fn remediation_inputs(acct: &str, ct_role: &str) -> Vec<String> {
    [
        "--notify",
        "email:secops@example.com",
        "--trail-bucket",
        &format!("trail-{acct}"),
        "--cloudtrail-logs-role-arn",
        &format!("arn:aws:iam::{acct}:role/{ct_role}"),
        "--config-role-arn",
        &format!("arn:aws:iam::{acct}:role/config"),
        "--config-bucket",
        &format!("config-{acct}"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The events 4.10 requires (CIS v5.0.0's security-group pattern), for EventBridge rule specs.
pub const SG_EVENTS: [&str; 7] = [
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "ModifySecurityGroupRules",
];

/// `cis-audit rollback JOURNAL` as `acct`.
pub fn rollback(acct: &str, journal: &str) -> Run {
    let e = emu();
    let mut c = bin();
    c.args([
        "rollback",
        "--endpoint-url",
        &e.endpoint,
        "--role-arn",
        &format!("arn:aws:iam::{acct}:role/audit"),
        "--region",
        "us-east-1",
        journal,
    ]);
    run(c)
}

/// The README's section `name` (between `<!-- NAME:begin (generated by `COMMAND`) -->` and
/// `<!-- NAME:end -->`) must be `generated`; with CIS_AUDIT_UPDATE_README set it is rewritten.
pub fn readme_section(name: &str, command: &str, generated: &str, test: &str) {
    // Tests of one binary run in parallel: one read-modify-write of the README at a time.
    static README: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = README.lock().unwrap_or_else(|e| e.into_inner());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let begin = format!("<!-- {name}:begin (generated by `{command}`) -->\n");
    let end = format!("<!-- {name}:end -->");
    let (Some(b), Some(e)) = (readme.find(&begin), readme.find(&end)) else {
        panic!("README.md has no {begin:?} … {end:?} section");
    };
    let current = &readme[b + begin.len()..e];
    if current != generated {
        if std::env::var_os("CIS_AUDIT_UPDATE_README").is_some() {
            std::fs::write(path, format!("{}{}{}", &readme[..b + begin.len()], generated, &readme[e..])).unwrap();
        } else {
            panic!("README.md's {name} section is stale: run CIS_AUDIT_UPDATE_README=1 scripts/test --test {test}");
        }
    }
}

/// A verdict of a recommendation cis-audit does not evaluate (reported MANUAL with its audit steps).
pub fn unevaluated(c: &Value) -> bool {
    c["status"] == "MANUAL" && c["message"].as_str().is_some_and(|m| m.starts_with("not evaluated from an API"))
}
