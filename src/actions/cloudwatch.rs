//! CloudWatch actions: the CIS alarm on a metric filter's metric.

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::catalog::cis;
use crate::inventory::cloudwatch as read;
use serde::{Deserialize, Serialize};

/// An alarm's definition (without its state, which changes by itself), or None.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmState {
    pub alarm: Option<AlarmDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmDef {
    /// `namespace/metric`.
    pub metric: String,
    pub statistic: Option<String>,
    pub period: Option<i32>,
    pub threshold: Option<f64>,
    pub comparison: Option<String>,
    pub evaluation_periods: Option<i32>,
    pub actions_enabled: bool,
    pub alarm_actions: Vec<String>,
}

async fn observe_alarm(cx: &Cx<'_>, name: &str) -> Result<AlarmState, ActionError> {
    let list = read::alarms(cx.session, cx.rt, cx.region, Some(name)).await?;
    Ok(AlarmState {
        alarm: list.into_iter().find(|a| a.name == name).map(|a| AlarmDef {
            metric: format!("{}/{}", a.namespace.unwrap_or_default(), a.metric_name.unwrap_or_default()),
            statistic: a.statistic,
            period: a.period,
            threshold: a.threshold,
            comparison: a.comparison_operator,
            evaluation_periods: a.evaluation_periods,
            actions_enabled: a.actions_enabled,
            alarm_actions: a.alarm_actions,
        }),
    })
}

/// The CIS alarm ([`cis::ALARM`]) on a metric, notifying one SNS topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutMetricAlarm {
    pub alarm_name: String,
    pub metric_name: String,
    pub metric_namespace: String,
    pub topic_arn: String,
}

impl Spec for PutMetricAlarm {
    const OPERATION: &'static str = "cloudwatch:PutMetricAlarm";
    type State = AlarmState;
    fn resource(&self) -> String {
        format!("alarm {}", self.alarm_name)
    }
    fn cli(&self, region: &str) -> String {
        let a = cis::ALARM;
        format!(
            "aws cloudwatch put-metric-alarm --region {region} --alarm-name {} --metric-name {} --namespace {} --statistic {} --period {} --threshold {} --comparison-operator {} --evaluation-periods {} --alarm-actions {}",
            q(&self.alarm_name),
            q(&self.metric_name),
            q(&self.metric_namespace),
            a.statistic,
            a.period,
            a.threshold,
            a.comparison,
            a.evaluation_periods,
            q(&self.topic_arn)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<AlarmState, ActionError> {
        observe_alarm(cx, &self.alarm_name).await
    }
    fn precheck(&self, before: &AlarmState) -> Precheck {
        match before.alarm {
            None => Precheck::Go,
            Some(_) => Precheck::Stop(format!("alarm {} appeared since planning; left untouched", self.alarm_name)),
        }
    }
    fn achieved(&self, s: &AlarmState) -> bool {
        let a = cis::ALARM;
        s.alarm.as_ref().is_some_and(|x| {
            x.metric == format!("{}/{}", self.metric_namespace, self.metric_name)
                && x.statistic.as_deref() == Some(a.statistic)
                && x.period == Some(a.period)
                && x.threshold == Some(a.threshold)
                && x.comparison.as_deref() == Some(a.comparison)
                && x.evaluation_periods == Some(a.evaluation_periods)
                && x.alarm_actions == [self.topic_arn.clone()]
        })
    }
    fn inverse(&self, _before: &AlarmState) -> Option<Action> {
        Some(DeleteAlarm { alarm_name: self.alarm_name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
        let a = cis::ALARM;
        let c = aws_sdk_cloudwatch::Client::new(&cx.config());
        let req = c
            .put_metric_alarm()
            .alarm_name(&self.alarm_name)
            .metric_name(&self.metric_name)
            .namespace(&self.metric_namespace)
            .statistic(Statistic::from(a.statistic))
            .period(a.period)
            .threshold(a.threshold)
            .comparison_operator(ComparisonOperator::from(a.comparison))
            .evaluation_periods(a.evaluation_periods)
            .actions_enabled(true)
            .alarm_actions(&self.topic_arn);
        cx.call(Self::OPERATION, req.send()).await?;
        Ok(format!("put alarm {}", self.alarm_name))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteAlarm {
    pub alarm_name: String,
}

impl Spec for DeleteAlarm {
    const OPERATION: &'static str = "cloudwatch:DeleteAlarms";
    type State = AlarmState;
    fn resource(&self) -> String {
        format!("alarm {}", self.alarm_name)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws cloudwatch delete-alarms --region {region} --alarm-names {}", q(&self.alarm_name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<AlarmState, ActionError> {
        observe_alarm(cx, &self.alarm_name).await
    }
    fn achieved(&self, s: &AlarmState) -> bool {
        s.alarm.is_none()
    }
    fn inverse(&self, _before: &AlarmState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudwatch::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.delete_alarms().alarm_names(&self.alarm_name).send()).await?;
        Ok(format!("deleted alarm {}", self.alarm_name))
    }
}
