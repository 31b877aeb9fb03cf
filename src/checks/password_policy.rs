//! The IAM password policy asks for what the benchmark asks: at least 14 characters (CIS v5.0.0
//! 1.7; v1.2.0 1.9; v1.4.0–v4.0.0 1.8; v6.0.0 2.7; v7.0.0 2.8), remembering 24 previous
//! passwords (v5.0.0 1.8; v1.2.0 1.10; v1.4.0–v4.0.0 1.9; v6.0.0 2.8; v7.0.0 2.9), and in v1.2.0
//! an uppercase letter (1.5), a lowercase letter (1.6), a symbol (1.7), a number (1.8) and expiry
//! within 90 days (1.11) — one evaluator, the requirement each control's key names and the
//! threshold its version's data sets.
//!
//! `GetAccountPasswordPolicy` is read once per account. An account without a custom policy
//! (`NoSuchEntity`) fails every requirement: IAM's default asks for 8 characters and nothing else.
//! Reuse prevention absent means off. Expiry needs `ExpirePasswords` with a `MaxPasswordAge` at
//! most the threshold. The evidence shows the value read beside the one required.
//!
//! Remediation sets the requirement with `iam:UpdateAccountPasswordPolicy`, keeping every
//! setting of the current policy that is already as strict or stricter (a longer minimum, more
//! remembered passwords, a shorter maximum age, each character class, hard expiry): the update
//! is merged with the policy read just before it is applied, so it never weakens anything.
//! Rollback puts back the policy as it was (or deletes it when there was none).

use super::module::{module_source, Check, PlanInput, Proposal};
use super::Context;
use crate::actions::iam::UpdatePasswordPolicy;
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, PasswordPolicy, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "password-policy",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Account],
    reads: &[Read::PasswordPolicy],
    has_patterns: false,
    remedy: "updates the account password policy to meet the requirement, keeping every stricter setting it already has (iam:UpdateAccountPasswordPolicy); rollback restores the policy as it was.",
    plan: Some(plan),
};

/// One requirement of the password policy.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Requirement {
    MinLength(i32),
    Reuse(i32),
    MaxAge(i32),
    Uppercase,
    Lowercase,
    Symbol,
    Number,
}

impl Requirement {
    /// The control's requirement, from its key and its version's data.
    fn of(control: &Control) -> Option<Requirement> {
        let n = |name: &str, default: i64| control.param_i64(name, default) as i32;
        Some(match control.key.as_str() {
            "password-min-length" => Requirement::MinLength(n("min_length", 14)),
            "password-reuse" => Requirement::Reuse(n("reuse", 24)),
            "password-expiry" => Requirement::MaxAge(n("days", 90)),
            "password-uppercase" => Requirement::Uppercase,
            "password-lowercase" => Requirement::Lowercase,
            "password-symbol" => Requirement::Symbol,
            "password-number" => Requirement::Number,
            _ => return None,
        })
    }

    /// What is required, in words.
    fn wanted(self) -> String {
        match self {
            Requirement::MinLength(n) => format!("a minimum length of at least {n}"),
            Requirement::Reuse(n) => format!("at least {n} remembered passwords"),
            Requirement::MaxAge(n) => format!("passwords that expire within {n} days"),
            Requirement::Uppercase => "an uppercase letter".into(),
            Requirement::Lowercase => "a lowercase letter".into(),
            Requirement::Symbol => "a symbol".into(),
            Requirement::Number => "a number".into(),
        }
    }

