//! Snapshot cases of iam-central-identity.

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    central_identity_evidence: "5.0.0", ["1.20"], |inv| {},
    providers_unreadable_still_manual: "7.0.0", ["2.19"], |inv| {
        inv.accounts[0].account_wide.identity_providers = Some(Collected::Error(err("iam:ListSAMLProviders", "AccessDenied")));
    },
}
