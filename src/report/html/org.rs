//! The organisation's pages: a control × account heat map (accounts by name and organizational
//! unit, grouped by OU, worst first, sortable; each control's compliance), the controls worst
//! first with the accounts that fail them, and the scope; per account, a page of its own with
//! its verdicts, evidence and chain drawings (`accounts/<id>.html`), so that the page a browser
//! opens first stays small whatever the number of accounts.

use super::{esc, Report};
use crate::report::matrix::{Cell, Matrix};
use crate::report::{ReportFinding, ReportPolicy, Verdict};
use std::collections::HashMap;
use std::fmt::Write;

/// Where the account pages go, relative to the index.
pub(crate) const PAGES_DIR: &str = "accounts";

/// At most this many failing accounts are named per control in the index (the heat map and the
/// account pages have the rest).
const NAMED_MAX: usize = 12;

fn band(pct: Option<f64>) -> &'static str {
    match pct {
        None => "qn",
        Some(p) if p >= 100.0 => "q4",
        Some(p) if p >= 95.0 => "q3",
        Some(p) if p >= 80.0 => "q2",
        Some(p) if p >= 50.0 => "q1",
        Some(_) => "q0",
    }
}

fn pct_text(p: Option<f64>) -> String {
    match p {
        None => "—".into(),
        Some(p) if p > 99.0 && p < 100.0 => "99%".into(),
        Some(p) => format!("{:.0}%", p.floor()),
    }
}

/// The link to an account's page (`accounts/<id>.html`), or None on a single page.
fn page_href(base: Option<&str>, account: &str) -> Option<String> {
    base.map(|b| format!("{b}/{account}.html"))
}

/// Width of one heat-map cell and the gap after it, in CSS pixels (the column headers' width).
const CELL: usize = 16;
const PITCH: usize = 17;

/// One row of cells as one small SVG: a path per class holding every cell of that class. A
/// thousand accounts × every control are then a few thousand elements, not tens of thousands of
/// table cells (which is what made the page slow to lay out); it prints and reads without
/// JavaScript.
fn strip<'c>(s: &mut String, classes: impl Iterator<Item = &'c str>) {
    let mut paths: Vec<(&str, String)> = Vec::new();
    let mut n = 0;
    for (i, class) in classes.enumerate() {
        n = i + 1;
        if class == "n" {
            continue;
        }
        let d = match paths.iter_mut().find(|(c, _)| *c == class) {
            Some((_, d)) => d,
            None => {
                paths.push((class, String::new()));
                &mut paths.last_mut().expect("just pushed").1
            }
        };
        let _ = write!(d, "M{} 0h{CELL}v{CELL}h-{CELL}z", i * PITCH);
    }
    let w = n * PITCH;
    let _ = write!(s, "<svg width=\"{w}\" height=\"{CELL}\" viewBox=\"0 0 {w} {CELL}\" aria-hidden=\"true\">");
    for (class, d) in paths {
        let _ = write!(s, "<path class=\"{class}\" d=\"{d}\"/>");
    }
    s.push_str("</svg>");
}

