//! `--format html`: one self-contained page for people who will not run a CLI. CSS and the small
//! filter script are inline, the diagrams are inline SVG; nothing is fetched. Everything is
//! readable and printable without JavaScript (the script only adds the filters).
//!
//! Contents: the run's header, a summary (verdicts by status, per control, per account, and the
//! baseline comparison when there is one), the scope with each account's state, the verdict table
//! (suppressed verdicts marked with their reason and expiry, baseline changes, custom controls),
//! and per verdict its evidence: for a monitoring verdict the chain drawn as a diagram with the
//! first broken link marked and its remediation command beside it.

mod chain;
mod org;

use super::view::{mark, observed_text, status_label, suppression_text, truncate};
use super::{Report, ScopeState};
use super::{ReportFinding as Finding, Verdict as ControlResult};
use crate::finding::{ChainView, Subject};
use crate::finding::{Change, Status};
use chain::first_broken;
use std::collections::BTreeMap;
use std::fmt::Write;

/// HTML-escapes text for element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STATUSES: [Status; 5] = [Status::Fail, Status::Error, Status::Manual, Status::Pass, Status::Skipped];

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Manual => "manual",
        Status::Skipped => "skipped",
    }
}

fn badge(s: Status) -> String {
    format!(r#"<span class="badge {}">{}</span>"#, status_class(s), s)
}

fn state_name(s: ScopeState) -> &'static str {
    match s {
        ScopeState::Audited => "audited",
        ScopeState::Excluded => "excluded",
        ScopeState::Suspended => "suspended",
        ScopeState::OtherShard => "other shard",
        ScopeState::Failed => "failed",
    }
}

fn change_chip(c: Change) -> String {
    let (class, text) = match c {
        Change::New => ("chg-new", "new since baseline"),
        Change::Fixed => ("chg-fixed", "fixed since baseline"),
        Change::StillFailing => ("chg-still", "still failing"),
        Change::Unchanged => ("chg-same", "unchanged"),
    };
    format!(r#"<span class="chip {class}">{text}</span>"#)
}

/// The qualifiers of a verdict as chips: suppression, change, custom.
fn chips(c: &ControlResult) -> String {
    let mut s = String::new();
    if let Some(sup) = &c.suppressed {
        let _ = write!(s, r#"<span class="chip suppressed">{}</span>"#, esc(&suppression_text(sup)));
    }
    if let Some(ch) = c.change {
        s.push_str(&change_chip(ch));
    }
    if c.custom {
        s.push_str(r#"<span class="chip custom">custom control (not CIS)</span>"#);
    }
    s
}

fn anchor(i: usize) -> String {
    format!("v{}", i + 1)
}

fn where_(c: &ControlResult) -> String {
    match &c.region {
        Some(r) => format!("{}, {r}", c.account),
        None => c.account.clone(),
    }
}

/// The report as one page: everything, evidence and chain drawings included (a single account's
/// report, or any report written to standard output). With several accounts the control ×
/// account heat map comes first.
pub fn render(r: &Report) -> String {
    render_page(r, None)
}

/// The one-page report; `back`: the organisation's index this account page belongs to.
pub(crate) fn render_page(r: &Report, back: Option<&str>) -> String {
    let mut s = String::new();
    head(&mut s, r);
    let several = super::matrix::account_count(r) > 1;
    let mut nav = vec![("summary", "Summary")];
    if several {
        nav.push(("matrix", "Controls × accounts"));
    }
    nav.extend([("scope", "Scope"), ("verdicts", "Verdicts"), ("evidence", "Evidence")]);
    header(&mut s, r, &nav, back);
    summary(&mut s, r);
    if several {
        org::matrix_section(&mut s, r, &super::matrix::Matrix::of(r), None);
    }
    scope(&mut s, r, None);
    verdicts(&mut s, r);
    evidence(&mut s, r);
    foot(&mut s, r, back.is_some());
    s
}

/// The organisation's index (heat map, worst controls, scope), and its account pages.
pub(crate) use org::{account_pages, render_index, PAGES_DIR};

/// Whether the report is an organisation's (several accounts with verdicts): written to a file,
/// it is an index and a page per account.
pub(crate) fn is_organisation(r: &Report) -> bool {
    super::matrix::account_count(r) > 1
}

fn head(s: &mut String, r: &Report) {
    let title = format!("cis-audit report — {}", r.benchmark.title);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&title)
    );
}

fn foot(s: &mut String, r: &Report, account_page: bool) {
    let _ = write!(
        s,
        "<footer>Generated by cis-audit {} from the same report as every other format; renderers never decide a verdict. {} API calls in {:.1} s{}.</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        esc(&r.tool.version),
        r.stats.api_calls_total,
        r.stats.duration_ms as f64 / 1000.0,
        if account_page { " (the whole run, every account)" } else { "" }
    );
}

fn header(s: &mut String, r: &Report, nav: &[(&str, &str)], back: Option<&str>) {
    let _ = write!(s, "<header>\n<h1>{}</h1>\n<p class=\"meta\">", esc(&r.benchmark.title));
    if let Some(b) = back {
        let _ = write!(s, "<a class=\"back\" href=\"{}\">← the organisation's report</a> · ", esc(b));
    }
    let _ = write!(s, "Generated {} by cis-audit {}", esc(&r.generated_at), esc(&r.tool.version));
    if !r.benchmark.numbering.is_empty() {
        let _ = write!(s, " · {}", esc(&r.benchmark.numbering));
    }
    if let Some(inv) = &r.options.inventory {
        let _ = write!(s, " · evaluated offline from the saved inventory {}", esc(inv));
    }
    if r.options.strict_patterns {
        s.push_str(" · strict patterns: only the benchmark's exact filter text counts");
    }
    s.push_str("</p>\n<nav>");
    for (id, label) in nav {
        let _ = write!(s, "<a href=\"#{id}\">{label}</a> ");
    }
    s.push_str("</nav>\n</header>\n");
}

/// Counts of verdicts by status for a subset.
fn counts<'a>(it: impl Iterator<Item = &'a ControlResult>) -> BTreeMap<Status, usize> {
    let mut m = BTreeMap::new();
    for c in it {
        *m.entry(c.status).or_default() += 1;
    }
    m
}

