//! Snapshot cases of EBS encryption by default: the compliant fixture (on in both regions)
//! broken one way per case.

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    ebs_default_on_everywhere: "5.0.0", ["5.1.1"], |inv| {},
    ebs_default_off_in_one_region: "5.0.0", ["5.1.1"], |inv| {
        region_of(inv, "eu-west-1").ebs_encryption_by_default = Some(Collected::Ok(false));
    },
    ebs_default_unreadable_in_one_region: "6.0.0", ["6.1.1"], |inv| {
        region_of(inv, "us-east-1").ebs_encryption_by_default =
            Some(Collected::Error(err("ec2:GetEbsEncryptionByDefault", "UnauthorizedOperation")));
    },
    ebs_default_off_and_unreadable_is_fail: "7.0.0", ["6.1.1"], |inv| {
        region_of(inv, "us-east-1").ebs_encryption_by_default =
            Some(Collected::Error(err("ec2:GetEbsEncryptionByDefault", "UnauthorizedOperation")));
        region_of(inv, "eu-west-1").ebs_encryption_by_default = Some(Collected::Ok(false));
    },
    ebs_default_v1_4_storage_section: "1.4.0", ["2.2.1"], |inv| {
        region_of(inv, "us-east-1").ebs_encryption_by_default = Some(Collected::Ok(false));
    },
}
