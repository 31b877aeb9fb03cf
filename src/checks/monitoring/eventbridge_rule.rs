//! The real-time route for the monitoring family: an EventBridge rule on the default bus whose
//! event pattern matches every CloudTrail event the control must catch, targeting an SNS topic
//! with a confirmed subscription that receives the rule's message: the target's input
//! transformer output (or its `Input`, `InputPath`, or the event itself) for every event the
//! control requires passes the subscription's filter policy ([`super::receiver`]).
//!
//! EventBridge delivers CloudTrail management events ("AWS API Call via CloudTrail") only when a
//! logging trail records them, and delivers each in the region where the call was made, so the
//! route counts when a trail satisfying 3.1 exists and every audited region has such a rule
//! (for controls whose events all come from global services — IAM, Organizations — the
//! partition's global-events region alone: us-east-1, us-gov-west-1 or cn-north-1).
//! Whether a rule's pattern matches is decided by evaluating it against the same CloudTrail corpus
//! the metric-filter coverage uses, wrapped as EventBridge events; each distinct pattern is
//! evaluated once per region.

use super::delivery;
use super::receiver;
use crate::actions::Hint;
use crate::catalog::{Control, PatternVariant};
use crate::checks::trail::{account_trails, assess_trail};
use crate::checks::Context;
use crate::eventpattern::cloudtrail::{as_event, detail_type, event_bus_source, global_events_region, GLOBAL_SOURCES};
use crate::finding::{observed_text, Evidence, Finding, RouteRegion, RouteView, Status, Subject};
use crate::inventory::{AccountInventory, Arn, Collected, RuleTarget};
use crate::pattern::RecordSet;
use serde_json::{json, Value};

/// The EventBridge pattern of the real-time route for a variant: the data's own (`eventbridge`),
/// else one derived from the (eventSource, eventName) pairs the first benchmark text catches —
/// `source`, `detail-type` and `detail.eventSource` / `detail.eventName`. None when the variant's
/// data does not parse or catches nothing.
pub fn route_pattern(ctx: &Context, variant: &PatternVariant) -> Option<String> {
    if let Some(p) = &variant.eventbridge {
        return Some(p.clone());
    }
    let oracle = ctx.oracle(variant);
    let oracle = oracle.as_ref().as_ref().ok()?;
    if oracle.is_empty() {
        return None;
    }
    let records = ctx.judge.corpus().records();
    let (mut sources, mut event_sources, mut names, mut types) = (vec![], vec![], vec![], vec![]);
    for i in oracle.required(0).iter() {
        let r = &records[i];
        let push = |v: &mut Vec<String>, x: String| {
            if !v.contains(&x) {
                v.push(x)
            }
        };
        push(&mut sources, event_bus_source(&r.event_source));
        push(&mut event_sources, r.event_source.clone());
        push(&mut names, r.event_name.clone());
        push(&mut types, detail_type(&r.event).to_string());
    }
    if names.is_empty() {
        return None;
    }
    Some(
        json!({
            "source": sources,
            "detail-type": types,
            "detail": {"eventSource": event_sources, "eventName": names},
        })
        .to_string(),
    )
}

/// Whether a rule pattern catches every record one of the variant's benchmark texts requires,
/// in `region`.
pub fn pattern_covers(ctx: &Context, variant: &PatternVariant, pattern: &str, account: &str, region: &str) -> bool {
    matching(ctx, pattern, account, region).is_some_and(|set| covers(ctx, variant, &set))
}

/// The corpus records a rule pattern matches in `region` (None: the pattern does not parse).
pub(crate) fn matching(ctx: &Context, pattern: &str, account: &str, region: &str) -> Option<RecordSet> {
    ctx.rule_matches(pattern, account, region)
}

/// The records of the first benchmark text whose every required record `set` matches: the
/// events the route must deliver.
fn required_records(ctx: &Context, variant: &PatternVariant, set: &RecordSet) -> Vec<usize> {
    let oracle = ctx.oracle(variant);
    let Ok(oracle) = oracle.as_ref() else { return vec![] };
    (0..oracle.len())
        .map(|i| oracle.required(i))
        .find(|req| !req.is_empty() && req.difference_count(set) == 0)
        .map(|req| req.iter().collect())
        .unwrap_or_default()
}

