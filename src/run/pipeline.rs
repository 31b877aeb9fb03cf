//! Collect, then evaluate: what `audit` and `remediate` (its re-audit) both run.

use super::{Access, RunError};
use crate::aws::Runtime;
use crate::catalog::custom::{bind, CustomControl};
use crate::catalog::{catalog, Control};
use crate::checks::{self, Context, EvalOptions};
use crate::clock::now_rfc3339;
use crate::finding::Evaluation;
use crate::inventory::{self, CollectFatal, Inventory, Needs, Request, Target};
use crate::pattern::Judge;
use crate::report::{AccountScope, ScopeState};

/// The controls selected for a run: those of the benchmark, then the custom ones (all, or
/// those `only` names, by key).
pub fn select(benchmark: &str, only: Option<&[String]>, custom: &[CustomControl]) -> Result<Vec<Control>, RunError> {
    let custom = bind(custom, benchmark);
    let is_custom = |key: &String| custom.iter().any(|c| &c.key == key);
    let cis_only: Option<Vec<String>> = only.map(|keys| keys.iter().filter(|k| !is_custom(k)).cloned().collect());
    let mut out = match (&cis_only, only) {
        // Only custom controls named: none of the benchmark's.
        (Some(c), Some(all)) if c.is_empty() && !all.is_empty() => vec![],
        _ => catalog().select(benchmark, cis_only.as_deref())?,
    };
    out.extend(custom.into_iter().filter(|c| only.is_none_or(|keys| keys.contains(&c.key))));
    Ok(out)
}

/// Collects an inventory of `targets` for `controls` (plus `extra` needs) from AWS; `seal`, if
/// any, is handed each account as soon as its reads are done ([`inventory::Request::seal`]).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn collect(
    access: &Access,
    regions: Option<&[String]>,
    controls: &[Control],
    extra: &Needs,
    rt: &Runtime,
    targets: &[Target],
    quiet: bool,
    seal: Option<&inventory::Seal<'_>>,
) -> Result<Inventory, RunError> {
    let needs = checks::needs(controls).union(extra);
    let progress = super::progress::Progress::new(targets.iter().filter(|t| !t.support).count(), rt, quiet);
    let tick = |d: inventory::AccountDone| progress.account_done(d);
    let req = Request {
        targets,
        regions,
        needs: &needs,
        rt,
        collected_at: now_rfc3339(),
        endpoint: access.aws.endpoint_for_messages(),
        progress: Some(&tick),
        // A sixteenth of the run's bound on calls in flight (32 at the default 512): enough
        // accounts to keep every call slot busy (each starts with dozens of independent reads),
        // few enough that waiting reads do not pile up (measured at 32: 300 members in 232 MiB).
        accounts_in_flight: (access.aws.bounds.concurrency / 16).max(1),
        seal,
    };
    let inv = inventory::collect(&req).await;
    progress.finish();
    inv.map_err(|e| match e {
        CollectFatal::Region(r) => RunError(r.0),
        other => RunError(other.to_string()),
    })
}

/// Evaluates, with a judge over the corpus the controls need.
pub(crate) fn evaluate(inv: &Inventory, controls: &[Control], strict: bool) -> Evaluation {
    let judge = Judge::new(checks::corpus_for(controls));
    checks::evaluate_with(&Context::new(inv, EvalOptions { strict_patterns: strict }, &judge), controls)
}

/// Every account of the run: those audited (or failed), then those left out and why.
pub(crate) fn scope(inv: &Inventory) -> Vec<AccountScope> {
    let members: std::collections::HashMap<&str, &inventory::OrgAccount> =
        inv.organization.iter().flat_map(|o| o.accounts.iter().map(|a| (a.id.as_str(), a))).collect();
    let name = |id: &str| members.get(id).and_then(|a| a.name.clone());
    let ou = |id: &str| members.get(id).and_then(|a| a.ou.clone());
    let mut out: Vec<AccountScope> =
        inv.accounts
            .iter()
            .filter(|x| !x.support)
            .map(|x| AccountScope {
                account: x.account_id.clone(),
                name: name(&x.account_id),
                ou: ou(&x.account_id),
                state: if x.error.is_some() { ScopeState::Failed } else { ScopeState::Audited },
                reason: x.error.as_ref().map(|e| {
                    format!("{e}{}", x.role_arn.as_deref().map(|r| format!(" (role {r})")).unwrap_or_default())
                }),
                regions: x.regions.clone(),
                regions_source: x.regions_source.clone(),
            })
            .collect();
    out.extend(inv.unaudited.iter().map(|u| AccountScope {
        account: u.account.clone(),
        name: u.name.clone(),
        ou: ou(&u.account),
        state: u.state,
        reason: Some(u.reason.clone()),
        regions: vec![],
        regions_source: String::new(),
    }));
    out.sort_by(|a, b| a.account.cmp(&b.account));
    out
}

/// The home region: `--region`, else the configuration's (AWS_REGION, the profile), else the
/// region of the first session's partition where its global services live (us-east-1,
/// us-gov-west-1, cn-north-1).
pub(crate) fn home_region(access: &Access, sessions: &[crate::aws::Session]) -> String {
    access
        .aws
        .region
        .clone()
        .or_else(|| sessions.first().and_then(|s| s.config.region().map(|x| x.to_string())))
        .unwrap_or_else(|| {
            let partition = sessions.first().map(|s| s.partition.as_str()).unwrap_or("aws");
            crate::eventpattern::cloudtrail::global_events_region(partition).to_string()
        })
}
