//! The S3 bucket CloudTrail delivers to: not publicly accessible (`cloudtrail-bucket-not-public`:
//! CIS v1.2.0 2.3; v1.4.0 and v2.0.0 3.3), and with server access logging
//! (`cloudtrail-bucket-access-logging`: v1.2.0 2.6; v1.4.0 and v2.0.0 3.6; v3.0.0 and v4.0.0
//! 3.4; v5.0.0 3.4; v6.0.0 and v7.0.0 4.4).
//!
//! The buckets are those of every trail that logs the account (its own, and its organization's
//! trails), each judged once whichever trails share it, read in its region with this account's
//! credentials:
//! - not public: `GetBucketAcl` must grant nothing to `AllUsers` or `AuthenticatedUsers`, and
//!   `GetBucketPolicy` must have no `Allow` to `Principal "*"` (or `{"AWS": "*"}`); a condition
//!   on such a statement is named in the evidence, the statement still counts (as the audit
//!   reads it);
//! - access logging: `GetBucketLogging` must return `LoggingEnabled` (its target bucket and
//!   prefix are the evidence).
//!
//! **A bucket in another account.** A trail's bucket that this account's `ListBuckets` does not
//! list belongs to another account (an organization's log archive, typically). When that account
//! is audited too and read what the control needs of the bucket, that reading is used. Otherwise, when it could be read with
//! this account's credentials, it is judged, the evidence naming it as another account's (the fix is made
//! there). When the read is refused (`AccessDenied`, on `GetBucketLocation` or the read itself),
//! the finding is MANUAL, saying exactly that: the bucket is another account's and must be
//! checked there; it is not a FAIL. The same refusal on a bucket this account owns is ERROR.
//! Both controls read the trail buckets' ACL, policy and logging together (one read for both).
//!
//! Access logging off FAILs in every version (v5.0.0 assesses it as Manual, but its audit
//! procedure has a definite answer). No trail at all: nothing to judge here (PASS, saying so;
//! `cloudtrail-multi-region` fails for it).
//!
//! Remediation is MANUAL: the finding gives the command (`put-bucket-logging` to a log bucket of
//! the operator's choice; `put-bucket-acl --acl private` and the policy statement to remove).

use super::bucket_policy::{public_grants, public_statements};
use super::module::{module_source, Check};
use super::rollup::account_verdict;
use super::trail::account_trails;
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, CollectError, Collected, Read, S3Bucket};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "cloudtrail-bucket",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::S3Bucket],
    reads: &[Read::Trails, Read::TrailBucketAccess, Read::TrailBucketLogging],
    has_patterns: false,
    remedy: "nothing automatic: the finding gives the command (put-bucket-logging to a log bucket you choose; put-bucket-acl --acl private, and the public policy statement to remove).",
    plan: None,
};

/// Who owns a trail's bucket, as far as the account's `ListBuckets` tells.
enum Owner {
    This,
    /// Another audited account, whose own reading is used.
    Audited(String),
    Other,
    /// `ListBuckets` failed or was not read.
    Unknown,
}

/// A trail bucket: its reads (None: not collected), owner, and the trails delivering to it.
struct TrailBucket<'a> {
    name: String,
    bucket: Option<&'a S3Bucket>,
    owner: Owner,
    trails: Vec<String>,
}

/// Whether a reading of the bucket holds what control `logging` (or not) needs.
fn has_parts(b: &S3Bucket, logging: bool) -> bool {
    if logging {
        matches!(b.logging, Some(Collected::Ok(_)))
    } else {
        matches!(b.acl, Some(Collected::Ok(_))) && matches!(b.policy, Some(Collected::Ok(_)))
    }
}

