//! The CIS monitoring family (4.1–4.15): one generic, data-driven chain of links.
//!
//! A control passes when one complete chain exists in the audited account:
//! 1. **trail** — a trail satisfying 3.1 ([`super::trail`]) that delivers to a CloudWatch Logs
//!    group (`CloudWatchLogsLogGroupArn`), and whose delivery is not failing;
//! 2. **metric-filter** — a filter on THAT log group (account and region from the ARN) that
//!    covers the control ([`super::metric_filter`]);
//! 3. **alarm** — an alarm on that filter's metric that fires on one event and notifies an SNS
//!    topic that exists ([`super::alarm`]);
//! 4. **sns-subscription** — that topic has a confirmed subscription that receives the alarm's
//!    notification: no filter policy of its rejects it ([`super::sns_subscription`],
//!    [`receiver`]).
//!
//! With `--evidence-days` (default 30), the account's own history of the chain is read and
//! reported ([`history`]): it can fail a chain that otherwise passes (deliveries that only
//! failed; events counted while the alarm never fired), and is never a reason to fail when it
//! cannot be read.
//!
//! Otherwise the verdict names the chain that got furthest and its first broken link. Each link
//! is also reported as a finding of its own check module, with the values observed. When the
//! metric-filter route does not pass, the real-time route ([`super::eventbridge_rule`]) may.

pub(crate) mod alarm;
pub(crate) mod delivery;
pub mod eventbridge_rule;
pub(crate) mod history;
pub(crate) mod link;
pub(crate) mod metric_filter;
pub(crate) mod receiver;
pub(crate) mod sns_subscription;

use super::module::{module_source, Check};
use super::trail::{account_trails, assess_trail};
use super::{trail, Context};
use crate::catalog::{Control, PatternVariant};
use crate::finding::{
    observed_text, ChainLink, ChainView, ControlResult, Evidence, Finding, LinkKind, LinkState, Observation, Status,
    Subject,
};
use crate::inventory::{log_group_from_arn, AccountInventory, Arn, Collected, MetricFilter, Read, Trail};
use link::{Chain, Link, State, MODULES};

/// The registry entry of the monitoring family: every control whose data names
/// `check = "metric-filter-chain"`, and the custom controls of a configuration file.
const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: crate::catalog::custom::MONITORING_CHECK,
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[
        Subject::Trail,
        Subject::MetricFilter,
        Subject::Alarm,
        Subject::SnsSubscription,
        Subject::EventbridgeRule,
        Subject::History,
    ],
    reads: &[Read::Trails, Read::Monitoring],
    has_patterns: true,
    remedy: "the benchmark's steps on the qualifying trail's log group: a metric filter with the benchmark's pattern, an alarm on its metric, a topic (--topic-name) with --notify subscribed; or, with --route eventbridge, a rule in every region targeting a topic whose policy lets the rules publish. Existing filters, alarms and topics are reused, never replaced.",
    plan: None,
};

