//! Snapshot cases of S3 default encryption (v1.4.0 only, assessed as Manual): the compliant
//! fixture (SSE-KMS on both buckets) broken one way per case.

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    default_encryption_passes: "1.4.0", ["2.1.1"], |inv| {},
    default_encryption_missing_fails: "1.4.0", ["2.1.1"], |inv| {
        bucket_of(inv, "data-111122223333").encryption = Some(Collected::Ok(None));
    },
    default_encryption_sse_s3_passes_and_unreadable_is_error: "1.4.0", ["2.1.1"], |inv| {
        bucket_of(inv, "data-111122223333").encryption = Some(Collected::Ok(Some(vec!["AES256".into()])));
        bucket_of(inv, "trail-bucket").encryption =
            Some(Collected::Error(err("s3:GetEncryptionConfiguration", "AccessDenied")));
    },
}
