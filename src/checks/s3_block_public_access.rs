//! S3 Block Public Access is on: for the account, or for every bucket (CIS v5.0.0 2.1.4; v1.4.0
//! 2.1.5; v2.0.0–v4.0.0 2.1.4; v6.0.0 and v7.0.0 3.1.4).
//!
//! The benchmark's audit has two routes, and either satisfies it: **account settings** (S3
//! Control `GetPublicAccessBlock` for the account: `BlockPublicAcls`, `IgnorePublicAcls`,
//! `BlockPublicPolicy` and `RestrictPublicBuckets` all true), which cover every bucket of the
//! account; or **bucket settings** (`GetPublicAccessBlock` of each bucket, in its region, all four
//! true for every bucket). So:
//! - the account's four settings on: PASS (one finding for the account; the buckets need not be
//!   read further);
//! - otherwise, one finding per bucket: PASS with its four settings on, FAIL naming the settings
//!   that are off (or "no configuration", which means all off); the account passes when every
//!   bucket does, and fails when one does not;
//! - the account's settings unreadable (denied): the bucket route still decides a PASS; a bucket
//!   that fails then makes the account ERROR, not FAIL (the account's settings might cover it);
//!   a bucket whose settings could not be read is ERROR.
//!
//! The evidence also names what relies on public access: a bucket whose policy allows
//! `Principal "*"` to read (`s3:GetObject` or `s3:ListBucket`, through any wildcard) or whose
//! ACL grants `READ` or `FULL_CONTROL` to `AllUsers` or `AuthenticatedUsers`.
//!
//! Remediation turns the four settings on at the account level (S3 Control
//! `PutPublicAccessBlock`); the journal keeps the previous configuration and rollback restores
//! it, or deletes the configuration when there was none. When a bucket relies on public access
//! the plan names it and the step is MANUAL unless `--yes` is given: blocking at the account
//! level cuts that bucket off at once.

use super::bucket_policy::{public_read_grants, public_read_statements};
use super::buckets::{listed, unread};
use super::module::{module_source, Check, PlanInput, Proposal};
use super::rollup::account_verdict;
use super::Context;
use crate::actions::s3::PutAccountPublicAccessBlock;
use crate::actions::Spec;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, PublicAccessBlock, Read, S3Bucket};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "s3-block-public-access",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::Account, Subject::S3Bucket],
    reads: &[Read::BucketPublicAccess],
    has_patterns: false,
    remedy: "turns on the account's four Block Public Access settings (s3control PutPublicAccessBlock); rollback restores the previous configuration, or deletes it when there was none. A bucket that relies on public access is named in the plan, and the step needs --yes.",
    plan: Some(plan),
};

fn settings(p: &Option<PublicAccessBlock>) -> serde_json::Value {
    match p {
        None => "none (no configuration: all four off)".into(),
        Some(p) => serde_json::json!({
            "BlockPublicAcls": p.block_public_acls, "IgnorePublicAcls": p.ignore_public_acls,
            "BlockPublicPolicy": p.block_public_policy, "RestrictPublicBuckets": p.restrict_public_buckets}),
    }
}

fn off(p: &Option<PublicAccessBlock>) -> String {
    match p {
        None => "it has no Block Public Access configuration (all four settings off)".into(),
        Some(p) => format!("{} off", p.off().join(", ")),
    }
}

/// What relies on public access in a bucket (its policy or ACL lets anyone read), in words.
pub(crate) fn public_reliance(b: &S3Bucket) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Collected::Ok(Some(p))) = &b.policy {
        match public_read_statements(p) {
            Ok(list) => out.extend(list.into_iter().map(|s| format!("its policy: {s}"))),
            Err(e) => out.push(format!("its policy could not be read ({e})")),
        }
    }
    if let Some(Collected::Ok(acl)) = &b.acl {
        out.extend(public_read_grants(acl));
    }
    out
}

fn fix(acct: &AccountInventory, public: Vec<String>) -> PutAccountPublicAccessBlock {
    PutAccountPublicAccessBlock { account_id: acct.account_id.clone(), public_buckets: public }
}

