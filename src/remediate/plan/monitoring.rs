//! Planning the monitoring family (4.x) on the trail's log group: a covering metric filter (an
//! existing one, or the benchmark's text), a working alarm on its metric (an existing one, or the
//! CIS alarm), a topic, and a confirmed subscriber.

use super::topic::subscribe;
use super::{topic_arn, Facts, Inputs, Plan, TrailTarget};
use crate::actions::{cloudwatch as cw, logs as lg, sns as sn};
use crate::catalog::{cis, Control};
use crate::checks::monitoring::{alarm, delivery, metric_filter};
use crate::checks::Context;
use crate::inventory::{
    AccountInventory, Arn, Collected, MetricAlarm, MetricFilter, MetricTransformation, Subscription,
};

/// The metric transformation a filter of ours publishes.
fn our_transformation(metric: &str, ns: &str) -> MetricTransformation {
    MetricTransformation {
        metric_name: metric.into(),
        metric_namespace: ns.into(),
        metric_value: cis::METRIC_VALUE.into(),
        default_value: None,
        dimensions: vec![],
    }
}

/// A filter exactly as we would put it.
fn same_filter(f: &MetricFilter, pattern: &str, metric: &str, ns: &str) -> bool {
    f.pattern.split_whitespace().eq(pattern.split_whitespace())
        && f.transformations.len() == 1
        && f.transformations[0] == our_transformation(metric, ns)
}

/// An alarm exactly as we would create it.
fn same_alarm(a: &MetricAlarm, metric: &str, ns: &str, topic: &str) -> bool {
    let d = cis::ALARM;
    a.metric_name.as_deref() == Some(metric)
        && a.namespace.as_deref() == Some(ns)
        && a.statistic.as_deref() == Some(d.statistic)
        && a.extended_statistic.is_none()
        && a.period == Some(d.period)
        && a.threshold == Some(d.threshold)
        && a.comparison_operator.as_deref() == Some(d.comparison)
        && a.evaluation_periods == Some(d.evaluation_periods)
        && a.datapoints_to_alarm.unwrap_or(1) == 1
        && a.dimensions.is_empty()
        && a.actions_enabled
        && a.alarm_actions == [topic.to_string()]
}

