//! CloudWatch: the metric alarms on a metric a metric filter publishes.

use super::model::*;
use crate::aws::{collect_error, Runtime, Session};
use aws_sdk_cloudwatch::Client;

pub async fn alarms_for_metric(
    s: &Session,
    rt: &Runtime,
    account: &str,
    region: &str,
    namespace: &str,
    metric: &str,
) -> MetricAlarmsInventory {
    let client = Client::new(&s.region_config(region));
    let res = rt
        .call(
            "cloudwatch:DescribeAlarmsForMetric",
            client.describe_alarms_for_metric().namespace(namespace).metric_name(metric).send(),
        )
        .await;
    let alarms = match res {
        Ok(out) => Collected::Ok(out.metric_alarms().iter().map(to_alarm).collect()),
        Err(e) => Collected::Error(collect_error(&e, "cloudwatch:DescribeAlarmsForMetric", account, Some(region))),
    };
    MetricAlarmsInventory {
        account: account.to_string(),
        region: region.to_string(),
        namespace: namespace.to_string(),
        metric_name: metric.to_string(),
        alarms,
    }
}

/// Our model of an SDK metric alarm.
pub fn to_alarm(a: &aws_sdk_cloudwatch::types::MetricAlarm) -> MetricAlarm {
    MetricAlarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        arn: a.alarm_arn().map(str::to_string),
        metric_name: a.metric_name().map(str::to_string),
        namespace: a.namespace().map(str::to_string),
        actions_enabled: a.actions_enabled().unwrap_or(false),
        alarm_actions: a.alarm_actions().to_vec(),
        statistic: a.statistic().map(|x| x.as_str().to_string()),
        extended_statistic: a.extended_statistic().map(str::to_string),
        comparison_operator: a.comparison_operator().map(|x| x.as_str().to_string()),
        threshold: a.threshold(),
        evaluation_periods: a.evaluation_periods(),
        datapoints_to_alarm: a.datapoints_to_alarm(),
        period: a.period(),
        dimensions: a.dimensions().iter().filter_map(|d| d.name().map(str::to_string)).collect(),
        state: a.state_value().map(|x| x.as_str().to_string()),
    }
}
