//! CloudWatch: the metric alarms on a metric a metric filter publishes, and (for remediation)
//! every alarm of a region or one alarm by name.

use super::model::*;
use super::read;
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_cloudwatch::Client;

/// `DescribeAlarmsForMetric` for one (namespace, metric) in `region`.
pub(crate) async fn alarms_for_metric(
    s: &Session,
    rt: &Runtime,
    region: &str,
    namespace: &str,
    metric: &str,
) -> MetricAlarmsInventory {
    let client = Client::new(&s.region_config(region));
    let req = client.describe_alarms_for_metric().namespace(namespace).metric_name(metric);
    let res = read(s, rt, Lane::Chain, "cloudwatch:DescribeAlarmsForMetric", Some(region), || req.send()).await;
    MetricAlarmsInventory {
        account: s.account_id.clone(),
        region: region.to_string(),
        namespace: namespace.to_string(),
        metric_name: metric.to_string(),
        alarms: Collected::from(res.map(|out| out.metric_alarms().iter().map(to_alarm).collect())),
    }
}

/// `DescribeAlarms`: every metric alarm of `region` (all pages), or only `name`.
pub(crate) async fn alarms(
    s: &Session,
    rt: &Runtime,
    region: &str,
    name: Option<&str>,
) -> Result<Vec<MetricAlarm>, CollectError> {
    let client = Client::new(&s.region_config(region));
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req =
            client.describe_alarms().set_alarm_names(name.map(|n| vec![n.to_string()])).set_next_token(token.clone());
        let page = read(s, rt, Lane::Chain, "cloudwatch:DescribeAlarms", Some(region), || req.send()).await?;
        out.extend(page.metric_alarms().iter().map(to_alarm));
        match next_page(page.next_token(), &token) {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

fn to_alarm(a: &aws_sdk_cloudwatch::types::MetricAlarm) -> MetricAlarm {
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
        treat_missing_data: a.treat_missing_data().map(str::to_string),
        description: a.alarm_description().map(str::to_string),
    }
}
