//! Applying a plan through the SDK (the same [`Session`]s and [`Runtime`] as the audit, one
//! client per region), journaled step by step.
//!
//! Every action touches one resource. Before it runs, the resource's state is observed (the
//! part of it the action is about: [`observe`]); the action's inverse is computed from that
//! state; the intent, the state and the inverse are written to the journal; then the call is
//! made, the state observed again and the result written. Rollback compares the state it finds
//! with the state recorded after the action, and refuses when they differ.

use super::journal::{EntryState, Journal};
use super::plan::{AccountFacts, Action, Inputs, RawSelectors};
use crate::aws::{classify, Runtime, Session};
use crate::inventory::{Collected, Inventory, MetricAlarm};
use serde_json::{json, Value};

pub struct Ctx<'a> {
    pub sessions: &'a [Session],
    pub rt: &'a Runtime,
}

impl Ctx<'_> {
    pub fn session(&self, account: &str) -> Result<&Session, String> {
        self.sessions.iter().find(|s| s.account_id == account).ok_or_else(|| {
            format!("no credentials for account {account}: pass the --role-arn (or --profile) that reaches it")
        })
    }
}

fn err<E, R>(op: &str, e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (code, msg) = classify(e);
    if msg.is_empty() {
        format!("{op}: {code}")
    } else {
        format!("{op}: {code}: {msg}")
    }
}

fn code_of<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    classify(e).0
}

fn not_found(code: &str) -> bool {
    matches!(
        code,
        "ResourceNotFoundException"
            | "NotFound"
            | "NotFoundException"
            | "TrailNotFoundException"
            | "NoSuchConfigurationRecorderException"
            | "NoSuchDeliveryChannelException"
    )
}

// ---------------------------------------------------------------------------------------------
// Facts for planning
// ---------------------------------------------------------------------------------------------

/// Reads what the plan needs beyond the inventory, for each account: the monitoring log group
/// (exists? its filters), every metric alarm in its region, our topic, and the live selectors
/// of the trail the plan would change.
pub async fn facts(
    ctx: &Ctx<'_>,
    inv: &Inventory,
    inputs: &Inputs,
    monitoring: bool,
    trail: bool,
) -> Vec<AccountFacts> {
    let mut out = Vec::new();
    for acct in &inv.accounts {
        let Ok(s) = ctx.session(&acct.account_id) else { continue };
        let t = super::plan::trail_target(acct, inv, inputs);
        let mut f = AccountFacts {
            account: acct.account_id.clone(),
            region: t.log_group_region.clone(),
            log_group: t.log_group.clone(),
            topic_arn: super::plan::topic_arn(
                &acct.partition,
                &t.log_group_region,
                &acct.account_id,
                &inputs.topic_name,
            ),
            ..Default::default()
        };
        if (monitoring || trail) && t.log_group_account == acct.account_id {
            match log_group_exists(ctx, s, &t.log_group_region, &t.log_group).await {
                Ok(x) => f.log_group_exists = x,
                Err(e) => f.errors.push(e),
            }
        }
        if monitoring && t.log_group_account == acct.account_id {
            let lg =
                crate::inventory::logs::metric_filters(s, ctx.rt, &acct.account_id, &t.log_group_region, &t.log_group)
                    .await;
            match lg.metric_filters {
                Collected::Ok(x) => f.filters = x,
                Collected::Error(e) if not_found(&e.code) => {}
                Collected::Error(e) => f.errors.push(e.to_string()),
            }
            match all_alarms(ctx, s, &t.log_group_region).await {
                Ok(x) => f.alarms = x,
                Err(e) => f.errors.push(e),
            }
            let topic = crate::inventory::sns::topic(s, ctx.rt, &f.topic_arn, &t.log_group_region).await;
            match topic.subscriptions {
                Collected::Ok(x) => {
                    f.topic_exists = true;
                    f.topic_subscriptions = x;
                }
                Collected::Error(e) if not_found(&e.code) => {}
                Collected::Error(e) => f.errors.push(e.to_string()),
            }
        }
        if trail || monitoring {
            if let Some(tr) = &t.existing {
                match trail_selectors(ctx, s, &tr.home_region, &tr.name).await {
                    Ok(x) => f.trail_selectors = Some(x),
                    Err(e) => f.errors.push(e),
                }
            }
        }
        out.push(f);
    }
    out
}

async fn log_group_exists(ctx: &Ctx<'_>, s: &Session, region: &str, name: &str) -> Result<bool, String> {
    let c = aws_sdk_cloudwatchlogs::Client::new(&s.region_config(region));
    let mut token: Option<String> = None;
    loop {
        let out = ctx
            .rt
            .call(
                "logs:DescribeLogGroups",
                c.describe_log_groups().log_group_name_prefix(name).set_next_token(token.clone()).send(),
            )
            .await
            .map_err(|e| err("logs:DescribeLogGroups", &e))?;
        if out.log_groups().iter().any(|g| g.log_group_name() == Some(name)) {
            return Ok(true);
        }
        match crate::aws::next_page(out.next_token(), &token) {
            Some(t) => token = Some(t),
            None => return Ok(false),
        }
    }
}

