//! `cis-audit pattern check|test`: the pattern engine for an engineer, before deploying a filter.

use crate::catalog::{catalog, CheckKind};
use crate::checks::metric_filter_chain::best_coverage;
use crate::cli::PatternCommand;
use crate::pattern;

pub fn run(cmd: PatternCommand) -> i32 {
    match cmd {
        PatternCommand::Check { control, benchmark, strict_patterns, json, pattern } => {
            check(&control, &benchmark, strict_patterns, json, &pattern)
        }
        PatternCommand::Test { pattern, file } => test(&pattern, &file),
    }
}

fn check(control: &str, benchmark: &str, strict: bool, json: bool, src: &str) -> i32 {
    let selected = match catalog().select(benchmark, Some(&[control.to_string()])) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let c = &selected[0];
    if c.def.check != CheckKind::MetricFilterChain {
        eprintln!(
            "error: control {control} ({}) has no filter pattern; pattern check applies to the monitoring controls",
            c.title()
        );
        return 2;
    }
    let Some(variant) = c.def.variant_for(benchmark) else {
        eprintln!("error: checks/ data has no pattern for {control} in CIS v{benchmark}");
        return 2;
    };
    let cov = match best_coverage(src, variant) {
        Ok(cov) => cov,
        Err(e) => {
            eprintln!("error: the pattern does not parse: {e}");
            eprintln!("  {src}");
            eprintln!("  {}^", " ".repeat(src[..e.pos.min(src.len())].chars().count()));
            return 2;
        }
    };
    let covered = cov.is_covered(strict);
    if json {
        let v = serde_json::json!({
            "control": c.id, "benchmark": benchmark, "strict_patterns": strict,
            "covered": covered, "coverage": cov,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap());
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
        println!("{}", cov.summary());
        for g in cov.miss_groups() {
            println!("  - {g}");
        }
    }
    if covered {
        0
    } else {
        1
    }
}

fn test(src: &str, file: &std::path::Path) -> i32 {
    let p = match pattern::parse(src) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: the pattern does not parse: {e}");
            return 2;
        }
    };
    let raw = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return 2;
        }
    };
    let event: serde_json::Value = serde_json::from_str(&raw).unwrap_or(serde_json::Value::Null);
    let ex = p.explain(&event, raw.trim());
    println!("{}: {ex}", if ex.matched { "MATCH" } else { "NO MATCH" });
    if ex.matched {
        0
    } else {
        1
    }
}
