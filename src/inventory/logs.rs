//! CloudWatch Logs: the metric filters on a log group a trail delivers to.

use super::model::*;
use crate::aws::{collect_error, Runtime, Session};
use aws_sdk_cloudwatchlogs::Client;

pub async fn metric_filters(s: &Session, rt: &Runtime, account: &str, region: &str, name: &str) -> LogGroupInventory {
    let client = Client::new(&s.region_config(region));
    let mut filters = Vec::new();
    let mut token: Option<String> = None;
    let result = loop {
        let req = client.describe_metric_filters().log_group_name(name).set_next_token(token.clone());
        match rt.call("logs:DescribeMetricFilters", req.send()).await {
            Ok(out) => {
                for f in out.metric_filters() {
                    filters.push(MetricFilter {
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
                    });
                }
                match crate::aws::next_page(out.next_token(), &token) {
                    Some(t) => token = Some(t),
                    None => break Collected::Ok(std::mem::take(&mut filters)),
                }
            }
            Err(e) => break Collected::Error(collect_error(&e, "logs:DescribeMetricFilters", account, Some(region))),
        }
    };
    LogGroupInventory {
        account: account.to_string(),
        region: region.to_string(),
        name: name.to_string(),
        metric_filters: result,
    }
}
