//! Snapshot cases of the default security group.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn default_group<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut SecurityGroup {
    let list = ok(region_of(inv, region).security_groups.as_mut().unwrap());
    list.iter_mut().find(|g| g.name == "default").unwrap()
}

snapshot_cases! {
    default_sg_empty: "5.0.0", ["5.5"], |inv| {},
    default_sg_as_aws_creates_it: "5.0.0", ["5.5"], |inv| {
        let id = format!("sg-default-{}", "us-east-1");
        let g = default_group(inv, "us-east-1");
        g.ingress = vec![IpRule { protocol: "-1".into(), groups: vec![id], ..Default::default() }];
        g.egress = vec![IpRule { protocol: "-1".into(), ipv4: vec!["0.0.0.0/0".into()], ..Default::default() }];
    },
    default_sg_outbound_only: "6.0.0", ["6.5"], |inv| {
        default_group(inv, "eu-west-1").egress =
            vec![IpRule { protocol: "-1".into(), ipv6: vec!["::/0".into()], ..Default::default() }];
    },
    default_sg_in_use_is_evidence: "7.0.0", ["6.5"], |inv| {
        default_group(inv, "us-east-1").ingress =
            vec![IpRule { protocol: "tcp".into(), from_port: Some(80), to_port: Some(80), ipv4: vec!["10.0.0.0/8".into()], ..Default::default() }];
        region_of(inv, "us-east-1").network_interfaces = Some(Collected::Ok(vec![NetworkInterface {
            id: "eni-2".into(),
            groups: vec!["sg-default-us-east-1".into()],
            instance_id: Some("i-legacy".into()),
            ..Default::default()
        }]));
    },
    default_sg_v1_2: "1.2.0", ["4.3"], |inv| {
        default_group(inv, "us-east-1").egress =
            vec![IpRule { protocol: "-1".into(), ipv4: vec!["0.0.0.0/0".into()], ..Default::default() }];
    },
}
