//! Which routes a drill follows. The metric-filter route is the chain the audit reported for
//! the control (its trail, the log group the trail delivers to, the filter, its metric, the
//! alarm on it, the topic the alarm notifies and that topic's subscribers), read from the
//! audit's chain drawing and its inventory. The EventBridge route, in the region of the change,
//! is the rule on the default bus the audit credits there (the same corpus matching and
//! delivery judgement, [`crate::checks::monitoring::eventbridge_rule`]), else the rule that
//! comes closest to it: enabled and matching every event the control requires, then disabled,
//! then matching only some of them — each with an SNS target. A route the audit found broken is
//! followed as far as it is wired: the drill shows what really happens, link by link.

use crate::catalog::Control;
use crate::checks::monitoring::eventbridge_rule::{fit, region_route, Fit};
use crate::checks::trail::{account_trails, assess_trail};
use crate::checks::Context;
use crate::finding::{ControlResult, LinkKind};
use crate::inventory::drill::DrillKind;
use crate::inventory::{
    log_group_from_arn, AccountInventory, Arn, Collected, EventRule, Inventory, MetricAlarm, RuleTarget, Subscription,
};

/// The controls a drill can exercise, and the harmless change each makes.
pub(crate) const DRILLABLE: &[(&str, DrillKind, &str)] = &[
    (
        "security-group-changes",
        DrillKind::SecurityGroup,
        "a security group tagged cis-audit-drill is created in the VPC, one ingress rule (tcp/443 from 192.0.2.0/24) authorized and revoked, the group deleted",
    ),
    ("nacl-changes", DrillKind::NetworkAcl, "a network ACL tagged cis-audit-drill is created in the VPC and deleted"),
    ("route-table-changes", DrillKind::RouteTable, "a route table tagged cis-audit-drill is created in the VPC and deleted"),
    (
        "iam-policy-changes",
        DrillKind::ManagedPolicy,
        "a customer-managed policy cis-audit-drill-<id> (denying a made-up action, never attached) is created, a second version added, the policy deleted",
    ),
];

pub(crate) fn drill_kind(key: &str) -> Option<(DrillKind, &'static str)> {
    DRILLABLE.iter().find(|(k, _, _)| *k == key).map(|(_, kind, what)| (*kind, *what))
}

/// The chain of one control in one account, as far as it is wired.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub trail: String,
    /// (account, region, name) of the log group the trail delivers to.
    pub log_group: (String, String, String),
    pub filter: Option<String>,
    /// (namespace, name) of the filter's metric.
    pub metric: Option<(String, String)>,
    pub alarm: Option<MetricAlarm>,
    pub topic: Option<String>,
    /// The topic's subscriptions as the audit read them (before the drill subscribed).
    pub subscriptions: Vec<Subscription>,
    /// Why the chain is not wired further than it is, when it is not.
    pub gap: Option<String>,
}

impl Route {
    /// `trail main → log group … → …`, for the plan.
    pub(crate) fn describe(&self) -> String {
        let (_, region, group) = &self.log_group;
        let mut parts = vec![format!("trail {}", self.trail), format!("log group {group} ({region})")];
        if let Some(f) = &self.filter {
            parts.push(format!("filter {f}"));
        }
        if let Some((ns, m)) = &self.metric {
            parts.push(format!("metric {ns}/{m}"));
        }
        if let Some(a) = &self.alarm {
            parts.push(format!("alarm {}", a.name));
        }
        if let Some(t) = &self.topic {
            parts.push(format!("topic {t}"));
        }
        let mut s = parts.join(" → ");
        if let Some(g) = &self.gap {
            s.push_str(&format!(" (then nothing: {g})"));
        }
        s
    }
}

