//! Every report format, handed to a real consumer of that format (tests/consumers/validate.py:
//! the SARIF schemas, py-ocsf-models, botocore's BatchImportFindings validation, junitparser,
//! Python's csv, headless Chromium), and the examples under reports/examples/ kept equal to what
//! the code renders. No emulator needed: the reports come from the saved demo inventory.
//!
//! Rewrite the examples after a deliberate change with
//! `CIS_AUDIT_UPDATE_EXAMPLES=1 scripts/test --test reports`.

use cis_audit::finding::Status;
use cis_audit::report::{Format, Report, ReportPolicy};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/demo-inventory.json");
const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/reports/examples");
const ALL: &str = "json,markdown,html,csv,junit,sarif,ocsf,asff";

fn env(k: &str) -> String {
    std::env::var(k)
        .unwrap_or_else(|_| panic!("{k} is not set: run these tests with scripts/test, which sets up the consumers"))
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cis-audit"));
    c.env_remove("AWS_ENDPOINT_URL").env_remove("NO_COLOR");
    c
}

fn tmpdir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the consumer of `format` on `file`; returns its summary, after checking it accepted the
/// file without a warning.
fn validate(format: &str, file: &Path, screenshot: Option<&Path>) -> Value {
    let mut c = Command::new(env("CIS_AUDIT_TEST_PYTHON"));
    c.arg(env("CIS_AUDIT_TEST_CONSUMERS")).arg(format).arg(file);
    if let Some(s) = screenshot {
        c.arg("--screenshot").arg(s);
    }
    let out = c.output().expect("run validate.py");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{format} consumer rejected {}:\n{stderr}", file.display());
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("summary not JSON: {e}"));
    assert_eq!(summary["warnings"], json!([]), "{format} consumer warned about {}: {summary}", file.display());
    summary
}

