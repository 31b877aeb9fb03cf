//! Checks: pure functions of the inventory. Same inventory in, same findings out, sorted.
//!
//! One module per control (or family of controls sharing one evaluator), each registered once
//! in [`registry`]:
//! - [`trail`]: a multi-region trail that logs every management event (CIS 3.1);
//! - [`trail_cloudwatch`]: trails integrated with CloudWatch Logs (CIS v1.x/v2.0 3.4, 2.4);
//! - [`config_recorder`]: AWS Config in every region (CIS 3.3);
//! - [`monitoring`]: the monitoring family (4.1–4.15), one chain of links — metric filter →
//!   alarm → SNS subscription — with the real-time route (EventBridge rules) beside it;
//! - [`manual`]: every recommendation no module evaluates, reported MANUAL.
//!
//! [`context`] holds what they all read (the indexed inventory, the pattern judge, memos).

pub(crate) mod access_analyzer;
pub(crate) mod account_contacts;
pub(crate) mod assessor_only;
pub(crate) mod bucket_policy;
pub(crate) mod buckets;
pub(crate) mod cloudtrail_bucket;
pub(crate) mod cloudtrail_kms_encryption;
pub(crate) mod cloudtrail_log_validation;
pub(crate) mod config_recorder;
pub(crate) mod context;
pub(crate) mod default_sg_restricts_all;
pub(crate) mod ebs_default_encryption;
pub(crate) mod ec2_imdsv2;
pub(crate) mod efs_encryption;
pub(crate) mod iam_central_identity;
pub(crate) mod iam_common;
pub(crate) mod iam_credentials;
pub(crate) mod iam_expired_certificates;
pub(crate) mod iam_group_permissions_only;
pub(crate) mod iam_instance_roles;
pub(crate) mod iam_no_admin_policies;
pub(crate) mod iam_policy_attachments;
pub(crate) mod kms_key_rotation;
pub(crate) mod manual;
pub(crate) mod module;
pub mod monitoring;
pub(crate) mod nacl_admin_ports;
pub(crate) mod org_root_access;
pub(crate) mod password_policy;
pub(crate) mod rds_instances;
pub(crate) mod registry;
pub(crate) mod rollup;
pub(crate) mod root_account;
pub(crate) mod s3_block_public_access;
pub(crate) mod s3_default_encryption;
pub(crate) mod s3_deny_http;
pub(crate) mod s3_mfa_delete;
pub(crate) mod s3_object_logging;
pub(crate) mod securityhub_enabled;
pub(crate) mod sg_open_ports;
pub(crate) mod trail;
pub(crate) mod trail_cloudwatch;
pub(crate) mod vpc_endpoints_used;
pub(crate) mod vpc_flow_logs;
pub(crate) mod vpc_peering_least_access;

pub use context::{Context, EvalOptions};
pub use module::Check;
pub use registry::check;
pub(crate) use registry::for_control;

use crate::catalog::Control;
use crate::finding::{ControlResult, Evaluation, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Inventory, Needs, Read};
use crate::pattern::{Corpus, Judge};

