//! Snapshot cases of MFA Delete: the compliant fixture (versioning and MFA Delete on both
//! buckets) broken one way per case, in an Automated version (v1.4.0) and a Manual one.

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    mfa_delete_enabled_passes: "5.0.0", ["2.1.2"], |inv| {},
    mfa_delete_off_fails_where_automated: "1.4.0", ["2.1.3"], |inv| {
        bucket_of(inv, "data-111122223333").versioning =
            Some(Collected::Ok(BucketVersioning { status: Some("Enabled".into()), mfa_delete: Some("Disabled".into()) }));
    },
    mfa_delete_never_configured_fails_where_manual_too: "7.0.0", ["3.1.2"], |inv| {
        bucket_of(inv, "data-111122223333").versioning = Some(Collected::Ok(BucketVersioning::default()));
    },
    mfa_delete_unreadable_is_error: "5.0.0", ["2.1.2"], |inv| {
        bucket_of(inv, "trail-bucket").versioning = Some(Collected::Error(err("s3:GetBucketVersioning", "AccessDenied")));
    },
}
