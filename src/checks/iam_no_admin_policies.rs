//! No managed policy in use grants full `*:*` administrative privileges (CIS v5.0.0 1.15;
//! v1.2.0 1.22; v1.4.0–v4.0.0 1.16; v6.0.0 2.15; v7.0.0 2.14).
//!
//! Read once per account: `ListPolicies` of every customer managed policy and of the AWS managed
//! policies attached to something (the audit's `list-policies --only-attached` lists both), and
//! `GetPolicyVersion` of each one's default version (its document URL-decoded). From v1.4.0
//! (`params.only_attached`) only policies attached to a user, group or role are judged; v1.2.0's
//! audit lists every policy, so every customer managed policy is judged there too (AWS managed
//! ones that nothing uses are never read: they grant nobody anything).
//!
//! A document is judged by what it means, not its text:
//! - `Statement` is a list or a single object; `Action`, `NotAction`, `Resource` a string or a
//!   list; `Effect` compared without case.
//! - A statement **grants every action on every resource** when it is an `Allow` whose
//!   `Resource` includes `*` and whose `Action` includes `*` (or `*:*`).
//! - An `Allow` of `NotAction` on `*` grants every action but those listed: when the listed ones
//!   do not include all of IAM (`*`, `iam:*`, `iam*` …) the policy still lets its holder grant
//!   itself anything through IAM (attach `AdministratorAccess`, rewrite this very policy), so it
//!   is judged full administrator access too; `NotAction` that excludes all of IAM (as
//!   `PowerUserAccess` does) is not.
//! - An unconditional `Deny` in the same document of all IAM actions (or of everything) on `*`
//!   takes that power away: such a document is not full administrator access. A `Deny` with a
//!   `Condition`, or of anything less, does not (the evidence shows it beside the grant).
//! - A `Condition` on the granting statement does not make it less than administrator access
//!   when it holds; it is shown in the evidence.
//!
//! A policy that grants full administrator access FAILs, naming its statement; the others PASS.
//! A document that could not be read or parsed is ERROR. Remediation is MANUAL: cis-audit never
//! changes or detaches a policy; the finding lists the commands to see who holds it and detach it.

use super::iam_common::{need, Verdicts};
use super::module::{module_source, Check};
use super::rollup::account_verdict;
use super::Context;
use crate::catalog::Control;
use crate::finding::{Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, Read};
use serde_json::{json, Value};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "iam-no-admin-policies",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::IamPolicy],
    reads: &[Read::Policies],
    has_patterns: false,
    remedy: "nothing by itself: detaching an administrator policy is MANUAL (the finding lists who holds it and the commands).",
    plan: None,
};

/// A string or a list of strings, as IAM allows for `Action`, `Resource` …
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => vec![],
    }
}

/// An action pattern that matches every action.
fn is_all(p: &str) -> bool {
    p == "*" || p == "*:*"
}

/// An action pattern that matches every IAM action (`*`, `iam:*`, `iam*`, `i*` …).
fn covers_iam(p: &str) -> bool {
    if is_all(p) {
        return true;
    }
    let Some(prefix) = p.strip_suffix('*') else { return false };
    !prefix.contains(['*', '?']) && "iam:".starts_with(&prefix.to_ascii_lowercase())
}

