//! VPC flow logging is enabled in every VPC (CIS v5.0.0 3.7; v1.2.0 2.9; v6.0.0 and v7.0.0
//! 4.7).
//!
//! In each audited region every VPC (`DescribeVpcs`, default VPCs included) must have a flow log
//! (`DescribeFlowLogs`, resource = the VPC) that is `ACTIVE` and captures rejected traffic:
//! traffic type `REJECT` or `ALL` (an `ACCEPT`-only log misses what the recommendation is
//! about). A flow log whose delivery fails (`DeliverLogsStatus` `FAILED`) is reported, and does
//! not count. Flow logs on subnets or network interfaces do not cover the VPC. One finding per
//! VPC; the account passes when every VPC does, and when there is no VPC at all.
//!
//! Remediation (with `--flow-logs-role-arn`, a role VPC Flow Logs can assume to write to
//! CloudWatch Logs): in each region with a VPC lacking a good flow log, the log group
//! `--flow-logs-log-group` (default `cis-vpc-flow-logs`) is created where missing, then a flow
//! log of rejected traffic to it for each such VPC; rollback deletes the flow logs it created and
//! the group if it created it. An existing flow log that fails is left as it is (a new one is
//! added beside it).

use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::actions::ec2::CreateFlowLog;
use crate::actions::logs::CreateLogGroup;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, FlowLog, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "vpc-flow-logs",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Vpc],
    reads: &[Read::FlowLogs],
    has_patterns: false,
    remedy: "with --flow-logs-role-arn, creates the log group (--flow-logs-log-group, default cis-vpc-flow-logs) in each region and a flow log of rejected traffic for each VPC without a good one (ec2:CreateFlowLogs); rollback deletes both. Without the role the steps are MANUAL.",
    plan: Some(plan),
};

/// Whether a flow log covers the VPC as the recommendation asks, or why not.
fn judge(f: &FlowLog) -> Result<(), String> {
    if !matches!(f.traffic_type.as_str(), "REJECT" | "ALL") {
        return Err(format!("flow log {} captures {} traffic only, not rejected traffic", f.id, f.traffic_type));
    }
    if f.status.as_deref().is_some_and(|s| s != "ACTIVE") {
        return Err(format!("flow log {} is {}", f.id, f.status.as_deref().unwrap_or_default()));
    }
    if f.deliver_status.as_deref() == Some("FAILED") {
        return Err(format!(
            "flow log {} fails to deliver{}",
            f.id,
            f.deliver_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
        ));
    }
    Ok(())
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut findings = Vec::new();
    let mut vpcs_seen = 0;
    for ((region, vpcs), (_, logs)) in
        per_region(acct, |r| r.vpcs.as_ref()).into_iter().zip(per_region(acct, |r| r.flow_logs.as_ref()))
    {
        if let Some(f) = unreadable(control, acct, Subject::Vpc, region, &vpcs, "VPCs") {
            findings.push(f);
            continue;
        }
        if let Some(f) = unreadable(control, acct, Subject::Vpc, region, &logs, "flow logs") {
            findings.push(f);
            continue;
        }
        let (RegionRead::Ok(vpcs), RegionRead::Ok(logs)) = (vpcs, logs) else { continue };
        for v in vpcs {
            vpcs_seen += 1;
            let mine: Vec<&FlowLog> = logs.iter().filter(|f| f.resource_id == v.id).collect();
            let verdicts: Vec<(&FlowLog, Result<(), String>)> = mine.iter().map(|f| (*f, judge(f))).collect();
            let good = verdicts.iter().find(|(_, r)| r.is_ok()).map(|(f, _)| *f);
            let observed: Vec<String> = mine
                .iter()
                .map(|f| {
                    format!(
                        "{} {} {} → {}",
                        f.id,
                        f.traffic_type,
                        f.status.as_deref().unwrap_or("?"),
                        f.destination.as_deref().unwrap_or("?")
                    )
                })
                .collect();
            let about = Finding::about(control, Subject::Vpc, &acct.account_id)
                .region(Some(region))
                .resource(Some(v.id.clone()));
            let default = if v.is_default { " (the default VPC)" } else { "" };
            findings.push(match good {
                Some(f) => about
                    .message(format!("VPC {}{default} has flow log {} ({})", v.id, f.id, f.traffic_type))
                    .evidence(vec![Evidence::ok("vpc.flow_logs", serde_json::json!(observed))]),
                None => {
                    let why = match verdicts.first() {
                        None => "no flow log".to_string(),
                        Some(_) => {
                            verdicts.iter().filter_map(|(_, r)| r.clone().err()).collect::<Vec<_>>().join("; ")
                        }
                    };
                    about
                        .status(Status::Fail)
                        .message(format!("VPC {}{default} in {region}: {why}", v.id))
                        .evidence(vec![Evidence::bad("vpc.flow_logs", serde_json::json!(observed))])
                        .remediation(Some(format!(
                            "aws ec2 create-flow-logs --region {region} --resource-type VPC --resource-ids {} --traffic-type REJECT --log-destination-type cloud-watch-logs --log-group-name <log-group> --deliver-logs-permission-arn <role-arn>",
                            v.id
                        )))
                }
            });
        }
    }
    let pass = format!("every VPC ({vpcs_seen}) has an active flow log of rejected traffic");
    account_verdict(control, acct, findings, pass, (Status::Pass, "no VPC in any audited region".into()))
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    let o = input.options;
    let group = o.flow_logs_log_group.clone();
    let mut out = Vec::new();
    for r in &input.acct.resources {
        let (Some(Collected::Ok(vpcs)), Some(Collected::Ok(logs))) = (&r.vpcs, &r.flow_logs) else { continue };
        let bare: Vec<&str> = vpcs
            .iter()
            .filter(|v| !logs.iter().any(|f| f.resource_id == v.id && judge(f).is_ok()))
            .map(|v| v.id.as_str())
            .collect();
        if bare.is_empty() {
            continue;
        }
        let missing: Vec<String> =
            if o.flow_logs_role_arn.is_none() { vec!["--flow-logs-role-arn".into()] } else { vec![] };
        let manual = o
            .flow_logs_role_arn
            .is_none()
            .then(|| "a flow log to CloudWatch Logs needs a role to deliver with".to_string());
        out.push(Proposal {
            region: r.region.clone(),
            action: CreateLogGroup { log_group: group.clone() }.into(),
            missing: missing.clone(),
            manual: manual.clone(),
        });
        for vpc in bare {
            out.push(Proposal {
                region: r.region.clone(),
                action: CreateFlowLog {
                    vpc_id: vpc.to_string(),
                    log_group: group.clone(),
                    role_arn: o.flow_logs_role_arn.clone().unwrap_or_else(|| "<flow-logs-role-arn>".into()),
                    traffic_type: "REJECT".into(),
                }
                .into(),
                missing: missing.clone(),
                manual: manual.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
