//! Snapshot cases of iam-group-permissions-only.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn users(inv: &mut Inventory) -> &mut Vec<IamUser> {
    ok(inv.accounts[0].account_wide.users.as_mut().unwrap())
}

snapshot_cases! {
    users_through_groups_pass: "5.0.0", ["1.14"], |inv| {},
    user_with_attached_and_inline_policies_fails: "7.0.0", ["2.13"], |inv| {
        users(inv)[0].attached_policies = Collected::Ok(vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()]);
        users(inv)[1].inline_policies = Collected::Ok(vec!["deploy-s3".into()]);
    },
    user_policies_unreadable_is_error: "1.2.0", ["1.16"], |inv| {
        users(inv)[1].inline_policies = Collected::Error(err("iam:ListUserPolicies", "AccessDenied"));
    },
    no_users_pass: "5.0.0", ["1.14"], |inv| {
        users(inv).clear();
    },
}