/// Every stable check id (`finding.check`): each control of the catalog × the subjects its module
/// reports, and `<key>/account` for an account that could not be read.
pub fn check_ids() -> Vec<String> {
    let cat = crate::catalog::catalog();
    let mut ids = Vec::new();
    for key in cat.keys() {
        let def = cat.def(key);
        let module = check(def.check()).unwrap_or(&manual::CHECK);
        for s in module.subjects.iter().chain(&[Subject::Account]) {
            let id = format!("{key}/{}", s.name());
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// What the selected controls need collected.
pub(crate) fn needs(controls: &[Control]) -> Needs {
    controls.iter().fold(Needs::default(), |n, c| n.union(&Needs::of(for_control(c).reads)))
}

/// The corpus the controls are judged over: the built-in one, plus synthetic records for the
/// events of custom controls it lacks (built once per distinct set of events in a process).
pub(crate) fn corpus_for(controls: &[Control]) -> &'static Corpus {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    let mut events: Vec<(String, String)> = Vec::new();
    for c in controls.iter().filter(|c| c.custom) {
        let Some(v) = &c.variant else { continue };
        let source = c.event_source();
        for e in &v.events {
            let pair = (source.clone(), e.clone());
            if !events.contains(&pair) {
                events.push(pair);
            }
        }
    }
    let builtin = Corpus::builtin();
    let known =
        |(s, n): &(String, String)| builtin.records().iter().any(|r| r.event_source == *s && r.event_name == *n);
    if events.iter().all(known) {
        return builtin;
    }
    type Cache = Mutex<HashMap<Vec<(String, String)>, &'static Corpus>>;
    static EXTENDED: OnceLock<Cache> = OnceLock::new();
    let mut cache = EXTENDED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(events.clone()).or_insert_with(|| Box::leak(Box::new(Corpus::with_events(&events))))
}

/// Evaluates every control for every account, with the corpus the controls need.
pub fn evaluate(inv: &Inventory, controls: &[Control], opts: EvalOptions) -> Evaluation {
    let judge = Judge::new(corpus_for(controls));
    evaluate_with(&Context::new(inv, opts, &judge), controls)
}

/// Evaluates every control for every account of the context's inventory. Verdicts come out in
/// benchmark order, then by account (then region); each control's findings keep their chain
/// order.
pub(crate) fn evaluate_with(ctx: &Context, controls: &[Control]) -> Evaluation {
    // One bucket per control, in benchmark order: no sort over every finding.
    let mut buckets: Buckets<Vec<Finding>> = controls.iter().map(|_| Vec::new()).collect();
    let all: Vec<usize> = (0..controls.len()).collect();
    for acct in ctx.inv.accounts.iter().filter(|a| !a.support) {
        evaluate_account(ctx, controls, &all, acct, &mut |i, r, f| buckets[i].push((r, f)));
    }
    let mut findings = Vec::new();
    let controls = assemble(buckets, |f| findings.extend(f));
    Evaluation { controls, findings }
}

/// Each control's (result, findings) per account, one bucket per control in benchmark order.
type Buckets<F> = Vec<Vec<(ControlResult, F)>>;

/// Evaluates the controls at positions `which` for one account, handing each verdict and its
/// findings to `out` with the control's position.
fn evaluate_account(
    ctx: &Context,
    controls: &[Control],
    which: &[usize],
    acct: &AccountInventory,
    out: &mut dyn FnMut(usize, ControlResult, Vec<Finding>),
) {
    for &i in which {
        let c = &controls[i];
        match &acct.error {
            Some(e) => {
                let (r, f) = unreadable_account(c, acct, e);
                out(i, r, f)
            }
            None => (for_control(c).evaluate)(c, acct, ctx).into_iter().for_each(|(r, f)| out(i, r, f)),
        }
    }
}

/// The verdicts of filled buckets in benchmark order, then by account and region; each
/// verdict's findings are handed to `findings` in report order (an account's in the order its
/// check produced them).
fn assemble<F>(buckets: Buckets<F>, mut findings: impl FnMut(F)) -> Vec<ControlResult> {
    let mut controls = Vec::new();
    for mut b in buckets {
        // Stable: an account's findings keep the order its check produced them in.
        b.sort_by(|x, y| x.0.account.cmp(&y.0.account));
        let mut results = Vec::with_capacity(b.len());
        for (r, f) in b {
            findings(f);
            results.push(r);
        }
        results.sort_by(|x, y| (&x.account, &x.region).cmp(&(&y.account, &y.region)));
        controls.extend(results);
    }
    controls
}

/// Whether a control may read beyond the account it judges: another account's trail or buckets,
/// the organisation, the shared monitoring chain (log groups, alarms, topics, keys) or its
/// history. Every other control reads only its account's own sections and the collection time.
fn reads_beyond_account(c: &Control) -> bool {
    for_control(c).reads.iter().any(|r| matches!(r, Read::Trails | Read::Monitoring))
}

/// Evaluation account by account as the collection seals each one, so that an organisation's
/// raw inventory is not held to the end ([`crate::inventory::Request::seal`]): the controls that
/// read only their own account are evaluated as soon as it is in ([`Streamed::account`]), and its
/// sections none of the others read are released; the others are evaluated at the end over what
/// is left ([`Streamed::finish`]). Each verdict's findings go to the sink as they are evaluated
/// (a live audit's to a temporary file): only the verdicts stay in memory. The result equals
/// [`evaluate`] of the whole inventory (tested).
pub(crate) struct Streamed<'c, S: FindingSink> {
    controls: &'c [Control],
    judge: Judge<'static>,
    opts: EvalOptions,
    /// Positions of the controls evaluated per account, and of those evaluated at the end.
    early: Vec<usize>,
    late: Vec<usize>,
    buckets: Buckets<S::Group>,
    sink: S,
}

/// Where a streamed evaluation puts each verdict's findings as they are evaluated; what it
/// returns is kept with the verdict in its place.
pub(crate) trait FindingSink {
    type Group;
    fn put(&mut self, control: &str, account: &str, findings: Vec<Finding>) -> Self::Group;
}

/// The sink that keeps the findings as they are.
#[cfg(test)]
pub(crate) struct Keep;

#[cfg(test)]
impl FindingSink for Keep {
    type Group = Vec<Finding>;
    fn put(&mut self, _: &str, _: &str, findings: Vec<Finding>) -> Vec<Finding> {
        findings
    }
}

impl<'c, S: FindingSink> Streamed<'c, S> {
    pub(crate) fn new(controls: &'c [Control], opts: EvalOptions, sink: S) -> Self {
        let (late, early): (Vec<usize>, Vec<usize>) =
            (0..controls.len()).partition(|i| reads_beyond_account(&controls[*i]));
        Streamed {
            controls,
            judge: Judge::new(corpus_for(controls)),
            opts,
            early,
            late,
            buckets: controls.iter().map(|_| Vec::new()).collect(),
            sink,
        }
    }

    /// Evaluates the account's own controls (collected at `collected_at`) and returns the
    /// account with only what the others may read: its identity, regions, trails, rules and
    /// buckets. An account read only as evidence for the others is kept whole.
    pub(crate) fn account(&mut self, mut acct: AccountInventory, collected_at: &str) -> AccountInventory {
        if acct.support {
            return acct;
        }
        let inv = Inventory { collected_at: collected_at.to_string(), accounts: vec![acct], ..Default::default() };
        let ctx = Context::new(&inv, self.opts, &self.judge);
        let out = &mut sunk(&mut self.buckets, &mut self.sink);
        evaluate_account(&ctx, self.controls, &self.early, &inv.accounts[0], out);
        drop(ctx);
        acct = inv.accounts.into_iter().next().unwrap_or_default();
        acct.config = Vec::new();
        acct.resources = Vec::new();
        let aw = std::mem::take(&mut acct.account_wide);
        acct.account_wide = crate::inventory::AccountResources {
            buckets: aw.buckets,
            other_buckets: aw.other_buckets,
            ..Default::default()
        };
        acct
    }

    /// Evaluates the remaining controls over the inventory of the accounts [`Streamed::account`]
    /// returned (and the shared sections), and assembles the whole evaluation: its verdicts, and
    /// what the sink returned for their findings, in report order (and the sink).
    pub(crate) fn finish(mut self, inv: &Inventory) -> (Vec<ControlResult>, Vec<S::Group>, S) {
        {
            let ctx = Context::new(inv, self.opts, &self.judge);
            let out = &mut sunk(&mut self.buckets, &mut self.sink);
            for acct in inv.accounts.iter().filter(|a| !a.support) {
                evaluate_account(&ctx, self.controls, &self.late, acct, out);
            }
        }
        let mut groups = Vec::new();
        let controls = assemble(self.buckets, |g| groups.push(g));
        (controls, groups, self.sink)
    }
}

/// What [`evaluate_account`] hands over, put in the sink and kept with the verdict.
fn sunk<'a, S: FindingSink>(
    buckets: &'a mut Buckets<S::Group>,
    sink: &'a mut S,
) -> impl FnMut(usize, ControlResult, Vec<Finding>) + 'a {
    move |i, r, f| {
        let group = sink.put(&r.control, &r.account, f);
        buckets[i].push((r, group))
    }
}

/// An account that could not be read at all: ERROR, with AWS's code and the role.
fn unreadable_account(
    c: &Control,
    acct: &AccountInventory,
    e: &crate::inventory::CollectError,
) -> (ControlResult, Vec<Finding>) {
    let role = acct.role_arn.as_deref().map(|r| format!(" (role {r})")).unwrap_or_default();
    let message = format!("account {} could not be audited: {e}{role}", acct.account_id);
    let finding = Finding::about(c, Subject::Account, &acct.account_id)
        .status(Status::Error)
        .resource(acct.role_arn.clone())
        .message(message.clone())
        .evidence(vec![Evidence::bad("account.assume_role", format!("{}: {}", e.code, e.message))])
        .remediation(Some(format!(
            "check that the role exists in account {} and trusts the caller (sts:AssumeRole), or leave the account out",
            acct.account_id
        )));
    (ControlResult::new(c, &acct.account_id, None, Status::Error, message), vec![finding])
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
