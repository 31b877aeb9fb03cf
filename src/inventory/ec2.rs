//! EC2 and VPC, per region: security groups (and the network interfaces of the open ones),
//! network ACLs, VPCs and their flow logs, EBS encryption by default, instances' metadata
//! options, peering connections and the routes through them. Every listing is read to its last
//! page.

use super::model::*;
use super::{pages, read};
use crate::aws::{Lane, Runtime, Session};
use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;

fn client(s: &Session, region: &str) -> Client {
    Client::new(&s.region_config(region))
}

/// `DescribeSecurityGroups`: every group of the region with its rules.
pub(crate) async fn security_groups(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<SecurityGroup>> {
    let c = client(s, region);
    let op = "ec2:DescribeSecurityGroups";
    Collected::from(
        pages(s, rt, op, region, |token| {
            let req = c.describe_security_groups().max_results(1000).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let groups = o
                        .security_groups()
                        .iter()
                        .map(|g| SecurityGroup {
                            id: g.group_id().unwrap_or_default().to_string(),
                            name: g.group_name().unwrap_or_default().to_string(),
                            vpc_id: g.vpc_id().map(str::to_string),
                            ingress: g.ip_permissions().iter().map(to_rule).collect(),
                            egress: g.ip_permissions_egress().iter().map(to_rule).collect(),
                        })
                        .collect();
                    (groups, o.next_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}

fn to_rule(p: &aws_sdk_ec2::types::IpPermission) -> IpRule {
    IpRule {
        protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4: p.ip_ranges().iter().filter_map(|r| r.cidr_ip().map(str::to_string)).collect(),
        ipv6: p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6().map(str::to_string)).collect(),
        prefix_lists: p.prefix_list_ids().iter().filter_map(|r| r.prefix_list_id().map(str::to_string)).collect(),
        groups: p.user_id_group_pairs().iter().filter_map(|r| r.group_id().map(str::to_string)).collect(),
    }
}

/// `DescribeNetworkInterfaces` of the interfaces attached to any of `groups` (at most 200 ids
/// per filter, as EC2 allows).
pub(crate) async fn interfaces_of(
    s: &Session,
    rt: &Runtime,
    region: &str,
    groups: &[String],
) -> Collected<Vec<NetworkInterface>> {
    let c = client(s, region);
    let mut out = Vec::new();
    for chunk in groups.chunks(200) {
        let filter = Filter::builder().name("group-id").set_values(Some(chunk.to_vec())).build();
        let res = pages(s, rt, "ec2:DescribeNetworkInterfaces", region, |token| {
            let req = c.describe_network_interfaces().filters(filter.clone()).max_results(1000).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .network_interfaces()
                        .iter()
                        .map(|n| NetworkInterface {
                            id: n.network_interface_id().unwrap_or_default().to_string(),
                            groups: n.groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect(),
                            instance_id: n.attachment().and_then(|a| a.instance_id()).map(str::to_string),
                            interface_type: n.interface_type().map(|t| t.as_str().to_string()),
                            description: n.description().filter(|d| !d.is_empty()).map(str::to_string),
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await;
        match res {
            Ok(list) => out.extend(list),
            Err(e) => return Collected::Error(e),
        }
    }
    Collected::Ok(out)
}

/// `DescribeNetworkAcls`: every network ACL of the region with its entries.
pub(crate) async fn network_acls(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<NetworkAcl>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "ec2:DescribeNetworkAcls", region, |token| {
            let req = c.describe_network_acls().max_results(1000).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .network_acls()
                        .iter()
                        .map(|a| NetworkAcl {
                            id: a.network_acl_id().unwrap_or_default().to_string(),
                            vpc_id: a.vpc_id().map(str::to_string),
                            is_default: a.is_default().unwrap_or(false),
                            entries: a
                                .entries()
                                .iter()
                                .map(|e| AclEntry {
                                    rule_number: e.rule_number().unwrap_or(0),
                                    protocol: e.protocol().unwrap_or("-1").to_string(),
                                    action: e.rule_action().map(|r| r.as_str().to_string()).unwrap_or_default(),
                                    egress: e.egress().unwrap_or(false),
                                    cidr: e.cidr_block().map(str::to_string),
                                    ipv6_cidr: e.ipv6_cidr_block().map(str::to_string),
                                    from_port: e.port_range().and_then(|p| p.from()),
                                    to_port: e.port_range().and_then(|p| p.to()),
                                })
                                .collect(),
                            subnets: a
                                .associations()
                                .iter()
                                .filter_map(|x| x.subnet_id().map(str::to_string))
                                .collect(),
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}

/// `DescribeVpcs`.
pub(crate) async fn vpcs(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<Vpc>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "ec2:DescribeVpcs", region, |token| {
            let req = c.describe_vpcs().max_results(1000).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .vpcs()
                        .iter()
                        .map(|v| Vpc {
                            id: v.vpc_id().unwrap_or_default().to_string(),
                            cidr: v.cidr_block().map(str::to_string),
                            is_default: v.is_default().unwrap_or(false),
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}

/// `DescribeVpcEndpoints`: every VPC endpoint of the region.
pub(crate) async fn vpc_endpoints(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<VpcEndpoint>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "ec2:DescribeVpcEndpoints", region, |token| {
            let req = c.describe_vpc_endpoints().max_results(1000).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .vpc_endpoints()
                        .iter()
                        .map(|e| VpcEndpoint {
                            id: e.vpc_endpoint_id().unwrap_or_default().to_string(),
                            vpc_id: e.vpc_id().unwrap_or_default().to_string(),
                            service_name: e.service_name().unwrap_or_default().to_string(),
                            endpoint_type: e.vpc_endpoint_type().map(|t| t.as_str().to_string()).unwrap_or_default(),
                            state: e.state().map(|t| t.as_str().to_string()).unwrap_or_default(),
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}

/// `DescribeFlowLogs`: every flow log of the region.
pub(crate) async fn flow_logs(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<FlowLog>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "ec2:DescribeFlowLogs", region, |token| {
            let req = c.describe_flow_logs().max_results(1000).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .flow_logs()
                        .iter()
                        .map(|f| FlowLog {
                            id: f.flow_log_id().unwrap_or_default().to_string(),
                            resource_id: f.resource_id().unwrap_or_default().to_string(),
                            traffic_type: f.traffic_type().map(|t| t.as_str().to_string()).unwrap_or_default(),
                            status: f.flow_log_status().map(str::to_string),
                            deliver_status: f.deliver_logs_status().map(str::to_string),
                            deliver_error: f.deliver_logs_error_message().filter(|m| !m.is_empty()).map(str::to_string),
                            destination_type: f.log_destination_type().map(|t| t.as_str().to_string()),
                            destination: f.log_destination().or(f.log_group_name()).map(str::to_string),
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}

/// `GetEbsEncryptionByDefault`.
pub(crate) async fn ebs_encryption_by_default(s: &Session, rt: &Runtime, region: &str) -> Collected<bool> {
    let c = client(s, region);
    let res = read(s, rt, Lane::Leaf, "ec2:GetEbsEncryptionByDefault", Some(region), || {
        c.get_ebs_encryption_by_default().send()
    })
    .await;
    Collected::from(res.map(|o| o.ebs_encryption_by_default().unwrap_or(false)))
}

/// `DescribeInstances`: every instance of the region but the terminated ones.
pub(crate) async fn instances(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<Instance>> {
    let c = client(s, region);
    let live = Filter::builder()
        .name("instance-state-name")
        .set_values(Some(["pending", "running", "shutting-down", "stopping", "stopped"].map(String::from).to_vec()))
        .build();
    Collected::from(
        pages(s, rt, "ec2:DescribeInstances", region, |token| {
            let req = c.describe_instances().filters(live.clone()).max_results(1000).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .reservations()
                        .iter()
                        .flat_map(|r| r.instances())
                        .map(|i| Instance {
                            id: i.instance_id().unwrap_or_default().to_string(),
                            state: i.state().and_then(|s| s.name()).map(|n| n.as_str().to_string()).unwrap_or_default(),
                            http_tokens: i
                                .metadata_options()
                                .and_then(|m| m.http_tokens())
                                .map(|t| t.as_str().to_string()),
                            http_endpoint: i
                                .metadata_options()
                                .and_then(|m| m.http_endpoint())
                                .map(|t| t.as_str().to_string()),
                            vpc_id: i.vpc_id().map(str::to_string),
                            instance_profile: i.iam_instance_profile().and_then(|p| p.arn()).map(str::to_string),
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}

/// `DescribeVpcPeeringConnections`: the active (and pending) peering connections of the region.
pub(crate) async fn peering_connections(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<PeeringConnection>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "ec2:DescribeVpcPeeringConnections", region, |token| {
            let req = c.describe_vpc_peering_connections().max_results(1000).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .vpc_peering_connections()
                        .iter()
                        .map(|p| {
                            let (req, acc) = (p.requester_vpc_info(), p.accepter_vpc_info());
                            PeeringConnection {
                                id: p.vpc_peering_connection_id().unwrap_or_default().to_string(),
                                status: p
                                    .status()
                                    .and_then(|s| s.code())
                                    .map(|c| c.as_str().to_string())
                                    .unwrap_or_default(),
                                requester_vpc: req.and_then(|v| v.vpc_id()).unwrap_or_default().to_string(),
                                requester_cidr: req.and_then(|v| v.cidr_block()).map(str::to_string),
                                requester_owner: req.and_then(|v| v.owner_id()).unwrap_or_default().to_string(),
                                accepter_vpc: acc.and_then(|v| v.vpc_id()).unwrap_or_default().to_string(),
                                accepter_cidr: acc.and_then(|v| v.cidr_block()).map(str::to_string),
                                accepter_owner: acc.and_then(|v| v.owner_id()).unwrap_or_default().to_string(),
                            }
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}

/// `DescribeRouteTables` of the route tables with a route through one of `peerings`.
pub(crate) async fn peering_routes(
    s: &Session,
    rt: &Runtime,
    region: &str,
    peerings: &[String],
) -> Collected<Vec<RouteTable>> {
    let c = client(s, region);
    let mut out = Vec::new();
    for chunk in peerings.chunks(200) {
        let filter = Filter::builder().name("route.vpc-peering-connection-id").set_values(Some(chunk.to_vec())).build();
        let res = pages(s, rt, "ec2:DescribeRouteTables", region, |token| {
            let req = c.describe_route_tables().filters(filter.clone()).max_results(100).set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .route_tables()
                        .iter()
                        .map(|t| RouteTable {
                            id: t.route_table_id().unwrap_or_default().to_string(),
                            vpc_id: t.vpc_id().unwrap_or_default().to_string(),
                            routes: t
                                .routes()
                                .iter()
                                .map(|r| Route {
                                    destination: r
                                        .destination_cidr_block()
                                        .or(r.destination_ipv6_cidr_block())
                                        .or(r.destination_prefix_list_id())
                                        .unwrap_or_default()
                                        .to_string(),
                                    peering_connection: r.vpc_peering_connection_id().map(str::to_string),
                                    state: r.state().map(|s| s.as_str().to_string()),
                                })
                                .collect(),
                            subnets: t
                                .associations()
                                .iter()
                                .filter_map(|a| a.subnet_id().map(str::to_string))
                                .collect(),
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await;
        match res {
            Ok(list) => out.extend(list),
            Err(e) => return Collected::Error(e),
        }
    }
    Collected::Ok(out)
}
