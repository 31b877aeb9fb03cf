//! IAM users' credentials, from the credential report (one evaluator for five
//! recommendations, each control's key naming its requirement). Every row but `<root_account>`
//! is a user; each finding is one user, with the report's values for each credential and the
//! report's generation time as evidence. Ages are counted in whole days up to the inventory's
//! collection time.
//! - **iam-user-console-mfa** (CIS v5.0.0 1.9; v1.2.0 1.2; v1.4.0–v4.0.0 1.10; v6.0.0 2.9;
//!   v7.0.0 2.10): a user with a console password (`password_enabled` true) must have
//!   `mfa_active` true. Users without a password are not judged.
//! - **iam-no-initial-access-keys** (v5.0.0 1.10; v1.2.0 1.21; v1.4.0–v4.0.0 1.11; v6.0.0 2.10):
//!   a user with a console password must not hold an access key that was never used
//!   (`access_key_N_last_used_date` N/A): the key set up with the user and never needed.
//! - **iam-unused-credentials** (v5.0.0 1.11; v1.2.0 1.3; v1.4.0–v4.0.0 1.12; v6.0.0 2.11;
//!   v7.0.0 2.11): an enabled password last used `params.days` (45; 90 in v1.2.0) or more days
//!   ago FAILs; a password never used (`no_information`) is judged by `password_last_changed`
//!   instead (set that long ago and never used: FAIL). Each active access key likewise: by its
//!   last use, or, never used, by `access_key_N_last_rotated` (a key created 100 days ago and
//!   never used FAILs). Every credential is listed with its dates.
//! - **iam-one-active-key** (v5.0.0 1.12; v1.4.0–v4.0.0 1.13; v6.0.0 2.12): both
//!   `access_key_1_active` and `access_key_2_active` true FAILs.
//! - **iam-key-rotation** (v5.0.0 1.13; v1.2.0 1.4; v1.4.0–v4.0.0 1.14; v6.0.0 2.13; v7.0.0
//!   2.12): an active key whose `access_key_N_last_rotated` is more than `params.days` (90) days
//!   before the collection FAILs.
//!
//! An account with no user to judge passes, saying so. Remediation is MANUAL: cis-audit never
//! deletes or deactivates a user's password or key; each finding gives the exact commands.

use super::iam_common::{days_ago, report, report_time, Verdicts};
use super::module::{module_source, Check};
use super::rollup::account_verdict;
use super::Context;
use crate::catalog::Control;
use crate::finding::{Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, CredentialRow, Read, ReportKey};
use serde_json::json;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "iam-credentials",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::IamUser],
    reads: &[Read::CredentialReport],
    has_patterns: false,
    remedy: "nothing by itself: passwords and keys are never removed or deactivated by cis-audit; each finding gives the exact aws iam commands.",
    plan: None,
};

fn key_evidence(row: &CredentialRow, k: &ReportKey, ok: Option<bool>) -> Evidence {
    Evidence::new(
        format!("credential_report.access_key_{}", k.slot),
        json!({"user": row.user, "active": k.active, "last_rotated": k.last_rotated, "last_used_date": k.last_used_date,
               "last_used_service": k.last_used_service}),
        ok,
    )
}

fn password_evidence(row: &CredentialRow, ok: Option<bool>) -> Evidence {
    Evidence::new(
        "credential_report.password",
        json!({"user": row.user, "password_enabled": row.password_enabled, "password_last_used": row.password_last_used,
               "password_last_changed": row.password_last_changed}),
        ok,
    )
}

fn deactivate(user: &str, k: &ReportKey) -> String {
    format!(
        "aws iam list-access-keys --user-name {user}   # the id of access key {} (created {}), then: aws iam update-access-key --user-name {user} --access-key-id <ID> --status Inactive   (and, once nothing needs it: aws iam delete-access-key --user-name {user} --access-key-id <ID>)",
        k.slot, k.last_rotated
    )
}

