//! `audit --organization` against a real organization in the emulator: discovery, the
//! organization trail covering members, a denied member, shards, closed accounts, and the
//! caller that is not in an organization.

mod common;
use common::*;
use serde_json::{json, Value};

/// A management account with an organization of `members` (keys), the first `closed` of them
/// closed, an organization trail delivering to its log group, and the 4.10 chain on that group.
/// Returns the member ids by key.
fn organization(mgmt: &str, members: &[&str], closed: &[&str]) -> Value {
    let mut spec = compliant_spec(mgmt);
    spec["trails"][0]["organization"] = json!(true);
    spec["organization"] = json!({
        "members": members.iter().map(|k| json!({"name": format!("{k}-account"), "email": format!("{k}@example.com"), "key": k})).collect::<Vec<_>>(),
        "close": closed,
    });
    let out = seed_json(&spec);
    let accounts = out["organization"]["accounts"].clone();
    assert!(accounts.is_object(), "{out}");
    accounts
}

fn status(rep: &Value, account: &str, control: &str) -> String {
    rep["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["account"] == account && c["control"] == control)
        .unwrap_or_else(|| panic!("no {control} verdict for {account}: {}", rep["controls"]))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn scope_state(rep: &Value, account: &str) -> String {
    let s = rep["scope"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["account"] == account)
        .unwrap_or_else(|| panic!("{account} not in scope"));
    s["state"].as_str().unwrap_or("audited").to_string()
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn every_active_account_is_audited_and_the_organization_trail_covers_the_members() {
    let mgmt = "240000000001";
    let ids = organization(mgmt, &["m1", "m2", "gone"], &["gone"]);
    let (m1, m2, gone) = (ids["m1"].as_str().unwrap(), ids["m2"].as_str().unwrap(), ids["gone"].as_str().unwrap());
    let r = audit_org(mgmt, &["--controls", "3.1,4.10", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let rep = r.json();
    for a in [mgmt, m1, m2] {
        assert_eq!(status(&rep, a, "3.1"), "PASS", "{a}");
        assert_eq!(status(&rep, a, "4.10"), "PASS", "{a}");
        assert_eq!(scope_state(&rep, a), "audited");
    }
    // The closed account is listed, not audited, not an error.
    assert_eq!(scope_state(&rep, gone), "suspended");
    assert!(!rep["controls"].to_string().contains(gone));
    assert_eq!(rep["controls"].as_array().unwrap().len(), 6);
    // A member's evidence names the organization trail and the account it lives in.
    let f = rep["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["account"] == m1 && f["check"] == "security-group-changes/trail")
        .unwrap();
    let ev = f["evidence"].to_string();
    assert!(
        ev.contains(&format!("arn:aws:cloudtrail:us-east-1:{mgmt}:trail/main")) && ev.contains("trail.owner_account"),
        "{ev}"
    );
    // The management account's filters were read once, with its own credentials.
    assert_eq!(rep["stats"]["api_calls"]["logs:DescribeMetricFilters"], 1);
    assert_eq!(rep["stats"]["api_calls"]["organizations:ListAccounts"], 1);
    // Member names come from the organization.
    let names = rep["scope"].to_string();
    assert!(names.contains("m1-account"), "{names}");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_denied_member_is_error_and_every_other_account_is_audited() {
    let mgmt = "240000000002";
    let ids = organization(mgmt, &["m1", "m2"], &[]);
    let (m1, m2) = (ids["m1"].as_str().unwrap(), ids["m2"].as_str().unwrap());
    let role = format!("arn:aws:iam::{m2}:role/OrganizationAccountAccessRole");
    let (st, _) = harness(
        "POST",
        "/_harness/faults",
        &json!({"operation": "AssumeRole", "role_arn": role, "error_code": "AccessDenied", "message": "not authorized to assume the role", "http_status": 403}),
    );
    assert_eq!(st, 200);
    let r = audit_org(mgmt, &["--controls", "3.1,4.10", "--format", "json"]);
    harness("DELETE", "/_harness/faults", &json!({}));
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let rep = r.json();
    assert_eq!(status(&rep, m2, "3.1"), "ERROR");
    let c = rep["controls"].as_array().unwrap().iter().find(|c| c["account"] == m2).unwrap();
    let msg = c["message"].as_str().unwrap();
    assert!(msg.contains("AccessDenied") && msg.contains(&role), "{msg}");
    assert_eq!(scope_state(&rep, m2), "failed");
    for a in [mgmt, m1] {
        assert_eq!(status(&rep, a, "4.10"), "PASS", "{a}");
    }
    assert!(r.stderr.contains(&format!("failed accounts: {m2}")), "{}", r.stderr);
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn shards_are_disjoint_and_cover_the_organization() {
    let mgmt = "240000000003";
    let ids = organization(mgmt, &["a", "b", "c", "d", "e"], &[]);
    let mut all: Vec<String> = ids.as_object().unwrap().values().map(|v| v.as_str().unwrap().to_string()).collect();
    all.push(mgmt.to_string());
    all.sort();
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let r = audit_org(mgmt, &["--controls", "4.10", "--format", "json", "--shard", &shard]);
        assert_eq!(r.code, 0, "shard {shard}: {}\n{}", r.stdout, r.stderr);
        let rep = r.json();
        for c in rep["controls"].as_array().unwrap() {
            // Members pass through the organization trail even when the management account is
            // another shard's.
            assert_eq!(c["status"], "PASS", "{c}");
            seen.push(c["account"].as_str().unwrap().to_string());
        }
        let other = rep["scope"].as_array().unwrap().iter().filter(|s| s["state"] == "other-shard").count();
        assert_eq!(other + rep["controls"].as_array().unwrap().len(), all.len(), "{}", rep["scope"]);
    }
    seen.sort();
    assert_eq!(seen, all, "the shards together audit every account exactly once");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn accounts_and_exclusions_narrow_the_audit_and_an_unknown_id_is_refused() {
    let mgmt = "240000000004";
    let ids = organization(mgmt, &["m1", "m2"], &[]);
    let (m1, m2) = (ids["m1"].as_str().unwrap(), ids["m2"].as_str().unwrap());
    let r = audit_org(mgmt, &["--controls", "3.1", "--format", "json", "--accounts", m1]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep = r.json();
    assert_eq!(rep["controls"].as_array().unwrap().len(), 1);
    assert_eq!(status(&rep, m1, "3.1"), "PASS");
    assert_eq!(scope_state(&rep, m2), "excluded");
    let r = audit_org(mgmt, &["--controls", "3.1", "--format", "json", "--exclude-accounts", &format!("{m1},{mgmt}")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep = r.json();
    assert_eq!(rep["controls"].as_array().unwrap().len(), 1);
    assert_eq!(status(&rep, m2, "3.1"), "PASS");
    let r = audit_org(mgmt, &["--controls", "3.1", "--accounts", "111111111111"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("111111111111 not in organization") && r.stderr.trim().lines().count() == 1,
        "{}",
        r.stderr
    );
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_caller_outside_any_organization_gets_one_line_and_exit_2() {
    let r = audit_org("240000000005", &["--controls", "3.1"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let err = r.stderr.trim();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("management account or a delegated administrator") && err.contains("organizations:ListAccounts"),
        "{err}"
    );
}
