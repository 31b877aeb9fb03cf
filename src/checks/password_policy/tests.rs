//! Snapshot cases of the password policy family.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn policy(inv: &mut Inventory) -> &mut PasswordPolicy {
    let Some(Collected::Ok(Some(p))) = inv.accounts[0].account_wide.password_policy.as_mut() else {
        panic!("no policy")
    };
    p
}

snapshot_cases! {
    password_policy_strict_passes_every_version: "1.2.0", ["1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "1.11"], |inv| {},
    password_policy_v5_twins: "5.0.0", ["1.7", "1.8"], |inv| {
        let p = policy(inv);
        p.minimum_password_length = Some(13);
        p.password_reuse_prevention = None;
    },
    password_policy_none_fails_all: "7.0.0", ["2.8", "2.9"], |inv| {
        inv.accounts[0].account_wide.password_policy = Some(Collected::Ok(None));
    },
    password_policy_exactly_at_the_thresholds: "6.0.0", ["2.7", "2.8"], |inv| {
        let p = policy(inv);
        p.minimum_password_length = Some(14);
        p.password_reuse_prevention = Some(24);
    },
    password_policy_v1_2_classes_and_expiry: "1.2.0", ["1.5", "1.6", "1.7", "1.8", "1.11"], |inv| {
        let p = policy(inv);
        p.require_uppercase_characters = false;
        p.require_symbols = false;
        p.max_password_age = Some(91);
    },
    password_policy_unreadable_is_error: "5.0.0", ["1.7"], |inv| {
        inv.accounts[0].account_wide.password_policy =
            Some(Collected::Error(err("iam:GetAccountPasswordPolicy", "AccessDenied")));
    },
}
