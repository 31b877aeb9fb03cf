//! `--format csv`: RFC 4180 (CRLF line ends, fields quoted when needed), one row per control
//! verdict, for spreadsheets and data pipelines. The first columns are the verdict
//! (`control,title,status,account,region,message`; `region` is empty for an account-level
//! control), then its qualifiers, then the details of its findings.

use super::view::{mark, observed_text, primary_resource, remediation, resources};
use super::Report;
use super::Verdict as ControlResult;

pub(crate) const COLUMNS: [&str; 21] = [
    "control",
    "key",
    "title",
    "status",
    "account",
    "region",
    "message",
    "account_name",
    "level",
    "assessment",
    "custom",
    "change",
    "suppressed",
    "suppressed_reason",
    "suppressed_expires",
    "benchmark",
    "resource",
    "resources",
    "findings",
    "evidence",
    "remediation",
];

pub fn render(r: &Report) -> String {
    let mut out = Vec::new();
    write(r, &mut out).expect("write to memory");
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

/// The CSV, streamed to `out` a row at a time.
pub(crate) fn write(r: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(COLUMNS)?;
    for c in &r.controls {
        w.write_record(row(r, c).iter().map(|x| spreadsheet_safe(x)))?;
    }
    w.flush()
}

fn row(r: &Report, c: &ControlResult) -> Vec<String> {
    let name = r.account_scope(&c.account).and_then(|a| a.name.clone()).unwrap_or_default();
    let findings: Vec<String> = r
        .findings_of(c)
        .map(|f| match &f.resource {
            Some(res) => format!("{} {} ({res}): {}", f.status, f.check, f.message),
            None => format!("{} {}: {}", f.status, f.check, f.message),
        })
        .collect();
    let evidence: Vec<String> = r
        .findings_of(c)
        .flat_map(|f| {
            f.evidence
                .iter()
                .map(|e| format!("[{}] {} {}: {}", mark(e.ok), f.check, e.step, observed_text(&e.observed)))
                .collect::<Vec<_>>()
        })
        .collect();
    vec![
        c.control.clone(),
        c.key.clone(),
        c.title.clone(),
        c.status.to_string(),
        c.account.clone(),
        c.region.clone().unwrap_or_default(),
        c.message.clone(),
        name,
        c.level.to_string(),
        c.assessment.clone(),
        c.custom.to_string(),
        c.change.map(|x| x.as_str().to_string()).unwrap_or_default(),
        c.suppressed.is_some().to_string(),
        c.suppressed.as_ref().map(|s| s.reason.clone()).unwrap_or_default(),
        c.suppressed.as_ref().and_then(|s| s.expires.clone()).unwrap_or_default(),
        if c.custom { String::new() } else { r.benchmark.version.clone() },
        primary_resource(r, c).unwrap_or_default(),
        resources(r, c).into_iter().map(|(x, _)| x).collect::<Vec<_>>().join("\n"),
        findings.join("\n"),
        evidence.join("\n"),
        remediation(r, c).unwrap_or_default(),
    ]
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a
/// leading `'`, as OWASP recommends against CSV injection; numbers are left alone.
fn spreadsheet_safe(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(spreadsheet_safe("=cmd()"), "'=cmd()");
        assert_eq!(spreadsheet_safe("-1.5"), "-1.5");
        assert_eq!(spreadsheet_safe("@x"), "'@x");
        assert_eq!(spreadsheet_safe("a=b"), "a=b");
    }
}