#[allow(clippy::too_many_arguments)]
pub(super) fn plan(
    plan: &mut Plan,
    ctx: &Context,
    acct: &AccountInventory,
    inputs: &Inputs,
    f: &Facts,
    t: &TrailTarget,
    c: &Control,
    group_step: Option<usize>,
) {
    let a = acct.account_id.as_str();
    let r = t.log_group_region.as_str();
    let id = c.id.as_str();
    let ids = [c.id.clone()];
    if t.log_group_account != a {
        plan.note(format!(
            "{id}: trail {} delivers to log group {} in account {}, which is not being remediated; add the filter and alarm there",
            t.name, t.log_group, t.log_group_account
        ));
        return;
    }
    if !f.errors.is_empty() {
        plan.note(format!("{id}: not planned, facts could not be read: {}", f.errors.join("; ")));
        return;
    }
    let Some(variant) = &c.variant else {
        plan.note(format!("{id}: no filter pattern for CIS v{} in checks/ data", inputs.benchmark));
        return;
    };
    let ns = inputs.metric_namespace.as_str();
    let pattern = variant.patterns.first().cloned().unwrap_or_default();
    let base = c.def.metric();

    // 1. The metric: an existing covering filter's, or a new filter of ours.
    let usable = |tr: &MetricTransformation| {
        tr.dimensions.is_empty() && tr.metric_value.trim().parse::<f64>().is_ok_and(|v| v > 0.0)
    };
    let existing = f.filters.iter().find_map(|fl| {
        let tr = fl.transformations.iter().find(|tr| usable(tr))?;
        metric_filter::covers(ctx, variant, &fl.pattern).then(|| tr.clone())
    });
    let (metric, filter_step) = match existing {
        Some(tr) => (tr, None),
        None => {
            let free = [base.clone(), format!("{base}-cis")].into_iter().find(|cand| {
                !f.filters.iter().any(|fl| {
                    (fl.name == *cand && !same_filter(fl, &pattern, cand, ns))
                        || (fl.name != *cand
                            && fl.transformations.iter().any(|tr| tr.metric_name == *cand && tr.metric_namespace == ns))
                })
            });
            let Some(name) = free else {
                plan.note(format!(
                    "{id}: metric filters {base} and {base}-cis on {} exist with other definitions; left untouched, so no filter is added (choose another name by hand)",
                    t.log_group
                ));
                return;
            };
            if name != base {
                plan.note(format!(
                    "{id}: metric filter {base} on {} exists with another definition and is left untouched; using {name}",
                    t.log_group
                ));
            }
            let step = (!f.filters.iter().any(|fl| fl.name == name)).then(|| {
                let put = lg::PutMetricFilter {
                    log_group: t.log_group.clone(),
                    filter_name: name.clone(),
                    pattern: pattern.clone(),
                    metric_name: name.clone(),
                    metric_namespace: ns.into(),
                };
                plan.add(a, r, &ids, put, &[group_step], None)
            });
            (our_transformation(&name, ns), step)
        }
    };

    // 2. The alarm: a working one on that metric (its topic is then the one to subscribe to),
    //    or a new one notifying our topic (or an existing topic someone already receives).
    let named_topic = topic_arn(&acct.partition, r, a, &inputs.topic_name);
    let confirmed_topic = (inputs.reuse_confirmed_topic && !f.topic_exists)
        .then(|| {
            ctx.inv.topics.iter().find(|t| {
                Arn::parse(&t.arn).is_some_and(|x| x.region == r && x.account == a)
                    && matches!(&t.subscriptions, Collected::Ok(s) if s.iter().any(Subscription::is_confirmed))
            })
        })
        .flatten();
    let topic_reused = confirmed_topic.is_some();
    let our_topic = confirmed_topic.map(|t| t.arn.clone()).unwrap_or(named_topic);
    let on_metric = |al: &&MetricAlarm| {
        al.metric_name.as_deref() == Some(metric.metric_name.as_str())
            && al.namespace.as_deref() == Some(metric.metric_namespace.as_str())
    };
    let working =
        f.alarms.iter().filter(on_metric).filter(|al| alarm::problems(al, &metric).is_empty()).find_map(|al| {
            let topics = alarm::topics(al);
            topics.iter().find(|x| ***x == our_topic).or(topics.first()).map(|x| x.to_string())
        });
    let mut topic_step = None;
    let topic = match working {
        Some(tp) => tp,
        None => {
            let alarm_base = cis::alarm_name(&metric.metric_name);
            let free = [alarm_base.clone(), format!("{alarm_base}-cis")].into_iter().find(|cand| {
                f.alarms.iter().all(|al| {
                    al.name != *cand || same_alarm(al, &metric.metric_name, &metric.metric_namespace, &our_topic)
                })
            });
            let Some(alarm_name) = free else {
                plan.note(format!(
                    "{id}: alarms {alarm_base} and {alarm_base}-cis exist with other definitions; left untouched, so no alarm is added"
                ));
                return;
            };
            if alarm_name != alarm_base {
                plan.note(format!(
                    "{id}: alarm {alarm_base} exists with another definition and is left untouched; using {alarm_name}"
                ));
            }
            if !f.topic_exists && !topic_reused {
                let create = sn::CreateTopic { name: inputs.topic_name.clone(), topic_arn: our_topic.clone() };
                topic_step = Some(plan.add(a, r, &ids, create, &[], None));
            }
            if !f.alarms.iter().any(|al| al.name == alarm_name) {
                let put = cw::PutMetricAlarm {
                    alarm_name,
                    metric_name: metric.metric_name.clone(),
                    metric_namespace: metric.metric_namespace.clone(),
                    topic_arn: our_topic.clone(),
                };
                plan.add(a, r, &ids, put, &[filter_step, topic_step], None);
            }
            our_topic.clone()
        }
    };

    // The alarm must be able to publish: a key CloudWatch can use, no Deny.
    let read = ctx.topic(&topic).or_else(|| acct.remediation.as_ref()?.topics.iter().find(|x| x.arn == topic));
    if let Some(tp) = read {
        let p = delivery::Publisher { service: delivery::CLOUDWATCH, source_arn: None, source_account: a };
        let d = delivery::assess(ctx, tp, &p, false);
        let tr = Arn::parse(&topic).map(|x| x.region.to_string()).unwrap_or_else(|| r.to_string());
        super::topic::delivery_steps(plan, a, &tr, &ids, &topic, &d, "CloudWatch");
    }

    // 3. Someone must receive the alarm: a confirmed subscription on the topic.
    let subs: &[Subscription] = if topic == our_topic && !topic_reused {
        f.topic_subscriptions
    } else {
        match ctx.topic(&topic).map(|x| &x.subscriptions) {
            Some(Collected::Ok(s)) => s,
            _ => &[],
        }
    };
    subscribe(plan, inputs, a, r, &ids, &topic, subs, topic_step);
}
