//! The CIS monitoring family (4.1–4.15), one generic, data-driven evaluator.
//!
//! A control passes when one complete chain exists in the audited account:
//! 1. **trail** — a trail satisfying 3.1 (multi-region, logging, all management events) that
//!    delivers to a CloudWatch Logs group (`CloudWatchLogsLogGroupArn`);
//! 2. **metric-filter** — a metric filter on THAT log group (account and region from the ARN)
//!    whose pattern catches every event the benchmark's pattern catches, decided by evaluating
//!    the parsed pattern against a corpus of CloudTrail records (see [`crate::pattern`]);
//! 3. **alarm** — an alarm on that filter's metric (name AND namespace, same dimensions, in the
//!    log group's region) with actions enabled, that breaches on a single matching event, and
//!    whose actions include an SNS topic that exists;
//! 4. **sns-subscription** — that topic has a confirmed subscription (`SubscriptionArn` is an
//!    ARN, not `PendingConfirmation`).
//!
//! Otherwise the verdict names the chain that got furthest and its first broken link. Each link
//! is also reported as a finding of its own check module, with the values observed.

use crate::catalog::{Control, PatternVariant};
use crate::checks::cloudtrail::assess_trail;
use crate::finding::{ControlResult, Evidence, Finding, Status};
use crate::inventory::{
    log_group_from_arn, AccountInventory, Arn, Collected, Inventory, MetricAlarm, MetricFilter, MetricTransformation,
    Trail,
};
use crate::pattern::{self, Coverage, CoverageKind, ParseError};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Module {
    Trail,
    MetricFilter,
    Alarm,
    Subscription,
}

const MODULES: [Module; 4] = [Module::Trail, Module::MetricFilter, Module::Alarm, Module::Subscription];

