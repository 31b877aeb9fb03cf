//! Snapshot cases of EFS encryption: the compliant fixture (an encrypted file system in each
//! region) broken one way per case.

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    efs_encrypted_everywhere_passes: "5.0.0", ["2.3.1"], |inv| {},
    efs_unencrypted_fails: "7.0.0", ["3.3.1"], |inv| {
        let fs = &mut ok(region_of(inv, "eu-west-1").efs_file_systems.as_mut().unwrap())[0];
        fs.encrypted = false;
        fs.kms_key_id = None;
    },
    efs_unreadable_region_is_error: "6.0.0", ["3.3.1"], |inv| {
        region_of(inv, "us-east-1").efs_file_systems =
            Some(Collected::Error(err("elasticfilesystem:DescribeFileSystems", "AccessDeniedException")));
    },
    efs_none_passes: "5.0.0", ["2.3.1"], |inv| {
        for r in ["us-east-1", "eu-west-1"] {
            region_of(inv, r).efs_file_systems = Some(Collected::Ok(vec![]));
        }
    },
}

snapshot_cases! {
    efs_unencrypted_fails_in_a_manual_version_too: "2.0.0", ["2.4.1"], |inv| {
        ok(region_of(inv, "us-east-1").efs_file_systems.as_mut().unwrap())[0].encrypted = false;
    },
}