fn count_cells(s: &mut String, m: &BTreeMap<Status, usize>) {
    for st in STATUSES {
        match m.get(&st).copied().unwrap_or(0) {
            0 => s.push_str("<td class=\"n zero\">0</td>"),
            n => {
                let _ = write!(s, "<td class=\"n {}\">{n}</td>", status_class(st));
            }
        }
    }
}

fn summary(s: &mut String, r: &Report) {
    s.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    summary_head(s, r);
    summary_tables(s, r);
}

/// The cards, the bar, the exit status, notes and the baseline comparison.
fn summary_head(s: &mut String, r: &Report) {
    let total = r.controls.len();
    s.push_str("<div class=\"cards\">");
    for st in STATUSES {
        let n = r.summary.get(&st).copied().unwrap_or(0);
        let _ = write!(
            s,
            "<div class=\"card {}\"><div class=\"num\">{n}</div><div class=\"lbl\">{st}</div></div>",
            status_class(st)
        );
    }
    let suppressed = r.controls.iter().filter(|c| c.suppressed.is_some()).count();
    if suppressed > 0 {
        let _ = write!(
            s,
            "<div class=\"card supp\"><div class=\"num\">{suppressed}</div><div class=\"lbl\">suppressed</div></div>"
        );
    }
    let _ = writeln!(
        s,
        "<div class=\"card total\"><div class=\"num\">{total}</div><div class=\"lbl\">verdicts</div></div></div>"
    );
    if total > 0 {
        s.push_str("<div class=\"bar\" aria-hidden=\"true\">");
        for st in STATUSES {
            let n = r.summary.get(&st).copied().unwrap_or(0);
            if n > 0 {
                // A narrow segment shows its count only; the cards above name every status.
                let label = if n * 10 < total { n.to_string() } else { format!("{n} {st}") };
                let _ = write!(
                    s,
                    "<span class=\"{}\" style=\"flex:{n}\" title=\"{n} {st}\">{label}</span>",
                    status_class(st)
                );
            }
        }
        s.push_str("</div>\n");
    }
    let exit = r.exit_status();
    let _ = writeln!(s, "<p class=\"verdict-line\">Exit status {exit}: {}</p>", esc(&super::view::exit_reason(r)));
    for n in &r.notes {
        let _ = writeln!(s, "<p class=\"muted small\">Note: {}</p>", esc(n));
    }
    if let Some(b) = &r.baseline {
        let _ = writeln!(
            s,
            "<p class=\"baseline\">Compared with the baseline report of {}{}: <span class=\"chip chg-new\">{} new</span> <span class=\"chip chg-fixed\">{} fixed</span> <span class=\"chip chg-still\">{} still failing</span> <span class=\"chip chg-same\">{} gone</span></p>",
            esc(&b.generated_at),
            esc(&b
                .benchmark_version
                .as_deref()
                .filter(|v| *v != r.benchmark.version)
                .map(|v| format!(" (a report of CIS v{v}, matched by control key)"))
                .unwrap_or_default()),
            b.new,
            b.fixed,
            b.still_failing,
            b.gone
        );
    }
}

