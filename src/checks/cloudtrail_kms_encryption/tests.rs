//! Snapshot cases of CloudTrail logs encrypted with a KMS key.

use crate::checks::fixtures::*;

snapshot_cases! {
    trail_kms_encrypted: "5.0.0", ["3.5"], |inv| {},
    trail_kms_not_encrypted: "5.0.0", ["3.5"], |inv| {
        inv.accounts[0].trails[0].kms_key_id = None;
    },
    trail_kms_organization_trail_is_fixed_by_its_owner: "7.0.0", ["4.5"], |inv| {
        let mut org = trail(MGMT, "org", None);
        org.is_organization_trail = true;
        org.kms_key_id = None;
        inv.accounts[0].trails = vec![org];
    },
}
