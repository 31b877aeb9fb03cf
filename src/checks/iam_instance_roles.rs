//! EC2 instances use IAM roles for AWS access (CIS v5.0.0 1.17; v1.2.0 1.19; v1.4.0–v4.0.0
//! 1.18; v6.0.0 2.17; v7.0.0 2.16).
//!
//! In each audited region every instance (`DescribeInstances`) that is not terminated or
//! shutting down must have an instance profile (`IamInstanceProfile`), and that profile must hold
//! a role (`ListInstanceProfiles`, read once per account): PASS; no profile, or a profile with no
//! role, FAILs. A profile that is not in the account's list (another account's, or deleted) is
//! judged by its presence alone and said so. No instance at all passes.
//!
//! The benchmark also asks to scan instances for credentials stored on them; no AWS API can, so
//! the evidence says it stays with the assessor. Remediation is MANUAL (which role an instance
//! needs is the owner's call): the finding gives the command to associate a profile.

use super::iam_common::Verdicts;
use super::module::{module_source, Check};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::catalog::Control;
use crate::finding::{Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "iam-instance-roles",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Instance, Subject::Region],
    reads: &[Read::Instances, Read::InstanceProfiles],
    has_patterns: false,
    remedy: "nothing by itself: the finding gives the command to associate an instance profile (which role is the owner's call).",
    plan: None,
};

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let profiles = match &acct.account_wide.instance_profiles {
        Some(Collected::Ok(p)) => Ok(p),
        Some(Collected::Error(e)) => Err(format!("the instance profiles could not be listed: {e}")),
        None => Err("the instance profiles were not collected".to_string()),
    };
    let mut findings = Vec::new();
    let mut checked = 0;
    for (region, read) in per_region(acct, |r| r.instances.as_ref()) {
        if let Some(f) = unreadable(control, acct, Subject::Region, region, &read, "instances") {
            findings.push(f);
            continue;
        }
        let RegionRead::Ok(list) = read else { continue };
        for i in list.iter().filter(|i| !matches!(i.state.as_str(), "terminated" | "shutting-down")) {
            checked += 1;
            let about = Finding::about(control, Subject::Instance, &acct.account_id)
                .region(Some(region))
                .resource(Some(i.id.clone()));
            let mut ev = vec![Evidence::info("instance.state", i.state.clone())];
            let Some(arn) = &i.instance_profile else {
                ev.push(Evidence::bad("instance.iam_instance_profile", "none"));
                findings.push(
                    about
                        .status(Status::Fail)
                        .message(format!("instance {} in {region} has no IAM instance profile", i.id))
                        .evidence(ev)
                        .remediation(Some(format!(
                            "aws ec2 associate-iam-instance-profile --region {region} --instance-id {} --iam-instance-profile Name=<PROFILE>",
                            i.id
                        ))),
                );
                continue;
            };
            ev.push(Evidence::ok("instance.iam_instance_profile", arn.clone()));
            let f = match &profiles {
                Err(m) => about.status(Status::Error).message(m.clone()).evidence(ev),
                Ok(list) => match list.iter().find(|p| &p.arn == arn) {
                    Some(p) if p.roles.is_empty() => {
                        ev.push(Evidence::bad("instance_profile.roles", "none"));
                        about
                            .status(Status::Fail)
                            .message(format!(
                                "instance {} in {region} has profile {} but it holds no role",
                                i.id, p.name
                            ))
                            .evidence(ev)
                            .remediation(Some(format!(
                                "aws iam add-role-to-instance-profile --instance-profile-name {} --role-name <ROLE>",
                                p.name
                            )))
                    }
                    Some(p) => {
                        ev.push(Evidence::ok("instance_profile.roles", serde_json::json!(p.roles)));
                        about.message(format!("instance {} uses role(s) through profile {}", i.id, p.name)).evidence(ev)
                    }
                    None => {
                        ev.push(Evidence::info(
                            "instance_profile.roles",
                            "the profile is not among the account's instance profiles",
                        ));
                        about.message(format!("instance {} has instance profile {arn}", i.id)).evidence(ev)
                    }
                },
            };
            findings.push(f);
        }
    }
    if checked > 0 {
        findings.push(
            Finding::about(control, Subject::Region, &acct.account_id)
                .status(Status::Skipped)
                .message("credentials stored on the instances themselves cannot be found through an AWS API: an assessor scans for them")
                .evidence(vec![Evidence::info("instances.stored_credentials", "not examined (no API)")]),
        );
    }
    account_verdict(
        control,
        acct,
        findings,
        format!("all {checked} instance(s) have an instance profile with a role"),
        (Status::Pass, "no instance in any audited region".into()),
    )
}

#[cfg(test)]
mod tests;