/// The heat map. `base`: the directory of the account pages (None: a single page, no links).
pub(crate) fn matrix_section(s: &mut String, r: &Report, m: &Matrix, base: Option<&str>) {
    let accounts: usize = m.groups.iter().map(|g| g.rows.len()).sum();
    let _ = write!(
        s,
        "<section id=\"matrix\">\n<h2>Controls × accounts</h2>\n<p class=\"muted small\">{accounts} accounts × {} controls. Each cell is an account's verdict of a control (the worst of its regions): <span class=\"key\"><i class=\"F\"></i>FAIL <i class=\"E\"></i>ERROR <i class=\"X\"></i>suppressed <i class=\"M\"></i>MANUAL <i class=\"S\"></i>SKIPPED <i class=\"P\"></i>PASS</span>. Controls are ordered worst first, by the share of their decided verdicts (PASS, FAIL, ERROR) that pass; accounts by organizational unit, those with the most failing verdicts first.{} Click a header to sort{}.</p>\n",
        m.columns.len(),
        if m.manual_only.is_empty() {
            String::new()
        } else {
            format!(
                " {} controls are MANUAL in every account (the audit steps are for a person) and are not shown here.",
                m.manual_only.len()
            )
        },
        if base.is_some() { "; click a cell or an account for its evidence" } else { "" }
    );
    let cols: Vec<[&str; 3]> = m.columns.iter().map(|c| [c.key, c.control, c.title]).collect();
    let _ = write!(
        s,
        "<form id=\"hm-tools\" hidden><label><input type=\"checkbox\" id=\"hm-group\" checked> group by organizational unit</label> <span class=\"muted small\" id=\"hm-sorted\"></span></form>\n<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs><pattern id=\"hatch\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"4\" height=\"4\" fill=\"#e8eaed\"/><rect width=\"2\" height=\"4\" fill=\"#9aa0a6\"/></pattern></defs></svg>\n<div class=\"hm-wrap\"><table class=\"hm\" id=\"hm\" data-base=\"{}\" data-cols=\"{}\" style=\"width:{}px\"><colgroup><col class=\"acc\"><col class=\"nf\">{}</colgroup>\n<thead><tr><th class=\"acc\" data-sort=\"name\">Account</th><th class=\"nf\" data-sort=\"fails\" title=\"FAIL and ERROR verdicts that count (suppressed ones left out)\">Failing</th>",
        esc(base.unwrap_or("")),
        esc(&serde_json::to_string(&cols).unwrap_or_default()),
        360 + PITCH * m.columns.len(),
        "<col class=\"c\">".repeat(m.columns.len())
    );
    for (i, c) in m.columns.iter().enumerate() {
        let pct = c.compliance();
        let _ = write!(
            s,
            "<th class=\"v {}\" data-sort=\"{i}\" title=\"{} {} ({}): {} of {} decided verdicts pass; {} accounts fail\"><span>{} <b>{}</b></span></th>",
            band(pct),
            esc(c.control),
            esc(c.title),
            esc(c.key),
            c.pass,
            c.decided,
            c.failing_accounts,
            esc(c.control),
            pct_text(pct)
        );
    }
    s.push_str("</tr></thead>\n");
    for (gi, g) in m.groups.iter().enumerate() {
        let _ = write!(
            s,
            "<tbody data-g=\"{gi}\"><tr class=\"ou\"><th>{} <span class=\"muted\">{} account{}</span></th><td class=\"nf\">{}</td>",
            esc(if g.ou.is_empty() { "Organizational unit unknown" } else { g.ou }),
            g.rows.len(),
            if g.rows.len() == 1 { "" } else { "s" },
            g.failing()
        );
        let pcts: Vec<Option<f64>> = (0..m.columns.len())
            .map(|i| (g.decided[i] > 0).then(|| 100.0 * g.pass[i] as f64 / g.decided[i] as f64))
            .collect();
        let _ = write!(
            s,
            "<td class=\"cells\" colspan=\"{}\" data-p=\"{}\">",
            m.columns.len().max(1),
            pcts.iter().map(|p| pct_text(*p)).collect::<Vec<_>>().join(",")
        );
        strip(s, pcts.iter().map(|p| band(*p)));
        s.push_str("</td></tr>\n");
        for row in &g.rows {
            let name = row.name.unwrap_or(row.account);
            let label = match page_href(base, row.account) {
                Some(h) => format!("<a href=\"{}\">{}</a>", esc(&h), esc(name)),
                None => esc(name),
            };
            let letters: String = row.cells.iter().map(|c| c.letter()).collect();
            let _ = write!(
                s,
                "<tr data-a=\"{}\" data-name=\"{}\" data-f=\"{}\" data-g=\"{gi}\" data-c=\"{letters}\"><th>{label} <span class=\"id\">{}</span>{}</th><td class=\"nf\">{}</td><td class=\"cells\" colspan=\"{}\">",
                esc(row.account),
                esc(name),
                row.failing,
                esc(row.account),
                if row.failed { " <span class=\"state failed\">failed</span>" } else { "" },
                row.failing,
                m.columns.len().max(1)
            );
            strip(
                s,
                row.cells.iter().map(|c| match c {
                    Cell::None => "n",
                    Cell::Pass => "P",
                    Cell::Skipped => "S",
                    Cell::Manual => "M",
                    Cell::Suppressed => "X",
                    Cell::Fail => "F",
                    Cell::Error => "E",
                }),
            );
            s.push_str("</td>");
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n");
    }
    s.push_str("<tbody id=\"hm-flat\" hidden></tbody></table></div>\n</section>\n");
    let _ = r;
}

/// The controls, worst first, each with the accounts that fail it.
pub(crate) fn worst_controls(s: &mut String, m: &Matrix, base: Option<&str>, names: &HashMap<&str, &str>) {
    s.push_str("<section id=\"failing\">\n<h2>Controls, worst first</h2>\n<table class=\"worst\"><thead><tr><th>Control</th><th>Title</th><th class=\"n\">Compliance</th><th class=\"n\">Failing accounts</th><th>Failing accounts (first by name), or those that pass when most fail</th></tr></thead><tbody>\n");
    for (i, c) in m.columns.iter().enumerate() {
        let mut failing: Vec<(&str, Cell)> = m
            .groups
            .iter()
            .flat_map(|g| g.rows.iter())
            .filter(|r| matches!(r.cells[i], Cell::Fail | Cell::Error))
            .map(|r| (r.account, r.cells[i]))
            .collect();
        failing.sort_by_key(|(a, _)| names.get(a).copied().unwrap_or(a));
        let mut list = String::new();
        // When most accounts fail, the few that do not are the news: name those instead.
        let with_verdict: Vec<&str> = m
            .groups
            .iter()
            .flat_map(|g| g.rows.iter())
            .filter(|r| r.cells[i] != Cell::None)
            .map(|r| r.account)
            .collect();
        if !failing.is_empty() && failing.len() * 2 > with_verdict.len() {
            let fails: std::collections::HashSet<&str> = failing.iter().map(|(a, _)| *a).collect();
            let mut others: Vec<&str> = with_verdict.into_iter().filter(|a| !fails.contains(a)).collect();
            others.sort_by_key(|a| names.get(a).copied().unwrap_or(a));
            if others.is_empty() {
                list.push_str("every account");
            } else {
                let _ = write!(list, "every account but these {}: ", others.len());
                for a in others.iter().take(NAMED_MAX) {
                    let name = esc(names.get(a).copied().unwrap_or(a));
                    match page_href(base, a) {
                        Some(h) => {
                            let _ = write!(list, "<a href=\"{}#k-{}\">{name}</a> ", esc(&h), esc(c.key));
                        }
                        None => {
                            let _ = write!(list, "{name} ");
                        }
                    }
                }
                if others.len() > NAMED_MAX {
                    let _ = write!(list, "<span class=\"muted\">… and {} more</span>", others.len() - NAMED_MAX);
                }
            }
            failing.clear();
        }
        for (a, cell) in failing.iter().take(NAMED_MAX) {
            let name = names.get(a).copied().unwrap_or(a);
            let text = format!("{}{}", esc(name), if *cell == Cell::Error { " (ERROR)" } else { "" });
            match page_href(base, a) {
                Some(h) => {
                    let _ = write!(list, "<a href=\"{}#k-{}\">{text}</a> ", esc(&h), esc(c.key));
                }
                None => {
                    let _ = write!(list, "{text} ");
                }
            }
        }
        if failing.len() > NAMED_MAX {
            let _ = write!(list, "<span class=\"muted\">… and {} more</span>", failing.len() - NAMED_MAX);
        }
        let pct = c.compliance();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}<div class=\"muted small\">{}</div></td><td class=\"n {}\">{}</td><td class=\"n\">{}</td><td class=\"small\">{}</td></tr>",
            esc(c.control),
            esc(c.title),
            esc(c.key),
            band(pct),
            pct_text(pct),
            c.failing_accounts,
            list
        );
    }
    s.push_str("</tbody></table>\n");
    if !m.manual_only.is_empty() {
        s.push_str("<p class=\"muted small\">MANUAL in every account: ");
        let l: Vec<String> = m.manual_only.iter().map(|(id, t)| format!("{} {}", esc(id), esc(t))).collect();
        s.push_str(&l.join(" · "));
        s.push_str("</p>\n");
    }
    s.push_str("</section>\n");
}

