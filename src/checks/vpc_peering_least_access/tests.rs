//! Snapshot cases of VPC peering routes: MANUAL with the evidence an assessor reads.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn peering(id: &str, status: &str) -> PeeringConnection {
    PeeringConnection {
        id: id.into(),
        status: status.into(),
        requester_vpc: "vpc-us-east-1".into(),
        requester_cidr: Some("172.31.0.0/16".into()),
        requester_owner: ACCT.into(),
        accepter_vpc: "vpc-peer".into(),
        accepter_cidr: Some("10.20.0.0/16".into()),
        accepter_owner: "222222222222".into(),
    }
}

fn route(dest: &str, pcx: &str) -> Route {
    Route { destination: dest.into(), peering_connection: Some(pcx.into()), state: Some("active".into()) }
}

snapshot_cases! {
    peering_none_passes: "5.0.0", ["5.6"], |inv| {},
    peering_whole_vpc_and_one_subnet: "5.0.0", ["5.6"], |inv| {
        let r = region_of(inv, "us-east-1");
        r.peering_connections = Some(Collected::Ok(vec![peering("pcx-1", "active")]));
        r.peering_routes = Some(Collected::Ok(vec![
            RouteTable { id: "rtb-main".into(), vpc_id: "vpc-us-east-1".into(), routes: vec![route("10.20.0.0/16", "pcx-1")], subnets: vec![] },
            RouteTable {
                id: "rtb-app".into(),
                vpc_id: "vpc-us-east-1".into(),
                routes: vec![route("10.20.5.0/24", "pcx-1")],
                subnets: vec!["subnet-app".into()],
            },
        ]));
    },
    peering_deleted_is_only_listed: "7.0.0", ["6.6"], |inv| {
        region_of(inv, "eu-west-1").peering_connections = Some(Collected::Ok(vec![peering("pcx-old", "deleted")]));
    },
    peering_routes_unreadable: "1.2.0", ["4.4"], |inv| {
        let r = region_of(inv, "us-east-1");
        r.peering_connections = Some(Collected::Ok(vec![peering("pcx-1", "active")]));
        r.peering_routes = Some(Collected::Error(err("ec2:DescribeRouteTables", "UnauthorizedOperation")));
    },
}
