//! `cis-audit drill`: prove the alert arrives. It audits the drilled controls (the same
//! collection and evaluation as `audit`), prints its plan — what it will create, where, and the
//! chain it will follow — and asks (or `--yes`). Then, in each region, it makes the harmless
//! real change the control must catch, on resources it creates and tags `cis-audit-drill` (a
//! security group for 4.10, a network ACL for 4.11, a route table for 4.13, a customer-managed
//! policy and a second version of it for 4.4), and follows the
//! alert link by link ([`follow`]), reporting each link's latency and the first one that did not
//! happen within `--timeout`. A temporary SQS queue subscribed to the alarm's topic shows the
//! delivery.
//!
//! Everything it creates is journaled BEFORE it is created (the remediation journal,
//! [`crate::remediate::journal`]) and removed at the end, on Ctrl-C / SIGTERM, or by
//! `cis-audit rollback JOURNAL` after a crash. It never touches anything it did not create.

pub(crate) mod follow;
mod report;
pub(crate) mod route;

use super::pipeline::{collect, evaluate, home_region, select};
use super::{scope as reach, Access, RunError};
use crate::actions::ec2::{drill_policy_version, drill_rule_round_trip, CreateDrillResource, DeleteDrillResource};
use crate::actions::sns::Subscribe;
use crate::actions::sqs::{queue_arn, CreateDrillQueue};
use crate::actions::{Action, Observed, Spec};
use crate::aws::{Runtime, Session};
use crate::inventory::drill::DrillKind;
use crate::inventory::{regions, Needs};
use crate::remediate::apply::{apply, Applied, Env};
use crate::remediate::journal::{EntryState, Journal};
use crate::remediate::plan::{Plan, Step};
use crate::remediate::rollback::rollback;
use report::{Outcome, UnitOutcome};
use route::{drill_kind, Route, DRILLABLE};
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

/// One drill: a control, in a region, on its route.
pub(crate) struct Unit {
    pub control: String,
    pub key: String,
    pub kind: DrillKind,
    pub what: &'static str,
    pub region: String,
    pub vpc: String,
    pub route: Route,
    pub drill_id: String,
    /// The drill's queue, in the topic's region (None: the route has no topic).
    pub queue: Option<(String, String, String)>, // (region, name, arn)
    /// The journal step that creates the resource.
    pub create_step: usize,
    pub queue_step: Option<usize>,
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
    let mut audit_regions = drill_regions.clone();
    if !audit_regions.contains(&home) {
        audit_regions.push(home.clone());
    }
    // The audit: the chains of the drilled controls.
    let inv =
        collect(&o.access, Some(audit_regions.as_slice()), &controls, &Needs::default(), &rt, &targets, true, None)
            .await?;
    if let Some(e) = inv.accounts.iter().find_map(|a| a.error.as_ref()) {
        return Err(RunError(format!("the audit before the drill failed: {e}")));
    }
    let eval = evaluate(&inv, &controls, false);

