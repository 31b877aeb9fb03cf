//! CloudTrail records S3 object-level data events of every bucket: write events
//! (`s3-object-write-logging`: CIS v5.0.0 3.8; v1.4.0 and v2.0.0 3.10; v3.0.0 and v4.0.0 3.8;
//! v6.0.0 and v7.0.0 4.8) and read events (`s3-object-read-logging`: v5.0.0 3.9; v1.4.0 and
//! v2.0.0 3.11; v3.0.0 and v4.0.0 3.9; v6.0.0 and v7.0.0 4.9).
//!
//! The audit reads each trail's event selectors (`GetEventSelectors`, in its home region). A
//! trail counts when it is multi-region, is logging (when its status was read: a stopped trail
//! records nothing), and records S3 object events of the wanted kind:
//! - **classic selectors**: a selector whose `ReadWriteType` is `All`, or `WriteOnly` (write) /
//!   `ReadOnly` (read), with a `DataResources` entry of type `AWS::S3::Object` whose values hold
//!   `arn:<partition>:s3` or `arn:<partition>:s3:::` (every bucket, current and future), or
//!   `arn:<partition>:s3:::<bucket>/` (that whole bucket);
//! - **advanced selectors**: `eventCategory` equals `Data`, `resources.type` equals
//!   `AWS::S3::Object`, and `readOnly` absent (both kinds) or selecting the wanted kind (`false`
//!   for write, `true` for read; `NotEquals` read the other way). A `resources.ARN` condition
//!   narrows it: `StartsWith` `arn:<partition>:s3:::<bucket>/` covers that whole bucket, any
//!   other `resources.ARN` condition (`Equals`, `NotStartsWith` …) or any other field
//!   (`eventName`, `userIdentity.arn` …; `eventSource` `s3.amazonaws.com` excepted) records only
//!   part of the events and covers no bucket wholly.
//!
//! The account passes when one counting trail records every bucket, or when the counting
//! trails together cover, bucket by bucket, every bucket `ListBuckets` lists. One finding per
//! trail (the account's own, and its organization's trails); no trail at all fails.
//!
//! Remediation is MANUAL (data events are billed per event): the finding gives the
//! `put-event-selectors` command the benchmark gives, to merge with the trail's current
//! selectors.

use super::module::{module_source, Check};
use super::trail::{account_trails, describe_errors};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, AdvancedEventSelector, Collected, Read, Trail, TrailSelectors};
use std::collections::BTreeSet;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "s3-object-logging",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Trail],
    reads: &[Read::Trails, Read::BucketList],
    has_patterns: false,
    remedy: "nothing automatic (data events are billed): the finding gives the put-event-selectors command to merge with the trail's selectors.",
    plan: None,
};

/// What a trail's selectors record of S3 objects for the wanted kind.
#[derive(Debug, Default)]
struct Coverage {
    all: bool,
    buckets: BTreeSet<String>,
    /// How, in words (for the evidence).
    how: Vec<String>,
    /// Selectors that come close, and why they do not count.
    notes: Vec<String>,
}

fn kind_of(write: bool) -> &'static str {
    if write {
        "write"
    } else {
        "read"
    }
}

fn classic(sel: &TrailSelectors, write: bool, partition: &str, c: &mut Coverage) {
    let wanted = if write { "WriteOnly" } else { "ReadOnly" };
    let all_values = [format!("arn:{partition}:s3"), format!("arn:{partition}:s3:::")];
    let prefix = format!("arn:{partition}:s3:::");
    for (i, es) in sel.event_selectors.iter().enumerate() {
        let rw = es.read_write_type.as_deref().unwrap_or("All");
        for dr in es.data_resources.iter().filter(|d| d.resource_type == "AWS::S3::Object") {
            if rw != "All" && rw != wanted {
                c.notes.push(format!(
                    "event selector #{} records S3 objects {rw} only, not {} events",
                    i + 1,
                    kind_of(write)
                ));
                continue;
            }
            for v in &dr.values {
                if all_values.contains(v) {
                    c.all = true;
                    c.how.push(format!("event selector #{} ({rw}) records AWS::S3::Object {v} (every bucket)", i + 1));
                } else if let Some(b) =
                    v.strip_prefix(&prefix).and_then(|r| r.strip_suffix('/')).filter(|b| !b.contains('/'))
                {
                    c.buckets.insert(b.to_string());
                    c.how.push(format!("event selector #{} ({rw}) records bucket {b}", i + 1));
                } else {
                    c.notes.push(format!("event selector #{} records only the objects under {v}", i + 1));
                }
            }
        }
    }
}

