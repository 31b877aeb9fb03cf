//! Following the alert of one drill, link by link, until every link has happened, one has
//! failed, or the timeout: the CloudTrail record in the trail's log group, the filter metric's
//! data point, the alarm entering ALARM, the outcome of its action on the topic, the
//! notification reaching the drill's queue, and whether the topic's own subscribers take that
//! notification (their filter policies, judged on the message actually delivered).

use super::route::Route;
use crate::aws::{Runtime, Session};
use crate::checks::monitoring::receiver::{receivers, Sent};
use crate::inventory::{drill as read, history::alarm_history};
use aws_smithy_types::DateTime;
use serde::Serialize;
use std::time::{Duration, Instant, SystemTime};

/// The links of the metric-filter route, in order.
pub(crate) const LINKS: [&str; 6] =
    ["cloudtrail-event", "metric-data-point", "alarm-state", "alarm-action", "sns-delivery", "subscribers"];

pub(crate) fn label(link: &str) -> &'static str {
    match link {
        "cloudtrail-event" => "CloudTrail event in the log group",
        "metric-data-point" => "metric data point",
        "alarm-state" => "alarm entered ALARM",
        "alarm-action" => "alarm action",
        "sns-delivery" => "SNS delivery (the drill's queue)",
        _ => "the topic's subscribers",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum LinkState {
    /// It happened (seen after `latency_seconds`).
    Happened,
    /// It did not happen within the timeout.
    Missed,
    /// It happened wrong (a failed action, a rejecting subscriber).
    Failed,
    /// The chain is not wired to it, or an earlier link did not happen.
    NotReached,
    /// It could not be read.
    Unreadable,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LinkResult {
    pub link: &'static str,
    pub state: LinkState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_seconds: Option<f64>,
    pub detail: String,
}

/// What a drill watches for: the change it made and where the alert should show.
pub(crate) struct Watch<'a> {
    pub session: &'a Session,
    pub rt: &'a Runtime,
    pub route: &'a Route,
    /// The id of the resource the drill changed (found in the CloudTrail record).
    pub resource_id: String,
    /// The drill's queue (URL) subscribed to the route's topic, in the topic's region.
    pub queue_url: Option<String>,
    pub queue_arn: Option<String>,
    /// When the change began.
    pub t0: SystemTime,
    pub started: Instant,
    pub deadline: Instant,
    pub poll: Duration,
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

fn ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// Follows the links in order; returns them all (those after the first that did not happen are
/// `NotReached`), and whether the caller asked to stop meanwhile.
pub(crate) async fn follow(w: &Watch<'_>) -> (Vec<LinkResult>, bool) {
    let r = w.route;
    let (_, g_region, g_name) = &r.log_group;
    let topic_region = r.topic.as_deref().and_then(|t| t.split(':').nth(3)).unwrap_or(g_region).to_string();
    let mut out: Vec<LinkResult> = Vec::new();
    let mut next = 0usize;
    let mut stopped = false;
    let start_ms = ms(w.t0) - 60_000;
    let since = DateTime::from(w.t0 - Duration::from_secs(60));
    let happened = |out: &mut Vec<LinkResult>, link: &'static str, detail: String| {
        out.push(LinkResult {
            link,
            state: LinkState::Happened,
            latency_seconds: Some(secs(w.started.elapsed())),
            detail,
        });
    };
    'poll: loop {
        if (w.stop)() {
            stopped = true;
            break;
        }
        // Each pass moves as far along the chain as it can.
        while next < LINKS.len() {
            let link = LINKS[next];
            let step: Result<Option<(LinkState, String)>, String> = match link {
                "cloudtrail-event" => read::records_with(w.session, w.rt, g_region, g_name, start_ms, &w.resource_id)
                    .await
                    .map_err(|e| e.to_string())
                    .map(|recs| {
                        recs.iter().find(|x| x.message.contains(&w.resource_id)).map(|x| {
                            let name = serde_json::from_str::<serde_json::Value>(&x.message)
                                .ok()
                                .and_then(|v| v["eventName"].as_str().map(str::to_string))
                                .unwrap_or_else(|| "a record".into());
                            (
                                LinkState::Happened,
                                format!("{name} naming {} in log group {g_name} ({g_region})", w.resource_id),
                            )
                        })
                    }),
                "metric-data-point" => match &r.metric {
                    None => Err(String::new()),
                    Some((ns, name)) => {
                        let end = DateTime::from(SystemTime::now() + Duration::from_secs(120));
                        read::metric_sums(w.session, w.rt, g_region, ns, name, since, end)
                            .await
                            .map_err(|e| e.to_string())
                            .map(|pts| {
                                let total: f64 = pts.iter().map(|p| p.1).sum();
                                (total > 0.0).then(|| {
                                    (LinkState::Happened, format!("{ns}/{name}: Sum {total} since the change"))
                                })
                            })
                    }
                },
                "alarm-state" | "alarm-action" => match &r.alarm {
                    None => Err(String::new()),
                    Some(a) => {
                        let end = DateTime::from(SystemTime::now() + Duration::from_secs(120));
                        match alarm_history(w.session, w.rt, g_region, &a.name, since, end).await {
                            Err(e) => Err(e.to_string()),
                            Ok(items) if link == "alarm-state" => Ok(items
                                .iter()
                                .find(|i| i.item_type == "StateUpdate" && i.summary.ends_with("to ALARM"))
                                .map(|i| (LinkState::Happened, format!("{}: {}", a.name, i.summary)))),
                            Ok(items) => {
                                let topic = r.topic.clone().unwrap_or_default();
                                let action =
                                    items.iter().find(|i| i.item_type == "Action" && i.summary.contains(&topic));
                                match action {
                                    Some(i) if i.summary.starts_with("Failed") => Ok(Some((LinkState::Failed, i.summary.clone()))),
                                    Some(i) => Ok(Some((LinkState::Happened, i.summary.clone()))),
                                    // Actions disabled: nothing will ever be published.
                                    None if !a.actions_enabled => Ok(Some((
                                        LinkState::Failed,
                                        format!("alarm {} entered ALARM but its actions are disabled (ActionsEnabled false): it notifies nobody", a.name),
                                    ))),
                                    None => Ok(None),
                                }
                            }
                        }
                    }
                },
                "sns-delivery" => match (&w.queue_url, &r.topic) {
                    (Some(url), Some(topic)) => read::receive(w.session, w.rt, &topic_region, url, 1)
                        .await
                        .map_err(|e| e.to_string())
                        .map(|bodies| {
                            delivered(&bodies, topic, r.alarm.as_ref().map(|a| a.name.as_str()).unwrap_or_default())
                                .map(|m| {
                                    let label = "the notification the drill's queue received".to_string();
                                    (LinkState::Happened, format!("{label} from {topic}\u{0}{m}"))
                                })
                        }),
                    _ => Err(String::new()),
                },
                _ => {
                    // The message delivered to the drill's queue, judged by each subscriber.
                    let body = out.last().and_then(|l| l.detail.split_once('\u{0}')).map(|(_, m)| m.to_string());
                    Ok(Some(subscribers(r, w.queue_arn.as_deref(), body.as_deref())))
                }
            };
            match step {
                Err(e) if e.is_empty() => break 'poll,
                Err(e) => {
                    out.push(LinkResult { link, state: LinkState::Unreadable, latency_seconds: None, detail: e });
                    next += 1;
                    break 'poll;
                }
                Ok(None) => break,
                Ok(Some((state, detail))) => {
                    if state == LinkState::Happened && link != "subscribers" {
                        happened(&mut out, link, detail);
                    } else {
                        out.push(LinkResult { link, state, latency_seconds: None, detail });
                    }
                    next += 1;
                    if state != LinkState::Happened {
                        break 'poll;
                    }
                }
            }
        }
        if next >= LINKS.len() {
            break;
        }
        if Instant::now() >= w.deadline {
            out.push(LinkResult {
                link: LINKS[next],
                state: LinkState::Missed,
                latency_seconds: None,
                detail: format!("not seen within {} s of the change", secs(w.deadline - w.started)),
            });
            next += 1;
            break;
        }
        // Sleep in short steps, so a stop request is honoured quickly.
        let wake = Instant::now() + w.poll;
        while Instant::now() < wake {
            if (w.stop)() {
                stopped = true;
                break 'poll;
            }
            tokio::time::sleep(Duration::from_millis(100).min(w.poll)).await;
        }
    }
    // The delivered message travels in the detail only to judge the subscribers.
    for l in out.iter_mut() {
        if let Some((d, _)) = l.detail.split_once('\u{0}') {
            l.detail = d.to_string();
        }
    }
    let reason = match (out.last(), &r.gap) {
        (_, Some(g)) if next < LINKS.len() && out.last().is_none_or(|l| l.state == LinkState::Happened) => g.clone(),
        (Some(l), _) if l.state != LinkState::Happened => format!("not reached: {} did not happen", label(l.link)),
        _ if stopped => "not reached: the drill was interrupted".to_string(),
        _ => "not reached".to_string(),
    };
    let gap_link = out.len();
    for (i, link) in LINKS.iter().enumerate().skip(out.len()) {
        let detail = if i == gap_link && !stopped { reason.clone() } else { "not reached".to_string() };
        out.push(LinkResult { link, state: LinkState::NotReached, latency_seconds: None, detail });
    }
    (out, stopped)
}

