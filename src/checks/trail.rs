//! CIS 3.1 — Ensure CloudTrail is enabled in all regions.
//!
//! PASS when at least one trail is multi-region, logging (`GetTrailStatus.IsLogging`) and
//! records every management event, read and write: classic selectors with
//! `IncludeManagementEvents` and `ReadWriteType` covering read and write (one `All`, or a
//! `ReadOnly` plus a `WriteOnly`), or advanced selectors with `eventCategory = Management` whose
//! `readOnly` restrictions together cover both, whatever the selectors are named; and no
//! excluded management event source (`ExcludeManagementEventSources`, or an advanced
//! `eventSource` restriction). Status and selectors are read in the trail's home region.

use super::module::{module_source, Check};
use super::Context;
use crate::actions::{cloudtrail as ct, Action, Hint};
use crate::catalog::{cis, Control};
use crate::eventpattern::cloudtrail::global_events_region;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, CollectError, Collected, Read, Trail, TrailSelectors};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "cloudtrail-multi-region",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Trail],
    reads: &[Read::Trails],
    has_patterns: false,
    remedy: "makes an existing trail multi-region, starts its logging and adds every management event to its selectors (its data-event selectors kept); with no trail at all, creates one (--trail-name, in the bucket --trail-bucket names) and starts it.",
    plan: None,
};

/// How one trail measures up to 3.1.
#[derive(Debug, Clone)]
pub(crate) struct TrailAssessment {
    /// None: qualifies. Some: the first requirement it misses.
    pub failure: Option<String>,
    /// Some when a needed read failed: the verdict cannot be decided for this trail.
    pub error: Option<String>,
    /// The latest error CloudTrail reported delivering to CloudWatch Logs, if any.
    pub cloudwatch_logs_delivery_error: Option<String>,
    pub evidence: Vec<Evidence>,
}

impl TrailAssessment {
    pub(crate) fn qualifies(&self) -> bool {
        self.failure.is_none() && self.error.is_none()
    }
}

/// Assesses one trail (once per evaluation: every monitoring control asks). An organization
/// trail seen from a member account borrows the status and selectors its owner account read,
/// when that account is audited too.
pub(crate) fn assess_trail(trail: &Trail, ctx: &Context) -> std::sync::Arc<TrailAssessment> {
    // By address: the inventory is borrowed for the context's whole life.
    let key = format!("{:p}", trail as *const Trail);
    ctx.memo(key, || assess_now(trail, ctx))
}

fn assess_now(trail: &Trail, ctx: &Context) -> TrailAssessment {
    let owner_view = owner_view(trail, ctx);
    let status = prefer_ok(&trail.status, owner_view.map(|t| &t.status));
    let selectors = prefer_ok(&trail.selectors, owner_view.map(|t| &t.selectors));

    let mut ev = vec![
        Evidence::info("trail", trail.arn.clone()),
        Evidence::info("trail.home_region", trail.home_region.clone()),
    ];
    if trail.is_organization_trail {
        ev.push(Evidence::info("trail.is_organization_trail", true));
        ev.push(Evidence::info("trail.owner_account", trail.owner_account.clone()));
    }
    let mut failure: Option<String> = None;
    let mut error: Option<String> = None;
    let mut cloudwatch_logs_delivery_error = None;
    let fail = |f: &mut Option<String>, msg: String| {
        if f.is_none() {
            *f = Some(msg);
        }
    };

    ev.push(Evidence::new("trail.is_multi_region", trail.is_multi_region, Some(trail.is_multi_region)));
    if !trail.is_multi_region {
        fail(&mut failure, format!("trail {} is not multi-region", trail.name));
    }
    match status {
        Some(Ok(st)) => {
            ev.push(Evidence::new("trail.is_logging", st.is_logging, Some(st.is_logging)));
            if let Some(e) = &st.latest_cloudwatch_logs_delivery_error {
                ev.push(Evidence::bad("trail.latest_cloudwatch_logs_delivery_error", e.clone()));
                cloudwatch_logs_delivery_error = Some(e.clone());
            }
            if !st.is_logging {
                fail(&mut failure, format!("trail {} is not logging (GetTrailStatus.IsLogging = false)", trail.name));
            }
        }
        Some(Err(e)) => {
            ev.push(Evidence::bad("trail.is_logging", format!("unknown: {e}")));
            error.get_or_insert(e.to_string());
        }
        None => {
            ev.push(Evidence::bad("trail.is_logging", "not collected"));
            error.get_or_insert(format!("status of trail {} was not collected", trail.name));
        }
    }
    match selectors {
        Some(Ok(sel)) => {
            let verdict = management_events(sel);
            ev.push(Evidence::new(
                "trail.management_events",
                match &verdict {
                    Ok(how) => how.clone(),
                    Err(why) => why.clone(),
                },
                Some(verdict.is_ok()),
            ));
            if let Err(why) = verdict {
                fail(&mut failure, format!("trail {}: {why}", trail.name));
            }
        }
        Some(Err(e)) => {
            ev.push(Evidence::bad("trail.management_events", format!("unknown: {e}")));
            error.get_or_insert(e.to_string());
        }
        None => {
            ev.push(Evidence::bad("trail.management_events", "not collected"));
            error.get_or_insert(format!("event selectors of trail {} were not collected", trail.name));
        }
    }
    // A decided failure outweighs an unreadable detail: the trail cannot qualify either way.
    if failure.is_some() {
        error = None;
    }
    TrailAssessment { failure, error, cloudwatch_logs_delivery_error, evidence: ev }
}