/// One user's verdict: (status, message, evidence, commands), None when the requirement does
/// not concern the user.
type Judged = Option<(Status, String, Vec<Evidence>, Vec<String>)>;

fn judge(control: &Control, row: &CredentialRow, now: &str) -> Judged {
    let u = &row.user;
    let active: Vec<&ReportKey> = row.access_keys.iter().filter(|k| k.active).collect();
    match control.key.as_str() {
        "iam-user-console-mfa" => {
            if !row.has_password() {
                return None;
            }
            let ev = vec![
                password_evidence(row, None),
                Evidence::new("credential_report.mfa_active", row.mfa_active, Some(row.mfa_active)),
            ];
            Some(if row.mfa_active {
                (Status::Pass, format!("user {u} has a console password and MFA"), ev, vec![])
            } else {
                let fix = format!("aws iam create-virtual-mfa-device --virtual-mfa-device-name {u} --outfile {u}-mfa.png --bootstrap-method QRCodePNG, then aws iam enable-mfa-device --user-name {u} --serial-number <ARN> --authentication-code1 <CODE> --authentication-code2 <CODE> (or, if the user needs no console access: aws iam delete-login-profile --user-name {u})");
                (Status::Fail, format!("user {u} has a console password but no MFA"), ev, vec![fix])
            })
        }
        "iam-no-initial-access-keys" => {
            if !row.has_password() {
                return None;
            }
            let mut ev = vec![password_evidence(row, None)];
            let mut bad = Vec::new();
            let mut fixes = Vec::new();
            for k in row.access_keys.iter().filter(|k| k.exists()) {
                let never = k.last_used_date == "N/A";
                ev.push(key_evidence(row, k, Some(!never)));
                if never {
                    bad.push(format!("access key {} (created {}) was never used", k.slot, k.last_rotated));
                    fixes.push(deactivate(u, k));
                }
            }
            Some(if bad.is_empty() {
                (Status::Pass, format!("user {u} holds no unused access key"), ev, vec![])
            } else {
                (Status::Fail, format!("console user {u}: {}", bad.join(", ")), ev, fixes)
            })
        }
        "iam-unused-credentials" => {
            let days = control.param_i64("days", 45);
            let mut ev = Vec::new();
            let mut bad = Vec::new();
            let mut fixes = Vec::new();
            let mut judged = false;
            if row.has_password() {
                judged = true;
                let (age, how) = match days_ago(&row.password_last_used, now) {
                    Some(d) => (Some(d), format!("last used {}", row.password_last_used)),
                    None => (
                        days_ago(&row.password_last_changed, now),
                        format!("never used, set {}", row.password_last_changed),
                    ),
                };
                let unused = age.is_none_or(|d| d >= days);
                ev.push(password_evidence(row, Some(!unused)));
                if unused {
                    bad.push(format!("password {how}"));
                    fixes.push(format!(
                        "aws iam delete-login-profile --user-name {u}   # disables console sign-in; the user is kept"
                    ));
                }
            }
            for k in &active {
                judged = true;
                let (age, how) = match days_ago(&k.last_used_date, now) {
                    Some(d) => (Some(d), format!("last used {}", k.last_used_date)),
                    None => (days_ago(&k.last_rotated, now), format!("never used, created {}", k.last_rotated)),
                };
                let unused = age.is_none_or(|d| d >= days);
                ev.push(key_evidence(row, k, Some(!unused)));
                if unused {
                    bad.push(format!("access key {} {how}", k.slot));
                    fixes.push(deactivate(u, k));
                }
            }
            if !judged {
                return None;
            }
            ev.push(Evidence::info("unused_days", days));
            Some(if bad.is_empty() {
                (Status::Pass, format!("no credential of user {u} has gone unused for {days} days"), ev, vec![])
            } else {
                (Status::Fail, format!("user {u}: {} ({days} days or more)", bad.join(", ")), ev, fixes)
            })
        }
        "iam-one-active-key" => {
            if row.access_keys.iter().all(|k| !k.exists()) {
                return None;
            }
            let ev: Vec<Evidence> =
                row.access_keys.iter().filter(|k| k.exists()).map(|k| key_evidence(row, k, None)).collect();
            Some(if active.len() > 1 {
                let fix = active.iter().map(|k| deactivate(u, k)).next().into_iter().collect();
                (Status::Fail, format!("user {u} has {} active access keys", active.len()), ev, fix)
            } else {
                (Status::Pass, format!("user {u} has {} active access key(s)", active.len()), ev, vec![])
            })
        }
        "iam-key-rotation" => {
            if active.is_empty() {
                return None;
            }
            let days = control.param_i64("days", 90);
            let mut ev = Vec::new();
            let mut bad = Vec::new();
            let mut fixes = Vec::new();
            for k in &active {
                let age = days_ago(&k.last_rotated, now);
                let old = age.is_none_or(|d| d > days);
                ev.push(key_evidence(row, k, Some(!old)));
                if old {
                    bad.push(format!(
                        "access key {} created {} ({} days ago)",
                        k.slot,
                        k.last_rotated,
                        age.map_or("?".into(), |d| d.to_string())
                    ));
                    fixes.push(format!(
                        "aws iam create-access-key --user-name {u}   # then move its users to the new key, and: {}",
                        deactivate(u, k)
                    ));
                }
            }
            ev.push(Evidence::info("rotation_days", days));
            Some(if bad.is_empty() {
                (Status::Pass, format!("every active key of user {u} is at most {days} days old"), ev, vec![])
            } else {
                (Status::Fail, format!("user {u}: {} (more than {days} days)", bad.join(", ")), ev, fixes)
            })
        }
        _ => None,
    }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, ctx: &Context) -> Verdicts {
    let rep = match report(control, acct) {
        Ok(r) => r,
        Err(v) => return v,
    };
    let known = [
        "iam-user-console-mfa",
        "iam-no-initial-access-keys",
        "iam-unused-credentials",
        "iam-one-active-key",
        "iam-key-rotation",
    ];
    if !known.contains(&control.key.as_str()) {
        return super::iam_common::one(
            control,
            acct,
            Status::Error,
            format!("no credential requirement is defined for control {}", control.key),
            vec![],
        );
    }
    let mut findings = Vec::new();
    let mut users = 0;
    for row in rep.rows.iter().filter(|r| !r.is_root()) {
        users += 1;
        let Some((status, message, mut evidence, fixes)) = judge(control, row, &ctx.inv.collected_at) else { continue };
        evidence.insert(0, report_time(rep));
        findings.push(
            Finding::about(control, Subject::IamUser, &acct.account_id)
                .resource(Some(row.arn.clone()))
                .status(status)
                .message(message)
                .evidence(evidence)
                .remediation((!fixes.is_empty()).then(|| fixes.join("\n"))),
        );
    }
    let judged = findings.len();
    let none = match control.key.as_str() {
        "iam-user-console-mfa" | "iam-no-initial-access-keys" => {
            format!("none of the {users} IAM user(s) has a console password")
        }
        "iam-key-rotation" => format!("none of the {users} IAM user(s) has an active access key"),
        "iam-one-active-key" => format!("none of the {users} IAM user(s) has an access key"),
        _ => format!("none of the {users} IAM user(s) has a password or an active access key"),
    };
    if findings.is_empty() {
        findings.push(
            Finding::about(control, Subject::IamUser, &acct.account_id)
                .status(Status::Skipped)
                .message(none.clone())
                .evidence(vec![report_time(rep), Evidence::info("credential_report.users", users)]),
        );
    }
    account_verdict(
        control,
        acct,
        findings,
        format!("all {judged} IAM user(s) concerned meet it"),
        (Status::Pass, none),
    )
}

#[cfg(test)]
mod tests;