/// The alarm notification (its `Message`) among SQS bodies: an SNS envelope from `topic`
/// whose message names `alarm`.
fn delivered(bodies: &[String], topic: &str, alarm: &str) -> Option<String> {
    bodies.iter().find_map(|b| {
        let v: serde_json::Value = serde_json::from_str(b).ok()?;
        let msg = v["Message"].as_str()?;
        let from = v["TopicArn"].as_str()?;
        (from == topic && msg.contains(alarm)).then(|| msg.to_string())
    })
}

/// Whether the topic's own confirmed subscribers (not the drill's queue) take the message the
/// drill's queue received, by their filter policies.
fn subscribers(r: &Route, own: Option<&str>, body: Option<&str>) -> (LinkState, String) {
    let theirs: Vec<_> = r.subscriptions.iter().filter(|s| Some(s.endpoint.as_str()) != own).cloned().collect();
    let Some(body) = body else {
        return (LinkState::Unreadable, "the delivered message was not kept".into());
    };
    let sent = || vec![Sent { label: "the notification the drill's queue received".into(), body: body.to_string() }];
    let j = receivers(&theirs, &sent);
    if !j.receiving.is_empty() {
        let mut d = format!("{} receive(s) it: {}", j.receiving.len(), j.receiving.join(", "));
        if !j.rejected.is_empty() {
            d.push_str(&format!("; rejected by {}", j.rejected.join("; ")));
        }
        return (LinkState::Happened, d);
    }
    if !j.rejected.is_empty() {
        return (LinkState::Failed, format!("every confirmed subscriber rejects it: {}", j.rejected.join("; ")));
    }
    if !j.unknown.is_empty() {
        return (LinkState::Unreadable, j.unknown.join("; "));
    }
    let pending = theirs.iter().filter(|s| s.is_pending()).count();
    (
        LinkState::Failed,
        format!(
            "the topic has no confirmed subscriber besides the drill's queue{}: nobody receives the alert",
            if pending > 0 { format!(" ({pending} pending confirmation)") } else { String::new() }
        ),
    )
}
