//! The root user (one evaluator for four recommendations, each control's key naming its
//! requirement): no access keys (`root-access-keys`: CIS v5.0.0 1.3; v1.2.0 1.12; v1.4.0–v4.0.0
//! 1.4; v6.0.0 2.3; v7.0.0 2.4), MFA (`root-mfa`: v5.0.0 1.4; v1.2.0 1.13; v1.4.0–v4.0.0 1.5;
//! v6.0.0 2.4; v7.0.0 2.5), hardware MFA (`root-hardware-mfa`: v5.0.0 1.5; v1.2.0 1.14;
//! v1.4.0–v4.0.0 1.6; v6.0.0 2.5; v7.0.0 2.6) and no everyday use (`root-daily-use`: v5.0.0
//! 1.6; v1.2.0 1.1; v1.4.0–v4.0.0 1.7; v6.0.0 2.6; v7.0.0 2.7).
//!
//! Read once per account: the credential report's `<root_account>` row (its generation time is
//! evidence), `GetAccountSummary` and `ListVirtualMFADevices`.
//! - **root-access-keys**: FAIL when a root access key exists, active or not (the report's
//!   `access_key_N_active` / `access_key_N_last_rotated`, and the summary's
//!   `AccountAccessKeysPresent`; either source suffices, both are shown); PASS otherwise.
//! - **root-mfa**: PASS when MFA is on (`AccountMFAEnabled` 1, or the report's `mfa_active`).
//!   From v5.0.0 (`params.accept_no_root_password`) an account whose root user has no password
//!   (`AccountPasswordPresent` 0, or `password_enabled` false: centralised root access removed
//!   it) passes too. FAIL otherwise.
//! - **root-hardware-mfa**: FAIL as root-mfa does, and FAIL when a virtual MFA device is
//!   assigned to the root user (its `User.Arn` is the account's `:root`, or its serial is
//!   `…:mfa/root-account-mfa-device`). No API tells a hardware TOTP token from a FIDO security
//!   key, so with MFA on and no virtual device: PASS where the version's assessment is automated
//!   (v1.2.0, v1.4.0, as their audit reads), MANUAL with that evidence where it is manual.
//! - **root-daily-use**: the root user's last use — password, and each access key with its
//!   region and service — as evidence. Where the version's assessment is manual (v2.0.0+), the
//!   verdict is MANUAL: an assessor decides whether a use was one of the tasks only root can do.
//!   Where it is automated (v1.2.0, v1.4.0), a use within `params.recent_days` (1) of the
//!   collection FAILs, as Prowler judges it; older or no use PASSes. v1.2.0's own audit adds the
//!   root-usage metric filter and alarm (its 3.3), evaluated by that control.
//!
//! Remediation is MANUAL: deleting root keys and registering a hardware MFA device need the root
//! user's own sign-in; the finding says where.

use super::iam_common::{days_ago, is_manual, one, partition, report_time, Verdicts};
use super::module::{module_source, Check};
use super::Context;
use crate::catalog::Control;
use crate::finding::{Evidence, Status, Subject};
use crate::inventory::{AccountInventory, Collected, CredentialRow, Read};
use serde_json::json;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "root-account",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Account],
    reads: &[Read::CredentialReport, Read::AccountSummary, Read::VirtualMfaDevices],
    has_patterns: false,
    remedy: "nothing: the root user's keys and MFA can only be changed signed in as root (the finding says how).",
    plan: None,
};

/// What is known of the root user, from whichever reads answered.
struct Root<'a> {
    row: Option<&'a CredentialRow>,
    summary: Option<&'a std::collections::BTreeMap<String, i64>>,
    evidence: Vec<Evidence>,
    errors: Vec<String>,
}

fn root(acct: &AccountInventory) -> Root<'_> {
    let w = &acct.account_wide;
    let mut r = Root { row: None, summary: None, evidence: vec![], errors: vec![] };
    match &w.credential_report {
        Some(Collected::Ok(rep)) => {
            r.evidence.push(report_time(rep));
            r.row = rep.rows.iter().find(|x| x.is_root());
            if r.row.is_none() {
                r.errors.push("the credential report has no <root_account> row".into());
            }
        }
        Some(Collected::Error(e)) => r.errors.push(format!("the credential report could not be read: {e}")),
        None => r.errors.push("the credential report was not collected".into()),
    }
    match &w.account_summary {
        Some(Collected::Ok(m)) => r.summary = Some(m),
        Some(Collected::Error(e)) => r.errors.push(format!("the account summary could not be read: {e}")),
        None => r.errors.push("the account summary was not collected".into()),
    }
    r
}

