//! Collection: API calls gather an [`Inventory`]; nothing here decides a verdict.
//!
//! The calls run in four dependent stages, each fully concurrent across accounts, regions and
//! services (bounded by the run's semaphore), and no call is made twice:
//! 1. per account × region: `DescribeTrails`, the three AWS Config reads, and EventBridge's
//!    `ListRules` (then `ListTargetsByRule` for each enabled rule with an event pattern);
//! 2. per distinct trail: `GetTrailStatus` and `GetEventSelectors` in its home region;
//! 3. per distinct log group a trail delivers to: `DescribeMetricFilters`;
//! 4. per distinct metric those filters publish: `DescribeAlarmsForMetric`; then per distinct SNS
//!    topic an alarm notifies: `ListSubscriptionsByTopic`.
//!
//! AWS Config (stage 1) runs alongside stages 2–4.

pub mod cloudtrail;
pub mod cloudwatch;
pub mod config;
pub mod eventbridge;
pub mod logs;
pub mod model;
pub mod regions;
pub mod sns;

use crate::aws::{Runtime, Session};
use futures::future::join_all;
pub use model::*;
use std::collections::BTreeSet;

/// Which parts of the inventory the selected controls need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub trails: bool,
    pub config: bool,
    /// Metric filters, alarms and topics (the monitoring family).
    pub monitoring: bool,
}

/// An account to collect, with the regions already resolved.
pub struct Target<'a> {
    pub session: &'a Session,
    pub regions: Vec<String>,
    pub regions_source: String,
}

