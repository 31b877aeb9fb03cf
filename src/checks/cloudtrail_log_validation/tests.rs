//! Snapshot cases of CloudTrail log file validation.

use crate::checks::fixtures::*;
use crate::inventory::*;

/// A second trail, multi-region, homed in eu-west-1 (us-east-1 lists it as a shadow trail).
fn homed_elsewhere(inv: &mut Inventory, validation: bool) {
    let mut t = trail(ACCT, "eu-home", None);
    t.arn = format!("arn:aws:cloudtrail:eu-west-1:{ACCT}:trail/eu-home");
    t.home_region = "eu-west-1".into();
    t.log_file_validation = validation;
    inv.accounts[0].trails.push(t);
}

snapshot_cases! {
    log_validation_on: "5.0.0", ["3.2"], |inv| {},
    log_validation_off_on_a_trail_homed_in_another_region: "5.0.0", ["3.2"], |inv| {
        homed_elsewhere(inv, false);
    },
    log_validation_on_both_trails: "6.0.0", ["4.2"], |inv| {
        homed_elsewhere(inv, true);
    },
    log_validation_no_trail: "5.0.0", ["3.2"], |inv| {
        inv.accounts[0].trails.clear();
    },
    log_validation_v1_2: "1.2.0", ["2.2"], |inv| {
        inv.accounts[0].trails[0].log_file_validation = false;
    },
}
