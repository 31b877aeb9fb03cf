//! The CIS monitoring family (4.1–4.15): one generic, data-driven chain of links.
//!
//! A control passes when one complete chain exists in the audited account:
//! 1. **trail** — a trail satisfying 3.1 ([`super::trail`]) that delivers to a CloudWatch Logs
//!    group (`CloudWatchLogsLogGroupArn`), and whose delivery is not failing;
//! 2. **metric-filter** — a filter on THAT log group (account and region from the ARN) that
//!    covers the control ([`super::metric_filter`]);
//! 3. **alarm** — an alarm on that filter's metric that fires on one event and notifies an SNS
//!    topic that exists ([`super::alarm`]);
//! 4. **sns-subscription** — that topic has a confirmed subscription ([`super::sns_subscription`]).
//!
//! Otherwise the verdict names the chain that got furthest and its first broken link. Each link
//! is also reported as a finding of its own check module, with the values observed. When the
//! metric-filter route does not pass, the real-time route ([`super::eventbridge_rule`]) may.

use super::trail::{account_trails, assess_trail};
use super::{alarm, eventbridge_rule, metric_filter, trail, Context};
use crate::catalog::{Control, PatternVariant};
use crate::finding::{ControlResult, Evidence, Finding, Status};
use crate::inventory::{log_group_from_arn, AccountInventory, Arn, Collected, MetricFilter, Trail};
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Trail,
    MetricFilter,
    Alarm,
    Subscription,
}

pub const MODULES: [Module; 4] = [Module::Trail, Module::MetricFilter, Module::Alarm, Module::Subscription];

impl Module {
    /// The check module's id (after `<control key>/`).
    pub fn name(self) -> &'static str {
        match self {
            Module::Trail => "trail",
            Module::MetricFilter => "metric-filter",
            Module::Alarm => "alarm",
            Module::Subscription => "sns-subscription",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    Fail,
    Error,
    /// The evidence lives in an account outside this audit.
    OutOfScope,
}

impl State {
    fn status(self) -> Status {
        match self {
            State::Ok => Status::Pass,
            State::Fail => Status::Fail,
            State::Error => Status::Error,
            State::OutOfScope => Status::Manual,
        }
    }
}

/// Renders a link's message and evidence when the chain is reported (costly ones are lazy).
pub type Render<'a> = Rc<dyn Fn() -> (String, Vec<Evidence>) + 'a>;

/// One link of a chain: its state, the resource, what was observed, what to do.
#[derive(Clone)]
pub struct Link<'a> {
    pub module: Module,
    pub state: State,
    pub resource: Option<String>,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub remediation: Option<String>,
    pub render: Option<Render<'a>>,
}

impl<'a> Link<'a> {
    pub fn new(
        module: Module,
        state: State,
        resource: Option<String>,
        message: String,
        evidence: Vec<Evidence>,
        remediation: Option<String>,
    ) -> Self {
        Link { module, state, resource, message, evidence, remediation, render: None }
    }

    fn rendered(&self) -> (String, Vec<Evidence>) {
        match &self.render {
            Some(r) => r(),
            None => (self.message.clone(), self.evidence.clone()),
        }
    }
}

#[derive(Clone, Default)]
pub struct Chain<'a> {
    pub links: Vec<Link<'a>>,
    /// Tie-breaker between chains broken at the same link: higher is closer to passing.
    pub closeness: i64,
}

impl<'a> Chain<'a> {
    fn complete(&self) -> bool {
        self.links.len() == MODULES.len() && self.links.iter().all(|l| l.state == State::Ok)
    }
    fn depth(&self) -> usize {
        self.links.iter().take_while(|l| l.state == State::Ok).count()
    }
    fn broken(&self) -> Option<&Link<'a>> {
        self.links.iter().find(|l| l.state != State::Ok)
    }
    pub fn with(&self, link: Link<'a>) -> Chain<'a> {
        let mut c = self.clone();
        c.links.push(link);
        c
    }
}