pub async fn collect(targets: &[Target<'_>], needs: Needs, rt: &Runtime, collected_at: String) -> Inventory {
    let config_fut = async {
        if !needs.config {
            return Vec::new();
        }
        let futs = targets.iter().flat_map(|t| {
            t.regions.iter().map(move |r| async move {
                (t.session.account_id.clone(), config::region_config(t.session, rt, r).await)
            })
        });
        join_all(futs).await
    };
    let trails_fut = async {
        if !needs.trails && !needs.monitoring {
            return (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        }
        // Stage 1: DescribeTrails everywhere.
        let futs = targets.iter().flat_map(|t| {
            t.regions.iter().map(move |r| async move {
                let (rt_, trails) = cloudtrail::describe_trails(t.session, rt, r).await;
                (t.session.account_id.clone(), rt_, trails)
            })
        });
        let rules_futs = targets.iter().flat_map(|t| {
            t.regions
                .iter()
                .filter(|_| needs.monitoring)
                .map(move |r| async move { (t.session.account_id.clone(), eventbridge::rules(t.session, rt, r).await) })
        });
        let (described, event_rules) = tokio::join!(join_all(futs), join_all(rules_futs));
        // Stage 2: details of each distinct trail, per account (an organization trail seen by
        // two audited accounts is read by each, with its own credentials).
        let mut seen = BTreeSet::new();
        let mut detail_futs = Vec::new();
        let mut by_region = Vec::new();
        for (acct, region_trails, trails) in described {
            by_region.push((acct.clone(), region_trails));
            for t in trails {
                if seen.insert((acct.clone(), t.arn.clone())) {
                    let session = targets.iter().find(|x| x.session.account_id == acct).unwrap().session;
                    let a = acct.clone();
                    detail_futs.push(async move { (a, cloudtrail::trail_details(session, rt, t).await) });
                }
            }
        }
        let trails = join_all(detail_futs).await;
        if !needs.monitoring {
            return (by_region, trails, event_rules, Vec::new(), Vec::new(), Vec::new());
        }
        // Stage 3: metric filters of every log group a trail delivers to, read with the
        // credentials of the account that owns the group, when that account is audited.
        let mut groups = BTreeSet::new();
        for (_, t) in &trails {
            if let Some((acct, region, name)) = t.log_group_arn.as_deref().and_then(log_group_from_arn) {
                if targets.iter().any(|x| x.session.account_id == acct) {
                    groups.insert((acct, region, name));
                }
            }
        }
        let log_groups = join_all(groups.iter().map(|(acct, region, name)| {
            let session = session_for(targets, acct);
            logs::metric_filters(session, rt, acct, region, name)
        }))
        .await;
        // Stage 4a: alarms on each metric those filters publish (in the group's account and region).
        let mut metrics = BTreeSet::new();
        for g in &log_groups {
            if let Collected::Ok(filters) = &g.metric_filters {
                for f in filters {
                    for tr in &f.transformations {
                        metrics.insert((
                            g.account.clone(),
                            g.region.clone(),
                            tr.metric_namespace.clone(),
                            tr.metric_name.clone(),
                        ));
                    }
                }
            }
        }
        let alarms = join_all(metrics.iter().map(|(acct, region, ns, name)| {
            cloudwatch::alarms_for_metric(session_for(targets, acct), rt, acct, region, ns, name)
        }))
        .await;
        // Stage 4b: each SNS topic an alarm notifies.
        let mut topics = BTreeSet::new();
        for m in &alarms {
            if let Collected::Ok(list) = &m.alarms {
                for a in list {
                    for action in &a.alarm_actions {
                        if let Some(arn) = Arn::parse(action).filter(|x| x.service == "sns") {
                            topics.insert((
                                m.account.clone(),
                                action.clone(),
                                arn.region.to_string(),
                                arn.account.to_string(),
                            ));
                        }
                    }
                }
            }
        }
        // … and each SNS topic an EventBridge rule targets.
        for (acct, rr) in &event_rules {
            if let Collected::Ok(rules) = &rr.rules {
                for t in rules.iter().filter_map(|r| r.targets.as_ref()) {
                    if let Collected::Ok(arns) = t {
                        for a in arns {
                            if let Some(p) = Arn::parse(a).filter(|x| x.service == "sns") {
                                topics.insert((acct.clone(), a.clone(), p.region.to_string(), p.account.to_string()));
                            }
                        }
                    }
                }
            }
        }
        let mut topic_seen = BTreeSet::new();
        let topic_futs = topics.into_iter().filter(|(_, arn, _, _)| topic_seen.insert(arn.clone())).map(
            |(alarm_acct, arn, region, owner)| {
                // Read a topic with its owner's credentials when that account is audited.
                let acct = if targets.iter().any(|x| x.session.account_id == owner) { owner } else { alarm_acct };
                let session = session_for(targets, &acct);
                async move { sns::topic(session, rt, &arn, &region).await }
            },
        );
        let topics = join_all(topic_futs).await;
        (by_region, trails, event_rules, log_groups, alarms, topics)
    };
    let (configs, (by_region, trails, event_rules, log_groups, metric_alarms, topics)) =
        tokio::join!(config_fut, trails_fut);

    let accounts = targets
        .iter()
        .map(|t| {
            let id = &t.session.account_id;
            let mut trails: Vec<Trail> = trails.iter().filter(|(a, _)| a == id).map(|(_, tr)| tr.clone()).collect();
            trails.sort_by(|a, b| a.arn.cmp(&b.arn));
            AccountInventory {
                account_id: id.clone(),
                partition: t.session.partition.clone(),
                caller_arn: t.session.caller_arn.clone(),
                regions: t.regions.clone(),
                regions_source: t.regions_source.clone(),
                trails_by_region: by_region.iter().filter(|(a, _)| a == id).map(|(_, r)| r.clone()).collect(),
                trails,
                config: configs.iter().filter(|(a, _)| a == id).map(|(_, c)| c.clone()).collect(),
                event_rules: event_rules.iter().filter(|(a, _)| a == id).map(|(_, r)| r.clone()).collect(),
            }
        })
        .collect();
    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at,
        accounts,
        log_groups,
        metric_alarms,
        topics,
        api_calls: rt.calls(),
    }
}

fn session_for<'a>(targets: &'a [Target<'_>], account: &str) -> &'a Session {
    targets.iter().find(|x| x.session.account_id == account).map(|x| x.session).unwrap_or(targets[0].session)
}
