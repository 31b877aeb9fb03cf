//! The remediation plan: a pure function of the inventory, the evaluation, the operator's inputs
//! and a few extra facts read for the purpose ([`AccountFacts`]) → an ordered list of typed
//! [`Action`]s, each printable as the AWS CLI command it is equivalent to.
//!
//! Rules: reuse before create (the qualifying or multi-region trail, its log group, a covering
//! metric filter, a working alarm, the topic and its subscriptions); one topic serves every
//! alarm (steps are deduplicated by the resource they touch); nothing that exists with another
//! definition is replaced (a `-cis` name is used instead, or the step stops with a message);
//! nothing is ever deleted. A step whose input is missing is MANUAL: shown with its command and
//! the missing value; steps that depend on it are MANUAL too, the others still apply.

use crate::catalog::{CheckKind, Control};
use crate::checks::cloudtrail::{assess_trail, management_events};
use crate::checks::metric_filter_chain::{alarm_problems, judge_pattern};
use crate::checks::Evaluation;
use crate::finding::Status;
use crate::inventory::{
    log_group_from_arn, AccountInventory, Arn, Collected, ConfigRecorder, Inventory, MetricAlarm, MetricFilter,
    MetricTransformation, Subscription, Trail,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Where alarm notifications go: `email:secops@example.com`, `https:URL`, `sms:+123`,
/// `lambda:ARN`, `sqs:ARN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notify {
    pub protocol: String,
    pub endpoint: String,
}

impl std::str::FromStr for Notify {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (p, e) = s
            .split_once(':')
            .ok_or_else(|| format!("--notify '{s}': expected PROTOCOL:ENDPOINT, e.g. email:secops@example.com"))?;
        let protocol = p.trim().to_ascii_lowercase();
        let endpoint = e.trim().to_string();
        let ok = match protocol.as_str() {
            "email" | "email-json" => endpoint.contains('@'),
            "https" | "http" => {
                // Both `https:https://host/path` and plain `https://host/path`.
                let url = if endpoint.starts_with("//") { format!("{protocol}:{endpoint}") } else { endpoint };
                return if url.starts_with(&format!("{protocol}://")) {
                    Ok(Notify { protocol, endpoint: url })
                } else {
                    Err(format!("--notify '{s}': expected {protocol}:{protocol}://host/path"))
                };
            }
            "sms" => endpoint.starts_with('+') && endpoint.len() > 1,
            "lambda" | "sqs" | "firehose" => Arn::parse(&endpoint).is_some(),
            _ => {
                return Err(format!(
                    "--notify '{s}': unknown protocol '{protocol}' (email, email-json, https, http, sms, lambda, sqs, firehose)"
                ))
            }
        };
        if ok {
            Ok(Notify { protocol, endpoint })
        } else {
            Err(format!("--notify '{s}': '{endpoint}' is not a valid {protocol} endpoint"))
        }
    }
}

/// The operator's inputs, with CIS defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inputs {
    pub benchmark: String,
    pub strict_patterns: bool,
    /// Region for account-level things: a new trail, the recorder that includes global types.
    pub home_region: String,
    pub notify: Vec<Notify>,
    pub topic_name: String,
    /// When `--topic-name` was not given and that topic does not exist, an existing topic in
    /// the region with a confirmed subscriber (one the inventory shows alarms notify) is used.
    #[serde(default)]
    pub reuse_confirmed_topic: bool,
    pub metric_namespace: String,
    pub trail_name: String,
    pub trail_bucket: Option<String>,
    pub log_group: String,
    pub cloudtrail_logs_role_arn: Option<String>,
    pub config_role_arn: Option<String>,
    pub config_bucket: Option<String>,
}

impl Inputs {
    pub fn defaults(benchmark: &str, home_region: &str) -> Inputs {
        Inputs {
            benchmark: benchmark.into(),
            strict_patterns: false,
            home_region: home_region.into(),
            notify: vec![],
            topic_name: "cis-security-alarms".into(),
            reuse_confirmed_topic: true,
            metric_namespace: "CISBenchmark".into(),
            trail_name: "cis-multi-region-trail".into(),
            trail_bucket: None,
            log_group: "cis-cloudtrail-logs".into(),
            cloudtrail_logs_role_arn: None,
            config_role_arn: None,
            config_bucket: None,
        }
    }
}

/// CloudTrail event selectors in the AWS CLI's JSON shape (`EventSelectors`,
/// `AdvancedEventSelectors`), data resources included, so nothing is lost in a round trip.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawSelectors {
    #[serde(rename = "EventSelectors", default)]
    pub event_selectors: Vec<Value>,
    #[serde(rename = "AdvancedEventSelectors", default)]
    pub advanced_event_selectors: Vec<Value>,
}

