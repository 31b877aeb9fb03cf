//! The default security group of every VPC restricts all traffic (CIS v5.0.0 5.5; v1.2.0 4.3;
//! v1.4.0–v4.0.0 5.3 or 5.4; v6.0.0 and v7.0.0 6.5).
//!
//! In each audited region, the default group of every VPC (the group named `default`) must have
//! no inbound and no outbound rule. A new VPC's default group allows all traffic from itself and
//! all outbound traffic, so it fails until emptied. One finding per default group, with its rules
//! and what is attached to it (network interfaces and instances that would lose their traffic).
//! The fix — revoking every rule — is applied only with `--remediate-default-sg` (CIS asks for
//! it, and nothing should use the default group); the journal records every rule removed and
//! rollback restores them byte for byte. Without the option the revoke commands are MANUAL steps.

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::sg_open_ports::attached;
use super::Context;
use crate::actions::ec2::{Direction, RevokeSecurityGroupRules};
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, IpRule, Read, SecurityGroup};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "default-sg-restricts-all",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::SecurityGroup],
    reads: &[Read::SecurityGroups],
    has_patterns: false,
    remedy: "with --remediate-default-sg, revokes every inbound and outbound rule of each default group (rollback restores them byte for byte); without it, the same revokes as MANUAL steps.",
    plan: Some(plan),
};

fn rule_text(r: &IpRule) -> String {
    let ports = match (r.protocol.as_str(), r.from_port, r.to_port) {
        ("-1", ..) => "all traffic".to_string(),
        (p, Some(f), Some(t)) if f == t => format!("{p} {f}"),
        (p, Some(f), Some(t)) => format!("{p} {f}-{t}"),
        (p, ..) => p.to_string(),
    };
    let mut from: Vec<String> = r.ipv4.iter().chain(&r.ipv6).cloned().collect();
    from.extend(r.prefix_lists.iter().cloned());
    from.extend(r.groups.iter().map(|g| format!("group {g}")));
    format!("{ports} {}", from.join(", "))
}

fn is_default(g: &SecurityGroup) -> bool {
    g.name == "default"
}

fn revokes(g: &SecurityGroup) -> Vec<RevokeSecurityGroupRules> {
    let mut out = Vec::new();
    if !g.ingress.is_empty() {
        out.push(RevokeSecurityGroupRules {
            group_id: g.id.clone(),
            direction: Direction::Ingress,
            rules: g.ingress.clone(),
        });
    }
    if !g.egress.is_empty() {
        out.push(RevokeSecurityGroupRules {
            group_id: g.id.clone(),
            direction: Direction::Egress,
            rules: g.egress.clone(),
        });
    }
    out
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut findings = Vec::new();
    let mut n = 0;
    for (region, read) in per_region(acct, |r| r.security_groups.as_ref()) {
        if let Some(f) = unreadable(control, acct, Subject::SecurityGroup, region, &read, "security groups") {
            findings.push(f);
            continue;
        }
        let RegionRead::Ok(list) = read else { continue };
        let interfaces = acct.resources.iter().find(|r| r.region == region).and_then(|r| r.network_interfaces.as_ref());
        for g in list.iter().filter(|g| is_default(g)) {
            n += 1;
            let inbound: Vec<String> = g.ingress.iter().map(rule_text).collect();
            let outbound: Vec<String> = g.egress.iter().map(rule_text).collect();
            let empty = inbound.is_empty() && outbound.is_empty();
            let about = Finding::about(control, Subject::SecurityGroup, &acct.account_id)
                .region(Some(region))
                .resource(Some(g.id.clone()))
                .evidence(vec![
                    Evidence::info("security_group.vpc", g.vpc_id.clone().unwrap_or_else(|| "none".into())),
                    Evidence::new("security_group.inbound_rules", serde_json::json!(inbound), Some(inbound.is_empty())),
                    Evidence::new(
                        "security_group.outbound_rules",
                        serde_json::json!(outbound),
                        Some(outbound.is_empty()),
                    ),
                    Evidence::info("security_group.attached", attached(&g.id, interfaces)),
                ]);
            let vpc = g.vpc_id.as_deref().unwrap_or("?");
            findings.push(if empty {
                about.message(format!("the default group {} of VPC {vpc} has no rule", g.id))
            } else {
                let commands: Vec<String> = revokes(g).iter().map(|a| a.cli(region)).collect();
                about
                    .status(Status::Fail)
                    .message(format!(
                        "the default group {} of VPC {vpc} in {region} has {} inbound and {} outbound rule(s)",
                        g.id,
                        inbound.len(),
                        outbound.len()
                    ))
                    .remediation(Some(commands.join("; ")))
            });
        }
    }
    let pass = format!("the default security group of every VPC ({n}) has no rule");
    account_verdict(control, acct, findings, pass, (Status::Pass, "no VPC in any audited region".into()))
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    let mut out = Vec::new();
    for r in &input.acct.resources {
        let Some(Collected::Ok(groups)) = &r.security_groups else { continue };
        for g in groups.iter().filter(|g| is_default(g)) {
            for a in revokes(g) {
                out.push(Proposal {
                    region: r.region.clone(),
                    action: a.into(),
                    missing: if input.options.remediate_default_sg { vec![] } else { vec!["--remediate-default-sg".into()] },
                    manual: (!input.options.remediate_default_sg).then(|| {
                        format!("removing the rules of default group {} is done only with --remediate-default-sg (the journal keeps every rule; rollback restores them)", g.id)
                    }),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
