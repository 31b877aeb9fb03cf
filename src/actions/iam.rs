//! IAM actions: the account password policy, made at least as strict as a requirement (never
//! weaker than what the account has), and put back as it was by rollback.

use super::{Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::{iam as read, Collected, PasswordPolicy};
use serde::{Deserialize, Serialize};

/// The account's password policy (None: the account has none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PasswordPolicyState {
    pub policy: Option<PasswordPolicy>,
}

async fn observe_policy(cx: &Cx<'_>) -> Result<PasswordPolicyState, ActionError> {
    match read::password_policy(cx.session, cx.rt, cx.region).await {
        Collected::Ok(policy) => Ok(PasswordPolicyState { policy }),
        Collected::Error(e) => Err(e.into()),
    }
}

fn iam(cx: &Cx<'_>) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&cx.config())
}

/// The stricter of two policies, setting by setting.
pub(crate) fn stricter(a: &PasswordPolicy, b: &PasswordPolicy) -> PasswordPolicy {
    let max = |x: Option<i32>, y: Option<i32>| x.max(y);
    let min_age = match (a.max_password_age, b.max_password_age) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    PasswordPolicy {
        minimum_password_length: max(a.minimum_password_length, b.minimum_password_length),
        require_symbols: a.require_symbols || b.require_symbols,
        require_numbers: a.require_numbers || b.require_numbers,
        require_uppercase_characters: a.require_uppercase_characters || b.require_uppercase_characters,
        require_lowercase_characters: a.require_lowercase_characters || b.require_lowercase_characters,
        allow_users_to_change_password: a.allow_users_to_change_password || b.allow_users_to_change_password,
        expire_passwords: min_age.is_some(),
        max_password_age: min_age,
        password_reuse_prevention: max(a.password_reuse_prevention, b.password_reuse_prevention),
        hard_expiry: match (a.hard_expiry, b.hard_expiry) {
            (None, None) => None,
            (x, y) => Some(x.unwrap_or(false) || y.unwrap_or(false)),
        },
    }
}

/// Whether `have` is at least as strict as `want` in every setting `want` makes.
fn meets(have: &PasswordPolicy, want: &PasswordPolicy) -> bool {
    stricter(have, want) == *have
}

/// The AWS CLI arguments that set exactly `p` (every setting given: the API resets the ones
/// left out).
fn cli_args(p: &PasswordPolicy) -> String {
    let flag = |on: bool, name: &str| if on { format!(" --{name}") } else { format!(" --no-{name}") };
    let mut s = String::new();
    if let Some(n) = p.minimum_password_length {
        s += &format!(" --minimum-password-length {n}");
    }
    s += &flag(p.require_symbols, "require-symbols");
    s += &flag(p.require_numbers, "require-numbers");
    s += &flag(p.require_uppercase_characters, "require-uppercase-characters");
    s += &flag(p.require_lowercase_characters, "require-lowercase-characters");
    s += &flag(p.allow_users_to_change_password, "allow-users-to-change-password");
    if let Some(n) = p.max_password_age {
        s += &format!(" --max-password-age {n}");
    }
    if let Some(n) = p.password_reuse_prevention {
        s += &format!(" --password-reuse-prevention {n}");
    }
    if let Some(h) = p.hard_expiry {
        s += &flag(h, "hard-expiry");
    }
    s
}

async fn put(cx: &Cx<'_>, operation: &'static str, p: &PasswordPolicy) -> Result<(), ActionError> {
    let c = iam(cx)
        .update_account_password_policy()
        .set_minimum_password_length(p.minimum_password_length)
        .require_symbols(p.require_symbols)
        .require_numbers(p.require_numbers)
        .require_uppercase_characters(p.require_uppercase_characters)
        .require_lowercase_characters(p.require_lowercase_characters)
        .allow_users_to_change_password(p.allow_users_to_change_password)
        .set_max_password_age(p.max_password_age)
        .set_password_reuse_prevention(p.password_reuse_prevention)
        .set_hard_expiry(p.hard_expiry);
    cx.call(operation, c.send()).await?;
    Ok(())
}

