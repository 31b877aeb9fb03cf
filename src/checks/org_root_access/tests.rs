//! Snapshot cases of org-centralized-root-access.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn features(inv: &mut Inventory) -> &mut OrganizationsFeatures {
    ok(inv.accounts[0].account_wide.organizations_features.as_mut().unwrap())
}

snapshot_cases! {
    root_credentials_management_on_passes: "7.0.0", ["2.1.1"], |inv| {},
    root_sessions_only_fails: "7.0.0", ["2.1.1"], |inv| {
        features(inv).enabled_features = vec!["RootSessions".into()];
    },
    member_account_is_manual: "7.0.0", ["2.1.1"], |inv| {
        *features(inv) = OrganizationsFeatures {
            unavailable: Some("AccountNotManagementOrDelegatedAdministratorException: not the management account".into()),
            ..Default::default()
        };
    },
}
