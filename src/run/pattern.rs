//! `cis-audit pattern check|test`: the pattern engine for an engineer, before deploying a filter.

use super::RunError;
use crate::catalog::catalog;
use crate::pattern::{self, Corpus, Judge};
use std::path::Path;

/// Where a parse error is, for a terminal: the pattern, and a caret under the byte offset (in
/// characters, so a multi-byte character counts once).
fn caret(src: &str, pos: usize) -> String {
    let before = src.get(..pos.min(src.len())).unwrap_or(src);
    format!("  {src}\n  {}^", " ".repeat(before.chars().count()))
}

/// `pattern check`: exit 0 covered, 1 not covered, 2 the pattern does not parse.
pub(crate) fn check_pattern(
    control: &str,
    benchmark: &str,
    strict: bool,
    json: bool,
    src: &str,
) -> Result<i32, RunError> {
    let key = catalog().resolve(control, benchmark)?;
    let selected = catalog().select(benchmark, Some(&[key]))?;
    let Some(c) = selected.first() else { return Err(RunError(format!("unknown control '{control}'"))) };
    if !crate::checks::for_control(c).has_patterns {
        return Err(RunError(format!(
            "control {control} ({}) has no filter pattern; pattern check applies to the monitoring controls",
            c.title()
        )));
    }
    let Some(variant) = &c.variant else {
        return Err(RunError(format!("checks/ data has no pattern for {control} in CIS v{benchmark}")));
    };
    let judge = Judge::new(Corpus::builtin());
    let oracle =
        judge.oracle(&variant.patterns, &variant.events).map_err(|e| RunError(format!("checks/ data: {e}")))?;
    let cov = match judge.coverage(src, &oracle) {
        Ok(cov) => cov,
        Err(e) => {
            return Err(RunError(format!("the pattern does not parse: {e}\n{}", caret(src, e.pos))));
        }
    };
    let covered = cov.is_covered(strict);
    if json {
        let v = serde_json::json!({
            "control": c.id, "benchmark": benchmark, "strict_patterns": strict,
            "covered": covered, "coverage": cov,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!("CIS v{benchmark} {} {}", c.id, c.title());
        println!("pattern:   {}", cov.pattern);
        println!("benchmark: {}", cov.benchmark);
        println!(
            "verdict:   {} ({}{})",
            if covered { "COVERED" } else { "NOT COVERED" },
            cov.kind,
            if strict { ", strict: only the exact text counts" } else { "" }
        );
        // The summary lists each missed event once, with why.
        println!("{}", cov.summary());
    }
    Ok(if covered { 0 } else { 1 })
}

/// `pattern test`: exit 0 match, 1 no match, 2 bad pattern or file.
pub(crate) fn test_pattern(src: &str, file: &Path) -> Result<i32, RunError> {
    let p =
        pattern::parse(src).map_err(|e| RunError(format!("the pattern does not parse: {e}\n{}", caret(src, e.pos))))?;
    let raw = std::fs::read_to_string(file).map_err(|e| RunError(format!("cannot read {}: {e}", file.display())))?;
    let event: serde_json::Value = serde_json::from_str(&raw).unwrap_or(serde_json::Value::Null);
    let ex = p.explain(&event, raw.trim());
    println!("{}: {ex}", if ex.matched { "MATCH" } else { "NO MATCH" });
    Ok(if ex.matched { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::caret;

    #[test]
    fn the_caret_counts_characters_not_bytes() {
        assert_eq!(caret("€€x", 6), "  €€x\n    ^");
        // An offset past the end, or inside a character, never panics.
        assert!(caret("€", 1).ends_with('^'));
        assert!(caret("ab", 99).ends_with("  ^"));
    }
}
