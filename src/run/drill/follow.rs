//! Following the alert of one drill along one route, link by link, until every link has
//! happened, one has failed, or the timeout.
//!
//! - **The metric-filter route** ([`METRIC_LINKS`]): the CloudTrail record in the trail's log
//!   group, the filter metric's data point, the alarm entering ALARM, the outcome of its action on
//!   the topic, the notification reaching the drill's queue, and whether the topic's own
//!   subscribers take that notification (their filter policies, judged on the message actually
//!   delivered). Each pass reads the next link only, and moves on as far as it can.
//! - **The EventBridge route** ([`RULE_LINKS`]): the CloudTrail record (in the log group of the
//!   trail that feeds EventBridge, when it delivers to one), the rule matching it (`AWS/Events`
//!   `TriggeredRules` for the rule, one-minute Sums since the minute before the change; a
//!   DISABLED rule stops here at once), the rule invoking its SNS target (`Invocations`,
//!   `FailedInvocations`: a target that only failed stops here), the rule's message reaching the
//!   drill's queue — its text (the input transformer's output) is reported — and the topic's
//!   subscribers judged on it. Each pass reads every link not yet seen (one `GetMetricData` for
//!   the three metrics), because these links are observed at different speeds: in AWS the
//!   message arrives within seconds, the metrics within minutes (best effort), the record in the
//!   log group within about five.
//!
//! What each look showed ([`Seen`]) becomes the links' results in [`Progress`], which decides
//! alone (pure, unit-tested): a link happens when it is seen; a later link seen shows that the
//! earlier ones happened (the detail says so: "not seen itself yet; shown by …"); a link the drill
//! cannot see is "unobserved" until a later one settles it; a link that failed or could not be
//! read stops the route; at the timeout the first link not seen is MISSED; the links after a
//! stop, or past what is wired, are not reached.

use super::route::{Route, RuleRoute};
use crate::aws::{Runtime, Session};
use crate::checks::monitoring::receiver::{receivers, target_message, Sent};
use crate::eventpattern::cloudtrail::as_event;
use crate::inventory::drill::LogRecord;
use crate::inventory::history::{metric_totals, Wanted};
use crate::inventory::{drill as read, history::alarm_history};
use aws_smithy_types::DateTime;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// The links of the metric-filter route, in order.
pub(crate) const METRIC_LINKS: &[&str] =
    &["cloudtrail-event", "metric-data-point", "alarm-state", "alarm-action", "sns-delivery", "subscribers"];

/// The links of the EventBridge route, in order.
pub(crate) const RULE_LINKS: &[&str] =
    &["cloudtrail-event", "rule-matched", "rule-invocation", "sns-delivery", "subscribers"];

