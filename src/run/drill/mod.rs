//! `cis-audit drill`: prove the alert arrives. It audits the drilled controls (the same
//! collection and evaluation as `audit`), prints its plan — what it will create, where, and the
//! route(s) it will follow — and asks (or `--yes`). Then, in each region, it makes the harmless
//! real change the control must catch, on resources it creates and tags `cis-audit-drill` (a
//! security group for 4.10, a network ACL for 4.11, a route table for 4.13, a customer-managed
//! policy and a second version of it for 4.4), and follows the alert link by link
//! ([`follow`]), reporting each link's latency and the first one that did not happen within
//! `--timeout`. A temporary SQS queue subscribed to each topic a route notifies shows the
//! delivery.
//!
//! **Which routes** ([`route`]): an alert reaches people by the metric-filter route (CloudTrail →
//! log group → metric filter → alarm → SNS) or by the EventBridge route (CloudTrail → a rule on
//! the default bus → SNS), and an account may have wired both. A drill follows every route that
//! is wired to an alert, each as its own list of links, and the drill of a control arrives only
//! when each of them delivers: a route someone built and relies on that silently stopped working
//! is what a drill is for, even when the other route still alerts (the audit credits either).
//! The metric-filter route counts as wired when the audit's chain reaches an alarm notifying a
//! topic; the EventBridge route when a rule of the change's region matches (some of) the
//! control's events and targets a topic — the one the audit credits, else the closest to it.
//! A route wired only part way is followed alone when the other route does not exist (the drill
//! then shows where it stops), and otherwise named as not followed, with why, in the plan and the
//! report.
//!
//! Everything it creates is journaled BEFORE it is created (the remediation journal,
//! [`crate::remediate::journal`]) and removed at the end, on Ctrl-C / SIGTERM, or by
//! `cis-audit rollback JOURNAL` after a crash. It never touches anything it did not create.

pub(crate) mod follow;
mod report;
pub(crate) mod route;

use super::pipeline::{collect, home_region, select};
use super::{scope as reach, Access, RunError};
use crate::actions::ec2::{drill_policy_version, drill_rule_round_trip, CreateDrillResource, DeleteDrillResource};
use crate::actions::sns::Subscribe;
use crate::actions::sqs::{queue_arn, CreateDrillQueue};
use crate::actions::{Action, Observed, Spec};
use crate::aws::{Runtime, Session};
use crate::checks::{self, Context, EvalOptions};
use crate::inventory::drill::DrillKind;
use crate::inventory::{eventbridge, regions, AccountInventory, Collected, Inventory, Needs};
use crate::pattern::Judge;
use crate::remediate::apply::{apply, Applied, Env};
use crate::remediate::journal::{EntryState, Journal};
use crate::remediate::plan::{Plan, Step};
use crate::remediate::rollback::rollback;
use report::{Outcome, RouteKind, RouteOutcome, UnitOutcome};
use route::{drill_kind, Candidate, FeedingTrail, Route, RuleRoute, DRILLABLE};
use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// What `drill` is asked to do.
#[derive(Debug, Clone)]
pub(crate) struct DrillOptions {
    pub access: Access,
    /// `--regions`, unparsed; None: the home region.
    pub regions: Option<String>,
    pub benchmark: String,
    /// The drilled controls, as keys.
    pub controls: Vec<String>,
    pub timeout: Duration,
    pub poll: Duration,
    pub vpc: Option<String>,
    pub yes: bool,
    pub json: bool,
    pub journal: Option<PathBuf>,
}

/// Set by SIGINT / SIGTERM: stop, then clean up.
static STOP: AtomicBool = AtomicBool::new(false);

fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// One drill: a control, in a region, on its route(s).
pub(crate) struct Unit {
    pub control: String,
    pub key: String,
    pub kind: DrillKind,
    pub what: &'static str,
    pub region: String,
    pub vpc: String,
    /// The metric-filter route followed (None: not followed).
    pub metric: Option<Route>,
    /// The EventBridge route followed (None: not followed).
    pub rule: Option<RuleRoute>,
    /// The routes not followed, and why.
    pub not_followed: Vec<String>,
    pub drill_id: String,
    /// The drill's queues: one per topic the routes notify, in the topic's region.
    pub queues: Vec<DrillQueue>,
    /// The journal step that creates the resource.
    pub create_step: usize,
}

