//! EventBridge: rules on the default event bus, and the targets of each enabled rule that has an
//! event pattern — the real-time route from CloudTrail events to an SNS topic.

use super::model::*;
use super::read;
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_eventbridge::Client;

/// `ListRules` on the default bus (every page), without targets.
pub(crate) async fn rules(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<EventRule>> {
    let client = Client::new(&s.region_config(region));
    let mut rules = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req = client.list_rules().event_bus_name("default").set_next_token(token.clone());
        match read(s, rt, Lane::Chain, "events:ListRules", Some(region), || req.send()).await {
            Ok(out) => {
                rules.extend(out.rules().iter().map(|r| EventRule {
                    name: r.name().unwrap_or_default().to_string(),
                    arn: r.arn().unwrap_or_default().to_string(),
                    state: r.state().map(|x| x.as_str().to_string()).unwrap_or_default(),
                    event_pattern: r.event_pattern().map(str::to_string),
                    managed_by: r.managed_by().map(str::to_string),
                    targets: None,
                }));
                match next_page(out.next_token(), &token) {
                    Some(t) => token = Some(t),
                    None => return Collected::Ok(rules),
                }
            }
            Err(e) => return Collected::Error(e),
        }
    }
}

/// Whether the audit reads a rule's targets: enabled rules with an event pattern.
pub(crate) fn wants_targets(r: &EventRule) -> bool {
    r.state.starts_with("ENABLED") && r.event_pattern.is_some()
}

/// `ListTargetsByRule` (every page).
pub(crate) async fn targets(s: &Session, rt: &Runtime, region: &str, rule: &str) -> Collected<Vec<RuleTarget>> {
    let client = Client::new(&s.region_config(region));
    let mut targets = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req = client.list_targets_by_rule().rule(rule).event_bus_name("default").set_next_token(token.clone());
        match read(s, rt, Lane::Chain, "events:ListTargetsByRule", Some(region), || req.send()).await {
            Ok(out) => {
                targets.extend(out.targets().iter().map(|t| RuleTarget {
                    id: t.id().to_string(),
                    arn: t.arn().to_string(),
                    role_arn: t.role_arn().map(str::to_string),
                    input_transformer: t.input_transformer().map(|x| InputTransformer {
                        input_paths_map:
                            x.input_paths_map().map(|m| m.clone().into_iter().collect()).unwrap_or_default(),
                        input_template: x.input_template().to_string(),
                    }),
                    input: t.input().map(str::to_string),
                    input_path: t.input_path().map(str::to_string),
                }));
                match next_page(out.next_token(), &token) {
                    Some(t) => token = Some(t),
                    None => return Collected::Ok(targets),
                }
            }
            Err(e) => return Collected::Error(e),
        }
    }
}

/// `DescribeRule` on the default bus: None when there is no rule of that name (remediation's
/// observation).
pub(crate) async fn rule(
    s: &Session,
    rt: &Runtime,
    region: &str,
    name: &str,
) -> Result<Option<EventRule>, CollectError> {
    let client = Client::new(&s.region_config(region));
    let req = client.describe_rule().name(name).event_bus_name("default");
    match read(s, rt, Lane::Chain, "events:DescribeRule", Some(region), || req.send()).await {
        Ok(r) => Ok(Some(EventRule {
            name: r.name().unwrap_or_default().to_string(),
            arn: r.arn().unwrap_or_default().to_string(),
            state: r.state().map(|x| x.as_str().to_string()).unwrap_or_default(),
            event_pattern: r.event_pattern().map(str::to_string),
            managed_by: r.managed_by().map(str::to_string),
            targets: None,
        })),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}