pub(crate) fn label(link: &str) -> &'static str {
    match link {
        "cloudtrail-event" => "CloudTrail event",
        "metric-data-point" => "metric data point",
        "alarm-state" => "alarm entered ALARM",
        "alarm-action" => "alarm action",
        "rule-matched" => "rule matched the event",
        "rule-invocation" => "rule invoked its SNS target",
        "sns-delivery" => "SNS delivery (the drill's queue)",
        _ => "the topic's subscribers",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum LinkState {
    /// It happened (seen after `latency_seconds`).
    Happened,
    /// The drill cannot see it, and no later link showed it happened.
    Unobserved,
    /// It did not happen within the timeout.
    Missed,
    /// It happened wrong (a failed action or invocation, a disabled rule, a rejecting subscriber).
    Failed,
    /// The chain is not wired to it, or an earlier link did not happen.
    NotReached,
    /// It could not be read.
    Unreadable,
}

impl LinkState {
    /// Whether the route goes on past a link in this state.
    pub(crate) fn passes(self) -> bool {
        matches!(self, LinkState::Happened | LinkState::Unobserved)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LinkResult {
    pub link: &'static str,
    pub state: LinkState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_seconds: Option<f64>,
    pub detail: String,
    /// The message delivered (at the SNS delivery link): the alarm's notification, or the
    /// rule's message — the input transformer's output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What one look at a link showed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    /// It happened.
    Yes { detail: String, message: Option<String> },
    /// It happened wrong: the alert cannot go on.
    Failed(String),
    /// Not yet.
    NotYet,
    /// The drill cannot see it (why); only the links after it can show it happened.
    Unobservable(String),
    /// The read failed.
    Unreadable(String),
}

impl Seen {
    fn yes(detail: impl Into<String>) -> Seen {
        Seen::Yes { detail: detail.into(), message: None }
    }
}

/// The links of one route as they are decided, pass after pass.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    links: &'static [&'static str],
    /// How many links the route is wired to (nothing past them is followed).
    wired: usize,
    out: Vec<LinkResult>,
    /// The links decided as happened only because a later one was seen.
    shown: Vec<usize>,
    /// A link failed, could not be read, or was missed.
    ended: bool,
}

impl Progress {
    pub(crate) fn new(links: &'static [&'static str], wired: usize) -> Self {
        Progress { links, wired: wired.min(links.len()), out: vec![], shown: vec![], ended: false }
    }

    /// Whether link `i` was decided as happened only because a later link was seen.
    pub(crate) fn only_shown(&self, i: usize) -> bool {
        self.shown.contains(&i)
    }

    /// Link `i`, decided as happened because a later link was seen, seen itself afterwards: its
    /// detail becomes what was seen (its latency stays: it happened no later than that).
    pub(crate) fn seen_afterwards(&mut self, i: usize, detail: String) {
        if let Some(l) = self.out.get_mut(i).filter(|_| self.shown.contains(&i)) {
            l.detail = format!("{detail} (read after the later links had shown it)");
            self.shown.retain(|x| *x != i);
        }
    }

    /// The first link not decided yet.
    pub(crate) fn next(&self) -> usize {
        self.out.len()
    }

    /// Nothing more to look at: every wired link decided, or the route stopped.
    pub(crate) fn finished(&self) -> bool {
        self.ended || self.out.len() >= self.wired
    }

    /// Whether link `i` is still to be looked at.
    pub(crate) fn pending(&self, i: usize) -> bool {
        !self.finished() && i >= self.out.len() && i < self.wired
    }

    /// When `link` happened, once it did.
    pub(crate) fn latency_of(&self, link: &str) -> Option<f64> {
        self.out.iter().find(|l| l.link == link).and_then(|l| l.latency_seconds)
    }

    /// The message delivered at `link`, once it happened.
    pub(crate) fn message_of(&self, link: &str) -> Option<&str> {
        self.out.iter().find(|l| l.link == link).and_then(|l| l.message.as_deref())
    }

    fn happened(&mut self, i: usize, latency: f64, detail: String, message: Option<String>) {
        let link = self.links[i];
        // The links the drill could not see happened too: this one shows it.
        for l in self.out.iter_mut().rev().take_while(|l| l.state == LinkState::Unobserved) {
            l.state = LinkState::Happened;
            l.latency_seconds = Some(latency);
            l.detail = format!("{}; shown by {}", l.detail, label(link));
        }
        self.out.push(LinkResult { link, state: LinkState::Happened, latency_seconds: Some(latency), detail, message });
    }

    /// Link `i`, not seen itself yet, happened: link `later`, seen `at`, shows it.
    fn shown_by(&mut self, i: usize, at: f64, later: &str) {
        self.happened(i, at, format!("not seen itself yet; shown by {later}"), None);
        self.shown.push(i);
    }

    fn stop(&mut self, i: usize, state: LinkState, detail: String) {
        self.out.push(LinkResult { link: self.links[i], state, latency_seconds: None, detail, message: None });
        self.ended = true;
    }

    /// One pass: what was seen of each link, and when (seconds after the change), indexed like
    /// the route's links (None: not looked at this pass). A link not seen itself but shown by a
    /// later one happened when that one was seen.
    pub(crate) fn observe(&mut self, seen: &mut [Option<(Seen, f64)>]) {
        if self.finished() {
            return;
        }
        let start = self.out.len();
        for i in start..self.wired {
            // The nearest later link seen, and when.
            let shown = (i + 1..self.wired).find_map(|k| match seen.get(k) {
                Some(Some((Seen::Yes { .. }, at))) => Some((label(self.links[k]), *at)),
                _ => None,
            });
            let Some((s, at)) = seen.get_mut(i).and_then(Option::take) else {
                match shown {
                    Some((l, at)) => self.shown_by(i, at, l),
                    None => return,
                }
                continue;
            };
            match (s, shown) {
                (Seen::Yes { detail, message }, _) => self.happened(i, at, detail, message),
                (Seen::Unobservable(why), _) => self.out.push(LinkResult {
                    link: self.links[i],
                    state: LinkState::Unobserved,
                    latency_seconds: None,
                    detail: why,
                    message: None,
                }),
                (Seen::Failed(d), Some((l, at))) => self.happened(i, at, format!("{d}; yet {l} happened"), None),
                (Seen::Unreadable(e), Some((l, at))) => {
                    self.happened(i, at, format!("could not be read ({e}); shown by {l}"), None)
                }
                (Seen::NotYet, Some((l, at))) => self.shown_by(i, at, l),
                (Seen::Failed(d), None) => return self.stop(i, LinkState::Failed, d),
                (Seen::Unreadable(e), None) => return self.stop(i, LinkState::Unreadable, e),
                (Seen::NotYet, None) => return,
            }
        }
    }

    /// The timeout, `waited` seconds after the change: the first link not seen is missed.
    pub(crate) fn timeout(&mut self, waited: f64) {
        self.timeout_saying(waited, None);
    }

    /// The timeout, with what the drill saw instead at the missed link.
    pub(crate) fn timeout_saying(&mut self, waited: f64, instead: Option<String>) {
        if self.finished() {
            return;
        }
        let i = self.out.len();
        let mut detail = format!("not seen within {waited} s of the change");
        if let Some(x) = instead {
            detail.push_str(&format!("; {x}"));
        }
        self.stop(i, LinkState::Missed, detail);
    }

    /// Every link of the route: those decided, then the rest not reached — the first of them
    /// saying why (the link that did not happen, the route's `gap` past what is wired, or the
    /// interruption).
    pub(crate) fn finish(self, gap: Option<&str>, interrupted: bool) -> Vec<LinkResult> {
        let Progress { links, wired, mut out, .. } = self;
        let reason = match out.iter().find(|l| !l.state.passes()) {
            Some(l) => format!("not reached: {} did not happen", label(l.link)),
            None if out.len() >= wired && wired < links.len() => gap.unwrap_or("not wired").to_string(),
            None if interrupted => "not reached: the drill was interrupted".to_string(),
            None => "not reached".to_string(),
        };
        let first = out.len();
        for (i, link) in links.iter().enumerate().skip(first) {
            let detail = if i == first { reason.clone() } else { "not reached".to_string() };
            out.push(LinkResult { link, state: LinkState::NotReached, latency_seconds: None, detail, message: None });
        }
        out
    }
}

/// The first link of a route that did not pass (None: the alert arrived).
pub(crate) fn stopped_at(links: &[LinkResult]) -> Option<&'static str> {
    links.iter().find(|l| !l.state.passes()).map(|l| l.link)
}

