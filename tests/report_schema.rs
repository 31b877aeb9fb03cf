//! The JSON report conforms to reports/schema/report-v1.json, and a saved inventory replays to
//! the same verdicts offline. No emulator needed: the inventory is a fixture saved from the demo.

use serde_json::Value;
use std::process::Command;

/// Validates `v` against the subset of JSON Schema the report schema uses: type, required,
/// properties, additionalProperties (schema), propertyNames, items, $ref into $defs, enum,
/// const, pattern, minimum. Returns every violation with its JSON path.
fn validate(schema: &Value, root: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return validate(&root["$defs"][name], root, v, path, errs);
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            errs.push(format!("{path}: expected {types:?}, got {v}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errs.push(format!("{path}: {v} not in {e:?}"));
        }
    }
    if let Some(c) = schema.get("const") {
        if c != v {
            errs.push(format!("{path}: {v} != {c}"));
        }
    }
    if let (Some(p), Some(s)) = (schema.get("pattern").and_then(Value::as_str), v.as_str()) {
        if !regex::Regex::new(p).unwrap().is_match(s) {
            errs.push(format!("{path}: {s:?} does not match {p}"));
        }
    }
    if let (Some(m), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if n < m {
            errs.push(format!("{path}: {n} < {m}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let k = r.as_str().unwrap();
            if !obj.contains_key(k) {
                errs.push(format!("{path}: missing required field {k}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, val) in obj {
            let p = format!("{path}.{k}");
            if let Some(names) = schema.get("propertyNames") {
                validate(names, root, &Value::String(k.clone()), &p, errs);
            }
            match props.and_then(|m| m.get(k)) {
                Some(s) => validate(s, root, val, &p, errs),
                None => {
                    if let Some(extra) = schema.get("additionalProperties").filter(|x| x.is_object()) {
                        validate(extra, root, val, &p, errs);
                    }
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(items, root, x, &format!("{path}[{i}]"), errs);
        }
    }
}

fn schema() -> Value {
    serde_json::from_str(include_str!("../reports/schema/report-v1.json")).unwrap()
}

fn check(report: &Value) {
    let s = schema();
    let mut errs = Vec::new();
    validate(&s, &s, report, "$", &mut errs);
    assert!(errs.is_empty(), "schema violations:\n{}", errs.join("\n"));
}

#[test]
fn the_validator_catches_violations() {
    let mut bad: Value = serde_json::from_str(include_str!("../reports/examples/cis-audit.json")).unwrap();
    bad["controls"][0]["status"] = "MAYBE".into();
    bad["findings"][0].as_object_mut().unwrap().remove("evidence");
    let s = schema();
    let mut errs = Vec::new();
    validate(&s, &s, &bad, "$", &mut errs);
    assert_eq!(errs.len(), 2, "{errs:?}");
}

#[test]
fn example_report_conforms() {
    check(&serde_json::from_str(include_str!("../reports/examples/cis-audit.json")).unwrap());
}

#[test]
fn offline_replay_of_the_demo_inventory_conforms_and_matches_the_example() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/demo-inventory.json");
    let out = Command::new(env!("CARGO_BIN_EXE_cis-audit"))
        .args(["audit", "--inventory", fixture, "--format", "json"])
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    check(&report);
    let example: Value = serde_json::from_str(include_str!("../reports/examples/cis-audit.json")).unwrap();
    assert_eq!(report["controls"], example["controls"]);
    assert_eq!(report["findings"], example["findings"]);
    assert_eq!(report["options"]["inventory"], fixture);
}

#[test]
fn a_report_with_every_job_field_conforms() {
    // Offline: the demo inventory, a baseline, a suppression and a custom control.
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/demo-inventory.json");
    let dir = std::env::temp_dir().join(format!("cis-audit-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join("base.json");
    let cfg = dir.join("c.toml");
    std::fs::write(
        &cfg,
        "[[suppress]]\ncontrol = \"4.11\"\nreason = \"network team\"\nexpires = 2999-01-01\n\n[[control]]\nid = \"x.ec2\"\ntitle = \"EC2 changes\"\nevent_source = \"ec2.amazonaws.com\"\nevents = [\"RunInstances\"]\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cis-audit"))
            .args(["audit", "--inventory", fixture, "--format", "json"])
            .args(extra)
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    std::fs::write(&base, run(&["--controls", "3.1,4.10,4.11,4.12"])).unwrap();
    let report: Value = serde_json::from_slice(&run(&[
        "--baseline",
        base.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--controls",
        "3.1,4.10,4.11,x.ec2",
    ]))
    .unwrap();
    check(&report);
    assert!(report["baseline"].is_object());
    let controls = report["controls"].as_array().unwrap();
    assert!(controls.iter().any(|c| c["suppressed"]["reason"] == "network team"));
    assert!(controls.iter().any(|c| c["custom"] == true && c["change"] == "new"));
    assert_eq!(report["baseline"]["gone"], 1, "4.12 is no longer evaluated");
}
