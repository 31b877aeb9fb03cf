//! CloudWatch Logs actions: log groups and metric filters.

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::catalog::cis;
use crate::inventory::{logs as read, Collected};
use serde::{Deserialize, Serialize};

/// A log group: whether it exists, and the names of its metric filters (a group that gained
/// someone else's filter since is not deleted by rollback).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogGroupState {
    pub exists: bool,
    pub metric_filters: Vec<String>,
}

async fn observe_group(cx: &Cx<'_>, group: &str) -> Result<LogGroupState, ActionError> {
    let exists = read::log_group_exists(cx.session, cx.rt, cx.region, group).await?;
    let mut metric_filters = Vec::new();
    if exists {
        match read::metric_filters(cx.session, cx.rt, cx.region, group, None).await {
            Collected::Ok(f) => metric_filters = f.into_iter().map(|f| f.name).collect(),
            Collected::Error(e) => return Err(e.into()),
        }
        metric_filters.sort();
    }
    Ok(LogGroupState { exists, metric_filters })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateLogGroup {
    pub log_group: String,
}

impl Spec for CreateLogGroup {
    const OPERATION: &'static str = "logs:CreateLogGroup";
    type State = LogGroupState;
    fn resource(&self) -> String {
        format!("log group {}", self.log_group)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws logs create-log-group --region {region} --log-group-name {}", q(&self.log_group))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<LogGroupState, ActionError> {
        observe_group(cx, &self.log_group).await
    }
    fn precheck(&self, before: &LogGroupState) -> Precheck {
        if before.exists {
            Precheck::AlreadyDone(format!("log group {} already exists", self.log_group))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &LogGroupState) -> bool {
        s.exists && s.metric_filters.is_empty()
    }
    fn inverse(&self, _before: &LogGroupState) -> Option<Action> {
        Some(DeleteLogGroup { log_group: self.log_group.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudwatchlogs::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.create_log_group().log_group_name(&self.log_group).send()).await?;
        Ok(format!("created log group {}", self.log_group))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteLogGroup {
    pub log_group: String,
}

impl Spec for DeleteLogGroup {
    const OPERATION: &'static str = "logs:DeleteLogGroup";
    type State = LogGroupState;
    fn resource(&self) -> String {
        format!("log group {}", self.log_group)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws logs delete-log-group --region {region} --log-group-name {}", q(&self.log_group))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<LogGroupState, ActionError> {
        observe_group(cx, &self.log_group).await
    }
    fn achieved(&self, s: &LogGroupState) -> bool {
        !s.exists
    }
    fn inverse(&self, _before: &LogGroupState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudwatchlogs::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.delete_log_group().log_group_name(&self.log_group).send()).await?;
        Ok(format!("deleted log group {}", self.log_group))
    }
}

/// A metric filter's definition, or None when there is no filter of that name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterState {
    pub filter: Option<FilterDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterDef {
    pub pattern: String,
    /// `namespace/name=value` per transformation.
    pub metrics: Vec<String>,
}

async fn observe_filter(cx: &Cx<'_>, group: &str, name: &str) -> Result<FilterState, ActionError> {
    match read::metric_filters(cx.session, cx.rt, cx.region, group, Some(name)).await {
        Collected::Ok(list) => Ok(FilterState {
            filter: list.into_iter().find(|f| f.name == name).map(|f| FilterDef {
                pattern: f.pattern,
                metrics: f
                    .transformations
                    .iter()
                    .map(|t| format!("{}/{}={}", t.metric_namespace, t.metric_name, t.metric_value))
                    .collect(),
            }),
        }),
        Collected::Error(e) if e.is_not_found() => Ok(FilterState { filter: None }),
        Collected::Error(e) => Err(e.into()),
    }
}

/// A metric filter publishing `metricValue=1` per matching event (the CIS remediation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutMetricFilter {
    pub log_group: String,
    pub filter_name: String,
    pub pattern: String,
    pub metric_name: String,
    pub metric_namespace: String,
}

impl PutMetricFilter {
    fn wanted(&self) -> FilterDef {
        FilterDef {
            pattern: self.pattern.clone(),
            metrics: vec![format!("{}/{}={}", self.metric_namespace, self.metric_name, cis::METRIC_VALUE)],
        }
    }
}

fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

impl Spec for PutMetricFilter {
    const OPERATION: &'static str = "logs:PutMetricFilter";
    type State = FilterState;
    fn resource(&self) -> String {
        format!("metric filter {} on {}", self.filter_name, self.log_group)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws logs put-metric-filter --region {region} --log-group-name {} --filter-name {} --metric-transformations {} --filter-pattern {}",
            q(&self.log_group),
            q(&self.filter_name),
            q(&format!(
                "metricName={},metricNamespace={},metricValue={}",
                self.metric_name,
                self.metric_namespace,
                cis::METRIC_VALUE
            )),
            q(&self.pattern)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<FilterState, ActionError> {
        observe_filter(cx, &self.log_group, &self.filter_name).await
    }
    fn precheck(&self, before: &FilterState) -> Precheck {
        match &before.filter {
            None => Precheck::Go,
            Some(_) if self.achieved(before) => {
                Precheck::AlreadyDone(format!("metric filter {} already exists with this definition", self.filter_name))
            }
            Some(_) => Precheck::Stop(format!(
                "metric filter {} appeared since planning with another definition; left untouched",
                self.filter_name
            )),
        }
    }
    fn achieved(&self, s: &FilterState) -> bool {
        let w = self.wanted();
        s.filter.as_ref().is_some_and(|f| same_text(&f.pattern, &w.pattern) && f.metrics == w.metrics)
    }
    fn inverse(&self, _before: &FilterState) -> Option<Action> {
        Some(DeleteMetricFilter { log_group: self.log_group.clone(), filter_name: self.filter_name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudwatchlogs::Client::new(&cx.config());
        let t = aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
            .metric_name(&self.metric_name)
            .metric_namespace(&self.metric_namespace)
            .metric_value(cis::METRIC_VALUE)
            .build()
            .map_err(|e| ActionError::Invalid(e.to_string()))?;
        let req = c
            .put_metric_filter()
            .log_group_name(&self.log_group)
            .filter_name(&self.filter_name)
            .filter_pattern(&self.pattern)
            .metric_transformations(t);
        cx.call(Self::OPERATION, req.send()).await?;
        Ok(format!("put metric filter {}", self.filter_name))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteMetricFilter {
    pub log_group: String,
    pub filter_name: String,
}

impl Spec for DeleteMetricFilter {
    const OPERATION: &'static str = "logs:DeleteMetricFilter";
    type State = FilterState;
    fn resource(&self) -> String {
        format!("metric filter {} on {}", self.filter_name, self.log_group)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws logs delete-metric-filter --region {region} --log-group-name {} --filter-name {}",
            q(&self.log_group),
            q(&self.filter_name)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<FilterState, ActionError> {
        observe_filter(cx, &self.log_group, &self.filter_name).await
    }
    fn achieved(&self, s: &FilterState) -> bool {
        s.filter.is_none()
    }
    fn inverse(&self, _before: &FilterState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudwatchlogs::Client::new(&cx.config());
        let req = c.delete_metric_filter().log_group_name(&self.log_group).filter_name(&self.filter_name);
        cx.call(Self::OPERATION, req.send()).await?;
        Ok(format!("deleted metric filter {}", self.filter_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precheck_never_overwrites_another_definition() {
        let a = PutMetricFilter {
            log_group: "g".into(),
            filter_name: "F".into(),
            pattern: "{ $.x = 1 }".into(),
            metric_name: "F".into(),
            metric_namespace: "CISBenchmark".into(),
        };
        let def = |p: &str| FilterState {
            filter: Some(FilterDef { pattern: p.into(), metrics: vec!["CISBenchmark/F=1".into()] }),
        };
        assert_eq!(a.precheck(&FilterState::default()), Precheck::Go);
        assert!(matches!(a.precheck(&def("{  $.x = 1 }")), Precheck::AlreadyDone(_)));
        assert!(matches!(a.precheck(&def("{ $.y = 1 }")), Precheck::Stop(_)));
        assert!(a.achieved(&def("{ $.x = 1 }")) && !a.achieved(&def("{ $.y = 1 }")));
    }
}