/// Facts the inventory does not hold, read just before planning, for one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountFacts {
    pub account: String,
    /// The monitoring target these facts are about: (region, log group).
    pub region: String,
    pub log_group: String,
    pub log_group_exists: bool,
    /// Every metric filter on the log group.
    pub filters: Vec<MetricFilter>,
    /// Every metric alarm in the region.
    pub alarms: Vec<MetricAlarm>,
    /// The topic `--topic-name` in the region.
    pub topic_arn: String,
    pub topic_exists: bool,
    pub topic_subscriptions: Vec<Subscription>,
    /// Live selectors of the trail the plan would change (None for a new trail).
    pub trail_selectors: Option<RawSelectors>,
    /// Facts that could not be read; the steps that need them stop with this message.
    pub errors: Vec<String>,
}

/// One typed change. Forward actions (what a plan does) and the inverses rollback runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Action {
    CreateLogGroup {
        log_group: String,
    },
    DeleteLogGroup {
        log_group: String,
    },
    PutMetricFilter {
        log_group: String,
        filter_name: String,
        pattern: String,
        metric_name: String,
        metric_namespace: String,
    },
    DeleteMetricFilter {
        log_group: String,
        filter_name: String,
    },
    CreateTopic {
        name: String,
        topic_arn: String,
    },
    DeleteTopic {
        topic_arn: String,
    },
    Subscribe {
        topic_arn: String,
        protocol: String,
        endpoint: String,
    },
    Unsubscribe {
        topic_arn: String,
        protocol: String,
        endpoint: String,
    },
    PutMetricAlarm {
        alarm_name: String,
        metric_name: String,
        metric_namespace: String,
        topic_arn: String,
    },
    DeleteAlarm {
        alarm_name: String,
    },
    CreateTrail {
        name: String,
        bucket: String,
    },
    DeleteTrail {
        name: String,
    },
    /// Fields left None are not touched; `Some("")` clears a CloudWatch Logs setting.
    UpdateTrail {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        is_multi_region: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        log_group_arn: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role_arn: Option<String>,
    },
    StartLogging {
        name: String,
    },
    StopLogging {
        name: String,
    },
    PutEventSelectors {
        trail: String,
        selectors: RawSelectors,
    },
    PutConfigurationRecorder {
        name: String,
        role_arn: String,
        all_supported: bool,
        include_global: bool,
        resource_types: Vec<String>,
    },
    DeleteConfigurationRecorder {
        name: String,
    },
    PutDeliveryChannel {
        name: String,
        bucket: String,
    },
    DeleteDeliveryChannel {
        name: String,
    },
    StartConfigurationRecorder {
        name: String,
    },
    StopConfigurationRecorder {
        name: String,
    },
}

