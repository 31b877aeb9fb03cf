//! Snapshot cases of the root user family.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn rep(inv: &mut Inventory) -> &mut CredentialReport {
    ok(inv.accounts[0].account_wide.credential_report.as_mut().unwrap())
}

fn summary(inv: &mut Inventory) -> &mut std::collections::BTreeMap<String, i64> {
    ok(inv.accounts[0].account_wide.account_summary.as_mut().unwrap())
}

fn root(inv: &mut Inventory) -> &mut CredentialRow {
    &mut rep(inv).rows[0]
}

snapshot_cases! {
    root_compliant_v5_passes_and_asks_the_assessor: "5.0.0", ["1.3", "1.4", "1.5", "1.6"], |inv| {},
    root_compliant_v1_4_automated: "1.4.0", ["1.4", "1.5", "1.6", "1.7"], |inv| {},
    root_with_an_active_and_an_inactive_key_fails: "5.0.0", ["1.3"], |inv| {
        root(inv).access_keys = vec![
            key(1, Some((true, "2025-02-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00"))),
            key(2, Some((false, "2024-05-01T00:00:00+00:00", "N/A"))),
        ];
        summary(inv).insert("AccountAccessKeysPresent".into(), 1);
    },
    root_without_mfa_fails_both: "7.0.0", ["2.5", "2.6"], |inv| {
        root(inv).mfa_active = false;
        summary(inv).insert("AccountMFAEnabled".into(), 0);
    },
    root_without_password_passes_from_v5: "5.0.0", ["1.4", "1.5"], |inv| {
        root(inv).mfa_active = false;
        root(inv).password_enabled = "false".into();
        summary(inv).insert("AccountMFAEnabled".into(), 0);
        summary(inv).insert("AccountPasswordPresent".into(), 0);
    },
    root_without_password_fails_in_v1_4: "1.4.0", ["1.5", "1.6"], |inv| {
        root(inv).mfa_active = false;
        root(inv).password_enabled = "false".into();
        summary(inv).insert("AccountMFAEnabled".into(), 0);
        summary(inv).insert("AccountPasswordPresent".into(), 0);
    },
    root_virtual_mfa_fails_hardware: "1.2.0", ["1.13", "1.14"], |inv| {
        let d = ok(inv.accounts[0].account_wide.virtual_mfa_devices.as_mut().unwrap());
        d.push(VirtualMfaDevice {
            serial_number: format!("arn:aws:iam::{ACCT}:mfa/root-account-mfa-device"),
            user_arn: Some(format!("arn:aws:iam::{ACCT}:root")),
            enable_date: Some("2025-01-01T00:00:00Z".into()),
        });
    },
    root_used_hours_ago_fails_v1_4: "1.4.0", ["1.7"], |inv| {
        root(inv).password_last_used = "2026-11-22T20:00:00+00:00".into();
    },
    root_used_hours_ago_is_manual_with_evidence_in_v6: "6.0.0", ["2.6"], |inv| {
        root(inv).password_last_used = "2026-11-22T20:00:00+00:00".into();
        root(inv).access_keys[0] = key(1, Some((true, "2026-01-01T00:00:00+00:00", "2026-11-21T10:00:00+00:00")));
    },
    root_never_used: "1.2.0", ["1.1"], |inv| {
        root(inv).password_last_used = "no_information".into();
    },
    root_report_unreadable_summary_decides: "5.0.0", ["1.3", "1.4", "1.6"], |inv| {
        inv.accounts[0].account_wide.credential_report = Some(Collected::Error(err("iam:GetCredentialReport", "AccessDenied")));
    },
    root_nothing_readable_is_error: "5.0.0", ["1.3"], |inv| {
        inv.accounts[0].account_wide.credential_report = Some(Collected::Error(err("iam:GenerateCredentialReport", "AccessDenied")));
        inv.accounts[0].account_wide.account_summary = Some(Collected::Error(err("iam:GetAccountSummary", "AccessDenied")));
    },
}
