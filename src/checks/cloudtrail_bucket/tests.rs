//! Snapshot cases of the CloudTrail bucket: the compliant fixture (the trail's bucket is the
//! account's own, private, and logged) broken one way per case, and a bucket in another account.

use crate::checks::fixtures::*;
use crate::inventory::*;

/// The trail delivers to a bucket of another account, as this account read it.
fn foreign(inv: &mut Inventory, read: impl FnOnce(&mut S3Bucket)) {
    inv.accounts[0].trails[0].s3_bucket = Some("org-log-archive".into());
    let mut b = bucket("org-log-archive", "us-east-1");
    read(&mut b);
    inv.accounts[0].account_wide.other_buckets = vec![b];
}

snapshot_cases! {
    trail_bucket_private_and_logged_passes: "2.0.0", ["3.3", "3.6"], |inv| {},
    trail_bucket_logging_off_fails_where_automated: "4.0.0", ["3.4"], |inv| {
        bucket_of(inv, "trail-bucket").logging = Some(Collected::Ok(None));
    },
    trail_bucket_logging_off_fails_in_v5_too: "5.0.0", ["3.4"], |inv| {
        bucket_of(inv, "trail-bucket").logging = Some(Collected::Ok(None));
    },
    trail_bucket_public_acl_and_policy_fail: "1.2.0", ["2.3"], |inv| {
        let b = bucket_of(inv, "trail-bucket");
        b.acl = Some(Collected::Ok(vec![AclGrant { grantee_type: "Group".into(),
            uri: Some("http://acs.amazonaws.com/groups/global/AuthenticatedUsers".into()), id: None, permission: "READ_ACP".into() }]));
        b.policy = Some(Collected::Ok(Some(serde_json::json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::trail-bucket/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}).to_string())));
    },
    trail_bucket_in_another_account_refused_is_manual: "4.0.0", ["3.4"], |inv| {
        foreign(inv, |b| b.logging = Some(Collected::Error(err("s3:GetBucketLogging", "AccessDenied"))));
    },
    trail_bucket_in_another_account_location_refused_is_manual: "1.4.0", ["3.3", "3.6"], |inv| {
        foreign(inv, |b| b.region = Some(Collected::Error(err("s3:GetBucketLocation", "AccessDenied"))));
    },
    trail_bucket_in_another_account_readable_is_judged: "3.0.0", ["3.4"], |inv| {
        foreign(inv, |b| b.logging = Some(Collected::Ok(None)));
    },
    trail_bucket_own_refused_is_error: "4.0.0", ["3.4"], |inv| {
        bucket_of(inv, "trail-bucket").logging = Some(Collected::Error(err("s3:GetBucketLogging", "AccessDenied")));
    },
    trail_bucket_no_trail_passes: "4.0.0", ["3.4"], |inv| {
        inv.accounts[0].trails.clear();
    },
}

snapshot_cases! {
    trail_bucket_of_an_audited_owner_uses_its_reading: "4.0.0", ["3.4"], |inv| {
        // An organization trail whose bucket the management account owns and read.
        let mut mgmt = inv.accounts[0].clone();
        mgmt.account_id = MGMT.into();
        let mut b = bucket("org-log-archive", "us-east-1");
        b.logging = Some(Collected::Ok(None));
        mgmt.account_wide.buckets = Some(Collected::Ok(vec![b]));
        mgmt.support = true;
        inv.accounts.push(mgmt);
        inv.accounts[0].trails[0].s3_bucket = Some("org-log-archive".into());
        inv.accounts[0].account_wide.other_buckets = vec![{
            let mut denied = bucket("org-log-archive", "us-east-1");
            denied.logging = Some(Collected::Error(err("s3:GetBucketLogging", "AccessDenied")));
            denied
        }];
    },
}
