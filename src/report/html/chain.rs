//! The evidence chain of a monitoring verdict, drawn as inline SVG: trail → log group → metric
//! filter → alarm → SNS topic → confirmed subscriber, and the EventBridge route beside it.
//!
//! Each node shows the value observed and is green (the link holds), red (broken), amber (could
//! not be read), blue (evidence outside the audit) or grey (not reached). The colours come from the
//! findings' statuses and their evidence steps' `ok`; nothing here decides a verdict.

use super::esc;
use crate::finding::{Evidence, Finding, Status};
use crate::report::view::{observed_text, truncate};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    Broken,
    Error,
    OutOfScope,
    NotReached,
}

impl State {
    pub fn class(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Broken => "broken",
            State::Error => "error",
            State::OutOfScope => "scope",
            State::NotReached => "skip",
        }
    }
    fn word(self) -> &'static str {
        match self {
            State::Ok => "✔ holds",
            State::Broken => "✘ broken",
            State::Error => "! unreadable",
            State::OutOfScope => "? outside the audit",
            State::NotReached => "– not reached",
        }
    }
    fn colors(self) -> (&'static str, &'static str) {
        // (fill, stroke)
        match self {
            State::Ok => ("#e6f4ea", "#1e8e3e"),
            State::Broken => ("#fce8e6", "#d93025"),
            State::Error => ("#fef7e0", "#e37400"),
            State::OutOfScope => ("#e8f0fe", "#1a73e8"),
            State::NotReached => ("#f1f3f4", "#9aa0a6"),
        }
    }
}

/// One link of the chain as drawn.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub label: &'static str,
    /// The value observed, short.
    pub value: String,
    /// Everything observed for this link, for the tooltip.
    pub detail: String,
    pub state: State,
    /// The finding that holds this link.
    pub finding: Option<&'a Finding>,
}

/// The findings of a monitoring verdict, by check module.
pub struct ChainFindings<'a> {
    pub trail: Option<&'a Finding>,
    pub metric_filter: Option<&'a Finding>,
    pub alarm: Option<&'a Finding>,
    pub subscription: Option<&'a Finding>,
    pub eventbridge: Option<&'a Finding>,
}

impl<'a> ChainFindings<'a> {
    /// The chain of a verdict's findings, when it is a monitoring verdict (it has the
    /// metric-filter and alarm modules).
    pub fn of(findings: &[&'a Finding]) -> Option<ChainFindings<'a>> {
        let by = |m: &str| findings.iter().copied().find(|f| f.check.rsplit('/').next() == Some(m));
        let c = ChainFindings {
            trail: by("trail"),
            metric_filter: by("metric-filter"),
            alarm: by("alarm"),
            subscription: by("sns-subscription"),
            eventbridge: by("eventbridge-rule"),
        };
        (c.metric_filter.is_some() && c.alarm.is_some()).then_some(c)
    }
}

fn step<'a>(f: Option<&'a Finding>, name: &str) -> Option<&'a Evidence> {
    f?.evidence.iter().find(|e| e.step == name)
}

fn value(f: Option<&Finding>, name: &str) -> Option<String> {
    step(f, name).map(|e| observed_text(&e.observed))
}

/// The node an evidence step belongs to (index into the six nodes).
fn node_of(step: &str) -> usize {
    if step == "log_group" || step.starts_with("trail.cloudwatch_logs") || step.starts_with("trail.latest_cloudwatch") {
        1
    } else if step.starts_with("trail") || step.starts_with("describe_trails") {
        0
    } else if step.starts_with("metric_filter") {
        2
    } else if step.starts_with("alarm") {
        3
    } else if step == "sns_topic" || step == "sns_topic.exists" {
        4
    } else if step.starts_with("sns_topic") {
        5
    } else {
        usize::MAX
    }
}

fn status_state(s: Status) -> State {
    match s {
        Status::Pass => State::Ok,
        Status::Fail => State::Broken,
        Status::Error => State::Error,
        Status::Manual => State::OutOfScope,
        Status::Skipped => State::NotReached,
    }
}

