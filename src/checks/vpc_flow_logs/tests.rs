//! Snapshot cases of VPC flow logging.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn logs<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<FlowLog> {
    ok(region_of(inv, region).flow_logs.as_mut().unwrap())
}

fn vpcs<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<Vpc> {
    ok(region_of(inv, region).vpcs.as_mut().unwrap())
}

snapshot_cases! {
    flow_logs_everywhere: "5.0.0", ["3.7"], |inv| {},
    flow_log_on_one_vpc_of_two: "5.0.0", ["3.7"], |inv| {
        vpcs(inv, "eu-west-1").push(Vpc { id: "vpc-app".into(), cidr: Some("10.1.0.0/16".into()), is_default: false });
    },
    flow_log_of_accepted_traffic_only: "6.0.0", ["4.7"], |inv| {
        logs(inv, "us-east-1")[0].traffic_type = "ACCEPT".into();
    },
    flow_log_failing_delivery: "7.0.0", ["4.7"], |inv| {
        let l = &mut logs(inv, "eu-west-1")[0];
        l.deliver_status = Some("FAILED".into());
        l.deliver_error = Some("Access error".into());
    },
    flow_log_on_a_subnet_does_not_cover_the_vpc: "5.0.0", ["3.7"], |inv| {
        logs(inv, "us-east-1")[0].resource_id = "subnet-1".into();
    },
    flow_logs_no_vpc_at_all: "5.0.0", ["3.7"], |inv| {
        for r in ["us-east-1", "eu-west-1"] {
            vpcs(inv, r).clear();
            logs(inv, r).clear();
        }
    },
    flow_logs_unreadable: "1.2.0", ["2.9"], |inv| {
        region_of(inv, "eu-west-1").flow_logs = Some(Collected::Error(err("ec2:DescribeFlowLogs", "UnauthorizedOperation")));
    },
}