/// What a route's metrics had counted in the minute of the change before it began: subtracted
/// from what they count after, since a metric's data points are one-minute Sums (another
/// matching event of that minute, or a drill a moment before, counts in them too).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Before {
    /// The filter's metric.
    pub metric: f64,
    /// The rule's TriggeredRules, Invocations, FailedInvocations.
    pub rule: [f64; 3],
}

/// Reads [`Before`] for a unit's routes at `t0`, before the change (a figure that cannot be read
/// counts 0: the reads after the change then say why).
pub(crate) async fn counted_before(
    session: &Session,
    rt: &Runtime,
    t0: SystemTime,
    metric: Option<&Route>,
    rule: Option<&RuleRoute>,
) -> Before {
    let start = minute_of(t0);
    let metric = async {
        let Some((r, (ns, name))) = metric.and_then(|r| Some((r, r.metric.as_ref()?))) else { return 0.0 };
        read::metric_sums(session, rt, &r.log_group.1, ns, name, start, end_of_window())
            .await
            .map(|pts| pts.iter().map(|p| p.1).sum())
            .unwrap_or(0.0)
    };
    let rule = async {
        let Some(r) = rule else { return [0.0; 3] };
        match metric_totals(session, rt, &r.region, &rule_metrics_wanted(r), start, end_of_window(), 60).await {
            Ok(t) => RULE_METRICS.map(|m| t.iter().find(|x| x.metric_name == m).map(|x| x.total).unwrap_or(0.0)),
            Err(_) => [0.0; 3],
        }
    };
    let (metric, rule) = futures::join!(metric, rule);
    Before { metric, rule }
}