/// The trail's status: this account's reading when it succeeded, else that of the account that
/// owns the trail (an organization trail), else this account's error.
pub(crate) fn owner_status<'a>(
    trail: &'a Trail,
    ctx: &Context<'a>,
) -> Option<Result<&'a crate::inventory::TrailStatus, &'a CollectError>> {
    let owner_view = owner_view(trail, ctx);
    prefer_ok(&trail.status, owner_view.map(|t| &t.status))
}

fn owner_view<'a>(trail: &Trail, ctx: &Context<'a>) -> Option<&'a Trail> {
    (!trail.owner_account.is_empty())
        .then(|| ctx.account(&trail.owner_account))
        .flatten()
        .and_then(|a| a.trails.iter().find(|t| t.arn == trail.arn))
}

/// This account's reading when it succeeded, else the owner account's, else this account's error.
fn prefer_ok<'a, T>(
    mine: &'a Option<Collected<T>>,
    theirs: Option<&'a Option<Collected<T>>>,
) -> Option<Result<&'a T, &'a CollectError>> {
    match (mine, theirs) {
        (Some(Collected::Ok(v)), _) => Some(Ok(v)),
        (_, Some(Some(Collected::Ok(v)))) => Some(Ok(v)),
        (Some(Collected::Error(e)), _) => Some(Err(e)),
        (None, _) => None,
    }
}

