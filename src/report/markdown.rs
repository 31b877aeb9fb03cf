//! `--format markdown`: a report a person can read, with every verdict's evidence chain and
//! the remediation for what failed.

use super::view::{baseline_text, exit_reason, reason_label, status_label, title_label};
use super::Report;
use crate::finding::Status;
use std::fmt::Write;

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} — audit report\n", r.benchmark.title);
    let _ = writeln!(s, "- Generated: {} by cis-audit {}", r.generated_at, r.tool.version);
    for a in &r.scope {
        let _ = writeln!(s, "- Account {}: regions {} ({})", a.account, a.regions.join(", "), a.regions_source);
    }
    if r.options.strict_patterns {
        let _ = writeln!(s, "- Strict patterns: only the benchmark's exact filter text counts");
    }
    if let Some(b) = &r.baseline {
        let _ = writeln!(s, "- {}", baseline_text(r, b));
    }
    for n in &r.notes {
        let _ = writeln!(s, "- Note: {n}");
    }
    let _ = writeln!(s, "- {}", r.summary_line());
    let _ = writeln!(s, "- Exit status {}: {}\n", r.exit_status(), exit_reason(r));
    let changes = r.baseline.is_some();
    if changes {
        let _ = writeln!(
            s,
            "| ID | Key | Title | Status | Change | Account | Region | Reason |\n|---|---|---|---|---|---|---|---|"
        );
    } else {
        let _ = writeln!(s, "| ID | Key | Title | Status | Account | Region | Reason |\n|---|---|---|---|---|---|---|");
    }
    for c in &r.controls {
        let change =
            if changes { format!(" {} |", c.change.map(|x| x.as_str()).unwrap_or("-")) } else { String::new() };
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | **{}** |{change} {} | {} | {} |",
            c.control,
            c.key,
            esc(&title_label(c)),
            status_label(c),
            c.account,
            c.region.as_deref().unwrap_or("-"),
            esc(&reason_label(c))
        );
    }
    let _ = writeln!(s, "\n## Evidence\n");
    for (c, findings) in r.controls.iter().zip(r.findings_by_control()) {
        let _ = writeln!(
            s,
            "### {} {} — {} ({}{})\n\nKey: `{}`\n",
            c.control,
            title_label(c),
            status_label(c),
            c.account,
            c.region.as_deref().map(|x| format!(", {x}")).unwrap_or_default(),
            c.key
        );
        let _ = writeln!(s, "{}\n", c.message);
        for f in findings {
            let _ = writeln!(
                s,
                "- **{}** `{}`{}: {}",
                f.status,
                f.check,
                f.resource.as_deref().map(|x| format!(" on `{x}`")).unwrap_or_default(),
                f.message
            );
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
                let _ = writeln!(s, "  - {mark} {}: `{}`", e.step, v.replace('`', "'"));
            }
            if let Some(rem) = &f.remediation {
                if matches!(f.status, Status::Fail | Status::Error) {
                    let _ = writeln!(s, "  - Remediation: `{}`", rem.replace('`', "'"));
                }
            }
        }
        let _ = writeln!(s);
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