/// The six nodes of the metric-filter route.
pub fn nodes<'a>(c: &ChainFindings<'a>) -> Vec<Node<'a>> {
    let modules = [c.trail, c.metric_filter, c.alarm, c.subscription];
    // Bad evidence, by node.
    let mut bad = [false; 6];
    for f in modules.iter().flatten() {
        for e in &f.evidence {
            if e.ok == Some(false) {
                if let Some(b) = bad.get_mut(node_of(&e.step)) {
                    *b = true;
                }
            }
        }
    }
    // A module finding's own node: broken when it failed and no other node of it explains why.
    let own = |f: Option<&Finding>, mine: &[usize]| -> State {
        let Some(f) = f else { return State::NotReached };
        match f.status {
            Status::Fail => {
                let elsewhere = f
                    .evidence
                    .iter()
                    .any(|e| e.ok == Some(false) && !mine.contains(&node_of(&e.step)) && node_of(&e.step) < 6);
                let here = mine.iter().any(|i| bad[*i]);
                if here || !elsewhere {
                    State::Broken
                } else {
                    State::Ok
                }
            }
            s => status_state(s),
        }
    };
    let trail = if bad[0] { State::Broken } else { own(c.trail, &[0]) };
    let mf_read = c.metric_filter.is_some_and(|f| f.evidence.iter().any(|e| e.step.starts_with("metric_filter.")));
    let group_missing =
        c.metric_filter.is_some_and(|f| f.status == Status::Fail && !mf_read && f.message.contains("does not exist"));
    let mf_state = c.metric_filter.map(|f| f.status).unwrap_or(Status::Skipped);
    let log_group = if bad[1] || group_missing {
        State::Broken
    } else if trail != State::Ok {
        State::NotReached
    } else {
        match mf_state {
            Status::Skipped => State::NotReached,
            Status::Error if !mf_read => State::Error,
            Status::Manual if !mf_read => State::OutOfScope,
            _ => State::Ok,
        }
    };
    let metric_filter = if log_group != State::Ok {
        if log_group == State::Broken {
            State::NotReached
        } else {
            log_group
        }
    } else {
        own(c.metric_filter, &[2])
    };
    let alarm = own(c.alarm, &[3]);
    let topic = if bad[4] {
        State::Broken
    } else if alarm == State::Ok {
        State::Ok
    } else {
        State::NotReached
    };
    let subscriber = if topic != State::Ok { State::NotReached } else { own(c.subscription, &[5]) };

    let detail = |f: Option<&Finding>, node: usize| -> String {
        let mut s = String::new();
        if let Some(f) = f {
            for e in f.evidence.iter().filter(|e| node_of(&e.step) == node) {
                let _ = writeln!(s, "{}: {}", e.step, truncate(&observed_text(&e.observed), 300));
            }
            if s.is_empty() {
                s = f.message.clone();
            }
        }
        s
    };
    let trail_name = value(c.trail, "trail")
        .map(|a| a.rsplit('/').next().unwrap_or(&a).to_string())
        .or_else(|| c.trail.map(|f| f.message.clone()))
        .unwrap_or_else(|| "none".into());
    let group_name = value(c.metric_filter, "log_group")
        .map(|g| g.split(" (").next().unwrap_or(&g).to_string())
        .or_else(|| {
            value(c.trail, "trail.cloudwatch_logs_log_group_arn")
                .filter(|a| a != "none")
                .map(|a| a.split(":log-group:").nth(1).unwrap_or(&a).trim_end_matches(":*").to_string())
        })
        .unwrap_or_else(|| "none".into());
    let filter = match (value(c.metric_filter, "metric_filter.name"), value(c.metric_filter, "metric_filter.coverage"))
    {
        (Some(n), Some(cov)) => format!("{n} — {cov}"),
        (Some(n), None) => n,
        _ if metric_filter == State::NotReached => "—".into(),
        _ => c.metric_filter.map(|f| f.message.clone()).unwrap_or_default(),
    };
    let alarm_value = value(c.alarm, "alarm.name")
        .or_else(|| value(c.alarm, "alarm.metric").map(|m| format!("no alarm on {m}")))
        .or_else(|| c.alarm.filter(|f| f.status != Status::Skipped).map(|f| f.message.clone()))
        .unwrap_or_else(|| "—".into());
    let topic_value = value(c.subscription, "sns_topic")
        .or_else(|| {
            step(c.alarm, "sns_topic.exists").filter(|e| e.observed.is_string()).map(|e| observed_text(&e.observed))
        })
        .or_else(|| {
            step(c.alarm, "alarm.alarm_actions")
                .and_then(|e| e.observed.as_array()?.first()?.as_str().map(str::to_string))
        })
        .map(|a| a.rsplit(':').next().unwrap_or(&a).to_string())
        .unwrap_or_else(|| "—".into());
    let subscriber_value = match step(c.subscription, "sns_topic.confirmed_subscriptions") {
        Some(e) => {
            let n = observed_text(&e.observed);
            let first = step(c.subscription, "sns_topic.subscribers")
                .and_then(|s| s.observed.as_array()?.first()?.as_str().map(str::to_string));
            let pending = value(c.subscription, "sns_topic.pending_subscriptions").unwrap_or_else(|| "0".into());
            match first {
                Some(x) => format!("{n} confirmed: {x}"),
                None => format!("{n} confirmed, {pending} pending"),
            }
        }
        None => "—".into(),
    };
    vec![
        Node { label: "Trail", value: trail_name, detail: detail(c.trail, 0), state: trail, finding: c.trail },
        Node {
            label: "Log group",
            value: group_name,
            detail: {
                let mut d = detail(c.trail, 1);
                d.push_str(&detail(c.metric_filter, 1));
                d
            },
            state: log_group,
            finding: if group_missing || !bad[1] { c.metric_filter } else { c.trail },
        },
        Node {
            label: "Metric filter",
            value: filter,
            detail: detail(c.metric_filter, 2),
            state: metric_filter,
            finding: c.metric_filter,
        },
        Node { label: "Alarm", value: alarm_value, detail: detail(c.alarm, 3), state: alarm, finding: c.alarm },
        Node {
            label: "SNS topic",
            value: topic_value,
            detail: {
                let mut d = detail(c.alarm, 4);
                d.push_str(&detail(c.subscription, 4));
                d
            },
            state: topic,
            finding: if bad[4] { c.alarm } else { c.subscription },
        },
        Node {
            label: "Subscriber",
            value: subscriber_value,
            detail: detail(c.subscription, 5),
            state: subscriber,
            finding: c.subscription,
        },
    ]
}

