//! VPC endpoints are used to reach AWS services (CIS v7.0.0 6.8): a MANUAL recommendation, for
//! which cis-audit lists the evidence an assessor needs.
//!
//! In each audited region, every VPC (`DescribeVpcs`) with the VPC endpoints it has
//! (`DescribeVpcEndpoints`: the service, `Gateway` or `Interface`, the state). Which services a
//! VPC's workloads call, and so which endpoints it needs, is for a person to decide: each VPC is a
//! MANUAL finding naming its endpoints in service, or saying it has none (its traffic to AWS
//! services then leaves through an internet or NAT gateway). An endpoint that is not `available`
//! (pending, rejected, failed, deleted) is named with its state and does not count. With no VPC in
//! any audited region there is nothing to review and the account passes. A region whose VPCs or
//! endpoints could not be read is ERROR, naming the call.

use super::module::{module_source, Check};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read, VpcEndpoint};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "vpc-endpoints-used",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Vpc],
    reads: &[Read::FlowLogs, Read::VpcEndpoints],
    has_patterns: false,
    remedy:
        "nothing: which services need an endpoint is for a person to decide (aws ec2 create-vpc-endpoint adds one).",
    plan: None,
};

/// `com.amazonaws.eu-west-1.s3` → `s3`; another naming (a partner's service) is kept whole.
fn short(service: &str) -> &str {
    service.strip_prefix("com.amazonaws.").and_then(|s| s.split_once('.')).map(|(_, svc)| svc).unwrap_or(service)
}

/// One endpoint in words: `s3 (Gateway)`, or `ssm (Interface, pending)` when not available.
fn described(e: &VpcEndpoint) -> String {
    let kind = if e.endpoint_type.is_empty() { "?" } else { e.endpoint_type.as_str() };
    if e.state.eq_ignore_ascii_case("available") {
        format!("{} ({kind})", short(&e.service_name))
    } else {
        format!("{} ({kind}, {}: not in service)", short(&e.service_name), e.state)
    }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut findings = Vec::new();
    for ((region, vpcs), (_, endpoints)) in
        per_region(acct, |r| r.vpcs.as_ref()).into_iter().zip(per_region(acct, |r| r.vpc_endpoints.as_ref()))
    {
        if let Some(f) = unreadable(control, acct, Subject::Vpc, region, &vpcs, "VPCs") {
            findings.push(f);
            continue;
        }
        if let Some(f) = unreadable(control, acct, Subject::Vpc, region, &endpoints, "VPC endpoints") {
            findings.push(f);
            continue;
        }
        let (RegionRead::Ok(vpcs), RegionRead::Ok(endpoints)) = (vpcs, endpoints) else { continue };
        for v in vpcs {
            let mine: Vec<&VpcEndpoint> = endpoints.iter().filter(|e| e.vpc_id == v.id).collect();
            let in_service = mine.iter().filter(|e| e.state.eq_ignore_ascii_case("available")).count();
            let list: Vec<String> = mine.iter().map(|e| described(e)).collect();
            let default = if v.is_default { " (the default VPC)" } else { "" };
            let message = if list.is_empty() {
                format!(
                    "VPC {}{default} in {region} has no VPC endpoint: its traffic to AWS services leaves through an internet or NAT gateway — a person decides which services need one",
                    v.id
                )
            } else {
                format!(
                    "VPC {}{default} in {region} reaches {in_service} service(s) through endpoints: {} — a person decides whether the services its workloads call are all covered",
                    v.id,
                    list.join(", ")
                )
            };
            findings.push(
                Finding::about(control, Subject::Vpc, &acct.account_id)
                    .status(Status::Manual)
                    .region(Some(region))
                    .resource(Some(v.id.clone()))
                    .message(message)
                    .evidence(vec![
                        Evidence::info("vpc.is_default", v.is_default.to_string()),
                        Evidence::info("vpc.endpoints", serde_json::json!(list)),
                    ])
                    .remediation(Some(format!(
                        "aws ec2 create-vpc-endpoint --region {region} --vpc-id {} --service-name com.amazonaws.{region}.<service> [--vpc-endpoint-type Interface --subnet-ids …]",
                        v.id
                    ))),
            );
        }
    }
    let none = (Status::Pass, "no VPC in any audited region: nothing reaches AWS services from a VPC".to_string());
    account_verdict(control, acct, findings, String::new(), none)
}

#[cfg(test)]
mod tests;
