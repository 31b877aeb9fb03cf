//! Every benchmark version against the AWS emulator (run via scripts/test): each version's own
//! numbering and pattern texts, and the CloudWatch Logs integration control of v1.2–v2.0.
//! Each test uses its own accounts (26000000000N).

mod common;
use common::*;
use serde_json::{json, Value};

/// A compliant account whose security-group filter has `pattern`.
fn with_sg_pattern(account: &str, pattern: &str) -> Value {
    let mut spec = compliant_spec(account);
    spec["metric_filters"][0]["pattern"] = json!(pattern);
    spec
}

/// The benchmark text of a control, as `cis-audit controls --json` lists it.
fn benchmark_pattern(version: &str, id: &str) -> String {
    let mut c = bin();
    c.args(["controls", "--benchmark", version, "--json"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    v["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["patterns"][0]
        .as_str()
        .unwrap()
        .to_string()
}

fn status(account: &str, version: &str, control: &str) -> (String, Value) {
    let r = audit(account, &["--benchmark", version, "--controls", control, "--format", "json"]);
    assert!(r.code == 0 || r.code == 1, "{}\n{}", r.stdout, r.stderr);
    let rep = r.json();
    assert_eq!(rep["benchmark"]["version"], version);
    (control_status(&rep, control), rep)
}

fn control_status(rep: &Value, id: &str) -> String {
    control(rep, id)["status"].as_str().unwrap().to_string()
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn the_six_event_text_passes_v4_and_fails_v6_where_the_seven_event_text_passes() {
    let v3 = "260000000001";
    seed(&with_sg_pattern(v3, SG_V3));
    assert_eq!(status(v3, "4.0.0", "4.10").0, "PASS", "v4.0.0 4.10 lists six events");
    assert_eq!(status(v3, "3.0.0", "4.10").0, "PASS");
    let (s, rep) = status(v3, "6.0.0", "5.10");
    assert_eq!(s, "FAIL", "v6.0.0 5.10 adds ModifySecurityGroupRules");
    assert!(rep["findings"].to_string().contains("ModifySecurityGroupRules"), "the missing event is named");
    assert_eq!(rep["benchmark"]["numbering"].as_str().map(|n| n.contains("5.1")), Some(true), "{}", rep["benchmark"]);
    assert_eq!(status(v3, "5.0.0", "4.10").0, "FAIL");

    let v5 = "260000000002";
    seed(&with_sg_pattern(v5, SG_V5));
    assert_eq!(status(v5, "6.0.0", "5.10").0, "PASS");
    // v6.0.0 numbers the trail 4.1 and AWS Config 4.3.
    assert_eq!(status(v5, "6.0.0", "4.1").0, "PASS");
    let r = audit(v5, &["--benchmark", "6.0.0", "--controls", "4.3", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = audit(v5, &["--benchmark", "6.0.0", "--controls", "4.10"]);
    assert_eq!(r.code, 2, "4.10 is not a v6.0.0 monitoring control id");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn v1_2_numbering_and_its_exact_text_pass_3_10() {
    let acct = "260000000003";
    let text = benchmark_pattern("1.2.0", "3.10");
    assert!(text.starts_with("{($.eventName"), "v1.2.0 has no space after the brace: {text}");
    let mut spec = with_sg_pattern(acct, &text);
    // v1.2.0 2.4 wants a trail delivering to CloudWatch Logs within the last day.
    spec["trails"][0]["cw_delivery_age_seconds"] = json!(3600);
    seed(&spec);
    let (s, rep) = status(acct, "1.2.0", "3.10");
    assert_eq!(s, "PASS", "{}", rep["findings"]);
    assert!(control(&rep, "3.10")["title"].as_str().unwrap().starts_with("Ensure a log metric filter and alarm exist"));
    // Strict patterns: the exact text still counts.
    let r = audit(acct, &["--benchmark", "1.2.0", "--controls", "3.10", "--strict-patterns"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(status(acct, "1.2.0", "2.1").0, "PASS");
    assert_eq!(status(acct, "1.2.0", "2.4").0, "PASS");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn the_cloudwatch_logs_integration_control_needs_a_delivery_within_a_day() {
    // No CloudWatch Logs delivery at all.
    let none = "260000000004";
    seed(&json!({
        "account": none,
        "trails": [{"name": "main", "region": "us-east-1", "bucket": "trail-{account}", "multi_region": true,
                    "logging": true, "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}]
    }));
    for (version, id) in [("1.4.0", "3.4"), ("2.0.0", "3.4"), ("1.2.0", "2.4")] {
        let (s, rep) = status(none, version, id);
        assert_eq!(s, "FAIL", "{version} {id}: {}", rep["findings"]);
    }

    // Delivering, but the last delivery is two days old.
    let stale = "260000000005";
    let mut spec = compliant_spec(stale);
    spec["trails"][0]["cw_delivery_age_seconds"] = json!(2 * 86_400);
    seed(&spec);
    let (s, rep) = status(stale, "1.4.0", "3.4");
    assert_eq!(s, "FAIL");
    let text = rep["findings"].to_string();
    assert!(text.contains("LatestCloudWatchLogsDeliveryTime") || text.contains("day"), "{text}");

    // Delivered an hour ago: PASS; never delivered: FAIL.
    let fresh = "260000000006";
    let mut spec = compliant_spec(fresh);
    spec["trails"][0]["cw_delivery_age_seconds"] = json!(3600);
    seed(&spec);
    assert_eq!(status(fresh, "2.0.0", "3.4").0, "PASS");
    assert_eq!(status(fresh, "2.0.0", "3.5").0, "PASS", "v2.0.0 numbers AWS Config 3.5");
    let never = "260000000007";
    let mut spec = compliant_spec(never);
    spec["trails"][0]["cw_never_delivered"] = json!(true);
    seed(&spec);
    assert_eq!(status(never, "1.4.0", "3.4").0, "FAIL");
}
