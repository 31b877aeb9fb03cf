//! What the accounts' own history shows of the monitoring chains (`--evidence-days N`): read
//! as soon as the chains are known (trails, filters, alarms, topics and rules; not the
//! subscriptions' attributes, the keys, or the other sections' reads, which go on beside it),
//! because the metrics of a region are asked for in one batch and only the chains' own metrics
//! are asked for. These reads end the run's critical path, so they take the chain lane.
//!
//! - Per alarm on a filter's metric that notifies an SNS topic: `DescribeAlarmHistory` over the
//!   period (every page), in the alarm's account and region.
//! - Per account and region: ONE `GetMetricData` (up to 500 queries a request; more pages or
//!   requests only beyond that) for the Sum, per day, of each filter's metric on the trails' log
//!   groups, each audited topic's `AWS/SNS` `NumberOfNotificationsDelivered` and
//!   `NumberOfNotificationsFailed` (dimension `TopicName`), and each enabled rule with an SNS
//!   target's `AWS/Events` `TriggeredRules`, `Invocations` and `FailedInvocations` (dimension
//!   `RuleName`). GetMetricData is billed per metric requested; nothing else is asked for.

use super::model::*;
use super::{read, Target};
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use aws_sdk_cloudwatch::Client;
use aws_smithy_types::DateTime;
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};

/// One metric to total.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Wanted {
    pub namespace: String,
    pub name: String,
    pub dimensions: BTreeMap<String, String>,
}

