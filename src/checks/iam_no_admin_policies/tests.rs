//! Snapshot cases of iam-no-admin-policies: the document judged by meaning.

use crate::checks::fixtures::*;
use crate::inventory::*;
use serde_json::json;

fn add(inv: &mut Inventory, p: ManagedPolicy) {
    ok(inv.accounts[0].account_wide.policies.as_mut().unwrap()).push(p);
}

fn doc(statements: serde_json::Value) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

snapshot_cases! {
    no_admin_policy_passes: "5.0.0", ["1.15"], |inv| {},
    admin_through_lists_fails: "5.0.0", ["1.15"], |inv| {
        add(inv, managed_policy("ops", false, 2, doc(json!([
            {"Effect": "Allow", "Action": ["s3:*", "*"], "Resource": ["arn:aws:s3:::logs", "*"]}]))));
    },
    admin_as_a_single_statement_object_fails: "6.0.0", ["2.15"], |inv| {
        add(inv, managed_policy("AdministratorAccess", true, 1, json!({"Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "*:*", "Resource": "*"}})));
    },
    not_action_leaving_iam_is_admin: "5.0.0", ["1.15"], |inv| {
        add(inv, managed_policy("almost-all", false, 1, doc(json!([
            {"Sid": "AllButBilling", "Effect": "Allow", "NotAction": ["aws-portal:*"], "Resource": "*"}]))));
    },
    not_action_excluding_iam_is_not_admin: "5.0.0", ["1.15"], |inv| {
        add(inv, managed_policy("power-user", false, 1, doc(json!([
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}]))));
    },
    deny_of_iam_beside_takes_admin_away: "5.0.0", ["1.15"], |inv| {
        add(inv, managed_policy("fenced", false, 1, doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:*"], "Resource": "*"}]))));
    },
    conditional_or_narrow_deny_does_not: "5.0.0", ["1.15"], |inv| {
        add(inv, managed_policy("fenced-if", false, 1, doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}},
            {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]))));
    },
    scoped_star_action_is_not_admin: "5.0.0", ["1.15"], |inv| {
        add(inv, managed_policy("bucket-admin", false, 1, doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::data/*"}]))));
    },
    unattached_admin_passes_v5_fails_v1_2_twin_a: "5.0.0", ["1.15"], |inv| {
        add(inv, managed_policy("old-admin", false, 0, doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))));
    },
    unattached_admin_passes_v5_fails_v1_2_twin_b: "1.2.0", ["1.22"], |inv| {
        add(inv, managed_policy("old-admin", false, 0, doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))));
    },
    unparsable_or_unread_document_is_error: "5.0.0", ["1.15"], |inv| {
        let mut p = managed_policy("broken", false, 1, json!({}));
        p.document = Some(Collected::Ok("{not json".into()));
        add(inv, p);
        let mut q = managed_policy("denied", false, 1, json!({}));
        q.document = Some(Collected::Error(err("iam:GetPolicyVersion", "AccessDenied")));
        add(inv, q);
    },
}