/// A temporary queue subscribed to one topic for the drill.
pub(crate) struct DrillQueue {
    pub region: String,
    pub name: String,
    pub arn: String,
    pub topic: String,
    /// The journal step that creates it.
    pub step: usize,
}

/// `1h`, `15m`, `90s`, `90` (seconds).
pub(crate) fn parse_duration(s: &str, what: &str) -> Result<Duration, RunError> {
    let t = s.trim();
    let (num, mult) = match t.chars().last() {
        Some('h') => (&t[..t.len() - 1], 3600),
        Some('m') => (&t[..t.len() - 1], 60),
        Some('s') => (&t[..t.len() - 1], 1),
        _ => (t, 1),
    };
    match num.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(Duration::from_secs(n * mult)),
        _ => Err(RunError(format!("{what} '{s}' is not a duration: write it as 90s, 15m or 1h"))),
    }
}

fn default_journal(stamp: &str) -> PathBuf {
    PathBuf::from("reports/out").join(format!("drill-{stamp}-{}.json", std::process::id()))
}

/// `cis-audit drill`. Exit 0: every alert arrived; 1: one stopped at a link; 2: the drill could
/// not run (or cleaning up failed); 130: interrupted (cleaned up).
pub(crate) async fn run(o: DrillOptions) -> Result<i32, RunError> {
    let started = Instant::now();
    for k in &o.controls {
        if drill_kind(k).is_none() {
            let can: Vec<&str> = DRILLABLE.iter().map(|d| d.0).collect();
            return Err(RunError(format!(
                "--controls: {k} cannot be drilled (no harmless change exists that cis-audit makes for it); drillable: {}",
                can.join(", ")
            )));
        }
    }
    let controls = select(&o.benchmark, Some(o.controls.as_slice()), &[])?;
    let rt = Runtime::new(o.access.aws.bounds);
    let reached = reach::reach(&o.access, &rt).await?;
    let targets: Vec<_> = reached.targets.into_iter().filter(|t| !t.support).collect();
    if targets.len() != 1 {
        return Err(RunError(format!(
            "a drill runs in one account at a time ({} reached); pass one --role-arn or profile",
            targets.len()
        )));
    }
    let session: Session = targets[0].session.clone();
    let sessions = vec![session.clone()];
    let home = home_region(&o.access, &sessions);
    let drill_regions = match &o.regions {
        Some(r) => regions::parse_region_list(r, "--regions").map_err(|e| RunError(e.0))?,
        None => vec![home.clone()],
    };
    // IAM is global: its changes are recorded (and its rules live) in the partition's global region.
    let global = crate::eventpattern::cloudtrail::global_events_region(&session.partition).to_string();
    let mut audit_regions = drill_regions.clone();
    let global_drilled = controls.iter().any(|c| drill_kind(&c.key).is_some_and(|(k, _)| !k.in_vpc()));
    for r in [Some(&home), global_drilled.then_some(&global)].into_iter().flatten() {
        if !audit_regions.contains(r) {
            audit_regions.push(r.clone());
        }
    }
    // The audit: the chains of the drilled controls.
    let inv =
        collect(&o.access, Some(audit_regions.as_slice()), &controls, &Needs::default(), &rt, &targets, true, None)
            .await?;
    if let Some(e) = inv.accounts.iter().find_map(|a| a.error.as_ref()) {
        return Err(RunError(format!("the audit before the drill failed: {e}")));
    }
    let Some(acct) = inv.accounts.iter().find(|a| a.account_id == session.account_id) else {
        return Err(RunError(format!("the audit before the drill did not reach account {}", session.account_id)));
    };
    let regions_of = |kind: DrillKind| -> Vec<String> {
        if kind.in_vpc() {
            drill_regions.clone()
        } else {
            vec![global.clone()]
        }
    };
    // Evaluated as `audit` does; the same context then ranks each region's rules for the
    // EventBridge route (before any call: the context stays on this thread).
    let (eval, mut candidates, feeding) = {
        let judge = Judge::new(checks::corpus_for(&controls));
        let ctx = Context::new(&inv, EvalOptions { strict_patterns: false }, &judge);
        let eval = checks::evaluate_with(&ctx, &controls);
        let mut candidates: HashMap<(String, String), Vec<Candidate>> = HashMap::new();
        for c in &controls {
            let Some((kind, _)) = drill_kind(&c.key) else { continue };
            for region in regions_of(kind) {
                candidates.insert((c.key.clone(), region.clone()), route::rule_candidates(&ctx, c, acct, &region));
            }
        }
        (eval, candidates, route::feeding_trail(&ctx, acct))
    };

    let stamp: String = crate::clock::now_rfc3339().chars().filter(|c| c.is_ascii_digit()).take(14).collect::<String>();
    let drill_id = format!("{stamp}-{}", std::process::id() % 100_000);
    let mut outcome = Outcome::new(&drill_id, &session.account_id);
    let mut units: Vec<Unit> = Vec::new();
    for c in &controls {
        let Some((kind, what)) = drill_kind(&c.key) else { continue };
        let Some(result) = eval.controls.iter().find(|r| r.key == c.key && r.account == session.account_id) else {
            continue;
        };
        let metric_route = route::route(&inv, result);
        for region in regions_of(kind) {
            let cands = candidates.remove(&(c.key.clone(), region.clone())).unwrap_or_default();
            let (rule, notes) = pick_rule(&session, &rt, &inv, acct, &region, &cands, feeding.as_ref()).await;
            let Some((metric, mut not_followed)) = followed(&metric_route, rule.is_some()) else {
                let why = metric_route.as_ref().err().cloned().unwrap_or_default();
                outcome
                    .refused
                    .push(format!("{} {} in {region}: {why}; and no EventBridge rule to follow", c.id, c.key));
                continue;
            };
            not_followed.extend(notes);
            if rule.is_none() {
                not_followed.push(format!(
                    "{}: no rule on the default bus of {region} matches the control's events and targets an SNS topic",
                    RouteKind::Eventbridge.title()
                ));
            }
            let vpc = match &o.vpc {
                _ if !kind.in_vpc() => "-".to_string(),
                Some(v) => v.clone(),
                None => match crate::inventory::ec2::vpcs(&session, &rt, &region).await {
                    crate::inventory::Collected::Ok(v) => match v.iter().find(|v| v.is_default) {
                        Some(d) => d.id.clone(),
                        None => {
                            outcome.refused.push(format!(
                                "{} {} in {region}: the region has no default VPC; name one with --vpc",
                                c.id, c.key
                            ));
                            continue;
                        }
                    },
                    crate::inventory::Collected::Error(e) => {
                        outcome.refused.push(format!("{} {} in {region}: {e}", c.id, c.key));
                        continue;
                    }
                },
            };
            let n = units.len() + 1;
            let unit_id = format!("{drill_id}-{n}");
            // One queue per topic the routes notify (a topic both routes share gets one).
            let mut topics: Vec<&str> = vec![];
            for t in [metric.as_ref().and_then(|m| m.topic.as_deref()), rule.as_ref().map(|r| r.topic.as_str())]
                .into_iter()
                .flatten()
            {
                if !topics.contains(&t) {
                    topics.push(t);
                }
            }
            let queues = topics
                .iter()
                .enumerate()
                .map(|(k, t)| {
                    let region = t.split(':').nth(3).unwrap_or(&home).to_string();
                    let name = match k {
                        0 => format!("cis-audit-drill-{unit_id}"),
                        k => format!("cis-audit-drill-{unit_id}-{}", k + 1),
                    };
                    let arn = queue_arn(&session.partition, &region, &session.account_id, &name);
                    DrillQueue { region, name, arn, topic: t.to_string(), step: 0 }
                })
                .collect();
            units.push(Unit {
                control: c.id.clone(),
                key: c.key.clone(),
                kind,
                what,
                region: region.clone(),
                vpc,
                metric,
                rule,
                not_followed,
                drill_id: unit_id,
                queues,
                create_step: 0,
            });
        }
    }

    // The journaled plan: per unit, each queue and its subscription, then the resource.
    let mut steps: Vec<Step> = Vec::new();
    for u in units.iter_mut() {
        let mut push = |region: &str, action: Action, depends_on: Vec<usize>| {
            let id = steps.len() + 1;
            steps.push(Step {
                id,
                account: session.account_id.clone(),
                region: region.to_string(),
                command: action.cli(region),
                action,
                controls: vec![u.control.clone()],
                depends_on,
                manual: None,
            });
            id
        };
        for q in u.queues.iter_mut() {
            let created = push(
                &q.region,
                CreateDrillQueue { name: q.name.clone(), queue_arn: q.arn.clone(), topic_arn: q.topic.clone() }.into(),
                vec![],
            );
            push(
                &q.region,
                Subscribe { topic_arn: q.topic.clone(), protocol: "sqs".into(), endpoint: q.arn.clone() }.into(),
                vec![created],
            );
            q.step = created;
        }
        u.create_step = push(
            &u.region,
            CreateDrillResource { kind: u.kind, vpc_id: u.vpc.clone(), drill_id: u.drill_id.clone() }.into(),
            vec![],
        );
    }
    let plan = Plan { steps, notes: vec![], left_to_do: vec![] };
    let path = o.journal.clone().unwrap_or_else(|| default_journal(&stamp));
    let say = |text: &str| {
        if !o.json {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    };
    say(&report::plan_text(&units, &plan, &outcome.refused, &path, o.timeout));
    outcome.journal = Some(path.display().to_string());
    let finish = |outcome: &mut Outcome, code: i32| -> Result<i32, RunError> {
        outcome.api_calls = rt.calls();
        outcome.wall_seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
        if o.json {
            let _ = std::io::stdout().lock().write_all(outcome.json().as_bytes());
        } else {
            say(&outcome.closing_text());
        }
        Ok(code)
    };
    if units.is_empty() {
        outcome.journal = None;
        eprintln!("error: nothing to drill (see above)");
        return finish(&mut outcome, 2);
    }
    if !o.yes {
        if !std::io::stdin().is_terminal() {
            let msg = "refusing to drill: standard input is not a terminal, so cis-audit cannot ask for confirmation. Re-run with --yes to make the changes above unattended.";
            eprintln!("error: {msg}");
            outcome.refused.push(msg.into());
            outcome.journal = None;
            return finish(&mut outcome, 2);
        }
        eprint!("Make the changes above and follow the alerts? [y/N] ");
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if !matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            eprintln!("Nothing was changed.");
            outcome.refused.push("not confirmed".into());
            outcome.journal = None;
            return finish(&mut outcome, 0);
        }
    }

    let signals = super::on_stop_signal(&STOP);
    let env = Env { sessions: &sessions, rt: &rt };
    let mut j = Journal::new(&plan, path.clone(), crate::clock::now_rfc3339());
    say(&format!("\nDrilling (journal: {}):\n", path.display()));
    let t0 = SystemTime::now();
    let t_start = Instant::now();
    // What the routes' metrics counted in this minute before the change (subtracted after it).
    let before: Vec<follow::Before> = futures::future::join_all(
        units.iter().map(|u| follow::counted_before(&session, &rt, t0, u.metric.as_ref(), u.rule.as_ref())),
    )
    .await;
    let applied = apply(&env, &mut j, &stop_requested, &mut |e| {
        say(&format!("  {} {}: {}\n", e.step, e.action.resource(), e.message.clone().unwrap_or_default()))
    })
    .await
    .map_err(|e| RunError(e.to_string()))?;
    let mut code = 0;
    match applied {
        Applied::Complete if stop_requested() => outcome.interrupted = true,
        Applied::Complete => {
            // The change each control must catch, on the drill's own resources.
            for u in &units {
                let id = created_id(&j, u.create_step);
                let mut outcome_u = UnitOutcome::new(u);
                outcome_u.resource = id.clone();
                match (&id, change(&env, &session.account_id, u, id.as_deref()).await) {
                    (Some(_), Ok(())) => {}
                    (_, Err(e)) => outcome_u.error = Some(e),
                    (None, Ok(())) => {
                        outcome_u.error = Some("the drill's resource was not found after creating it".into())
                    }
                }
                outcome.units.push(outcome_u);
            }
            // Follow every unit's routes concurrently.
            let deadline = t_start + o.timeout;
            let mailboxes: Vec<Vec<follow::Mailbox>> = units
                .iter()
                .map(|u| {
                    u.queues
                        .iter()
                        .map(|q| {
                            follow::Mailbox::new(
                                q.region.clone(),
                                queue_url_of(&j, q.step),
                                q.arn.clone(),
                                q.topic.clone(),
                            )
                        })
                        .collect()
                })
                .collect();
            let watches: Vec<_> = outcome
                .units
                .iter()
                .zip(&before)
                .map(|(uo, before)| follow::Watch {
                    session: &session,
                    rt: &rt,
                    resource_id: uo.resource.clone().unwrap_or_default(),
                    t0,
                    before: *before,
                    started: t_start,
                    deadline,
                    poll: o.poll,
                    stop: &stop_requested,
                })
                .collect();
            say("Following the alerts…\n");
            let follows = units.iter().enumerate().filter(|(i, _)| outcome.units[*i].error.is_none()).map(|(i, u)| {
                let w = &watches[i];
                let boxes = &mailboxes[i];
                let mailbox = move |topic: Option<&str>| boxes.iter().find(|m| Some(m.topic.as_str()) == topic);
                async move {
                    let metric = async {
                        match &u.metric {
                            Some(m) => Some(follow::follow_metric(w, m, mailbox(m.topic.as_deref())).await),
                            None => None,
                        }
                    };
                    let rule = async {
                        match &u.rule {
                            Some(r) => Some(follow::follow_rule(w, r, mailbox(Some(r.topic.as_str()))).await),
                            None => None,
                        }
                    };
                    let (m, r) = futures::join!(metric, rule);
                    (i, m, r)
                }
            });
            for (i, metric, rule) in futures::future::join_all(follows).await {
                let u = &units[i];
                let mut routes = vec![];
                if let (Some(r), Some((links, stopped))) = (&u.metric, metric) {
                    routes.push(RouteOutcome::new(RouteKind::MetricFilter, r.describe(), links));
                    outcome.interrupted |= stopped;
                }
                if let (Some(r), Some((links, stopped))) = (&u.rule, rule) {
                    routes.push(RouteOutcome::new(RouteKind::Eventbridge, r.describe(), links));
                    outcome.interrupted |= stopped;
                }
                outcome.units[i].set_routes(routes);
            }
            code = if outcome.units.iter().any(|u| u.error.is_some()) {
                2
            } else if outcome.units.iter().all(|u| u.arrived) {
                0
            } else {
                1
            };
        }
        Applied::Failed(step) => {
            outcome.refused.push(format!(
                "step {step} failed: {}",
                j.entries.iter().find(|e| e.step == step).and_then(|e| e.message.clone()).unwrap_or_default()
            ));
            code = 2;
        }
        Applied::Interrupted(_) => outcome.interrupted = true,
    }
    // Clean up: everything the journal says was created, newest first.
    say("Cleaning up:\n");
    let ok = rollback(&env, &mut j, &mut |step, rec| {
        say(&format!("  {}\n", crate::report::plan::rollback_line(step, rec)));
        outcome.cleanup.push(format!("step {step}: {}", rec.message));
    })
    .await
    .map_err(|e| RunError(e.to_string()))?;
    signals.abort();
    outcome.cleaned_up = ok;
    if !ok {
        eprintln!(
            "error: the drill could not remove everything it created; finish with: cis-audit rollback {}",
            path.display()
        );
        code = 2;
    }
    if outcome.interrupted {
        eprintln!("interrupted: the drill stopped and removed what it created");
        code = 130;
    }
    finish(&mut outcome, code)
}

