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

/// The report's parts a sharded run must reproduce: verdicts and findings (sorted), the scope,
/// the summary and the policy (suppressions included). Stats differ by nature (calls, time).
fn comparable(rep: &Value) -> Value {
    // What depends on when each run read the account (the history's period, when IAM generated
    // the credential report) differs between any two runs, sharded or not.
    const TIMED: [&str; 2] = ["history.period", "credential_report.generated_at"];
    let untimed = |f: &Value| {
        let mut f = f.clone();
        if let Some(ev) = f["evidence"].as_array_mut() {
            for e in ev.iter_mut().filter(|e| TIMED.iter().any(|t| e["step"] == *t)) {
                e["observed"] = json!("(time of the run)");
            }
        }
        f
    };
    let sorted = |v: &Value| {
        let mut l: Vec<Value> = v.as_array().unwrap().iter().map(untimed).collect();
        l.sort_by_key(|x| x.to_string());
        Value::Array(l)
    };
    json!({
        "controls": sorted(&rep["controls"]),
        "findings": sorted(&rep["findings"]),
        "scope": rep["scope"],
        "summary": rep["summary"],
        "policy": rep["policy"],
        "benchmark": rep["benchmark"],
    })
}

/// A path of this suite's temporary directory.
fn tmp(name: &str) -> String {
    tmp_path("organization", name)
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn merged_shards_equal_the_unsharded_run() {
    let mgmt = "240000000006";
    let members = ["a", "b", "c", "d", "e", "f", "gone"];
    let mut first = compliant_spec(mgmt);
    first["trails"][0]["organization"] = json!(true);
    first["organization"] = json!({
        "members": members.iter().map(|k| json!({"name": format!("{k}-account"), "email": format!("{k}-6@example.com"), "key": k,
            "ou": match *k { "a" | "b" => "Prod/Web", "c" => "Dev", _ => "" }})).collect::<Vec<_>>(),
        "close": ["gone"],
    });
    // A mix of verdicts: b records AWS Config in us-east-1, c has a password policy of its own.
    let b_spec = json!({"account": "@b", "config": [{"region": "us-east-1", "recorder": "default",
        "delivery_channel": {"name": "default", "bucket": "config-{account}"}}]});
    let c_spec = json!({"account": "@c", "iam": {"password_policy": {"min_length": 14, "reuse": 24}}});
    let out = seed_json(&json!([first, b_spec, c_spec]));
    let ids = &out[0]["organization"]["accounts"];
    let id = |k: &str| ids[k].as_str().unwrap().to_string();
    // Suppressions over the whole organisation: one that applies (b's failing EBS default),
    // one of an excluded account (never "unmatched"), one that matches only passing verdicts
    // (said once, where the whole scope is known).
    let cfg = tmp("merge-shards.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[[suppress]]
control = "ebs-default-encryption"
account = "{b}"
reason = "sandbox"

[[suppress]]
control = "ebs-default-encryption"
account = "{f}"
reason = "excluded anyway"

[[suppress]]
control = "cloudtrail-multi-region"
account = "{a}"
reason = "covered by the organization trail"
"#,
            b = id("b"),
            f = id("f"),
            a = id("a"),
        ),
    )
    .unwrap();
    let common = ["--config", &cfg, "--exclude-accounts", &id("f"), "--format", "json"];
    let inventory = tmp("merge-shards-inventory.json");
    let whole = audit_org(mgmt, &[&common[..], &["--save-inventory", &inventory]].concat());
    assert!(whole.code == 1, "{}", whole.stderr);
    let unneeded = "no longer needed";
    assert_eq!(whole.stderr.matches(unneeded).count(), 1, "{}", whole.stderr);
    assert!(!whole.stderr.contains("matched nothing"), "{}", whole.stderr);
    let whole_rep = whole.json();
    // The run evaluated each account as soon as it was read and wrote it to the inventory then;
    // that inventory, evaluated offline, gives the same report.
    let mut offline = bin();
    offline.args(["audit", "--inventory", &inventory, "--config", &cfg, "--format", "json"]);
    let offline = run(offline);
    assert_eq!(offline.code, 1, "{}", offline.stderr);
    assert!(
        comparable(&offline.json()) == comparable(&whole_rep),
        "offline re-evaluation differs from the organisation's run"
    );
    let states: Vec<String> = ["a", "f", "gone"].iter().map(|k| scope_state(&whole_rep, &id(k))).collect();
    assert_eq!(states, ["audited", "excluded", "suspended"]);
    // Each account's organizational unit, from one walk of the tree: the root and 3 OUs listed
    // once each (Prod has no account of its own, Web and Dev do).
    let ou = |k: &str| {
        whole_rep["scope"].as_array().unwrap().iter().find(|s| s["account"] == id(k).as_str()).unwrap()["ou"].clone()
    };
    assert_eq!(
        [ou("a"), ou("c"), ou("d"), ou("f")],
        [json!("Root/Prod/Web"), json!("Root/Dev"), json!("Root"), json!("Root")]
    );
    let calls = &whole_rep["stats"]["api_calls"];
    assert_eq!(
        [
            &calls["organizations:ListRoots"],
            &calls["organizations:ListOrganizationalUnitsForParent"],
            &calls["organizations:ListAccountsForParent"]
        ],
        [&json!(1), &json!(4), &json!(4)],
        "{calls}"
    );
    let suppressed = whole_rep["controls"].as_array().unwrap().iter().filter(|c| c["suppressed"].is_object()).count();
    assert!(suppressed >= 1, "the EBS suppression applies");
    let statuses: std::collections::BTreeSet<&str> =
        whole_rep["controls"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert!(statuses.contains("PASS") && statuses.contains("FAIL"), "a mix of verdicts: {statuses:?}");

    for n in [2, 3] {
        let mut paths = Vec::new();
        for k in 1..=n {
            let shard = format!("{k}/{n}");
            let r = audit_org(mgmt, &[&common[..], &["--shard", &shard]].concat());
            assert!(r.code <= 1, "shard {shard}: {}", r.stderr);
            assert!(
                !r.stderr.contains(unneeded) && !r.stderr.contains("matched nothing"),
                "a shard does not judge the suppressions: {}",
                r.stderr
            );
            let p = tmp(&format!("shard-{k}-of-{n}.json"));
            std::fs::write(&p, &r.stdout).unwrap();
            paths.push(p);
        }
        let mut m = bin();
        m.arg("merge").args(&paths);
        let merged = run(m);
        assert_eq!(merged.code, whole.code, "{n} shards: the same exit status: {}", merged.stderr);
        assert_eq!(merged.stderr.matches(unneeded).count(), 1, "{n} shards: said once, in merge: {}", merged.stderr);
        let rep = merged.json();
        assert_eq!(comparable(&rep), comparable(&whole_rep), "{n} shards merged differ from the unsharded run");
        // The one-line summary counts the same accounts.
        let line = |s: &str| {
            s.lines()
                .find(|l| l.contains("control verdicts"))
                .map(|l| l.split(" | ").take(2).collect::<Vec<_>>().join(" | "))
                .unwrap_or_default()
        };
        assert_eq!(line(&merged.stderr), line(&whole.stderr), "{n} shards");
    }
}
