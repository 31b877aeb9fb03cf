//! Recommendations cis-audit leaves to the assessor on purpose, with what the assessor checks
//! (MANUAL in every account; no API read is made for them):
//! - `s3-data-discovery` (CIS v5.0.0 2.1.3; v1.4.0 2.1.4; v2.0.0–v4.0.0 2.1.3; v6.0.0 and
//!   v7.0.0 3.1.3): all data in S3 discovered, classified and secured. The benchmark's audit is
//!   a console check that Amazon Macie has a discovery job set up and running for the buckets, or
//!   that a third-party tool does the same, which satisfies the recommendation too; whether the
//!   buckets that matter are covered is a judgement no API answers. No Macie call is made (Macie's
//!   `GetMacieSession` would only say whether Macie is on in a region, not whether a job covers
//!   the data, and third-party tools are invisible to it).
//! - `web-frontend-access-logging` (v7.0.0 4.10): access logging on the web front ends. The
//!   assessor lists the public front ends (CloudFront distributions, Application and Network
//!   Load Balancers, API Gateway REST, HTTP and WebSocket stages) and checks that each delivers
//!   access logs: CloudFront standard logging (`Logging.Enabled`, or a v2 log delivery),
//!   `access_logs.s3.enabled` on each load balancer, and an access log destination on each API
//!   stage. cis-audit makes none of those reads.

use super::module::{module_source, Check};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Subject};
use crate::inventory::AccountInventory;

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "assessor-only",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Account],
    reads: &[],
    has_patterns: false,
    remedy: "nothing: a person follows the audit steps (cis-audit explain shows them) and fixes what they find.",
    plan: None,
};

/// What the assessor checks, per control key.
fn what(key: &str) -> &'static str {
    match key {
        "s3-data-discovery" => "confirm that Amazon Macie (or a third-party tool) has a sensitive-data discovery job set up and running for the S3 buckets that hold data; cis-audit makes no Macie or S3 read for this",
        "web-frontend-access-logging" => "list the public web front ends (CloudFront distributions, Application/Network Load Balancers, API Gateway stages) and confirm each delivers access logs (CloudFront standard logging, access_logs.s3.enabled, the stage's access log destination); cis-audit makes none of these reads",
        _ => "follow the audit steps of cis-audit explain",
    }
}

pub(crate) fn evaluate(
    control: &Control,
    acct: &AccountInventory,
    _ctx: &Context,
) -> Vec<(ControlResult, Vec<Finding>)> {
    let message = format!("not evaluated from an API (no read is made): the assessor must {}", what(&control.key));
    super::manual::verdict(control, acct, message, vec![Evidence::info("api_reads", "none")])
}

#[cfg(test)]
mod tests;