/// The index of an organisation's report: the summary, the heat map, the controls worst first
/// and the scope; evidence is on each account's page under `PAGES_DIR`.
pub(crate) fn render_index(r: &Report) -> String {
    let m = Matrix::of(r);
    let names: HashMap<&str, &str> =
        r.scope.iter().filter_map(|a| a.name.as_deref().map(|n| (a.account.as_str(), n))).collect();
    let mut s = String::with_capacity(64 * 1024 + r.controls.len() * 16);
    super::head(&mut s, r);
    super::header(
        &mut s,
        r,
        &[("summary", "Summary"), ("matrix", "Controls × accounts"), ("failing", "Worst controls"), ("scope", "Scope")],
        None,
    );
    s.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    super::summary_head(&mut s, r);
    let _ = writeln!(
        s,
        "<p class=\"muted small\">The evidence of each account (every verdict, its findings and chain drawings) is on the account's own page: click an account or a cell below, or open <code>{PAGES_DIR}/&lt;account id&gt;.html</code>.</p>"
    );
    s.push_str("</section>\n");
    matrix_section(&mut s, r, &m, Some(PAGES_DIR));
    worst_controls(&mut s, &m, Some(PAGES_DIR), &names);
    super::scope(&mut s, r, Some(PAGES_DIR));
    super::foot(&mut s, r, false);
    s
}

