//! Snapshot cases of the IAM user credentials family (collected 2026-11-23T00:00:00Z).

use crate::checks::fixtures::*;
use crate::inventory::*;

fn rows(inv: &mut Inventory) -> &mut Vec<CredentialRow> {
    &mut ok(inv.accounts[0].account_wide.credential_report.as_mut().unwrap()).rows
}

fn user<'a>(inv: &'a mut Inventory, name: &str) -> &'a mut CredentialRow {
    rows(inv).iter_mut().find(|r| r.user == name).unwrap()
}

snapshot_cases! {
    credentials_compliant_v5: "5.0.0", ["1.9", "1.10", "1.11", "1.12", "1.13"], |inv| {},
    credentials_compliant_v1_2: "1.2.0", ["1.2", "1.3", "1.4", "1.21"], |inv| {},
    console_user_without_mfa_fails: "6.0.0", ["2.9"], |inv| {
        user(inv, "alice").mfa_active = false;
    },
    never_used_key_created_100_days_ago: "5.0.0", ["1.10", "1.11", "1.13"], |inv| {
        user(inv, "deploy").access_keys[0] = key(1, Some((true, "2026-08-15T00:00:00+00:00", "N/A")));
        user(inv, "alice").access_keys[1] = key(2, Some((true, "2026-11-01T00:00:00+00:00", "N/A")));
    },
    never_used_key_created_100_days_ago_v1_2: "1.2.0", ["1.3", "1.4"], |inv| {
        user(inv, "deploy").access_keys[0] = key(1, Some((true, "2026-08-15T00:00:00+00:00", "N/A")));
    },
    password_never_used_fails_after_45_days: "5.0.0", ["1.11"], |inv| {
        rows(inv).push(user_row("bob", Some(("no_information", "2026-09-01T00:00:00+00:00")), true, [None, None]));
    },
    password_never_used_passes_under_90_days_in_v1_2: "1.2.0", ["1.3"], |inv| {
        rows(inv).push(user_row("bob", Some(("no_information", "2026-09-01T00:00:00+00:00")), true, [None, None]));
    },
    password_unused_exactly_45_days_fails_44_passes: "7.0.0", ["2.11"], |inv| {
        rows(inv).push(user_row("carol", Some(("2026-10-09T00:00:00+00:00", "2025-01-01T00:00:00+00:00")), true, [None, None]));
        rows(inv).push(user_row("dave", Some(("2026-10-10T00:00:00+00:00", "2025-01-01T00:00:00+00:00")), true, [None, None]));
    },
    inactive_old_key_is_not_judged_for_use_or_rotation: "5.0.0", ["1.11", "1.12", "1.13"], |inv| {
        user(inv, "deploy").access_keys[1] = key(2, Some((false, "2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00")));
    },
    two_active_keys_fail: "5.0.0", ["1.12"], |inv| {
        user(inv, "alice").access_keys[1] = key(2, Some((true, "2026-11-10T00:00:00+00:00", "2026-11-20T00:00:00+00:00")));
    },
    key_rotated_91_days_ago_fails_90_passes: "7.0.0", ["2.12"], |inv| {
        user(inv, "deploy").access_keys[0] = key(1, Some((true, "2026-08-24T00:00:00+00:00", "2026-11-22T00:00:00+00:00")));
        user(inv, "alice").access_keys[0] = key(1, Some((true, "2026-08-25T00:00:00+00:00", "2026-11-22T00:00:00+00:00")));
    },
    no_users_pass_saying_so: "5.0.0", ["1.9", "1.11", "1.12", "1.13"], |inv| {
        rows(inv).truncate(1);
    },
    credential_report_unreadable_is_error: "5.0.0", ["1.9"], |inv| {
        inv.accounts[0].account_wide.credential_report = Some(Collected::Error(err("iam:GenerateCredentialReport", "AccessDenied")));
    },
}
