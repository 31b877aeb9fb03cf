//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. One run of `cis-audit`; one rule
//! per evaluated control (its help names the CIS reference); a result for every FAIL (level
//! `error`) and ERROR (level `warning`), with the resource's ARN as a logical location and a
//! fingerprint from account, region and control, so a dashboard tracks the same verdict across
//! runs. PASS, MANUAL and SKIPPED verdicts have no result (SARIF results are problems).
//!
//! What GitHub code scanning takes (its SARIF subset): every result also has a physical location,
//! a repository-relative pseudo-path `aws/<account>/<region>/<control key>` (code scanning shows a
//! result only at a location, and rejects other URI schemes); at most 25,000 results per run
//! (beyond that the most severe are kept and a notification says how many were left out).
//!
//! A suppressed FAIL or ERROR keeps its result, at level `note`, with `properties.suppressed`
//! (reason, expiry) and the reason in its message. SARIF's own `suppressions` is not written: the
//! two published 2.1.0 schemas disagree on it (`state` in the Committee Specification, `status`
//! in the OASIS Standard with Errata 01), so no suppression with a review status validates
//! against both, and consumers read that status to decide whether it counts.

use super::view::{
    pascal_case, qualified_resource, region_key, remediation, resources, standard_name, suppression_text, verdict_key,
    CIS_URL,
};
use super::LazySeq;
use super::Verdict as ControlResult;
use super::{Report, ScopeState};
use crate::finding::Status;
use serde::ser::{Serialize, SerializeMap};
use serde_json::{json, Map, Value};

/// At most this many results per run: GitHub code scanning rejects a run with more.
pub(crate) const MAX_RESULTS: usize = 25_000;

/// The repository-relative pseudo-path a verdict is shown at (code scanning requires one for
/// every result, and no URI scheme): `aws/<account>/<region or global>/<control key>`. Stable
/// across runs and benchmark versions, like the key.
pub(crate) fn pseudo_path(c: &ControlResult) -> String {
    format!("aws/{}/{}/{}", c.account, region_key(c), c.key)
}

pub(crate) const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn render(r: &Report) -> String {
    let mut out = Vec::new();
    write(r, &mut out).expect("write to memory");
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

/// The SARIF log, pretty-printed and streamed to `w`: the run's tool, invocation and
/// automation details, then each result built, written and dropped in turn, then the run's
/// properties. Byte for byte what pretty-printing the whole log as one `Value` gives.
pub(crate) fn write(r: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut rule_ids: Vec<&str> = Vec::new();
    let mut rules: Vec<Value> = Vec::new();
    for c in &r.controls {
        if !rule_ids.contains(&c.control.as_str()) {
            rule_ids.push(&c.control);
            rules.push(rule(r, c));
        }
    }
    let rule_index: std::collections::HashMap<&str, usize> =
        rule_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut failing: Vec<(usize, &ControlResult)> =
        r.controls.iter().enumerate().filter(|(_, c)| matches!(c.status, Status::Fail | Status::Error)).collect();
    // GitHub code scanning rejects a run of more than MAX_RESULTS results (and shows the first
    // 5,000 by severity): beyond it, the most severe are kept, unsuppressed before suppressed.
    let left_out = failing.len().saturating_sub(MAX_RESULTS);
    if left_out > 0 {
        failing.sort_by_key(|(i, c)| (c.suppressed.is_some(), c.status != Status::Fail, c.level, *i));
        failing.truncate(MAX_RESULTS);
        failing.sort_by_key(|(i, _)| *i);
    }
    let results = failing.iter().map(|(_, c)| result(r, c, rule_index.get(c.control.as_str()).copied().unwrap_or(0)));
    let mut notifications: Vec<Value> = r
        .scope
        .iter()
        .filter(|a| a.state == ScopeState::Failed)
        .map(|a| {
            json!({
                "level": "error",
                "message": {"text": format!("account {} could not be audited: {}", a.account,
                    a.reason.as_deref().unwrap_or("no reason given"))},
            })
        })
        .collect();
    if left_out > 0 {
        notifications.push(json!({
            "level": "warning",
            "message": {"text": format!(
                "{left_out} FAIL or ERROR verdicts are not in this file: GitHub code scanning takes at most {MAX_RESULTS} results per run; the most severe are kept (unsuppressed FAIL of Level 1 first). The JSON report has every verdict."
            )},
        }));
    }
    let mut invocation = json!({
        "executionSuccessful": true,
        "endTimeUtc": r.generated_at,
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let mut props = Map::new();
    props.insert("benchmark".into(), json!({"title": r.benchmark.title, "version": r.benchmark.version}));
    props.insert("summary".into(), json!(r.summary));
    props.insert("scope".into(), serde_json::to_value(&r.scope).map_err(std::io::Error::other)?);
    if let Some(b) = &r.baseline {
        props.insert("baseline".into(), serde_json::to_value(b).map_err(std::io::Error::other)?);
    }
    let run = Run {
        tool: json!({"driver": {
            "name": "cis-audit",
            "version": r.tool.version,
            "semanticVersion": r.tool.version,
            "informationUri": CIS_URL,
            "rules": rules,
        }}),
        invocations: json!([invocation]),
        automation_details: json!({"id": format!("cis-audit/{}/", r.benchmark.version)}),
        results: LazySeq::new(results),
        properties: Value::Object(props),
    };
    serde_json::to_writer_pretty(&mut *w, &Log(run)).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

/// The SARIF log: its one run.
struct Log<I>(Run<I>);

/// The run; `results` is serialised as it is walked.
struct Run<I> {
    tool: Value,
    invocations: Value,
    automation_details: Value,
    results: LazySeq<I>,
    properties: Value,
}

impl<I> Serialize for Log<I>
where
    I: Iterator<Item = Value>,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("$schema", SCHEMA_URI)?;
        m.serialize_entry("version", "2.1.0")?;
        m.serialize_entry("runs", std::slice::from_ref(&self.0))?;
        m.end()
    }
}

impl<I> Serialize for Run<I>
where
    I: Iterator<Item = Value>,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("tool", &self.tool)?;
        m.serialize_entry("invocations", &self.invocations)?;
        m.serialize_entry("automationDetails", &self.automation_details)?;
        m.serialize_entry("results", &self.results)?;
        m.serialize_entry("properties", &self.properties)?;
        m.end()
    }
}