/// What `target` of `rule` sends SNS for each event the route must deliver in `region`.
fn messages(
    ctx: &Context,
    variant: &PatternVariant,
    set: &RecordSet,
    target: &RuleTarget,
    rule: &crate::inventory::EventRule,
    account: &str,
    region: &str,
) -> Vec<receiver::Sent> {
    let records = ctx.judge.corpus().records();
    required_records(ctx, variant, set)
        .into_iter()
        .map(|i| {
            let r = &records[i];
            let event = as_event(&r.event, account, region);
            receiver::Sent {
                label: format!("the rule's message for {}", r.description),
                body: receiver::target_message(target, &event, &rule.name, &rule.arn),
            }
        })
        .collect()
}

/// Whether every record one of the variant's benchmark texts requires is matched.
fn covers(ctx: &Context, variant: &PatternVariant, set: &RecordSet) -> bool {
    let oracle = ctx.oracle(variant);
    let Ok(oracle) = oracle.as_ref() else { return false };
    (0..oracle.len()).any(|i| {
        let req = oracle.required(i);
        !req.is_empty() && req.difference_count(set) == 0
    })
}

/// How much of a control's events a rule pattern matches in a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Fit {
    /// None of them (or the pattern does not parse).
    None,
    /// Some, not every event one of the benchmark's texts requires.
    Some,
    /// Every event one of the benchmark's texts requires (what the route needs).
    Every,
}

/// How much of the variant's events `pattern` matches in `region`, by the same corpus matching
/// the route's verdict uses (`cis-audit drill` chooses the rule it follows by it).
pub(crate) fn fit(ctx: &Context, variant: &PatternVariant, pattern: &str, account: &str, region: &str) -> Fit {
    let Some(set) = matching(ctx, pattern, account, region) else { return Fit::None };
    if covers(ctx, variant, &set) {
        return Fit::Every;
    }
    let oracle = ctx.oracle(variant);
    let Ok(oracle) = oracle.as_ref() else { return Fit::None };
    let some = (0..oracle.len()).any(|i| {
        let req = oracle.required(i);
        req.difference_count(&set) < req.count()
    });
    if some {
        Fit::Some
    } else {
        Fit::None
    }
}

/// Whether every record the variant requires comes from a global service (delivered in the
/// partition's global-events region only).
pub fn global_only(ctx: &Context, variant: &PatternVariant) -> bool {
    let oracle = ctx.oracle(variant);
    let Ok(oracle) = oracle.as_ref() else { return false };
    let records = ctx.judge.corpus().records();
    (0..oracle.len())
        .all(|i| oracle.required(i).iter().all(|r| GLOBAL_SOURCES.contains(&records[r].event_source.as_str())))
}

/// What one region's rules amount to for a control's route.
#[derive(Debug, Default)]
pub(crate) struct RegionRoute {
    /// The rule → topic that delivers, when one does.
    pub route: Option<String>,
    /// Why the region has no route (None when it has one, or its rules were not collected).
    pub why: Option<String>,
    /// Whether some enabled rule's pattern covers the control's events (routed or not).
    pub covering: bool,
    /// Calls that failed: the region's verdict is unknown, not failed.
    pub errors: Vec<String>,
    /// The region's rules were not collected at all.
    pub uncollected: bool,
    /// The rule and the topic of the route, when there is one.
    pub used: Option<(String, String)>,
}

/// The regions a control's route must reach: the audited ones (those of a custom control that
/// names its regions), the partition's global-events region alone when every required event
/// comes from a global service.
pub(crate) fn route_regions<'a>(
    ctx: &Context,
    control: &Control,
    variant: &PatternVariant,
    acct: &'a AccountInventory,
) -> Vec<&'a str> {
    let global = global_only(ctx, variant);
    let home = global_events_region(&acct.partition);
    acct.regions
        .iter()
        .map(String::as_str)
        .filter(|r| !global || *r == home)
        .filter(|r| control.regions.as_ref().is_none_or(|only| only.iter().any(|x| x == r)))
        .collect()
}

