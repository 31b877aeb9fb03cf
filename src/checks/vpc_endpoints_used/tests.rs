//! Snapshot cases of VPC endpoints: MANUAL with each VPC's endpoints for the assessor.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn endpoint(id: &str, vpc: &str, service: &str, kind: &str, state: &str) -> VpcEndpoint {
    VpcEndpoint {
        id: id.into(),
        vpc_id: vpc.into(),
        service_name: service.into(),
        endpoint_type: kind.into(),
        state: state.into(),
    }
}

snapshot_cases! {
    vpc_endpoints_listed_per_vpc: "7.0.0", ["6.8"], |inv| {
        let r = region_of(inv, "us-east-1");
        let Some(Collected::Ok(vpcs)) = r.vpcs.as_mut() else { panic!("the fixture has VPCs") };
        vpcs.push(Vpc { id: "vpc-app".into(), cidr: Some("10.1.0.0/16".into()), is_default: false });
        r.vpc_endpoints = Some(Collected::Ok(vec![
            endpoint("vpce-s3", "vpc-us-east-1", "com.amazonaws.us-east-1.s3", "Gateway", "available"),
            endpoint("vpce-ssm", "vpc-us-east-1", "com.amazonaws.us-east-1.ssm", "Interface", "pendingAcceptance"),
        ]));
    },
    vpc_endpoints_none_anywhere_is_manual: "7.0.0", ["6.8"], |inv| {
        for r in &mut inv.accounts[0].resources {
            r.vpc_endpoints = Some(Collected::Ok(vec![]));
        }
    },
    vpc_endpoints_no_vpc_passes: "7.0.0", ["6.8"], |inv| {
        for r in &mut inv.accounts[0].resources {
            r.vpcs = Some(Collected::Ok(vec![]));
        }
    },
    vpc_endpoints_unreadable_region_is_error: "7.0.0", ["6.8"], |inv| {
        region_of(inv, "eu-west-1").vpc_endpoints = Some(Collected::Error(err("ec2:DescribeVpcEndpoints", "UnauthorizedOperation")));
    },
}