impl Module {
    fn name(self) -> &'static str {
        match self {
            Module::Trail => "trail",
            Module::MetricFilter => "metric-filter",
            Module::Alarm => "alarm",
            Module::Subscription => "sns-subscription",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ok,
    Fail,
    Error,
    /// The evidence lives in an account outside this audit.
    OutOfScope,
}

#[derive(Debug, Clone)]
struct Link {
    module: Module,
    state: State,
    resource: Option<String>,
    message: String,
    evidence: Vec<Evidence>,
    remediation: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Chain {
    links: Vec<Link>,
    /// Tie-breaker between chains broken at the same link: higher is closer to passing.
    closeness: i64,
}

impl Chain {
    fn complete(&self) -> bool {
        self.links.len() == MODULES.len() && self.links.iter().all(|l| l.state == State::Ok)
    }
    fn depth(&self) -> usize {
        self.links.iter().take_while(|l| l.state == State::Ok).count()
    }
    fn broken(&self) -> Option<&Link> {
        self.links.iter().find(|l| l.state != State::Ok)
    }
    fn with(&self, link: Link) -> Chain {
        let mut c = self.clone();
        c.links.push(link);
        c
    }
}

/// How a filter pattern measures up to the control's benchmark patterns.
#[derive(Debug, Clone)]
pub struct PatternJudgement {
    pub covered: bool,
    /// `exact`, `equivalent`, `broader`, `incomplete`, or `invalid` when it does not parse.
    pub kind: String,
    pub summary: String,
    /// Required corpus records it misses (0 when covered).
    pub misses: usize,
    /// Required corpus records it matches.
    pub matched: usize,
    /// The misses per event, with the clause that rejects each (evidence).
    pub detail: Vec<String>,
}

/// The coverage of `pattern_src` against the benchmark text it comes closest to, among the
/// texts the benchmark accepts for the control: exact > equivalent > broader > incomplete
/// (fewest misses first). Err when the pattern does not parse.
pub fn best_coverage(pattern_src: &str, variant: &PatternVariant) -> Result<Coverage, ParseError> {
    let rank = |c: &Coverage| match c.kind {
        CoverageKind::Exact => 3,
        CoverageKind::Equivalent => 2,
        CoverageKind::Broader => 1,
        CoverageKind::Incomplete => 0,
    };
    let mut best: Option<Coverage> = None;
    for bench in &variant.patterns {
        let c = pattern::coverage(pattern_src, bench, &variant.events)?;
        let better = match &best {
            None => true,
            Some(b) => rank(&c) > rank(b) || (rank(&c) == rank(b) && c.misses.len() < b.misses.len()),
        };
        if better {
            best = Some(c);
        }
    }
    best.ok_or_else(|| ParseError {
        pos: 0,
        expected: "a benchmark pattern in checks/ data".into(),
        found: "none".into(),
    })
}

/// Judges `pattern` for the control: covered or not, and a one-line account of why.
pub fn judge_pattern(pattern_src: &str, variant: &PatternVariant, strict: bool) -> PatternJudgement {
    match best_coverage(pattern_src, variant) {
        Err(e) => PatternJudgement {
            covered: false,
            kind: "invalid".into(),
            summary: format!("the filter pattern does not parse: {e}"),
            misses: usize::MAX,
            matched: 0,
            detail: vec![],
        },
        Ok(c) => {
            let covered = c.is_covered(strict);
            let mut summary = one_line(&c);
            if strict && !covered && c.is_covered(false) {
                summary = format!("{summary}; --strict-patterns accepts only the benchmark's exact text");
            }
            PatternJudgement {
                covered,
                kind: c.kind.to_string(),
                summary,
                misses: c.misses.len(),
                matched: c.matched_required,
                detail: c.miss_groups().iter().map(|g| g.to_string()).collect(),
            }
        }
    }
}

/// The coverage verdict on one line: its first sentence, the events missed (a few by name),
/// the reason for the first, and whether the pattern can match anything at all.
fn one_line(c: &Coverage) -> String {
    let summary = c.summary();
    let mut s = summary.lines().next().unwrap_or_default().to_string();
    let groups = c.miss_groups();
    if !groups.is_empty() {
        const SHOWN: usize = 4;
        let names: Vec<String> = groups
            .iter()
            .take(SHOWN)
            .map(|g| {
                if g.missed == g.required {
                    g.event.clone()
                } else {
                    format!("{} ({} of {} variants)", g.event, g.missed, g.required)
                }
            })
            .collect();
        s.push_str(&format!("; misses {}", names.join(", ")));
        if groups.len() > SHOWN {
            s.push_str(&format!(" and {} more event(s)", groups.len() - SHOWN));
        }
        if let Some(r) = groups[0].reasons.first() {
            s.push_str(&format!(" (e.g. {}: {r})", groups[0].event));
        }
    }
    if let Some(why) = &c.contradiction {
        s.push_str(&format!("; it can never match: {why}"));
    } else if c.never_matches {
        s.push_str("; it matches no CloudTrail record at all");
    }
    s
}

/// Evaluates one monitoring control for one account.
pub fn evaluate(
    control: &Control,
    benchmark: &str,
    acct: &AccountInventory,
    inv: &Inventory,
    strict: bool,
) -> (ControlResult, Vec<Finding>) {
    let result =
        |status: Status, message: String| super::control_result(control, &acct.account_id, None, status, message);
    let Some(variant) = control.def.variant_for(benchmark) else {
        return (result(Status::Error, format!("no filter pattern for CIS v{benchmark} in checks/ data")), vec![]);
    };
    let ctx = Ctx { control, variant, acct, inv, strict, judged: Default::default() };
    let chains = ctx.chains();
    let describe_errors: Vec<String> = acct
        .trails_by_region
        .iter()
        .filter_map(|r| match &r.trails {
            Collected::Error(e) => Some(e.to_string()),
            _ => None,
        })
        .collect();

    let best_of =
        |pred: &dyn Fn(&Chain) -> bool| chains.iter().filter(|c| pred(c)).max_by_key(|c| (c.depth(), c.closeness));
    let passing = chains.iter().find(|c| c.complete());
    let errored = best_of(&|c| c.broken().is_some_and(|l| l.state == State::Error));
    let out_of_scope = best_of(&|c| c.broken().is_some_and(|l| l.state == State::OutOfScope));
    let failed = best_of(&|c| c.broken().is_some_and(|l| l.state == State::Fail));

    let (status, message, reported) = if let Some(c) = passing {
        (Status::Pass, pass_message(c), Some(c))
    } else if let Some(c) = errored {
        let l = c.broken().unwrap();
        (Status::Error, format!("{} link could not be read: {}", l.module.name(), l.message), Some(c))
    } else if !describe_errors.is_empty() {
        (Status::Error, format!("could not list every trail: {}", describe_errors.join("; ")), failed)
    } else if let Some(c) = out_of_scope {
        (Status::Manual, c.broken().unwrap().message.clone(), Some(c))
    } else if let Some(c) = failed {
        let l = c.broken().unwrap();
        (Status::Fail, format!("{} link broken: {}", l.module.name(), l.message), Some(c))
    } else {
        (Status::Fail, "trail link broken: no CloudTrail trail in the audited regions".to_string(), None)
    };

    // The EventBridge route, when the metric-filter route does not pass.
    let route = (status != Status::Pass)
        .then(|| super::eventbridge_route::evaluate(&control.id, &control.def.key, variant, acct, inv))
        .flatten();
    let (status, message) = match &route {
        Some(r) if r.status == Status::Pass => (Status::Pass, r.message.clone()),
        Some(r) => (status, format!("{message}; {}", r.message)),
        None => (status, message),
    };

    let mut findings = Vec::new();
    let links: &[Link] = reported.map(|c| c.links.as_slice()).unwrap_or(&[]);
    let mut previous: Option<&Link> = None;
    for m in MODULES {
        let check = format!("{}/{}", control.def.key, m.name());
        let finding = match links.iter().find(|l| l.module == m) {
            Some(l) => Finding {
                control: control.id.clone(),
                check,
                status: match l.state {
                    State::Ok => Status::Pass,
                    State::Fail => Status::Fail,
                    State::Error => Status::Error,
                    State::OutOfScope => Status::Manual,
                },
                account: acct.account_id.clone(),
                region: l.resource.as_deref().and_then(region_of),
                resource: l.resource.clone(),
                message: l.message.clone(),
                evidence: l.evidence.clone(),
                remediation: l.remediation.clone(),
            },
            None => {
                let (status, message, remediation) = match (m, previous) {
                    (Module::Trail, _) => (
                        Status::Fail,
                        "no CloudTrail trail in the audited regions".to_string(),
                        Some(trail_remediation()),
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
        previous = links.iter().find(|l| l.module == m).or(previous);
        findings.push(finding);
    }
    findings.extend(route);
    (result(status, message), findings)
}

fn pass_message(c: &Chain) -> String {
    let parts: Vec<String> = c.links.iter().map(|l| l.message.clone()).collect();
    parts.join(" → ")
}

fn region_of(resource: &str) -> Option<String> {
    Arn::parse(resource).map(|a| a.region.to_string()).filter(|r| !r.is_empty())
}

fn trail_remediation() -> String {
    "create a multi-region trail that logs all management events and delivers to CloudWatch Logs: aws cloudtrail create-trail --name <trail> --bucket-name <bucket> --is-multi-region-trail --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>; aws cloudtrail start-logging --name <trail>".into()
}

struct Ctx<'a> {
    control: &'a Control,
    variant: &'a PatternVariant,
    acct: &'a AccountInventory,
    inv: &'a Inventory,
    strict: bool,
    judged: std::cell::RefCell<HashMap<String, PatternJudgement>>,
}

impl Ctx<'_> {
    fn chains(&self) -> Vec<Chain> {
        let mut out = Vec::new();
        for trail in &self.acct.trails {
            self.trail_chains(trail, &mut out);
        }
        out
    }

    fn trail_chains(&self, trail: &Trail, out: &mut Vec<Chain>) {
        let a = assess_trail(trail, self.inv);
        let mut evidence = a.evidence.clone();
        evidence.push(Evidence::new(
            "trail.cloudwatch_logs_log_group_arn",
            trail.log_group_arn.clone().map(serde_json::Value::from).unwrap_or_default(),
            Some(trail.log_group_arn.is_some()),
        ));
        let group = trail.log_group_arn.as_deref().and_then(log_group_from_arn);
        let (state, message) = if let Some(f) = &a.failure {
            (State::Fail, f.clone())
        } else if trail.log_group_arn.is_none() {
            (State::Fail, format!("trail {} does not deliver to CloudWatch Logs", trail.name))
        } else if group.is_none() {
            (State::Fail, format!("trail {} has an unreadable log group ARN", trail.name))
        } else if let Some(e) = &a.error {
            (State::Error, e.clone())
        } else if let Some(e) = &a.cloudwatch_logs_delivery_error {
            (State::Fail, format!("trail {} fails to deliver to CloudWatch Logs: {e}", trail.name))
        } else {
            (State::Ok, format!("trail {}", trail.name))
        };
        let link = Link {
            module: Module::Trail,
            state,
            resource: Some(trail.arn.clone()),
            message,
            evidence,
            remediation: (state == State::Fail).then(|| {
                format!(
                    "make trail {n} multi-region, logging, recording all management events and delivering to CloudWatch Logs: aws cloudtrail update-trail --name {n} --region {r} --is-multi-region-trail --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>; aws cloudtrail start-logging --name {n} --region {r}",
                    n = trail.name,
                    r = trail.home_region
                )
            }),
        };
        let chain = Chain::default().with(link);
        if state != State::Ok {
            out.push(chain);
            return;
        }
        let (g_acct, g_region, g_name) = group.unwrap();
        let group_ref = format!("{g_name} ({g_acct}, {g_region})");
        let lg = self.inv.log_group(&g_acct, &g_region, &g_name);
        let fail_link = |state: State, message: String, remediation: Option<String>| Link {
            module: Module::MetricFilter,
            state,
            resource: trail.log_group_arn.clone(),
            message,
            evidence: vec![Evidence::info("log_group", group_ref.clone())],
            remediation,
        };
        let filters: &Vec<MetricFilter> = match lg.map(|g| &g.metric_filters) {
            None if self.inv.account(&g_acct).is_none() => {
                out.push(chain.with(fail_link(
                    State::OutOfScope,
                    format!(
                        "trail {} delivers to log group {g_name} in account {g_acct}, outside this audit; audit that account too (--role-arn arn:aws:iam::{g_acct}:role/<audit-role>) or check its metric filters there",
                        trail.name
                    ),
                    None,
                )));
                return;
            }
            None => {
                out.push(chain.with(fail_link(
                    State::Error,
                    format!("metric filters of {group_ref} were not collected"),
                    None,
                )));
                return;
            }
            Some(Collected::Error(e)) if e.code == "ResourceNotFoundException" => {
                out.push(chain.with(fail_link(
                    State::Fail,
                    format!("trail {} delivers to log group {group_ref}, which does not exist", trail.name),
                    Some(format!("aws logs create-log-group --region {g_region} --log-group-name {g_name}")),
                )));
                return;
            }
            Some(Collected::Error(e)) => {
                out.push(chain.with(fail_link(State::Error, e.to_string(), None)));
                return;
            }
            Some(Collected::Ok(f)) => f,
        };
        if filters.is_empty() {
            out.push(chain.with(fail_link(
                State::Fail,
                format!("log group {group_ref} has no metric filter"),
                Some(self.filter_remediation(&g_name, &g_region)),
            )));
            return;
        }
        for f in filters {
            self.filter_chains(&chain, trail, f, (&g_acct, &g_region, &g_name), filters.len(), out);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn filter_chains(
        &self,
        chain: &Chain,
        trail: &Trail,
        f: &MetricFilter,
        (g_acct, g_region, g_name): (&str, &str, &str),
        n_filters: usize,
        out: &mut Vec<Chain>,
    ) {
        let j = self
            .judged
            .borrow_mut()
            .entry(f.pattern.clone())
            .or_insert_with(|| judge_pattern(&f.pattern, self.variant, self.strict))
            .clone();
        let resource =
            format!("arn:{}:logs:{g_region}:{g_acct}:log-group:{g_name}:metric-filter:{}", self.acct.partition, f.name);
        let mut evidence = vec![
            Evidence::info("log_group", format!("{g_name} ({g_acct}, {g_region})")),
            Evidence::info("metric_filter.name", f.name.clone()),
            Evidence::info("metric_filter.pattern", f.pattern.clone()),
            Evidence::new("metric_filter.coverage", j.kind.clone(), Some(j.covered)),
            Evidence::info("metric_filter.coverage_detail", j.summary.clone()),
        ];
        if !j.detail.is_empty() {
            evidence.push(Evidence::bad("metric_filter.missed_events", serde_json::json!(j.detail)));
        }
        for t in &f.transformations {
            evidence.push(Evidence::info(
                "metric_filter.metric",
                format!("{}/{} value={}", t.metric_namespace, t.metric_name, t.metric_value),
            ));
        }
        if !j.covered {
            let mut c = chain.with(Link {
                module: Module::MetricFilter,
                state: State::Fail,
                resource: Some(resource),
                message: if n_filters > 1 && j.matched == 0 && j.kind != "invalid" {
                    format!("none of the {n_filters} metric filters on log group {g_name} catches any of these events")
                } else if n_filters > 1 {
                    format!(
                        "none of the {n_filters} metric filters on log group {g_name} covers the control; closest is {}: {}",
                        f.name, j.summary
                    )
                } else {
                    format!("filter {} on {g_name}: {}", f.name, j.summary)
                },
                evidence,
                remediation: Some(self.filter_remediation(g_name, g_region)),
            });
            c.closeness = -(j.misses.min(i64::MAX as usize) as i64);
            out.push(c);
            return;
        }
        let link = Link {
            module: Module::MetricFilter,
            state: State::Ok,
            resource: Some(resource),
            message: format!("filter {} ({})", f.name, j.kind),
            evidence,
            remediation: None,
        };
        let chain = chain.with(link);
        if f.transformations.is_empty() {
            out.push(chain.with(Link {
                module: Module::Alarm,
                state: State::Fail,
                resource: None,
                message: format!("filter {} publishes no metric", f.name),
                evidence: vec![],
                remediation: None,
            }));
        }
        for t in &f.transformations {
            self.alarm_chains(&chain, trail, t, g_acct, g_region, out);
        }
    }

    fn alarm_chains(
        &self,
        chain: &Chain,
        _trail: &Trail,
        t: &MetricTransformation,
        g_acct: &str,
        g_region: &str,
        out: &mut Vec<Chain>,
    ) {
        let metric = format!("{}/{}", t.metric_namespace, t.metric_name);
        let remediation = self.alarm_remediation(t, g_region);
        let alarms = match self.inv.alarms_for(g_acct, g_region, &t.metric_namespace, &t.metric_name).map(|m| &m.alarms)
        {
            None => {
                out.push(chain.with(Link {
                    module: Module::Alarm,
                    state: State::Error,
                    resource: None,
                    message: format!("alarms on {metric} in {g_region} were not collected"),
                    evidence: vec![],
                    remediation: None,
                }));
                return;
            }
            Some(Collected::Error(e)) => {
                out.push(chain.with(Link {
                    module: Module::Alarm,
                    state: State::Error,
                    resource: None,
                    message: e.to_string(),
                    evidence: vec![Evidence::info("alarm.metric", metric.clone())],
                    remediation: None,
                }));
                return;
            }
            Some(Collected::Ok(a)) => a,
        };
        let matching: Vec<&MetricAlarm> = alarms
            .iter()
            .filter(|a| {
                a.metric_name.as_deref() == Some(t.metric_name.as_str())
                    && a.namespace.as_deref() == Some(t.metric_namespace.as_str())
            })
            .collect();
        if matching.is_empty() {
            out.push(chain.with(Link {
                module: Module::Alarm,
                state: State::Fail,
                resource: None,
                message: format!("no alarm on metric {metric} in {g_region}"),
                evidence: vec![Evidence::bad("alarm.metric", metric.clone())],
                remediation: Some(remediation),
            }));
            return;
        }
        for a in matching {
            let mut problems = alarm_problems(a, t);
            let mut evidence = vec![
                Evidence::info("alarm.name", a.name.clone()),
                Evidence::info("alarm.metric", metric.clone()),
                Evidence::new("alarm.actions_enabled", a.actions_enabled, Some(a.actions_enabled)),
                Evidence::info(
                    "alarm.condition",
                    format!(
                        "{} {} {} for {} of {} period(s) of {}s",
                        a.extended_statistic.clone().or(a.statistic.clone()).unwrap_or_default(),
                        a.comparison_operator.clone().unwrap_or_default(),
                        a.threshold.map(|x| x.to_string()).unwrap_or_default(),
                        a.datapoints_to_alarm.or(a.evaluation_periods).unwrap_or(1),
                        a.evaluation_periods.unwrap_or(1),
                        a.period.unwrap_or_default()
                    ),
                ),
                Evidence::info("alarm.alarm_actions", serde_json::json!(a.alarm_actions)),
            ];
            let topics: Vec<&String> =
                a.alarm_actions.iter().filter(|x| Arn::parse(x).is_some_and(|p| p.service == "sns")).collect();
            if topics.is_empty() {
                problems.push("no alarm action is an SNS topic".into());
            }
            let resource = a.arn.clone().or(Some(a.name.clone()));
            if !problems.is_empty() {
                evidence.push(Evidence::bad("alarm.problems", serde_json::json!(problems)));
                out.push(chain.with(Link {
                    module: Module::Alarm,
                    state: State::Fail,
                    resource,
                    message: format!("alarm {}: {}", a.name, problems.join("; ")),
                    evidence,
                    remediation: Some(remediation.clone()),
                }));
                continue;
            }
            for topic_arn in topics {
                self.topic_chains(chain, a, topic_arn, &evidence, &resource, &remediation, out);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn topic_chains(
        &self,
        chain: &Chain,
        a: &MetricAlarm,
        topic_arn: &str,
        alarm_evidence: &[Evidence],
        alarm_resource: &Option<String>,
        alarm_remediation: &str,
        out: &mut Vec<Chain>,
    ) {
        let mut evidence = alarm_evidence.to_vec();
        let topic = self.inv.topic(topic_arn);
        let subs = match topic.map(|t| &t.subscriptions) {
            Some(Collected::Ok(s)) => s,
            Some(Collected::Error(e)) if e.code == "NotFound" || e.code == "NotFoundException" => {
                evidence.push(Evidence::bad("sns_topic.exists", false));
                out.push(chain.with(Link {
                    module: Module::Alarm,
                    state: State::Fail,
                    resource: alarm_resource.clone(),
                    message: format!("alarm {} notifies SNS topic {topic_arn}, which does not exist", a.name),
                    evidence,
                    remediation: Some(alarm_remediation.to_string()),
                }));
                return;
            }
            Some(Collected::Error(e)) => {
                evidence.push(Evidence::bad("sns_topic.exists", format!("unknown: {e}")));
                out.push(chain.with(Link {
                    module: Module::Alarm,
                    state: State::Error,
                    resource: alarm_resource.clone(),
                    message: e.to_string(),
                    evidence,
                    remediation: None,
                }));
                return;
            }
            None => {
                out.push(chain.with(Link {
                    module: Module::Alarm,
                    state: State::Error,
                    resource: alarm_resource.clone(),
                    message: format!("SNS topic {topic_arn} was not collected"),
                    evidence,
                    remediation: None,
                }));
                return;
            }
        };
        evidence.push(Evidence::ok("sns_topic.exists", topic_arn.to_string()));
        let chain = chain.with(Link {
            module: Module::Alarm,
            state: State::Ok,
            resource: alarm_resource.clone(),
            message: format!("alarm {}", a.name),
            evidence,
            remediation: None,
        });
        let confirmed: Vec<String> = subs
            .iter()
            .filter(|s| Arn::parse(&s.subscription_arn).is_some())
            .map(|s| format!("{}:{}", s.protocol, s.endpoint))
            .collect();
        let pending = subs.iter().filter(|s| s.subscription_arn == "PendingConfirmation").count();
        let evidence = vec![
            Evidence::info("sns_topic", topic_arn.to_string()),
            Evidence::new("sns_topic.confirmed_subscriptions", confirmed.len(), Some(!confirmed.is_empty())),
            Evidence::info("sns_topic.pending_subscriptions", pending),
            Evidence::info("sns_topic.subscribers", serde_json::json!(confirmed)),
        ];
        let (state, message, remediation) = if confirmed.is_empty() {
            (
                State::Fail,
                if pending > 0 {
                    format!("topic {topic_arn} has {pending} subscription(s) pending confirmation and none confirmed")
                } else {
                    format!("topic {topic_arn} has no subscription")
                },
                Some(format!(
                    "aws sns subscribe --topic-arn {topic_arn} --protocol email --notification-endpoint <address> (then confirm it from the message AWS sends)"
                )),
            )
        } else {
            (State::Ok, format!("topic {} ({} confirmed subscriber(s))", topic_arn, confirmed.len()), None)
        };
        out.push(chain.with(Link {
            module: Module::Subscription,
            state,
            resource: Some(topic_arn.to_string()),
            message,
            evidence,
            remediation,
        }));
    }

    fn filter_remediation(&self, group: &str, region: &str) -> String {
        let metric = self.control.def.metric_name.clone().unwrap_or_else(|| self.control.def.key.clone());
        let pattern = self.variant.patterns.first().cloned().unwrap_or_default();
        format!(
            "aws logs put-metric-filter --region {region} --log-group-name {group} --filter-name {metric} --metric-transformations metricName={metric},metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{pattern}'"
        )
    }

    fn alarm_remediation(&self, t: &MetricTransformation, region: &str) -> String {
        format!(
            "aws cloudwatch put-metric-alarm --region {region} --alarm-name {m}-alarm --metric-name {m} --namespace {ns} --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions <sns-topic-arn>",
            m = t.metric_name,
            ns = t.metric_namespace
        )
    }
}

/// Why an alarm would not notify on a single matching event; empty when it would.
pub fn alarm_problems(a: &MetricAlarm, t: &MetricTransformation) -> Vec<String> {
    let mut p = Vec::new();
    if !a.actions_enabled {
        p.push("actions are disabled".to_string());
    }
    let mut a_dims = a.dimensions.clone();
    a_dims.sort();
    if a_dims != t.dimensions {
        p.push(format!(
            "alarm dimensions [{}] differ from the filter's [{}], so the alarm watches another metric",
            a_dims.join(", "),
            t.dimensions.join(", ")
        ));
    }
    let value = match t.metric_value.trim().parse::<f64>() {
        Ok(v) if v > 0.0 => Some(v),
        Ok(v) => {
            p.push(format!("the filter publishes {v} per event, which never raises the metric"));
            None
        }
        Err(_) => {
            p.push(format!(
                "the filter's metric value '{}' is taken from the event, so one event may not breach",
                t.metric_value
            ));
            None
        }
    };
    if let Some(v) = value {
        // The statistic's value over a period holding exactly one matching event.
        let s = match (a.extended_statistic.as_deref(), a.statistic.as_deref()) {
            (None, Some("SampleCount")) => 1.0,
            _ => v,
        };
        match (a.comparison_operator.as_deref(), a.threshold) {
            (_, None) => p.push("the alarm has no threshold".into()),
            (Some("GreaterThanOrEqualToThreshold"), Some(th)) if s >= th => {}
            (Some("GreaterThanThreshold"), Some(th)) if s > th => {}
            (Some(op @ ("GreaterThanOrEqualToThreshold" | "GreaterThanThreshold")), Some(th)) => {
                p.push(format!("one event gives {s}, which does not satisfy {op} {th}"))
            }
            (op, _) => p.push(format!("comparison {} does not alarm when events occur", op.unwrap_or("(none)"))),
        }
    }
    let needed = a.datapoints_to_alarm.or(a.evaluation_periods).unwrap_or(1);
    if needed > 1 {
        p.push(format!("it needs {needed} breaching periods, so a single event does not alarm"));
    }
    p
}
