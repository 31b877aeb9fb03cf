//! CloudWatch Logs: the metric filters of a log group, and whether a log group exists.

use super::model::*;
use super::read;
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_cloudwatchlogs::Client;

/// `DescribeMetricFilters` of one log group (every page), read in `region` of the session's
/// account. `prefix`: only filters whose name starts with it (remediation's observation).
pub(crate) async fn metric_filters(
    s: &Session,
    rt: &Runtime,
    region: &str,
    group: &str,
    prefix: Option<&str>,
) -> Collected<Vec<MetricFilter>> {
    let client = Client::new(&s.region_config(region));
    let mut filters = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req = client
            .describe_metric_filters()
            .log_group_name(group)
            .set_filter_name_prefix(prefix.map(str::to_string))
            .set_next_token(token.clone());
        match read(s, rt, Lane::Chain, "logs:DescribeMetricFilters", Some(region), || req.send()).await {
            Ok(out) => {
                filters.extend(out.metric_filters().iter().map(to_filter));
                match next_page(out.next_token(), &token) {
                    Some(t) => token = Some(t),
                    None => return Collected::Ok(filters),
                }
            }
            Err(e) => return Collected::Error(e),
        }
    }
}

fn to_filter(f: &aws_sdk_cloudwatchlogs::types::MetricFilter) -> MetricFilter {
    MetricFilter {
        name: f.filter_name().unwrap_or_default().to_string(),
        pattern: f.filter_pattern().unwrap_or_default().to_string(),
        transformations: f
            .metric_transformations()
            .iter()
            .map(|t| MetricTransformation {
                metric_name: t.metric_name().to_string(),
                metric_namespace: t.metric_namespace().to_string(),
                metric_value: t.metric_value().to_string(),
                default_value: t.default_value(),
                dimensions: t
                    .dimensions()
                    .map(|d| {
                        let mut k: Vec<String> = d.keys().cloned().collect();
                        k.sort();
                        k
                    })
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// Whether log group `name` exists in `region` (`DescribeLogGroups` by name prefix).
pub(crate) async fn log_group_exists(
    s: &Session,
    rt: &Runtime,
    region: &str,
    name: &str,
) -> Result<bool, CollectError> {
    let client = Client::new(&s.region_config(region));
    let mut token: Option<String> = None;
    loop {
        let req = client.describe_log_groups().log_group_name_prefix(name).set_next_token(token.clone());
        let out = read(s, rt, Lane::Chain, "logs:DescribeLogGroups", Some(region), || req.send()).await?;
        if out.log_groups().iter().any(|g| g.log_group_name() == Some(name)) {
            return Ok(true);
        }
        match next_page(out.next_token(), &token) {
            Some(t) => token = Some(t),
            None => return Ok(false),
        }
    }
}
