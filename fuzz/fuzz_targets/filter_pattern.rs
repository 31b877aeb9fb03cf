//! The CloudWatch Logs filter pattern parser and evaluator: the first line is the pattern, the
//! rest a log event (JSON or not). Also judges the pattern against the control 4.10 oracle
//! over the built-in corpus, as `pattern check` does.
#![no_main]
use cis_audit::pattern::{parse, Corpus, Judge};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (pattern, event) = text.split_once('\n').unwrap_or((text, "{}"));
    let Ok(p) = parse(pattern) else { return };
    let json: serde_json::Value = serde_json::from_str(event).unwrap_or(serde_json::Value::Null);
    let _ = p.matches(&json, event);
    static ORACLE: OnceLock<cis_audit::pattern::Oracle> = OnceLock::new();
    let judge = Judge::new(Corpus::builtin());
    let oracle = ORACLE.get_or_init(|| {
        let sg = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = CreateSecurityGroup) }";
        judge.oracle(&[sg.to_string()], &[]).expect("the oracle pattern parses")
    });
    let _ = judge.coverage(pattern, oracle);
});
