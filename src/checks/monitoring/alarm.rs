//! The alarm link (CIS 4.x audit steps 5–6): an alarm on the filter's metric — name AND
//! namespace, the same dimensions, in the log group's region — with actions enabled, that
//! breaches on a single matching event, and whose actions include an SNS topic; and that
//! notifies EACH time, not only the first: an alarm that, once in ALARM, stays there (missing
//! data treated as breaching or ignored while the filter publishes nothing between events, or a
//! filter default value that itself breaches) never runs its actions again ([`once_only`]).

use super::link::{Chain, Link, State};
use super::sns_subscription;
use crate::actions::{cloudwatch as cw, Hint};
use crate::catalog::cis;
use crate::checks::Context;
use crate::finding::{Evidence, LinkKind, LinkState, Subject};
use crate::inventory::{Arn, Collected, MetricAlarm, MetricTransformation};

/// Why an alarm would not notify on a single matching event; empty when it would.
pub(crate) fn problems(a: &MetricAlarm, t: &MetricTransformation) -> Vec<String> {
    let mut p = Vec::new();
    if !a.actions_enabled {
        p.push("actions are disabled".to_string());
    }
    let mut a_dims = a.dimensions.clone();
    a_dims.sort();
    if a_dims != t.dimensions {
        p.push(format!(
            "alarm dimensions [{}] differ from the filter's [{}], so the alarm watches another metric",
            a_dims.join(", "),
            t.dimensions.join(", ")
        ));
    }
    let value = match t.metric_value.trim().parse::<f64>() {
        Ok(v) if v > 0.0 => Some(v),
        Ok(v) => {
            p.push(format!("the filter publishes {v} per event, which never raises the metric"));
            None
        }
        Err(_) => {
            p.push(format!(
                "the filter's metric value '{}' is taken from the event, so one event may not breach",
                t.metric_value
            ));
            None
        }
    };
    if let Some(v) = value {
        // The statistic's value over a period holding exactly one matching event.
        let s = match (a.extended_statistic.as_deref(), a.statistic.as_deref()) {
            (None, Some("SampleCount")) => 1.0,
            _ => v,
        };
        match (a.comparison_operator.as_deref(), a.threshold) {
            (_, None) => p.push("the alarm has no threshold".into()),
            (Some("GreaterThanOrEqualToThreshold"), Some(th)) if s >= th => {}
            (Some("GreaterThanThreshold"), Some(th)) if s > th => {}
            (Some(op @ ("GreaterThanOrEqualToThreshold" | "GreaterThanThreshold")), Some(th)) => {
                p.push(format!("one event gives {s}, which does not satisfy {op} {th}"))
            }
            (op, _) => p.push(format!("comparison {} does not alarm when events occur", op.unwrap_or("(none)"))),
        }
    }
    let needed = a.datapoints_to_alarm.or(a.evaluation_periods).unwrap_or(1);
    if needed > 1 {
        p.push(format!("it needs {needed} breaching periods, so a single event does not alarm"));
    }
    p.extend(once_only(a, t));
    p
}

/// Why the alarm, once in ALARM, would never notify on a later event; empty when it returns to
/// OK or INSUFFICIENT_DATA between events. Alarm actions run only on a transition into ALARM and
/// "are not performed again if the condition persists" (CloudWatch User Guide, "Alarm
/// actions"); how it leaves ALARM depends on what the metric holds between events (the filter's
/// default value, else nothing) and on `TreatMissingData` ("Configuring how CloudWatch alarms
/// treat missing data": `breaching` counts a missing point as breaching, `ignore` keeps the
/// current state, `missing` and `notBreaching` let it leave ALARM).
pub(crate) fn once_only(a: &MetricAlarm, t: &MetricTransformation) -> Vec<String> {
    let mut p = Vec::new();
    const NEVER_AGAIN: &str = "alarm actions run only on a transition into ALARM, so no later event notifies";
    match (t.default_value, a.treat_missing_data.as_deref()) {
        (None, Some("breaching")) => p.push(format!(
            "it treats missing data as breaching and the filter publishes nothing between events (no default value), so it stays in ALARM: {NEVER_AGAIN}"
        )),
        (None, Some("ignore")) => p.push(format!(
            "it ignores missing data and the filter publishes nothing between events (no default value), so once in ALARM it keeps that state: {NEVER_AGAIN}"
        )),
        _ => {}
    }
    if let (Some(d), Some(th)) = (t.default_value, a.threshold) {
        // A period holding only the default value (log events that do not match).
        let quiet = match (a.extended_statistic.as_deref(), a.statistic.as_deref()) {
            (None, Some("SampleCount")) => 1.0,
            _ => d,
        };
        let breaching = match a.comparison_operator.as_deref() {
            Some("GreaterThanOrEqualToThreshold") => quiet >= th,
            Some("GreaterThanThreshold") => quiet > th,
            _ => false,
        };
        if breaching {
            p.push(format!(
                "a period without a matching event gives {quiet} (the filter's default value is {d}), which already breaches the threshold {th}, so it stays in ALARM: {NEVER_AGAIN}"
            ));
        }
    }
    p
}

