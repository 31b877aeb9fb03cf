//! Routing tables for VPC peering are "least access" (CIS v5.0.0 5.6; v1.2.0 4.4; v1.4.0–v4.0.0
//! 5.4 or 5.5; v6.0.0 and v7.0.0 6.6): a MANUAL recommendation, for which cis-audit lists the
//! evidence an assessor needs.
//!
//! In each audited region, every VPC peering connection (`DescribeVpcPeeringConnections`: its
//! two VPCs, their CIDRs and owners, its status) and every route through it
//! (`DescribeRouteTables` filtered by `route.vpc-peering-connection-id`: the route table, its VPC
//! and subnets, the destination). A route whose destination is the whole peer VPC (its CIDR or
//! wider) is flagged for review: least access routes only the subnets that need to talk. The
//! verdict is MANUAL with that evidence; with no peering connection at all there is nothing to
//! review, and the account passes. Connections that are deleted, rejected, failed or expired carry
//! no traffic and are only listed.

use super::module::{module_source, Check};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, PeeringConnection, Read, RouteTable};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "vpc-peering-least-access",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::PeeringConnection],
    reads: &[Read::VpcPeering],
    has_patterns: false,
    remedy: "nothing: which routes a peering needs is for a person to decide (aws ec2 replace-route / delete-route narrow them).",
    plan: None,
};

/// Statuses of a peering connection that carries no traffic (EC2 lists them for a while).
const GONE: &[&str] = &["deleted", "deleting", "rejected", "failed", "expired"];

/// The prefix length of a CIDR (None: not a CIDR).
fn prefix(cidr: &str) -> Option<u8> {
    cidr.rsplit_once('/')?.1.trim().parse().ok()
}

/// The routes through `p`, each in words, and whether it covers the whole peer VPC.
fn routes_of(p: &PeeringConnection, tables: &[RouteTable]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for t in tables {
        for r in t.routes.iter().filter(|r| r.peering_connection.as_deref() == Some(p.id.as_str())) {
            let peer = if t.vpc_id == p.requester_vpc { &p.accepter_cidr } else { &p.requester_cidr };
            let whole = match (prefix(&r.destination), peer.as_deref().and_then(prefix)) {
                (Some(d), Some(v)) => d <= v,
                _ => false,
            };
            let subnets = if t.subnets.is_empty() { "main/unassociated".to_string() } else { t.subnets.join(", ") };
            out.push((
                format!(
                    "{} (VPC {}, subnets {subnets}): {} → {}{}",
                    t.id,
                    t.vpc_id,
                    r.destination,
                    p.id,
                    if whole { " — the whole peer VPC: review" } else { "" }
                ),
                whole,
            ));
        }
    }
    out
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut findings = Vec::new();
    for ((region, peerings), (_, routes)) in per_region(acct, |r| r.peering_connections.as_ref())
        .into_iter()
        .zip(per_region(acct, |r| r.peering_routes.as_ref()))
    {
        if let Some(f) = unreadable(control, acct, Subject::PeeringConnection, region, &peerings, "peering connections")
        {
            findings.push(f);
            continue;
        }
        if let Some(f) = unreadable(control, acct, Subject::PeeringConnection, region, &routes, "peering routes") {
            findings.push(f);
            continue;
        }
        let (RegionRead::Ok(peerings), RegionRead::Ok(tables)) = (peerings, routes) else { continue };
        for p in peerings {
            if GONE.contains(&p.status.as_str()) {
                findings.push(
                    Finding::about(control, Subject::PeeringConnection, &acct.account_id)
                        .status(Status::Skipped)
                        .region(Some(region))
                        .resource(Some(p.id.clone()))
                        .message(format!("peering {} is {}: it carries no traffic", p.id, p.status)),
                );
                continue;
            }
            let routes = routes_of(p, tables);
            let wide = routes.iter().filter(|(_, w)| *w).count();
            findings.push(
                Finding::about(control, Subject::PeeringConnection, &acct.account_id)
                    .status(Status::Manual)
                    .region(Some(region))
                    .resource(Some(p.id.clone()))
                    .message(format!(
                        "peering {} ({}) between {} ({}, account {}) and {} ({}, account {}): {} route(s), {wide} to the whole peer VPC — a person decides whether each is needed",
                        p.id,
                        p.status,
                        p.requester_vpc,
                        p.requester_cidr.as_deref().unwrap_or("?"),
                        p.requester_owner,
                        p.accepter_vpc,
                        p.accepter_cidr.as_deref().unwrap_or("?"),
                        p.accepter_owner,
                        routes.len()
                    ))
                    .evidence(vec![
                        Evidence::info("peering.status", p.status.clone()),
                        Evidence::info("peering.routes", serde_json::json!(routes.iter().map(|(r, _)| r).collect::<Vec<_>>())),
                    ]),
            );
        }
    }
    let none = (Status::Pass, "no VPC peering connection in any audited region: nothing to review".to_string());
    account_verdict(control, acct, findings, String::new(), none)
}

#[cfg(test)]
mod tests;
