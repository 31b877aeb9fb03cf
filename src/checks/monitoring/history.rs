//! Has the chain ever worked? What the account's own history shows over `--evidence-days`
//! (default 30): how many matching events the filter's metric counted (`GetMetricData`, the Sum
//! of its daily data points), how often the alarm entered ALARM and what its actions did
//! (`DescribeAlarmHistory`: "Alarm updated from … to ALARM"; "Successfully executed action
//! arn:…" / "Failed to execute action arn:…", a delivery failure), and what the topic delivered
//! (`AWS/SNS` `NumberOfNotificationsDelivered` / `NumberOfNotificationsFailed`). For the
//! EventBridge route, each rule's `AWS/Events` `TriggeredRules`, `Invocations` and
//! `FailedInvocations`.
//!
//! Verdicts, for a chain that otherwise passes:
//! - deliveries that failed over the period (failed notifications or failed alarm actions) with
//!   none delivered and no action executed → **FAIL**, with the figures;
//! - matching events counted while the alarm never entered ALARM → **FAIL** (CloudWatch keeps
//!   alarm history for 30 days, so this is judged only over periods of at most 30 days);
//! - no matching event in the period is said, not failed;
//! - a history read that was denied or unavailable never changes a verdict: it is reported as
//!   such.
//!
//! The topic's counts cover every message it delivered, not only this alarm's.

use super::link::Refs;
use crate::catalog::Control;
use crate::checks::Context;
use crate::finding::{Evidence, Finding, Status, Subject};
use crate::inventory::{Arn, Collected, HistoryInventory};

/// The history of one chain: its finding, and why it breaks the chain (if it does).
pub(crate) struct Operation {
    pub finding: Finding,
    /// Why the history contradicts a passing chain.
    pub breaks: Option<String>,
    /// One line for the control's message.
    pub summary: String,
}

/// A figure read from the history: a number, unread, or why it could not be read.
enum Figure {
    Count(f64),
    Unavailable(String),
    NotRead,
}

impl Figure {
    fn count(&self) -> Option<f64> {
        match self {
            Figure::Count(n) => Some(*n),
            _ => None,
        }
    }
}

fn metric(h: &HistoryInventory, acct: &str, region: &str, ns: &str, name: &str, dims: &[(&str, &str)]) -> Figure {
    match h.metric(acct, region, ns, name, dims) {
        None => Figure::NotRead,
        Some(Err(e)) => Figure::Unavailable(format!("{}: {}", e.operation, e.code)),
        Some(Ok(None)) => Figure::NotRead,
        Some(Ok(Some(t))) => Figure::Count(t.total),
    }
}