/// Makes the password policy at least as strict as `target` (planned from the policy read at
/// audit time); applied merged with the policy read just before, so nothing gets weaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdatePasswordPolicy {
    pub target: PasswordPolicy,
}

impl Spec for UpdatePasswordPolicy {
    const OPERATION: &'static str = "iam:UpdateAccountPasswordPolicy";
    type State = PasswordPolicyState;
    fn resource(&self) -> String {
        "account password policy".into()
    }
    fn cli(&self, _region: &str) -> String {
        format!("aws iam update-account-password-policy{}", cli_args(&self.target))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<PasswordPolicyState, ActionError> {
        observe_policy(cx).await
    }
    fn precheck(&self, before: &PasswordPolicyState) -> Precheck {
        match &before.policy {
            Some(p) if meets(p, &self.target) => {
                Precheck::AlreadyDone("the password policy is already at least this strict".into())
            }
            _ => Precheck::Go,
        }
    }
    fn achieved(&self, s: &PasswordPolicyState) -> bool {
        s.policy.as_ref().is_some_and(|p| meets(p, &self.target))
    }
    fn inverse(&self, before: &PasswordPolicyState) -> Option<Action> {
        Some(RestorePasswordPolicy { previous: before.policy.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let now = observe_policy(cx).await?.policy.unwrap_or_default();
        let merged = stricter(&now, &self.target);
        put(cx, Self::OPERATION, &merged).await?;
        Ok("password policy updated".into())
    }
}

/// Puts the password policy back as it was: `previous`, or none at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestorePasswordPolicy {
    pub previous: Option<PasswordPolicy>,
}

impl Spec for RestorePasswordPolicy {
    const OPERATION: &'static str = "iam:UpdateAccountPasswordPolicy";
    type State = PasswordPolicyState;
    fn resource(&self) -> String {
        "account password policy".into()
    }
    fn cli(&self, _region: &str) -> String {
        match &self.previous {
            Some(p) => format!("aws iam update-account-password-policy{}", cli_args(p)),
            None => "aws iam delete-account-password-policy".into(),
        }
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<PasswordPolicyState, ActionError> {
        observe_policy(cx).await
    }
    fn achieved(&self, s: &PasswordPolicyState) -> bool {
        s.policy == self.previous
    }
    fn inverse(&self, _before: &PasswordPolicyState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        match &self.previous {
            Some(p) => {
                put(cx, Self::OPERATION, p).await?;
                Ok("password policy restored".into())
            }
            None => {
                cx.call("iam:DeleteAccountPasswordPolicy", iam(cx).delete_account_password_policy().send()).await?;
                Ok("password policy deleted (there was none)".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stricter_keeps_the_strictest_of_each_setting() {
        let have = PasswordPolicy {
            minimum_password_length: Some(20),
            require_symbols: true,
            max_password_age: Some(30),
            expire_passwords: true,
            password_reuse_prevention: Some(5),
            ..Default::default()
        };
        let want = PasswordPolicy {
            minimum_password_length: Some(14),
            password_reuse_prevention: Some(24),
            ..Default::default()
        };
        let m = stricter(&have, &want);
        assert_eq!(m.minimum_password_length, Some(20));
        assert_eq!(m.password_reuse_prevention, Some(24));
        assert_eq!(m.max_password_age, Some(30));
        assert!(m.require_symbols && m.expire_passwords);
        assert!(!meets(&have, &want) && meets(&m, &want) && meets(&m, &have));
        assert_eq!(
            UpdatePasswordPolicy { target: m }.cli("us-east-1"),
            "aws iam update-account-password-policy --minimum-password-length 20 --require-symbols --no-require-numbers --no-require-uppercase-characters --no-require-lowercase-characters --no-allow-users-to-change-password --max-password-age 30 --password-reuse-prevention 24"
        );
    }
}
