//! EventBridge: rules on the default event bus, and the targets of each enabled rule that has an
//! event pattern — the real-time route from CloudTrail events to an SNS topic.

use super::model::*;
use crate::aws::{collect_error, Runtime, Session};
use aws_sdk_eventbridge::Client;

pub async fn rules(s: &Session, rt: &Runtime, region: &str) -> RegionRules {
    let client = Client::new(&s.region_config(region));
    let acct = s.account_id.as_str();
    let mut rules = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req = client.list_rules().event_bus_name("default").set_next_token(token.clone());
        match rt.call("events:ListRules", req.send()).await {
            Ok(out) => {
                rules.extend(out.rules().iter().map(|r| EventRule {
                    name: r.name().unwrap_or_default().to_string(),
                    arn: r.arn().unwrap_or_default().to_string(),
                    state: r.state().map(|x| x.as_str().to_string()).unwrap_or_default(),
                    event_pattern: r.event_pattern().map(str::to_string),
                    managed_by: r.managed_by().map(str::to_string),
                    targets: None,
                }));
                match crate::aws::next_page(out.next_token(), &token) {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
            Err(e) => {
                return RegionRules {
                    region: region.to_string(),
                    rules: Collected::Error(collect_error(&e, "events:ListRules", acct, Some(region))),
                }
            }
        }
    }
    // Targets of every enabled rule with an event pattern, concurrently.
    let futs = rules.iter_mut().filter(|r| r.state.starts_with("ENABLED") && r.event_pattern.is_some()).map(|r| {
        let client = &client;
        async move {
            let mut targets = Vec::new();
            let mut token: Option<String> = None;
            let result = loop {
                let req =
                    client.list_targets_by_rule().rule(&r.name).event_bus_name("default").set_next_token(token.clone());
                match rt.call("events:ListTargetsByRule", req.send()).await {
                    Ok(out) => {
                        targets.extend(out.targets().iter().map(|t| t.arn().to_string()));
                        match crate::aws::next_page(out.next_token(), &token) {
                            Some(t) => token = Some(t),
                            None => break Collected::Ok(std::mem::take(&mut targets)),
                        }
                    }
                    Err(e) => {
                        break Collected::Error(collect_error(&e, "events:ListTargetsByRule", acct, Some(region)))
                    }
                }
            };
            r.targets = Some(result);
        }
    });
    futures::future::join_all(futs).await;
    RegionRules { region: region.to_string(), rules: Collected::Ok(rules) }
}