fn advanced(sel: &[AdvancedEventSelector], write: bool, partition: &str, c: &mut Coverage) {
    let prefix = format!("arn:{partition}:s3:::");
    for (i, adv) in sel.iter().enumerate() {
        let name = adv.name.clone().unwrap_or_else(|| format!("#{}", i + 1));
        let field = |f: &str| adv.field_selectors.iter().find(|x| x.field == f);
        let data = field("eventCategory").is_some_and(|f| f.equals.iter().any(|v| v == "Data"));
        let objects = field("resources.type").is_some_and(|f| f.equals.iter().any(|v| v == "AWS::S3::Object"));
        if !data || !objects {
            continue;
        }
        let kinds = match field("readOnly") {
            None => (true, true),
            Some(ro) => match ro.read_only() {
                Some(true) => (false, true),
                Some(false) => (true, false),
                None => (false, false),
            },
        };
        if !(if write { kinds.0 } else { kinds.1 }) {
            c.notes
                .push(format!("advanced selector {name} records S3 object events, but not {} events", kind_of(write)));
            continue;
        }
        let narrowing: Vec<&str> = adv
            .field_selectors
            .iter()
            .filter(|f| !matches!(f.field.as_str(), "eventCategory" | "resources.type" | "readOnly" | "resources.ARN"))
            .filter(|f| !(f.field == "eventSource" && f.equals == ["s3.amazonaws.com"] && f.not_equals.is_empty()))
            .map(|f| f.field.as_str())
            .collect();
        if !narrowing.is_empty() {
            c.notes.push(format!(
                "advanced selector {name} records S3 object events only where {} match",
                narrowing.join(", ")
            ));
            continue;
        }
        match field("resources.ARN") {
            None => {
                c.all = true;
                c.how.push(format!("advanced selector {name} records every S3 object {} event", kind_of(write)));
            }
            Some(arn) => {
                let only_starts = arn.equals.is_empty()
                    && arn.not_equals.is_empty()
                    && arn.not_starts_with.is_empty()
                    && arn.ends_with.is_empty()
                    && arn.not_ends_with.is_empty();
                let whole: Vec<String> = arn
                    .starts_with
                    .iter()
                    .filter_map(|v| {
                        v.strip_prefix(&prefix).and_then(|r| r.strip_suffix('/')).filter(|b| !b.contains('/'))
                    })
                    .map(str::to_string)
                    .collect();
                if only_starts && arn.starts_with.iter().any(|v| *v == prefix || *v == format!("arn:{partition}:s3")) {
                    c.all = true;
                    c.how.push(format!(
                        "advanced selector {name} records every S3 object (resources.ARN starts with {prefix})"
                    ));
                } else if only_starts && !whole.is_empty() {
                    c.how.push(format!("advanced selector {name} records bucket(s) {}", whole.join(", ")));
                    c.buckets.extend(whole);
                } else {
                    c.notes.push(format!("advanced selector {name} narrows resources.ARN: it covers no bucket wholly"));
                }
            }
        }
    }
}

fn coverage(sel: &TrailSelectors, write: bool, partition: &str) -> Coverage {
    let mut c = Coverage::default();
    classic(sel, write, partition, &mut c);
    advanced(&sel.advanced_event_selectors, write, partition, &mut c);
    c
}

fn fix(t: &Trail, write: bool) -> String {
    let rw = if write { "WriteOnly" } else { "ReadOnly" };
    format!(
        "merge with the trail's current selectors (aws cloudtrail get-event-selectors --region {r} --trail-name {n}), then: aws cloudtrail put-event-selectors --region {r} --trail-name {n} --event-selectors '[{{\"ReadWriteType\": \"{rw}\", \"IncludeManagementEvents\": true, \"DataResources\": [{{\"Type\": \"AWS::S3::Object\", \"Values\": [\"arn:aws:s3\"]}}]}}]'",
        r = t.home_region,
        n = t.name
    )
}

