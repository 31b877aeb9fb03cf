//! No security group allows ingress from the whole internet to a sensitive port: the remote
//! administration ports (SSH 22, RDP 3389) from `0.0.0.0/0` (CIS v5.0.0 5.3; v1.4.0–v4.0.0
//! 5.2; v6.0.0 and v7.0.0 6.3) or from `::/0` (v5.0.0 5.4; v2.0.0–v4.0.0 5.3; v6.0.0 and v7.0.0
//! 6.4), CIFS/SMB 445 from either (v5.0.0 5.1.2; v6.0.0 and v7.0.0 6.1.2), and, in v1.2.0, port
//! 22 (4.1) and port 3389 (4.2) from `0.0.0.0/0` — one evaluator, the ports and sources each
//! control's data names.
//!
//! Every security group of every audited region counts, attached or not, the default groups
//! included. An inbound rule opens a port when its source is an address range of prefix length 0
//! (`0.0.0.0/0`, `::/0`) of the control's family, its protocol is TCP, UDP or all (`-1`, which
//! has no port range), and its port range contains the port — `0-65535`, `20-30` and `-1` all
//! count. Rules that name a prefix list or another security group are not "from anywhere".
//! One finding per open group, naming each open rule, the group, its VPC and what is attached to
//! it (network interfaces, instances); the account passes when no group opens a port. Removing a
//! rule is never automatic: the remediation is the exact `revoke-security-group-ingress` command,
//! a MANUAL step.

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::actions::ec2::{Direction, RevokeSecurityGroupRules};
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, IpRule, NetworkInterface, Read, SecurityGroup};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "sg-open-ports",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::SecurityGroup, Subject::Region],
    reads: &[Read::SecurityGroups],
    has_patterns: false,
    remedy: "nothing by itself: removing a security group rule can cut someone off, so the plan shows, as a MANUAL step, the exact revoke-security-group-ingress command for each rule open to the internet.",
    plan: Some(plan),
};

/// Whether a CIDR is every address of its family (prefix length 0).
pub(crate) fn is_world(cidr: &str) -> bool {
    cidr.trim().rsplit_once('/').is_some_and(|(_, len)| len.trim() == "0")
}

/// Whether a rule's protocol and port range let `port` through (TCP or UDP, or all traffic).
pub(crate) fn covers_port(protocol: &str, from: Option<i32>, to: Option<i32>, port: i64) -> bool {
    match protocol.to_ascii_lowercase().as_str() {
        "-1" | "all" => true,
        "tcp" | "6" | "udp" | "17" => {
            let (from, to) = (from.unwrap_or(0) as i64, to.unwrap_or(65535) as i64);
            // A port range of -1 (as EC2 reports some all-port rules) is every port.
            from == -1 || (from <= port && port <= to)
        }
        _ => false,
    }
}

/// The world-open sources of a rule among `families` (`0.0.0.0/0`, `::/0`).
fn world_sources<'a>(r: &'a IpRule, sources: &[String]) -> Vec<&'a str> {
    let v4 = sources.iter().any(|s| !s.contains(':'));
    let v6 = sources.iter().any(|s| s.contains(':'));
    let mut out: Vec<&str> = Vec::new();
    if v4 {
        out.extend(r.ipv4.iter().map(String::as_str).filter(|c| is_world(c)));
    }
    if v6 {
        out.extend(r.ipv6.iter().map(String::as_str).filter(|c| is_world(c)));
    }
    out
}

/// A rule in words: `tcp 0-65535 from 0.0.0.0/0`.
fn describe(r: &IpRule, source: &str) -> String {
    let ports = match (r.protocol.as_str(), r.from_port, r.to_port) {
        ("-1", ..) => "all traffic".to_string(),
        (p, Some(f), Some(t)) if f == t => format!("{p} {f}"),
        (p, Some(f), Some(t)) => format!("{p} {f}-{t}"),
        (p, ..) => format!("{p} all ports"),
    };
    format!("{ports} from {source}")
}

/// The rules of a group open to the control's sources on one of its ports, each with the one
/// world source and the ports it opens.
fn open_rules<'a>(g: &'a SecurityGroup, sources: &[String], ports: &[i64]) -> Vec<(&'a IpRule, &'a str, Vec<i64>)> {
    let mut out = Vec::new();
    for r in &g.ingress {
        let hit: Vec<i64> =
            ports.iter().copied().filter(|p| covers_port(&r.protocol, r.from_port, r.to_port, *p)).collect();
        if hit.is_empty() {
            continue;
        }
        for s in world_sources(r, sources) {
            out.push((r, s, hit.clone()));
        }
    }
    out
}