/// Whether `region` of the account has an enabled rule that covers the control's events and
/// targets an SNS topic that can deliver to a confirmed subscriber.
pub(crate) fn region_route(
    ctx: &Context,
    variant: &PatternVariant,
    acct: &AccountInventory,
    region: &str,
) -> RegionRoute {
    let mut out = RegionRoute::default();
    let Some(rr) = acct.event_rules.iter().find(|r| r.region == region) else {
        out.uncollected = true;
        return out;
    };
    let rules = match &rr.rules {
        Collected::Ok(r) => r,
        Collected::Error(e) => {
            out.errors.push(e.to_string());
            return out;
        }
    };
    for rule in rules.iter().filter(|r| r.state.starts_with("ENABLED")) {
        let Some(set) = rule.event_pattern.as_deref().and_then(|p| matching(ctx, p, &acct.account_id, region)) else {
            continue;
        };
        if !covers(ctx, variant, &set) {
            continue;
        }
        out.covering = true;
        let targets = match &rule.targets {
            Some(Collected::Ok(t)) => t,
            Some(Collected::Error(e)) => {
                out.errors.push(e.to_string());
                continue;
            }
            None => continue,
        };
        let mut notes = Vec::new();
        let sns: Vec<&RuleTarget> =
            targets.iter().filter(|t| Arn::parse(&t.arn).is_some_and(|a| a.service == "sns")).collect();
        for target in &sns {
            let t = &target.arn;
            let topic = ctx.topic(t);
            match topic.map(|x| &x.subscriptions) {
                Some(Collected::Ok(subs)) => {
                    let confirmed = subs.iter().filter(|s| s.is_confirmed()).count();
                    if confirmed == 0 {
                        notes.push(format!("rule {} → {t} has no confirmed subscription", rule.name));
                        continue;
                    }
                    // Which subscribers take the message the target sends for each required event.
                    let sent = || messages(ctx, variant, &set, target, rule, &acct.account_id, region);
                    let recv = receiver::receivers(subs, &sent);
                    if recv.receiving.is_empty() {
                        if recv.unknown.is_empty() {
                            notes.push(format!(
                                "rule {} → {t}: no confirmed subscriber receives the rule's message: {}",
                                rule.name,
                                recv.rejected.join("; ")
                            ));
                        } else {
                            out.errors.push(recv.unknown.join("; "));
                        }
                        continue;
                    }
                    // Delivery: the rule's right to publish (unless it sends with a role) and the key.
                    let p = delivery::Publisher {
                        service: delivery::EVENTS,
                        source_arn: Some(&rule.arn),
                        source_account: &acct.account_id,
                    };
                    let d = topic.map(|x| delivery::assess(ctx, x, &p, target.role_arn.is_none())).unwrap_or_default();
                    if let Some(e) = d.error {
                        out.errors.push(e);
                        continue;
                    }
                    let policy_only = d.needs_statement && d.failures.len() == 1;
                    let failures: Vec<String> = match &target.role_arn {
                        // With a role, EventBridge publishes as that role: the topic policy
                        // does not decide, the role's permissions (not verified) do.
                        Some(_) if policy_only => vec![],
                        _ => d.failures,
                    };
                    if !failures.is_empty() {
                        notes.push(format!("rule {} → {t}: {}", rule.name, failures.join("; ")));
                        continue;
                    }
                    let mut also: Vec<String> = d.notes;
                    also.extend(recv.notes);
                    if !recv.rejected.is_empty() {
                        also.push(format!(
                            "{} of {confirmed} confirmed subscriber(s) filter the rule's message out ({})",
                            recv.rejected.len(),
                            recv.rejected.join("; ")
                        ));
                    }
                    if let Some(r) = &target.role_arn {
                        also.push(format!(
                            "the target publishes with role {r}, whose sns:Publish permission was not verified"
                        ));
                    }
                    out.route = Some(format!(
                        "rule {} → {t} ({confirmed} confirmed subscriber(s)){}",
                        rule.name,
                        if also.is_empty() { String::new() } else { format!("; {}", also.join("; ")) }
                    ));
                    out.why = None;
                    out.used = Some((rule.name.clone(), t.clone()));
                    return out;
                }
                Some(Collected::Error(e)) => notes.push(format!("rule {} → {t}: {}", rule.name, e.code)),
                None => notes.push(format!("rule {} → {t} not collected", rule.name)),
            }
        }
        if sns.is_empty() {
            notes.push(format!("rule {} has no SNS target", rule.name));
        }
        if out.why.is_none() {
            out.why = notes.into_iter().next();
        }
    }
    if out.why.is_none() && out.errors.is_empty() {
        out.why = Some("no enabled rule matches every required event".into());
    }
    out
}

/// The route's finding, and the (region, rule, topic) it goes through in each region that has it.
pub(crate) struct Route {
    pub finding: Finding,
    pub used: Vec<(String, String, String)>,
}

