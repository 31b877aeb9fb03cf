//! A remediation interrupted at any step rolls back to the account as it was, against the AWS
//! emulator (run via scripts/test). The harness holds the chosen step's call for a few seconds
//! and lets it through afterwards, so the call lands even when the process is gone:
//! - SIGKILL while the call is in flight: the journal holds the step's intent (written and
//!   fsync'd before the call), `rollback` looks the resource up and removes it when it is what
//!   the plan would have created;
//! - SIGINT / SIGTERM while the call is in flight: the call finishes and is journaled, the run
//!   stops with exit 130 and a line saying how to roll back.
//!
//! Each test uses its own account (28000000000N).

mod common;
use common::*;
use serde_json::{json, Value};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const CONTROLS: &str = "3.1,3.3,4.10";

fn tmp(name: &str) -> String {
    tmp_path("interrupt", name)
}

fn inputs(acct: &str) -> Vec<String> {
    remediation_inputs(acct, "ct")
}

fn seed_account(acct: &str) {
    seed(&json!({"account": acct, "buckets": [{"region": "us-east-1", "name": "trail-{account}"},
        {"region": "us-east-1", "name": "config-{account}"}]}));
}

/// What the account holds, as a saved inventory describes it.
fn state(acct: &str, name: &str) -> Value {
    let path = tmp(name);
    let r = audit(acct, &["--controls", CONTROLS, "--save-inventory", &path, "--format", "json"]);
    assert!(r.code == 1, "the account fails before remediation and after rollback: {}\n{}", r.stdout, r.stderr);
    let inv: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json!({"accounts": inv["accounts"], "log_groups": inv["log_groups"], "metric_alarms": inv["metric_alarms"], "topics": inv["topics"]})
}

/// Starts `audit --remediate --yes` in the background.
fn start(acct: &str, journal: &str) -> Child {
    let mut c = audit_command(acct);
    c.args(["--regions", "us-east-1,eu-west-1", "--controls", CONTROLS, "--remediate", "--yes", "--journal", journal])
        .args(inputs(acct))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c.spawn().expect("start cis-audit")
}

