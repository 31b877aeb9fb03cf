//! The EC2 metadata service only allows IMDSv2 (CIS v5.0.0 5.7; v6.0.0 and v7.0.0 6.7).
//!
//! In each audited region every instance that is not terminated (`DescribeInstances`) must have
//! `MetadataOptions.HttpTokens` `required` (session tokens: IMDSv2 only), or the metadata
//! endpoint disabled (`HttpEndpoint` `disabled`: no metadata service to abuse). An instance with
//! `optional` tokens FAILs. One finding per instance; the account passes when every instance
//! does, and when there is none.

use super::module::{module_source, Check};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "ec2-imdsv2",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Instance],
    reads: &[Read::Instances],
    has_patterns: false,
    remedy: "nothing by itself: requiring tokens can break software on the instance that still uses IMDSv1; the finding gives the command (aws ec2 modify-instance-metadata-options --http-tokens required).",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let mut findings = Vec::new();
    let mut n = 0;
    for (region, read) in per_region(acct, |r| r.instances.as_ref()) {
        if let Some(f) = unreadable(control, acct, Subject::Instance, region, &read, "instances") {
            findings.push(f);
            continue;
        }
        let RegionRead::Ok(list) = read else { continue };
        for i in list {
            n += 1;
            let tokens = i.http_tokens.as_deref().unwrap_or("unknown");
            let endpoint = i.http_endpoint.as_deref().unwrap_or("enabled");
            let evidence = vec![
                Evidence::new("instance.http_tokens", tokens, Some(tokens == "required" || endpoint == "disabled")),
                Evidence::info("instance.http_endpoint", endpoint),
                Evidence::info("instance.state", i.state.clone()),
            ];
            let about = Finding::about(control, Subject::Instance, &acct.account_id)
                .region(Some(region))
                .resource(Some(i.id.clone()))
                .evidence(evidence);
            findings.push(if endpoint == "disabled" {
                about.message(format!("instance {} has no metadata service (endpoint disabled)", i.id))
            } else if tokens == "required" {
                about.message(format!("instance {} requires IMDSv2 tokens", i.id))
            } else {
                about
                    .status(Status::Fail)
                    .message(format!("instance {} in {region} allows IMDSv1 (HttpTokens {tokens})", i.id))
                    .remediation(Some(format!(
                        "aws ec2 modify-instance-metadata-options --region {region} --instance-id {} --http-tokens required --http-endpoint enabled",
                        i.id
                    )))
            });
        }
    }
    let pass = format!("every instance ({n}) requires IMDSv2 or has no metadata service");
    account_verdict(control, acct, findings, pass, (Status::Pass, "no instance in any audited region".into()))
}

#[cfg(test)]
mod tests;
