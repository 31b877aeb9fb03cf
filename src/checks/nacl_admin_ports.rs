//! No network ACL allows ingress from the whole internet to the remote administration ports
//! (CIS v5.0.0 5.2; v1.4.0–v4.0.0 5.1; v6.0.0 and v7.0.0 6.2).
//!
//! A network ACL's inbound entries are evaluated in rule-number order, and the first that
//! matches a packet decides. For each administration port (22, 3389 by default), for TCP and for
//! UDP, and for a packet from anywhere (`0.0.0.0/0`, or `::/0` for IPv6), the ACL is open when
//! the first entry matching — protocol `6`, `17` or `-1` (all, which has no port range), a port
//! range containing the port, a source range of prefix length 0 — is an `allow`. An allow that a
//! lower-numbered deny of the same traffic shadows opens nothing: the ACL passes, and the
//! evidence names the shadowed entry (a scanner that only looks for an allow entry reports it).
//! A deny of a narrower range does not close the port to everyone else. The default ACL of a VPC
//! allows everything (rule 100) and fails until changed. One finding per open ACL (its entries,
//! VPC and subnets); deleting an entry is never automatic: the exact command is a MANUAL step.

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::sg_open_ports::{covers_port, is_world};
use super::Context;
use crate::actions::ec2::DeleteNetworkAclEntry;
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, AclEntry, Collected, NetworkAcl, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "nacl-admin-ports",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::NetworkAcl, Subject::Region],
    reads: &[Read::NetworkAcls],
    has_patterns: false,
    remedy: "nothing by itself: changing a network ACL can cut off a subnet, so the plan shows, as a MANUAL step, the delete-network-acl-entry command of each entry that opens a port (add a narrower allow first if someone needs it).",
    plan: Some(plan),
};

/// Whether an inbound entry matches a packet of `proto` (`6`, `17`) to `port` from anywhere
/// of one address family.
fn matches(e: &AclEntry, proto: &str, port: i64, v6: bool) -> bool {
    let source = if v6 { e.ipv6_cidr.as_deref() } else { e.cidr.as_deref() };
    let protocol = match e.protocol.as_str() {
        "-1" | "all" => "-1",
        p => p,
    };
    !e.egress && source.is_some_and(is_world) && (protocol == "-1" || protocol == proto) && {
        let p = if protocol == "-1" { "-1" } else { "tcp" };
        covers_port(p, e.from_port, e.to_port, port)
    }
}

/// What is open through one ACL: (the allowing entry, port, protocol, family), and the allows
/// a lower deny shadows.
/// An entry that lets a port in: (the entry, port, protocol name, source family).
type Opening<'a> = (&'a AclEntry, i64, &'static str, &'static str);