/// The route of `result` (a monitoring verdict of one account), or why there is none to follow.
pub(crate) fn route(inv: &Inventory, result: &ControlResult) -> Result<Route, String> {
    let acct = inv
        .accounts
        .iter()
        .find(|a| a.account_id == result.account)
        .ok_or_else(|| format!("account {} was not audited", result.account))?;
    let view = result.chain.as_ref().ok_or_else(|| format!("no chain to follow: {}", result.message))?;
    let node = |k: LinkKind| view.links.iter().find(|l| l.kind == k);
    let trail_arn = node(LinkKind::Trail)
        .and_then(|l| l.resource.clone())
        .ok_or_else(|| format!("no trail to follow: {}", result.message))?;
    let trail = acct
        .trails
        .iter()
        .find(|t| t.arn == trail_arn)
        .ok_or_else(|| format!("trail {trail_arn} is not in the inventory"))?;
    let group_arn = trail
        .log_group_arn
        .as_deref()
        .ok_or_else(|| format!("trail {} does not deliver to CloudWatch Logs: no alert can follow", trail.name))?;
    let log_group = log_group_from_arn(group_arn)
        .ok_or_else(|| format!("trail {} has an unreadable log group ARN {group_arn}", trail.name))?;
    let mut r = Route {
        trail: trail.name.clone(),
        log_group: log_group.clone(),
        filter: None,
        metric: None,
        alarm: None,
        topic: None,
        subscriptions: vec![],
        gap: None,
    };
    let (g_acct, g_region, g_name) = &log_group;
    let Some(group) =
        inv.log_groups.iter().find(|g| &g.account == g_acct && &g.region == g_region && &g.name == g_name)
    else {
        // The audit stopped before the log group (e.g. a trail that fails 3.1): nothing read past it.
        r.gap = Some(format!("the audit did not read past the trail: {}", result.message));
        return Ok(r);
    };
    let filters = match &group.metric_filters {
        Collected::Ok(f) => Some(f),
        Collected::Error(e) => {
            r.gap = Some(format!("the metric filters of log group {g_name} could not be read: {e}"));
            return Ok(r);
        }
    };
    // The filter the audit reported (its drawing shows "NAME — kind"), else the group's only one.
    let named = node(LinkKind::MetricFilter).and_then(|l| l.value.split(" — ").next()).map(str::to_string);
    let filter = filters.and_then(|fs| match &named {
        Some(n) => fs.iter().find(|f| &f.name == n),
        None if fs.len() == 1 => fs.first(),
        None => None,
    });
    let Some(filter) = filter else {
        r.gap = Some(format!("no metric filter on log group {g_name} to follow"));
        return Ok(r);
    };
    r.filter = Some(filter.name.clone());
    let Some(t) = filter.transformations.first() else {
        r.gap = Some(format!("filter {} publishes no metric", filter.name));
        return Ok(r);
    };
    r.metric = Some((t.metric_namespace.clone(), t.metric_name.clone()));
    let alarms: Vec<&MetricAlarm> = inv
        .metric_alarms
        .iter()
        .filter(|m| {
            &m.account == g_acct
                && &m.region == g_region
                && m.namespace == t.metric_namespace
                && m.metric_name == t.metric_name
        })
        .filter_map(|m| match &m.alarms {
            Collected::Ok(a) => Some(a),
            Collected::Error(_) => None,
        })
        .flatten()
        .collect();
    let reported = node(LinkKind::Alarm).map(|l| l.value.clone());
    let sns = |a: &&MetricAlarm| a.alarm_actions.iter().any(|x| x.contains(":sns:"));
    let alarm = alarms
        .iter()
        .find(|a| reported.as_deref() == Some(a.name.as_str()))
        .or_else(|| alarms.iter().find(|a| sns(a)))
        .or_else(|| alarms.first());
    let Some(alarm) = alarm else {
        r.gap = Some(format!("no alarm on metric {}/{}", t.metric_namespace, t.metric_name));
        return Ok(r);
    };
    r.alarm = Some((*alarm).clone());
    let topic = node(LinkKind::SnsTopic)
        .and_then(|l| l.resource.clone())
        .filter(|t| alarm.alarm_actions.contains(t))
        .or_else(|| alarm.alarm_actions.iter().find(|x| x.contains(":sns:")).cloned());
    let Some(topic) = topic else {
        r.gap = Some(format!("alarm {} notifies no SNS topic", alarm.name));
        return Ok(r);
    };
    if let Some(Collected::Ok(subs)) = inv.topics.iter().find(|x| x.arn == topic).map(|x| &x.subscriptions) {
        r.subscriptions = subs.clone();
    }
    r.topic = Some(topic);
    Ok(r)
}

