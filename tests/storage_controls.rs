//! The Storage controls (S3, RDS, EFS) and the S3 logging controls end to end against the AWS
//! emulator (run via scripts/test): a compliant account and its non-compliant twin give the
//! expected verdicts, and account-level Block Public Access is remediated, named buckets that
//! rely on public access first, and rolled back. Each test uses its own account id
//! (35000000000N).

mod common;
use common::*;
use serde_json::{json, Value};

/// A bucket policy that denies plain HTTP on the bucket and its objects.
fn tls_only() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny",
        "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::{bucket}", "arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
}

/// A compliant bucket of the spec (us-east-1 unless said).
fn good_bucket(name: &str, region: &str) -> Value {
    json!({"region": region, "name": name, "policy": tls_only(), "public_access_block": true,
           "versioning": "Enabled", "mfa_delete": true})
}

/// The compliant account: the common spec (3.1, 3.3, 4.10) with a trail recording S3 data
/// events, every bucket TLS-only with Block Public Access and MFA Delete, the trail bucket
/// logged, account Block Public Access on, encrypted private Multi-AZ RDS (an instance and an
/// Aurora cluster) and an encrypted EFS file system.
fn compliant(acct: &str) -> Value {
    let mut spec = compliant_spec(acct);
    spec["trails"][0]["event_selectors"] = json!([{"ReadWriteType": "All", "IncludeManagementEvents": true,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]);
    let mut trail = good_bucket("trail-{account}", "us-east-1");
    trail["logging"] = json!({"target_bucket": "access-logs-{account}"});
    spec["buckets"] = json!([
        trail,
        good_bucket("config-{account}", "us-east-1"),
        good_bucket("config-eu-{account}", "eu-west-1"),
        good_bucket("access-logs-{account}", "us-east-1"),
    ]);
    spec["s3_account_public_access_block"] = json!(true);
    spec["rds"] = json!([{"region": "us-east-1",
        "instances": [{"id": "orders", "encrypted": true, "auto_minor_version_upgrade": true,
                       "publicly_accessible": false, "multi_az": true}],
        "clusters": [{"id": "ledger", "encrypted": true, "multi_az": true}]}]);
    spec["efs"] = json!([{"region": "eu-west-1", "file_systems": [{"name": "shared", "encrypted": true}]}]);
    spec
}

const CONTROLS: &str = "2.1.1,2.1.2,2.1.4,2.2.1,2.2.2,2.2.3,2.2.4,2.3.1,3.4,3.8,3.9";

fn statuses(acct: &str, controls: &str) -> Vec<(String, String, String)> {
    let r = audit(acct, &["--controls", controls, "--format", "json"]);
    assert!(r.code <= 1, "{}\n{}", r.stdout, r.stderr);
    r.json()["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["control"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of<'a>(v: &'a [(String, String, String)], id: &str) -> (&'a str, &'a str) {
    let c = v.iter().find(|c| c.0 == id).unwrap_or_else(|| panic!("no verdict for {id}: {v:?}"));
    (c.1.as_str(), c.2.as_str())
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_compliant_account_passes_every_storage_control() {
    let acct = "350000000001";
    seed(&compliant(acct));
    let v = statuses(acct, CONTROLS);
    for id in CONTROLS.split(',') {
        assert_eq!(status_of(&v, id).0, "PASS", "{id}: {v:#?}");
    }
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn its_non_compliant_twin_fails_each_one_for_its_reason() {
    let acct = "350000000002";
    let mut spec = compliant(acct);
    // A policy that denies HTTP on the bucket ARN only (not the objects).
    spec["buckets"][1]["policy"] = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
        "Principal": {"AWS": "*"}, "Action": ["s3:*"], "Resource": "arn:aws:s3:::{bucket}",
        "Condition": {"Bool": {"aws:SecureTransport": false}}}]});
    // MFA Delete never configured on one bucket, disabled on another.
    spec["buckets"][3].as_object_mut().unwrap().remove("mfa_delete");
    spec["buckets"][3].as_object_mut().unwrap().remove("versioning");
    spec["buckets"][2]["mfa_delete"] = json!(false);
    // The trail bucket logs nothing.
    spec["buckets"][0].as_object_mut().unwrap().remove("logging");
    // Neither the account nor this bucket blocks public access.
    spec["buckets"][2]["public_access_block"] = json!(false);
    spec["s3_account_public_access_block"] = json!({"block_public_acls": true});
    spec["trails"][0]["event_selectors"] = json!([{"ReadWriteType": "All", "IncludeManagementEvents": true,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [format!("arn:aws:s3:::trail-{acct}/")]}]}]);
    spec["rds"] = json!([{"region": "us-east-1",
        "instances": [{"id": "orders", "encrypted": false, "auto_minor_version_upgrade": false,
                       "publicly_accessible": true, "multi_az": false}],
        "clusters": [{"id": "ledger", "encrypted": false}]}]);
    spec["efs"] = json!([{"region": "eu-west-1", "file_systems": [{"name": "shared", "encrypted": false}]}]);
    seed(&spec);
    let v = statuses(acct, CONTROLS);
    let expect = [
        ("2.1.1", "FAIL", format!("bucket config-{acct}: no statement denies s3:* to everyone on arn:aws:s3:::config-{acct}/*")),
        ("2.1.2", "FAIL", format!("bucket config-eu-{acct}: versioning Enabled, MFA Delete Disabled")),
        ("3.4", "FAIL", format!("bucket trail-{acct} (trail main): server access logging is off")),
        ("2.1.4", "FAIL", format!("bucket config-eu-{acct}: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets off")),
        ("2.2.1", "FAIL", "DB cluster ledger".to_string()),
        ("2.2.2", "FAIL", "DB instance orders".to_string()),
        ("2.2.3", "FAIL", "DB instance orders (mysql, us-east-1): publicly accessible".to_string()),
        ("2.2.4", "FAIL", "single-AZ".to_string()),
        ("2.3.1", "FAIL", "is not encrypted".to_string()),
        ("3.8", "FAIL", format!("no multi-region trail records S3 object write events of bucket(s) config-{acct}, config-eu-{acct}, access-logs-{acct}")),
        ("3.9", "FAIL", "no multi-region trail records S3 object read events".to_string()),
    ];
    for (id, status, says) in expect {
        let (s, m) = status_of(&v, id);
        assert_eq!(s, status, "{id}: {m}");
        assert!(m.contains(&says), "{id}: {m:?} should say {says:?}");
    }
    let (_, m) = status_of(&v, "2.1.2");
    assert!(
        m.contains(&format!("access-logs-{acct}: versioning never configured, MFA Delete never configured")),
        "{m}"
    );
    // v1.4.0 assesses MFA Delete as Automated, and v4.0.0 access logging: FAIL there.
    let r = audit(acct, &["--benchmark", "1.4.0", "--controls", "2.1.3", "--format", "json"]);
    assert_eq!(control(&r.json(), "2.1.3")["status"], "FAIL", "{}", r.stdout);
    let r = audit(acct, &["--benchmark", "4.0.0", "--controls", "3.4", "--format", "json"]);
    assert_eq!(control(&r.json(), "3.4")["status"], "FAIL", "{}", r.stdout);
    let (_, m) = status_of(&v, "2.2.1");
    assert!(
        m.contains("DB instance orders") && !m.contains("ledger-instance-1"),
        "Aurora members are judged with their cluster: {m}"
    );
}