impl Action {
    /// The AWS operation, `service:Operation`.
    pub fn operation(&self) -> &'static str {
        match self {
            Action::CreateLogGroup { .. } => "logs:CreateLogGroup",
            Action::DeleteLogGroup { .. } => "logs:DeleteLogGroup",
            Action::PutMetricFilter { .. } => "logs:PutMetricFilter",
            Action::DeleteMetricFilter { .. } => "logs:DeleteMetricFilter",
            Action::CreateTopic { .. } => "sns:CreateTopic",
            Action::DeleteTopic { .. } => "sns:DeleteTopic",
            Action::Subscribe { .. } => "sns:Subscribe",
            Action::Unsubscribe { .. } => "sns:Unsubscribe",
            Action::PutMetricAlarm { .. } => "cloudwatch:PutMetricAlarm",
            Action::DeleteAlarm { .. } => "cloudwatch:DeleteAlarms",
            Action::CreateTrail { .. } => "cloudtrail:CreateTrail",
            Action::DeleteTrail { .. } => "cloudtrail:DeleteTrail",
            Action::UpdateTrail { .. } => "cloudtrail:UpdateTrail",
            Action::StartLogging { .. } => "cloudtrail:StartLogging",
            Action::StopLogging { .. } => "cloudtrail:StopLogging",
            Action::PutEventSelectors { .. } => "cloudtrail:PutEventSelectors",
            Action::PutConfigurationRecorder { .. } => "config:PutConfigurationRecorder",
            Action::DeleteConfigurationRecorder { .. } => "config:DeleteConfigurationRecorder",
            Action::PutDeliveryChannel { .. } => "config:PutDeliveryChannel",
            Action::DeleteDeliveryChannel { .. } => "config:DeleteDeliveryChannel",
            Action::StartConfigurationRecorder { .. } => "config:StartConfigurationRecorder",
            Action::StopConfigurationRecorder { .. } => "config:StopConfigurationRecorder",
        }
    }

    /// The resource this action touches, for deduplication and messages.
    pub fn resource(&self) -> String {
        match self {
            Action::CreateLogGroup { log_group } | Action::DeleteLogGroup { log_group } => {
                format!("log group {log_group}")
            }
            Action::PutMetricFilter { log_group, filter_name, .. }
            | Action::DeleteMetricFilter { log_group, filter_name } => {
                format!("metric filter {filter_name} on {log_group}")
            }
            Action::CreateTopic { topic_arn, .. } | Action::DeleteTopic { topic_arn } => format!("topic {topic_arn}"),
            Action::Subscribe { topic_arn, protocol, endpoint }
            | Action::Unsubscribe { topic_arn, protocol, endpoint } => {
                format!("subscription {protocol}:{endpoint} to {topic_arn}")
            }
            Action::PutMetricAlarm { alarm_name, .. } | Action::DeleteAlarm { alarm_name } => {
                format!("alarm {alarm_name}")
            }
            Action::CreateTrail { name, .. }
            | Action::DeleteTrail { name }
            | Action::UpdateTrail { name, .. }
            | Action::StartLogging { name }
            | Action::StopLogging { name } => format!("trail {name}"),
            Action::PutEventSelectors { trail, .. } => format!("trail {trail}"),
            Action::PutConfigurationRecorder { name, .. }
            | Action::DeleteConfigurationRecorder { name }
            | Action::StartConfigurationRecorder { name }
            | Action::StopConfigurationRecorder { name } => format!("configuration recorder {name}"),
            Action::PutDeliveryChannel { name, .. } | Action::DeleteDeliveryChannel { name } => {
                format!("delivery channel {name}")
            }
        }
    }

    /// The equivalent AWS CLI command.
    pub fn cli(&self, region: &str) -> String {
        let r = format!("--region {region}");
        let q = shell_quote;
        match self {
            Action::CreateLogGroup { log_group } => format!("aws logs create-log-group {r} --log-group-name {}", q(log_group)),
            Action::DeleteLogGroup { log_group } => format!("aws logs delete-log-group {r} --log-group-name {}", q(log_group)),
            Action::PutMetricFilter { log_group, filter_name, pattern, metric_name, metric_namespace } => format!(
                "aws logs put-metric-filter {r} --log-group-name {} --filter-name {} --metric-transformations {} --filter-pattern {}",
                q(log_group),
                q(filter_name),
                q(&format!("metricName={metric_name},metricNamespace={metric_namespace},metricValue=1")),
                q(pattern)
            ),
            Action::DeleteMetricFilter { log_group, filter_name } => format!(
                "aws logs delete-metric-filter {r} --log-group-name {} --filter-name {}",
                q(log_group),
                q(filter_name)
            ),
            Action::CreateTopic { name, .. } => format!("aws sns create-topic {r} --name {}", q(name)),
            Action::DeleteTopic { topic_arn } => format!("aws sns delete-topic {r} --topic-arn {}", q(topic_arn)),
            Action::Subscribe { topic_arn, protocol, endpoint } => format!(
                "aws sns subscribe {r} --topic-arn {} --protocol {} --notification-endpoint {}",
                q(topic_arn),
                q(protocol),
                q(endpoint)
            ),
            Action::Unsubscribe { topic_arn, protocol, endpoint } => format!(
                "aws sns unsubscribe {r} --subscription-arn <arn of {protocol}:{endpoint} on {topic_arn}>"
            ),
            Action::PutMetricAlarm { alarm_name, metric_name, metric_namespace, topic_arn } => format!(
                "aws cloudwatch put-metric-alarm {r} --alarm-name {} --metric-name {} --namespace {} --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions {}",
                q(alarm_name),
                q(metric_name),
                q(metric_namespace),
                q(topic_arn)
            ),
            Action::DeleteAlarm { alarm_name } => format!("aws cloudwatch delete-alarms {r} --alarm-names {}", q(alarm_name)),
            Action::CreateTrail { name, bucket } => format!(
                "aws cloudtrail create-trail {r} --name {} --s3-bucket-name {} --is-multi-region-trail --include-global-service-events",
                q(name),
                q(bucket)
            ),
            Action::DeleteTrail { name } => format!("aws cloudtrail delete-trail {r} --name {}", q(name)),
            Action::UpdateTrail { name, is_multi_region, log_group_arn, role_arn } => {
                let mut s = format!("aws cloudtrail update-trail {r} --name {}", q(name));
                match is_multi_region {
                    Some(true) => s.push_str(" --is-multi-region-trail"),
                    Some(false) => s.push_str(" --no-is-multi-region-trail"),
                    None => {}
                }
                if let Some(g) = log_group_arn {
                    s.push_str(&format!(" --cloud-watch-logs-log-group-arn {}", q(g)));
                }
                if let Some(x) = role_arn {
                    s.push_str(&format!(" --cloud-watch-logs-role-arn {}", q(x)));
                }
                s
            }
            Action::StartLogging { name } => format!("aws cloudtrail start-logging {r} --name {}", q(name)),
            Action::StopLogging { name } => format!("aws cloudtrail stop-logging {r} --name {}", q(name)),
            Action::PutEventSelectors { trail, selectors } => {
                if selectors.advanced_event_selectors.is_empty() {
                    format!(
                        "aws cloudtrail put-event-selectors {r} --trail-name {} --event-selectors {}",
                        q(trail),
                        q(&Value::from(selectors.event_selectors.clone()).to_string())
                    )
                } else {
                    format!(
                        "aws cloudtrail put-event-selectors {r} --trail-name {} --advanced-event-selectors {}",
                        q(trail),
                        q(&Value::from(selectors.advanced_event_selectors.clone()).to_string())
                    )
                }
            }
            Action::PutConfigurationRecorder { name, role_arn, all_supported, include_global, resource_types } => {
                let group = if *all_supported {
                    format!("allSupported=true,includeGlobalResourceTypes={include_global}")
                } else {
                    format!("allSupported=false,includeGlobalResourceTypes={include_global},resourceTypes={}", resource_types.join(","))
                };
                format!(
                    "aws configservice put-configuration-recorder {r} --configuration-recorder {} --recording-group {}",
                    q(&format!("name={name},roleARN={role_arn}")),
                    q(&group)
                )
            }
            Action::DeleteConfigurationRecorder { name } => format!(
                "aws configservice delete-configuration-recorder {r} --configuration-recorder-name {}",
                q(name)
            ),
            Action::PutDeliveryChannel { name, bucket } => format!(
                "aws configservice put-delivery-channel {r} --delivery-channel {}",
                q(&json!({"name": name, "s3BucketName": bucket}).to_string())
            ),
            Action::DeleteDeliveryChannel { name } => format!(
                "aws configservice delete-delivery-channel {r} --delivery-channel-name {}",
                q(name)
            ),
            Action::StartConfigurationRecorder { name } => format!(
                "aws configservice start-configuration-recorder {r} --configuration-recorder-name {}",
                q(name)
            ),
            Action::StopConfigurationRecorder { name } => format!(
                "aws configservice stop-configuration-recorder {r} --configuration-recorder-name {}",
                q(name)
            ),
        }
    }
}