fn trail_buckets<'a>(acct: &'a AccountInventory, ctx: &Context<'a>, logging: bool) -> Vec<TrailBucket<'a>> {
    let mut out: Vec<TrailBucket> = Vec::new();
    for t in account_trails(acct, ctx) {
        let Some(name) = t.s3_bucket.as_deref().filter(|b| !b.is_empty()) else { continue };
        if let Some(x) = out.iter_mut().find(|x| x.name == name) {
            x.trails.push(t.name.clone());
            continue;
        }
        let listed = match &acct.account_wide.buckets {
            Some(Collected::Ok(l)) => l.iter().find(|b| b.name == name),
            _ => None,
        };
        let other = acct.account_wide.other_buckets.iter().find(|b| b.name == name);
        // The owner's own reading, when the owner is audited too (an organization's trail
        // bucket in its management or log archive account).
        let owners = ctx.inv.accounts.iter().filter(|a| a.account_id != acct.account_id).find_map(|a| {
            match &a.account_wide.buckets {
                Some(Collected::Ok(l)) => {
                    l.iter().find(|b| b.name == name && has_parts(b, logging)).map(|b| (a.account_id.clone(), b))
                }
                _ => None,
            }
        });
        let owner = match (&acct.account_wide.buckets, listed, &owners) {
            (_, Some(_), _) => Owner::This,
            (_, None, Some((id, _))) => Owner::Audited(id.clone()),
            (Some(Collected::Ok(_)), None, None) => Owner::Other,
            _ => Owner::Unknown,
        };
        let bucket = listed.or(owners.map(|o| o.1)).or(other);
        out.push(TrailBucket { name: name.to_string(), bucket, owner, trails: vec![t.name.clone()] });
    }
    out
}

/// A refused read (the bucket's owner keeps it from this account).
fn denied(e: &CollectError) -> bool {
    e.code.contains("AccessDenied") || e.code == "AllAccessDisabled" || e.code == "Forbidden"
}

