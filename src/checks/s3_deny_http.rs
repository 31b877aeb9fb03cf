//! Every S3 bucket's policy denies requests made without TLS (CIS v5.0.0 2.1.1; v1.4.0 2.1.2;
//! v2.0.0–v4.0.0 2.1.1; v6.0.0 and v7.0.0 3.1.1).
//!
//! `ListBuckets`, then `GetBucketPolicy` of each bucket in its region. A bucket passes when its
//! policy holds a statement that, by meaning, denies plain-HTTP requests to everyone:
//! - `Effect` `Deny`, `Principal` `"*"` or `{"AWS": "*"}` (a list holding `"*"` too; no
//!   `NotPrincipal`);
//! - `Action` (a string or a list) holding `s3:*` or `*`, in any case. A narrower wildcard
//!   (`s3:Get*`, `s3:*Object`) leaves other requests allowed over HTTP and does not count; nor
//!   does `NotAction`;
//! - `Resource` (a string or a list, IAM wildcards matched) covering every object of the bucket
//!   (`arn:aws:s3:::<bucket>/*`, `arn:aws:s3:::<bucket>*`, `*` …); no `NotResource`;
//! - `Condition` `Bool` or `BoolIfExists` on `aws:SecureTransport` with the value `false` (the
//!   string or the JSON boolean, alone or in a list), and no other condition (one would narrow the
//!   deny to the requests that also meet it).
//!
//! **Objects only.** The benchmark's own audit example denies on `arn:aws:s3:::<bucket>/*` alone,
//! so such a statement passes, as the benchmark says; AWS's guidance (the knowledge-center
//! policy behind the AWS Config rule `s3-bucket-ssl-requests-only`) also names the bucket ARN, so
//! that bucket-level requests (`ListBucket`, `GetBucketPolicy` …) are denied over HTTP too: the
//! evidence says when the bucket itself is not covered. A deny on the bucket ARN alone does not
//! cover the objects, and fails. Several qualifying statements are read together (one for the
//! bucket, one for its objects).
//!
//! **TLS version.** From v4.0.0 (`accept_tls_version_deny` in the version's data) the audit
//! also accepts a `Deny` under `NumericLessThan` `s3:TlsVersion`; it passes in those versions,
//! with evidence noting that by IAM's rules a request without TLS carries no `s3:TlsVersion`, so
//! that statement alone does not refuse plain HTTP. Earlier versions do not accept it.
//!
//! An `Allow` conditioned on `aws:SecureTransport` `true` allows HTTPS but denies nothing: it
//! does not count (the evidence names it). No policy at all (`NoSuchBucketPolicy`) fails: S3
//! then serves HTTP and HTTPS alike. A policy that is not JSON fails, naming the parse error.
//! A bucket whose region or policy could not be read is ERROR, naming the call. One finding per
//! bucket, naming the statement that decided; no bucket at all passes.
//!
//! Remediation is MANUAL: a bucket policy is merged by hand (the hint gives the statement and
//! the commands), since denying HTTP can break a client that still uses it.

use super::bucket_policy::{covers_all_s3, parse, resource_covers, statements, Statement};
use super::buckets::{listed, unread};
use super::module::{module_source, Check};
use super::rollup::account_verdict;
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "s3-deny-http",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::S3Bucket],
    reads: &[Read::BucketPolicies],
    has_patterns: false,
    remedy: "nothing automatic: the finding gives the Deny statement to merge into the bucket policy and the commands (aws s3api get-bucket-policy / put-bucket-policy); denying HTTP may break a client that still uses it.",
    plan: None,
};

/// What one statement contributes.
struct Contribution {
    name: String,
    bucket: bool,
    objects: bool,
    /// `s3:TlsVersion` rather than `aws:SecureTransport`.
    tls_version: bool,
}