/// Quotes for a POSIX shell when needed.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Why a step cannot run by itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manual {
    /// Inputs to supply (`--trail-bucket` …); empty when the step is blocked for another reason.
    pub missing: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// 1-based position in the plan.
    pub id: usize,
    pub account: String,
    pub region: String,
    pub action: Action,
    /// CIS controls this step serves.
    pub controls: Vec<String>,
    /// Steps that must have succeeded first.
    pub depends_on: Vec<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<Manual>,
    /// The equivalent AWS CLI command.
    pub command: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Things the operator should know: pending confirmations, names chosen to avoid a clash,
    /// steps stopped to leave something untouched.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn automatic(&self) -> usize {
        self.steps.iter().filter(|s| s.manual.is_none()).count()
    }
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    fn add(
        &mut self,
        account: &str,
        region: &str,
        controls: &[String],
        action: Action,
        deps: &[Option<usize>],
        manual: Option<Manual>,
    ) -> usize {
        if let Some(s) =
            self.steps.iter_mut().find(|s| s.account == account && s.region == region && s.action == action)
        {
            for c in controls {
                if !s.controls.contains(c) {
                    s.controls.push(c.clone());
                }
            }
            return s.id;
        }
        let depends_on: Vec<usize> = deps.iter().flatten().copied().collect();
        // A step that needs a MANUAL step is MANUAL too.
        let manual = manual.or_else(|| {
            depends_on
                .iter()
                .find(|d| self.steps[**d - 1].manual.is_some())
                .map(|d| Manual { missing: vec![], reason: format!("needs step {d} first, which is MANUAL") })
        });
        let id = self.steps.len() + 1;
        self.steps.push(Step {
            id,
            account: account.into(),
            region: region.into(),
            command: action.cli(region),
            action,
            controls: controls.to_vec(),
            depends_on,
            manual,
        });
        id
    }

    fn note(&mut self, n: String) {
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }
}

/// The trail the plan relies on for an account, and the log group it delivers (or will deliver) to.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailTarget {
    pub existing: Option<Trail>,
    pub name: String,
    pub home_region: String,
    pub log_group_account: String,
    pub log_group_region: String,
    pub log_group: String,
}