/// The alarm the benchmark's remediation puts on `t`'s metric.
pub(crate) fn fix(t: &MetricTransformation, region: &str) -> Hint {
    Hint::new(
        region,
        [cw::PutMetricAlarm {
            alarm_name: cis::alarm_name(&t.metric_name),
            metric_name: t.metric_name.clone(),
            metric_namespace: t.metric_namespace.clone(),
            topic_arn: "<sns-topic-arn>".into(),
        }
        .into()],
    )
}

/// The SNS topics among an alarm's actions.
pub(crate) fn topics(a: &MetricAlarm) -> Vec<&String> {
    a.alarm_actions.iter().filter(|x| Arn::parse(x).is_some_and(|p| p.service == "sns")).collect()
}

/// Every chain through the alarms on metric `t` of the log group in (`g_acct`, `g_region`).
pub(crate) fn chains<'a>(
    ctx: &Context<'a>,
    chain: &Chain<'a>,
    t: &MetricTransformation,
    g_acct: &str,
    g_region: &str,
    out: &mut Vec<Chain<'a>>,
) {
    let mut chain = chain.clone();
    chain.refs.metric =
        Some((g_acct.to_string(), g_region.to_string(), t.metric_namespace.clone(), t.metric_name.clone()));
    let chain = &chain;
    let metric = format!("{}/{}", t.metric_namespace, t.metric_name);
    let remediation = fix(t, g_region).render();
    let error = |message: String, evidence: Vec<Evidence>| {
        Link::new(Subject::Alarm, State::Error, None, message, evidence, None).node(
            LinkKind::Alarm,
            LinkState::Unreadable,
            format!("alarms on {metric} unreadable"),
            None,
        )
    };
    let alarms = match ctx.alarms_for(g_acct, g_region, &t.metric_namespace, &t.metric_name).map(|m| &m.alarms) {
        None => {
            return out.push(chain.with(error(format!("alarms on {metric} in {g_region} were not collected"), vec![])))
        }
        Some(Collected::Error(e)) => {
            return out.push(chain.with(error(e.to_string(), vec![Evidence::info("alarm.metric", metric.clone())])))
        }
        Some(Collected::Ok(a)) => a,
    };
    let matching: Vec<&MetricAlarm> = alarms
        .iter()
        .filter(|a| {
            a.metric_name.as_deref() == Some(t.metric_name.as_str())
                && a.namespace.as_deref() == Some(t.metric_namespace.as_str())
        })
        .collect();
    if matching.is_empty() {
        out.push(
            chain.with(
                Link::new(
                    Subject::Alarm,
                    State::Fail,
                    None,
                    format!("no alarm on metric {metric} in {g_region}"),
                    vec![Evidence::bad("alarm.metric", metric.clone())],
                    Some(remediation),
                )
                .node(LinkKind::Alarm, LinkState::Broken, format!("no alarm on {metric}"), None),
            ),
        );
        return;
    }
    for a in matching {
        let mut problems = problems(a, t);
        let mut evidence = vec![
            Evidence::info("alarm.name", a.name.clone()),
            Evidence::info("alarm.metric", metric.clone()),
            Evidence::new("alarm.actions_enabled", a.actions_enabled, Some(a.actions_enabled)),
            Evidence::info(
                "alarm.condition",
                format!(
                    "{} {} {} for {} of {} period(s) of {}s",
                    a.extended_statistic.clone().or(a.statistic.clone()).unwrap_or_default(),
                    a.comparison_operator.clone().unwrap_or_default(),
                    a.threshold.map(|x| x.to_string()).unwrap_or_default(),
                    a.datapoints_to_alarm.or(a.evaluation_periods).unwrap_or(1),
                    a.evaluation_periods.unwrap_or(1),
                    a.period.unwrap_or_default()
                ),
            ),
            Evidence::info("alarm.alarm_actions", serde_json::json!(a.alarm_actions)),
            Evidence::info(
                "alarm.between_events",
                format!(
                    "TreatMissingData {}; the filter's default value {}",
                    a.treat_missing_data.as_deref().unwrap_or("missing"),
                    t.default_value.map(|d| d.to_string()).unwrap_or_else(|| "none (nothing published)".into())
                ),
            ),
        ];
        let topics = topics(a);
        if topics.is_empty() {
            problems.push("no alarm action is an SNS topic".into());
        }
        let resource = a.arn.clone().or(Some(a.name.clone()));
        if !problems.is_empty() {
            evidence.push(Evidence::bad("alarm.problems", serde_json::json!(problems)));
            out.push(
                chain.with(
                    Link::new(
                        Subject::Alarm,
                        State::Fail,
                        resource.clone(),
                        format!("alarm {}: {}", a.name, problems.join("; ")),
                        evidence,
                        Some(remediation.clone()),
                    )
                    .node(LinkKind::Alarm, LinkState::Broken, a.name.clone(), resource),
                ),
            );
            continue;
        }
        let mut chain = chain.clone();
        chain.refs.alarm = Some((g_acct.to_string(), g_region.to_string(), a.name.clone()));
        for topic_arn in topics {
            sns_subscription::chains(ctx, &chain, a, topic_arn, &evidence, &resource, &remediation, out);
        }
    }
}