impl Root<'_> {
    fn summary(&self, key: &str) -> Option<i64> {
        self.summary.and_then(|m| m.get(key).copied())
    }

    /// Neither source answered: the ERROR verdict.
    fn unreadable(&self, control: &Control, acct: &AccountInventory) -> Option<Verdicts> {
        (self.row.is_none() && self.summary.is_none()).then(|| {
            let m = self.errors.join("; ");
            one(control, acct, Status::Error, m.clone(), vec![Evidence::bad("root.read", m)])
        })
    }

    /// MFA on; or, where the version accepts it, no root password. (verdict ok, why, evidence)
    fn mfa(&self, control: &Control) -> (bool, String, Vec<Evidence>) {
        let mut ev = Vec::new();
        let summary_mfa = self.summary("AccountMFAEnabled");
        if let Some(v) = summary_mfa {
            ev.push(Evidence::new("account_summary.AccountMFAEnabled", v, Some(v == 1)));
        }
        if let Some(row) = self.row {
            ev.push(Evidence::new("credential_report.root.mfa_active", row.mfa_active, Some(row.mfa_active)));
        }
        let on = summary_mfa == Some(1) || self.row.is_some_and(|r| r.mfa_active);
        if on {
            return (true, "MFA is enabled for the root user".into(), ev);
        }
        let no_password = self.summary("AccountPasswordPresent") == Some(0)
            || self.row.is_some_and(|r| r.password_enabled == "false");
        if let Some(v) = self.summary("AccountPasswordPresent") {
            ev.push(Evidence::info("account_summary.AccountPasswordPresent", v));
        }
        if let Some(row) = self.row {
            ev.push(Evidence::info("credential_report.root.password_enabled", row.password_enabled.clone()));
        }
        if no_password && control.param_bool("accept_no_root_password") {
            ev.push(Evidence::ok("root.password", "none (root credentials managed centrally)"));
            return (true, "the root user has no password (nothing to sign in with), so it needs no MFA".into(), ev);
        }
        (false, "MFA is not enabled for the root user".into(), ev)
    }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let r = root(acct);
    if let Some(v) = r.unreadable(control, acct) {
        return v;
    }
    match control.key.as_str() {
        "root-access-keys" => access_keys(control, acct, &r),
        "root-mfa" => {
            let (ok, why, mut ev) = r.mfa(control);
            ev.splice(0..0, r.evidence.iter().cloned());
            let status = if ok { Status::Pass } else { Status::Fail };
            let mut v = one(control, acct, status, why, ev);
            if !ok {
                v[0].1[0].remediation = Some(
                    "Sign in as the root user: Security credentials > Multi-factor authentication (MFA) > Assign MFA device.".into(),
                );
            }
            v
        }
        "root-hardware-mfa" => hardware_mfa(control, acct, &r),
        "root-daily-use" => daily_use(control, acct, &r, _ctx),
        other => one(
            control,
            acct,
            Status::Error,
            format!("no root user requirement is defined for control {other}"),
            vec![],
        ),
    }
}

fn access_keys(control: &Control, acct: &AccountInventory, r: &Root) -> Verdicts {
    let mut ev = r.evidence.clone();
    let mut present = Vec::new();
    if let Some(v) = r.summary("AccountAccessKeysPresent") {
        ev.push(Evidence::new("account_summary.AccountAccessKeysPresent", v, Some(v == 0)));
        if v != 0 {
            present.push("GetAccountSummary reports AccountAccessKeysPresent = 1".to_string());
        }
    }
    if let Some(row) = r.row {
        for k in &row.access_keys {
            let step = format!("credential_report.root.access_key_{}", k.slot);
            if k.exists() {
                let state = if k.active { "active" } else { "inactive" };
                ev.push(Evidence::bad(
                    step,
                    json!({"active": k.active, "last_rotated": k.last_rotated, "last_used_date": k.last_used_date}),
                ));
                present.push(format!("root access key {} exists ({state}, created {})", k.slot, k.last_rotated));
            } else {
                ev.push(Evidence::ok(step, "none"));
            }
        }
    }
    if present.is_empty() {
        one(control, acct, Status::Pass, "the root user has no access keys".into(), ev)
    } else {
        let mut v = one(control, acct, Status::Fail, present.join("; "), ev);
        v[0].1[0].remediation = Some(
            "Sign in as the root user: Security credentials > Access keys > delete each key (make it inactive first if something may still use it). cis-audit never deletes a key.".into(),
        );
        v
    }
}