/// Chooses the trail to reuse: a trail of this account that qualifies for 3.1, else one named
/// `--trail-name`, else a multi-region one (delivering to CloudWatch Logs and logging preferred).
/// None of those: a new trail `--trail-name` in the home region.
pub fn trail_target(acct: &AccountInventory, inv: &Inventory, inputs: &Inputs) -> TrailTarget {
    let owned = acct.trails.iter().filter(|t| t.owner_account == acct.account_id || t.owner_account.is_empty());
    let best = owned.filter(|t| t.is_multi_region || t.name == inputs.trail_name).max_by_key(|t| {
        let q = assess_trail(t, inv).qualifies();
        let logging = matches!(t.status, Some(Collected::Ok(ref s)) if s.is_logging);
        (
            q,
            t.name == inputs.trail_name,
            t.log_group_arn.is_some(),
            t.is_multi_region,
            logging,
            std::cmp::Reverse(t.arn.clone()),
        )
    });
    match best {
        Some(t) => {
            let (ga, gr, gn) = t
                .log_group_arn
                .as_deref()
                .and_then(log_group_from_arn)
                .unwrap_or_else(|| (acct.account_id.clone(), t.home_region.clone(), inputs.log_group.clone()));
            TrailTarget {
                existing: Some(t.clone()),
                name: t.name.clone(),
                home_region: t.home_region.clone(),
                log_group_account: ga,
                log_group_region: gr,
                log_group: gn,
            }
        }
        None => TrailTarget {
            existing: None,
            name: inputs.trail_name.clone(),
            home_region: inputs.home_region.clone(),
            log_group_account: acct.account_id.clone(),
            log_group_region: inputs.home_region.clone(),
            log_group: inputs.log_group.clone(),
        },
    }
}

pub fn topic_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:sns:{region}:{account}:{name}")
}

/// Selectors that add every management event, read and write, to `current` without removing
/// or narrowing anything (data-event selectors are kept as they are).
pub fn with_management_events(current: &RawSelectors) -> RawSelectors {
    let mut next = current.clone();
    if !current.advanced_event_selectors.is_empty() {
        next.advanced_event_selectors.push(json!({
            "Name": "Management events (cis-audit)",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]
        }));
    } else {
        next.event_selectors.push(json!({"ReadWriteType": "All", "IncludeManagementEvents": true}));
    }
    next
}

/// The metric transformation a filter of ours publishes.
fn our_transformation(metric: &str, ns: &str) -> MetricTransformation {
    MetricTransformation {
        metric_name: metric.into(),
        metric_namespace: ns.into(),
        metric_value: "1".into(),
        default_value: None,
        dimensions: vec![],
    }
}

fn same_filter(f: &MetricFilter, pattern: &str, metric: &str, ns: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    norm(&f.pattern) == norm(pattern)
        && f.transformations.len() == 1
        && f.transformations[0].metric_name == metric
        && f.transformations[0].metric_namespace == ns
        && f.transformations[0].metric_value.trim() == "1"
        && f.transformations[0].dimensions.is_empty()
}

/// An alarm exactly as we would create it.
fn same_alarm(a: &MetricAlarm, metric: &str, ns: &str, topic: &str) -> bool {
    a.metric_name.as_deref() == Some(metric)
        && a.namespace.as_deref() == Some(ns)
        && a.statistic.as_deref() == Some("Sum")
        && a.extended_statistic.is_none()
        && a.period == Some(300)
        && a.threshold == Some(1.0)
        && a.comparison_operator.as_deref() == Some("GreaterThanOrEqualToThreshold")
        && a.evaluation_periods == Some(1)
        && a.datapoints_to_alarm.unwrap_or(1) == 1
        && a.dimensions.is_empty()
        && a.actions_enabled
        && a.alarm_actions == [topic.to_string()]
}

/// Builds the plan for every FAILing control of every account in the evaluation.
pub fn build(
    inv: &Inventory,
    eval: &Evaluation,
    controls: &[Control],
    inputs: &Inputs,
    facts: &[AccountFacts],
) -> Plan {
    let mut plan = Plan::default();
    for acct in &inv.accounts {
        let failing = |c: &Control, region: Option<&str>| {
            eval.controls.iter().any(|r| {
                r.control == c.id
                    && r.account == acct.account_id
                    && r.status == Status::Fail
                    && region.is_none_or(|x| r.region.as_deref() == Some(x))
            })
        };
        let trail_ctl = controls.iter().find(|c| c.def.check == CheckKind::CloudtrailMultiRegion && failing(c, None));
        let monitoring: Vec<&Control> =
            controls.iter().filter(|c| c.def.check == CheckKind::MetricFilterChain && failing(c, None)).collect();
        let config_ctl = controls.iter().find(|c| c.def.check == CheckKind::ConfigAllRegions);
        let empty = AccountFacts::default();
        let f = facts.iter().find(|f| f.account == acct.account_id).unwrap_or(&empty);

        let mut group_step: Option<usize> = None;
        if trail_ctl.is_some() || !monitoring.is_empty() {
            let ids: Vec<String> =
                trail_ctl.into_iter().chain(monitoring.iter().copied()).map(|c| c.id.clone()).collect();
            group_step = plan_trail(&mut plan, acct, inv, inputs, f, &ids);
        }
        if !monitoring.is_empty() {
            let target = trail_target(acct, inv, inputs);
            for c in &monitoring {
                plan_monitoring(&mut plan, acct, inv, inputs, f, &target, c, group_step);
            }
        }
        if let Some(c) = config_ctl {
            let regions: Vec<&str> = acct.regions.iter().map(|s| s.as_str()).filter(|r| failing(c, Some(r))).collect();
            if !regions.is_empty() {
                plan_config(&mut plan, acct, inputs, c, &regions);
            }
        }
    }
    plan
}