/// The start of the minute holding `t`: where one-minute data points that may count the change begin.
fn minute_of(t: SystemTime) -> DateTime {
    let s = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    DateTime::from_secs((s - s % 60) as i64)
}

const RULE_METRICS: [&str; 3] = ["TriggeredRules", "Invocations", "FailedInvocations"];

fn rule_metrics_wanted(r: &RuleRoute) -> BTreeSet<Wanted> {
    RULE_METRICS.iter().map(|m| Wanted::new("AWS/Events", m, &[("RuleName", r.rule.name.as_str())])).collect()
}

/// What a drill watches for: the change it made and when.
pub(crate) struct Watch<'a> {
    pub session: &'a Session,
    pub rt: &'a Runtime,
    /// The id of the resource the drill changed (found in the CloudTrail record).
    pub resource_id: String,
    /// When the change began.
    pub t0: SystemTime,
    /// What the routes' metrics had counted before it.
    pub before: Before,
    pub started: Instant,
    pub deadline: Instant,
    pub poll: Duration,
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

impl Watch<'_> {
    fn latency(&self) -> f64 {
        secs(self.started.elapsed())
    }
    /// Where the alarm's history of the change begins (a clock a few seconds off allowed for).
    fn since(&self) -> DateTime {
        DateTime::from(self.t0 - Duration::from_secs(5))
    }
    fn start_ms(&self) -> i64 {
        ms(self.t0) - 60_000
    }
    /// Waits one poll interval in short steps; false when a stop was requested.
    async fn sleep(&self) -> bool {
        let wake = Instant::now() + self.poll;
        while Instant::now() < wake {
            if (self.stop)() {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100).min(self.poll)).await;
        }
        true
    }
}

/// The drill's queue subscribed to one topic, and every message it received so far: the routes
/// delivering to that topic share it (a message received is hidden from the next receive).
pub(crate) struct Mailbox {
    pub region: String,
    pub url: Option<String>,
    pub arn: String,
    pub topic: String,
    received: Mutex<Vec<String>>,
}

impl Mailbox {
    pub(crate) fn new(region: String, url: Option<String>, arn: String, topic: String) -> Self {
        Mailbox { region, url, arn, topic, received: Mutex::new(vec![]) }
    }

