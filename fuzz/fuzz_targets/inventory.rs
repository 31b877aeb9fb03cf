//! The saved-inventory loader (`audit --inventory FILE`), then an evaluation of what it loaded.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(inv) = cis_audit::inventory::store::parse(text) {
        let controls = cis_audit::catalog::catalog().select("5.0.0", None).expect("the catalog loads");
        let _ = cis_audit::checks::evaluate(&inv, &controls, Default::default());
    }
});
