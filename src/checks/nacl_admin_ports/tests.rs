//! Snapshot cases of network ACLs and the administration ports: rule order decides.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn entry(n: i32, proto: &str, action: &str, cidr: &str, ports: Option<(i32, i32)>) -> AclEntry {
    let v6 = cidr.contains(':');
    AclEntry {
        rule_number: n,
        protocol: proto.into(),
        action: action.into(),
        egress: false,
        cidr: (!v6).then(|| cidr.to_string()),
        ipv6_cidr: v6.then(|| cidr.to_string()),
        from_port: ports.map(|p| p.0),
        to_port: ports.map(|p| p.1),
    }
}

/// The entries of the default ACL of a region.
fn entries<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<AclEntry> {
    &mut ok(region_of(inv, region).network_acls.as_mut().unwrap())[0].entries
}

snapshot_cases! {
    nacl_https_only_passes: "5.0.0", ["5.2"], |inv| {},
    nacl_a_new_default_acl_allows_all: "5.0.0", ["5.2"], |inv| {
        entries(inv, "us-east-1").push(entry(100, "-1", "allow", "0.0.0.0/0", None));
        entries(inv, "us-east-1").retain(|e| !(e.rule_number == 100 && e.protocol == "6"));
    },
    nacl_deny_first_shadows_the_allow: "5.0.0", ["5.2"], |inv| {
        let e = entries(inv, "eu-west-1");
        e.push(entry(50, "6", "deny", "0.0.0.0/0", Some((22, 22))));
        e.push(entry(51, "6", "deny", "0.0.0.0/0", Some((3389, 3389))));
        e.push(entry(52, "17", "deny", "0.0.0.0/0", Some((22, 22))));
        e.push(entry(53, "17", "deny", "0.0.0.0/0", Some((3389, 3389))));
        e.push(entry(200, "-1", "allow", "0.0.0.0/0", None));
    },
    nacl_allow_before_deny_is_open: "6.0.0", ["6.2"], |inv| {
        let e = entries(inv, "eu-west-1");
        e.push(entry(90, "6", "allow", "0.0.0.0/0", Some((1024, 65535))));
        e.push(entry(95, "6", "allow", "0.0.0.0/0", Some((3389, 3389))));
        e.push(entry(110, "6", "deny", "0.0.0.0/0", Some((3389, 3389))));
    },
    nacl_narrow_deny_does_not_close_it: "5.0.0", ["5.2"], |inv| {
        let e = entries(inv, "us-east-1");
        e.push(entry(10, "6", "deny", "10.0.0.0/8", Some((22, 22))));
        e.push(entry(20, "6", "allow", "0.0.0.0/0", Some((0, 1023))));
    },
    nacl_ipv6_allow_is_open: "7.0.0", ["6.2"], |inv| {
        entries(inv, "us-east-1").push(entry(101, "6", "allow", "::/0", Some((22, 22))));
    },
    nacl_egress_and_office_range_pass: "5.0.0", ["5.2"], |inv| {
        let e = entries(inv, "us-east-1");
        e.push(entry(120, "6", "allow", "203.0.113.0/24", Some((22, 22))));
        e.push(AclEntry { egress: true, ..entry(100, "-1", "allow", "0.0.0.0/0", None) });
    },
    nacl_unreadable_is_error: "5.0.0", ["5.2"], |inv| {
        region_of(inv, "us-east-1").network_acls = Some(Collected::Error(err("ec2:DescribeNetworkAcls", "UnauthorizedOperation")));
    },
}