fn open_entries<'a>(acl: &'a NetworkAcl, ports: &[i64]) -> (Vec<Opening<'a>>, Vec<String>) {
    let mut entries: Vec<&AclEntry> = acl.entries.iter().filter(|e| !e.egress).collect();
    entries.sort_by_key(|e| e.rule_number);
    let (mut open, mut shadowed) = (Vec::new(), Vec::new());
    for &port in ports {
        for (proto, pname) in [("6", "tcp"), ("17", "udp")] {
            for (v6, family) in [(false, "0.0.0.0/0"), (true, "::/0")] {
                let hits: Vec<&AclEntry> = entries.iter().copied().filter(|e| matches(e, proto, port, v6)).collect();
                match hits.first() {
                    Some(first) if first.action == "allow" => open.push((*first, port, pname, family)),
                    Some(first) => {
                        for later in hits.iter().skip(1).filter(|e| e.action == "allow") {
                            shadowed.push(format!(
                                "rule {} allows {pname} {port} from {family} but rule {} denies it first",
                                later.rule_number, first.rule_number
                            ));
                        }
                    }
                    None => {}
                }
            }
        }
    }
    shadowed.sort();
    shadowed.dedup();
    (open, shadowed)
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let ports = control.param_list("ports", &[22, 3389]);
    let mut findings = Vec::new();
    for (region, read) in per_region(acct, |r| r.network_acls.as_ref()) {
        if let Some(f) = unreadable(control, acct, Subject::NetworkAcl, region, &read, "network ACLs") {
            findings.push(f);
            continue;
        }
        let RegionRead::Ok(acls) = read else { continue };
        let mut notes = Vec::new();
        let before = findings.len();
        for acl in acls {
            let (open, shadowed) = open_entries(acl, &ports);
            notes.extend(shadowed.iter().map(|s| format!("{}: {s}", acl.id)));
            if open.is_empty() {
                continue;
            }
            // Per entry and source: what it lets in (`rule 100 allows tcp 22, udp 22 from 0.0.0.0/0`).
            let mut by_entry: Vec<((i32, &str), Vec<String>)> = Vec::new();
            for (e, port, proto, family) in &open {
                let k = (e.rule_number, *family);
                let what = format!("{proto} {port}");
                match by_entry.iter_mut().find(|(x, _)| *x == k) {
                    Some((_, v)) => v.push(what),
                    None => by_entry.push((k, vec![what])),
                }
            }
            let seen: Vec<String> = by_entry
                .iter()
                .map(|((n, family), what)| format!("rule {n} allows {} from {family}", what.join(", ")))
                .collect();
            let commands: Vec<String> = rule_numbers(&open)
                .into_iter()
                .map(|n| DeleteNetworkAclEntry { network_acl_id: acl.id.clone(), rule_number: n }.cli(region))
                .collect();
            findings.push(
                Finding::about(control, Subject::NetworkAcl, &acct.account_id)
                    .status(Status::Fail)
                    .region(Some(region))
                    .resource(Some(acl.id.clone()))
                    .message(format!(
                        "network ACL {}{} in {region}: {}",
                        acl.id,
                        if acl.is_default { " (default)" } else { "" },
                        seen.join("; ")
                    ))
                    .evidence(vec![
                        Evidence::bad("network_acl.open_entries", serde_json::json!(seen)),
                        Evidence::info("network_acl.vpc", acl.vpc_id.clone().unwrap_or_else(|| "none".into())),
                        Evidence::info("network_acl.subnets", serde_json::json!(acl.subnets)),
                        Evidence::info("network_acl.shadowed_allows", serde_json::json!(shadowed)),
                    ])
                    .remediation(Some(commands.join("; "))),
            );
        }
        if findings.len() == before {
            let mut evidence = vec![Evidence::ok("network_acls.checked", acls.len())];
            if !notes.is_empty() {
                evidence.push(Evidence::info("network_acls.shadowed_allows", serde_json::json!(notes)));
            }
            findings.push(
                Finding::about(control, Subject::Region, &acct.account_id)
                    .region(Some(region))
                    .message(format!(
                        "none of the {} network ACL(s) of {region} lets these ports in from anywhere",
                        acls.len()
                    ))
                    .evidence(evidence),
            );
        }
    }
    let ps: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
    let pass = format!("no network ACL allows port {} in from anywhere", ps.join(" or "));
    account_verdict(control, acct, findings, pass.clone(), (Status::Pass, pass))
}

fn rule_numbers(open: &[(&AclEntry, i64, &str, &str)]) -> Vec<i32> {
    let mut n: Vec<i32> = open.iter().map(|(e, ..)| e.rule_number).collect();
    n.sort();
    n.dedup();
    n
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    let ports = input.control.param_list("ports", &[22, 3389]);
    let mut out = Vec::new();
    for r in &input.acct.resources {
        let Some(Collected::Ok(acls)) = &r.network_acls else { continue };
        for acl in acls {
            for n in rule_numbers(&open_entries(acl, &ports).0) {
                out.push(Proposal {
                    region: r.region.clone(),
                    action: DeleteNetworkAclEntry { network_acl_id: acl.id.clone(), rule_number: n }.into(),
                    missing: vec![],
                    manual: Some(format!(
                        "cis-audit never changes a network ACL by itself: check what the subnets of {} need, add a narrower allow if they do, then run the command",
                        acl.id
                    )),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
