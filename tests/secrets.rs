//! No secret is ever written: the access key, secret key and session token a run uses appear in
//! none of its outputs (stdout, stderr at any log level, the reports, the inventory, the journal),
//! and the inventory and the journal are private files (0600). Against the AWS emulator (run via
//! scripts/test), account 290000000001.

mod common;
use common::*;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;

fn tmp(name: &str) -> std::path::PathBuf {
    tmp_path("secrets", name).into()
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn credentials_appear_in_no_output_and_private_files_are_0600() {
    let acct = "290000000001";
    let mut spec = compliant_spec(acct);
    spec["buckets"] = json!([{"region": "us-east-1", "name": "trail-{account}"}]);
    spec.as_object_mut().unwrap().remove("alarms");
    seed(&spec);
    let creds = caller_env(acct);
    let secrets: Vec<String> = creds.iter().map(|(_, v)| v.clone()).collect();
    assert!(secrets.iter().all(|s| s.len() >= 16), "real-looking credentials: {secrets:?}");

    let (inv, out_dir, journal) = (tmp("inventory.json"), tmp("reports"), tmp("journal.json"));
    let e = emu();
    let run_with = |args: &[&str]| {
        let mut c = bin();
        c.args(["audit", "--endpoint-url", &e.endpoint, "--region", "us-east-1", "--regions", "us-east-1,eu-west-1"]);
        c.args(args);
        for (k, v) in &creds {
            c.env(k, v);
        }
        // Every log level the SDK or we might honour.
        c.env("RUST_LOG", "trace").env("AWS_LOG_LEVEL", "trace").env("RUST_BACKTRACE", "full");
        run(c)
    };
    let mut texts: Vec<(String, String)> = Vec::new();
    let r = run_with(&[
        "--save-inventory",
        inv.to_str().unwrap(),
        "--format",
        "json,markdown,html,csv,junit,sarif,ocsf,asff",
        "--output-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    texts.push(("audit stdout".into(), r.stdout));
    texts.push(("audit stderr".into(), r.stderr));
    let r = run_with(&[
        "--controls",
        "4.10",
        "--remediate",
        "--yes",
        "--notify",
        "email:secops@example.com",
        "--journal",
        journal.to_str().unwrap(),
    ]);
    assert!(r.code <= 1, "{}\n{}", r.stdout, r.stderr);
    texts.push(("remediation stdout".into(), r.stdout));
    texts.push(("remediation stderr".into(), r.stderr));
    // A failure path prints errors: a denied call.
    let (st, _) = harness(
        "POST",
        "/_harness/faults",
        &json!({"operation": "DescribeTrails", "account_id": acct, "error_code": "AccessDenied", "http_status": 403}),
    );
    assert_eq!(st, 200);
    let r = run_with(&["--controls", "3.1", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    texts.push(("denied stdout".into(), r.stdout));
    texts.push(("denied stderr".into(), r.stderr));
    harness("DELETE", "/_harness/faults", &json!({}));

    let mut files = vec![inv.clone(), journal.clone()];
    files.extend(std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().path()));
    assert!(files.len() >= 10, "{files:?}");
    for f in &files {
        texts.push((f.display().to_string(), std::fs::read_to_string(f).unwrap()));
    }
    for (what, text) in &texts {
        assert!(!text.is_empty() || what.contains("stdout"), "{what} is empty");
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{what} contains a credential ({}…)", &s[..6]);
        }
        assert!(!text.contains("aws_secret_access_key") && !text.contains("SecretAccessKey"), "{what}");
    }
    for f in [&inv, &journal] {
        let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is {mode:o}", f.display());
    }
}