/// Verdicts by status per control and per account.
fn summary_tables(s: &mut String, r: &Report) {
    let head = |s: &mut String, first: &str| {
        let _ = write!(s, "<thead><tr>{first}");
        for st in STATUSES {
            let _ = write!(s, "<th class=\"n\">{st}</th>");
        }
        s.push_str("</tr></thead><tbody>");
    };
    s.push_str("<div class=\"two\">\n<div><h3>Per control</h3><table class=\"counts\">");
    head(s, "<th>Control</th><th>Title</th>");
    let mut ids: Vec<(&str, &str, bool)> = Vec::new();
    for c in &r.controls {
        if !ids.iter().any(|(i, _, _)| *i == c.control) {
            ids.push((&c.control, &c.title, c.custom));
        }
    }
    for (id, title, custom) in &ids {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}{}</td>",
            esc(id),
            esc(title),
            if *custom { " <span class=\"chip custom\">custom</span>" } else { "" }
        );
        count_cells(s, &counts(r.controls.iter().filter(|c| c.control == *id)));
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>\n<div><h3>Per account</h3><table class=\"counts\">");
    head(s, "<th>Account</th><th>State</th>");
    let mut accounts: Vec<&str> = r.scope.iter().map(|a| a.account.as_str()).collect();
    for c in &r.controls {
        if !accounts.contains(&c.account.as_str()) {
            accounts.push(&c.account);
        }
    }
    for a in accounts {
        let scope = r.account_scope(a);
        let name = scope.and_then(|x| x.name.as_deref()).map(|n| format!(" <span class=\"muted\">{}</span>", esc(n)));
        let ou =
            scope.and_then(|x| x.ou.as_deref()).map(|o| format!(" <span class=\"muted small\">in {}</span>", esc(o)));
        let state = scope.map(|x| x.state).unwrap_or_default();
        let _ = write!(
            s,
            "<tr><td>{}{}{}</td><td><span class=\"state {}\">{}</span></td>",
            esc(a),
            name.unwrap_or_default(),
            ou.unwrap_or_default(),
            state_name(state).replace(' ', "-"),
            state_name(state)
        );
        count_cells(s, &counts(r.controls.iter().filter(|c| c.account == a)));
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>\n</div>\n</section>\n");
}

/// Every account of the run and its state; `pages`: the directory of the account pages, when
/// the report has them.
fn scope(s: &mut String, r: &Report, pages: Option<&str>) {
    let ous = r.scope.iter().any(|a| a.ou.is_some());
    let _ = write!(
        s,
        "<section id=\"scope\">\n<h2>Scope</h2>\n<table class=\"scope\"><thead><tr><th>Account</th><th>Name</th>{}<th>State</th><th>Reason</th><th>Regions</th><th>Regions from</th></tr></thead><tbody>",
        if ous { "<th>Organizational unit</th>" } else { "" }
    );
    for a in &r.scope {
        let audited = matches!(a.state, ScopeState::Audited | ScopeState::Failed);
        let id = match pages.filter(|_| audited) {
            Some(p) => format!("<a href=\"{}/{}.html\">{}</a>", esc(p), esc(&a.account), esc(&a.account)),
            None => esc(&a.account),
        };
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td>{}<td><span class=\"state {}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            id,
            esc(a.name.as_deref().unwrap_or("")),
            if ous { format!("<td>{}</td>", esc(a.ou.as_deref().unwrap_or(""))) } else { String::new() },
            state_name(a.state).replace(' ', "-"),
            state_name(a.state),
            esc(a.reason.as_deref().unwrap_or("")),
            esc(&a.regions.join(", ")),
            esc(&a.regions_source)
        );
    }
    s.push_str("</tbody></table>\n</section>\n");
}

fn options(values: &[String], all: &str) -> String {
    let mut s = format!("<option value=\"\">{all}</option>");
    for v in values {
        let _ = write!(s, "<option value=\"{}\">{}</option>", esc(v), esc(v));
    }
    s
}

