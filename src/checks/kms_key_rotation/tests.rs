//! Snapshot cases of KMS key rotation.

use crate::checks::fixtures::*;
use crate::inventory::*;

/// A key of the fixture's region, described as given.
fn key(
    region: &str,
    id: &str,
    manager: &str,
    spec: &str,
    state: &str,
    origin: &str,
    rotation: Option<bool>,
) -> KmsKeyDetails {
    KmsKeyDetails {
        key_id: id.into(),
        arn: format!("arn:aws:kms:{region}:{ACCT}:key/{id}"),
        manager: Some(manager.into()),
        spec: Some(spec.into()),
        state: Some(state.into()),
        origin: Some(origin.into()),
        error: None,
        rotation: rotation.map(Collected::Ok),
    }
}

fn keys<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<KmsKeyDetails> {
    let Some(Collected::Ok(k)) = region_of(inv, region).kms_keys.as_mut() else { panic!("the fixture has no keys") };
    k
}

snapshot_cases! {
    kms_rotation_on: "5.0.0", ["3.6"], |inv| {},
    kms_rotation_off_in_one_region: "5.0.0", ["3.6"], |inv| {
        keys(inv, "eu-west-1")[0].rotation = Some(Collected::Ok(false));
    },
    kms_skips_what_cannot_rotate: "5.0.0", ["3.6"], |inv| {
        // None of these is a key the benchmark asks to rotate, whatever its rotation says.
        let r = "us-east-1";
        keys(inv, r).extend([
            key(r, "rsa", "CUSTOMER", "RSA_2048", "Enabled", "AWS_KMS", None),
            key(r, "hmac", "CUSTOMER", "HMAC_256", "Enabled", "AWS_KMS", None),
            key(r, "off", "CUSTOMER", "SYMMETRIC_DEFAULT", "Disabled", "AWS_KMS", None),
            key(r, "going", "CUSTOMER", "SYMMETRIC_DEFAULT", "PendingDeletion", "AWS_KMS", None),
            key(r, "imported", "CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled", "EXTERNAL", None),
        ]);
    },
    kms_only_aws_managed_keys_pass: "5.0.0", ["3.6"], |inv| {
        for r in ["us-east-1", "eu-west-1"] {
            keys(inv, r).retain(|k| k.manager.as_deref() == Some("AWS"));
        }
    },
    kms_rotation_unreadable_is_error: "6.0.0", ["4.6"], |inv| {
        keys(inv, "us-east-1")[0].rotation = Some(Collected::Error(err("kms:GetKeyRotationStatus", "AccessDeniedException")));
    },
    kms_listing_denied_is_error: "7.0.0", ["4.6"], |inv| {
        region_of(inv, "eu-west-1").kms_keys = Some(Collected::Error(err("kms:ListKeys", "AccessDeniedException")));
    },
}