    /// Receives what arrived (a one-second long poll); every body received so far.
    async fn check(&self, w: &Watch<'_>) -> Result<Vec<String>, String> {
        let url = self.url.as_deref().ok_or("the drill's queue was not created")?;
        let got = read::receive(w.session, w.rt, &self.region, url, 1).await.map_err(|e| e.to_string())?;
        let mut all = self.received.lock().unwrap_or_else(|e| e.into_inner());
        all.extend(got);
        Ok(all.clone())
    }
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

fn ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

fn end_of_window() -> DateTime {
    DateTime::from(SystemTime::now() + Duration::from_secs(120))
}

/// The CloudTrail records of the change in `group`: seen when one names the resource.
async fn records(w: &Watch<'_>, group: &(String, String, String)) -> Result<Vec<LogRecord>, String> {
    let (_, region, name) = group;
    read::records_with(w.session, w.rt, region, name, w.start_ms(), &w.resource_id)
        .await
        .map_err(|e| e.to_string())
        .map(|recs| recs.into_iter().filter(|x| x.message.contains(&w.resource_id)).collect())
}

fn record_seen(recs: &[LogRecord], resource: &str, group: &(String, String, String)) -> Seen {
    let (_, region, name) = group;
    match recs.first() {
        None => Seen::NotYet,
        Some(x) => {
            let event = serde_json::from_str::<serde_json::Value>(&x.message)
                .ok()
                .and_then(|v| v["eventName"].as_str().map(str::to_string))
                .unwrap_or_else(|| "a record".into());
            Seen::yes(format!("{event} naming {resource} in log group {name} ({region})"))
        }
    }
}

/// Follows the metric-filter route; returns its links, and whether a stop was requested
/// meanwhile.
pub(crate) async fn follow_metric(w: &Watch<'_>, r: &Route, mailbox: Option<&Mailbox>) -> (Vec<LinkResult>, bool) {
    let wired = match (&r.metric, &r.alarm, &r.topic, mailbox) {
        (None, _, _, _) => 1,
        (_, None, _, _) => 2,
        (_, _, None, _) => 3,
        (_, _, _, None) => 4,
        _ => METRIC_LINKS.len(),
    };
    let mut p = Progress::new(METRIC_LINKS, wired);
    let mut stopped = false;
    'poll: loop {
        if (w.stop)() {
            stopped = true;
            break;
        }
        // Each pass moves as far along the chain as it can.
        while !p.finished() {
            let i = p.next();
            let seen = metric_link(w, r, mailbox, &p, i).await;
            let mut all = vec![None; METRIC_LINKS.len()];
            all[i] = Some((seen, w.latency()));
            p.observe(&mut all);
            if p.next() == i {
                break;
            }
        }
        if p.finished() {
            break;
        }
        if Instant::now() >= w.deadline {
            p.timeout(secs(w.deadline - w.started));
            break;
        }
        if !w.sleep().await {
            stopped = true;
            break 'poll;
        }
    }
    (p.finish(r.gap.as_deref(), stopped), stopped)
}

/// One look at link `i` of the metric-filter route.
async fn metric_link(w: &Watch<'_>, r: &Route, mailbox: Option<&Mailbox>, p: &Progress, i: usize) -> Seen {
    let (_, g_region, _) = &r.log_group;
    let unreadable = Seen::Unreadable;
    match METRIC_LINKS[i] {
        "cloudtrail-event" => match records(w, &r.log_group).await {
            Ok(recs) => record_seen(&recs, &w.resource_id, &r.log_group),
            Err(e) => unreadable(e),
        },
        "metric-data-point" => {
            let Some((ns, name)) = &r.metric else { return Seen::NotYet };
            match read::metric_sums(w.session, w.rt, g_region, ns, name, minute_of(w.t0), end_of_window()).await {
                Err(e) => unreadable(e.to_string()),
                Ok(pts) => {
                    let total = pts.iter().map(|p| p.1).sum::<f64>() - w.before.metric;
                    if total > 0.0 {
                        Seen::yes(format!("{ns}/{name}: Sum {total} since the change"))
                    } else {
                        Seen::NotYet
                    }
                }
            }
        }
        link @ ("alarm-state" | "alarm-action") => {
            let Some(a) = &r.alarm else { return Seen::NotYet };
            let items = match alarm_history(w.session, w.rt, g_region, &a.name, w.since(), end_of_window()).await {
                Ok(items) => items,
                Err(e) => return unreadable(e.to_string()),
            };
            if link == "alarm-state" {
                return match items.iter().find(|i| i.item_type == "StateUpdate" && i.summary.ends_with("to ALARM")) {
                    Some(i) => Seen::yes(format!("{}: {}", a.name, i.summary)),
                    None => Seen::NotYet,
                };
            }
            let topic = r.topic.clone().unwrap_or_default();
            match items.iter().find(|i| i.item_type == "Action" && i.summary.contains(&topic)) {
                Some(i) if i.summary.starts_with("Failed") => Seen::Failed(i.summary.clone()),
                Some(i) => Seen::yes(i.summary.clone()),
                // Actions disabled: nothing will ever be published.
                None if !a.actions_enabled => Seen::Failed(format!(
                    "alarm {} entered ALARM but its actions are disabled (ActionsEnabled false): it notifies nobody",
                    a.name
                )),
                None => Seen::NotYet,
            }
        }
        "sns-delivery" => {
            let (Some(m), Some(topic)) = (mailbox, &r.topic) else { return Seen::NotYet };
            match m.check(w).await {
                Err(e) => unreadable(e),
                Ok(bodies) => match alarm_notification(&bodies, topic, r.alarm.as_ref().map(|a| a.name.as_str())) {
                    Some(msg) => Seen::Yes {
                        detail: format!("the notification the drill's queue received from {topic}"),
                        message: Some(msg),
                    },
                    None => Seen::NotYet,
                },
            }
        }
        _ => subscribers(&r.subscriptions, mailbox.map(|m| m.arn.as_str()), p.message_of("sns-delivery")),
    }
}

