//! `--format ocsf`: a JSON array of OCSF 1.5.0 Compliance Findings (class 2003, the schema of
//! Amazon Security Lake), one per control verdict.
//!
//! `compliance.status_id`: PASS → 1 Pass, FAIL → 3 Fail; ERROR → 2 Warning (OCSF: "did not yield
//! a result due to missing information"), with the error in `status_details`; MANUAL → 99 Other,
//! status "Manual"; SKIPPED → 99 Other, status "Skipped". Each finding of the verdict (each link of
//! a monitoring chain) is a `compliance.checks` entry with its own status and an `evidences` entry
//! with the values observed. A suppressed verdict keeps its compliance status; its finding status is
//! 3 Suppressed, with the reason under `unmapped.suppressed`.

use super::view::{
    arn_region, epoch_ms, partition, qualified_resource, resource_kind, resources, severity, standard_name,
    suppression_text, verdict_key, Severity, CIS_URL,
};
use super::Report;
use super::Verdict as ControlResult;
use crate::finding::Status;
use serde_json::{json, Map, Value};

pub(crate) const OCSF_VERSION: &str = "1.5.0";

pub fn render(r: &Report) -> String {
    let all: Vec<Value> = r.controls.iter().map(|c| finding(r, c)).collect();
    let mut s = serde_json::to_string_pretty(&all).expect("OCSF serialises");
    s.push('\n');
    s
}

/// OCSF's compliance status of a verdict: (status_id, status).
fn compliance_status(s: Status) -> (u8, &'static str) {
    match s {
        Status::Pass => (1, "Pass"),
        Status::Fail => (3, "Fail"),
        Status::Error => (2, "Warning"),
        Status::Manual => (99, "Manual"),
        Status::Skipped => (99, "Skipped"),
    }
}

fn severity_id(c: &ControlResult) -> (u8, &'static str) {
    match severity(c) {
        Severity::Informational => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
    }
}

pub(crate) fn finding(r: &Report, c: &ControlResult) -> Value {
    let time = epoch_ms(&r.generated_at);
    let standard = standard_name(r, c);
    let (sid, sname) = compliance_status(c.status);
    let (sev_id, sev) = severity_id(c);
    let mut details = vec![c.message.clone()];
    if c.status == Status::Error {
        details[0] = format!("ERROR: {}", c.message);
    }
    if let Some(s) = &c.suppressed {
        details.push(suppression_text(s));
    }
    let mut compliance = json!({
        "control": c.control,
        "control_parameters": [{"name": "cis-audit-key", "value": c.key}],
        "standards": [standard],
        "requirements": [format!("{standard} {}", c.control)],
        "status_id": sid,
        "status": sname,
        "status_details": details,
        "desc": c.title,
    });
    let checks: Vec<Value> = r
        .findings_of(c)
        .map(|f| {
            let (id, name) = compliance_status(f.status);
            json!({"uid": f.check, "name": f.check, "status_id": id, "status": name, "desc": f.message})
        })
        .collect();
    if !checks.is_empty() {
        compliance["checks"] = Value::Array(checks);
    }

    let account_name = r.account_scope(&c.account).and_then(|a| a.name.clone()).unwrap_or_else(|| c.account.clone());
    let region_of_partition = c.region.clone().or_else(|| r.account_scope(&c.account)?.regions.first().cloned());
    let cloud_partition = partition(region_of_partition.as_deref().unwrap_or("us-east-1"));
    let mut cloud = json!({
        "provider": "AWS",
        "account": {"uid": c.account, "name": account_name, "type_id": 10, "type": "AWS Account"},
        "cloud_partition": cloud_partition,
    });
    if let Some(region) = &c.region {
        cloud["region"] = json!(region);
    }

    let mut res: Vec<Value> = resources(r, c)
        .into_iter()
        .map(|(id, f)| {
            let mut v = json!({
                "uid": qualified_resource(c, &f, &id),
                "name": id.rsplit([':', '/']).next().filter(|x| !x.is_empty()).unwrap_or(&id),
                "type": resource_kind(&id, &f).0,
                "cloud_partition": cloud_partition,
            });
            if let Some(region) = arn_region(&id).or(f.region.as_deref()) {
                v["region"] = json!(region);
            }
            v
        })
        .collect();
    res.insert(
        0,
        json!({"uid": c.account, "name": account_name, "type": "AWS::::Account", "cloud_partition": cloud_partition}),
    );

    let evidences: Vec<Value> = r
        .findings_of(c)
        .map(|f| {
            let mut data = Map::new();
            data.insert("check".into(), json!(f.check));
            data.insert("status".into(), json!(f.status));
            data.insert("message".into(), json!(f.message));
            if let Some(x) = &f.resource {
                data.insert("resource".into(), json!(x));
            }
            if let Some(x) = &f.region {
                data.insert("region".into(), json!(x));
            }
            data.insert("evidence".into(), serde_json::to_value(&f.evidence).expect("evidence serialises"));
            json!({"name": f.check, "data": data})
        })
        .collect();

    let mut unmapped = Map::new();
    unmapped.insert("level".into(), json!(c.level));
    unmapped.insert("assessment".into(), json!(c.assessment));
    unmapped.insert("benchmark_version".into(), json!(r.benchmark.version));
    if c.custom {
        unmapped.insert("custom".into(), json!(true));
    }
    if let Some(ch) = c.change {
        unmapped.insert("change".into(), json!(ch));
    }
    if let Some(s) = &c.suppressed {
        unmapped.insert("suppressed".into(), serde_json::to_value(s).expect("suppression serialises"));
    }
    if let Some(a) = r.account_scope(&c.account).filter(|a| !a.state.is_audited()) {
        unmapped.insert("account_state".into(), serde_json::to_value(a.state).expect("state serialises"));
    }

    let (status_id, status) = if c.suppressed.is_some() { (3, "Suppressed") } else { (1, "New") };
    let where_ = c.region.as_deref().map(|x| format!(", {x}")).unwrap_or_default();
    let mut out = json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "severity_id": sev_id,
        "severity": sev,
        "status_id": status_id,
        "status": status,
        "message": format!("{} {} ({}{where_}): {}", c.control, c.status, c.account, c.message),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "cis-audit", "vendor_name": "cis-audit", "version": r.tool.version},
            "profiles": ["cloud"],
            "log_name": "cis-audit",
        },
        "cloud": cloud,
        "finding_info": {
            "uid": format!("cis-audit/{}", verdict_key(r, c)),
            "title": format!("{} {}", c.control, c.title),
            "desc": format!("{standard}: {} {} (Level {}, {})", c.control, c.title, c.level, c.assessment),
            "types": [standard],
            "created_time": time,
        },
        "compliance": compliance,
        "resources": res,
        "unmapped": unmapped,
    });
    if !evidences.is_empty() {
        out["evidences"] = Value::Array(evidences);
    }
    if let Some(rem) = super::view::remediation(r, c) {
        out["remediation"] =
            if c.custom { json!({"desc": rem}) } else { json!({"desc": rem, "references": [CIS_URL]}) };
    }
    out
}
