//! Snapshot cases of the security-group port family: every way a rule can open an
//! administration port to the internet, and the ways that only look like it.

use crate::checks::fixtures::*;
use crate::inventory::*;

/// The security groups of a region of the fixture.
fn groups<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<SecurityGroup> {
    ok(region_of(inv, region).security_groups.as_mut().unwrap())
}

/// A group with one inbound rule.
fn group(id: &str, rule: IpRule) -> SecurityGroup {
    SecurityGroup {
        id: id.into(),
        name: id.into(),
        vpc_id: Some("vpc-us-east-1".into()),
        ingress: vec![rule],
        egress: vec![],
    }
}

fn rule(proto: &str, from: Option<i32>, to: Option<i32>, v4: &[&str], v6: &[&str]) -> IpRule {
    IpRule {
        protocol: proto.into(),
        from_port: from,
        to_port: to,
        ipv4: v4.iter().map(|s| s.to_string()).collect(),
        ipv6: v6.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

snapshot_cases! {
    sg_none_open: "5.0.0", ["5.3", "5.4", "5.1.2"], |inv| {},
    sg_port_range_covering_ssh: "5.0.0", ["5.3"], |inv| {
        groups(inv, "us-east-1").push(group("sg-range", rule("tcp", Some(20), Some(30), &["0.0.0.0/0"], &[])));
    },
    sg_all_traffic_rule_opens_every_port: "5.0.0", ["5.3", "5.1.2"], |inv| {
        groups(inv, "eu-west-1").push(group("sg-all", rule("-1", None, None, &["0.0.0.0/0"], &[])));
    },
    sg_ipv6_only_rule_fails_the_ipv6_control_only: "5.0.0", ["5.3", "5.4"], |inv| {
        groups(inv, "us-east-1").push(group("sg-v6", rule("tcp", Some(3389), Some(3389), &[], &["::/0"])));
    },
    sg_udp_3389_counts: "6.0.0", ["6.3"], |inv| {
        groups(inv, "us-east-1").push(group("sg-udp", rule("udp", Some(3389), Some(3389), &["0.0.0.0/0"], &[])));
    },
    sg_near_misses_pass: "7.0.0", ["6.3", "6.4"], |inv| {
        // A /1, an ICMP rule, a prefix list, another group, a range that stops at 21: none opens
        // an administration port to the internet.
        let mut pl = rule("tcp", Some(22), Some(22), &[], &[]);
        pl.prefix_lists = vec!["pl-123".into()];
        let mut sg = rule("tcp", Some(0), Some(65535), &[], &[]);
        sg.groups = vec!["sg-web-us-east-1".into()];
        for (id, r) in [
            ("sg-half", rule("tcp", Some(22), Some(22), &["0.0.0.0/1"], &["::/1"])),
            ("sg-icmp", rule("icmp", Some(-1), Some(-1), &["0.0.0.0/0"], &["::/0"])),
            ("sg-pl", pl),
            ("sg-ref", sg),
            ("sg-below", rule("tcp", Some(0), Some(21), &["0.0.0.0/0"], &[])),
        ] {
            groups(inv, "us-east-1").push(group(id, r));
        }
    },
    sg_cifs_from_ipv6: "5.0.0", ["5.1.2"], |inv| {
        groups(inv, "eu-west-1").push(group("sg-smb", rule("tcp", Some(445), Some(445), &[], &["::/0"])));
    },
    sg_attached_interfaces_are_evidence: "5.0.0", ["5.3"], |inv| {
        groups(inv, "us-east-1").push(group("sg-open", rule("tcp", Some(22), Some(22), &["0.0.0.0/0"], &[])));
        region_of(inv, "us-east-1").network_interfaces = Some(Collected::Ok(vec![NetworkInterface {
            id: "eni-1".into(),
            groups: vec!["sg-open".into()],
            instance_id: Some("i-1".into()),
            ..Default::default()
        }]));
    },
    sg_unreadable_region_is_error: "5.0.0", ["5.3"], |inv| {
        region_of(inv, "eu-west-1").security_groups =
            Some(Collected::Error(err("ec2:DescribeSecurityGroups", "UnauthorizedOperation")));
    },
    sg_v1_2_ports_22_and_3389_apart: "1.2.0", ["4.1", "4.2"], |inv| {
        groups(inv, "us-east-1").push(group("sg-rdp", rule("tcp", Some(3389), Some(3389), &["0.0.0.0/0"], &[])));
    },
}

#[test]
fn the_plan_revokes_exactly_the_open_source() {
    let mut inv = compliant();
    groups(&mut inv, "us-east-1")
        .push(group("sg-mixed", rule("tcp", Some(22), Some(22), &["0.0.0.0/0", "10.0.0.0/8"], &[])));
    let e = verdicts(&inv, "5.0.0", &["5.3"], false);
    let f = e.findings.iter().find(|f| f.resource.as_deref() == Some("sg-mixed")).expect("a finding for sg-mixed");
    let cmd = f.remediation.as_deref().unwrap();
    assert!(cmd.contains("0.0.0.0/0") && !cmd.contains("10.0.0.0/8"), "{cmd}");
}
