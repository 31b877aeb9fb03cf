//! Snapshot cases of the TLS-only bucket policy: the compliant fixture (both buckets deny HTTP
//! on the bucket and its objects) broken one way per case.

use crate::checks::fixtures::*;
use crate::inventory::*;
use serde_json::json;

/// Sets bucket `data-111122223333`'s policy to one statement.
fn policy(inv: &mut Inventory, statement: serde_json::Value) {
    bucket_of(inv, "data-111122223333").policy =
        Some(Collected::Ok(Some(json!({"Version": "2012-10-17", "Statement": statement}).to_string())));
}

fn deny(principal: serde_json::Value, action: serde_json::Value, resource: serde_json::Value) -> serde_json::Value {
    json!({"Sid": "TlsOnly", "Effect": "Deny", "Principal": principal, "Action": action, "Resource": resource,
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
}

const B: &str = "arn:aws:s3:::data-111122223333";
const O: &str = "arn:aws:s3:::data-111122223333/*";

snapshot_cases! {
    deny_http_every_bucket_passes: "5.0.0", ["2.1.1"], |inv| {},
    deny_http_no_policy_fails: "5.0.0", ["2.1.1"], |inv| {
        bucket_of(inv, "data-111122223333").policy = Some(Collected::Ok(None));
    },
    deny_http_objects_only_passes_with_a_note: "6.0.0", ["3.1.1"], |inv| {
        policy(inv, deny(json!("*"), json!("s3:*"), json!(O)));
    },
    deny_http_bucket_arn_only_fails: "7.0.0", ["3.1.1"], |inv| {
        policy(inv, deny(json!("*"), json!("s3:*"), json!(B)));
    },
    deny_http_action_list_with_s3_star_and_aws_star_principal: "5.0.0", ["2.1.1"], |inv| {
        policy(inv, deny(json!({"AWS": "*"}), json!(["s3:GetObject", "s3:*"]), json!([B, O])));
    },
    deny_http_get_star_is_not_everything: "5.0.0", ["2.1.1"], |inv| {
        policy(inv, deny(json!("*"), json!(["s3:Get*", "s3:Put*"]), json!([B, O])));
    },
    deny_http_allow_with_secure_transport_true_is_not_a_deny: "5.0.0", ["2.1.1"], |inv| {
        policy(inv, json!([{"Sid": "HttpsOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "s3:*", "Resource": [B, O], "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]));
    },
    deny_http_boolean_false_and_bool_if_exists_pass: "5.0.0", ["2.1.1"], |inv| {
        policy(inv, json!({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "arn:aws:s3:::data-111122223333*",
            "Condition": {"BoolIfExists": {"aws:securetransport": false}}}));
    },
    deny_http_one_principal_and_extra_condition_fail: "5.0.0", ["2.1.1"], |inv| {
        policy(inv, json!([
            deny(json!({"AWS": "arn:aws:iam::111122223333:root"}), json!("s3:*"), json!([B, O])),
            {"Sid": "OnlyFromVpc", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [B, O],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:SourceVpc": "vpc-1"}}}]));
    },
    deny_http_tls_version_counts_from_v4: "4.0.0", ["2.1.1"], |inv| {
        policy(inv, json!({"Sid": "MinTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [B, O],
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}));
    },
    deny_http_tls_version_not_before_v4: "3.0.0", ["2.1.1"], |inv| {
        policy(inv, json!({"Sid": "MinTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [B, O],
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}));
    },
    deny_http_unreadable_policy_and_region_are_errors: "5.0.0", ["2.1.1"], |inv| {
        bucket_of(inv, "data-111122223333").policy = Some(Collected::Error(err("s3:GetBucketPolicy", "AccessDenied")));
        bucket_of(inv, "trail-bucket").region = Some(Collected::Error(err("s3:GetBucketLocation", "AccessDenied")));
    },
    deny_http_invalid_json_fails: "1.4.0", ["2.1.2"], |inv| {
        bucket_of(inv, "data-111122223333").policy = Some(Collected::Ok(Some("{not json".into())));
    },
    deny_http_no_bucket_passes: "5.0.0", ["2.1.1"], |inv| {
        inv.accounts[0].account_wide.buckets = Some(Collected::Ok(vec![]));
    },
    deny_http_bucket_list_denied_is_error: "5.0.0", ["2.1.1"], |inv| {
        inv.accounts[0].account_wide.buckets = Some(Collected::Error(err("s3:ListAllMyBuckets", "AccessDenied")));
    },
}