fn verdicts(s: &mut String, r: &Report) {
    let mut statuses: Vec<String> = Vec::new();
    let mut accounts: Vec<String> = Vec::new();
    let mut controls: Vec<String> = Vec::new();
    for c in &r.controls {
        for (list, v) in [
            (&mut statuses, c.status.to_string()),
            (&mut accounts, c.account.clone()),
            (&mut controls, c.control.clone()),
        ] {
            if !list.contains(&v) {
                list.push(v);
            }
        }
    }
    let _ = write!(
        s,
        "<section id=\"verdicts\">\n<h2>Verdicts</h2>\n<form id=\"filters\" hidden><label>Status <select name=\"status\">{}</select></label> <label>Account <select name=\"account\">{}</select></label> <label>Control <select name=\"control\">{}</select></label> <span id=\"shown\"></span></form>\n",
        options(&statuses, "all"),
        options(&accounts, "all"),
        options(&controls, "all")
    );
    s.push_str("<table class=\"verdicts\"><thead><tr><th>ID</th><th>Title</th><th>Status</th><th>Account</th><th>Region</th><th>Reason</th></tr></thead><tbody>\n");
    for (i, c) in r.controls.iter().enumerate() {
        let _ = writeln!(
            s,
            "<tr data-verdict data-status=\"{}\" data-account=\"{}\" data-control=\"{}\" class=\"{}\"><td><a href=\"#{}\">{}</a></td><td>{}<div class=\"muted small\">{}</div></td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            c.status,
            esc(&c.account),
            esc(&c.control),
            if c.suppressed.is_some() { "row-suppressed" } else { "" },
            anchor(i),
            esc(&c.control),
            esc(&c.title),
            esc(&c.key),
            badge(c.status),
            esc(&c.account),
            esc(c.region.as_deref().unwrap_or("—")),
            esc(&truncate(&c.message, 220)),
            if chips(c).is_empty() { String::new() } else { format!("<div class=\"chips\">{}</div>", chips(c)) }
        );
    }
    s.push_str("</tbody></table>\n</section>\n");
}

fn evidence(s: &mut String, r: &Report) {
    s.push_str("<section id=\"evidence\">\n<h2>Evidence</h2>\n");
    let mut keyed: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    let single = super::matrix::account_count(r) == 1;
    for (i, c) in r.controls.iter().enumerate() {
        let read: Vec<std::borrow::Cow<Finding>> = r.findings_of(c).collect();
        let findings: Vec<&Finding> = read.iter().map(|f| f.as_ref()).collect();
        // The heat map links to an account's first verdict of a control by its key.
        if single && keyed.insert((&c.account, &c.key)) {
            let _ = write!(s, "<span id=\"k-{}\"></span>", esc(&c.key));
        }
        let _ = write!(
            s,
            "<article class=\"verdict {}\" id=\"{}\" data-verdict data-status=\"{}\" data-account=\"{}\" data-control=\"{}\">\n<h3>{} {} {} <span class=\"where\">{}</span></h3>\n<p class=\"muted small\">Key <code>{}</code></p>\n",
            status_class(c.status),
            anchor(i),
            c.status,
            esc(&c.account),
            esc(&c.control),
            esc(&c.control),
            esc(&c.title),
            badge(c.status),
            esc(&where_(c)),
            esc(&c.key)
        );
        let _ = writeln!(
            s,
            "<p class=\"reason\"><span class=\"lbl\">{}</span> {}</p>",
            esc(&status_label(c)),
            esc(&c.message)
        );
        if !chips(c).is_empty() {
            let _ = writeln!(s, "<div class=\"chips\">{}</div>", chips(c));
        }
        let _ = writeln!(
            s,
            "<p class=\"muted small\">Level {} · {} assessment{}</p>",
            c.level,
            esc(&c.assessment),
            if c.custom { " · a control of the run's configuration, not part of the CIS benchmark" } else { "" }
        );
        if let Some(ch) = &c.chain {
            chain_section(s, c, ch, &findings);
        }
        findings_table(s, &findings);
        s.push_str("</article>\n");
    }
    s.push_str("</section>\n");
}

fn chain_section(s: &mut String, c: &ControlResult, ch: &ChainView, findings: &[&Finding]) {
    let nodes = &ch.links;
    let first = first_broken(nodes);
    s.push_str("<div class=\"chain\">\n<div class=\"diagram\"><h4>Metric-filter route</h4>");
    s.push_str(&chain::svg(nodes, &format!("{} evidence chain in {}", c.control, c.account)));
    s.push_str("</div>\n<aside class=\"fix\">");
    let route_subject = format!("/{}", Subject::EventbridgeRule.name());
    let chain_findings: Vec<&&Finding> = findings.iter().filter(|f| !f.check.ends_with(&route_subject)).collect();
    match first {
        None => s.push_str("<p class=\"ok-text\">Every link holds: a change is logged, counted, alarmed and delivered to a confirmed subscriber.</p>"),
        Some(i) => {
            let n = &nodes[i];
            let _ = write!(
                s,
                "<p><span class=\"lbl {}\">{}:</span> <b>{}</b></p>",
                chain::class(n.state),
                chain::first_label(n.state),
                esc(n.kind.label())
            );
            // The finding that broke the chain: the first of the chain's findings that did not pass.
            let broken = chain_findings.iter().find(|f| !matches!(f.status, Status::Pass | Status::Skipped));
            if let Some(f) = broken {
                let _ = write!(s, "<p class=\"small\">{}</p>", esc(&truncate(&f.message, 600)));
            }
            match chain_findings.iter().find_map(|f| f.remediation.as_deref()) {
                Some(cmd) => {
                    let _ = write!(s, "<p class=\"lbl\">Remediation</p><pre class=\"cmd\">{}</pre>", esc(cmd));
                }
                None => s.push_str("<p class=\"muted small\">No remediation command: see the finding below.</p>"),
            }
        }
    }
    s.push_str("</aside>\n</div>\n");
    let eb = findings.iter().find(|f| f.check.ends_with(&route_subject));
    if let (Some(route), Some(eb)) = (&ch.route, eb) {
        let _ = writeln!(
            s,
            "<div class=\"chain\"><div class=\"diagram\"><h4>EventBridge route {}</h4>{}</div><aside class=\"fix\"><p class=\"small\">{}</p>{}</aside></div>",
            badge(eb.status),
            chain::eventbridge_svg(route, &eb.message),
            esc(&eb.message),
            eb.remediation
                .as_deref()
                .filter(|_| eb.status != Status::Pass)
                .map(|x| format!("<p class=\"lbl\">Remediation</p><pre class=\"cmd\">{}</pre>", esc(x)))
                .unwrap_or_default()
        );
    }
}