/// The transport condition of a statement: Some(true) for `aws:SecureTransport` false,
/// Some(false) for `NumericLessThan s3:TlsVersion` (when accepted); the other conditions, in
/// words.
fn transport(st: &Statement, accept_tls: bool) -> (Option<bool>, Vec<String>) {
    let mut kind = None;
    let mut others = Vec::new();
    for (op, key, values) in st.conditions() {
        let secure = (op == "Bool" || op == "BoolIfExists")
            && key.eq_ignore_ascii_case("aws:SecureTransport")
            && values.iter().any(|v| v == "false");
        let tls = accept_tls && op == "NumericLessThan" && key.eq_ignore_ascii_case("s3:TlsVersion");
        if secure {
            kind = Some(true);
        } else if tls && kind.is_none() {
            kind = Some(false);
        } else {
            others.push(format!("{op} {key} {}", values.join(",")));
        }
    }
    (kind, others)
}

/// Judges a policy: Ok(what passes, as evidence lines) or Err(why not, as evidence lines).
fn judge(policy: &str, bucket: &str, partition: &str, accept_tls: bool) -> Result<Vec<String>, Vec<String>> {
    let doc = parse(policy).map_err(|e| vec![e])?;
    let list = statements(&doc).map_err(|e| vec![format!("the policy cannot be read: {e}")])?;
    let bucket_arn = format!("arn:{partition}:s3:::{bucket}");
    let objects_arn = format!("{bucket_arn}/*");
    let mut notes = Vec::new();
    let mut found: Vec<Contribution> = Vec::new();
    for st in &list {
        let (kind, others) = transport(st, accept_tls);
        if st.effect() != "Deny" {
            let https_only = st.conditions().iter().any(|(op, k, v)| {
                op.starts_with("Bool") && k.eq_ignore_ascii_case("aws:SecureTransport") && v.iter().any(|x| x == "true")
            });
            if https_only {
                notes.push(format!(
                    "{} allows requests when aws:SecureTransport is true: an Allow permits HTTPS but does not deny HTTP",
                    st.name
                ));
            }
            continue;
        }
        let Some(secure) = kind else { continue };
        let mut why = Vec::new();
        if st.has("NotPrincipal") || !st.everyone() {
            why.push("its principal is not everyone (\"*\")".to_string());
        }
        if st.has("NotAction") {
            why.push("it uses NotAction".to_string());
        } else if !st.actions().iter().any(|a| covers_all_s3(a)) {
            why.push(format!("it denies only {}, not s3:*", st.actions().join(", ")));
        }
        if st.has("NotResource") {
            why.push("it uses NotResource".to_string());
        }
        if !others.is_empty() {
            why.push(format!("it is also conditioned on {}, so it denies HTTP only then", others.join("; ")));
        }
        let resources = st.resources();
        let objects = resources.iter().any(|r| resource_covers(r, &objects_arn));
        let whole = resources.iter().any(|r| resource_covers(r, &bucket_arn));
        if !objects && !whole {
            why.push(format!("its Resource ({}) is neither the bucket nor its objects", resources.join(", ")));
        }
        if why.is_empty() {
            found.push(Contribution { name: st.name.clone(), bucket: whole, objects, tls_version: !secure });
        } else {
            notes.push(format!("{} denies when the request is not secure, but {}", st.name, why.join("; ")));
        }
    }
    // Prefer the aws:SecureTransport statements; s3:TlsVersion ones count only without them.
    let secure: Vec<&Contribution> = found.iter().filter(|c| !c.tls_version).collect();
    let (used, by_tls): (Vec<&Contribution>, bool) =
        if secure.iter().any(|c| c.objects) { (secure, false) } else { (found.iter().collect(), true) };
    let objects = used.iter().filter(|c| c.objects).map(|c| c.name.clone()).collect::<Vec<_>>();
    if objects.is_empty() {
        let bucket_only: Vec<String> = used.iter().filter(|c| c.bucket).map(|c| c.name.clone()).collect();
        let mut why = vec![format!(
            "no statement denies s3:* to everyone on {objects_arn} when aws:SecureTransport is false{}",
            if accept_tls { " (or when s3:TlsVersion is below a minimum)" } else { "" }
        )];
        if !bucket_only.is_empty() {
            why.push(format!("{} denies HTTP on the bucket ARN only, not on its objects", bucket_only.join(", ")));
        }
        why.extend(notes);
        return Err(why);
    }
    let whole: Vec<String> = used.iter().filter(|c| c.bucket).map(|c| c.name.clone()).collect();
    let when = if by_tls { "s3:TlsVersion is below the minimum" } else { "aws:SecureTransport is false" };
    let mut ok = vec![if whole == objects {
        format!(
            "{} denies s3:* to everyone on the bucket and its objects ({bucket_arn}, {objects_arn}) when {when}",
            objects.join(", ")
        )
    } else {
        format!("{} denies s3:* to everyone on the bucket's objects ({objects_arn}) when {when}", objects.join(", "))
    }];
    if whole.is_empty() {
        ok.push(format!(
            "the bucket itself ({bucket_arn}) is not covered: bucket-level requests (ListBucket, GetBucketPolicy …) are not denied over HTTP; the benchmark's example accepts this, AWS's guidance also lists the bucket ARN"
        ));
    } else if whole != objects {
        ok.push(format!("{} covers the bucket ARN ({bucket_arn})", whole.join(", ")));
    }
    if by_tls {
        ok.push("a request without TLS carries no s3:TlsVersion, so by IAM's rules this statement does not itself refuse plain HTTP; the benchmark (v4.0.0 on) accepts it".into());
    }
    Ok(ok)
}