/// The index of the first link that does not hold, if any.
pub fn first_broken(nodes: &[Node]) -> Option<usize> {
    nodes.iter().position(|n| n.state != State::Ok)
}

/// Splits `s` into at most `lines` lines of at most `width` characters, breaking after spaces,
/// slashes, colons and commas; the last line ends with `…` when cut.
fn wrap(s: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest: Vec<char> = s.chars().collect();
    while !rest.is_empty() && out.len() < lines {
        if rest.len() <= width {
            out.push(rest.iter().collect());
            rest.clear();
            break;
        }
        let cut = (1..=width).rev().find(|i| matches!(rest[i - 1], ' ' | '/' | ':' | ',' | '-')).unwrap_or(width);
        out.push(rest[..cut].iter().collect::<String>().trim_end().to_string());
        rest.drain(..cut);
    }
    if !rest.is_empty() {
        if let Some(last) = out.last_mut() {
            *last = truncate(&format!("{last} {}", rest.iter().collect::<String>()), width);
        }
    }
    out
}

const W: i32 = 134;
const GAP: i32 = 22;
const TOP: i32 = 20;
const H: i32 = 100;

/// The metric-filter route as an SVG.
pub fn svg(nodes: &[Node], title: &str) -> String {
    let first = first_broken(nodes);
    let n = nodes.len() as i32;
    let width = n * W + (n - 1) * GAP;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chain-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {}" role="img" aria-label="{}"><title>{}</title>"#,
        TOP + H + 8,
        esc(title),
        esc(title)
    );
    for (i, node) in nodes.iter().enumerate() {
        let x = i as i32 * (W + GAP);
        let (fill, stroke) = node.state.colors();
        let is_first = first == Some(i);
        if i > 0 {
            let prev = &nodes[i - 1];
            let color = if prev.state == State::Ok && node.state == State::Ok {
                "#1e8e3e"
            } else if prev.state == State::Ok {
                node.state.colors().1
            } else {
                "#9aa0a6"
            };
            let (x0, x1, y) = (x - GAP + 2, x - 3, TOP + H / 2);
            let _ = write!(
                s,
                r#"<line x1="{x0}" y1="{y}" x2="{}" y2="{y}" stroke="{color}" stroke-width="2"/><polygon points="{},{} {x1},{y} {},{}" fill="{color}"/>"#,
                x1 - 6,
                x1 - 7,
                y - 5,
                x1 - 7,
                y + 5
            );
        }
        let _ = write!(
            s,
            r#"<g class="node {}"><title>{}: {}"#,
            node.state.class(),
            esc(node.label),
            esc(node.state.word())
        );
        if !node.detail.is_empty() {
            let _ = write!(s, "\n{}", esc(node.detail.trim_end()));
        }
        let _ = write!(
            s,
            r#"</title><rect x="{}" y="{TOP}" width="{}" height="{H}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{}"{}/>"#,
            x + 1,
            W - 2,
            if is_first { "3" } else { "1.5" },
            if node.state == State::NotReached { r#" stroke-dasharray="5 4""# } else { "" }
        );
        let cx = x + W / 2;
        let _ =
            write!(s, r#"<text x="{cx}" y="{}" text-anchor="middle" class="nl">{}</text>"#, TOP + 18, esc(node.label));
        for (k, line) in wrap(&node.value, 20, 3).iter().enumerate() {
            let _ = write!(
                s,
                r#"<text x="{cx}" y="{}" text-anchor="middle" class="nv">{}</text>"#,
                TOP + 38 + k as i32 * 14,
                esc(line)
            );
        }
        let _ = write!(
            s,
            r#"<text x="{cx}" y="{}" text-anchor="middle" class="ns" fill="{stroke}">{}</text>"#,
            TOP + H - 9,
            esc(node.state.word())
        );
        if is_first {
            let _ = write!(
                s,
                r#"<text x="{cx}" y="{}" text-anchor="middle" class="fb" fill="{stroke}">▼ {}</text>"#,
                TOP - 6,
                match node.state {
                    State::Broken => "first broken link",
                    State::Error => "could not be read",
                    State::OutOfScope => "outside the audit",
                    _ => "not reached",
                }
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

/// The EventBridge route of a monitoring control: the trail that feeds EventBridge, and per
/// audited region the rule and its SNS subscriber (or why there is none).
pub fn eventbridge_svg(f: &Finding) -> String {
    let trail = step(Some(f), "eventbridge.trail");
    let regions: Vec<&Evidence> =
        f.evidence.iter().filter(|e| e.step.starts_with("eventbridge.") && e.step != "eventbridge.trail").collect();
    let rows = regions.len().max(1) as i32;
    let row_h = 50;
    let height = rows * row_h + 10;
    let (tw, rx, rw) = (170, 230, 620);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="route-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {height}" role="img" aria-label="EventBridge route"><title>EventBridge route: {}</title>"#,
        rx + rw + 2,
        esc(&f.message)
    );
    let tstate = match trail.map(|e| e.ok) {
        Some(Some(true)) => State::Ok,
        Some(Some(false)) => State::Broken,
        _ => State::NotReached,
    };
    let (fill, stroke) = tstate.colors();
    let ty = height / 2 - 30;
    let tname = trail
        .map(|e| observed_text(&e.observed))
        .map(|a| a.rsplit('/').next().unwrap_or(&a).to_string())
        .unwrap_or_else(|| "none".into());
    let _ = write!(
        s,
        r#"<g class="node {}"><title>{}</title><rect x="1" y="{ty}" width="{tw}" height="60" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><text x="{}" y="{}" text-anchor="middle" class="nl">Trail → EventBridge</text><text x="{}" y="{}" text-anchor="middle" class="nv">{}</text></g>"#,
        tstate.class(),
        esc(&trail.map(|e| observed_text(&e.observed)).unwrap_or_default()),
        tw / 2,
        ty + 22,
        tw / 2,
        ty + 42,
        esc(&truncate(&tname, 26))
    );
    for (i, e) in regions.iter().enumerate() {
        let y = 5 + i as i32 * row_h;
        let st = if e.ok == Some(true) { State::Ok } else { State::Broken };
        let (fill, stroke) = st.colors();
        let region = e.step.trim_start_matches("eventbridge.");
        let _ = write!(
            s,
            r#"<line x1="{}" y1="{}" x2="{rx}" y2="{}" stroke="{stroke}" stroke-width="1.5"/>"#,
            tw + 1,
            height / 2,
            y + 20
        );
        let _ = write!(
            s,
            r#"<g class="node {}"><title>{}: {}</title><rect x="{rx}" y="{y}" width="{rw}" height="40" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><text x="{}" y="{}" class="nl">{} {}</text><text x="{}" y="{}" class="nv">{}</text></g>"#,
            st.class(),
            esc(&e.step),
            esc(&observed_text(&e.observed)),
            rx + 10,
            y + 16,
            esc(region),
            if st == State::Ok { "✔" } else { "✘" },
            rx + 10,
            y + 32,
            esc(&truncate(&observed_text(&e.observed), 95))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_separators_and_cuts() {
        assert_eq!(wrap("aws-cloudtrail-logs-cis-demo (111122223333, us-east-1)", 23, 3).len(), 3);
        assert_eq!(wrap("short", 23, 3), vec!["short"]);
        let w = wrap(&"x".repeat(100), 10, 2);
        assert_eq!(w.len(), 2);
        assert!(w[1].ends_with('…'));
    }
}