/// Whether the selectors record every management event, read and write. Ok: how; Err: why not.
pub(crate) fn management_events(sel: &TrailSelectors) -> Result<String, String> {
    let (mut read, mut write) = (false, false);
    let mut notes: Vec<String> = Vec::new();
    for es in &sel.event_selectors {
        if !es.include_management_events.unwrap_or(true) {
            continue;
        }
        if !es.exclude_management_event_sources.is_empty() {
            notes.push(format!(
                "a selector excludes management events from {}",
                es.exclude_management_event_sources.join(", ")
            ));
            continue;
        }
        match es.read_write_type.as_deref().unwrap_or("All") {
            "All" => (read, write) = (true, true),
            "ReadOnly" => read = true,
            "WriteOnly" => write = true,
            other => notes.push(format!("unknown ReadWriteType {other}")),
        }
    }
    for adv in &sel.advanced_event_selectors {
        let category = adv.field_selectors.iter().find(|f| f.field == "eventCategory");
        if !category.is_some_and(|c| c.equals.iter().any(|v| v == "Management")) {
            continue;
        }
        if let Some(src) = adv.field_selectors.iter().find(|f| f.field == "eventSource") {
            let excluded: Vec<&String> =
                src.not_equals.iter().chain(&src.not_starts_with).chain(&src.not_ends_with).collect();
            notes.push(format!(
                "advanced selector {} restricts management events by eventSource{}",
                adv.name.as_deref().unwrap_or("(unnamed)"),
                if excluded.is_empty() {
                    String::new()
                } else {
                    format!(" (excludes {})", excluded.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
                }
            ));
            continue;
        }
        match adv.field_selectors.iter().find(|f| f.field == "readOnly") {
            None => (read, write) = (true, true),
            Some(ro) => match ro.read_only() {
                Some(true) => read = true,
                Some(false) => write = true,
                None => notes.push("unrecognised readOnly field selector".into()),
            },
        }
    }
    let kind = if sel.advanced_event_selectors.is_empty() { "event selectors" } else { "advanced event selectors" };
    match (read, write) {
        (true, true) => Ok(format!("all management events, read and write ({kind})")),
        _ => {
            let missing = match (read, write) {
                (false, false) => "no management events",
                (true, false) => "read-only management events only (write events are not recorded)",
                _ => "write-only management events only (read events are not recorded)",
            };
            let mut why = format!("{kind} record {missing}");
            if sel.event_selectors.is_empty() && sel.advanced_event_selectors.is_empty() {
                why = "no event selectors".into();
            }
            if !notes.is_empty() {
                why.push_str(&format!("; {}", notes.join("; ")));
            }
            Err(why)
        }
    }
}

/// The trails that log this account: its own, as `DescribeTrails` showed them, and — for a
/// member of an organization the audit discovered — the organization trails of its management
/// account, whether or not the member's own `DescribeTrails` listed them.
pub(crate) fn account_trails<'a>(acct: &'a AccountInventory, ctx: &Context<'a>) -> Vec<&'a Trail> {
    let mut out: Vec<&Trail> = acct.trails.iter().collect();
    let Some(org) = ctx.inv.organization.as_ref().filter(|o| o.is_member(&acct.account_id)) else { return out };
    let Some(mgmt) = ctx.account(&org.management_account) else { return out };
    for t in mgmt.trails.iter().filter(|t| t.is_organization_trail && t.owner_account == mgmt.account_id) {
        if !out.iter().any(|x| x.arn == t.arn) {
            out.push(t);
        }
    }
    out
}

/// The regions whose `DescribeTrails` failed, as their errors: a trail could hide there.
pub(crate) fn describe_errors(acct: &AccountInventory) -> Vec<String> {
    acct.trails_by_region
        .iter()
        .filter_map(|r| match &r.trails {
            Collected::Error(e) => Some(e.to_string()),
            _ => None,
        })
        .collect()
}

/// 3.1 for one account.
pub(crate) fn evaluate(
    control: &Control,
    acct: &AccountInventory,
    ctx: &Context,
) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut findings = Vec::new();
    let mut qualifying = None;
    let mut errors = Vec::new();
    for t in account_trails(acct, ctx) {
        let a = assess_trail(t, ctx);
        let (status, message) = if a.qualifies() {
            qualifying.get_or_insert(t.arn.clone());
            (Status::Pass, format!("trail {} is multi-region, logging and records all management events", t.name))
        } else if let Some(e) = &a.error {
            errors.push(e.clone());
            (Status::Error, e.clone())
        } else {
            (Status::Fail, a.failure.clone().unwrap_or_default())
        };
        findings.push(
            Finding::about(control, Subject::Trail, &acct.account_id)
                .status(status)
                .region(Some(&t.home_region))
                .resource(Some(&t.arn))
                .message(message)
                .evidence(a.evidence.clone())
                .remediation((status == Status::Fail).then(|| fix_trail(t).render())),
        );
    }
    errors.extend(describe_errors(acct));
    let (status, message) = if let Some(arn) = &qualifying {
        (Status::Pass, format!("{arn} is multi-region, logging and records all management events"))
    } else if !errors.is_empty() {
        (Status::Error, format!("could not read every trail: {}", errors.join("; ")))
    } else if findings.is_empty() {
        findings.push(
            Finding::about(control, Subject::Trail, &acct.account_id)
                .status(Status::Fail)
                .message("no CloudTrail trail in any audited region")
                .evidence(
                    acct.trails_by_region
                        .iter()
                        .map(|r| Evidence::bad(format!("describe_trails.{}", r.region), serde_json::json!([])))
                        .collect(),
                )
                .remediation(Some(new_trail(&first_region(acct)).render())),
        );
        (Status::Fail, "no CloudTrail trail in any audited region".into())
    } else {
        let reasons: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
        (Status::Fail, format!("no trail qualifies: {}", reasons.join("; ")))
    };
    vec![(ControlResult::new(control, &acct.account_id, None, status, message), findings)]
}