/// Follows the EventBridge route; returns its links, and whether a stop was requested meanwhile.
pub(crate) async fn follow_rule(w: &Watch<'_>, r: &RuleRoute, mailbox: Option<&Mailbox>) -> (Vec<LinkResult>, bool) {
    let wired = if mailbox.is_some() { RULE_LINKS.len() } else { 3 };
    let mut p = Progress::new(RULE_LINKS, wired);
    let mut stopped = false;
    // The change's records, once read: they give the rule's expected message.
    let mut recs: Vec<LogRecord> = vec![];
    // What the drill's queue received so far.
    let mut bodies: Vec<String> = vec![];
    loop {
        if (w.stop)() {
            stopped = true;
            break;
        }
        let mut seen: Vec<Option<(Seen, f64)>> = vec![None; RULE_LINKS.len()];
        if p.pending(0) {
            let s = match &r.log_group {
                None => Seen::Unobservable(format!(
                    "not observable: trail {} does not deliver to CloudWatch Logs",
                    r.trail.as_deref().unwrap_or("(none)")
                )),
                Some(g) => match records(w, g).await {
                    Ok(found) => {
                        let s = record_seen(&found, &w.resource_id, g);
                        recs = found;
                        s
                    }
                    Err(e) => Seen::Unreadable(e),
                },
            };
            seen[0] = Some((s, w.latency()));
        }
        if p.pending(1) || p.pending(2) {
            let (matched, invoked) = rule_metrics(w, r).await;
            let at = w.latency();
            seen[1] = Some((matched, at));
            seen[2] = Some((invoked, at));
        }
        if p.pending(3) {
            if let Some(m) = mailbox {
                let s = match m.check(w).await {
                    Err(e) => Seen::Unreadable(e),
                    Ok(all) => {
                        bodies = all;
                        rule_delivery(&bodies, r, &w.resource_id, &expected_messages(r, &recs))
                    }
                };
                seen[3] = Some((s, w.latency()));
            }
        }
        p.observe(&mut seen);
        if p.pending(4) {
            // Judged on the delivered message, when it was delivered.
            let at = p.latency_of("sns-delivery").unwrap_or_else(|| w.latency());
            let mut last: Vec<Option<(Seen, f64)>> = vec![None; RULE_LINKS.len()];
            let judged = subscribers(&r.subscriptions, mailbox.map(|m| m.arn.as_str()), p.message_of("sns-delivery"));
            last[4] = Some((judged, at));
            p.observe(&mut last);
        }
        if p.finished() {
            break;
        }
        if Instant::now() >= w.deadline {
            let instead = (p.next() == 3).then(|| others(&bodies, &r.topic)).flatten();
            p.timeout_saying(secs(w.deadline - w.started), instead);
            break;
        }
        if !w.sleep().await {
            stopped = true;
            break;
        }
    }
    // EventBridge has the change from CloudTrail itself, often before the trail's record of it
    // reaches the log group: when the route arrived first, the record is looked for a few polls
    // more (never past the deadline), so that the link shows it rather than only what implies it.
    if let (false, true, Some(g)) = (stopped, p.only_shown(0), &r.log_group) {
        for _ in 0..LATE_LOOKS {
            if Instant::now() >= w.deadline {
                break;
            }
            if !w.sleep().await {
                stopped = true;
                break;
            }
            if let Ok(found) = records(w, g).await {
                if let Seen::Yes { detail, .. } = record_seen(&found, &w.resource_id, g) {
                    p.seen_afterwards(0, detail);
                    break;
                }
            }
        }
    }
    (p.finish(None, stopped), stopped)
}