/// The EventBridge route of one control in the region of the change: the rule, the SNS target
/// the drill follows and that target's topic.
#[derive(Debug, Clone)]
pub(crate) struct RuleRoute {
    pub account: String,
    /// The rule's region: where the change is made and recorded.
    pub region: String,
    /// The rule (its targets apart).
    pub rule: EventRule,
    /// The SNS target followed.
    pub target: RuleTarget,
    pub topic: String,
    /// The topic's subscriptions as the audit read them (before the drill subscribed).
    pub subscriptions: Vec<Subscription>,
    /// The trail that feeds EventBridge (None: the account has none).
    pub trail: Option<String>,
    /// (account, region, name) of that trail's log group, where the drill sees the CloudTrail
    /// record (None: it does not deliver to CloudWatch Logs; the record is then shown only by
    /// the rule matching it).
    pub log_group: Option<(String, String, String)>,
    /// What the audit says of this rule.
    pub audit: String,
}

impl RuleRoute {
    /// `trail main → rule sg-changes (us-east-1, ENABLED) → topic …`, for the plan.
    pub(crate) fn describe(&self) -> String {
        format!(
            "trail {} → EventBridge rule {} ({}, {}) → topic {} ({})",
            self.trail.as_deref().unwrap_or("none"),
            self.rule.name,
            self.region,
            self.rule.state,
            self.topic,
            self.audit
        )
    }
}

/// A rule the drill may follow, best first, before its targets are known (the audit reads
/// only the targets of enabled rules).
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub rule: EventRule,
    /// The topic the audit credits this rule's route with (it then goes through that target).
    pub credited_topic: Option<String>,
    pub audit: String,
}

/// The rules on the default bus of `region` whose pattern matches some of the control's events
/// and that may target an SNS topic, best first: the one the audit credits the region's route
/// with; then enabled rules matching every required event (the audit found their route broken
/// further on); disabled ones; those matching only some of the events.
pub(crate) fn rule_candidates(
    ctx: &Context,
    control: &Control,
    acct: &AccountInventory,
    region: &str,
) -> Vec<Candidate> {
    let Some(variant) = &control.variant else { return vec![] };
    let Some(rules) = acct.event_rules.iter().find(|r| r.region == region).and_then(|r| match &r.rules {
        Collected::Ok(rules) => Some(rules),
        Collected::Error(_) => None,
    }) else {
        return vec![];
    };
    let audited = region_route(ctx, variant, acct, region);
    let credited = audited.used.clone();
    let mut out: Vec<(u8, Candidate)> = rules
        .iter()
        .filter_map(|rule| {
            let pattern = rule.event_pattern.as_deref()?;
            // A rule whose targets were read and hold no SNS topic cannot be followed.
            if let Some(Collected::Ok(t)) = &rule.targets {
                if !t.iter().any(is_sns) {
                    return None;
                }
            }
            if matches!(rule.targets, Some(Collected::Error(_))) {
                return None;
            }
            let enabled = rule.state.starts_with("ENABLED");
            let f = fit(ctx, variant, pattern, &acct.account_id, region);
            let credited_topic = credited.as_ref().filter(|(r, _)| r == &rule.name).map(|(_, t)| t.clone());
            let (rank, audit) = match (&credited_topic, enabled, f) {
                (_, _, Fit::None) => return None,
                (Some(_), _, _) => (0, format!("the audit credits it: {}", audited.route.clone().unwrap_or_default())),
                (None, true, Fit::Every) => (
                    1,
                    match audited.why.as_deref().filter(|w| w.starts_with(&format!("rule {} ", rule.name))) {
                        Some(why) => format!("the audit found the route broken: {why}"),
                        None => "the audit does not credit it".to_string(),
                    },
                ),
                (None, false, Fit::Every) => {
                    (2, format!("the rule is {}: EventBridge matches no event against it", rule.state))
                }
                (None, true, Fit::Some) => {
                    (3, "its pattern matches only some of the events the control requires".into())
                }
                (None, false, Fit::Some) => {
                    (4, format!("the rule is {} and its pattern matches only some of the control's events", rule.state))
                }
            };
            let mut rule = rule.clone();
            rule.targets = rule.targets.take().filter(|t| matches!(t, Collected::Ok(_)));
            Some((rank, Candidate { rule, credited_topic, audit }))
        })
        .collect();
    out.sort_by_key(|(rank, _)| *rank);
    out.into_iter().map(|(_, c)| c).collect()
}