/// The first read of the bucket that failed, if any: its region, or one of `parts`.
fn failed_read<'a>(b: &'a S3Bucket, parts: &[Option<&'a CollectError>]) -> Option<&'a CollectError> {
    if let Some(Collected::Error(e)) = &b.region {
        return Some(e);
    }
    parts.iter().flatten().copied().next()
}

fn err_of<T>(c: &Option<Collected<T>>) -> Option<&CollectError> {
    match c {
        Some(Collected::Error(e)) => Some(e),
        _ => None,
    }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let logging = control.key == "cloudtrail-bucket-access-logging";
    let mut findings = Vec::new();
    for tb in trail_buckets(acct, ctx, logging) {
        let arn = format!("arn:{}:s3:::{}", acct.partition, tb.name);
        let mut f = Finding::about(control, Subject::S3Bucket, &acct.account_id).resource(Some(&arn));
        let of = format!("bucket {} (trail {})", tb.name, tb.trails.join(", "));
        let mut ev = vec![Evidence::info("cloudtrail.trails", tb.trails.join(", "))];
        let elsewhere = match tb.owner {
            Owner::This => false,
            Owner::Audited(id) => {
                ev.push(Evidence::info(
                    "s3.bucket_owner",
                    format!("account {id} (audited too): its own reading is used"),
                ));
                true
            }
            Owner::Other => {
                ev.push(Evidence::info(
                    "s3.bucket_owner",
                    format!("not this account's: ListBuckets of {} does not list it", acct.account_id),
                ));
                true
            }
            Owner::Unknown => {
                ev.push(Evidence::info("s3.bucket_owner", "unknown: the account's buckets could not be listed"));
                false
            }
        };
        let Some(b) = tb.bucket else {
            let m = format!("{of}: the bucket was not read");
            findings.push(f.status(Status::Error).message(m).evidence(ev));
            continue;
        };
        if let Some(Collected::Ok(r)) = &b.region {
            f = f.region(Some(r));
        }
        let parts = if logging { vec![err_of(&b.logging)] } else { vec![err_of(&b.acl), err_of(&b.policy)] };
        if let Some(e) = failed_read(b, &parts) {
            ev.push(Evidence::bad("s3.read", e.to_string()));
            findings.push(if elsewhere && denied(e) {
                f.status(Status::Manual)
                    .message(format!(
                        "{of} belongs to another account (not in this account's ListBuckets) and {} was refused ({}): check it in the account that owns the bucket",
                        e.operation, e.code
                    ))
                    .evidence(ev)
            } else {
                f.status(Status::Error).message(format!("{of}: {e}")).evidence(ev)
            });
            continue;
        }
        let theirs = if elsewhere { "in the account that owns the bucket: " } else { "" };
        let verdict = if logging {
            match &b.logging {
                Some(Collected::Ok(Some(l))) => {
                    Ok(format!("server access logging is on, to {}/{}", l.target_bucket, l.target_prefix))
                }
                Some(Collected::Ok(None)) => Err((
                    "server access logging is off".to_string(),
                    format!(
                        "{theirs}aws s3api put-bucket-logging --bucket {} --bucket-logging-status '{{\"LoggingEnabled\": {{\"TargetBucket\": \"<log-bucket>\", \"TargetPrefix\": \"{}/\"}}}}' (the log bucket must let logging.s3.amazonaws.com write)",
                        tb.name, tb.name
                    ),
                )),
                _ => {
                    findings.push(f.status(Status::Error).message(format!("{of}: its logging was not collected")).evidence(ev));
                    continue;
                }
            }
        } else {
            let grants = match &b.acl {
                Some(Collected::Ok(acl)) => public_grants(acl),
                _ => vec![],
            };
            let statements = match &b.policy {
                Some(Collected::Ok(Some(p))) => {
                    public_statements(p).unwrap_or_else(|e| vec![format!("its policy cannot be read ({e})")])
                }
                _ => vec![],
            };
            if b.acl.is_none() || b.policy.is_none() {
                findings.push(
                    f.status(Status::Error).message(format!("{of}: its ACL or policy was not collected")).evidence(ev),
                );
                continue;
            }
            let public: Vec<String> = grants.into_iter().chain(statements).collect();
            if public.is_empty() {
                Ok("neither its ACL nor its policy grants access to everyone".to_string())
            } else {
                Err((
                    format!("public: {}", public.join("; ")),
                    format!(
                        "{theirs}aws s3api put-bucket-acl --bucket {} --acl private; remove the policy statements that allow Principal \"*\" (aws s3api get-bucket-policy / put-bucket-policy --bucket {})",
                        tb.name, tb.name
                    ),
                ))
            }
        };
        let step = if logging { "s3.bucket_logging" } else { "s3.bucket_public" };
        findings.push(match verdict {
            Ok(seen) => {
                ev.push(Evidence::ok(step, seen.clone()));
                f.message(format!("{of}: {seen}")).evidence(ev)
            }
            Err((why, fix)) => {
                ev.push(Evidence::bad(step, why.clone()));
                f.status(Status::Fail).message(format!("{of}: {why}")).evidence(ev).remediation(Some(fix))
            }
        });
    }
    let pass = if logging {
        format!("every CloudTrail bucket ({}) has server access logging", findings.len())
    } else {
        format!("no CloudTrail bucket ({}) is publicly accessible", findings.len())
    };
    let manual: Vec<String> =
        findings.iter().filter(|f| f.status == Status::Manual).map(|f| f.message.clone()).collect();
    let mut out = account_verdict(
        control,
        acct,
        findings,
        pass,
        (
            Status::Pass,
            "no CloudTrail trail, so no trail bucket to check (cloudtrail-multi-region fails for it)".into(),
        ),
    );
    // A bucket only its owner can read leaves the verdict to the assessor, unless another one fails.
    if let Some((r, _)) = out.first_mut().filter(|(r, _)| r.status == Status::Pass && !manual.is_empty()) {
        *r = ControlResult::new(control, &acct.account_id, None, Status::Manual, manual.join("; "));
    }
    out
}

#[cfg(test)]
mod tests;