impl Wanted {
    pub(crate) fn new(namespace: &str, name: &str, dims: &[(&str, &str)]) -> Wanted {
        Wanted {
            namespace: namespace.into(),
            name: name.into(),
            dimensions: dims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }
}

pub(crate) const SNS_METRICS: [&str; 2] = ["NumberOfNotificationsDelivered", "NumberOfNotificationsFailed"];
pub(crate) const EVENTS_METRICS: [&str; 3] = ["TriggeredRules", "Invocations", "FailedInvocations"];

/// The chains' metrics per (account, region), from what the inventory holds.
pub(crate) fn wanted(inv: &Inventory) -> BTreeMap<(String, String), BTreeSet<Wanted>> {
    let mut out: BTreeMap<(String, String), BTreeSet<Wanted>> = BTreeMap::new();
    let audited: BTreeSet<&str> =
        inv.accounts.iter().filter(|a| a.error.is_none()).map(|a| a.account_id.as_str()).collect();
    for g in &inv.log_groups {
        if let Collected::Ok(filters) = &g.metric_filters {
            for t in filters.iter().flat_map(|f| &f.transformations) {
                out.entry((g.account.clone(), g.region.clone())).or_default().insert(Wanted::new(
                    &t.metric_namespace,
                    &t.metric_name,
                    &[],
                ));
            }
        }
    }
    for t in &inv.topics {
        let Some(a) = Arn::parse(&t.arn) else { continue };
        if !audited.contains(a.account) || !matches!(t.subscriptions, Collected::Ok(_)) {
            continue;
        }
        let name = a.resource;
        for m in SNS_METRICS {
            out.entry((a.account.to_string(), a.region.to_string())).or_default().insert(Wanted::new(
                "AWS/SNS",
                m,
                &[("TopicName", name)],
            ));
        }
    }
    for acct in inv.accounts.iter().filter(|a| a.error.is_none()) {
        for rr in &acct.event_rules {
            let Collected::Ok(rules) = &rr.rules else { continue };
            for r in rules {
                let to_sns = matches!(&r.targets, Some(Collected::Ok(t)) if t.iter().any(|t| t.arn.starts_with("arn:") && t.arn.split(':').nth(2) == Some("sns")));
                if !r.state.starts_with("ENABLED") || !to_sns {
                    continue;
                }
                for m in EVENTS_METRICS {
                    out.entry((acct.account_id.clone(), rr.region.clone())).or_default().insert(Wanted::new(
                        "AWS/Events",
                        m,
                        &[("RuleName", &r.name)],
                    ));
                }
            }
        }
    }
    out
}

/// The chain alarms to read the history of: (account, region, alarm name).
fn alarms(inv: &Inventory) -> BTreeSet<(String, String, String)> {
    inv.metric_alarms
        .iter()
        .filter_map(|m| match &m.alarms {
            Collected::Ok(list) => Some((m, list)),
            Collected::Error(_) => None,
        })
        .flat_map(|(m, list)| {
            list.iter()
                .filter(|a| a.alarm_actions.iter().any(|x| Arn::parse(x).is_some_and(|p| p.service == "sns")))
                .map(|a| (m.account.clone(), m.region.clone(), a.name.clone()))
        })
        .collect()
}

/// Reads of the history built (and waiting for the runtime) at once, per kind.
const HISTORY_READS_BUILT: usize = 128;

/// Reads the history of the chains in `inv` over the last `days` days, ending `end_secs`.
pub(crate) async fn collect(
    inv: &Inventory,
    targets: &[Target],
    rt: &Runtime,
    days: u32,
    end_secs: i64,
) -> HistoryInventory {
    let start_secs = end_secs - i64::from(days) * 86_400;
    let (start, end) = (DateTime::from_secs(start_secs), DateTime::from_secs(end_secs));
    let fmt = |d: &DateTime| d.fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default();
    let session = |account: &str| targets.iter().map(|t| &t.session).find(|s| s.account_id == account);
    let alarm_reads = alarms(inv).into_iter().filter_map(|(account, region, alarm)| {
        let s = session(&account)?;
        Some(async move {
            let items = Collected::from(alarm_history(s, rt, &region, &alarm, start, end).await);
            AlarmHistory { account, region, alarm, items }
        })
    });
    let metric_reads = wanted(inv).into_iter().filter_map(|((account, region), want)| {
        let s = session(&account)?;
        Some(async move {
            let metrics = Collected::from(metric_totals(s, rt, &region, &want, start, end, 86_400).await);
            RegionMetrics { account, region, metrics }
        })
    });
    // A bounded number of reads built at a time, in order (each is a boxed SDK future of tens
    // of KB; an organisation has thousands of alarms, and building every read at once held
    // ~0.5 MiB per account).
    let (alarms, metrics) = futures::join!(
        futures::stream::iter(alarm_reads).buffered(HISTORY_READS_BUILT).collect::<Vec<_>>(),
        futures::stream::iter(metric_reads).buffered(HISTORY_READS_BUILT).collect::<Vec<_>>()
    );
    HistoryInventory { days, start: fmt(&start), end: fmt(&end), alarms, metrics }
}

/// `DescribeAlarmHistory` of one alarm over [start, end] (every page).
pub(crate) async fn alarm_history(
    s: &Session,
    rt: &Runtime,
    region: &str,
    alarm: &str,
    start: DateTime,
    end: DateTime,
) -> Result<Vec<AlarmHistoryItem>, CollectError> {
    let client = Client::new(&s.region_config(region));
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req = client
            .describe_alarm_history()
            .alarm_name(alarm)
            .start_date(start)
            .end_date(end)
            .max_records(100)
            .set_next_token(token.clone());
        let page = read(s, rt, Lane::Chain, "cloudwatch:DescribeAlarmHistory", Some(region), || req.send()).await?;
        out.extend(page.alarm_history_items().iter().map(|h| {
            AlarmHistoryItem {
                timestamp: h
                    .timestamp()
                    .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
                    .unwrap_or_default(),
                item_type: h.history_item_type().map(|x| x.as_str().to_string()).unwrap_or_default(),
                summary: h.history_summary().unwrap_or_default().to_string(),
            }
        }));
        match next_page(page.next_token(), &token) {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// `GetMetricData`: the Sums of `want` per `period` seconds over [start, end], totalled (the
/// audit's history asks for daily ones, the drill for one-minute ones); 500 queries a request.
pub(crate) async fn metric_totals(
    s: &Session,
    rt: &Runtime,
    region: &str,
    want: &BTreeSet<Wanted>,
    start: DateTime,
    end: DateTime,
    period: i32,
) -> Result<Vec<MetricTotal>, CollectError> {
    let client = Client::new(&s.region_config(region));
    let all: Vec<&Wanted> = want.iter().collect();
    let mut totals: Vec<MetricTotal> = all
        .iter()
        .map(|w| MetricTotal {
            namespace: w.namespace.clone(),
            metric_name: w.name.clone(),
            dimensions: w.dimensions.clone(),
            total: 0.0,
            datapoints: 0,
        })
        .collect();
    for (chunk_no, chunk) in all.chunks(500).enumerate() {
        let queries: Vec<MetricDataQuery> = chunk
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let metric = Metric::builder()
                    .namespace(&w.namespace)
                    .metric_name(&w.name)
                    .set_dimensions(Some(
                        w.dimensions.iter().map(|(k, v)| Dimension::builder().name(k).value(v).build()).collect(),
                    ))
                    .build();
                MetricDataQuery::builder()
                    .id(format!("m{}", chunk_no * 500 + i))
                    .metric_stat(MetricStat::builder().metric(metric).period(period).stat("Sum").build())
                    .return_data(true)
                    .build()
            })
            .collect();
        let mut token: Option<String> = None;
        loop {
            let req = client
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(start)
                .end_time(end)
                .set_next_token(token.clone());
            let page = read(s, rt, Lane::Chain, "cloudwatch:GetMetricData", Some(region), || req.send()).await?;
            for r in page.metric_data_results() {
                let Some(i) = r.id().and_then(|id| id.strip_prefix('m')).and_then(|n| n.parse::<usize>().ok()) else {
                    continue;
                };
                if let Some(t) = totals.get_mut(i) {
                    t.total += r.values().iter().sum::<f64>();
                    t.datapoints += r.values().len() as u32;
                }
            }
            match next_page(page.next_token(), &token) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    Ok(totals)
}
