//! `--format markdown`: a report a person can read, with every verdict's evidence chain and
//! the remediation for what failed.

use super::matrix::{Cell, Matrix};
use super::view::{baseline_text, exit_reason, reason_label, status_label, title_label};
use super::Report;
use crate::finding::Status;
use std::io::{self, Write};

pub fn render(r: &Report) -> String {
    let mut out = Vec::new();
    write(r, &mut out).expect("write to memory");
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

/// The Markdown report, streamed to `s`: one verdict's row, then one verdict's evidence at a time.
pub(crate) fn write(r: &Report, s: &mut dyn Write) -> io::Result<()> {
    writeln!(s, "# {} — audit report\n", r.benchmark.title)?;
    writeln!(s, "- Generated: {} by cis-audit {}", r.generated_at, r.tool.version)?;
    if r.scope.len() > COLLAPSE_ABOVE {
        // An organisation: one line, not one per account (the summary below lists them by OU).
        let mut regions: Vec<&str> = r.scope.iter().flat_map(|a| a.regions.iter().map(String::as_str)).collect();
        regions.sort_unstable();
        regions.dedup();
        writeln!(s, "- {} accounts in scope; regions {}", r.scope.len(), regions.join(", "))?;
    } else {
        for a in &r.scope {
            writeln!(s, "- Account {}: regions {} ({})", a.account, a.regions.join(", "), a.regions_source)?;
        }
    }
    if r.options.strict_patterns {
        writeln!(s, "- Strict patterns: only the benchmark's exact filter text counts")?;
    }
    if let Some(b) = &r.baseline {
        writeln!(s, "- {}", baseline_text(r, b))?;
    }
    for n in &r.notes {
        writeln!(s, "- Note: {n}")?;
    }
    writeln!(s, "- {}", r.summary_line())?;
    writeln!(s, "- Exit status {}: {}\n", r.exit_status(), exit_reason(r))?;
    if super::matrix::account_count(r) > 1 {
        matrix(s, r)?;
    }
    let changes = r.baseline.is_some();
    if changes {
        writeln!(
            s,
            "| ID | Key | Title | Status | Change | Account | Region | Reason |\n|---|---|---|---|---|---|---|---|"
        )?;
    } else {
        writeln!(s, "| ID | Key | Title | Status | Account | Region | Reason |\n|---|---|---|---|---|---|---|")?;
    }
    for c in &r.controls {
        let change =
            if changes { format!(" {} |", c.change.map(|x| x.as_str()).unwrap_or("-")) } else { String::new() };
        writeln!(
            s,
            "| {} | `{}` | {} | **{}** |{change} {} | {} | {} |",
            c.control,
            c.key,
            esc(&title_label(c)),
            status_label(c),
            c.account,
            c.region.as_deref().unwrap_or("-"),
            esc(&reason_label(c))
        )?;
    }
    writeln!(s, "\n## Evidence\n")?;
    for c in &r.controls {
        writeln!(
            s,
            "### {} {} — {} ({}{})\n\nKey: `{}`\n",
            c.control,
            title_label(c),
            status_label(c),
            c.account,
            c.region.as_deref().map(|x| format!(", {x}")).unwrap_or_default(),
            c.key
        )?;
        writeln!(s, "{}\n", c.message)?;
        for f in r.findings_of(c) {
            writeln!(
                s,
                "- **{}** `{}`{}: {}",
                f.status,
                f.check,
                f.resource.as_deref().map(|x| format!(" on `{x}`")).unwrap_or_default(),
                f.message
            )?;
            for e in &f.evidence {
                let mark = match e.ok {
                    Some(true) => "✔",
                    Some(false) => "✘",
                    None => "·",
                };
                let v = match &e.observed {
                    serde_json::Value::String(x) => x.clone(),
                    other => other.to_string(),
                };
                writeln!(s, "  - {mark} {}: `{}`", e.step, v.replace('`', "'"))?;
            }
            if let Some(rem) = &f.remediation {
                if matches!(f.status, Status::Fail | Status::Error) {
                    writeln!(s, "  - Remediation: `{}`", rem.replace('`', "'"))?;
                }
            }
        }
        writeln!(s)?;
    }
    Ok(())
}

/// Above this many accounts, each organizational unit's table is collapsed (`<details>`).
const COLLAPSE_ABOVE: usize = 20;

fn symbol(c: Cell) -> &'static str {
    match c {
        Cell::None => " ",
        Cell::Pass => "✔",
        Cell::Skipped => "–",
        Cell::Manual => "?",
        Cell::Suppressed => "~",
        Cell::Fail => "✘",
        Cell::Error => "!",
    }
}

/// The control × account summary: each control's compliance, then per organizational unit the
/// accounts (worst first) with a symbol per control.
fn matrix(s: &mut dyn Write, r: &Report) -> io::Result<()> {
    let m = Matrix::of(r);
    let accounts: usize = m.groups.iter().map(|g| g.rows.len()).sum();
    writeln!(s, "## Controls × accounts\n")?;
    writeln!(
        s,
        "{accounts} accounts × {} controls, worst first (compliance: passing share of the PASS, FAIL and ERROR verdicts).{}\n",
        m.columns.len(),
        if m.manual_only.is_empty() {
            String::new()
        } else {
            format!(" {} controls are MANUAL in every account and not shown.", m.manual_only.len())
        }
    )?;
    writeln!(s, "| ID | Key | Title | Compliance | Failing accounts |\n|---|---|---|---|---|")?;
    for c in &m.columns {
        writeln!(
            s,
            "| {} | `{}` | {} | {} | {} |",
            c.control,
            c.key,
            esc(c.title),
            c.compliance().map(|p| format!("{:.0}%", p.floor())).unwrap_or_else(|| "—".into()),
            c.failing_accounts
        )?;
    }
    let legend: Vec<String> = [Cell::Fail, Cell::Error, Cell::Suppressed, Cell::Manual, Cell::Skipped, Cell::Pass]
        .iter()
        .map(|c| format!("{} {}", symbol(*c), c.label()))
        .collect();
    writeln!(s, "\nPer account ({}):\n", legend.join(", "))?;
    let head: String = m.columns.iter().map(|c| format!(" {} |", c.control)).collect();
    let rule: String = m.columns.iter().map(|_| "---|").collect();
    let collapse = accounts > COLLAPSE_ABOVE;
    for g in &m.groups {
        let title = format!(
            "{} — {} account{}, {} failing verdicts",
            if g.ou.is_empty() { "organizational unit unknown" } else { g.ou },
            g.rows.len(),
            if g.rows.len() == 1 { "" } else { "s" },
            g.failing()
        );
        if collapse {
            writeln!(s, "<details><summary>{}</summary>\n", esc(&title))?;
        } else {
            writeln!(s, "**{}**\n", esc(&title))?;
        }
        writeln!(s, "| Account | Name | Failing |{head}\n|---|---|---|{rule}")?;
        for row in &g.rows {
            let cells: String = row.cells.iter().map(|c| format!(" {} |", symbol(*c))).collect();
            writeln!(s, "| {} | {} | {} |{cells}", row.account, esc(row.name.unwrap_or("")), row.failing)?;
        }
        writeln!(s)?;
        if collapse {
            s.write_all(b"</details>\n\n")?;
        }
    }
    Ok(())
}

fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
