//! The JSON report loader (`--baseline`, `merge`), then a merge and every renderer.
#![no_main]
use cis_audit::report::{compare, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(r) = compare::parse_report(text, "fuzz.json") else { return };
    if let Ok((m, _)) = compare::merge(vec![("a".into(), r.clone()), ("b".into(), r)], "now".into()) {
        for f in Format::ALL {
            let _ = f.render(&m, false);
        }
    }
});
