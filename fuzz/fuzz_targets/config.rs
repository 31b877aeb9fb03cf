//! The configuration file loader (`cis-audit.toml`): parse, validate, bind custom controls.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(c) = cis_audit::config::parse(text, "fuzz.toml") {
        let _ = cis_audit::catalog::custom::bind(&c.custom, "5.0.0");
    }
});