fn n(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The history of the metric-filter chain `refs` reached, when the inventory holds history.
pub(crate) fn metric_chain(control: &Control, account: &str, ctx: &Context, refs: &Refs) -> Option<Operation> {
    let h = ctx.inv.history.as_ref()?;
    let days = h.days;
    let mut evidence = vec![Evidence::info("history.period", format!("{} days: {} to {}", days, h.start, h.end))];
    let mut unavailable: Vec<String> = vec![];
    let mut parts: Vec<String> = vec![];

    let events = match &refs.metric {
        Some((a, r, ns, name)) => metric(h, a, r, ns, name, &[]),
        None => Figure::NotRead,
    };
    match &events {
        Figure::Count(c) => {
            evidence.push(Evidence::info("history.events_counted", n(*c)));
            parts.push(format!("{} event(s) counted", n(*c)));
        }
        Figure::Unavailable(why) => {
            evidence.push(Evidence::info("history.events_counted", format!("unavailable: {why}")));
            unavailable.push(format!("the filter's metric ({why})"));
        }
        Figure::NotRead => {}
    }

    // The alarm's history.
    let (mut fired, mut actions_ok, mut actions_failed) = (None::<usize>, 0usize, 0usize);
    if let Some((a, r, name)) = &refs.alarm {
        match h.alarms.iter().find(|x| &x.account == a && &x.region == r && &x.alarm == name).map(|x| &x.items) {
            Some(Collected::Ok(items)) => {
                let f = items
                    .iter()
                    .filter(|i| i.item_type == "StateUpdate" && i.summary.trim_end().ends_with("to ALARM"))
                    .count();
                let sns_action =
                    |i: &&crate::inventory::AlarmHistoryItem| i.item_type == "Action" && i.summary.contains(":sns:");
                actions_ok = items
                    .iter()
                    .filter(sns_action)
                    .filter(|i| i.summary.starts_with("Successfully executed action"))
                    .count();
                actions_failed = items
                    .iter()
                    .filter(sns_action)
                    .filter(|i| i.summary.starts_with("Failed to execute action"))
                    .count();
                fired = Some(f);
                evidence.push(Evidence::info("history.alarm_fired", format!("{name}: entered ALARM {f} time(s)")));
                evidence.push(Evidence::new(
                    "history.alarm_actions",
                    format!("{actions_ok} SNS action(s) executed, {actions_failed} failed"),
                    Some(actions_failed == 0 || actions_ok > 0),
                ));
                if let Some(fail) = items.iter().find(|i| i.summary.starts_with("Failed to execute action")) {
                    evidence
                        .push(Evidence::bad("history.failed_action", format!("{}: {}", fail.timestamp, fail.summary)));
                }
                parts.push(format!("alarm fired {f}×"));
            }
            Some(Collected::Error(e)) => {
                evidence.push(Evidence::info("history.alarm_fired", format!("unavailable: {e}")));
                unavailable.push(format!("the alarm's history ({}: {})", e.operation, e.code));
            }
            None => {}
        }
    }

    // The topic's deliveries.
    let (mut delivered, mut failed) = (None, None);
    if let Some(t) = refs.topic.as_deref().and_then(Arn::parse) {
        let topic_name = t.resource;
        let d =
            metric(h, t.account, t.region, "AWS/SNS", "NumberOfNotificationsDelivered", &[("TopicName", topic_name)]);
        let f = metric(h, t.account, t.region, "AWS/SNS", "NumberOfNotificationsFailed", &[("TopicName", topic_name)]);
        match (&d, &f) {
            (Figure::Unavailable(why), _) | (_, Figure::Unavailable(why)) => {
                evidence.push(Evidence::info("history.notifications", format!("unavailable: {why}")));
                unavailable.push(format!("the topic's delivery metrics ({why})"));
            }
            (Figure::NotRead, Figure::NotRead) => {}
            _ => {
                delivered = d.count().or(Some(0.0));
                failed = f.count().or(Some(0.0));
                let (dv, fv) = (delivered.unwrap_or_default(), failed.unwrap_or_default());
                evidence.push(Evidence::new(
                    "history.notifications",
                    format!("{} delivered, {} failed (topic {topic_name}, every message)", n(dv), n(fv)),
                    Some(fv == 0.0 || dv > 0.0),
                ));
                parts.push(format!("{} notification(s) delivered", n(dv)));
                if fv > 0.0 {
                    parts.push(format!("{} failed", n(fv)));
                }
            }
        }
    }

    // What the figures say.
    let any_failure = failed.is_some_and(|f| f > 0.0) || actions_failed > 0;
    let any_success = delivered.is_some_and(|d| d > 0.0) || actions_ok > 0;
    let breaks = if any_failure && !any_success {
        Some(format!(
            "over {days} days deliveries failed ({}{}) and none was delivered",
            failed.map(|f| format!("{} failed notification(s)", n(f))).unwrap_or_default(),
            if actions_failed > 0 { format!("; {actions_failed} failed alarm action(s)") } else { String::new() }
        ))
    } else if let (Some(e), Some(0)) = (events.count(), fired) {
        (e > 0.0 && days <= 30).then(|| {
            format!(
                "{} matching event(s) were counted over {days} days, but alarm {} never entered ALARM",
                n(e),
                refs.alarm.as_ref().map(|x| x.2.as_str()).unwrap_or("?")
            )
        })
    } else {
        None
    };
    let quiet = events.count() == Some(0.0) && fired.unwrap_or(0) == 0;
    let mut summary = if parts.is_empty() {
        format!("history over {days} days: nothing could be read")
    } else if breaks.is_some() {
        format!("history over {days} days: {}", parts.join(", "))
    } else if quiet {
        format!(
            "history over {days} days: no matching event, so the chain's operation is not shown ({})",
            parts.join(", ")
        )
    } else {
        format!("operated over {days} days: {}", parts.join(", "))
    };
    if !unavailable.is_empty() {
        summary.push_str(&format!("; unavailable: {}", unavailable.join(", ")));
    }
    let status = match (&breaks, parts.is_empty()) {
        (Some(_), _) => Status::Fail,
        (None, true) => Status::Skipped,
        (None, false) => Status::Pass,
    };
    let message = match &breaks {
        Some(b) => format!("{b}; {summary}"),
        None => summary.clone(),
    };
    let finding = Finding::about(control, Subject::History, account)
        .status(status)
        .region(refs.alarm.as_ref().map(|a| a.1.clone()))
        .resource(refs.topic.clone())
        .message(message)
        .evidence(evidence);
    Some(Operation { finding, breaks, summary })
}

/// The history of the EventBridge route through `used` (region, rule, topic), when the
/// inventory holds history: each rule's `TriggeredRules`, `Invocations`, `FailedInvocations`
/// and each topic's deliveries, summed over the regions.
pub(crate) fn route(
    control: &Control,
    account: &str,
    ctx: &Context,
    used: &[(String, String, String)],
) -> Option<Operation> {
    let h = ctx.inv.history.as_ref()?;
    let days = h.days;
    let mut evidence = vec![Evidence::info("history.period", format!("{} days: {} to {}", days, h.start, h.end))];
    let mut unavailable: Vec<String> = vec![];
    let (mut triggered, mut invoked, mut failed_inv, mut delivered, mut failed) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut read_any = false;
    let mut topics_seen = std::collections::BTreeSet::new();
    for (region, rule, topic) in used {
        // A topic several regions' rules share is counted once.
        let first_time = topics_seen.insert(topic.clone());
        let figures: Vec<Figure> = crate::inventory::history::EVENTS_METRICS
            .iter()
            .map(|m| metric(h, account, region, "AWS/Events", m, &[("RuleName", rule)]))
            .collect();
        let topic_figs: Vec<Figure> = match Arn::parse(topic).filter(|_| first_time) {
            Some(t) => crate::inventory::history::SNS_METRICS
                .iter()
                .map(|m| metric(h, t.account, t.region, "AWS/SNS", m, &[("TopicName", t.resource)]))
                .collect(),
            None => vec![],
        };
        if let Some(why) = figures.iter().chain(&topic_figs).find_map(|f| match f {
            Figure::Unavailable(w) => Some(w.clone()),
            _ => None,
        }) {
            evidence.push(Evidence::info(format!("history.{region}"), format!("unavailable: {why}")));
            unavailable.push(format!("{region} ({why})"));
            continue;
        }
        let c = |f: &Figure| f.count().unwrap_or(0.0);
        let (t, i, fi) = (c(&figures[0]), c(&figures[1]), c(&figures[2]));
        let (d, fd) = (topic_figs.first().map(c).unwrap_or(0.0), topic_figs.get(1).map(c).unwrap_or(0.0));
        read_any = true;
        evidence.push(Evidence::new(
            format!("history.{region}"),
            format!(
                "rule {rule}: {} triggered, {} invocation(s), {} failed; topic: {} delivered, {} failed",
                n(t),
                n(i),
                n(fi),
                n(d),
                n(fd)
            ),
            Some(!(fi > 0.0 && i <= fi || fd > 0.0 && d == 0.0)),
        ));
        (triggered, invoked, failed_inv, delivered, failed) =
            (triggered + t, invoked + i, failed_inv + fi, delivered + d, failed + fd);
    }
    let breaks = if !read_any {
        None
    } else if failed_inv > 0.0 && invoked <= failed_inv {
        Some(format!("over {days} days every invocation of the rules' targets failed ({} failed)", n(failed_inv)))
    } else if failed > 0.0 && delivered == 0.0 {
        Some(format!("over {days} days the topics' deliveries failed ({} failed) and none was delivered", n(failed)))
    } else if triggered > 0.0 && invoked == 0.0 {
        Some(format!("the rules matched {} event(s) over {days} days but never invoked their targets", n(triggered)))
    } else {
        None
    };
    let parts = if read_any {
        format!(
            "{} event(s) matched, {} invocation(s), {} notification(s) delivered{}",
            n(triggered),
            n(invoked),
            n(delivered),
            if failed_inv + failed > 0.0 { format!(", {} failed", n(failed_inv + failed)) } else { String::new() }
        )
    } else {
        String::new()
    };
    let mut summary = if !read_any {
        format!("history over {days} days: nothing could be read")
    } else if breaks.is_some() {
        format!("history over {days} days: {parts}")
    } else if triggered == 0.0 {
        format!("history over {days} days: no matching event, so the route's operation is not shown ({parts})")
    } else {
        format!("operated over {days} days: {parts}")
    };
    if !unavailable.is_empty() {
        summary.push_str(&format!("; unavailable: {}", unavailable.join(", ")));
    }
    let status = match (&breaks, read_any) {
        (Some(_), _) => Status::Fail,
        (None, false) => Status::Skipped,
        (None, true) => Status::Pass,
    };
    let message = match &breaks {
        Some(b) => format!("{b}; {summary}"),
        None => summary.clone(),
    };
    let finding = Finding::about(control, Subject::History, account).status(status).message(message).evidence(evidence);
    Some(Operation { finding, breaks, summary })
}
