//! Snapshot cases of the RDS family: the compliant fixture (in each region a standalone
//! Multi-AZ instance and an encrypted Aurora cluster with two members in two zones) broken one
//! way per case.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn instances<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<RdsInstance> {
    ok(region_of(inv, region).rds_instances.as_mut().unwrap())
}

fn clusters<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<RdsCluster> {
    ok(region_of(inv, region).rds_clusters.as_mut().unwrap())
}

snapshot_cases! {
    rds_compliant_passes_each_control: "5.0.0", ["2.2.1", "2.2.2", "2.2.3", "2.2.4"], |inv| {},
    rds_unencrypted_instance_fails: "5.0.0", ["2.2.1"], |inv| {
        instances(inv, "eu-west-1")[0].storage_encrypted = false;
    },
    rds_aurora_judged_by_the_cluster_not_its_members: "6.0.0", ["3.2.1"], |inv| {
        // The members report what the cluster has; the cluster alone decides, counted once.
        clusters(inv, "us-east-1")[0].storage_encrypted = false;
        for i in instances(inv, "us-east-1").iter_mut().filter(|i| i.cluster.is_some()) {
            i.storage_encrypted = false;
        }
    },
    rds_aurora_member_without_auto_minor_upgrade_fails_the_cluster: "7.0.0", ["3.2.2"], |inv| {
        instances(inv, "us-east-1")[2].auto_minor_version_upgrade = false;
    },
    rds_public_instance_and_public_member: "5.0.0", ["2.2.3"], |inv| {
        instances(inv, "us-east-1")[0].publicly_accessible = Some(true);
        instances(inv, "eu-west-1")[1].publicly_accessible = Some(true);
    },
    rds_public_access_not_reported_is_error: "4.0.0", ["2.2.3"], |inv| {
        instances(inv, "us-east-1")[0].publicly_accessible = None;
    },
    rds_single_az_fails: "5.0.0", ["2.2.4"], |inv| {
        instances(inv, "us-east-1")[0].multi_az = false;
        clusters(inv, "eu-west-1")[0].multi_az = false;
        instances(inv, "eu-west-1")[2].availability_zone = Some("eu-west-1a".into());
    },
    rds_member_of_an_unlisted_cluster_is_judged_alone: "5.0.0", ["2.2.1"], |inv| {
        region_of(inv, "eu-west-1").rds_clusters = Some(Collected::Error(err("rds:DescribeDBClusters", "AccessDenied")));
        instances(inv, "eu-west-1")[1].storage_encrypted = false;
    },
    rds_unreadable_region_is_error: "3.0.0", ["2.3.1"], |inv| {
        region_of(inv, "us-east-1").rds_instances = Some(Collected::Error(err("rds:DescribeDBInstances", "AccessDenied")));
    },
    rds_none_passes: "5.0.0", ["2.2.1"], |inv| {
        for r in ["us-east-1", "eu-west-1"] {
            region_of(inv, r).rds_instances = Some(Collected::Ok(vec![]));
            region_of(inv, r).rds_clusters = Some(Collected::Ok(vec![]));
        }
    },
}