/// 3.1 and the trail link; returns the CreateLogGroup step, if any.
fn plan_trail(
    plan: &mut Plan,
    acct: &AccountInventory,
    inv: &Inventory,
    inputs: &Inputs,
    f: &AccountFacts,
    control: &[String],
) -> Option<usize> {
    let a = acct.account_id.as_str();
    let t = trail_target(acct, inv, inputs);
    let h = t.home_region.clone();
    let mut ready = vec![];
    let mut created = None;
    match &t.existing {
        None => {
            let bucket = inputs.trail_bucket.clone();
            let manual = bucket.is_none().then(|| Manual {
                missing: vec!["--trail-bucket".into()],
                reason: "a new trail needs an S3 bucket for its log files".into(),
            });
            let id = plan.add(
                a,
                &h,
                control,
                Action::CreateTrail { name: t.name.clone(), bucket: bucket.unwrap_or_else(|| "<trail-bucket>".into()) },
                &[],
                manual,
            );
            created = Some(id);
            let sel = plan.add(
                a,
                &h,
                control,
                Action::PutEventSelectors {
                    trail: t.name.clone(),
                    selectors: with_management_events(&RawSelectors::default()),
                },
                &[Some(id)],
                None,
            );
            let start = plan.add(a, &h, control, Action::StartLogging { name: t.name.clone() }, &[Some(id)], None);
            ready.extend([Some(id), Some(sel), Some(start)]);
        }
        Some(tr) => {
            if !tr.is_multi_region {
                let id = plan.add(
                    a,
                    &h,
                    control,
                    Action::UpdateTrail {
                        name: t.name.clone(),
                        is_multi_region: Some(true),
                        log_group_arn: None,
                        role_arn: None,
                    },
                    &[],
                    None,
                );
                ready.push(Some(id));
            }
            if matches!(tr.status, Some(Collected::Ok(ref s)) if !s.is_logging) {
                ready.push(Some(plan.add(a, &h, control, Action::StartLogging { name: t.name.clone() }, &[], None)));
            }
            if let Some(Collected::Ok(sel)) = &tr.selectors {
                if management_events(sel).is_err() {
                    match &f.trail_selectors {
                        Some(raw) => {
                            ready.push(Some(plan.add(
                                a,
                                &h,
                                control,
                                Action::PutEventSelectors { trail: t.name.clone(), selectors: with_management_events(raw) },
                                &[],
                                None,
                            )));
                        }
                        None => plan.note(format!(
                            "{}: the event selectors of trail {} could not be read, so management events are not added (do it by hand, keeping its data-event selectors)",
                            control.join(", "),
                            t.name
                        )),
                    }
                }
            }
        }
    }
    let mut group_step = None;
    let delivers = t.existing.as_ref().is_some_and(|x| x.log_group_arn.is_some());
    if !delivers {
        if !f.log_group_exists {
            group_step =
                Some(plan.add(a, &h, control, Action::CreateLogGroup { log_group: t.log_group.clone() }, &[], None));
        }
        let role = inputs.cloudtrail_logs_role_arn.clone();
        let manual = role.is_none().then(|| Manual {
            missing: vec!["--cloudtrail-logs-role-arn".into()],
            reason: "CloudTrail needs an IAM role it can assume to write to CloudWatch Logs".into(),
        });
        let id = plan.add(
            a,
            &h,
            control,
            Action::UpdateTrail {
                name: t.name.clone(),
                is_multi_region: None,
                log_group_arn: Some(format!("arn:{}:logs:{h}:{a}:log-group:{}:*", acct.partition, t.log_group)),
                role_arn: Some(role.unwrap_or_else(|| "<cloudtrail-logs-role-arn>".into())),
            },
            &[created, group_step],
            manual,
        );
        ready.push(Some(id));
    }
    let _ = ready;
    group_step
}