/// What a document grants: Some(why) when it is full administrator access.
#[derive(Debug, PartialEq)]
pub(crate) struct Judgement {
    pub admin: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// Judges a policy document (JSON text); Err when it is not a policy document.
pub(crate) fn judge(doc: &str) -> Result<Judgement, String> {
    let v: Value = serde_json::from_str(doc).map_err(|e| format!("the policy document is not JSON: {e}"))?;
    let statements: Vec<&Value> = match v.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => return Err("the policy document has no Statement".into()),
    };
    let effect =
        |s: &Value, e: &str| s.get("Effect").and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case(e));
    let label = |i: usize, s: &Value| {
        s.get("Sid")
            .and_then(Value::as_str)
            .map_or(format!("statement {}", i + 1), |sid| format!("statement {} ({sid})", i + 1))
    };
    let mut evidence = Vec::new();
    let mut grants: Vec<String> = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        if !effect(s, "Allow") || !strings(s.get("Resource")).iter().any(|r| r == "*") {
            continue;
        }
        let actions = strings(s.get("Action"));
        let cond = s.get("Condition").cloned();
        let how = if actions.iter().any(|a| is_all(a)) {
            Some(format!("{} allows Action {} on Resource *", label(i, s), json!(s.get("Action"))))
        } else if s.get("NotAction").is_some() {
            let not = strings(s.get("NotAction"));
            (!not.iter().any(|a| covers_iam(a))).then(|| {
                format!(
                    "{} allows every action except {} on Resource *, IAM included (enough to grant itself the rest)",
                    label(i, s),
                    json!(not)
                )
            })
        } else {
            None
        };
        if let Some(how) = how {
            let mut obs = json!({"statement": s});
            if cond.is_some() {
                obs["note"] = json!("the Condition limits when it applies, not what it grants");
            }
            evidence.push(Evidence::bad("policy.statement", obs));
            grants.push(how);
        }
    }
    if grants.is_empty() {
        evidence.push(Evidence::ok("policy.full_admin_statement", "none"));
        return Ok(Judgement { admin: None, evidence });
    }
    // A Deny beside it that takes IAM (or everything) away, unconditionally, on every resource.
    for (i, s) in statements.iter().enumerate() {
        if !effect(s, "Deny") {
            continue;
        }
        let unconditional = s.get("Condition").is_none();
        let everywhere = strings(s.get("Resource")).iter().any(|r| r == "*");
        let takes_iam = strings(s.get("Action")).iter().any(|a| covers_iam(a));
        if unconditional && everywhere && takes_iam {
            evidence.push(Evidence::ok(
                "policy.deny",
                json!({"statement": s, "note": format!("{} denies all of IAM on every resource", label(i, s))}),
            ));
            return Ok(Judgement { admin: None, evidence });
        }
        evidence.push(Evidence::info(
            "policy.deny",
            json!({"statement": s, "note": "does not take IAM away unconditionally on every resource"}),
        ));
    }
    Ok(Judgement { admin: Some(grants.join("; ")), evidence })
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Verdicts {
    let policies = match need(control, acct, acct.account_wide.policies.as_ref(), "the managed policies") {
        Ok(p) => p,
        Err(v) => return v,
    };
    let only_attached = control.param_bool("only_attached");
    let mut findings = Vec::new();
    for p in policies {
        if only_attached && p.attachment_count == 0 {
            continue;
        }
        let about = Finding::about(control, Subject::IamPolicy, &acct.account_id).resource(Some(p.arn.clone()));
        let head = vec![
            Evidence::info("policy.default_version", p.default_version.clone()),
            Evidence::info("policy.attachment_count", p.attachment_count),
        ];
        let doc = match &p.document {
            Some(Collected::Ok(d)) => d,
            Some(Collected::Error(e)) => {
                findings.push(
                    about
                        .status(Status::Error)
                        .message(format!("the document of policy {} could not be read: {e}", p.name))
                        .evidence(head),
                );
                continue;
            }
            None => {
                findings.push(
                    about.status(Status::Error).message(format!("the document of policy {} was not collected", p.name)),
                );
                continue;
            }
        };
        match judge(doc) {
            Err(m) => {
                findings.push(about.status(Status::Error).message(format!("policy {}: {m}", p.name)).evidence(head))
            }
            Ok(Judgement { admin: None, evidence }) => findings.push(
                about
                    .message(format!("policy {} does not grant full administrator access", p.name))
                    .evidence([head, evidence].concat()),
            ),
            Ok(Judgement { admin: Some(how), evidence }) => {
                let arn = &p.arn;
                let fix = format!(
                    "aws iam list-entities-for-policy --policy-arn {arn}   # who holds it; for each: aws iam detach-user-policy --user-name <U> --policy-arn {arn} | aws iam detach-group-policy --group-name <G> --policy-arn {arn} | aws iam detach-role-policy --role-name <R> --policy-arn {arn} (after giving them a least-privilege policy)"
                );
                findings.push(
                    about
                        .status(Status::Fail)
                        .message(format!(
                            "policy {} ({} attachment(s)) grants full administrator access: {how}",
                            p.name, p.attachment_count
                        ))
                        .evidence([head, evidence].concat())
                        .remediation(Some(fix)),
                );
            }
        }
    }
    let n = findings.len();
    let scope = if only_attached { "attached" } else { "customer managed or attached" };
    account_verdict(
        control,
        acct,
        findings,
        format!("none of the {n} {scope} managed policies grants full administrator access"),
        (Status::Pass, format!("no {scope} managed policy in the account")),
    )
}

#[cfg(test)]
mod tests;