    /// The evidence step, the value read, and whether it meets the requirement.
    fn judge(self, p: &PasswordPolicy) -> (&'static str, serde_json::Value, bool) {
        match self {
            Requirement::MinLength(n) => {
                let v = p.minimum_password_length.unwrap_or(6);
                ("password_policy.minimum_password_length", v.into(), v >= n)
            }
            Requirement::Reuse(n) => match p.password_reuse_prevention {
                Some(v) => ("password_policy.password_reuse_prevention", v.into(), v >= n),
                None => ("password_policy.password_reuse_prevention", "off".into(), false),
            },
            Requirement::MaxAge(n) => match (p.expire_passwords || p.max_password_age.is_some(), p.max_password_age) {
                (true, Some(v)) => ("password_policy.max_password_age", v.into(), v <= n),
                _ => ("password_policy.max_password_age", "passwords never expire".into(), false),
            },
            Requirement::Uppercase => (
                "password_policy.require_uppercase_characters",
                p.require_uppercase_characters.into(),
                p.require_uppercase_characters,
            ),
            Requirement::Lowercase => (
                "password_policy.require_lowercase_characters",
                p.require_lowercase_characters.into(),
                p.require_lowercase_characters,
            ),
            Requirement::Symbol => ("password_policy.require_symbols", p.require_symbols.into(), p.require_symbols),
            Requirement::Number => ("password_policy.require_numbers", p.require_numbers.into(), p.require_numbers),
        }
    }

    /// The smallest change to `p` that meets the requirement (every other setting kept).
    fn apply(self, p: &PasswordPolicy) -> PasswordPolicy {
        let mut out = p.clone();
        match self {
            Requirement::MinLength(n) => {
                out.minimum_password_length = Some(n.max(p.minimum_password_length.unwrap_or(0)))
            }
            Requirement::Reuse(n) => {
                out.password_reuse_prevention = Some(n.max(p.password_reuse_prevention.unwrap_or(0)))
            }
            Requirement::MaxAge(n) => {
                out.max_password_age = Some(p.max_password_age.map_or(n, |v| v.min(n)));
                out.expire_passwords = true;
            }
            Requirement::Uppercase => out.require_uppercase_characters = true,
            Requirement::Lowercase => out.require_lowercase_characters = true,
            Requirement::Symbol => out.require_symbols = true,
            Requirement::Number => out.require_numbers = true,
        }
        out
    }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let about = Finding::about(control, Subject::Account, &acct.account_id);
    let Some(req) = Requirement::of(control) else {
        let m = format!("no password requirement is defined for control {}", control.key);
        return vec![(
            ControlResult::new(control, &acct.account_id, None, Status::Error, m.clone()),
            vec![about.status(Status::Error).message(m)],
        )];
    };
    let (status, message, evidence, remediation) = match &acct.account_wide.password_policy {
        None => (Status::Error, "the password policy was not collected".to_string(), vec![], None),
        Some(Collected::Error(e)) => {
            let m = format!("the password policy could not be read: {e}");
            (Status::Error, m.clone(), vec![Evidence::bad("password_policy.read", m)], None)
        }
        Some(Collected::Ok(None)) => (
            Status::Fail,
            format!("the account has no password policy (IAM's default asks for 8 characters and nothing else); {} is required", req.wanted()),
            vec![Evidence::bad("password_policy", "none (NoSuchEntity)")],
            Some(UpdatePasswordPolicy { target: req.apply(&PasswordPolicy::default()) }.cli("")),
        ),
        Some(Collected::Ok(Some(p))) => {
            let (step, value, ok) = req.judge(p);
            let evidence = vec![Evidence::new(step, value.clone(), Some(ok)), Evidence::info("password_policy.required", req.wanted())];
            if ok {
                (Status::Pass, format!("the password policy requires {} ({value})", req.wanted()), evidence, None)
            } else {
                let fix = UpdatePasswordPolicy { target: req.apply(p) }.cli("");
                (Status::Fail, format!("the password policy does not require {} ({step}: {value})", req.wanted()), evidence, Some(fix))
            }
        }
    };
    let finding = about.status(status).message(message.clone()).evidence(evidence).remediation(remediation);
    vec![(ControlResult::new(control, &acct.account_id, None, status, message), vec![finding])]
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    let Some(req) = Requirement::of(input.control) else { return vec![] };
    let current = match &input.acct.account_wide.password_policy {
        Some(Collected::Ok(p)) => p.clone().unwrap_or_default(),
        _ => return vec![],
    };
    vec![Proposal {
        region: input.options.home_region.clone(),
        action: UpdatePasswordPolicy { target: req.apply(&current) }.into(),
        missing: vec![],
        manual: None,
    }]
}

#[cfg(test)]
mod tests;
