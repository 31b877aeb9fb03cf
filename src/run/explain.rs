//! `cis-audit explain KEY|ID [--benchmark V]`: one control, for a person: its titles and ids in
//! every version, what cis-audit checks (the evaluating module's documentation), the audit steps
//! a person follows, why it matters, and what `--remediate` does. And `cis-audit controls
//! --markdown`: every control of every version as one table (the README's).

use super::RunError;
use crate::catalog::{catalog, Control};
use crate::checks::registry::{check, for_control, is_evaluated};
use std::fmt::Write;

/// The text `explain` prints for `text` (a key, or a CIS id of `benchmark`).
pub(crate) fn explain(text: &str, benchmark: &str) -> Result<String, RunError> {
    let cat = catalog();
    let key = cat.resolve(text, benchmark)?;
    let def = cat.def(&key);
    let aliases = cat.aliases(&key);
    // The control as the asked version has it, else as the newest version that has it.
    let version = if cat.id_of(&key, benchmark).is_some() { benchmark.to_string() } else { aliases[0].0.to_string() };
    let control: Control = cat.select(&version, Some(std::slice::from_ref(&key)))?.remove(0);
    let module = for_control(&control);
    let mut s = String::new();
    let _ = writeln!(s, "{key} — {}", if def.name.is_empty() { control.title() } else { &def.name });
    let _ = writeln!(s, "\nIn each benchmark version (id, level, assessment, title):");
    for b in &cat.benchmarks {
        if let Some(c) = b.controls.iter().find(|c| c.key == key) {
            let _ = writeln!(s, "  v{:<6} {:<6} L{} {:<10} {}", b.version, c.id, c.level, c.assessment, c.title);
        }
    }
    let missing: Vec<&str> = cat
        .benchmarks
        .iter()
        .filter(|b| !b.controls.iter().any(|c| c.key == key))
        .map(|b| b.version.as_str())
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(s, "  (not in v{})", missing.join(", v"));
    }
    if cat.id_of(&key, benchmark).is_none() {
        let _ = writeln!(s, "  Not part of CIS v{benchmark}: shown as in v{version}.");
    }
    let _ = writeln!(s, "\nWhat cis-audit checks ({}):", if is_evaluated(&control) { "evaluated" } else { "MANUAL" });
    let _ = writeln!(s, "{}", indent(&module.doc()));
    if !control.params.is_empty() {
        let params: Vec<String> = control.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let _ = writeln!(s, "  Thresholds in v{version}: {}", params.join(", "));
    }
    if let Some(v) = &control.variant {
        let _ = writeln!(s, "  Filter pattern of v{version} (the benchmark's):\n    {}", v.patterns[0]);
        let _ = writeln!(s, "  Events it must catch: {}", v.events.join(", "));
    }
    if let Some(a) = def.audit.as_deref().filter(|a| !a.trim().is_empty()) {
        let _ = writeln!(s, "\nAudit steps (by hand):\n{}", indent(a.trim()));
    }
    if !def.rationale.trim().is_empty() {
        let _ = writeln!(s, "\nRationale:\n{}", indent(def.rationale.trim()));
    }
    let _ = writeln!(s, "\nRemediation (audit --remediate):\n{}", indent(module.remedy));
    Ok(s)
}

fn indent(text: &str) -> String {
    text.lines().map(|l| if l.is_empty() { String::new() } else { format!("  {l}") }).collect::<Vec<_>>().join("\n")
}

/// Every control of every version as a markdown table: its key, what it checks, its id in each
/// version, and whether cis-audit evaluates it.
pub(crate) fn controls_markdown() -> String {
    let cat = catalog();
    let mut versions: Vec<&str> = cat.versions();
    versions.reverse();
    let mut s = String::from("| key | what | ");
    s.push_str(&versions.iter().map(|v| format!("v{v}")).collect::<Vec<_>>().join(" | "));
    s.push_str(" | cis-audit |\n|---|---|");
    s.push_str(&"---|".repeat(versions.len()));
    s.push_str("---|\n");
    for key in cat.keys() {
        let def = cat.def(key);
        let ids: Vec<String> =
            versions.iter().map(|v| cat.id_of(key, v).map(str::to_string).unwrap_or_else(|| "—".into())).collect();
        let how = if check(def.check()).is_some_and(|m| !m.reads.is_empty()) { "evaluated" } else { "MANUAL" };
        let _ = writeln!(s, "| `{key}` | {} | {} | {how} |", def.name.replace('|', "\\|"), ids.join(" | "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_reads_an_id_in_its_version_and_shows_every_alias() {
        let e = explain("4.10", "5.0.0").unwrap();
        assert!(e.starts_with("security-group-changes — "), "{e}");
        assert!(e.contains("v5.0.0  4.10") && e.contains("v6.0.0  5.10") && e.contains("v1.2.0  3.10"), "{e}");
        assert!(e.contains("ModifySecurityGroupRules") && e.contains("Rationale:") && e.contains("Audit steps"), "{e}");
        // The same number is another control in v6.0.0.
        assert!(explain("4.1", "6.0.0").unwrap().starts_with("cloudtrail-multi-region"));
        assert!(explain("9.9", "5.0.0").unwrap_err().0.contains("unknown control '9.9'"));
        let m = explain("cloudtrail-cloudwatch-logs", "5.0.0").unwrap();
        assert!(m.contains("Not part of CIS v5.0.0"), "{m}");
    }

    #[test]
    fn the_markdown_table_lists_every_key_once() {
        let t = controls_markdown();
        assert_eq!(t.lines().count(), catalog().keys().len() + 2);
        assert!(t.contains("| `security-group-changes` |"));
    }
}
