//! IAM: what is read once per account, in the partition's global region.

use super::model::*;
use super::read;
use crate::aws::{Lane, Runtime, Session};

/// `GetAccountPasswordPolicy`: the policy, or Ok(None) when the account has none (IAM answers
/// `NoSuchEntity`).
pub(crate) async fn password_policy(s: &Session, rt: &Runtime, region: &str) -> Collected<Option<PasswordPolicy>> {
    let client = aws_sdk_iam::Client::new(&s.region_config(region));
    match read(s, rt, Lane::Leaf, "iam:GetAccountPasswordPolicy", None, client.get_account_password_policy().send())
        .await
    {
        Ok(o) => Collected::Ok(o.password_policy().map(|p| PasswordPolicy {
            minimum_password_length: p.minimum_password_length(),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase_characters: p.require_uppercase_characters(),
            require_lowercase_characters: p.require_lowercase_characters(),
            allow_users_to_change_password: p.allow_users_to_change_password(),
            expire_passwords: p.expire_passwords(),
            max_password_age: p.max_password_age(),
            password_reuse_prevention: p.password_reuse_prevention(),
            hard_expiry: p.hard_expiry(),
        })),
        Err(e) if e.code == "NoSuchEntity" => Collected::Ok(None),
        Err(e) => Collected::Error(e),
    }
}