/// An alarm's definition, without its state (which changes by itself and is no edit of ours).
fn to_alarm(a: &aws_sdk_cloudwatch::types::MetricAlarm) -> MetricAlarm {
    MetricAlarm { state: None, ..crate::inventory::cloudwatch::to_alarm(a) }
}

async fn all_alarms(ctx: &Ctx<'_>, s: &Session, region: &str) -> Result<Vec<MetricAlarm>, String> {
    let c = aws_sdk_cloudwatch::Client::new(&s.region_config(region));
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ctx
            .rt
            .call("cloudwatch:DescribeAlarms", c.describe_alarms().set_next_token(token.clone()).send())
            .await
            .map_err(|e| err("cloudwatch:DescribeAlarms", &e))?;
        out.extend(page.metric_alarms().iter().map(to_alarm));
        match crate::aws::next_page(page.next_token(), &token) {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Event selectors: AWS CLI JSON shape <-> SDK types
// ---------------------------------------------------------------------------------------------

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(|x| x.as_array())
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

async fn trail_selectors(ctx: &Ctx<'_>, s: &Session, region: &str, name: &str) -> Result<RawSelectors, String> {
    let c = aws_sdk_cloudtrail::Client::new(&s.region_config(region));
    let o = ctx
        .rt
        .call("cloudtrail:GetEventSelectors", c.get_event_selectors().trail_name(name).send())
        .await
        .map_err(|e| err("cloudtrail:GetEventSelectors", &e))?;
    let mut raw = RawSelectors::default();
    for e in o.event_selectors() {
        let mut v = serde_json::Map::new();
        if let Some(r) = e.read_write_type() {
            v.insert("ReadWriteType".into(), r.as_str().into());
        }
        if let Some(m) = e.include_management_events() {
            v.insert("IncludeManagementEvents".into(), m.into());
        }
        if !e.data_resources().is_empty() {
            v.insert(
                "DataResources".into(),
                e.data_resources().iter().map(|d| json!({"Type": d.r#type(), "Values": d.values()})).collect(),
            );
        }
        if !e.exclude_management_event_sources().is_empty() {
            v.insert("ExcludeManagementEventSources".into(), json!(e.exclude_management_event_sources()));
        }
        raw.event_selectors.push(Value::Object(v));
    }
    for a in o.advanced_event_selectors() {
        let fields: Vec<Value> = a
            .field_selectors()
            .iter()
            .map(|f| {
                let mut v = serde_json::Map::new();
                v.insert("Field".into(), f.field().into());
                for (k, x) in [
                    ("Equals", f.equals()),
                    ("StartsWith", f.starts_with()),
                    ("EndsWith", f.ends_with()),
                    ("NotEquals", f.not_equals()),
                    ("NotStartsWith", f.not_starts_with()),
                    ("NotEndsWith", f.not_ends_with()),
                ] {
                    if !x.is_empty() {
                        v.insert(k.into(), json!(x));
                    }
                }
                Value::Object(v)
            })
            .collect();
        let mut v = serde_json::Map::new();
        if let Some(n) = a.name() {
            v.insert("Name".into(), n.into());
        }
        v.insert("FieldSelectors".into(), fields.into());
        raw.advanced_event_selectors.push(Value::Object(v));
    }
    Ok(raw)
}

fn sdk_event_selectors(
    raw: &RawSelectors,
) -> Result<
    (Vec<aws_sdk_cloudtrail::types::EventSelector>, Vec<aws_sdk_cloudtrail::types::AdvancedEventSelector>),
    String,
> {
    use aws_sdk_cloudtrail::types::*;
    let classic = raw
        .event_selectors
        .iter()
        .map(|v| {
            let mut b = EventSelector::builder();
            if let Some(r) = v.get("ReadWriteType").and_then(|x| x.as_str()) {
                b = b.read_write_type(ReadWriteType::from(r));
            }
            if let Some(m) = v.get("IncludeManagementEvents").and_then(|x| x.as_bool()) {
                b = b.include_management_events(m);
            }
            for d in v.get("DataResources").and_then(|x| x.as_array()).into_iter().flatten() {
                b = b.data_resources(
                    DataResource::builder()
                        .set_type(d.get("Type").and_then(|x| x.as_str()).map(str::to_string))
                        .set_values(Some(strings(d, "Values")))
                        .build(),
                );
            }
            b = b.set_exclude_management_event_sources(
                Some(strings(v, "ExcludeManagementEventSources")).filter(|x| !x.is_empty()),
            );
            b.build()
        })
        .collect();
    let mut advanced = Vec::new();
    for v in &raw.advanced_event_selectors {
        let mut b =
            AdvancedEventSelector::builder().set_name(v.get("Name").and_then(|x| x.as_str()).map(str::to_string));
        for f in v.get("FieldSelectors").and_then(|x| x.as_array()).into_iter().flatten() {
            let fs = AdvancedFieldSelector::builder()
                .field(f.get("Field").and_then(|x| x.as_str()).unwrap_or_default())
                .set_equals(Some(strings(f, "Equals")).filter(|x| !x.is_empty()))
                .set_starts_with(Some(strings(f, "StartsWith")).filter(|x| !x.is_empty()))
                .set_ends_with(Some(strings(f, "EndsWith")).filter(|x| !x.is_empty()))
                .set_not_equals(Some(strings(f, "NotEquals")).filter(|x| !x.is_empty()))
                .set_not_starts_with(Some(strings(f, "NotStartsWith")).filter(|x| !x.is_empty()))
                .set_not_ends_with(Some(strings(f, "NotEndsWith")).filter(|x| !x.is_empty()))
                .build()
                .map_err(|e| format!("bad field selector {f}: {e}"))?;
            b = b.field_selectors(fs);
        }
        advanced.push(b.build().map_err(|e| format!("bad advanced selector {v}: {e}"))?);
    }
    Ok((classic, advanced))
}

// ---------------------------------------------------------------------------------------------
// Observation: the part of a resource's state an action is about
// ---------------------------------------------------------------------------------------------

fn nonempty(s: Option<&str>) -> Value {
    s.filter(|x| !x.is_empty()).map(Value::from).unwrap_or(Value::Null)
}

async fn trail_state(
    ctx: &Ctx<'_>,
    s: &Session,
    region: &str,
    name: &str,
    want_selectors: bool,
) -> Result<Value, String> {
    let c = aws_sdk_cloudtrail::Client::new(&s.region_config(region));
    let out = ctx
        .rt
        .call("cloudtrail:DescribeTrails", c.describe_trails().include_shadow_trails(false).send())
        .await
        .map_err(|e| err("cloudtrail:DescribeTrails", &e))?;
    let Some(t) = out.trail_list().iter().find(|t| t.name() == Some(name)) else {
        return Ok(json!({"exists": false}));
    };
    let st = ctx
        .rt
        .call("cloudtrail:GetTrailStatus", c.get_trail_status().name(name).send())
        .await
        .map_err(|e| err("cloudtrail:GetTrailStatus", &e))?;
    let mut v = json!({
        "exists": true,
        "bucket": nonempty(t.s3_bucket_name()),
        "is_multi_region": t.is_multi_region_trail().unwrap_or(false),
        "log_group_arn": nonempty(t.cloud_watch_logs_log_group_arn()),
        "role_arn": nonempty(t.cloud_watch_logs_role_arn()),
        "is_logging": st.is_logging().unwrap_or(false),
    });
    if want_selectors {
        v["selectors"] = serde_json::to_value(trail_selectors(ctx, s, region, name).await?).unwrap();
    }
    Ok(v)
}

async fn filter_state(
    ctx: &Ctx<'_>,
    c: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    name: &str,
) -> Result<Value, String> {
    let res = ctx
        .rt
        .call(
            "logs:DescribeMetricFilters",
            c.describe_metric_filters().log_group_name(group).filter_name_prefix(name).send(),
        )
        .await;
    match res {
        Ok(o) => Ok(o
            .metric_filters()
            .iter()
            .find(|f| f.filter_name() == Some(name))
            .map(|f| {
                json!({
                    "pattern": f.filter_pattern(),
                    "metrics": f.metric_transformations().iter().map(|t| format!("{}/{}={}", t.metric_namespace(), t.metric_name(), t.metric_value())).collect::<Vec<_>>(),
                })
            })
            .unwrap_or(Value::Null)),
        Err(e) if not_found(&code_of(&e)) => Ok(Value::Null),
        Err(e) => Err(err("logs:DescribeMetricFilters", &e)),
    }
}

/// The subscriptions of a topic: None when the topic does not exist.
async fn topic_subs(
    ctx: &Ctx<'_>,
    s: &Session,
    region: &str,
    arn: &str,
) -> Result<Option<Vec<(String, String, String)>>, String> {
    let t = crate::inventory::sns::topic(s, ctx.rt, arn, region).await;
    match t.subscriptions {
        Collected::Ok(list) => {
            Ok(Some(list.into_iter().map(|x| (x.protocol, x.endpoint, x.subscription_arn)).collect()))
        }
        Collected::Error(e) if not_found(&e.code) => Ok(None),
        Collected::Error(e) => Err(e.to_string()),
    }
}

fn is_arn(s: &str) -> bool {
    crate::inventory::Arn::parse(s).is_some()
}

/// The state of the resource `action` touches, as far as `action` is concerned.
pub async fn observe(ctx: &Ctx<'_>, account: &str, region: &str, action: &Action) -> Result<Value, String> {
    let s = ctx.session(account)?;
    let cfg = s.region_config(region);
    match action {
        Action::CreateLogGroup { log_group } | Action::DeleteLogGroup { log_group } => {
            let exists = log_group_exists(ctx, s, region, log_group).await?;
            let mut filters: Vec<String> = Vec::new();
            if exists {
                let c = aws_sdk_cloudwatchlogs::Client::new(&cfg);
                let o = ctx
                    .rt
                    .call("logs:DescribeMetricFilters", c.describe_metric_filters().log_group_name(log_group).send())
                    .await
                    .map_err(|e| err("logs:DescribeMetricFilters", &e))?;
                filters = o.metric_filters().iter().filter_map(|f| f.filter_name().map(str::to_string)).collect();
                filters.sort();
            }
            Ok(json!({"exists": exists, "metric_filters": filters}))
        }
        Action::PutMetricFilter { log_group, filter_name, .. }
        | Action::DeleteMetricFilter { log_group, filter_name } => {
            let c = aws_sdk_cloudwatchlogs::Client::new(&cfg);
            Ok(json!({"filter": filter_state(ctx, &c, log_group, filter_name).await?}))
        }
        Action::CreateTopic { topic_arn, .. } | Action::DeleteTopic { topic_arn } => {
            Ok(match topic_subs(ctx, s, region, topic_arn).await? {
                None => json!({"exists": false}),
                Some(list) => {
                    let mut confirmed: Vec<String> =
                        list.iter().filter(|x| is_arn(&x.2)).map(|x| format!("{}:{}", x.0, x.1)).collect();
                    confirmed.sort();
                    json!({"exists": true, "confirmed_subscriptions": confirmed})
                }
            })
        }
        Action::Subscribe { topic_arn, protocol, endpoint } | Action::Unsubscribe { topic_arn, protocol, endpoint } => {
            let list = topic_subs(ctx, s, region, topic_arn).await?.unwrap_or_default();
            let found = list.iter().any(|x| &x.0 == protocol && &x.1 == endpoint);
            Ok(json!({"subscribed": found}))
        }
        Action::PutMetricAlarm { alarm_name, .. } | Action::DeleteAlarm { alarm_name } => {
            let c = aws_sdk_cloudwatch::Client::new(&cfg);
            let o = ctx
                .rt
                .call("cloudwatch:DescribeAlarms", c.describe_alarms().alarm_names(alarm_name).send())
                .await
                .map_err(|e| err("cloudwatch:DescribeAlarms", &e))?;
            let a = o.metric_alarms().iter().find(|a| a.alarm_name() == Some(alarm_name)).map(to_alarm);
            Ok(json!({"alarm": a.map(|a| json!({
                "metric": format!("{}/{}", a.namespace.unwrap_or_default(), a.metric_name.unwrap_or_default()),
                "statistic": a.statistic, "period": a.period, "threshold": a.threshold,
                "comparison": a.comparison_operator, "evaluation_periods": a.evaluation_periods,
                "actions_enabled": a.actions_enabled, "alarm_actions": a.alarm_actions,
            }))}))
        }
        Action::CreateTrail { name, .. } | Action::DeleteTrail { name } => {
            trail_state(ctx, s, region, name, false).await
        }
        Action::UpdateTrail { name, .. } => {
            let mut v = trail_state(ctx, s, region, name, false).await?;
            if let Some(o) = v.as_object_mut() {
                o.remove("is_logging");
                o.remove("bucket");
            }
            Ok(v)
        }
        Action::StartLogging { name } | Action::StopLogging { name } => {
            let v = trail_state(ctx, s, region, name, false).await?;
            Ok(json!({"exists": v["exists"], "is_logging": v.get("is_logging").cloned().unwrap_or(Value::Null)}))
        }
        Action::PutEventSelectors { trail, .. } => {
            let v = trail_state(ctx, s, region, trail, true).await?;
            Ok(json!({"exists": v["exists"], "selectors": v.get("selectors").cloned().unwrap_or(Value::Null)}))
        }
        Action::PutConfigurationRecorder { name, .. } | Action::DeleteConfigurationRecorder { name } => {
            let c = aws_sdk_config::Client::new(&cfg);
            let o = ctx
                .rt
                .call("config:DescribeConfigurationRecorders", c.describe_configuration_recorders().send())
                .await
                .map_err(|e| err("config:DescribeConfigurationRecorders", &e))?;
            let r = o.configuration_recorders().iter().find(|r| r.name() == Some(name)).map(|r| {
                let g = r.recording_group();
                let mut types: Vec<String> =
                    g.map(|g| g.resource_types().iter().map(|t| t.as_str().to_string()).collect()).unwrap_or_default();
                types.sort();
                json!({
                    "role_arn": r.role_arn(),
                    "all_supported": g.map(|g| g.all_supported()).unwrap_or(false),
                    "include_global": g.map(|g| g.include_global_resource_types()).unwrap_or(false),
                    "resource_types": types,
                })
            });
            Ok(json!({"recorder": r}))
        }
        Action::PutDeliveryChannel { name, .. } | Action::DeleteDeliveryChannel { name } => {
            let c = aws_sdk_config::Client::new(&cfg);
            let o = ctx
                .rt
                .call("config:DescribeDeliveryChannels", c.describe_delivery_channels().send())
                .await
                .map_err(|e| err("config:DescribeDeliveryChannels", &e))?;
            let others: Vec<String> = o
                .delivery_channels()
                .iter()
                .filter(|d| d.name() != Some(name))
                .filter_map(|d| d.name().map(str::to_string))
                .collect();
            let ch = o
                .delivery_channels()
                .iter()
                .find(|d| d.name() == Some(name))
                .map(|d| json!({"bucket": d.s3_bucket_name()}));
            Ok(json!({"channel": ch, "other_channels": others}))
        }
        Action::StartConfigurationRecorder { name } | Action::StopConfigurationRecorder { name } => {
            let c = aws_sdk_config::Client::new(&cfg);
            let o = ctx
                .rt
                .call("config:DescribeConfigurationRecorderStatus", c.describe_configuration_recorder_status().send())
                .await
                .map_err(|e| err("config:DescribeConfigurationRecorderStatus", &e))?;
            let st = o.configuration_recorders_status().iter().find(|s| s.name() == Some(name));
            Ok(json!({"exists": st.is_some(), "recording": st.is_some_and(|s| s.recording())}))
        }
    }
}

/// Before running `action` on a resource in state `before`: Ok(None) go ahead; Ok(Some(why))
/// nothing to do (already as wanted); Err(why) stop, something appeared since planning.
pub fn precheck(action: &Action, before: &Value) -> Result<Option<String>, String> {
    match action {
        Action::CreateLogGroup { log_group } if before["exists"] == true => {
            Ok(Some(format!("log group {log_group} already exists")))
        }
        Action::PutMetricFilter { filter_name, pattern, metric_name, metric_namespace, .. }
            if !before["filter"].is_null() =>
        {
            let same = before["filter"]["pattern"].as_str().map(|p| p.split_whitespace().collect::<Vec<_>>())
                == Some(pattern.split_whitespace().collect())
                && before["filter"]["metrics"] == json!([format!("{metric_namespace}/{metric_name}=1")]);
            if same {
                Ok(Some(format!("metric filter {filter_name} already exists with this definition")))
            } else {
                Err(format!(
                    "metric filter {filter_name} appeared since planning with another definition; left untouched"
                ))
            }
        }
        Action::CreateTopic { topic_arn, .. } if before["exists"] == true => {
            Ok(Some(format!("topic {topic_arn} already exists")))
        }
        Action::Subscribe { protocol, endpoint, .. } if before["subscribed"] == true => {
            Ok(Some(format!("{protocol}:{endpoint} is already subscribed")))
        }
        Action::PutMetricAlarm { alarm_name, .. } if !before["alarm"].is_null() => {
            Err(format!("alarm {alarm_name} appeared since planning; left untouched"))
        }
        Action::CreateTrail { name, .. } if before["exists"] == true => {
            Err(format!("trail {name} appeared since planning; left untouched"))
        }
        Action::UpdateTrail { name, .. } | Action::StartLogging { name } if before["exists"] == false => {
            Err(format!("trail {name} does not exist"))
        }
        Action::StartLogging { name } if before["is_logging"] == true => {
            Ok(Some(format!("trail {name} is already logging")))
        }
        Action::PutEventSelectors { trail, selectors }
            if before["selectors"] == serde_json::to_value(selectors).unwrap() =>
        {
            Ok(Some(format!("trail {trail} already has these selectors")))
        }
        Action::PutDeliveryChannel { name, bucket } if !before["channel"].is_null() => {
            if before["channel"]["bucket"] == json!(bucket) {
                Ok(Some(format!("delivery channel {name} already exists")))
            } else {
                Err(format!("delivery channel {name} appeared since planning with another bucket; left untouched"))
            }
        }
        Action::PutDeliveryChannel { .. } if before["other_channels"].as_array().is_some_and(|x| !x.is_empty()) => {
            Err(format!("the region already has delivery channel {}; left untouched", before["other_channels"][0]))
        }
        Action::StartConfigurationRecorder { name } if before["recording"] == true => {
            Ok(Some(format!("recorder {name} is already recording")))
        }
        _ => Ok(None),
    }
}

/// What undoes `action`, given the state before it. None: nothing to undo.
pub fn inverse(action: &Action, before: &Value) -> Option<Action> {
    let s = |k: &str| before[k].as_str().unwrap_or_default().to_string();
    Some(match action {
        Action::CreateLogGroup { log_group } => Action::DeleteLogGroup { log_group: log_group.clone() },
        Action::PutMetricFilter { log_group, filter_name, .. } => {
            Action::DeleteMetricFilter { log_group: log_group.clone(), filter_name: filter_name.clone() }
        }
        Action::CreateTopic { topic_arn, .. } => Action::DeleteTopic { topic_arn: topic_arn.clone() },
        Action::Subscribe { topic_arn, protocol, endpoint } => {
            Action::Unsubscribe { topic_arn: topic_arn.clone(), protocol: protocol.clone(), endpoint: endpoint.clone() }
        }
        Action::PutMetricAlarm { alarm_name, .. } => Action::DeleteAlarm { alarm_name: alarm_name.clone() },
        Action::CreateTrail { name, .. } => Action::DeleteTrail { name: name.clone() },
        Action::UpdateTrail { name, is_multi_region, log_group_arn, role_arn } => Action::UpdateTrail {
            name: name.clone(),
            is_multi_region: is_multi_region.map(|_| before["is_multi_region"].as_bool().unwrap_or(false)),
            log_group_arn: log_group_arn.as_ref().map(|_| s("log_group_arn")),
            role_arn: role_arn.as_ref().map(|_| s("role_arn")),
        },
        Action::StartLogging { name } => Action::StopLogging { name: name.clone() },
        Action::PutEventSelectors { trail, .. } => {
            let prev: RawSelectors = serde_json::from_value(before["selectors"].clone()).unwrap_or_default();
            if prev == RawSelectors::default() {
                // A trail with no selectors at all is one just created: deleting it undoes this.
                return None;
            }
            Action::PutEventSelectors { trail: trail.clone(), selectors: prev }
        }
        Action::PutConfigurationRecorder { name, .. } => match before["recorder"].as_object() {
            None => Action::DeleteConfigurationRecorder { name: name.clone() },
            Some(r) => Action::PutConfigurationRecorder {
                name: name.clone(),
                role_arn: r.get("role_arn").and_then(|x| x.as_str()).unwrap_or_default().to_string(),
                all_supported: r.get("all_supported").and_then(|x| x.as_bool()).unwrap_or(false),
                include_global: r.get("include_global").and_then(|x| x.as_bool()).unwrap_or(false),
                resource_types: r
                    .get("resource_types")
                    .and_then(|x| x.as_array())
                    .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
            },
        },
        Action::PutDeliveryChannel { name, .. } => Action::DeleteDeliveryChannel { name: name.clone() },
        Action::StartConfigurationRecorder { name } => Action::StopConfigurationRecorder { name: name.clone() },
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------------------------

/// Makes the call. Ok: a short result (an ARN, "pending confirmation" …).
pub async fn execute(ctx: &Ctx<'_>, account: &str, region: &str, action: &Action) -> Result<String, String> {
    let s = ctx.session(account)?;
    let cfg = s.region_config(region);
    let rt = ctx.rt;
    let op = action.operation();
    macro_rules! call {
        ($fut:expr) => {
            rt.call(op, $fut).await.map_err(|e| err(op, &e))?
        };
    }
    match action {
        Action::CreateLogGroup { log_group } => {
            let c = aws_sdk_cloudwatchlogs::Client::new(&cfg);
            call!(c.create_log_group().log_group_name(log_group).send());
            Ok(format!("created log group {log_group}"))
        }
        Action::DeleteLogGroup { log_group } => {
            let c = aws_sdk_cloudwatchlogs::Client::new(&cfg);
            call!(c.delete_log_group().log_group_name(log_group).send());
            Ok(format!("deleted log group {log_group}"))
        }
        Action::PutMetricFilter { log_group, filter_name, pattern, metric_name, metric_namespace } => {
            let c = aws_sdk_cloudwatchlogs::Client::new(&cfg);
            let t = aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                .metric_name(metric_name)
                .metric_namespace(metric_namespace)
                .metric_value("1")
                .build()
                .map_err(|e| e.to_string())?;
            call!(c
                .put_metric_filter()
                .log_group_name(log_group)
                .filter_name(filter_name)
                .filter_pattern(pattern)
                .metric_transformations(t)
                .send());
            Ok(format!("put metric filter {filter_name}"))
        }
        Action::DeleteMetricFilter { log_group, filter_name } => {
            let c = aws_sdk_cloudwatchlogs::Client::new(&cfg);
            call!(c.delete_metric_filter().log_group_name(log_group).filter_name(filter_name).send());
            Ok(format!("deleted metric filter {filter_name}"))
        }
        Action::CreateTopic { name, .. } => {
            let c = aws_sdk_sns::Client::new(&cfg);
            let o = call!(c.create_topic().name(name).send());
            Ok(o.topic_arn().unwrap_or_default().to_string())
        }
        Action::DeleteTopic { topic_arn } => {
            let c = aws_sdk_sns::Client::new(&cfg);
            call!(c.delete_topic().topic_arn(topic_arn).send());
            Ok(format!("deleted topic {topic_arn}"))
        }
        Action::Subscribe { topic_arn, protocol, endpoint } => {
            let c = aws_sdk_sns::Client::new(&cfg);
            let o = call!(c.subscribe().topic_arn(topic_arn).protocol(protocol).endpoint(endpoint).send());
            let arn = o.subscription_arn().unwrap_or_default();
            Ok(if is_arn(arn) { arn.to_string() } else { "pending confirmation".to_string() })
        }
        Action::Unsubscribe { topic_arn, protocol, endpoint } => {
            let list = topic_subs(ctx, s, region, topic_arn).await?.unwrap_or_default();
            let Some(sub) = list.iter().find(|x| &x.0 == protocol && &x.1 == endpoint) else {
                return Ok("no such subscription any more".into());
            };
            if !is_arn(&sub.2) {
                return Err(format!(
                    "the {protocol} subscription of {endpoint} is still pending confirmation, and AWS cannot unsubscribe a pending subscription (it lapses after 3 days, or goes with its topic)"
                ));
            }
            let c = aws_sdk_sns::Client::new(&cfg);
            call!(c.unsubscribe().subscription_arn(&sub.2).send());
            Ok(format!("unsubscribed {}", sub.2))
        }
        Action::PutMetricAlarm { alarm_name, metric_name, metric_namespace, topic_arn } => {
            use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
            let c = aws_sdk_cloudwatch::Client::new(&cfg);
            call!(c
                .put_metric_alarm()
                .alarm_name(alarm_name)
                .metric_name(metric_name)
                .namespace(metric_namespace)
                .statistic(Statistic::Sum)
                .period(300)
                .threshold(1.0)
                .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
                .evaluation_periods(1)
                .actions_enabled(true)
                .alarm_actions(topic_arn)
                .send());
            Ok(format!("put alarm {alarm_name}"))
        }
        Action::DeleteAlarm { alarm_name } => {
            let c = aws_sdk_cloudwatch::Client::new(&cfg);
            call!(c.delete_alarms().alarm_names(alarm_name).send());
            Ok(format!("deleted alarm {alarm_name}"))
        }
        Action::CreateTrail { name, bucket } => {
            let c = aws_sdk_cloudtrail::Client::new(&cfg);
            let o = call!(c
                .create_trail()
                .name(name)
                .s3_bucket_name(bucket)
                .is_multi_region_trail(true)
                .include_global_service_events(true)
                .send());
            Ok(o.trail_arn().unwrap_or_default().to_string())
        }
        Action::DeleteTrail { name } => {
            let c = aws_sdk_cloudtrail::Client::new(&cfg);
            call!(c.delete_trail().name(name).send());
            Ok(format!("deleted trail {name}"))
        }
        Action::UpdateTrail { name, is_multi_region, log_group_arn, role_arn } => {
            let c = aws_sdk_cloudtrail::Client::new(&cfg);
            call!(c
                .update_trail()
                .name(name)
                .set_is_multi_region_trail(*is_multi_region)
                .set_cloud_watch_logs_log_group_arn(log_group_arn.clone())
                .set_cloud_watch_logs_role_arn(role_arn.clone())
                .send());
            Ok(format!("updated trail {name}"))
        }
        Action::StartLogging { name } => {
            let c = aws_sdk_cloudtrail::Client::new(&cfg);
            call!(c.start_logging().name(name).send());
            Ok(format!("trail {name} is logging"))
        }
        Action::StopLogging { name } => {
            let c = aws_sdk_cloudtrail::Client::new(&cfg);
            call!(c.stop_logging().name(name).send());
            Ok(format!("trail {name} stopped logging"))
        }
        Action::PutEventSelectors { trail, selectors } => {
            let c = aws_sdk_cloudtrail::Client::new(&cfg);
            let (classic, advanced) = sdk_event_selectors(selectors)?;
            let mut req = c.put_event_selectors().trail_name(trail);
            if advanced.is_empty() {
                req = req.set_event_selectors(Some(classic));
            } else {
                req = req.set_advanced_event_selectors(Some(advanced));
            }
            call!(req.send());
            Ok(format!("put event selectors on trail {trail}"))
        }
        Action::PutConfigurationRecorder { name, role_arn, all_supported, include_global, resource_types } => {
            use aws_sdk_config::types::{ConfigurationRecorder, RecordingGroup, ResourceType};
            let c = aws_sdk_config::Client::new(&cfg);
            let mut g =
                RecordingGroup::builder().all_supported(*all_supported).include_global_resource_types(*include_global);
            if !all_supported {
                g = g.set_resource_types(Some(resource_types.iter().map(|t| ResourceType::from(t.as_str())).collect()));
            }
            let rec = ConfigurationRecorder::builder().name(name).role_arn(role_arn).recording_group(g.build()).build();
            call!(c.put_configuration_recorder().configuration_recorder(rec).send());
            Ok(format!("put configuration recorder {name}"))
        }
        Action::DeleteConfigurationRecorder { name } => {
            let c = aws_sdk_config::Client::new(&cfg);
            call!(c.delete_configuration_recorder().configuration_recorder_name(name).send());
            Ok(format!("deleted configuration recorder {name}"))
        }
        Action::PutDeliveryChannel { name, bucket } => {
            let c = aws_sdk_config::Client::new(&cfg);
            let ch = aws_sdk_config::types::DeliveryChannel::builder().name(name).s3_bucket_name(bucket).build();
            call!(c.put_delivery_channel().delivery_channel(ch).send());
            Ok(format!("put delivery channel {name}"))
        }
        Action::DeleteDeliveryChannel { name } => {
            let c = aws_sdk_config::Client::new(&cfg);
            call!(c.delete_delivery_channel().delivery_channel_name(name).send());
            Ok(format!("deleted delivery channel {name}"))
        }
        Action::StartConfigurationRecorder { name } => {
            let c = aws_sdk_config::Client::new(&cfg);
            call!(c.start_configuration_recorder().configuration_recorder_name(name).send());
            Ok(format!("recorder {name} started"))
        }
        Action::StopConfigurationRecorder { name } => {
            let c = aws_sdk_config::Client::new(&cfg);
            call!(c.stop_configuration_recorder().configuration_recorder_name(name).send());
            Ok(format!("recorder {name} stopped"))
        }
    }
}

/// Applies the journal's plan in order, stopping at the first failure. Returns whether every
/// automatic step succeeded. `report` is told about each step as it finishes.
pub async fn apply(
    ctx: &Ctx<'_>,
    j: &mut Journal,
    report: &mut dyn FnMut(&super::journal::Entry),
) -> Result<bool, String> {
    let now = crate::cli::now_rfc3339;
    j.save(now())?;
    let mut failed_at: Option<usize> = None;
    for i in 0..j.entries.len() {
        if j.entries[i].state != EntryState::Pending {
            report(&j.entries[i]);
            continue;
        }
        let step = j.plan.steps[i].clone();
        if let Some(f) = failed_at {
            j.entries[i].state = EntryState::Skipped;
            j.entries[i].message = Some(format!("not run: step {f} failed"));
            j.save(now())?;
            report(&j.entries[i]);
            continue;
        }
        if let Some(d) = step
            .depends_on
            .iter()
            .find(|d| !matches!(j.entries[**d - 1].state, EntryState::Done | EntryState::Unchanged))
        {
            j.entries[i].state = EntryState::Skipped;
            j.entries[i].message = Some(format!("not run: step {d} did not run"));
            j.save(now())?;
            report(&j.entries[i]);
            continue;
        }
        let before = match observe(ctx, &step.account, &step.region, &step.action).await {
            Ok(v) => v,
            Err(e) => {
                j.entries[i].state = EntryState::Failed;
                j.entries[i].message = Some(format!("could not read the state before the change: {e}"));
                j.save(now())?;
                report(&j.entries[i]);
                failed_at = Some(step.id);
                continue;
            }
        };
        match precheck(&step.action, &before) {
            Ok(Some(why)) => {
                let e = &mut j.entries[i];
                e.state = EntryState::Unchanged;
                e.before = Some(before);
                e.message = Some(why);
                j.save(now())?;
                report(&j.entries[i]);
                continue;
            }
            Err(why) => {
                let e = &mut j.entries[i];
                e.state = EntryState::Failed;
                e.before = Some(before);
                e.message = Some(why);
                j.save(now())?;
                report(&j.entries[i]);
                failed_at = Some(step.id);
                continue;
            }
            Ok(None) => {}
        }
        {
            let e = &mut j.entries[i];
            e.inverse = inverse(&step.action, &before);
            e.before = Some(before);
            e.state = EntryState::Started;
            e.started_at = Some(now());
        }
        j.save(now())?;
        let res = execute(ctx, &step.account, &step.region, &step.action).await;
        let after = observe(ctx, &step.account, &step.region, &step.action).await.ok();
        let e = &mut j.entries[i];
        e.after = after;
        e.finished_at = Some(now());
        match res {
            Ok(msg) => {
                e.state = EntryState::Done;
                e.message = Some(msg);
            }
            Err(msg) => {
                e.state = EntryState::Failed;
                e.message = Some(msg);
                failed_at = Some(step.id);
            }
        }
        j.save(now())?;
        report(&j.entries[i]);
    }
    j.status = if failed_at.is_some() { "failed".into() } else { "complete".into() };
    j.save(now())?;
    Ok(failed_at.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverses_restore_what_was_observed_before() {
        let before = json!({"exists": true, "is_multi_region": false, "log_group_arn": null, "role_arn": null});
        let inv = inverse(
            &Action::UpdateTrail { name: "t".into(), is_multi_region: Some(true), log_group_arn: None, role_arn: None },
            &before,
        );
        assert_eq!(
            inv,
            Some(Action::UpdateTrail {
                name: "t".into(),
                is_multi_region: Some(false),
                log_group_arn: None,
                role_arn: None
            })
        );
        let inv = inverse(
            &Action::UpdateTrail {
                name: "t".into(),
                is_multi_region: None,
                log_group_arn: Some("g".into()),
                role_arn: Some("r".into()),
            },
            &before,
        );
        assert_eq!(
            inv,
            Some(Action::UpdateTrail {
                name: "t".into(),
                is_multi_region: None,
                log_group_arn: Some(String::new()),
                role_arn: Some(String::new())
            })
        );
        let sel = RawSelectors {
            event_selectors: vec![json!({"ReadWriteType": "ReadOnly", "IncludeManagementEvents": true})],
            ..Default::default()
        };
        let inv = inverse(
            &Action::PutEventSelectors {
                trail: "t".into(),
                selectors: super::super::plan::with_management_events(&sel),
            },
            &json!({"exists": true, "selectors": sel}),
        );
        assert_eq!(inv, Some(Action::PutEventSelectors { trail: "t".into(), selectors: sel }));
        let inv = inverse(
            &Action::PutConfigurationRecorder {
                name: "default".into(),
                role_arn: "r".into(),
                all_supported: true,
                include_global: true,
                resource_types: vec![],
            },
            &json!({"recorder": null}),
        );
        assert_eq!(inv, Some(Action::DeleteConfigurationRecorder { name: "default".into() }));
    }

    #[test]
    fn precheck_never_overwrites_another_definition() {
        let a = Action::PutMetricFilter {
            log_group: "g".into(),
            filter_name: "F".into(),
            pattern: "{ $.x = 1 }".into(),
            metric_name: "F".into(),
            metric_namespace: "CISBenchmark".into(),
        };
        assert_eq!(precheck(&a, &json!({"filter": null})), Ok(None));
        assert!(precheck(&a, &json!({"filter": {"pattern": "{ $.x = 1 }", "metrics": ["CISBenchmark/F=1"]}}))
            .unwrap()
            .is_some());
        assert!(precheck(&a, &json!({"filter": {"pattern": "{ $.y = 1 }", "metrics": ["CISBenchmark/F=1"]}})).is_err());
        let al = Action::PutMetricAlarm {
            alarm_name: "A".into(),
            metric_name: "F".into(),
            metric_namespace: "N".into(),
            topic_arn: "t".into(),
        };
        assert!(precheck(&al, &json!({"alarm": {"metric": "N/Other"}})).is_err());
    }

    #[test]
    fn selectors_convert_to_the_sdk_with_data_resources() {
        let raw = RawSelectors {
            event_selectors: vec![
                json!({"ReadWriteType": "WriteOnly", "IncludeManagementEvents": false, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}),
            ],
            advanced_event_selectors: vec![],
        };
        let (c, a) = sdk_event_selectors(&raw).unwrap();
        assert!(a.is_empty());
        assert_eq!(c[0].data_resources()[0].values(), ["arn:aws:s3"]);
        assert_eq!(c[0].include_management_events(), Some(false));
    }
}