/// How many more polls the EventBridge route looks for the trail's record of the change once
/// the route arrived without it.
const LATE_LOOKS: usize = 3;

/// The messages from the topic the drill did not take for the rule's (none named the change).
fn others(bodies: &[String], topic: &str) -> Option<String> {
    let other: Vec<String> = messages_from(bodies, topic).into_iter().filter(|m| !is_alarm_notification(m)).collect();
    let first = other.first()?;
    let mut text = shown(first);
    if let Some((i, _)) = text.char_indices().nth(200) {
        text.truncate(i);
        text.push('…');
    }
    Some(format!("{} other message(s) from the topic arrived, none naming the change (the first: {text})", other.len()))
}

/// The rule's `AWS/Events` figures since the change: (rule matched, target invoked).
async fn rule_metrics(w: &Watch<'_>, r: &RuleRoute) -> (Seen, Seen) {
    if !r.rule.state.starts_with("ENABLED") {
        let why = format!("rule {} is {}: EventBridge matches no event against it", r.rule.name, r.rule.state);
        return (Seen::Failed(why), Seen::NotYet);
    }
    match metric_totals(w.session, w.rt, &r.region, &rule_metrics_wanted(r), minute_of(w.t0), end_of_window(), 60).await
    {
        Err(e) => (Seen::Unreadable(e.to_string()), Seen::NotYet),
        Ok(totals) => {
            let [t, i, f] =
                RULE_METRICS.map(|m| totals.iter().find(|x| x.metric_name == m).map(|x| x.total).unwrap_or(0.0));
            let [bt, bi, bf] = w.before.rule;
            rule_figures(r, (t - bt).max(0.0), (i - bi).max(0.0), (f - bf).max(0.0))
        }
    }
}

/// What the rule's figures since the change show.
fn rule_figures(r: &RuleRoute, triggered: f64, invocations: f64, failed: f64) -> (Seen, Seen) {
    let n = |x: f64| if x.fract() == 0.0 { format!("{}", x as i64) } else { format!("{x}") };
    let matched = if triggered > 0.0 {
        Seen::yes(format!("AWS/Events TriggeredRules {} for rule {} since the change", n(triggered), r.rule.name))
    } else {
        Seen::NotYet
    };
    let invoked = if invocations > failed {
        Seen::yes(format!(
            "AWS/Events Invocations {}, FailedInvocations {}: the rule sent {} its message",
            n(invocations),
            n(failed),
            r.topic
        ))
    } else if failed > 0.0 {
        Seen::Failed(format!(
            "AWS/Events FailedInvocations {} of {} invocation(s): EventBridge could not publish to {} ({})",
            n(failed),
            n(invocations.max(failed)),
            r.topic,
            r.audit
        ))
    } else {
        Seen::NotYet
    };
    (matched, invoked)
}

/// What the rule's target sends for each of the change's CloudTrail records.
fn expected_messages(r: &RuleRoute, recs: &[LogRecord]) -> Vec<String> {
    recs.iter()
        .filter_map(|x| serde_json::from_str::<serde_json::Value>(&x.message).ok())
        .map(|rec| {
            let event = as_event(&rec, &r.account, &r.region);
            target_message(&r.target, &event, &r.rule.name, &r.rule.arn)
        })
        .collect()
}