/// Evaluates one monitoring control for one account.
pub(crate) fn evaluate(
    control: &Control,
    acct: &AccountInventory,
    ctx: &Context,
) -> Vec<(ControlResult, Vec<Finding>)> {
    let result = |status: Status, message: String| ControlResult::new(control, &acct.account_id, None, status, message);
    let Some(variant) = &control.variant else {
        return vec![(result(Status::Error, format!("no filter pattern for {} in checks/ data", control.id)), vec![])];
    };
    let mut chains = Vec::new();
    for t in account_trails(acct, ctx) {
        trail_chains(ctx, control, variant, acct, t, &mut chains);
    }
    let describe_errors = super::trail::describe_errors(acct);

    let best_of =
        |pred: &dyn Fn(&Chain) -> bool| chains.iter().filter(|c| pred(c)).max_by_key(|c| (c.depth(), c.closeness));
    let passing = chains.iter().find(|c| c.complete());
    let errored = best_of(&|c| c.broken().is_some_and(|l| l.state == State::Error));
    let out_of_scope = best_of(&|c| c.broken().is_some_and(|l| l.state == State::OutOfScope));
    let failed = best_of(&|c| c.broken().is_some_and(|l| l.state == State::Fail));

    // The verdict, and the chain it reports: only that chain's links are rendered in full.
    enum Verdict {
        Pass,
        Unreadable,
        Unlisted,
        OutOfScope,
        Broken,
        NoTrail,
    }
    let (verdict, reported) = if passing.is_some() {
        (Verdict::Pass, passing)
    } else if errored.is_some() {
        (Verdict::Unreadable, errored)
    } else if !describe_errors.is_empty() {
        (Verdict::Unlisted, failed)
    } else if out_of_scope.is_some() {
        (Verdict::OutOfScope, out_of_scope)
    } else if failed.is_some() {
        (Verdict::Broken, failed)
    } else {
        (Verdict::NoTrail, None)
    };
    let reported_refs = reported.map(|c| c.refs.clone());
    let reported: Vec<(Link, String, Vec<Evidence>)> = reported
        .map(|c| {
            c.links
                .iter()
                .map(|l| {
                    let (m, e) = l.rendered();
                    (l.clone(), m, e)
                })
                .collect()
        })
        .unwrap_or_default();
    let broken = reported.iter().find(|(l, _, _)| l.state != State::Ok).map(|(l, m, _)| (l.module.name(), m.as_str()));
    let view = chain_view(&reported);
    let (status, message) = match (verdict, broken) {
        (Verdict::Pass, _) => {
            let parts: Vec<&str> = reported.iter().map(|(_, m, _)| m.as_str()).collect();
            (Status::Pass, parts.join(" → "))
        }
        (Verdict::Unreadable, Some((module, m))) => (Status::Error, format!("{module} link could not be read: {m}")),
        (Verdict::Unlisted, _) => {
            (Status::Error, format!("could not list every trail: {}", describe_errors.join("; ")))
        }
        (Verdict::OutOfScope, Some((_, m))) => (Status::Manual, m.to_string()),
        (Verdict::Broken, Some((module, m))) => (Status::Fail, format!("{module} link broken: {m}")),
        _ => (Status::Fail, "trail link broken: no CloudTrail trail in the audited regions".to_string()),
    };

    // What the account's history shows of the reported chain: it can contradict a passing one.
    let op = reported_refs.as_ref().and_then(|r| history::metric_chain(control, &acct.account_id, ctx, r));
    let (status, message) = match (&op, status) {
        (Some(o), Status::Pass) => match &o.breaks {
            Some(b) => (Status::Fail, format!("history link broken: {b} ({message})")),
            None => (Status::Pass, format!("{message}; {}", o.summary)),
        },
        _ => (status, message),
    };

    // The EventBridge route, when the metric-filter route does not pass.
    let route = (status != Status::Pass).then(|| eventbridge_rule::evaluate(control, variant, acct, ctx)).flatten();
    let (status, message) = match &route {
        Some(r) if r.finding.status == Status::Pass => (Status::Pass, r.finding.message.clone()),
        Some(r) => (status, format!("{message}; {}", r.finding.message)),
        None => (status, message),
    };
    // The route's own history, when it is what passes.
    let route_op = match &route {
        Some(r) if r.finding.status == Status::Pass => history::route(control, &acct.account_id, ctx, &r.used),
        _ => None,
    };
    let (status, message) = match (&route_op, status) {
        (Some(o), Status::Pass) => match &o.breaks {
            Some(b) => (Status::Fail, format!("history link broken: {b} ({message})")),
            None => (Status::Pass, format!("{message}; {}", o.summary)),
        },
        _ => (status, message),
    };
    let route = route.map(|r| r.finding);
    let op = route_op.or(op);

    let mut findings = Vec::new();
    let mut previous: Option<&Link> = None;
    for m in MODULES {
        let finding = match reported.iter().find(|(l, _, _)| l.module == m) {
            Some((l, message, evidence)) => Finding::about(control, m, &acct.account_id)
                .status(l.state.status())
                .region(l.resource.as_deref().and_then(region_of))
                .resource(l.resource.clone())
                .message(message.clone())
                .evidence(evidence.clone())
                .remediation(l.remediation.clone()),
            None => {
                let (status, message, remediation) = match (m, previous) {
                    (Subject::Trail, _) => (
                        Status::Fail,
                        "no CloudTrail trail in the audited regions".to_string(),
                        Some(trail::new_trail(&trail::first_region(acct)).render()),
                    ),
                    (_, Some(p)) if p.state != State::Ok => {
                        (Status::Skipped, format!("not reached: the {} link is broken", p.module.name()), None)
                    }
                    _ => (Status::Skipped, "not reached".to_string(), None),
                };
                Finding::about(control, m, &acct.account_id).status(status).message(message).remediation(remediation)
            }
        };
        previous = reported.iter().find(|(l, _, _)| l.module == m).map(|(l, _, _)| l).or(previous);
        findings.push(finding);
    }
    let route_view = route.as_ref().map(eventbridge_rule::view);
    findings.extend(route);
    findings.extend(op.map(|o| o.finding));
    let view = ChainView { route: route_view, ..view };
    vec![(result(status, message).with_chain(Some(view)), findings)]
}