/// Evaluates one monitoring control for one account.
pub fn evaluate(control: &Control, acct: &AccountInventory, ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
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

    // The EventBridge route, when the metric-filter route does not pass.
    let route = (status != Status::Pass).then(|| eventbridge_rule::evaluate(control, variant, acct, ctx)).flatten();
    let (status, message) = match &route {
        Some(r) if r.status == Status::Pass => (Status::Pass, r.message.clone()),
        Some(r) => (status, format!("{message}; {}", r.message)),
        None => (status, message),
    };

    let mut findings = Vec::new();
    let mut previous: Option<&Link> = None;
    for m in MODULES {
        let check = format!("{}/{}", control.def.key, m.name());
        let finding = match reported.iter().find(|(l, _, _)| l.module == m) {
            Some((l, message, evidence)) => Finding {
                control: control.id.clone(),
                check,
                status: l.state.status(),
                account: acct.account_id.clone(),
                region: l.resource.as_deref().and_then(region_of),
                resource: l.resource.clone(),
                message: message.clone(),
                evidence: evidence.clone(),
                remediation: l.remediation.clone(),
            },
            None => {
                let (status, message, remediation) = match (m, previous) {
                    (Module::Trail, _) => (
                        Status::Fail,
                        "no CloudTrail trail in the audited regions".to_string(),
                        Some(
                            trail::new_trail(acct.regions.first().map(String::as_str).unwrap_or("us-east-1")).render(),
                        ),
                    ),
                    (_, Some(p)) if p.state != State::Ok => {
                        (Status::Skipped, format!("not reached: the {} link is broken", p.module.name()), None)
                    }
                    _ => (Status::Skipped, "not reached".to_string(), None),
                };
                Finding {
                    control: control.id.clone(),
                    check,
                    status,
                    account: acct.account_id.clone(),
                    region: None,
                    resource: None,
                    message,
                    evidence: vec![],
                    remediation,
                }
            }
        };
        previous = reported.iter().find(|(l, _, _)| l.module == m).map(|(l, _, _)| l).or(previous);
        findings.push(finding);
    }
    findings.extend(route);
    vec![(result(status, message), findings)]
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
    let (state, message) = if let Some(f) = &a.failure {
        (State::Fail, f.clone())
    } else if t.log_group_arn.is_none() {
        (State::Fail, format!("trail {} does not deliver to CloudWatch Logs", t.name))
    } else if group.is_none() {
        (State::Fail, format!("trail {} has an unreadable log group ARN", t.name))
    } else if let Some(e) = &a.error {
        (State::Error, e.clone())
    } else if let Some(e) = &a.cloudwatch_logs_delivery_error {
        (State::Fail, format!("trail {} fails to deliver to CloudWatch Logs: {e}", t.name))
    } else {
        (State::Ok, format!("trail {}", t.name))
    };
    let remediation = (state == State::Fail).then(|| super::trail_cloudwatch::fix_delivery(t).render());
    let chain =
        Chain::default().with(Link::new(Module::Trail, state, Some(t.arn.clone()), message, evidence, remediation));
    if state != State::Ok {
        out.push(chain);
        return;
    }
    let Some((g_acct, g_region, g_name)) = group else { return };
    let group_ref = format!("{g_name} ({g_acct}, {g_region})");
    let fail_link = |state: State, message: String, remediation: Option<String>| {
        Link::new(
            Module::MetricFilter,
            state,
            t.log_group_arn.clone(),
            message,
            vec![Evidence::info("log_group", group_ref.clone())],
            remediation,
        )
    };
    let filters: &Vec<MetricFilter> = match ctx.log_group(&g_acct, &g_region, &g_name).map(|g| &g.metric_filters) {
        None if ctx.account(&g_acct).is_none() => {
            let message = format!(
                "trail {} delivers to log group {g_name} in account {g_acct}, outside this audit; audit that account too (--role-arn arn:aws:iam::{g_acct}:role/<audit-role>) or check its metric filters there",
                t.name
            );
            return out.push(chain.with(fail_link(State::OutOfScope, message, None)));
        }
        None => {
            return out.push(chain.with(fail_link(
                State::Error,
                format!("metric filters of {group_ref} were not collected"),
                None,
            )))
        }
        Some(Collected::Error(e)) if e.code == "ResourceNotFoundException" => {
            let message = format!("trail {} delivers to log group {group_ref}, which does not exist", t.name);
            let fix = crate::actions::Hint::new(
                &g_region,
                [crate::actions::logs::CreateLogGroup { log_group: g_name.clone() }.into()],
            );
            return out.push(chain.with(fail_link(State::Fail, message, Some(fix.render()))));
        }
        Some(Collected::Error(e)) => return out.push(chain.with(fail_link(State::Error, e.to_string(), None))),
        Some(Collected::Ok(f)) => f,
    };
    if filters.is_empty() {
        let fix = metric_filter::fix(control, &g_name, &g_region).render();
        out.push(chain.with(fail_link(State::Fail, format!("log group {group_ref} has no metric filter"), Some(fix))));
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
            out.push(chain.with(Link::new(Module::Alarm, State::Fail, None, message, vec![], None)));
        }
        for tr in &f.transformations {
            alarm::chains(ctx, &chain, tr, &lg.account, &lg.region, out);
        }
    }
}