/// The buckets that rely on public access, each as "bucket: why".
fn relying(acct: &AccountInventory) -> Vec<String> {
    match &acct.account_wide.buckets {
        Some(Collected::Ok(list)) => list
            .iter()
            .filter_map(|b| {
                let why = public_reliance(b);
                (!why.is_empty()).then(|| format!("{} ({})", b.name, why.join("; ")))
            })
            .collect(),
        _ => vec![],
    }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let account = &acct.account_wide.s3_public_access_block;
    let about = Finding::about(control, Subject::Account, &acct.account_id);
    if let Some(Collected::Ok(Some(p))) = account {
        if p.all_on() {
            let m = "the account's Block Public Access settings are all on: they cover every bucket".to_string();
            let f = about
                .message(m.clone())
                .evidence(vec![Evidence::ok("s3control.public_access_block", settings(&Some(*p)))]);
            return vec![(ControlResult::new(control, &acct.account_id, None, Status::Pass, m), vec![f])];
        }
    }
    let (account_ev, account_unknown) = match account {
        Some(Collected::Ok(p)) => (Evidence::bad("s3control.public_access_block", settings(p)), false),
        Some(Collected::Error(e)) => (Evidence::bad("s3control.public_access_block", format!("unknown: {e}")), true),
        None => (Evidence::bad("s3control.public_access_block", "not collected"), true),
    };
    let buckets = match listed(control, acct) {
        Ok(b) => b,
        Err(v) => return v,
    };
    let mut findings = Vec::new();
    for b in buckets {
        let (f, pab) = match unread(control, acct, b, &b.public_access_block, "public access block") {
            Ok(x) => x,
            Err(f) => {
                findings.push(f);
                continue;
            }
        };
        let mut ev = vec![
            Evidence::new("s3.public_access_block", settings(&pab), Some(pab.is_some_and(|p| p.all_on()))),
            account_ev.clone(),
        ];
        let reliance = public_reliance(b);
        if !reliance.is_empty() {
            ev.push(Evidence::info("s3.public_access_relied_on", reliance.join("; ")));
        }
        findings.push(if pab.is_some_and(|p| p.all_on()) {
            f.message(format!("bucket {}: its four Block Public Access settings are on", b.name)).evidence(ev)
        } else {
            let status = if account_unknown { Status::Error } else { Status::Fail };
            let why = if account_unknown {
                "the account's settings could not be read (they might cover it)"
            } else {
                "the account's settings do not cover it"
            };
            f.status(status)
                .message(format!("bucket {}: {}, and {why}", b.name, off(&pab)))
                .evidence(ev)
                .remediation(Some(fix(acct, vec![]).cli("")))
        });
    }
    if findings.is_empty() {
        // No bucket: the account route alone is what the audit can show.
        let (status, m) = if account_unknown {
            (
                Status::Error,
                "the account's Block Public Access settings could not be read (and it has no bucket)".to_string(),
            )
        } else {
            (
                Status::Fail,
                format!(
                    "the account has no bucket, and its Block Public Access settings are not all on: {}",
                    off(match account {
                        Some(Collected::Ok(p)) => p,
                        _ => &None,
                    })
                ),
            )
        };
        let f = about
            .status(status)
            .message(m.clone())
            .evidence(vec![account_ev])
            .remediation((status == Status::Fail).then(|| fix(acct, vec![]).cli("")));
        return vec![(ControlResult::new(control, &acct.account_id, None, status, m), vec![f])];
    }
    let pass = format!(
        "every bucket ({}) has its four Block Public Access settings on (the account's are not all on)",
        findings.len()
    );
    account_verdict(control, acct, findings, pass, (Status::Pass, String::new()))
}

fn plan(input: &PlanInput) -> Vec<Proposal> {
    let acct = input.acct;
    if !matches!(acct.account_wide.s3_public_access_block, Some(Collected::Ok(_))) {
        return vec![];
    }
    let public = relying(acct);
    let manual = (!public.is_empty() && !input.options.yes).then(|| {
        format!(
            "blocking public access at the account level cuts off what relies on it now: {}; re-run with --yes to apply it anyway",
            public.join("; ")
        )
    });
    vec![Proposal {
        region: input.options.home_region.clone(),
        action: fix(acct, public).into(),
        missing: if manual.is_some() { vec!["--yes".into()] } else { vec![] },
        manual,
    }]
}

#[cfg(test)]
mod tests;