/// The messages of SNS envelopes from `topic` among SQS bodies.
fn messages_from(bodies: &[String], topic: &str) -> Vec<String> {
    bodies
        .iter()
        .filter_map(|b| {
            let v: serde_json::Value = serde_json::from_str(b).ok()?;
            (v["TopicArn"].as_str()? == topic).then(|| v["Message"].as_str().map(str::to_string))?
        })
        .collect()
}

/// Whether a message is a CloudWatch alarm's notification.
fn is_alarm_notification(msg: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(msg)
        .ok()
        .is_some_and(|v| v.get("AlarmName").is_some() && v.get("NewStateValue").is_some())
}

/// The alarm notification (its `Message`) among SQS bodies: an SNS envelope from `topic` whose
/// message names `alarm`.
fn alarm_notification(bodies: &[String], topic: &str, alarm: Option<&str>) -> Option<String> {
    messages_from(bodies, topic).into_iter().find(|m| is_alarm_notification(m) && alarm.is_none_or(|a| m.contains(a)))
}

/// The rule's message for the drill's change among SQS bodies: a message from the route's
/// topic that is no alarm notification and names the changed resource, or is what the target
/// sends for one of the change's records (`expected`), or the target's constant `Input`.
fn rule_delivery(bodies: &[String], r: &RuleRoute, resource: &str, expected: &[String]) -> Seen {
    let all: Vec<String> = messages_from(bodies, &r.topic).into_iter().filter(|m| !is_alarm_notification(m)).collect();
    let mut ours = all
        .iter()
        .filter(|m| m.contains(resource) || expected.contains(m) || r.target.input.as_deref() == Some(m.as_str()))
        .collect::<Vec<_>>();
    // The message naming the resource first: the one a person can act on.
    ours.sort_by_key(|m| !m.contains(resource));
    let Some(first) = ours.first() else {
        return Seen::NotYet;
    };
    let how = if first.contains(resource) {
        format!("it names {resource}")
    } else if expected.contains(first) {
        "it is what the target sends for the change's record".to_string()
    } else {
        "the target's constant Input: it cannot name the change".to_string()
    };
    Seen::Yes {
        detail: format!(
            "the rule's message the drill's queue received from {} ({} for the change; {how})",
            r.topic,
            ours.len()
        ),
        message: Some((*first).clone()),
    }
}

/// A message as a reader sees it: a JSON string (an input template in quotes) unquoted.
pub(crate) fn shown(msg: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(msg) {
        Ok(serde_json::Value::String(s)) => s,
        _ => msg.to_string(),
    }
}

/// Whether the topic's own confirmed subscribers (not the drill's queue) take the message the
/// drill's queue received, by their filter policies.
fn subscribers(subs: &[crate::inventory::Subscription], own: Option<&str>, body: Option<&str>) -> Seen {
    let theirs: Vec<_> = subs.iter().filter(|s| Some(s.endpoint.as_str()) != own).cloned().collect();
    let Some(body) = body else {
        return Seen::Unreadable("the delivered message was not kept".into());
    };
    let sent = || vec![Sent { label: "the message the drill's queue received".into(), body: body.to_string() }];
    let j = receivers(&theirs, &sent);
    if !j.receiving.is_empty() {
        let mut d = format!("{} receive(s) it: {}", j.receiving.len(), j.receiving.join(", "));
        if !j.rejected.is_empty() {
            d.push_str(&format!("; rejected by {}", j.rejected.join("; ")));
        }
        return Seen::yes(d);
    }
    if !j.rejected.is_empty() {
        return Seen::Failed(format!("every confirmed subscriber rejects it: {}", j.rejected.join("; ")));
    }
    if !j.unknown.is_empty() {
        return Seen::Unreadable(j.unknown.join("; "));
    }
    let pending = theirs.iter().filter(|s| s.is_pending()).count();
    Seen::Failed(format!(
        "the topic has no confirmed subscriber besides the drill's queue{}: nobody receives the alert",
        if pending > 0 { format!(" ({pending} pending confirmation)") } else { String::new() }
    ))
}

#[cfg(test)]
mod tests;