/// Waits until the harness holds `operation` of `acct` (the step is in flight).
fn wait_in_flight(acct: &str, operation: &str, child: &mut Child) {
    let t = Instant::now();
    loop {
        let (_, v) = harness("GET", "/_harness/faults", &json!({}));
        let held = v["delaying"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["operation"] == operation && x["account_id"] == acct));
        if held {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let out = child.wait_with_output_lossy();
            panic!("cis-audit ended ({status}) before {operation} was in flight:\n{out}");
        }
        assert!(t.elapsed() < Duration::from_secs(60), "{operation} never came in flight");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the harness has let every held call of `acct` through.
fn wait_released(acct: &str) {
    let t = Instant::now();
    loop {
        let (_, v) = harness("GET", "/_harness/faults", &json!({}));
        let held = v["delaying"].as_array().is_some_and(|d| d.iter().any(|x| x["account_id"] == acct));
        if !held {
            return;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "the held call was never released");
        std::thread::sleep(Duration::from_millis(50));
    }
}

trait Lossy {
    fn wait_with_output_lossy(&mut self) -> String;
}

impl Lossy for Child {
    fn wait_with_output_lossy(&mut self) -> String {
        use std::io::Read;
        let _ = self.wait();
        let mut s = String::new();
        if let Some(mut o) = self.stdout.take() {
            let _ = o.read_to_string(&mut s);
        }
        if let Some(mut e) = self.stderr.take() {
            let _ = e.read_to_string(&mut s);
        }
        s
    }
}

enum Stop {
    Kill,
    Interrupt,
}

/// Interrupts the remediation while `operation`'s call is held, then rolls back.
fn interrupt_at(acct: &str, operation: &str, how: Stop) {
    seed_account(acct);
    let before = state(acct, &format!("before-{acct}.json"));
    let (st, _) = harness(
        "POST",
        "/_harness/faults",
        &json!({"operation": operation, "account_id": acct, "delay_ms": 2500, "pass_through": true, "times": 1}),
    );
    assert_eq!(st, 200);
    let journal = tmp(&format!("journal-{acct}.json"));
    let mut child = start(acct, &journal);
    wait_in_flight(acct, operation, &mut child);
    match how {
        Stop::Kill => {
            child.kill().unwrap(); // SIGKILL
            let status = child.wait().unwrap();
            assert_eq!(status.code(), None, "killed by a signal");
            // The call lands after the process died.
            wait_released(acct);
            let j: Value = serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
            let entries = j["entries"].as_array().unwrap();
            let started: Vec<&Value> = entries.iter().filter(|e| e["state"] == "started").collect();
            assert_eq!(started.len(), 1, "one step's outcome is unknown: {j}");
            assert_eq!(started[0]["action"]["type"], operation, "the step's intent is journaled before its call: {j}");
        }
        Stop::Interrupt => {
            let pid = child.id().to_string();
            let ok = std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap();
            assert!(ok.success());
            let out = child.wait_with_output_lossy();
            let code = child.wait().unwrap().code();
            assert_eq!(code, Some(130), "{out}");
            assert!(out.contains("cis-audit rollback"), "it says how to roll back: {out}");
            let j: Value = serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
            let entries = j["entries"].as_array().unwrap();
            let step = entries.iter().find(|e| e["action"]["type"] == operation).expect("the in-flight step");
            assert_eq!(step["state"], "done", "the call in flight finishes and is journaled: {j}");
            assert_eq!(j["status"], "interrupted", "{j}");
        }
    }
    let r = rollback(acct, &journal);
    assert_eq!(r.code, 0, "rollback after {operation}: {}\n{}", r.stdout, r.stderr);
    assert_eq!(state(acct, &format!("after-{acct}.json")), before, "rollback after {operation} left something behind");
    let r = rollback(acct, &journal);
    assert_eq!(r.code, 0, "a second rollback is harmless: {}\n{}", r.stdout, r.stderr);
}

macro_rules! at_every_step {
    ($( $name:ident: $op:literal, $acct:literal, $how:expr; )*) => {
        $(
            #[test]
            #[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
            fn $name() {
                interrupt_at($acct, $op, $how);
            }
        )*
    };
}

at_every_step! {
    killed_during_create_trail: "CreateTrail", "280000000001", Stop::Kill;
    killed_during_put_event_selectors: "PutEventSelectors", "280000000002", Stop::Kill;
    killed_during_start_logging: "StartLogging", "280000000003", Stop::Kill;
    killed_during_create_log_group: "CreateLogGroup", "280000000004", Stop::Kill;
    killed_during_update_trail: "UpdateTrail", "280000000005", Stop::Kill;
    killed_during_put_metric_filter: "PutMetricFilter", "280000000006", Stop::Kill;
    killed_during_create_topic: "CreateTopic", "280000000007", Stop::Kill;
    killed_during_put_metric_alarm: "PutMetricAlarm", "280000000008", Stop::Kill;
    killed_during_subscribe: "Subscribe", "280000000009", Stop::Kill;
    killed_during_put_configuration_recorder: "PutConfigurationRecorder", "280000000010", Stop::Kill;
    killed_during_put_delivery_channel: "PutDeliveryChannel", "280000000011", Stop::Kill;
    killed_during_start_configuration_recorder: "StartConfigurationRecorder", "280000000012", Stop::Kill;
    interrupted_during_put_metric_alarm: "PutMetricAlarm", "280000000013", Stop::Interrupt;
    interrupted_during_create_trail: "CreateTrail", "280000000014", Stop::Interrupt;
}

#[test]
#[ignore = "needs the AWS emulator: scripts/test starts it and runs this"]
fn the_plan_has_the_steps_these_tests_interrupt() {
    let acct = "280000000020";
    seed_account(acct);
    let mut args: Vec<String> =
        ["--controls", CONTROLS, "--remediate", "--dry-run", "--format", "json"].map(String::from).to_vec();
    args.extend(inputs(acct));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = audit(acct, &refs).json();
    let types: Vec<String> = out["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"]["type"].as_str().unwrap().to_string())
        .collect();
    let tested = [
        "CreateTrail",
        "PutEventSelectors",
        "StartLogging",
        "CreateLogGroup",
        "UpdateTrail",
        "PutMetricFilter",
        "CreateTopic",
        "PutMetricAlarm",
        "Subscribe",
        "PutConfigurationRecorder",
        "PutDeliveryChannel",
        "StartConfigurationRecorder",
    ];
    let mut kinds = types.clone();
    kinds.sort();
    kinds.dedup();
    for t in &kinds {
        assert!(tested.contains(&t.as_str()), "step {t} of the plan has no interruption test: {types:?}");
    }
}