/// Which metric-filter route a unit follows, and the routes it does not follow, given whether
/// an EventBridge route is followed; None: no route at all.
fn followed(metric: &Result<Route, String>, rule: bool) -> Option<(Option<Route>, Vec<String>)> {
    let title = RouteKind::MetricFilter.title();
    match (metric, rule) {
        // Wired to an alert (a topic), or the only route there is: followed (as far as it is wired).
        (Ok(m), _) if m.gap.is_none() => Some((Some(m.clone()), vec![])),
        (Ok(m), false) => Some((Some(m.clone()), vec![])),
        (Ok(m), true) => Some((None, vec![format!("{title}: it alerts nobody: {}", m.describe())])),
        (Err(why), true) => Some((None, vec![format!("{title}: {why}")])),
        (Err(_), false) => None,
    }
}

/// The EventBridge route a unit follows in `region`: the first candidate rule with an SNS target
/// (a disabled rule's targets, which the audit does not read, are read here:
/// `events:ListTargetsByRule`, at most a few rules); and what could not be read.
async fn pick_rule(
    s: &Session,
    rt: &Runtime,
    inv: &Inventory,
    acct: &AccountInventory,
    region: &str,
    cands: &[Candidate],
    trail: Option<&FeedingTrail>,
) -> (Option<RuleRoute>, Vec<String>) {
    let mut notes = vec![];
    for c in cands.iter().take(3) {
        let targets = match &c.rule.targets {
            Some(Collected::Ok(t)) => t.clone(),
            _ => match eventbridge::targets(s, rt, region, &c.rule.name).await {
                Collected::Ok(t) => t,
                Collected::Error(e) => {
                    notes.push(format!(
                        "{}: the targets of rule {} ({region}) could not be read: {e}",
                        RouteKind::Eventbridge.title(),
                        c.rule.name
                    ));
                    continue;
                }
            },
        };
        if let Some(r) = route::rule_route(inv, acct, region, c, &targets, trail) {
            return (Some(r), notes);
        }
    }
    (None, notes)
}

