//! What the resource checks share: reading one kind of regional resource of every audited
//! region, and rolling the findings of an account (one per resource, or per region) into its
//! verdict. A leaf of the checks.

use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, CollectError, Collected, RegionResources};

/// One audited region's read of some resource.
pub(crate) enum RegionRead<'a, T> {
    Ok(&'a T),
    Failed(&'a CollectError),
    /// The region's resources were not collected (the read was not asked for).
    Missing,
}

/// Each audited region of the account (in its order) with what `pick` reads of it.
pub(crate) fn per_region<'a, T>(
    acct: &'a AccountInventory,
    pick: impl Fn(&'a RegionResources) -> Option<&'a Collected<T>>,
) -> Vec<(&'a str, RegionRead<'a, T>)> {
    acct.regions
        .iter()
        .map(|region| {
            let read = match acct.resources.iter().find(|r| &r.region == region).and_then(&pick) {
                Some(Collected::Ok(v)) => RegionRead::Ok(v),
                Some(Collected::Error(e)) => RegionRead::Failed(e),
                None => RegionRead::Missing,
            };
            (region.as_str(), read)
        })
        .collect()
}

/// The finding of a region whose read failed or is missing: ERROR, naming the operation.
pub(crate) fn unreadable<T>(
    control: &Control,
    acct: &AccountInventory,
    subject: Subject,
    region: &str,
    read: &RegionRead<T>,
    what: &str,
) -> Option<Finding> {
    let message = match read {
        RegionRead::Ok(_) => return None,
        RegionRead::Failed(e) => format!("{what} of {region} could not be read: {e}"),
        RegionRead::Missing => format!("{what} of {region} were not collected"),
    };
    Some(
        Finding::about(control, subject, &acct.account_id)
            .status(Status::Error)
            .region(Some(region))
            .message(message.clone())
            .evidence(vec![Evidence::bad(format!("{region}.read"), message)]),
    )
}

/// One finding per audited region for a setting that is on or off there (EBS encryption by
/// default, Security Hub): PASS when on, FAIL (with `fix(region)` as the command) when off,
/// ERROR when it could not be read. `what` names the setting in messages; `step` its evidence.
pub(crate) fn region_setting<'a>(
    control: &Control,
    acct: &'a AccountInventory,
    pick: impl Fn(&'a RegionResources) -> Option<Collected<bool>>,
    what: &str,
    step: &str,
    fix: impl Fn(&str) -> String,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for region in &acct.regions {
        let read = acct.resources.iter().find(|r| &r.region == region).and_then(&pick);
        let f = Finding::about(control, Subject::Region, &acct.account_id).region(Some(region));
        out.push(match read {
            Some(Collected::Ok(true)) => {
                f.message(format!("{what} is on in {region}")).evidence(vec![Evidence::ok(step, true)])
            }
            Some(Collected::Ok(false)) => f
                .status(Status::Fail)
                .message(format!("{what} is off in {region}"))
                .evidence(vec![Evidence::bad(step, false)])
                .remediation(Some(fix(region))),
            Some(Collected::Error(e)) => {
                let message = format!("{what} of {region} could not be read: {e}");
                f.status(Status::Error).evidence(vec![Evidence::bad(step, message.clone())]).message(message)
            }
            None => f.status(Status::Error).message(format!("{what} of {region} was not collected")),
        });
    }
    out
}

/// The account's verdict from its findings: FAIL when one fails (naming up to a few), else ERROR
/// when one could not be read, else PASS with `pass`; with no finding but SKIPPED ones (which
/// only inform), `none` (a status and a message: e.g. PASS "no VPC in any audited region").
pub(crate) fn account_verdict(
    control: &Control,
    acct: &AccountInventory,
    findings: Vec<Finding>,
    pass: String,
    none: (Status, String),
) -> Vec<(ControlResult, Vec<Finding>)> {
    let failing: Vec<&Finding> = findings.iter().filter(|f| f.status == Status::Fail).collect();
    let errors: Vec<&Finding> = findings.iter().filter(|f| f.status == Status::Error).collect();
    let (status, message) = if findings.iter().all(|f| f.status == Status::Skipped) {
        none
    } else if !failing.is_empty() {
        (Status::Fail, summarize(&failing))
    } else if !errors.is_empty() {
        (Status::Error, summarize(&errors))
    } else if findings.iter().all(|f| f.status == Status::Manual) {
        (Status::Manual, summarize(&findings.iter().collect::<Vec<_>>()))
    } else {
        (Status::Pass, pass)
    };
    vec![(ControlResult::new(control, &acct.account_id, None, status, message), findings)]
}

/// The first few findings' messages on one line, and how many more.
fn summarize(list: &[&Finding]) -> String {
    const SHOWN: usize = 3;
    let mut s: Vec<String> = list.iter().take(SHOWN).map(|f| f.message.clone()).collect();
    if list.len() > SHOWN {
        s.push(format!("and {} more", list.len() - SHOWN));
    }
    s.join("; ")
}

/// A recommendation the version assesses as Manual: what the evidence would FAIL is for the
/// assessor to decide, so those findings and the verdict are MANUAL, with the same evidence and
/// commands; PASS and ERROR stand. Automated (and Scored) versions are left as they are.
pub(crate) fn as_assessed(
    control: &Control,
    mut out: Vec<(ControlResult, Vec<Finding>)>,
) -> Vec<(ControlResult, Vec<Finding>)> {
    if !control.assessment.eq_ignore_ascii_case("Manual") {
        return out;
    }
    for (r, findings) in out.iter_mut() {
        for f in findings.iter_mut().filter(|f| f.status == Status::Fail) {
            f.status = Status::Manual;
        }
        if r.status == Status::Fail {
            r.status = Status::Manual;
            r.message = format!("for the assessor (a Manual recommendation in this version): {}", r.message);
        }
    }
    out
}