/// The inventory's account-level Block Public Access.
fn account_block(acct: &str) -> Value {
    let path = tmp_path("storage", &format!("inv-{acct}.json"));
    let r = audit(acct, &["--controls", "2.1.4", "--save-inventory", &path, "--format", "json"]);
    assert!(r.code <= 1, "{}\n{}", r.stdout, r.stderr);
    let inv: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    inv["accounts"][0]["account_wide"]["s3_public_access_block"].clone()
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn account_block_public_access_is_applied_and_rolled_back() {
    let acct = "350000000003";
    seed(&json!({"account": acct, "buckets": [{"region": "us-east-1", "name": "private-{account}"}],
                 "s3_account_public_access_block": {"block_public_acls": true}}));
    let before = account_block(acct);
    assert_eq!(before["ok"]["block_public_acls"], true, "{before}");
    assert_eq!(before["ok"]["restrict_public_buckets"], false, "{before}");

    let journal = tmp_path("storage", "journal-3.json");
    let r = audit(acct, &["--controls", "2.1.4", "--remediate", "--yes", "--format", "json", "--journal", &journal]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = r.json();
    assert_eq!(out["applied"], true, "{out}");
    assert_eq!(out["plan"]["steps"][0]["action"]["type"], "PutAccountPublicAccessBlock");
    assert!(out["api_calls"].get("s3:PutAccountPublicAccessBlock").is_some(), "{}", out["api_calls"]);
    let after = account_block(acct);
    assert!(
        ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]
            .iter()
            .all(|k| after["ok"][k] == true),
        "{after}"
    );
    assert_eq!(status_of(&statuses(acct, "2.1.4"), "2.1.4").0, "PASS");

    let r = rollback(acct, &journal);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(account_block(acct), before, "rollback restores the previous settings");
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_public_bucket_is_named_and_the_account_block_needs_yes() {
    let acct = "350000000004";
    seed(&json!({"account": acct, "buckets": [
        {"region": "us-east-1", "name": "site-{account}", "acl": "public-read"},
        {"region": "us-east-1", "name": "private-{account}"}]}));
    assert_eq!(account_block(acct), json!({"ok": null}), "no configuration yet");
    let r = audit(acct, &["--controls", "2.1.4", "--remediate", "--dry-run", "--format", "json"]);
    let out = r.json();
    let step = &out["plan"]["steps"][0];
    assert_eq!(step["manual"]["missing"], json!(["--yes"]), "{out}");
    let reason = step["manual"]["reason"].as_str().unwrap();
    assert!(reason.contains(&format!("site-{acct} (the ACL grants READ to AllUsers)")), "{reason}");
    assert!(!reason.contains(&format!("private-{acct}")), "{reason}");
    // Without --dry-run and without --yes nothing is applied either.
    let r = audit(acct, &["--controls", "2.1.4", "--remediate", "--format", "json"]);
    assert_eq!(r.json()["applied"], false, "{}", r.stdout);
    assert_eq!(account_block(acct), json!({"ok": null}));

    // With --yes it applies, and rollback deletes the configuration again (there was none).
    let journal = tmp_path("storage", "journal-4.json");
    let r = audit(acct, &["--controls", "2.1.4", "--remediate", "--yes", "--format", "json", "--journal", &journal]);
    let out = r.json();
    assert_eq!(out["applied"], true, "{out}");
    assert!(out["plan"]["steps"][0]["action"]["public_buckets"].to_string().contains(&format!("site-{acct}")));
    assert_eq!(account_block(acct)["ok"]["block_public_policy"], true);
    let r = rollback(acct, &journal);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(account_block(acct), json!({"ok": null}));
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn a_trail_bucket_in_another_account_is_judged_when_readable_and_manual_when_refused() {
    let (owner, acct) = ("350000000005", "350000000006");
    seed(&json!({"account": owner, "buckets": [{"region": "us-east-1", "name": "org-logs-{account}"}]}));
    let mut spec = compliant_spec(acct);
    spec["trails"][0]["bucket"] = json!("org-logs-{account}");
    spec["trails"][0]["bucket_owner"] = json!(owner);
    seed(&spec);
    let bucket = format!("org-logs-{owner}");

    // Readable across accounts (the emulator does not refuse it): judged, the fix made by the owner.
    let r = audit(acct, &["--benchmark", "4.0.0", "--controls", "3.4", "--format", "json"]);
    let rep = r.json();
    let c = control(&rep, "3.4");
    assert_eq!(c["status"], "FAIL", "{c}");
    let f = rep["findings"].as_array().unwrap().iter().find(|f| f["control"] == "3.4").unwrap();
    assert!(f["evidence"].to_string().contains("does not list it"), "{f}");
    assert!(f["remediation"].as_str().unwrap().starts_with("in the account that owns the bucket: "), "{f}");

    // The owner refuses GetBucketLogging to this account: MANUAL, saying why, not FAIL.
    let (st, _) = harness(
        "POST",
        "/_harness/faults",
        &json!({"operation": "GetBucketLogging", "service": "s3",
        "account_id": acct, "error_code": "AccessDenied", "message": "Access Denied", "http_status": 403, "times": 1}),
    );
    assert_eq!(st, 200);
    let r = audit(acct, &["--benchmark", "4.0.0", "--controls", "3.4", "--format", "json"]);
    let c = control(&r.json(), "3.4").clone();
    assert_eq!(c["status"], "MANUAL", "{c}");
    let m = c["message"].as_str().unwrap();
    assert!(
        m.contains(&format!("bucket {bucket} (trail main) belongs to another account"))
            && m.contains("s3:GetBucketLogging was refused (AccessDenied)"),
        "{m}"
    );

    // Audited together with the owner (whose own reads of the bucket do not include its logging,
    // as it has no trail): this account's reading decides again, once the refusal is over.
    let r = audit(
        acct,
        &[
            "--benchmark",
            "4.0.0",
            "--controls",
            "3.4",
            "--format",
            "json",
            "--role-arn",
            &format!("arn:aws:iam::{owner}:role/audit"),
        ],
    );
    let rep = r.json();
    let mine: Vec<&Value> = rep["controls"].as_array().unwrap().iter().filter(|c| c["account"] == acct).collect();
    assert_eq!(mine[0]["status"], "FAIL", "{}", r.stdout);
}