fn hardware_mfa(control: &Control, acct: &AccountInventory, r: &Root) -> Verdicts {
    let (ok, why, mfa_ev) = r.mfa(control);
    let mut ev = r.evidence.clone();
    ev.extend(mfa_ev);
    let assign = "Sign in as the root user: Security credentials > Multi-factor authentication (MFA) > Assign MFA device > Hardware TOTP token (and remove the virtual device).";
    if !ok {
        let mut v = one(control, acct, Status::Fail, why, ev);
        v[0].1[0].remediation = Some(assign.into());
        return v;
    }
    let root_arn = format!("arn:{}:iam::{}:root", partition(acct), acct.account_id);
    let devices = match &acct.account_wide.virtual_mfa_devices {
        Some(Collected::Ok(d)) => d,
        Some(Collected::Error(e)) => {
            let m = format!("the virtual MFA devices could not be read: {e}");
            ev.push(Evidence::bad("virtual_mfa_devices.read", m.clone()));
            return one(control, acct, Status::Error, m, ev);
        }
        None => return one(control, acct, Status::Error, "the virtual MFA devices were not collected".into(), ev),
    };
    if why.starts_with("the root user has no password") {
        return one(control, acct, Status::Pass, why, ev);
    }
    let virtual_root: Vec<&str> = devices
        .iter()
        .filter(|d| {
            d.user_arn.as_deref() == Some(root_arn.as_str())
                || d.serial_number.ends_with(":mfa/root-account-mfa-device")
        })
        .map(|d| d.serial_number.as_str())
        .collect();
    ev.push(Evidence::info("virtual_mfa_devices.count", devices.len()));
    if let Some(serial) = virtual_root.first() {
        ev.push(Evidence::bad("virtual_mfa_devices.root", *serial));
        let mut v = one(
            control,
            acct,
            Status::Fail,
            format!("the root user's MFA is a virtual device ({serial}), not a hardware one"),
            ev,
        );
        v[0].1[0].remediation = Some(assign.into());
        return v;
    }
    ev.push(Evidence::ok("virtual_mfa_devices.root", "none assigned to the root user"));
    if is_manual(control) {
        ev.push(Evidence::info(
            "hardware_mfa",
            "no API tells a hardware TOTP token from a FIDO security key: an assessor confirms the device type (root sign-in > Security credentials)",
        ));
        one(
            control,
            acct,
            Status::Manual,
            "MFA is on for the root user and no virtual MFA device is assigned to it; an assessor confirms it is a hardware device".into(),
            ev,
        )
    } else {
        one(
            control,
            acct,
            Status::Pass,
            "MFA is on for the root user and no virtual MFA device is assigned to it".into(),
            ev,
        )
    }
}

fn daily_use(control: &Control, acct: &AccountInventory, r: &Root, ctx: &Context) -> Verdicts {
    let mut ev = r.evidence.clone();
    let Some(row) = r.row else {
        let m = r.errors.join("; ");
        return one(control, acct, Status::Error, m.clone(), vec![Evidence::bad("root.read", m)]);
    };
    let now = &ctx.inv.collected_at;
    let mut uses: Vec<(String, i64)> = Vec::new();
    ev.push(Evidence::info("credential_report.root.password_last_used", row.password_last_used.clone()));
    if let Some(d) = days_ago(&row.password_last_used, now) {
        uses.push((format!("password on {}", row.password_last_used), d));
    }
    for k in row.access_keys.iter().filter(|k| k.exists()) {
        ev.push(Evidence::info(
            format!("credential_report.root.access_key_{}_last_used", k.slot),
            json!({"date": k.last_used_date, "region": k.last_used_region, "service": k.last_used_service}),
        ));
        if let Some(d) = days_ago(&k.last_used_date, now) {
            uses.push((format!("access key {} on {} ({})", k.slot, k.last_used_date, k.last_used_service), d));
        }
    }
    let last = uses.iter().min_by_key(|u| u.1);
    if is_manual(control) {
        let message = match last {
            Some((what, d)) => format!("the root user was last used {d} day(s) before the collection ({what}); an assessor decides whether that was a task only root can do"),
            None => "no use of the root user is recorded (password and access keys never used)".into(),
        };
        return one(control, acct, Status::Manual, message, ev);
    }
    let recent = control.param_i64("recent_days", 1);
    ev.push(Evidence::info("root.recent_days", recent));
    match last {
        Some((what, d)) if *d < recent => one(
            control,
            acct,
            Status::Fail,
            format!("the root user was used within the last {recent} day(s) of the collection ({what})"),
            ev,
        ),
        Some((what, d)) => one(
            control,
            acct,
            Status::Pass,
            format!("the root user was last used {d} day(s) before the collection ({what})"),
            ev,
        ),
        None => one(control, acct, Status::Pass, "no use of the root user is recorded".into(), ev),
    }
}

#[cfg(test)]
mod tests;