/// At most this many items of an observed list are shown (the JSON report has them all).
const LIST_MAX: usize = 8;

fn observed_html(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) if !items.is_empty() => {
            let mut s = String::from("<ul class=\"obs\">");
            for it in items.iter().take(LIST_MAX) {
                let _ = write!(s, "<li>{}</li>", esc(&observed_text(it)));
            }
            if items.len() > LIST_MAX {
                let _ = write!(s, "<li class=\"muted\">… and {} more</li>", items.len() - LIST_MAX);
            }
            s.push_str("</ul>");
            s
        }
        serde_json::Value::Array(_) => "<span class=\"muted\">none</span>".into(),
        other => format!("<code>{}</code>", esc(&observed_text(other))),
    }
}

fn findings_table(s: &mut String, findings: &[&Finding]) {
    if findings.is_empty() {
        s.push_str("<p class=\"muted\">No findings behind this verdict.</p>\n");
        return;
    }
    s.push_str("<h4>Findings</h4>\n");
    for f in findings {
        let _ = write!(
            s,
            "<div class=\"finding {}\"><div class=\"fh\">{} <code>{}</code>{}</div><p class=\"fm\">{}</p>",
            status_class(f.status),
            badge(f.status),
            esc(&f.check),
            f.resource.as_deref().map(|x| format!(" <span class=\"res\">{}</span>", esc(x))).unwrap_or_default(),
            esc(&f.message)
        );
        if !f.evidence.is_empty() {
            s.push_str("<table class=\"ev\"><tbody>");
            for e in &f.evidence {
                let _ = write!(
                    s,
                    "<tr class=\"ev-{}\"><td class=\"mark\">{}</td><td class=\"step\">{}</td><td>{}</td></tr>",
                    mark(e.ok).to_ascii_lowercase(),
                    match e.ok {
                        Some(true) => "✔",
                        Some(false) => "✘",
                        None => "·",
                    },
                    esc(&e.step),
                    observed_html(&e.observed)
                );
            }
            s.push_str("</tbody></table>");
        }
        if let Some(rem) = f.remediation.as_deref().filter(|_| matches!(f.status, Status::Fail | Status::Error)) {
            let _ = write!(s, "<p class=\"lbl\">Remediation</p><pre class=\"cmd\">{}</pre>", esc(rem));
        }
        s.push_str("</div>\n");
    }
}