#[allow(clippy::too_many_arguments)]
fn plan_monitoring(
    plan: &mut Plan,
    acct: &AccountInventory,
    inv: &Inventory,
    inputs: &Inputs,
    f: &AccountFacts,
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
    let Some(variant) = c.def.variant_for(&inputs.benchmark) else {
        plan.note(format!("{id}: no filter pattern for CIS v{} in checks/ data", inputs.benchmark));
        return;
    };
    let ns = inputs.metric_namespace.as_str();
    let pattern = variant.patterns.first().cloned().unwrap_or_default();
    let base = c.def.metric_name.clone().unwrap_or_else(|| c.def.key.clone());

    // 1. The metric: an existing covering filter's, or a new filter of ours.
    let usable = |tr: &MetricTransformation| {
        tr.dimensions.is_empty() && tr.metric_value.trim().parse::<f64>().is_ok_and(|v| v > 0.0)
    };
    let existing = f.filters.iter().find_map(|fl| {
        let tr = fl.transformations.iter().find(|tr| usable(tr))?;
        judge_pattern(&fl.pattern, variant, inputs.strict_patterns).covered.then(|| tr.clone())
    });
    let (metric, filter_step) = match existing {
        Some(tr) => (tr, None),
        None => {
            let free = [base.clone(), format!("{base}-cis")].into_iter().find(|cand| {
                let clash = f.filters.iter().any(|fl| {
                    (fl.name == *cand && !same_filter(fl, &pattern, cand, ns))
                        || (fl.name != *cand
                            && fl.transformations.iter().any(|tr| tr.metric_name == *cand && tr.metric_namespace == ns))
                });
                !clash
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
            let step = if f.filters.iter().any(|fl| fl.name == name) {
                None
            } else {
                Some(plan.add(
                    a,
                    r,
                    &ids,
                    Action::PutMetricFilter {
                        log_group: t.log_group.clone(),
                        filter_name: name.clone(),
                        pattern: pattern.clone(),
                        metric_name: name.clone(),
                        metric_namespace: ns.into(),
                    },
                    &[group_step],
                    None,
                ))
            };
            (our_transformation(&name, ns), step)
        }
    };

    // 2. The alarm: a working one on that metric (its topic is then the one to subscribe to),
    //    or a new one notifying our topic (or an existing topic someone already receives).
    let named_topic = topic_arn(&acct.partition, r, a, &inputs.topic_name);
    let confirmed_topic = (inputs.reuse_confirmed_topic && !f.topic_exists)
        .then(|| {
            inv.topics.iter().find(|t| {
                Arn::parse(&t.arn).is_some_and(|x| x.region == r && x.account == a)
                    && matches!(&t.subscriptions, Collected::Ok(s) if s.iter().any(|x| Arn::parse(&x.subscription_arn).is_some()))
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
        f.alarms.iter().filter(on_metric).filter(|al| alarm_problems(al, &metric).is_empty()).find_map(|al| {
            let topics: Vec<&String> =
                al.alarm_actions.iter().filter(|x| Arn::parse(x).is_some_and(|p| p.service == "sns")).collect();
            topics.iter().find(|x| ***x == our_topic).or(topics.first()).map(|x| x.to_string())
        });
    let mut topic_step = None;
    let topic = match working {
        Some(tp) => tp,
        None => {
            let alarm_base = format!("{}-alarm", metric.metric_name);
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
                topic_step = Some(plan.add(
                    a,
                    r,
                    &ids,
                    Action::CreateTopic { name: inputs.topic_name.clone(), topic_arn: our_topic.clone() },
                    &[],
                    None,
                ));
            }
            if !f.alarms.iter().any(|al| al.name == alarm_name) {
                plan.add(
                    a,
                    r,
                    &ids,
                    Action::PutMetricAlarm {
                        alarm_name,
                        metric_name: metric.metric_name.clone(),
                        metric_namespace: metric.metric_namespace.clone(),
                        topic_arn: our_topic.clone(),
                    },
                    &[filter_step, topic_step],
                    None,
                );
            }
            our_topic.clone()
        }
    };

    // 3. Someone must receive the alarm: a confirmed subscription on the topic.
    let subs: Vec<Subscription> = if topic == our_topic && !topic_reused {
        f.topic_subscriptions.clone()
    } else {
        match inv.topic(&topic).map(|x| &x.subscriptions) {
            Some(Collected::Ok(s)) => s.clone(),
            _ => vec![],
        }
    };
    let confirmed = subs.iter().any(|s| Arn::parse(&s.subscription_arn).is_some());
    let mut any = confirmed;
    // A topic someone already receives is reused as it is.
    let wanted: &[Notify] = if confirmed { &[] } else { &inputs.notify };
    for n in wanted {
        match subs.iter().find(|s| s.protocol == n.protocol && s.endpoint == n.endpoint) {
            Some(s) if s.subscription_arn == "PendingConfirmation" => {
                plan.note(pending_note(&n.protocol, &n.endpoint, &topic));
                any = true;
            }
            Some(_) => any = true,
            None => {
                let tr_region = Arn::parse(&topic).map(|x| x.region.to_string()).unwrap_or_else(|| r.to_string());
                plan.add(
                    a,
                    &tr_region,
                    &ids,
                    Action::Subscribe {
                        topic_arn: topic.clone(),
                        protocol: n.protocol.clone(),
                        endpoint: n.endpoint.clone(),
                    },
                    &[topic_step],
                    None,
                );
                if n.protocol.starts_with("email") || n.protocol.starts_with("http") {
                    plan.note(pending_note(&n.protocol, &n.endpoint, &topic));
                }
                any = true;
            }
        }
    }
    if !any {
        let pending = subs.iter().any(|s| s.subscription_arn == "PendingConfirmation");
        if pending {
            plan.note(format!("{id}: topic {topic} has subscriptions pending confirmation and none confirmed: confirm one from the message AWS sent"));
        } else {
            plan.add(
                a,
                r,
                &ids,
                Action::Subscribe { topic_arn: topic.clone(), protocol: "email".into(), endpoint: "<address>".into() },
                &[topic_step],
                Some(Manual {
                    missing: vec!["--notify".into()],
                    reason: format!("topic {topic} has no subscriber; say who receives the alarms"),
                }),
            );
        }
    }
}

pub fn pending_note(protocol: &str, endpoint: &str, topic: &str) -> String {
    format!(
        "the {protocol} subscription of {endpoint} to {topic} stays pending until someone follows the confirmation link AWS sends to {endpoint}: that is the one thing left to do"
    )
}

fn plan_config(plan: &mut Plan, acct: &AccountInventory, inputs: &Inputs, c: &Control, regions: &[&str]) {
    let a = acct.account_id.as_str();
    let id = c.id.as_str();
    let ids = [c.id.clone()];
    let customer = |rc: &crate::inventory::RegionConfig| -> Option<Vec<ConfigRecorder>> {
        match &rc.recorders {
            Collected::Ok(l) => Some(l.iter().filter(|r| r.service_principal.is_none()).cloned().collect()),
            Collected::Error(_) => None,
        }
    };
    let global_somewhere = acct
        .config
        .iter()
        .any(|rc| customer(rc).is_some_and(|l| l.iter().any(|r| r.all_supported && r.include_global_resource_types)));
    let global_region = if acct.regions.iter().any(|r| *r == inputs.home_region) {
        inputs.home_region.clone()
    } else {
        acct.regions.first().cloned().unwrap_or_else(|| inputs.home_region.clone())
    };
    for region in regions {
        let Some(rc) = acct.config.iter().find(|x| x.region == *region) else { continue };
        let (Some(recorders), Collected::Ok(statuses), Collected::Ok(channels)) =
            (customer(rc), &rc.recorder_statuses, &rc.delivery_channels)
        else {
            plan.note(format!("{id}: AWS Config in {region} could not be read; nothing planned there"));
            continue;
        };
        let want_global = !global_somewhere && *region == global_region;
        let mut rec_step = None;
        let rec_name;
        match recorders.first() {
            None => {
                rec_name = "default".to_string();
                let manual = inputs.config_role_arn.is_none().then(|| Manual {
                    missing: vec!["--config-role-arn".into()],
                    reason: "AWS Config needs a role to read the resources it records".into(),
                });
                rec_step = Some(plan.add(
                    a,
                    region,
                    &ids,
                    Action::PutConfigurationRecorder {
                        name: rec_name.clone(),
                        role_arn: inputs.config_role_arn.clone().unwrap_or_else(|| "<config-role-arn>".into()),
                        all_supported: true,
                        include_global: want_global,
                        resource_types: vec![],
                    },
                    &[],
                    manual,
                ));
            }
            Some(r) => {
                rec_name = r.name.clone();
                let all = r.all_supported
                    && r.recording_strategy.as_deref().is_none_or(|s| s == "ALL_SUPPORTED_RESOURCE_TYPES");
                if !all || (want_global && !r.include_global_resource_types) {
                    let role = r.role_arn.clone().or(inputs.config_role_arn.clone());
                    let manual = role.is_none().then(|| Manual {
                        missing: vec!["--config-role-arn".into()],
                        reason: format!("recorder {} has no role", r.name),
                    });
                    rec_step = Some(plan.add(
                        a,
                        region,
                        &ids,
                        Action::PutConfigurationRecorder {
                            name: r.name.clone(),
                            role_arn: role.unwrap_or_else(|| "<config-role-arn>".into()),
                            all_supported: true,
                            include_global: r.include_global_resource_types || want_global,
                            resource_types: vec![],
                        },
                        &[],
                        manual,
                    ));
                }
            }
        }
        let mut channel_step = None;
        if channels.is_empty() {
            let manual = inputs.config_bucket.is_none().then(|| Manual {
                missing: vec!["--config-bucket".into()],
                reason: "AWS Config delivers configuration snapshots to an S3 bucket".into(),
            });
            channel_step = Some(plan.add(
                a,
                region,
                &ids,
                Action::PutDeliveryChannel {
                    name: "default".into(),
                    bucket: inputs.config_bucket.clone().unwrap_or_else(|| "<config-bucket>".into()),
                },
                &[],
                manual,
            ));
        }
        let recording = statuses.iter().any(|s| s.name == rec_name && s.recording);
        if !recording {
            plan.add(
                a,
                region,
                &ids,
                Action::StartConfigurationRecorder { name: rec_name.clone() },
                &[rec_step, channel_step],
                None,
            );
        }
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