/// The control's ports and sources.
fn params(control: &Control) -> (Vec<i64>, Vec<String>) {
    (control.param_list("ports", &[22, 3389]), control.param_strings("sources", &["0.0.0.0/0"]))
}

/// What is attached to a group, in words.
pub(crate) fn attached(g: &str, interfaces: Option<&Collected<Vec<NetworkInterface>>>) -> serde_json::Value {
    match interfaces {
        Some(Collected::Ok(list)) => {
            let v: Vec<String> = list
                .iter()
                .filter(|n| n.groups.iter().any(|x| x == g))
                .map(|n| match (&n.instance_id, &n.description) {
                    (Some(i), _) => format!("{} (instance {i})", n.id),
                    (None, Some(d)) => format!("{} ({d})", n.id),
                    (None, None) => n.id.clone(),
                })
                .collect();
            if v.is_empty() {
                "nothing attached".into()
            } else {
                serde_json::json!(v)
            }
        }
        Some(Collected::Error(e)) => format!("unknown: {e}").into(),
        None => "not read".into(),
    }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let (ports, sources) = params(control);
    let mut findings = Vec::new();
    let mut groups = 0;
    for (region, read) in per_region(acct, |r| r.security_groups.as_ref()) {
        if let Some(f) = unreadable(control, acct, Subject::SecurityGroup, region, &read, "security groups") {
            findings.push(f);
            continue;
        }
        let RegionRead::Ok(list) = read else { continue };
        let interfaces = acct.resources.iter().find(|r| r.region == region).and_then(|r| r.network_interfaces.as_ref());
        let before = findings.len();
        for g in list {
            groups += 1;
            let open = open_rules(g, &sources, &ports);
            if open.is_empty() {
                continue;
            }
            let rules: Vec<String> = open
                .iter()
                .map(|(r, s, p)| {
                    let ps: Vec<String> = p.iter().map(|x| x.to_string()).collect();
                    format!("{} (opens {})", describe(r, s), ps.join(", "))
                })
                .collect();
            let commands: Vec<String> = revokes(g, &open).iter().map(|a| a.cli(region)).collect();
            findings.push(
                Finding::about(control, Subject::SecurityGroup, &acct.account_id)
                    .status(Status::Fail)
                    .region(Some(region))
                    .resource(Some(g.id.clone()))
                    .message(format!("security group {} ({}) in {region} allows {}", g.id, g.name, rules.join("; ")))
                    .evidence(vec![
                        Evidence::info("security_group", format!("{} ({})", g.id, g.name)),
                        Evidence::info("security_group.vpc", g.vpc_id.clone().unwrap_or_else(|| "none".into())),
                        Evidence::bad("security_group.open_rules", serde_json::json!(rules)),
                        Evidence::info("security_group.attached", attached(&g.id, interfaces)),
                    ])
                    .remediation(Some(commands.join("; "))),
            );
        }
        if findings.len() == before {
            // The evidence of a region where no group is open: what was looked at.
            findings.push(
                Finding::about(control, Subject::Region, &acct.account_id)
                    .region(Some(region))
                    .message(format!(
                        "none of the {} security group(s) of {region} is open to the internet on these ports",
                        list.len()
                    ))
                    .evidence(vec![Evidence::ok("security_groups.checked", list.len())]),
            );
        }
    }
    let ps: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
    let pass =
        format!("no security group ({groups} in all) allows port {} from {}", ps.join(" or "), sources.join(" or "));
    account_verdict(control, acct, findings, pass.clone(), (Status::Pass, pass))
}

/// The revokes that close a group's open rules: each open rule, restricted to its world source.
fn revokes(g: &SecurityGroup, open: &[(&IpRule, &str, Vec<i64>)]) -> Vec<RevokeSecurityGroupRules> {
    open.iter()
        .map(|(r, s, _)| {
            let mut only = IpRule {
                protocol: r.protocol.clone(),
                from_port: r.from_port,
                to_port: r.to_port,
                ..Default::default()
            };
            if s.contains(':') {
                only.ipv6 = vec![s.to_string()];
            } else {
                only.ipv4 = vec![s.to_string()];
            }
            RevokeSecurityGroupRules { group_id: g.id.clone(), direction: Direction::Ingress, rules: vec![only] }
        })
        .collect()
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    let (ports, sources) = params(input.control);
    let mut out = Vec::new();
    for r in &input.acct.resources {
        let Some(Collected::Ok(groups)) = &r.security_groups else { continue };
        for g in groups {
            for a in revokes(g, &open_rules(g, &sources, &ports)) {
                out.push(Proposal {
                    region: r.region.clone(),
                    action: a.into(),
                    missing: vec![],
                    manual: Some(format!(
                        "cis-audit never removes a security group rule by itself: check who relies on {} ({}), then run the command",
                        g.id, g.name
                    )),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
