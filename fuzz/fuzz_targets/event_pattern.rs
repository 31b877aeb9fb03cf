//! The EventBridge event pattern parser and matcher: the first line is the pattern (JSON), the
//! rest an event.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (pattern, event) = text.split_once('\n').unwrap_or((text, "{}"));
    let Ok(p) = cis_audit::eventpattern::parse(pattern) else { return };
    if let Ok(e) = serde_json::from_str::<serde_json::Value>(event) {
        let _ = p.matches(&e);
    }
});
