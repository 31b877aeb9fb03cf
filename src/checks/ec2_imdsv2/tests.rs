//! Snapshot cases of IMDSv2.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn instances<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<Instance> {
    ok(region_of(inv, region).instances.as_mut().unwrap())
}

snapshot_cases! {
    imdsv2_required_everywhere: "5.0.0", ["5.7"], |inv| {},
    imdsv1_allowed_on_a_stopped_instance: "5.0.0", ["5.7"], |inv| {
        let i = &mut instances(inv, "eu-west-1")[0];
        i.http_tokens = Some("optional".into());
        i.state = "stopped".into();
    },
    imds_endpoint_disabled_passes: "6.0.0", ["6.7"], |inv| {
        let i = &mut instances(inv, "us-east-1")[0];
        i.http_tokens = Some("optional".into());
        i.http_endpoint = Some("disabled".into());
    },
    imds_no_instances: "7.0.0", ["6.7"], |inv| {
        instances(inv, "us-east-1").clear();
        instances(inv, "eu-west-1").clear();
    },
    imds_unreadable: "5.0.0", ["5.7"], |inv| {
        region_of(inv, "us-east-1").instances = Some(Collected::Error(err("ec2:DescribeInstances", "UnauthorizedOperation")));
    },
}