/// The route's finding, when the account has at least one rule whose pattern covers the
/// control's events in some audited region (PASS when the whole route holds); None otherwise.
pub(crate) fn evaluate(
    control: &Control,
    variant: &PatternVariant,
    acct: &AccountInventory,
    ctx: &Context,
) -> Option<Route> {
    let mut used = Vec::new();
    let finding = evaluate_finding(control, variant, acct, ctx, &mut used)?;
    Some(Route { finding, used })
}

fn evaluate_finding(
    control: &Control,
    variant: &PatternVariant,
    acct: &AccountInventory,
    ctx: &Context,
    used: &mut Vec<(String, String, String)>,
) -> Option<Finding> {
    let global = global_only(ctx, variant);
    let regions = route_regions(ctx, control, variant, acct);
    let mut evidence = Vec::new();
    let mut any_covering = false;
    let mut missing: Vec<String> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for region in &regions {
        let r = region_route(ctx, variant, acct, region);
        any_covering |= r.covering;
        errors.extend(r.errors);
        if r.uncollected {
            missing.push(format!("{region}: rules not collected"));
            continue;
        }
        if let Some((rule, topic)) = &r.used {
            used.push((region.to_string(), rule.clone(), topic.clone()));
        }
        match (r.route, r.why) {
            (Some(b), _) => evidence.push(Evidence::ok(format!("{REGION_STEP}{region}"), b)),
            (None, Some(why)) => {
                evidence.push(Evidence::bad(format!("{REGION_STEP}{region}"), why.clone()));
                missing.push(format!("{region}: {why}"));
            }
            (None, None) => {}
        }
    }
    if !any_covering {
        return None;
    }
    let trail = account_trails(acct, ctx).into_iter().find(|t| assess_trail(t, ctx).qualifies());
    evidence.insert(
        0,
        Evidence::new(
            TRAIL_STEP,
            trail.map(|t| Value::from(t.arn.clone())).unwrap_or(Value::Null),
            Some(trail.is_some()),
        ),
    );
    let (status, message) = if trail.is_none() {
        (Status::Fail, "EventBridge receives no CloudTrail management events: no trail satisfies 3.1".to_string())
    } else if !missing.is_empty() {
        (
            if errors.is_empty() { Status::Fail } else { Status::Error },
            format!("EventBridge route incomplete: {}", missing.join("; ")),
        )
    } else if !errors.is_empty() {
        (Status::Error, errors.join("; "))
    } else {
        let where_ = if global {
            format!("{} (global-service events)", global_events_region(&acct.partition))
        } else {
            match &control.regions {
                Some(_) => regions.join(", "),
                None => format!("all {} audited regions", regions.len()),
            }
        };
        (Status::Pass, format!("EventBridge rules deliver these events to a confirmed SNS subscriber in {where_}"))
    };
    Some(Finding::about(control, Subject::EventbridgeRule, &acct.account_id).status(status).message(message).evidence(evidence).remediation(
        (status == Status::Fail).then(|| {
            Hint::default()
                .note("cis-audit audit --remediate --route eventbridge builds it; by hand, in every region that lacks it: aws events put-rule --name <rule> --event-pattern '<pattern>' && aws events put-targets --rule <rule> --targets Id=sns,Arn=<topic-arn> (the topic policy must allow events.amazonaws.com to publish for that rule's ARN)")
                .render()
        }),
    ))
}

/// The route as the chain drawing shows it: the trail that feeds EventBridge and each region's
/// rule (or why there is none), from the route finding's evidence.
pub(crate) fn view(f: &Finding) -> RouteView {
    let trail = f.evidence.iter().find(|e| e.step == TRAIL_STEP).and_then(|e| e.observed.as_str().map(str::to_string));
    let regions = f
        .evidence
        .iter()
        .filter_map(|e| {
            let region = e.step.strip_prefix(REGION_STEP).filter(|_| e.step != TRAIL_STEP)?;
            Some(RouteRegion {
                region: region.to_string(),
                holds: e.ok == Some(true),
                text: observed_text(&e.observed),
            })
        })
        .collect();
    RouteView { trail, regions }
}

/// The evidence step of the trail that feeds EventBridge, and the prefix of each region's.
const TRAIL_STEP: &str = "eventbridge.trail";
const REGION_STEP: &str = "eventbridge.";
