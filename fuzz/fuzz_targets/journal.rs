//! The remediation journal loader (`rollback JOURNAL`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = cis_audit::remediate::journal::parse(text);
});