const CSS: &str = r#"
:root{--pass:#1e8e3e;--fail:#d93025;--error:#a142f4;--manual:#e37400;--skipped:#80868b;--ink:#202124;--muted:#5f6368;--line:#dadce0}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);margin:0 auto;padding:16px 24px;max-width:1360px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:28px}h3{font-size:15px;margin:0 0 6px}h4{font-size:13px;margin:0 0 4px;color:var(--muted)}
.meta,.muted{color:var(--muted)}.small{font-size:12px}
nav a{margin-right:14px;color:#1a73e8;text-decoration:none}
[hidden]{display:none!important}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top}
th{background:#f1f3f4;font-weight:600}
td.n,th.n{text-align:right;width:64px}td.zero{color:#bdc1c6}
td.n.pass{background:#e6f4ea}td.n.fail{background:#fce8e6;font-weight:600}td.n.error{background:#f3e8fd;font-weight:600}td.n.manual{background:#fef7e0}td.n.skipped{background:#f1f3f4}
.badge{display:inline-block;min-width:58px;text-align:center;border-radius:10px;padding:0 8px;font-size:12px;font-weight:700;color:#fff}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.error{background:var(--error)}.badge.manual{background:var(--manual)}.badge.skipped{background:var(--skipped)}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin:8px 0}
.card{border:1px solid var(--line);border-left:6px solid var(--skipped);border-radius:6px;padding:6px 14px;min-width:110px}
.card .num{font-size:24px;font-weight:700}.card .lbl{color:var(--muted);font-size:12px;text-transform:uppercase}
.card.pass{border-left-color:var(--pass)}.card.fail{border-left-color:var(--fail)}.card.error{border-left-color:var(--error)}.card.manual{border-left-color:var(--manual)}.card.supp{border-left-color:#5f6368;background:repeating-linear-gradient(135deg,#fff,#fff 6px,#f1f3f4 6px,#f1f3f4 12px)}.card.total{border-left-color:#1a73e8}
.bar{display:flex;height:22px;border-radius:4px;overflow:hidden;margin:6px 0;font-size:12px;color:#fff;font-weight:600}
.bar span{display:flex;align-items:center;justify-content:center;white-space:nowrap;overflow:hidden}
.bar .pass{background:var(--pass)}.bar .fail{background:var(--fail)}.bar .error{background:var(--error)}.bar .manual{background:var(--manual)}.bar .skipped{background:var(--skipped)}
.two{display:grid;grid-template-columns:3fr 2fr;gap:18px}
table.counts{font-size:12px}table.counts td,table.counts th{padding:2px 6px}
.chip{display:inline-block;border-radius:10px;padding:0 8px;margin:2px 4px 2px 0;font-size:12px;border:1px solid var(--line);background:#fff}
.chip.suppressed{border-color:#5f6368;background:repeating-linear-gradient(135deg,#fff,#fff 5px,#eceff1 5px,#eceff1 10px)}
.chip.chg-new{border-color:var(--fail);color:var(--fail)}.chip.chg-fixed{border-color:var(--pass);color:var(--pass)}.chip.chg-still{border-color:var(--manual);color:#b06000}.chip.chg-same{color:var(--muted)}
.chip.custom{border-color:#a142f4;color:#7b1fa2}
.state{font-size:12px;border-radius:8px;padding:0 6px;background:#e8f0fe}.state.failed{background:#fce8e6;color:var(--fail)}.state.excluded,.state.suspended,.state.other-shard{background:#f1f3f4;color:var(--muted)}
tr.row-suppressed td{background:repeating-linear-gradient(135deg,#fff,#fff 6px,#f8f9fa 6px,#f8f9fa 12px)}
#filters{margin:6px 0;padding:6px 8px;background:#f8f9fa;border:1px solid var(--line);border-radius:6px}#filters label{margin-right:12px}#shown{color:var(--muted)}
article.verdict{border:1px solid var(--line);border-left:6px solid var(--skipped);border-radius:6px;padding:10px 14px;margin:12px 0;break-inside:avoid-page}
article.pass{border-left-color:var(--pass)}article.fail{border-left-color:var(--fail)}article.error{border-left-color:var(--error)}article.manual{border-left-color:var(--manual)}
.where{font-weight:400;color:var(--muted);font-size:13px}
.reason .lbl{font-weight:700}
.lbl{font-weight:700;font-size:12px;margin:6px 0 2px}.lbl.broken{color:var(--fail)}.lbl.error{color:#b06000}.lbl.scope{color:#1a73e8}
.chain{display:flex;gap:16px;align-items:flex-start;margin:8px 0;flex-wrap:wrap}
.diagram{flex:1 1 720px;min-width:0}.fix{flex:0 1 380px;background:#f8f9fa;border:1px solid var(--line);border-radius:6px;padding:6px 10px}
.chain-svg,.route-svg{width:100%;height:auto;display:block}
.chain-svg .nl,.route-svg .nl{font:700 12px system-ui,"DejaVu Sans",sans-serif;fill:#202124}.chain-svg .nv,.route-svg .nv{font:11px system-ui,"DejaVu Sans",sans-serif;fill:#3c4043}.chain-svg .ns{font:700 11px system-ui,"DejaVu Sans",sans-serif}.chain-svg .fb{font:700 11px system-ui,"DejaVu Sans",sans-serif}
pre.cmd{white-space:pre-wrap;word-break:break-all;background:#202124;color:#e8eaed;padding:6px 8px;border-radius:4px;font-size:12px;margin:2px 0 6px}
.ok-text{color:var(--pass);font-weight:600}
.finding{border-top:1px solid var(--line);padding:6px 0 2px}.finding .fh{font-size:13px}.finding .res{color:var(--muted);font-size:12px;word-break:break-all}.finding .fm{margin:3px 0}
td.nw,.verdicts td:nth-child(4),.verdicts td:nth-child(5){white-space:nowrap}
table.ev{margin:4px 0;font-size:12px}table.ev td{border:none;border-top:1px solid #f1f3f4;padding:2px 6px}
table.ev td.mark{width:18px;text-align:center}table.ev td.step{white-space:nowrap;color:var(--muted);width:1%}
tr.ev-ok td.mark{color:var(--pass)}tr.ev-failed td.mark{color:var(--fail);font-weight:700}tr.ev-failed td{background:#fef7f6}
ul.obs{margin:0;padding-left:16px}code{font-size:12px;word-break:break-word}
footer{margin:24px 0 8px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:6px}
.back{color:#1a73e8;text-decoration:none;font-weight:600}
.hm-wrap{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:6px}
table.hm{width:auto;margin:0;border-collapse:separate;border-spacing:0;font-size:12px}
table.hm th,table.hm td{border:none;border-right:1px solid #fff;border-bottom:1px solid #fff;padding:0}
table.hm{table-layout:fixed}table.hm col.c{width:17px}table.hm col.acc{width:300px}table.hm col.nf{width:60px}
table.hm td.cells{padding:0;height:17px;vertical-align:top;line-height:0}table.hm td.cells svg{display:block}
table.hm thead th{position:sticky;top:0;z-index:2;background:#f1f3f4;vertical-align:bottom;cursor:pointer;user-select:none}
table.hm thead th.v{padding:4px 0 3px;border-bottom:4px solid #fff;border-right:1px solid #fff}
table.hm thead th.v span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:600;display:inline-block;margin:0 auto}
table.hm thead th.v b{font-weight:400;color:var(--muted)}
table.hm thead th.v.q0{border-bottom-color:#d93025}table.hm thead th.v.q1{border-bottom-color:#f29900}table.hm thead th.v.q2{border-bottom-color:#fdd663}table.hm thead th.v.q3{border-bottom-color:#a8dab5}table.hm thead th.v.q4{border-bottom-color:#1e8e3e}
table.hm thead th.acc,table.hm tbody th{position:sticky;left:0;z-index:1;background:#fff;text-align:left;padding:1px 8px 1px 4px;white-space:nowrap;max-width:300px;overflow:hidden;text-overflow:ellipsis;font-weight:400}
table.hm thead th.acc{z-index:3;background:#f1f3f4;font-weight:600;vertical-align:bottom}
table.hm thead th.nf{vertical-align:bottom;padding:0 6px}
table.hm td.nf{width:auto;text-align:right;padding:0 6px;color:var(--fail);font-weight:600;background:#fff}
table.hm tbody th a{color:var(--ink);text-decoration:none}table.hm tbody th a:hover{text-decoration:underline}
table.hm .id{color:var(--muted);font-size:11px}
table.hm tr.ou th{background:#e8eaed;font-weight:700;padding-top:3px;padding-bottom:3px}table.hm tr.ou td.nf{background:#e8eaed}
table.hm tr[data-a]:hover th,table.hm tr[data-a]:hover td.nf{background:#e8f0fe}
.hm path.P{fill:#81c995}.hm path.F{fill:#d93025}.hm path.E{fill:#a142f4}.hm path.M{fill:#fde293}.hm path.S{fill:#dadce0}.hm path.X{fill:url(#hatch) #9aa0a6}
.hm path.q0{fill:#f6aea9}.hm path.q1{fill:#fbd08b}.hm path.q2{fill:#fef0b3}.hm path.q3{fill:#ceead6}.hm path.q4{fill:#a8dab5}.hm path.qn{fill:#f1f3f4}
table.hm[data-base] tr[data-a] td.cells{cursor:pointer}
.q0{background:#f6aea9}.q1{background:#fbd08b}.q2{background:#fef0b3}.q3{background:#ceead6}.q4{background:#a8dab5}
td.n.q0,td.n.q1,td.n.q2,td.n.q3,td.n.q4{font-weight:600}
.key i{display:inline-block;width:11px;height:11px;margin:0 3px 0 8px;vertical-align:-1px;border-radius:2px}
.key i.P{background:#81c995}.key i.F{background:#d93025}.key i.E{background:#a142f4}.key i.M{background:#fde293}.key i.S{background:#dadce0}.key i.X{background:repeating-linear-gradient(135deg,#e8eaed,#e8eaed 3px,#9aa0a6 3px,#9aa0a6 5px)}
#hm-tools{margin:6px 0}
table.worst td.small a{margin-right:6px;white-space:nowrap}
@media print{.hm-wrap{max-height:none;overflow:visible}}
@media print{nav,#filters{display:none!important}body{padding:0;max-width:none}h2{break-after:avoid}.two{grid-template-columns:1fr 1fr}a{color:inherit;text-decoration:none}}
"#;

const SCRIPT: &str = r#"
(function(){
  var form=document.getElementById('filters');
  if(!form)return;
  form.hidden=false;
  var selects=form.querySelectorAll('select');
  function apply(){
    var want={};
    for(var i=0;i<selects.length;i++){want[selects[i].name]=selects[i].value;}
    var els=document.querySelectorAll('[data-verdict]');var shown=0,total=0;
    for(var j=0;j<els.length;j++){
      var el=els[j],ok=true;
      for(var k in want){if(want[k]&&el.getAttribute('data-'+k)!==want[k]){ok=false;}}
      el.hidden=!ok;
      if(el.tagName==='TR'){total++;if(ok){shown++;}}
    }
    document.getElementById('shown').textContent=shown+' of '+total+' verdicts shown';
  }
  for(var i=0;i<selects.length;i++){selects[i].addEventListener('change',apply);}
  apply();
})();
(function(){
  var t=document.getElementById('hm');
  if(!t)return;
  var cols=JSON.parse(t.getAttribute('data-cols')),base=t.getAttribute('data-base'),PITCH=17;
  var names={P:'PASS',F:'FAIL',E:'ERROR',M:'MANUAL',S:'SKIPPED',X:'suppressed (FAIL or ERROR)',n:'no verdict'};
  var rank={E:6,F:5,X:4,M:3,S:2,P:1,n:0};
  function at(e){var td=e.target.closest&&e.target.closest('td.cells');if(!td)return null;
    var i=Math.floor((e.clientX-td.getBoundingClientRect().left)/PITCH);return (i<0||i>=cols.length)?null:{td:td,i:i,tr:td.parentNode};}
  t.addEventListener('mousemove',function(e){var c=at(e);if(!c)return;var k=cols[c.i],tr=c.tr,text;
    if(tr.hasAttribute('data-a')){text=tr.getAttribute('data-name')+' ('+tr.getAttribute('data-a')+') \u00b7 '+k[1]+' '+k[2]+': '+names[tr.getAttribute('data-c').charAt(c.i)];}
    else{text=k[1]+' '+k[2]+': '+c.td.getAttribute('data-p').split(',')[c.i]+' of the decided verdicts in this unit pass';}
    if(c.td.title!==text)c.td.title=text;});
  if(base){t.addEventListener('click',function(e){var c=at(e);if(!c||!c.tr.hasAttribute('data-a'))return;location.href=base+'/'+c.tr.getAttribute('data-a')+'.html#k-'+cols[c.i][0];});}
  var tools=document.getElementById('hm-tools'),group=document.getElementById('hm-group'),said=document.getElementById('hm-sorted');
  var flat=document.getElementById('hm-flat'),bodies=[].slice.call(t.tBodies).filter(function(b){return b!==flat;});
  tools.hidden=false;
  var by='worst',dir=1;
  function rowsOf(b){return [].slice.call(b.rows).filter(function(r){return r.hasAttribute('data-a');});}
  function key(r){
    var n=(r.getAttribute('data-name')||'').toLowerCase(),f=+r.getAttribute('data-f');
    if(by==='name')return [n];
    if(by==='worst'||by==='fails')return [-f,n];
    return [-rank[r.getAttribute('data-c').charAt(+by)],-f,n];
  }
  function cmp(a,b){for(var i=0;i<a.k.length;i++){if(a.k[i]<b.k[i])return -dir;if(a.k[i]>b.k[i])return dir;}return 0;}
  function place(b,rows){var l=rows.map(function(r){return {r:r,k:key(r)};});l.sort(cmp);var f=document.createDocumentFragment();l.forEach(function(x){f.appendChild(x.r);});b.appendChild(f);}
  function label(){var what=by==='name'?'by name':by==='worst'||by==='fails'?'by failing verdicts':'by '+cols[+by][1]+', failing first';
    said.textContent='sorted '+what+(dir<0?' (reversed)':'')+(group.checked?', within each organizational unit':'');}
  function apply(){
    if(group.checked){
      rowsOf(flat).forEach(function(r){bodies[+r.getAttribute('data-g')].appendChild(r);});
      bodies.forEach(function(b){b.hidden=false;place(b,rowsOf(b));});flat.hidden=true;
    }else{
      var rows=[];bodies.forEach(function(b){rows=rows.concat(rowsOf(b));b.hidden=true;});
      flat.hidden=false;place(flat,rows);
    }
    label();
  }
  t.tHead.addEventListener('click',function(e){var th=e.target.closest('th[data-sort]');if(!th)return;var s=th.getAttribute('data-sort');dir=(s===by)?-dir:1;by=s;apply();});
  group.addEventListener('change',apply);
  label();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(esc(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