/// The statement to add, and the commands (MANUAL).
fn hint(bucket: &str, partition: &str) -> String {
    let st = serde_json::json!({
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [format!("arn:{partition}:s3:::{bucket}"), format!("arn:{partition}:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    });
    format!(
        "add this statement to the bucket policy: {st}: aws s3api get-bucket-policy --bucket {bucket} --query Policy --output text > policy.json (none yet: start from {{\"Version\": \"2012-10-17\", \"Statement\": []}}), add it to Statement, then aws s3api put-bucket-policy --bucket {bucket} --policy file://policy.json"
    )
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let buckets = match listed(control, acct) {
        Ok(b) => b,
        Err(v) => return v,
    };
    let accept_tls = control.param_bool("accept_tls_version_deny");
    let mut findings = Vec::new();
    for b in buckets {
        let (f, policy) = match unread(control, acct, b, &b.policy, "policy") {
            Ok(x) => x,
            Err(f) => {
                findings.push(f);
                continue;
            }
        };
        findings.push(match policy {
            None => f
                .status(Status::Fail)
                .message(format!("bucket {} has no bucket policy: S3 serves HTTP and HTTPS alike", b.name))
                .evidence(vec![Evidence::bad("s3.bucket_policy", "none (NoSuchBucketPolicy)")])
                .remediation(Some(hint(&b.name, &acct.partition))),
            Some(text) => match judge(&text, &b.name, &acct.partition, accept_tls) {
                Ok(lines) => {
                    let mut ev = vec![Evidence::ok("s3.bucket_policy.deny_http", lines[0].clone())];
                    ev.extend(lines[1..].iter().map(|l| Evidence::info("s3.bucket_policy.note", l.clone())));
                    f.message(format!("bucket {}: {}", b.name, lines[0])).evidence(ev)
                }
                Err(why) => {
                    let mut ev = vec![Evidence::bad("s3.bucket_policy.deny_http", why[0].clone())];
                    ev.extend(why[1..].iter().map(|l| Evidence::info("s3.bucket_policy.statement", l.clone())));
                    f.status(Status::Fail)
                        .message(format!("bucket {}: {}", b.name, why.join("; ")))
                        .evidence(ev)
                        .remediation(Some(hint(&b.name, &acct.partition)))
                }
            },
        });
    }
    let pass = format!("every bucket's policy denies requests without TLS ({})", findings.len());
    account_verdict(control, acct, findings, pass, (Status::Pass, "the account has no S3 bucket".into()))
}

#[cfg(test)]
mod tests;