fn is_sns(t: &RuleTarget) -> bool {
    Arn::parse(&t.arn).is_some_and(|a| a.service == "sns")
}

/// The trail that feeds EventBridge for the account, and its log group.
#[derive(Debug, Clone)]
pub(crate) struct FeedingTrail {
    pub name: String,
    /// (account, region, name) of its log group (None: it does not deliver to CloudWatch Logs).
    pub log_group: Option<(String, String, String)>,
}

/// The trail that feeds EventBridge: the first satisfying 3.1, as the audit takes it; else the
/// first trail.
pub(crate) fn feeding_trail(ctx: &Context, acct: &AccountInventory) -> Option<FeedingTrail> {
    let trails = account_trails(acct, ctx);
    let t = trails.iter().find(|t| assess_trail(t, ctx).qualifies()).or_else(|| trails.first())?;
    Some(FeedingTrail { name: t.name.clone(), log_group: t.log_group_arn.as_deref().and_then(log_group_from_arn) })
}

/// The route through `c` once its targets are known (None: it has no SNS target).
pub(crate) fn rule_route(
    inv: &Inventory,
    acct: &AccountInventory,
    region: &str,
    c: &Candidate,
    targets: &[RuleTarget],
    trail: Option<&FeedingTrail>,
) -> Option<RuleRoute> {
    let target = targets
        .iter()
        .find(|t| c.credited_topic.as_deref() == Some(t.arn.as_str()))
        .or_else(|| targets.iter().find(|t| is_sns(t)))?;
    let subscriptions = match inv.topics.iter().find(|x| x.arn == target.arn).map(|x| &x.subscriptions) {
        Some(Collected::Ok(subs)) => subs.clone(),
        _ => vec![],
    };
    let mut rule = c.rule.clone();
    rule.targets = None;
    Some(RuleRoute {
        account: acct.account_id.clone(),
        region: region.to_string(),
        rule,
        target: target.clone(),
        topic: target.arn.clone(),
        subscriptions,
        trail: trail.map(|t| t.name.clone()),
        log_group: trail.and_then(|t| t.log_group.clone()),
        audit: c.audit.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::checks::fixtures::{compliant, events_topic_policy, with_rules, ACCT, EB_SG};
    use crate::checks::EvalOptions;
    use crate::inventory::TopicAttributes;
    use crate::pattern::Judge;

    const REALTIME: &str = "arn:aws:sns:us-east-1:111122223333:realtime";

    /// (rule, what the audit says) of each candidate for 4.10 in us-east-1, best first.
    fn candidates(inv: &Inventory) -> Vec<(String, String)> {
        let c = catalog().select("5.0.0", Some(&["security-group-changes".to_string()])).unwrap().remove(0);
        let judge = Judge::new(crate::checks::corpus_for(std::slice::from_ref(&c)));
        let ctx = Context::new(inv, EvalOptions { strict_patterns: false }, &judge);
        rule_candidates(&ctx, &c, &inv.accounts[0], "us-east-1").into_iter().map(|c| (c.rule.name, c.audit)).collect()
    }

    fn rule(name: &str, state: &str, pattern: &str, targets: Option<&[&str]>) -> EventRule {
        EventRule {
            name: name.into(),
            arn: format!("arn:aws:events:us-east-1:{ACCT}:rule/{name}"),
            state: state.into(),
            event_pattern: Some(pattern.into()),
            managed_by: None,
            targets: targets.map(|t| {
                Collected::Ok(
                    t.iter().map(|a| RuleTarget { id: "t".into(), arn: a.to_string(), ..Default::default() }).collect(),
                )
            }),
        }
    }

    fn set_policy(inv: &mut Inventory, policy: String) {
        let t = inv.topics.iter_mut().find(|t| t.arn == REALTIME).unwrap();
        t.attributes = Some(Collected::Ok(TopicAttributes { policy: Some(policy), kms_master_key_id: None }));
    }

    #[test]
    fn the_rule_the_audit_credits_comes_first_then_the_closest_ones() {
        let mut inv = compliant();
        with_rules(&mut inv, &["us-east-1"], EB_SG, true);
        // SNS's default policy: EventBridge may not publish, the audit does not credit the route.
        set_policy(&mut inv, crate::checks::fixtures::default_topic_policy(REALTIME, ACCT));
        let c = candidates(&inv);
        assert_eq!(c.len(), 1);
        assert!(c[0].1.starts_with("the audit found the route broken: rule sg-changes → "), "{c:?}");
        // The policy lets the rule publish: credited.
        let arn = format!("arn:aws:events:us-east-1:{ACCT}:rule/sg-changes");
        set_policy(&mut inv, events_topic_policy(REALTIME, ACCT, &arn));
        let lambda = "arn:aws:lambda:us-east-1:111122223333:function:f";
        let Collected::Ok(rules) = &mut inv.accounts[0].event_rules[0].rules else { panic!() };
        let partial = r#"{"source":["aws.ec2"],"detail":{"eventName":["ModifySecurityGroupRules"]}}"#;
        let iam = r#"{"source":["aws.iam"],"detail":{"eventName":["CreatePolicy"]}}"#;
        rules.insert(0, rule("some", "ENABLED", partial, Some(&[REALTIME])));
        rules.insert(0, rule("off", "DISABLED", EB_SG, None));
        rules.push(rule("iam-only", "ENABLED", iam, Some(&[REALTIME])));
        rules.push(rule("to-lambda", "ENABLED", EB_SG, Some(&[lambda])));
        rules.push(rule("off-some", "DISABLED", partial, None));
        let c = candidates(&inv);
        let names: Vec<&str> = c.iter().map(|(n, _)| n.as_str()).collect();
        // A rule matching none of the events, or without an SNS target, is never followed.
        assert_eq!(names, ["sg-changes", "off", "some", "off-some"], "{c:?}");
        assert!(c[0].1.starts_with("the audit credits it: rule sg-changes → "), "{c:?}");
        assert_eq!(c[1].1, "the rule is DISABLED: EventBridge matches no event against it");
        assert_eq!(c[2].1, "its pattern matches only some of the events the control requires");
    }

    #[test]
    fn the_route_goes_through_the_credited_sns_target_with_the_topics_subscribers() {
        let mut inv = compliant();
        with_rules(&mut inv, &["us-east-1"], EB_SG, true);
        let c = Candidate {
            rule: rule("sg-changes", "ENABLED", EB_SG, None),
            credited_topic: Some(REALTIME.into()),
            audit: "the audit credits it".into(),
        };
        let lambda = "arn:aws:lambda:us-east-1:111122223333:function:f";
        let other = "arn:aws:sns:us-east-1:111122223333:other";
        let targets: Vec<RuleTarget> = [lambda, other, REALTIME]
            .iter()
            .map(|a| RuleTarget { id: "t".into(), arn: a.to_string(), ..Default::default() })
            .collect();
        let trail = FeedingTrail { name: "main".into(), log_group: None };
        let r = rule_route(&inv, &inv.accounts[0], "us-east-1", &c, &targets, Some(&trail)).unwrap();
        assert_eq!(r.topic, REALTIME);
        assert_eq!(r.subscriptions.len(), 1);
        assert!(r.describe().starts_with("trail main → EventBridge rule sg-changes (us-east-1, ENABLED) → topic "));
        // Not credited: the first SNS target; none: no route.
        let c = Candidate { credited_topic: None, ..c };
        assert_eq!(rule_route(&inv, &inv.accounts[0], "us-east-1", &c, &targets, None).unwrap().topic, other);
        assert!(rule_route(&inv, &inv.accounts[0], "us-east-1", &c, &targets[..1], None).is_none());
    }
}