    let stamp: String = crate::clock::now_rfc3339().chars().filter(|c| c.is_ascii_digit()).take(14).collect::<String>();
    let drill_id = format!("{stamp}-{}", std::process::id() % 100_000);
    let mut outcome = Outcome::new(&drill_id, &session.account_id);
    let mut units: Vec<Unit> = Vec::new();
    for c in &controls {
        let Some((kind, what)) = drill_kind(&c.key) else { continue };
        let Some(result) = eval.controls.iter().find(|r| r.key == c.key && r.account == session.account_id) else {
            continue;
        };
        let route = match route::route(&inv, result) {
            Ok(r) => r,
            Err(why) => {
                outcome.refused.push(format!("{} {}: {why}", c.id, c.key));
                continue;
            }
        };
        // IAM is global: one change, recorded in the partition's global region.
        let global = [crate::eventpattern::cloudtrail::global_events_region(&session.partition).to_string()];
        let regions_of_kind: &[String] = if kind.in_vpc() { &drill_regions } else { &global };
        for region in regions_of_kind {
            let vpc = match &o.vpc {
                _ if !kind.in_vpc() => "-".to_string(),
                Some(v) => v.clone(),
                None => match crate::inventory::ec2::vpcs(&session, &rt, region).await {
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
            let queue = route.topic.as_deref().map(|t| {
                let region = t.split(':').nth(3).unwrap_or(&home).to_string();
                let name = format!("cis-audit-drill-{unit_id}");
                let arn = queue_arn(&route.partition, &region, &session.account_id, &name);
                (region, name, arn)
            });
            units.push(Unit {
                control: c.id.clone(),
                key: c.key.clone(),
                kind,
                what,
                region: region.clone(),
                vpc,
                route: route.clone(),
                drill_id: unit_id,
                queue,
                create_step: 0,
                queue_step: None,
            });
        }
    }

    // The journaled plan: per unit, the queue and its subscription, then the resource.
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
        if let (Some((qr, name, arn)), Some(topic)) = (&u.queue, &u.route.topic) {
            let q = push(
                qr,
                CreateDrillQueue { name: name.clone(), queue_arn: arn.clone(), topic_arn: topic.clone() }.into(),
                vec![],
            );
            push(
                qr,
                Subscribe { topic_arn: topic.clone(), protocol: "sqs".into(), endpoint: arn.clone() }.into(),
                vec![q],
            );
            u.queue_step = Some(q);
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

    let signals = tokio::spawn(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
        }
        STOP.store(true, Ordering::SeqCst);
    });
    let env = Env { sessions: &sessions, rt: &rt };
    let mut j = Journal::new(&plan, path.clone(), crate::clock::now_rfc3339());
    say(&format!("\nDrilling (journal: {}):\n", path.display()));
    let t0 = SystemTime::now();
    let t_start = Instant::now();
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
                match (&id, change(&env, u, id.as_deref()).await) {
                    (Some(_), Ok(())) => {}
                    (_, Err(e)) => outcome_u.error = Some(e),
                    (None, Ok(())) => {
                        outcome_u.error = Some("the drill's resource was not found after creating it".into())
                    }
                }
                outcome.units.push(outcome_u);
            }
            // Follow every unit's alert concurrently.
            let deadline = t_start + o.timeout;
            let watches: Vec<_> = units
                .iter()
                .zip(outcome.units.iter())
                .map(|(u, uo)| follow::Watch {
                    session: &session,
                    rt: &rt,
                    route: &u.route,
                    resource_id: uo.resource.clone().unwrap_or_default(),
                    queue_url: u.queue_step.and_then(|s| queue_url_of(&j, s)),
                    queue_arn: u.queue.as_ref().map(|q| q.2.clone()),
                    t0,
                    started: t_start,
                    deadline,
                    poll: o.poll,
                    stop: &stop_requested,
                })
                .collect();
            say("Following the alerts…\n");
            let results = futures::future::join_all(
                watches
                    .iter()
                    .zip(outcome.units.iter())
                    .filter(|(_, uo)| uo.error.is_none())
                    .map(|(w, _)| follow::follow(w)),
            )
            .await;
            let mut it = results.into_iter();
            for uo in outcome.units.iter_mut().filter(|uo| uo.error.is_none()) {
                if let Some((links, stopped)) = it.next() {
                    uo.set_links(links);
                    outcome.interrupted |= stopped;
                }
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
async fn change(env: &Env<'_>, u: &Unit, id: Option<&str>) -> Result<(), String> {
    let cx = env.cx(&u.route.account, &u.region).map_err(|e| e.to_string())?;
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
    fn only_the_controls_with_a_harmless_change_are_drillable() {
        assert_eq!(drill_kind("security-group-changes").unwrap().0, DrillKind::SecurityGroup);
        assert_eq!(drill_kind("nacl-changes").unwrap().0, DrillKind::NetworkAcl);
        assert_eq!(drill_kind("route-table-changes").unwrap().0, DrillKind::RouteTable);
        assert!(drill_kind("root-account-usage").is_none());
    }
}
