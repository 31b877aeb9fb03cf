//! The evidence chain of a monitoring verdict, drawn as inline SVG: trail → log group → metric
//! filter → alarm → SNS topic → confirmed subscriber, and the EventBridge route beside it.
//!
//! Drawn from the typed chain the report carries for the verdict (`controls[].chain`): each
//! node's kind, state, value and observations, as the check decided them. Each node is green
//! (the link holds), red (broken), amber (could not be read), blue (evidence outside the audit)
//! or grey (not reached). Nothing here decides a verdict or reads a message.

use super::esc;
use crate::finding::{ChainLink, LinkState, RouteView};
use crate::report::view::truncate;
use std::fmt::Write;

/// How a link's state is drawn: its CSS class, its word, its colours.
pub(crate) fn class(s: LinkState) -> &'static str {
    match s {
        LinkState::Holds => "ok",
        LinkState::Broken => "broken",
        LinkState::Unreadable => "error",
        LinkState::OutOfScope => "scope",
        LinkState::NotReached => "skip",
    }
}

fn word(s: LinkState) -> &'static str {
    match s {
        LinkState::Holds => "✔ holds",
        LinkState::Broken => "✘ broken",
        LinkState::Unreadable => "! unreadable",
        LinkState::OutOfScope => "? outside the audit",
        LinkState::NotReached => "– not reached",
    }
}

/// (fill, stroke)
fn colors(s: LinkState) -> (&'static str, &'static str) {
    match s {
        LinkState::Holds => ("#e6f4ea", "#1e8e3e"),
        LinkState::Broken => ("#fce8e6", "#d93025"),
        LinkState::Unreadable => ("#fef7e0", "#e37400"),
        LinkState::OutOfScope => ("#e8f0fe", "#1a73e8"),
        LinkState::NotReached => ("#f1f3f4", "#9aa0a6"),
    }
}

/// What a first node that does not hold is called.
pub(crate) fn first_label(s: LinkState) -> &'static str {
    match s {
        LinkState::Broken => "First broken link",
        LinkState::Unreadable => "Could not be read",
        LinkState::OutOfScope => "Outside the audit",
        _ => "Not reached",
    }
}

/// Everything observed for a node, for its tooltip.
fn detail(n: &ChainLink) -> String {
    let mut s = String::new();
    for o in &n.observed {
        let _ = writeln!(s, "{}: {}", o.step, truncate(&o.value, 300));
    }
    s
}

/// The index of the first link that does not hold, if any.
pub(crate) fn first_broken(nodes: &[ChainLink]) -> Option<usize> {
    nodes.iter().position(|n| n.state != LinkState::Holds)
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
pub(crate) fn svg(nodes: &[ChainLink], title: &str) -> String {
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
        let (fill, stroke) = colors(node.state);
        let is_first = first == Some(i);
        if i > 0 {
            let prev = &nodes[i - 1];
            let color = if prev.state == LinkState::Holds && node.state == LinkState::Holds {
                "#1e8e3e"
            } else if prev.state == LinkState::Holds {
                colors(node.state).1
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
            class(node.state),
            esc(node.kind.label()),
            esc(word(node.state))
        );
        let d = detail(node);
        if !d.is_empty() {
            let _ = write!(s, "\n{}", esc(d.trim_end()));
        }
        let _ = write!(
            s,
            r#"</title><rect x="{}" y="{TOP}" width="{}" height="{H}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{}"{}/>"#,
            x + 1,
            W - 2,
            if is_first { "3" } else { "1.5" },
            if node.state == LinkState::NotReached { r#" stroke-dasharray="5 4""# } else { "" }
        );
        let cx = x + W / 2;
        let _ = write!(
            s,
            r#"<text x="{cx}" y="{}" text-anchor="middle" class="nl">{}</text>"#,
            TOP + 18,
            esc(node.kind.label())
        );
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
            esc(word(node.state))
        );
        if is_first {
            let _ = write!(
                s,
                r#"<text x="{cx}" y="{}" text-anchor="middle" class="fb" fill="{stroke}">▼ {}</text>"#,
                TOP - 6,
                match node.state {
                    LinkState::Broken => "first broken link",
                    LinkState::Unreadable => "could not be read",
                    LinkState::OutOfScope => "outside the audit",
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
pub(crate) fn eventbridge_svg(route: &RouteView, message: &str) -> String {
    let rows = route.regions.len().max(1) as i32;
    let row_h = 50;
    let height = rows * row_h + 10;
    let (tw, rx, rw) = (170, 230, 620);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="route-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {height}" role="img" aria-label="EventBridge route"><title>EventBridge route: {}</title>"#,
        rx + rw + 2,
        esc(message)
    );
    let tstate = if route.trail.is_some() { LinkState::Holds } else { LinkState::Broken };
    let (fill, stroke) = colors(tstate);
    let ty = height / 2 - 30;
    let tname =
        route.trail.as_deref().map(|a| a.rsplit('/').next().unwrap_or(a).to_string()).unwrap_or_else(|| "none".into());
    let _ = write!(
        s,
        r#"<g class="node {}"><title>{}</title><rect x="1" y="{ty}" width="{tw}" height="60" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><text x="{}" y="{}" text-anchor="middle" class="nl">Trail → EventBridge</text><text x="{}" y="{}" text-anchor="middle" class="nv">{}</text></g>"#,
        class(tstate),
        esc(route.trail.as_deref().unwrap_or("no trail satisfies 3.1")),
        tw / 2,
        ty + 22,
        tw / 2,
        ty + 42,
        esc(&truncate(&tname, 26))
    );
    for (i, r) in route.regions.iter().enumerate() {
        let y = 5 + i as i32 * row_h;
        let st = if r.holds { LinkState::Holds } else { LinkState::Broken };
        let (fill, stroke) = colors(st);
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
            class(st),
            esc(&r.region),
            esc(&r.text),
            rx + 10,
            y + 16,
            esc(&r.region),
            if r.holds { "✔" } else { "✘" },
            rx + 10,
            y + 32,
            esc(&truncate(&r.text, 95))
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