/// The chain drawing of the reported chain: each of the six nodes as the link that decides it
/// declared it, with that link's observations; a node no link reached is "not reached".
fn chain_view(reported: &[(Link, String, Vec<Evidence>)]) -> ChainView {
    let links = LinkKind::ALL
        .iter()
        .map(|kind| {
            let decided = reported.iter().find_map(|(l, message, evidence)| {
                let n = l.nodes.iter().find(|n| n.kind == *kind)?;
                // The link's own node carries its observations; a node it decides on the way only
                // its message.
                let own = own_node(l.module) == *kind;
                let observed = if own {
                    evidence
                        .iter()
                        .map(|e| Observation { step: e.step.clone(), value: short(&observed_text(&e.observed)) })
                        .collect()
                } else {
                    vec![Observation { step: "message".into(), value: short(message) }]
                };
                Some(ChainLink {
                    kind: *kind,
                    state: n.state,
                    resource: n.resource.clone(),
                    value: n.value.clone(),
                    observed,
                })
            });
            decided.unwrap_or(ChainLink {
                kind: *kind,
                state: LinkState::NotReached,
                resource: None,
                value: "—".into(),
                observed: vec![],
            })
        })
        .collect::<Vec<_>>();
    // Past the first node that does not hold, nothing is reached.
    let mut out = Vec::with_capacity(links.len());
    let mut broken = false;
    for mut l in links {
        if broken {
            l.state = LinkState::NotReached;
        } else if l.state != LinkState::Holds {
            broken = true;
        }
        out.push(l);
    }
    ChainView { links: out, route: None }
}