fn demo_report() -> Report {
    let out = bin().args(["audit", "--inventory", DEMO, "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the JSON report reads back as a Report")
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

#[test]
#[ignore = "needs the report consumers: scripts/test installs them and runs this"]
fn every_format_of_the_demo_passes_its_consumer_and_is_the_renderer_s_output() {
    let dir = tmpdir("reports-demo");
    let out = bin().args(["audit", "--inventory", DEMO, "--format", ALL, "--output-dir"]).arg(&dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "the audit's exit code: {stderr}");
    assert!(out.stdout.is_empty(), "no table asked for, nothing on stdout");
    assert!(stderr.contains("reports written to"), "{stderr}");

    // What the CLI wrote is exactly each renderer's output for the JSON report it wrote.
    let report: Report = serde_json::from_str(&std::fs::read_to_string(dir.join("cis-audit.json")).unwrap()).unwrap();
    for f in ALL.split(',').map(|f| f.parse::<Format>().unwrap()) {
        let path = dir.join(f.file_name().unwrap());
        let written = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(written == f.render(&report, false), "{} differs from the {f} renderer's output", path.display());
    }
    let fails = report.controls.iter().filter(|c| c.status == Status::Fail).count();
    let passes = report.controls.iter().filter(|c| c.status == Status::Pass).count();
    let manual = report.controls.iter().filter(|c| c.status == Status::Manual).count();
    assert_eq!(report.controls.len(), 65, "the demo's verdicts changed");
    assert_eq!(fails + passes + manual, 65, "the demo has only PASS, FAIL and MANUAL verdicts");
    for (key, status) in
        [("security-group-changes", Status::Pass), ("vpc-changes", Status::Fail), ("route-table-changes", Status::Fail)]
    {
        assert_eq!(report.controls.iter().find(|c| c.key == key).unwrap().status, status, "{key}");
    }

    let s = validate("sarif", &dir.join("cis-audit.sarif"), None);
    assert_eq!(s["tool"], json!(["cis-audit"]));
    assert_eq!(s["results"], fails, "{s}");
    assert_eq!(s["levels"], json!({"error": fails}), "{s}");
    assert_eq!(s["kinds"], json!({"fail": fails}), "{s}");
    let rules = strs(&s["rules"]);
    assert_eq!(rules.len(), 63, "one rule per control of the benchmark: {rules:?}");
    for id in ["3.1", "3.3", "4.1", "4.10", "4.15"] {
        assert!(rules.contains(&id.to_string()), "no rule {id}: {rules:?}");
    }
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("cis-audit.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r33 = results.iter().find(|r| r["ruleId"] == "3.3").unwrap();
    assert_eq!(
        r33["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "111122223333/eu-central-1/default",
        "{r33}"
    );
    let r414 = results.iter().find(|r| r["ruleId"] == "4.14").unwrap();
    assert_eq!(
        r414["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cis-4.14-vpc-changes",
        "the broken link's resource: {r414}"
    );

    let o = validate("ocsf", &dir.join("cis-audit.ocsf.json"), None);
    assert_eq!(o["findings"], 65);
    assert_eq!(o["compliance_status_ids"], json!({"Fail": fails, "Pass": passes, "Other": manual}), "{o}");
    assert_eq!(o["status_ids"], json!({"New": 65}), "{o}");
    assert_eq!(o["accounts"], json!(["111122223333"]));
    assert_eq!(o["profiles"], json!(["cloud"]));
    assert_eq!(strs(&o["controls"]).len(), 63);

    let a = validate("asff", &dir.join("cis-audit.asff.json"), None);
    assert_eq!(a["findings"], 65);
    assert_eq!(a["compliance"], json!({"FAILED": fails, "PASSED": passes, "WARNING": manual}), "{a}");
    assert_eq!(a["ids_unique"], true);
    assert_eq!(a["regions"], json!(["eu-central-1", "eu-west-1", "us-east-1"]), "{a}");
    assert_eq!(a["batches"], 1);
    let severities: u64 = a["severity"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(severities, 65, "{a}");
    // A FAIL is at least LOW; PASS and MANUAL are INFORMATIONAL.
    assert_eq!(a["severity"]["INFORMATIONAL"], passes + manual, "{a}");

    let j = validate("junit", &dir.join("cis-audit.junit.xml"), None);
    assert_eq!(
        (
            j["tests"].as_u64(),
            j["failures"].as_u64(),
            j["errors"].as_u64(),
            j["skipped"].as_u64(),
            j["passed"].as_u64()
        ),
        (Some(65), Some(fails as u64), Some(0), Some(manual as u64), Some(passes as u64)),
        "{j}"
    );
    assert_eq!(j["suites"], json!(["CIS Amazon Web Services Foundations Benchmark v5.0.0 / 111122223333"]));

    let c = validate("csv", &dir.join("cis-audit.csv"), None);
    assert_eq!(c["rows"], 65);
    assert_eq!(c["statuses"], json!({"FAIL": fails, "PASS": passes, "MANUAL": manual}));
    let cols = strs(&c["columns"]);
    assert_eq!(&cols[..7], ["control", "key", "title", "status", "account", "region", "message"]);
    for col in ["suppressed_reason", "change", "custom", "evidence", "remediation"] {
        assert!(cols.contains(&col.to_string()), "no column {col}: {cols:?}");
    }

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cis-audit-demo.png");
    let h = validate("html", &dir.join("cis-audit.html"), Some(&shot));
    assert_eq!(h["svg_count"], 15, "one chain diagram per monitoring verdict: {h}");
    assert_eq!(h["external_requests"], json!([]));
    assert_eq!(h["external_references"], json!([]));
    assert_eq!(h["console"], json!([]), "no JavaScript error or log: {h}");
    assert_eq!(h["title"], "cis-audit report — CIS Amazon Web Services Foundations Benchmark v5.0.0");
    assert_eq!(h["screenshot"]["size"], json!([1400, 2000]));
    eprintln!("screenshot of the demo report: {}", shot.display());
    let html = std::fs::read_to_string(dir.join("cis-audit.html")).unwrap();
    assert_eq!(html.matches("▼ first broken link").count(), 14, "every failing chain marks its first broken link");
    assert!(html.contains("aws sns subscribe --region us-east-1"), "the remediation beside 4.11's chain");
}

#[test]
fn several_formats_need_an_output_dir() {
    let out = bin().args(["audit", "--inventory", DEMO, "--format", "json,sarif"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("--output-dir"), "{stderr}");
    let out =
        bin().args(["audit", "--inventory", DEMO, "--format", "json,sarif", "--output", "x.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output-dir"));
    // The table of a list goes to the terminal, the rest to their files.
    let dir = tmpdir("reports-table");
    let out =
        bin().args(["audit", "--inventory", DEMO, "--format", "table,csv", "--output-dir"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Ensure security group changes are monitored"));
    assert!(dir.join("cis-audit.csv").is_file());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "the table has no file");
}

/// A finding of the demo account, as JSON.
fn finding(control: &str, check: &str, status: &str, message: &str, evidence: Value) -> Value {
    json!({"control": control, "check": check, "status": status, "account": "111122223333",
           "region": "us-east-1", "resource": null, "message": message, "evidence": evidence})
}

/// The demo report with every status and every field of schema 1.1 in it: a suppressed FAIL, an
/// ERROR (an unreadable link, and an account whose role could not be assumed), a MANUAL (evidence
/// outside the audit), a SKIPPED verdict, baseline changes, a custom control, excluded and failed
/// scope accounts, and an EventBridge route. Edited as JSON, so that fields added to the report
/// later (with defaults) do not break it.
fn rich_report() -> Report {
    let mut r: Value = serde_json::to_value(demo_report()).unwrap();
    r["generated_at"] = json!("2025-06-01T12:00:00Z");
    let idx = |r: &Value, id: &str| r["controls"].as_array().unwrap().iter().position(|c| c["control"] == id).unwrap();
    let for_findings = |r: &mut Value, control: &str, module: &str, f: &dyn Fn(&mut Value)| {
        for x in r["findings"].as_array_mut().unwrap() {
            if x["control"] == control && x["check"].as_str().unwrap().ends_with(module) {
                f(x);
            }
        }
    };

    let i =
        r["controls"].as_array().unwrap().iter().position(|c| c["control"] == "3.3" && c["status"] == "FAIL").unwrap();
    r["controls"][i]["suppressed"] = json!({"reason": "eu-central-1 is being decommissioned", "expires": "2027-01-31"});

    // The chain a verdict carries: its links from `from` on in `state`, the rest not reached.
    let set_chain = |r: &mut Value, i: usize, from: &str, state: &str| {
        let links = r["controls"][i]["chain"]["links"].as_array_mut().unwrap();
        let at = links.iter().position(|l| l["kind"] == from).unwrap();
        for (k, l) in links.iter_mut().enumerate() {
            if k == at {
                l["state"] = json!(state);
            } else if k > at {
                l["state"] = json!("not-reached");
                l["value"] = json!("—");
            } else {
                l["state"] = json!("holds");
            }
        }
    };

    let i = idx(&r, "4.2");
    set_chain(&mut r, i, "log-group", "unreadable");
    r["controls"][i]["status"] = json!("ERROR");
    r["controls"][i]["message"] = json!(
        "metric-filter link could not be read: AccessDeniedException: not authorized to perform logs:DescribeMetricFilters"
    );
    for_findings(&mut r, "4.2", "/metric-filter", &|f| {
        f["status"] = json!("ERROR");
        f["message"] = json!("AccessDeniedException: not authorized to perform logs:DescribeMetricFilters");
        f["evidence"].as_array_mut().unwrap().retain(|e| e["step"] == "log_group");
        f.as_object_mut().unwrap().remove("remediation");
    });

    let i = idx(&r, "4.3");
    set_chain(&mut r, i, "log-group", "out-of-scope");
    let manual = "trail delivers to log group org-trail in account 999988887777, outside this audit";
    r["controls"][i]["status"] = json!("MANUAL");
    r["controls"][i]["message"] = json!(manual);
    for_findings(&mut r, "4.3", "/metric-filter", &|f| {
        f["status"] = json!("MANUAL");
        f["message"] = json!(manual);
        f["evidence"].as_array_mut().unwrap().retain(|e| e["step"] == "log_group");
        f.as_object_mut().unwrap().remove("remediation");
    });

    let i = idx(&r, "4.12");
    r["controls"][i]["status"] = json!("SKIPPED");
    r["controls"][i]["message"] = json!("not evaluated: excluded by the configuration");
    r["controls"][i].as_object_mut().unwrap().remove("chain");
    r["findings"].as_array_mut().unwrap().retain(|f| f["control"] != "4.12");

    // 4.5 also has an EventBridge route, complete in us-east-1 only.
    let mut route = finding(
        "4.5",
        "cloudtrail-config-changes/eventbridge-rule",
        "FAIL",
        "EventBridge route incomplete: eu-west-1: no enabled rule matches every required event",
        json!([
            {"step": "eventbridge.trail", "observed": "arn:aws:cloudtrail:us-east-1:111122223333:trail/cis-demo-management-events", "ok": true},
            {"step": "eventbridge.us-east-1", "observed": "rule cloudtrail-changes → arn:aws:sns:us-east-1:111122223333:cis-security-alarms (2 confirmed subscriber(s))", "ok": true},
            {"step": "eventbridge.eu-west-1", "observed": "no enabled rule matches every required event", "ok": false},
        ]),
    );
    route["region"] = Value::Null;
    route["remediation"] = json!("aws events put-rule --name <rule> --event-pattern '<pattern>'");
    let at = r["findings"].as_array().unwrap().iter().rposition(|x| x["control"] == "4.5").unwrap() + 1;
    r["findings"].as_array_mut().unwrap().insert(at, route);
    let i = idx(&r, "4.5");
    r["controls"][i]["chain"]["route"] = json!({
    "trail": "arn:aws:cloudtrail:us-east-1:111122223333:trail/cis-demo-management-events",
    "regions": [
        {"region": "us-east-1", "holds": true, "text": "rule cloudtrail-changes → arn:aws:sns:us-east-1:111122223333:cis-security-alarms (2 confirmed subscriber(s))"},
        {"region": "eu-west-1", "holds": false, "text": "no enabled rule matches every required event"},
    ]});

    for (id, ch) in [("4.1", "new"), ("4.10", "fixed"), ("4.11", "still-failing"), ("3.1", "unchanged")] {
        let i = idx(&r, id);
        r["controls"][i]["change"] = json!(ch);
    }
    r["baseline"] =
        json!({"generated_at": "2025-05-01T12:00:00Z", "new": 1, "fixed": 1, "still_failing": 1, "gone": 2});

    let mut custom = r["controls"][idx(&r, "3.1")].clone();
    custom["control"] = json!("ORG-1");
    custom["title"] = json!("Ensure the organization trail bucket is versioned");
    custom["status"] = json!("FAIL");
    custom["message"] = json!("bucket org-trail-logs has versioning suspended");
    custom["custom"] = json!(true);
    custom.as_object_mut().unwrap().remove("change");
    r["controls"].as_array_mut().unwrap().push(custom);
    let mut f = finding(
        "ORG-1",
        "bucket-versioning/bucket",
        "FAIL",
        "bucket org-trail-logs has versioning suspended",
        json!([{"step": "bucket.versioning", "observed": "Suspended", "ok": false}]),
    );
    f["resource"] = json!("arn:aws:s3:::org-trail-logs");
    f["remediation"] =
        json!("aws s3api put-bucket-versioning --bucket org-trail-logs --versioning-configuration Status=Enabled");
    r["findings"].as_array_mut().unwrap().push(f);

    // Another account could not be read; a third was excluded.
    let mut failed = r["controls"][idx(&r, "3.1")].clone();
    failed["account"] = json!("444455556666");
    failed["status"] = json!("ERROR");
    failed["message"] = json!("cannot assume arn:aws:iam::444455556666:role/audit: AccessDenied");
    failed.as_object_mut().unwrap().remove("change");
    r["controls"].as_array_mut().unwrap().push(failed);
    let mut f = finding(
        "3.1",
        "account/assume-role",
        "ERROR",
        "cannot assume the role",
        json!([{"step": "account.assume_role", "observed": "AccessDenied: not authorized", "ok": false}]),
    );
    f["account"] = json!("444455556666");
    f["region"] = Value::Null;
    r["findings"].as_array_mut().unwrap().push(f);
    r["scope"].as_array_mut().unwrap().extend([
        json!({"account": "444455556666", "name": "payments", "state": "failed",
               "reason": "cannot assume arn:aws:iam::444455556666:role/audit: AccessDenied",
               "regions": [], "regions_source": "--regions"}),
        json!({"account": "777788889999", "name": "sandbox", "state": "excluded",
               "reason": "--exclude-accounts", "regions": [], "regions_source": "none"}),
    ]);
    let mut summary = serde_json::Map::new();
    for c in r["controls"].as_array().unwrap() {
        let k = c["status"].as_str().unwrap().to_string();
        let n = summary.get(&k).and_then(Value::as_u64).unwrap_or(0);
        summary.insert(k, json!(n + 1));
    }
    r["summary"] = Value::Object(summary);
    r["notes"] = json!([
        "cis-audit.toml:7:11: 4.10 of CIS v4.0.0 is security-group-changes, numbered 4.10 in CIS v5.0.0 (this run's)"
    ]);
    let mut rep: Report = serde_json::from_value(r).expect("the edited report is still a Report");
    // What counts, decided again over the edited verdicts.
    rep.policy =
        ReportPolicy::of(cis_audit::policy::outcome(&rep.controls, cis_audit::policy::FailOn::Any), vec![], false);
    rep
}

#[test]
#[ignore = "needs the report consumers: scripts/test installs them and runs this"]
fn every_status_and_every_schema_1_1_field_pass_the_consumers_and_show() {
    let r = rich_report();
    let dir = tmpdir("reports-rich");
    let write = |f: Format| {
        let p = dir.join(f.file_name().unwrap());
        std::fs::write(&p, f.render(&r, false)).unwrap();
        p
    };

    // The verdicts by status; one FAIL is suppressed; two ERRORs (4.2 and the unreadable account)
    // and one SKIPPED.
    let n = |st: Status| r.controls.iter().filter(|c| c.status == st).count() as u64;
    let (fails, passes, manual, errors, skipped) =
        (n(Status::Fail), n(Status::Pass), n(Status::Manual), n(Status::Error), n(Status::Skipped));
    let suppressed = r.controls.iter().filter(|c| c.suppressed.is_some()).count() as u64;
    assert_eq!((suppressed, errors, skipped), (1, 2, 1));
    let s = validate("sarif", &write(Format::Sarif), None);
    assert_eq!(s["levels"], json!({"error": fails - 1, "note": 1, "warning": 2}), "{s}");
    assert!(strs(&s["rules"]).contains(&"ORG-1".to_string()));
    let sarif: Value = serde_json::from_str(&Format::Sarif.render(&r, false)).unwrap();
    let run = &sarif["runs"][0];
    let note = run["results"].as_array().unwrap().iter().find(|x| x["level"] == "note").unwrap();
    assert_eq!(note["properties"]["suppressed"]["reason"], "eu-central-1 is being decommissioned");
    assert!(note["message"]["text"].as_str().unwrap().contains("expires 2027-01-31"), "{note}");
    assert_eq!(run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap().len(), 1);
    let custom_rule = run["tool"]["driver"]["rules"].as_array().unwrap().iter().find(|x| x["id"] == "ORG-1").unwrap();
    assert!(custom_rule["properties"]["tags"].as_array().unwrap().contains(&json!("custom")));

    let o = validate("ocsf", &write(Format::Ocsf), None);
    assert_eq!(
        o["compliance_status_ids"],
        json!({"Fail": fails, "Other": manual + skipped, "Pass": passes, "Warning": errors}),
        "{o}"
    );
    assert_eq!(o["status_ids"], json!({"New": 66, "Suppressed": 1}), "{o}");
    assert_eq!(o["accounts"], json!(["111122223333", "444455556666"]));

    let a = validate("asff", &write(Format::Asff), None);
    assert_eq!(
        a["compliance"],
        json!({"FAILED": fails, "NOT_AVAILABLE": errors + skipped, "PASSED": passes, "WARNING": manual}),
        "{a}"
    );
    let asff: Value = serde_json::from_str(&Format::Asff.render(&r, false)).unwrap();
    let sup = asff.as_array().unwrap().iter().find(|x| x["Workflow"]["Status"] == "SUPPRESSED").unwrap();
    assert_eq!(sup["Compliance"]["Status"], "FAILED", "a suppressed verdict keeps its status");
    assert!(sup["Note"]["Text"].as_str().unwrap().contains("decommissioned"));
    let org = asff.as_array().unwrap().iter().find(|x| x["ProductFields"]["cis-audit/ControlId"] == "ORG-1").unwrap();
    assert_eq!(org["GeneratorId"], "cis-audit/custom/ORG-1");
    assert_eq!(org["Types"], json!(["Software and Configuration Checks"]));

    let j = validate("junit", &write(Format::Junit), None);
    // Skipped: the suppressed FAIL, the MANUAL and the SKIPPED verdicts.
    assert_eq!(
        (
            j["tests"].as_u64(),
            j["failures"].as_u64(),
            j["errors"].as_u64(),
            j["skipped"].as_u64(),
            j["passed"].as_u64()
        ),
        (Some(67), Some(fails - 1), Some(errors), Some(manual + suppressed + skipped), Some(passes)),
        "{j}"
    );
    assert_eq!(strs(&j["suites"]).len(), 3, "a suite per scope account, the excluded one too: {j}");

    let c = validate("csv", &write(Format::Csv), None);
    assert_eq!(
        c["statuses"],
        json!({"ERROR": errors, "FAIL": fails, "MANUAL": manual, "PASS": passes, "SKIPPED": skipped}),
        "{c}"
    );
    let csv = Format::Csv.render(&r, false);
    assert!(csv.contains("eu-central-1 is being decommissioned,2027-01-31"), "suppression columns");
    assert!(csv.contains(",still-failing,"), "change column");

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cis-audit-rich.png");
    let h = validate("html", &write(Format::Html), Some(&shot));
    eprintln!("screenshot of the report with every status: {}", shot.display());
    // 14 metric-filter routes (4.12 has no findings) and the EventBridge route of 4.5.
    assert_eq!(h["svg_count"], 15, "{h}");
    let html = Format::Html.render(&r, false);
    for needle in [
        "suppressed: eu-central-1 is being decommissioned (expires 2027-01-31)",
        "new since baseline",
        "fixed since baseline",
        "still failing",
        "custom control (not CIS)",
        "<span class=\"state excluded\">excluded</span>",
        "<span class=\"state failed\">failed</span>",
        "EventBridge route",
        "! unreadable",
        "? outside the audit",
        "Compared with the baseline report of 2025-05-01T12:00:00Z",
        "Exit status 2",
    ] {
        assert!(html.contains(needle), "the page does not show {needle:?}");
    }
}

/// The examples: every format of the demo report, with the time and duration fixed.
fn example_report() -> Report {
    let mut r = demo_report();
    r.generated_at = "2025-06-01T12:00:00Z".into();
    r.stats.duration_ms = 0;
    r.options.inventory = Some("tests/fixtures/demo-inventory.json".into());
    r
}

fn example_name(f: Format) -> String {
    f.file_name().map(str::to_string).unwrap_or_else(|| "cis-audit.table.txt".into())
}

#[test]
fn the_examples_are_what_the_code_renders() {
    std::env::remove_var("COLUMNS"); // the table's width
    let r = example_report();
    let update = std::env::var_os("CIS_AUDIT_UPDATE_EXAMPLES").is_some();
    let mut stale = Vec::new();
    for f in Format::ALL {
        let path = Path::new(EXAMPLES).join(example_name(f));
        let text = f.render(&r, false);
        if update {
            std::fs::create_dir_all(EXAMPLES).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == text => {}
            Ok(committed) => {
                let line = committed.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(0) + 1;
                stale.push(format!("{} (first difference on line {line})", path.display()));
            }
            Err(e) => stale.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "reports/examples/ is stale: {}\nrewrite it with CIS_AUDIT_UPDATE_EXAMPLES=1 scripts/test --test reports",
        stale.join("; ")
    );
}