/// One finding per trail that logs the account, for a property every trail must have: `judge`
/// says Ok(what was observed) or Err(why not); `fix` the command for a trail that fails (an
/// organization trail is fixed by its owner, the management account: the message says so).
pub(crate) fn each_trail(
    control: &Control,
    acct: &AccountInventory,
    ctx: &Context,
    step: &str,
    judge: impl Fn(&Trail) -> Result<String, String>,
    fix: impl Fn(&Trail) -> String,
) -> Vec<Finding> {
    account_trails(acct, ctx)
        .into_iter()
        .map(|t| {
            let f = Finding::about(control, Subject::Trail, &acct.account_id)
                .region(Some(&t.home_region))
                .resource(Some(&t.arn));
            let theirs = !t.owner_account.is_empty() && t.owner_account != acct.account_id;
            let owner =
                if theirs { format!(" (an organization trail of account {})", t.owner_account) } else { String::new() };
            match judge(t) {
                Ok(seen) => f.message(format!("trail {}: {seen}", t.name)).evidence(vec![Evidence::ok(step, seen)]),
                Err(why) => f
                    .status(Status::Fail)
                    .message(format!("trail {}{owner}: {why}", t.name))
                    .evidence(vec![Evidence::bad(step, why)])
                    .remediation(Some(if theirs {
                        format!("in account {}: {}", t.owner_account, fix(t))
                    } else {
                        fix(t)
                    })),
            }
        })
        .collect()
}

/// Where a new trail would go: the account's first audited region, else its partition's home
/// region.
pub(crate) fn first_region(acct: &AccountInventory) -> String {
    acct.regions.first().cloned().unwrap_or_else(|| global_events_region(&acct.partition).to_string())
}

/// What makes an existing trail qualify: multi-region, logging, every management event (its
/// data-event selectors kept).
pub(crate) fn fix_trail(t: &Trail) -> Hint {
    let mut actions: Vec<Action> = Vec::new();
    if !t.is_multi_region {
        actions.push(
            ct::UpdateTrail {
                name: t.name.clone(),
                is_multi_region: Some(true),
                log_group_arn: None,
                role_arn: None,
                log_file_validation: None,
                kms_key_id: None,
            }
            .into(),
        );
    }
    if !matches!(&t.status, Some(Collected::Ok(s)) if s.is_logging) {
        actions.push(ct::StartLogging { name: t.name.clone() }.into());
    }
    let current = match &t.selectors {
        Some(Collected::Ok(s)) => s.clone(),
        _ => TrailSelectors::default(),
    };
    if management_events(&current).is_err() {
        actions.push(
            ct::PutEventSelectors { trail: t.name.clone(), selectors: ct::with_management_events(&current) }.into(),
        );
    }
    Hint::new(&t.home_region, actions)
}

/// A new multi-region trail that logs every management event.
pub(crate) fn new_trail(region: &str) -> Hint {
    let name = cis::TRAIL_NAME.to_string();
    Hint::new(
        region,
        [
            ct::CreateTrail { name: name.clone(), bucket: "<s3-bucket-for-cloudtrail>".into() }.into(),
            ct::StartLogging { name }.into(),
        ],
    )
    .then("a trail created this way records all read and write management events")
}

#[cfg(test)]
mod tests;