/// Each account's page, `(file name under PAGES_DIR, html)`, rendered one at a time as the
/// iterator is walked (a thousand pages are never held together): the single-account page of
/// the account's verdicts and findings, linked back to `index`.
pub(crate) fn account_pages<'a>(r: &'a Report, index: &'a str) -> impl Iterator<Item = (String, String)> + 'a {
    let mut controls: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (i, c) in r.controls.iter().enumerate() {
        controls
            .entry(&c.account)
            .or_insert_with(|| {
                order.push(&c.account);
                vec![]
            })
            .push(i);
    }
    let findings = r.findings.by_account();
    order.into_iter().map(move |account| {
        let cs: Vec<Verdict> = controls[account].iter().map(|i| r.controls[*i].clone()).collect();
        let fs: Vec<ReportFinding> = findings
            .get(account)
            .map(|u| r.findings.of_units(u).into_iter().map(std::borrow::Cow::into_owned).collect())
            .unwrap_or_default();
        let policy = ReportPolicy::of(crate::policy::outcome(&cs, r.policy.fail_on), vec![], false);
        let sub = Report {
            schema_version: r.schema_version.clone(),
            tool: r.tool.clone(),
            benchmark: r.benchmark.clone(),
            generated_at: r.generated_at.clone(),
            options: r.options.clone(),
            scope: r.scope.iter().filter(|s| s.account == account).cloned().collect(),
            summary: crate::report::summary_of(cs.iter().map(|c| &c.status)),
            policy,
            baseline: None,
            notes: r.notes.clone(),
            controls: cs,
            findings: fs.into(),
            stats: r.stats.clone(),
            lookup: Default::default(),
        };
        let back = format!("../{index}");
        (format!("{account}.html"), super::render_page(&sub, Some(&back)))
    })
}
