//! The real-time route for the monitoring family: an EventBridge rule on the default bus whose
//! event pattern matches every CloudTrail event the control must catch, targeting an SNS topic
//! with a confirmed subscription.
//!
//! EventBridge delivers CloudTrail management events ("AWS API Call via CloudTrail") only when a
//! logging trail records them, and delivers each in the region where the call was made, so the
//! route counts when a trail satisfying 3.1 exists and every audited region has such a rule
//! (us-east-1 alone for controls whose events all come from global services: IAM, Organizations).
//! Whether a rule's pattern matches is decided by evaluating it against the same CloudTrail corpus
//! the metric-filter coverage uses, wrapped as EventBridge events.

use crate::catalog::PatternVariant;
use crate::checks::cloudtrail::assess_trail;
use crate::eventpattern;
use crate::finding::{Evidence, Finding, Status};
use crate::inventory::{AccountInventory, Arn, Collected, Inventory};
use crate::pattern;
use serde_json::{json, Value};

/// Services whose CloudTrail events are delivered in us-east-1 only.
const GLOBAL_SOURCES: &[&str] = &["iam.amazonaws.com", "organizations.amazonaws.com"];

/// The EventBridge event a CloudTrail record becomes in `region`.
pub fn as_event(record: &Value, account: &str, region: &str) -> Value {
    let source = record["eventSource"].as_str().unwrap_or_default();
    let service = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    let detail_type = if record["eventType"] == "AwsConsoleSignIn" || record["eventName"] == "ConsoleLogin" {
        "AWS Console Sign In via CloudTrail"
    } else {
        "AWS API Call via CloudTrail"
    };
    let mut detail = record.clone();
    detail["awsRegion"] = json!(region);
    json!({
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": detail_type,
        "source": format!("aws.{service}"),
        "account": account,
        "time": record["eventTime"].clone(),
        "region": region,
        "resources": [],
        "detail": detail,
    })
}

/// The required records per accepted benchmark text: the corpus records each text matches.
fn required_sets(variant: &PatternVariant) -> Vec<Vec<&'static pattern::CorpusRecord>> {
    variant
        .patterns
        .iter()
        .filter_map(|p| pattern::parse(p).ok())
        .map(|p| pattern::corpus().iter().filter(|r| p.matches(&r.event, &r.raw)).collect())
        .collect()
}

/// The route's finding, when the account has at least one rule whose pattern covers the
/// control's events in some audited region (PASS when the whole route holds); None otherwise.
pub fn evaluate(
    control_id: &str,
    check_key: &str,
    variant: &PatternVariant,
    acct: &AccountInventory,
    inv: &Inventory,
) -> Option<Finding> {
    let sets = required_sets(variant);
    let global_only = sets.iter().flatten().all(|r| GLOBAL_SOURCES.contains(&r.event_source.as_str()));
    let regions: Vec<&str> = if global_only {
        acct.regions.iter().filter(|r| *r == "us-east-1").map(|s| s.as_str()).collect()
    } else {
        acct.regions.iter().map(|s| s.as_str()).collect()
    };
    let mut evidence = Vec::new();
    let mut any_covering = false;
    let mut missing: Vec<String> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for region in &regions {
        let Some(rr) = acct.event_rules.iter().find(|r| r.region == *region) else {
            missing.push(format!("{region}: rules not collected"));
            continue;
        };
        let rules = match &rr.rules {
            Collected::Ok(r) => r,
            Collected::Error(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let mut best: Option<String> = None;
        let mut region_note: Option<String> = None;
        for rule in rules.iter().filter(|r| r.state.starts_with("ENABLED")) {
            let Some(Ok(p)) = rule.event_pattern.as_deref().map(eventpattern::parse) else { continue };
            let covers = sets.iter().any(|set| {
                !set.is_empty() && set.iter().all(|r| p.matches(&as_event(&r.event, &acct.account_id, region)))
            });
            if !covers {
                continue;
            }
            any_covering = true;
            let targets = match &rule.targets {
                Some(Collected::Ok(t)) => t,
                Some(Collected::Error(e)) => {
                    errors.push(e.to_string());
                    continue;
                }
                None => continue,
            };
            let mut notes = Vec::new();
            for t in targets.iter().filter(|t| Arn::parse(t).is_some_and(|a| a.service == "sns")) {
                match inv.topic(t).map(|x| &x.subscriptions) {
                    Some(Collected::Ok(subs)) => {
                        let confirmed = subs.iter().filter(|s| Arn::parse(&s.subscription_arn).is_some()).count();
                        if confirmed > 0 {
                            best = Some(format!("rule {} → {t} ({confirmed} confirmed subscriber(s))", rule.name));
                        } else {
                            notes.push(format!("rule {} → {t} has no confirmed subscription", rule.name));
                        }
                    }
                    Some(Collected::Error(e)) => notes.push(format!("rule {} → {t}: {}", rule.name, e.code)),
                    None => notes.push(format!("rule {} → {t} not collected", rule.name)),
                }
                if best.is_some() {
                    break;
                }
            }
            if targets.iter().all(|t| !Arn::parse(t).is_some_and(|a| a.service == "sns")) {
                notes.push(format!("rule {} has no SNS target", rule.name));
            }
            if best.is_some() {
                break;
            }
            region_note = notes.into_iter().next().or(region_note);
        }
        match best {
            Some(b) => evidence.push(Evidence::ok(format!("eventbridge.{region}"), b)),
            None => {
                let why = region_note.unwrap_or_else(|| "no enabled rule matches every required event".into());
                evidence.push(Evidence::bad(format!("eventbridge.{region}"), why.clone()));
                missing.push(format!("{region}: {why}"));
            }
        }
    }
    if !any_covering {
        return None;
    }
    let trail = acct.trails.iter().find(|t| assess_trail(t, inv).qualifies());
    evidence.insert(
        0,
        Evidence::new(
            "eventbridge.trail",
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
        (
            Status::Pass,
            format!(
                "EventBridge rules deliver these events to a confirmed SNS subscriber in {}",
                if global_only {
                    "us-east-1 (global-service events)".to_string()
                } else {
                    format!("all {} audited regions", regions.len())
                }
            ),
        )
    };
    Some(Finding {
        control: control_id.to_string(),
        check: format!("{check_key}/eventbridge-rule"),
        status,
        account: acct.account_id.clone(),
        region: None,
        resource: None,
        message,
        evidence,
        remediation: (status == Status::Fail).then(|| {
            "in every region that lacks it: aws events put-rule --name <rule> --event-pattern '<pattern>' && aws events put-targets --rule <rule> --targets Id=sns,Arn=<topic-arn> (the topic policy must allow events.amazonaws.com to publish)".to_string()
        }),
    })
}