pub fn evaluate(control: &Control, acct: &AccountInventory, ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let write = control.key == "s3-object-write-logging";
    let kind = kind_of(write);
    let buckets: Option<Vec<&str>> = match &acct.account_wide.buckets {
        Some(Collected::Ok(l)) => Some(l.iter().map(|b| b.name.as_str()).collect()),
        _ => None,
    };
    let mut findings = Vec::new();
    let mut all_by: Option<String> = None;
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut errors = describe_errors(acct);
    // Findings of trails that count but record some buckets only (PASS when together they
    // cover every bucket).
    let mut partial: Vec<usize> = Vec::new();
    for t in account_trails(acct, ctx) {
        let f = Finding::about(control, Subject::Trail, &acct.account_id)
            .region(Some(&t.home_region))
            .resource(Some(&t.arn));
        let mut ev = vec![Evidence::new("trail.is_multi_region", t.is_multi_region, Some(t.is_multi_region))];
        let logging = match &t.status {
            Some(Collected::Ok(s)) => {
                ev.push(Evidence::new("trail.is_logging", s.is_logging, Some(s.is_logging)));
                s.is_logging
            }
            _ => true,
        };
        let sel = match &t.selectors {
            Some(Collected::Ok(s)) => s,
            Some(Collected::Error(e)) => {
                let m = format!("trail {}: its event selectors could not be read: {e}", t.name);
                errors.push(m.clone());
                findings.push(
                    f.status(Status::Error)
                        .message(m.clone())
                        .evidence(vec![Evidence::bad("trail.event_selectors", m)]),
                );
                continue;
            }
            None => {
                let m = format!("trail {}: its event selectors were not collected", t.name);
                errors.push(m.clone());
                findings.push(f.status(Status::Error).message(m));
                continue;
            }
        };
        let c = coverage(sel, write, &acct.partition);
        for n in &c.notes {
            ev.push(Evidence::info("trail.data_events.note", n.clone()));
        }
        let records = c.all || !c.buckets.is_empty();
        ev.push(Evidence::new(
            format!("trail.s3_object_{kind}_events"),
            if records { c.how.join("; ") } else { format!("no S3 object {kind} events") },
            Some(c.all),
        ));
        let qualifies = t.is_multi_region && logging;
        if qualifies && c.all {
            all_by.get_or_insert(t.name.clone());
        }
        if qualifies {
            covered.extend(c.buckets.iter().cloned());
        }
        let (status, m) = if !t.is_multi_region {
            (Status::Fail, format!("trail {} is not multi-region", t.name))
        } else if !logging {
            (Status::Fail, format!("trail {} is not logging", t.name))
        } else if c.all {
            (Status::Pass, format!("trail {} records S3 object {kind} events of every bucket", t.name))
        } else if !c.buckets.is_empty() {
            let names: Vec<&str> = c.buckets.iter().map(String::as_str).collect();
            (
                Status::Fail,
                format!("trail {} records S3 object {kind} events of bucket(s) {} only", t.name, names.join(", ")),
            )
        } else {
            (Status::Fail, format!("trail {} records no S3 object {kind} events", t.name))
        };
        if qualifies && !c.all && !c.buckets.is_empty() {
            partial.push(findings.len());
        }
        findings.push(
            f.status(status).message(m).evidence(ev).remediation((status == Status::Fail).then(|| fix(t, write))),
        );
    }
    let (status, message) = if let Some(t) = &all_by {
        (Status::Pass, format!("multi-region trail {t} records S3 object {kind} events of every bucket"))
    } else if let (Some(list), false) = (&buckets, covered.is_empty()) {
        let missing: Vec<&str> = list.iter().copied().filter(|b| !covered.contains(*b)).collect();
        if missing.is_empty() {
            for i in &partial {
                let f = &mut findings[*i];
                f.status = Status::Pass;
                f.remediation = None;
            }
            (
                Status::Pass,
                format!(
                    "the multi-region trails record S3 object {kind} events of each of the {} bucket(s)",
                    list.len()
                ),
            )
        } else {
            (
                Status::Fail,
                format!("no multi-region trail records S3 object {kind} events of bucket(s) {}", missing.join(", ")),
            )
        }
    } else if !errors.is_empty() {
        (Status::Error, format!("could not read every trail: {}", errors.join("; ")))
    } else if findings.is_empty() {
        findings.push(
            Finding::about(control, Subject::Trail, &acct.account_id)
                .status(Status::Fail)
                .message("no CloudTrail trail in any audited region"),
        );
        (Status::Fail, "no CloudTrail trail in any audited region".to_string())
    } else {
        (Status::Fail, format!("no multi-region trail records S3 object {kind} events of every bucket"))
    };
    vec![(ControlResult::new(control, &acct.account_id, None, status, message), findings)]
}

#[cfg(test)]
mod tests;