/// An observation as the drawing carries it: its first 300 characters (the finding has it all).
fn short(s: &str) -> String {
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The node of the drawing a check module stands for.
fn own_node(m: Subject) -> LinkKind {
    match m {
        Subject::Trail => LinkKind::Trail,
        Subject::MetricFilter => LinkKind::MetricFilter,
        Subject::Alarm => LinkKind::Alarm,
        _ => LinkKind::Subscriber,
    }
}

fn region_of(resource: &str) -> Option<String> {
    Arn::parse(resource).map(|a| a.region.to_string()).filter(|r| !r.is_empty())
}

/// Every chain that starts at `t`.
fn trail_chains<'a>(
    ctx: &'a Context<'a>,
    control: &'a Control,
    variant: &'a PatternVariant,
    acct: &'a AccountInventory,
    t: &'a Trail,
    out: &mut Vec<Chain<'a>>,
) {
    let a = assess_trail(t, ctx);
    let mut evidence = a.evidence.clone();
    evidence.push(Evidence::new(
        "trail.cloudwatch_logs_log_group_arn",
        t.log_group_arn.clone().map(serde_json::Value::from).unwrap_or_default(),
        Some(t.log_group_arn.is_some()),
    ));
    let group = t.log_group_arn.as_deref().and_then(log_group_from_arn);
    let group_name = group.as_ref().map(|g| g.2.clone()).unwrap_or_else(|| "none".into());
    // Which node a broken trail link breaks: the trail itself, or the log group it should deliver to.
    let (state, message, at_group) = if let Some(f) = &a.failure {
        (State::Fail, f.clone(), false)
    } else if t.log_group_arn.is_none() {
        (State::Fail, format!("trail {} does not deliver to CloudWatch Logs", t.name), true)
    } else if group.is_none() {
        (State::Fail, format!("trail {} has an unreadable log group ARN", t.name), true)
    } else if let Some(e) = &a.error {
        (State::Error, e.clone(), false)
    } else if let Some(e) = &a.cloudwatch_logs_delivery_error {
        (State::Fail, format!("trail {} fails to deliver to CloudWatch Logs: {e}", t.name), true)
    } else {
        (State::Ok, format!("trail {}", t.name), false)
    };
    let remediation = (state == State::Fail).then(|| super::trail_cloudwatch::fix_delivery(t).render());
    let trail_state = if at_group { LinkState::Holds } else { state.link_state() };
    let mut link = Link::new(Subject::Trail, state, Some(t.arn.clone()), message, evidence, remediation).node(
        LinkKind::Trail,
        trail_state,
        t.name.clone(),
        Some(t.arn.clone()),
    );
    if at_group {
        link = link.node(LinkKind::LogGroup, LinkState::Broken, group_name, t.log_group_arn.clone());
    }
    let chain = Chain::default().with(link);
    if state != State::Ok {
        out.push(chain);
        return;
    }
    let Some((g_acct, g_region, g_name)) = group else { return };
    let group_ref = format!("{g_name} ({g_acct}, {g_region})");
    // A link that stops at the log group: the group node says why (missing, unreadable, outside
    // the audit), or holds and the filter node is broken (no filter).
    let fail_link = |state: State, message: String, remediation: Option<String>, group_state: LinkState| {
        let mut l = Link::new(
            Subject::MetricFilter,
            state,
            t.log_group_arn.clone(),
            message,
            vec![Evidence::info("log_group", group_ref.clone())],
            remediation,
        )
        .node(LinkKind::LogGroup, group_state, g_name.clone(), t.log_group_arn.clone());
        if group_state == LinkState::Holds {
            l = l.node(LinkKind::MetricFilter, state.link_state(), "none", None);
        }
        l
    };
    let filters: &Vec<MetricFilter> = match ctx.log_group(&g_acct, &g_region, &g_name).map(|g| &g.metric_filters) {
        None if ctx.account(&g_acct).is_none() => {
            let message = format!(
                "trail {} delivers to log group {g_name} in account {g_acct}, outside this audit; audit that account too (--role-arn arn:aws:iam::{g_acct}:role/<audit-role>) or check its metric filters there",
                t.name
            );
            return out.push(chain.with(fail_link(State::OutOfScope, message, None, LinkState::OutOfScope)));
        }
        None => {
            return out.push(chain.with(fail_link(
                State::Error,
                format!("metric filters of {group_ref} were not collected"),
                None,
                LinkState::Unreadable,
            )))
        }
        Some(Collected::Error(e)) if e.code == "ResourceNotFoundException" => {
            let message = format!("trail {} delivers to log group {group_ref}, which does not exist", t.name);
            let fix = crate::actions::Hint::new(
                &g_region,
                [crate::actions::logs::CreateLogGroup { log_group: g_name.clone() }.into()],
            );
            return out.push(chain.with(fail_link(State::Fail, message, Some(fix.render()), LinkState::Broken)));
        }
        Some(Collected::Error(e)) => {
            return out.push(chain.with(fail_link(State::Error, e.to_string(), None, LinkState::Unreadable)))
        }
        Some(Collected::Ok(f)) => f,
    };
    if filters.is_empty() {
        let fix = metric_filter::fix(control, &g_name, &g_region).render();
        let message = format!("log group {group_ref} has no metric filter");
        out.push(chain.with(fail_link(State::Fail, message, Some(fix), LinkState::Holds)));
        return;
    }
    // The group's owner: the inventory's copy of the strings, borrowed for the lazy links.
    let Some(lg) = ctx.log_group(&g_acct, &g_region, &g_name) else { return };
    for f in filters {
        let (link, verdict) = metric_filter::link(
            ctx,
            control,
            variant,
            f,
            (&lg.account, &lg.region, &lg.name),
            &acct.partition,
            filters.len(),
        );
        if link.state != State::Ok {
            let mut c = chain.with(link);
            c.closeness = metric_filter::closeness(verdict.as_ref());
            out.push(c);
            continue;
        }
        let chain = chain.with(link);
        if f.transformations.is_empty() {
            let message = format!("filter {} publishes no metric", f.name);
            out.push(chain.with(Link::new(Subject::Alarm, State::Fail, None, message, vec![], None).node(
                LinkKind::Alarm,
                LinkState::Broken,
                "no metric published",
                None,
            )));
        }
        for tr in &f.transformations {
            alarm::chains(ctx, &chain, tr, &lg.account, &lg.region, out);
        }
    }
}

#[cfg(test)]
mod tests;