fn rule(r: &Report, c: &ControlResult) -> Value {
    let standard = standard_name(r, c);
    let reference = if c.custom {
        format!("{} {}, a control of the cis-audit configuration (not part of the CIS benchmark)", c.control, c.title)
    } else {
        format!("{standard}, recommendation {} (Level {}, {}): {}", c.control, c.level, c.assessment, c.title)
    };
    let help = format!(
        "{reference}.\n\ncis-audit evaluates it with evidence for every step; a result's message names the first \
         broken step, and the report's findings carry the remediation command.{}",
        if c.custom { String::new() } else { format!(" Benchmark: {CIS_URL}") }
    );
    let markdown = format!(
        "**{}** {}\n\n{reference}.{}",
        c.control,
        c.title,
        if c.custom { String::new() } else { format!(" See the benchmark: <{CIS_URL}>.") }
    );
    let mut tags = vec![standard.clone(), format!("Level {}", c.level), c.assessment.clone()];
    if c.custom {
        tags.push("custom".into());
    } else {
        tags.insert(0, "CIS".into());
    }
    let mut rule = json!({
        "id": c.control,
        "name": pascal_case(&c.title),
        "shortDescription": {"text": c.title},
        "fullDescription": {"text": reference},
        "help": {"text": help, "markdown": markdown},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": tags,
            "cis": {"control": c.control, "key": c.key, "level": c.level, "assessment": c.assessment, "custom": c.custom},
            "security-severity": if c.level == 1 { "5.0" } else { "3.0" },
        },
    });
    if !c.custom {
        rule["helpUri"] = json!(CIS_URL);
    }
    rule
}

fn result(r: &Report, c: &ControlResult, rule_index: usize) -> Value {
    let level = match (&c.suppressed, c.status) {
        (Some(_), _) => "note",
        (None, Status::Fail) => "error",
        _ => "warning",
    };
    let where_ = c.region.as_deref().map(|x| format!(", {x}")).unwrap_or_default();
    let text = match &c.suppressed {
        Some(s) => {
            format!("{} ({}{where_}) {} [{}]: {}", c.control, c.account, c.status, suppression_text(s), c.message)
        }
        None => format!("{} ({}{where_}) {}: {}", c.control, c.account, c.status, c.message),
    };
    let resource = resources(r, c)
        .first()
        .map(|(res, f)| qualified_resource(c, f, res))
        .unwrap_or_else(|| format!("AWS::::Account:{}", c.account));
    let name = resource.rsplit([':', '/']).next().filter(|x| !x.is_empty()).unwrap_or(&resource).to_string();
    let mut props = Map::new();
    props.insert("account".into(), json!(c.account));
    props.insert("region".into(), json!(region_key(c)));
    props.insert("status".into(), json!(c.status));
    props.insert("level".into(), json!(c.level));
    props.insert("assessment".into(), json!(c.assessment));
    if c.custom {
        props.insert("custom".into(), json!(true));
    }
    if let Some(ch) = c.change {
        props.insert("change".into(), json!(ch));
    }
    if let Some(rem) = remediation(r, c) {
        props.insert("remediation".into(), json!(rem));
    }
    if let Some(s) = &c.suppressed {
        props.insert("suppressed".into(), serde_json::to_value(s).expect("suppression serialises"));
    }
    json!({
        "ruleId": c.control,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": level,
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": pseudo_path(c)}},
            "logicalLocations": [{"name": name, "fullyQualifiedName": resource, "kind": "resource"}],
        }],
        "partialFingerprints": {"cisAudit/v1": verdict_key(r, c)},
        "properties": props,
    })
}