/// The id of the resource a unit created, from the state journaled after its creation.
fn created_id(j: &Journal, step: usize) -> Option<String> {
    let e = j.entries.iter().find(|e| e.step == step)?;
    if e.state != EntryState::Done {
        return None;
    }
    match &e.after {
        Some(Observed::DrillResource(s)) => s.ids.first().cloned(),
        _ => e.message.clone(),
    }
}

fn queue_url_of(j: &Journal, step: usize) -> Option<String> {
    let e = j.entries.iter().find(|e| e.step == step)?;
    match &e.after {
        Some(Observed::Queue(q)) => q.url.clone(),
        _ => None,
    }
}

/// The change itself: for a security group a rule authorized and revoked, then for every kind
/// the resource deleted (the last event the control must catch).
async fn change(env: &Env<'_>, account: &str, u: &Unit, id: Option<&str>) -> Result<(), String> {
    let cx = env.cx(account, &u.region).map_err(|e| e.to_string())?;
    match (u.kind, id) {
        (DrillKind::SecurityGroup, Some(id)) => drill_rule_round_trip(&cx, id).await.map_err(|e| e.to_string())?,
        (DrillKind::ManagedPolicy, Some(arn)) => drill_policy_version(&cx, arn).await.map_err(|e| e.to_string())?,
        _ => {}
    }
    DeleteDrillResource { kind: u.kind, vpc_id: u.vpc.clone(), drill_id: u.drill_id.clone() }
        .execute(&cx)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_bad_ones_say_how_to_write_them() {
        assert_eq!(parse_duration("15m", "--timeout").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("90s", "--timeout").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h", "--timeout").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("45", "--timeout").unwrap(), Duration::from_secs(45));
        for bad in ["", "m", "0s", "-5m", "fifteen", "1.5m"] {
            let e = parse_duration(bad, "--timeout").unwrap_err();
            assert!(e.0.contains("90s, 15m or 1h"), "{bad}: {e}");
        }
    }

    #[test]
    fn every_route_wired_to_an_alert_is_followed_and_the_others_said() {
        let wired = Route {
            trail: "main".into(),
            log_group: ("1".into(), "us-east-1".into(), "ct".into()),
            filter: Some("f".into()),
            metric: Some(("CIS".into(), "M".into())),
            alarm: None,
            topic: None,
            subscriptions: vec![],
            gap: None,
        };
        let part = Route { gap: Some("no alarm on metric CIS/M".into()), ..wired.clone() };
        // Wired: followed beside a rule, or alone.
        assert!(matches!(followed(&Ok(wired.clone()), true), Some((Some(_), ref n)) if n.is_empty()));
        assert!(matches!(followed(&Ok(wired), false), Some((Some(_), _))));
        // Part way: alone it shows where it stops; beside a rule it is named, not followed.
        assert!(matches!(followed(&Ok(part.clone()), false), Some((Some(_), _))));
        match followed(&Ok(part), true) {
            Some((None, n)) => {
                assert!(n[0].starts_with("the metric-filter route: it alerts nobody: trail main"), "{n:?}")
            }
            o => panic!("{o:?}"),
        }
        // No chain: the rule alone, or nothing to drill.
        match followed(&Err("no trail to follow".into()), true) {
            Some((None, n)) => assert_eq!(n, ["the metric-filter route: no trail to follow"]),
            o => panic!("{o:?}"),
        }
        assert!(followed(&Err("no trail".into()), false).is_none());
    }

    #[test]
    fn only_the_controls_with_a_harmless_change_are_drillable() {
        assert_eq!(drill_kind("security-group-changes").unwrap().0, DrillKind::SecurityGroup);
        assert_eq!(drill_kind("nacl-changes").unwrap().0, DrillKind::NetworkAcl);
        assert_eq!(drill_kind("route-table-changes").unwrap().0, DrillKind::RouteTable);
        assert!(drill_kind("root-account-usage").is_none());
    }
}
