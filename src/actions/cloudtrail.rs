//! CloudTrail actions: the multi-region trail, its logging, its CloudWatch Logs delivery and its
//! event selectors (never narrowed: data-event selectors are kept).

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::{cloudtrail as read, Collected, EventSelector, FieldSelector, Trail, TrailSelectors};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

async fn trail(cx: &Cx<'_>, name: &str, status: bool, selectors: bool) -> Result<Option<Trail>, ActionError> {
    Ok(read::home_trail(cx.session, cx.rt, cx.region, name, status, selectors).await?)
}

fn logging(t: &Trail) -> bool {
    matches!(&t.status, Some(Collected::Ok(s)) if s.is_logging)
}

/// A whole trail, as created or deleted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrailState {
    pub exists: bool,
    pub bucket: Option<String>,
    pub is_multi_region: bool,
    pub log_group_arn: Option<String>,
    pub role_arn: Option<String>,
    pub is_logging: bool,
    #[serde(default)]
    pub log_file_validation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

async fn observe_trail(cx: &Cx<'_>, name: &str) -> Result<TrailState, ActionError> {
    Ok(match trail(cx, name, true, false).await? {
        None => TrailState::default(),
        Some(t) => TrailState {
            exists: true,
            is_logging: logging(&t),
            bucket: t.s3_bucket,
            is_multi_region: t.is_multi_region,
            log_group_arn: t.log_group_arn,
            role_arn: t.cloudwatch_logs_role_arn,
            log_file_validation: t.log_file_validation,
            kms_key_id: t.kms_key_id,
        },
    })
}

/// A new multi-region trail (global service events included), writing to an existing bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTrail {
    pub name: String,
    pub bucket: String,
}

impl Spec for CreateTrail {
    const OPERATION: &'static str = "cloudtrail:CreateTrail";
    type State = TrailState;
    fn resource(&self) -> String {
        format!("trail {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws cloudtrail create-trail --region {region} --name {} --s3-bucket-name {} --is-multi-region-trail --include-global-service-events",
            q(&self.name),
            q(&self.bucket)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TrailState, ActionError> {
        observe_trail(cx, &self.name).await
    }
    fn precheck(&self, before: &TrailState) -> Precheck {
        if before.exists {
            Precheck::Stop(format!("trail {} appeared since planning; left untouched", self.name))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &TrailState) -> bool {
        s.exists && s.bucket.as_deref() == Some(self.bucket.as_str()) && s.is_multi_region
    }
    fn inverse(&self, _before: &TrailState) -> Option<Action> {
        Some(DeleteTrail { name: self.name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudtrail::Client::new(&cx.config());
        let req = c
            .create_trail()
            .name(&self.name)
            .s3_bucket_name(&self.bucket)
            .is_multi_region_trail(true)
            .include_global_service_events(true);
        let o = cx.call(Self::OPERATION, req.send()).await?;
        Ok(o.trail_arn().unwrap_or_default().to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteTrail {
    pub name: String,
}

impl Spec for DeleteTrail {
    const OPERATION: &'static str = "cloudtrail:DeleteTrail";
    type State = TrailState;
    fn resource(&self) -> String {
        format!("trail {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws cloudtrail delete-trail --region {region} --name {}", q(&self.name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TrailState, ActionError> {
        observe_trail(cx, &self.name).await
    }
    fn achieved(&self, s: &TrailState) -> bool {
        !s.exists
    }
    fn inverse(&self, _before: &TrailState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudtrail::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.delete_trail().name(&self.name).send()).await?;
        Ok(format!("deleted trail {}", self.name))
    }
}

/// The settings `update-trail` changes here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrailSettings {
    pub exists: bool,
    pub is_multi_region: bool,
    pub log_group_arn: Option<String>,
    pub role_arn: Option<String>,
    /// `LogFileValidationEnabled` (journals before it was observed: false).
    #[serde(default)]
    pub log_file_validation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// Fields left None are not touched; `Some("")` clears a CloudWatch Logs setting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateTrail {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_multi_region: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_file_validation: Option<bool>,
    /// The KMS key to encrypt log files with (`Some("")`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

impl Spec for UpdateTrail {
    const OPERATION: &'static str = "cloudtrail:UpdateTrail";
    type State = TrailSettings;
    fn resource(&self) -> String {
        format!("trail {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        let mut s = format!("aws cloudtrail update-trail --region {region} --name {}", q(&self.name));
        match self.is_multi_region {
            Some(true) => s.push_str(" --is-multi-region-trail"),
            Some(false) => s.push_str(" --no-is-multi-region-trail"),
            None => {}
        }
        if let Some(g) = &self.log_group_arn {
            s.push_str(&format!(" --cloud-watch-logs-log-group-arn {}", q(g)));
        }
        if let Some(x) = &self.role_arn {
            s.push_str(&format!(" --cloud-watch-logs-role-arn {}", q(x)));
        }
        match self.log_file_validation {
            Some(true) => s.push_str(" --enable-log-file-validation"),
            Some(false) => s.push_str(" --no-enable-log-file-validation"),
            None => {}
        }
        if let Some(k) = &self.kms_key_id {
            s.push_str(&format!(" --kms-key-id {}", q(k)));
        }
        s
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TrailSettings, ActionError> {
        let t = observe_trail(cx, &self.name).await?;
        Ok(TrailSettings {
            exists: t.exists,
            is_multi_region: t.is_multi_region,
            log_group_arn: t.log_group_arn,
            role_arn: t.role_arn,
            log_file_validation: t.log_file_validation,
            kms_key_id: t.kms_key_id,
        })
    }
    fn precheck(&self, before: &TrailSettings) -> Precheck {
        if before.exists {
            Precheck::Go
        } else {
            Precheck::Stop(format!("trail {} does not exist", self.name))
        }
    }
    fn achieved(&self, s: &TrailSettings) -> bool {
        let set = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| have.as_deref().unwrap_or("") == w.as_str())
        };
        s.exists
            && self.is_multi_region.is_none_or(|m| m == s.is_multi_region)
            && set(&self.log_group_arn, &s.log_group_arn)
            && set(&self.role_arn, &s.role_arn)
            && self.log_file_validation.is_none_or(|v| v == s.log_file_validation)
            && set(&self.kms_key_id, &s.kms_key_id)
    }
    fn inverse(&self, before: &TrailSettings) -> Option<Action> {
        let prev = |x: &Option<String>| x.clone().unwrap_or_default();
        Some(
            UpdateTrail {
                name: self.name.clone(),
                is_multi_region: self.is_multi_region.map(|_| before.is_multi_region),
                log_group_arn: self.log_group_arn.as_ref().map(|_| prev(&before.log_group_arn)),
                role_arn: self.role_arn.as_ref().map(|_| prev(&before.role_arn)),
                log_file_validation: self.log_file_validation.map(|_| before.log_file_validation),
                kms_key_id: self.kms_key_id.as_ref().map(|_| prev(&before.kms_key_id)),
            }
            .into(),
        )
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudtrail::Client::new(&cx.config());
        let req = c
            .update_trail()
            .name(&self.name)
            .set_is_multi_region_trail(self.is_multi_region)
            .set_cloud_watch_logs_log_group_arn(self.log_group_arn.clone())
            .set_cloud_watch_logs_role_arn(self.role_arn.clone())
            .set_enable_log_file_validation(self.log_file_validation)
            .set_kms_key_id(self.kms_key_id.clone());
        cx.call(Self::OPERATION, req.send()).await?;
        Ok(format!("updated trail {}", self.name))
    }
}

/// Whether the trail logs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggingState {
    pub exists: bool,
    pub is_logging: bool,
}

async fn observe_logging(cx: &Cx<'_>, name: &str) -> Result<LoggingState, ActionError> {
    Ok(match trail(cx, name, true, false).await? {
        None => LoggingState::default(),
        Some(t) => LoggingState { exists: true, is_logging: logging(&t) },
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartLogging {
    pub name: String,
}

impl Spec for StartLogging {
    const OPERATION: &'static str = "cloudtrail:StartLogging";
    type State = LoggingState;
    fn resource(&self) -> String {
        format!("trail {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws cloudtrail start-logging --region {region} --name {}", q(&self.name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<LoggingState, ActionError> {
        observe_logging(cx, &self.name).await
    }
    fn precheck(&self, before: &LoggingState) -> Precheck {
        match (before.exists, before.is_logging) {
            (false, _) => Precheck::Stop(format!("trail {} does not exist", self.name)),
            (true, true) => Precheck::AlreadyDone(format!("trail {} is already logging", self.name)),
            (true, false) => Precheck::Go,
        }
    }
    fn achieved(&self, s: &LoggingState) -> bool {
        s.exists && s.is_logging
    }
    fn inverse(&self, _before: &LoggingState) -> Option<Action> {
        Some(StopLogging { name: self.name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudtrail::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.start_logging().name(&self.name).send()).await?;
        Ok(format!("trail {} is logging", self.name))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopLogging {
    pub name: String,
}

impl Spec for StopLogging {
    const OPERATION: &'static str = "cloudtrail:StopLogging";
    type State = LoggingState;
    fn resource(&self) -> String {
        format!("trail {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws cloudtrail stop-logging --region {region} --name {}", q(&self.name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<LoggingState, ActionError> {
        observe_logging(cx, &self.name).await
    }
    fn achieved(&self, s: &LoggingState) -> bool {
        !s.is_logging
    }
    fn inverse(&self, _before: &LoggingState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudtrail::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.stop_logging().name(&self.name).send()).await?;
        Ok(format!("trail {} stopped logging", self.name))
    }
}

/// The trail's event selectors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SelectorsState {
    pub exists: bool,
    pub selectors: Option<TrailSelectors>,
}

/// Replaces the trail's event selectors (classic, or advanced when there are advanced ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutEventSelectors {
    pub trail: String,
    pub selectors: TrailSelectors,
}

/// Selectors that add every management event, read and write, to `current` without removing
/// or narrowing anything (data-event selectors are kept as they are).
pub(crate) fn with_management_events(current: &TrailSelectors) -> TrailSelectors {
    let mut next = current.clone();
    if !current.advanced_event_selectors.is_empty() {
        next.advanced_event_selectors.push(crate::inventory::AdvancedEventSelector {
            name: Some("Management events (cis-audit)".into()),
            field_selectors: vec![FieldSelector {
                field: "eventCategory".into(),
                equals: vec!["Management".into()],
                ..Default::default()
            }],
        });
    } else {
        next.event_selectors.push(EventSelector {
            read_write_type: Some("All".into()),
            include_management_events: Some(true),
            ..Default::default()
        });
    }
    next
}

/// The AWS CLI's JSON for classic selectors.
fn classic_json(sel: &[EventSelector]) -> Value {
    Value::from(
        sel.iter()
            .map(|e| {
                let mut v = serde_json::Map::new();
                if let Some(r) = &e.read_write_type {
                    v.insert("ReadWriteType".into(), r.clone().into());
                }
                if let Some(m) = e.include_management_events {
                    v.insert("IncludeManagementEvents".into(), m.into());
                }
                if !e.data_resources.is_empty() {
                    let d: Vec<Value> =
                        e.data_resources.iter().map(|d| json!({"Type": d.resource_type, "Values": d.values})).collect();
                    v.insert("DataResources".into(), d.into());
                }
                if !e.exclude_management_event_sources.is_empty() {
                    v.insert("ExcludeManagementEventSources".into(), json!(e.exclude_management_event_sources));
                }
                Value::Object(v)
            })
            .collect::<Vec<_>>(),
    )
}

/// The AWS CLI's JSON for advanced selectors.
fn advanced_json(sel: &TrailSelectors) -> Value {
    Value::from(
        sel.advanced_event_selectors
            .iter()
            .map(|a| {
                let fields: Vec<Value> = a
                    .field_selectors
                    .iter()
                    .map(|f| {
                        let mut v = serde_json::Map::new();
                        v.insert("Field".into(), f.field.clone().into());
                        for (k, x) in [
                            ("Equals", &f.equals),
                            ("StartsWith", &f.starts_with),
                            ("EndsWith", &f.ends_with),
                            ("NotEquals", &f.not_equals),
                            ("NotStartsWith", &f.not_starts_with),
                            ("NotEndsWith", &f.not_ends_with),
                        ] {
                            if !x.is_empty() {
                                v.insert(k.into(), json!(x));
                            }
                        }
                        Value::Object(v)
                    })
                    .collect();
                let mut v = serde_json::Map::new();
                if let Some(n) = &a.name {
                    v.insert("Name".into(), n.clone().into());
                }
                v.insert("FieldSelectors".into(), fields.into());
                Value::Object(v)
            })
            .collect::<Vec<_>>(),
    )
}

type SdkSelectors =
    (Vec<aws_sdk_cloudtrail::types::EventSelector>, Vec<aws_sdk_cloudtrail::types::AdvancedEventSelector>);

fn sdk_selectors(sel: &TrailSelectors) -> Result<SdkSelectors, ActionError> {
    use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, DataResource, ReadWriteType};
    let some = |v: &Vec<String>| Some(v.clone()).filter(|x| !x.is_empty());
    let classic = sel
        .event_selectors
        .iter()
        .map(|e| {
            let mut b = aws_sdk_cloudtrail::types::EventSelector::builder()
                .set_read_write_type(e.read_write_type.as_deref().map(ReadWriteType::from))
                .set_include_management_events(e.include_management_events)
                .set_exclude_management_event_sources(some(&e.exclude_management_event_sources));
            for d in &e.data_resources {
                b = b.data_resources(
                    DataResource::builder().r#type(&d.resource_type).set_values(Some(d.values.clone())).build(),
                );
            }
            b.build()
        })
        .collect();
    let mut advanced = Vec::new();
    for a in &sel.advanced_event_selectors {
        let mut b = AdvancedEventSelector::builder().set_name(a.name.clone());
        for f in &a.field_selectors {
            let fs = AdvancedFieldSelector::builder()
                .field(&f.field)
                .set_equals(some(&f.equals))
                .set_starts_with(some(&f.starts_with))
                .set_ends_with(some(&f.ends_with))
                .set_not_equals(some(&f.not_equals))
                .set_not_starts_with(some(&f.not_starts_with))
                .set_not_ends_with(some(&f.not_ends_with))
                .build()
                .map_err(|e| ActionError::Invalid(format!("bad field selector {}: {e}", f.field)))?;
            b = b.field_selectors(fs);
        }
        advanced.push(b.build().map_err(|e| ActionError::Invalid(format!("bad advanced selector: {e}")))?);
    }
    Ok((classic, advanced))
}

impl Spec for PutEventSelectors {
    const OPERATION: &'static str = "cloudtrail:PutEventSelectors";
    type State = SelectorsState;
    fn resource(&self) -> String {
        format!("trail {}", self.trail)
    }
    fn cli(&self, region: &str) -> String {
        if self.selectors.advanced_event_selectors.is_empty() {
            format!(
                "aws cloudtrail put-event-selectors --region {region} --trail-name {} --event-selectors {}",
                q(&self.trail),
                q(&classic_json(&self.selectors.event_selectors).to_string())
            )
        } else {
            format!(
                "aws cloudtrail put-event-selectors --region {region} --trail-name {} --advanced-event-selectors {}",
                q(&self.trail),
                q(&advanced_json(&self.selectors).to_string())
            )
        }
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<SelectorsState, ActionError> {
        Ok(match trail(cx, &self.trail, false, true).await? {
            None => SelectorsState::default(),
            Some(t) => SelectorsState {
                exists: true,
                selectors: match t.selectors {
                    Some(Collected::Ok(s)) => Some(s),
                    _ => None,
                },
            },
        })
    }
    fn precheck(&self, before: &SelectorsState) -> Precheck {
        if !before.exists {
            Precheck::Stop(format!("trail {} does not exist", self.trail))
        } else if self.achieved(before) {
            Precheck::AlreadyDone(format!("trail {} already has these selectors", self.trail))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &SelectorsState) -> bool {
        s.selectors.as_ref() == Some(&self.selectors)
    }
    fn inverse(&self, before: &SelectorsState) -> Option<Action> {
        let prev = before.selectors.clone().unwrap_or_default();
        if prev == TrailSelectors::default() {
            // A trail with no selectors at all is one just created: deleting it undoes this.
            return None;
        }
        Some(PutEventSelectors { trail: self.trail.clone(), selectors: prev }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_cloudtrail::Client::new(&cx.config());
        let (classic, advanced) = sdk_selectors(&self.selectors)?;
        let mut req = c.put_event_selectors().trail_name(&self.trail);
        if advanced.is_empty() {
            req = req.set_event_selectors(Some(classic));
        } else {
            req = req.set_advanced_event_selectors(Some(advanced));
        }
        cx.call(Self::OPERATION, req.send()).await?;
        Ok(format!("put event selectors on trail {}", self.trail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::DataResource;

    #[test]
    fn inverses_restore_what_was_observed_before() {
        let before = TrailSettings {
            exists: true,
            is_multi_region: false,
            log_group_arn: None,
            role_arn: None,
            log_file_validation: false,
            kms_key_id: None,
        };
        let a = UpdateTrail {
            name: "t".into(),
            is_multi_region: Some(true),
            log_group_arn: None,
            role_arn: None,
            log_file_validation: None,
            kms_key_id: None,
        };
        assert_eq!(
            a.inverse(&before),
            Some(
                UpdateTrail {
                    name: "t".into(),
                    is_multi_region: Some(false),
                    log_group_arn: None,
                    role_arn: None,
                    log_file_validation: None,
                    kms_key_id: None
                }
                .into()
            )
        );
        let a = UpdateTrail {
            name: "t".into(),
            is_multi_region: None,
            log_group_arn: Some("g".into()),
            role_arn: Some("r".into()),
            log_file_validation: None,
            kms_key_id: None,
        };
        assert_eq!(
            a.inverse(&before),
            Some(
                UpdateTrail {
                    name: "t".into(),
                    is_multi_region: None,
                    log_group_arn: Some(String::new()),
                    role_arn: Some(String::new()),
                    log_file_validation: None,
                    kms_key_id: None
                }
                .into()
            )
        );
        let sel = TrailSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("ReadOnly".into()),
                include_management_events: Some(true),
                ..Default::default()
            }],
            ..Default::default()
        };
        let put = PutEventSelectors { trail: "t".into(), selectors: with_management_events(&sel) };
        let before = SelectorsState { exists: true, selectors: Some(sel.clone()) };
        assert_eq!(put.inverse(&before), Some(PutEventSelectors { trail: "t".into(), selectors: sel }.into()));
        let new_trail = SelectorsState { exists: true, selectors: Some(TrailSelectors::default()) };
        assert_eq!(put.inverse(&new_trail), None);
    }

    #[test]
    fn selectors_keep_data_resources_in_the_cli_and_the_sdk() {
        let sel = TrailSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("WriteOnly".into()),
                include_management_events: Some(false),
                data_resources: vec![DataResource {
                    resource_type: "AWS::S3::Object".into(),
                    values: vec!["arn:aws:s3".into()],
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let (c, a) = sdk_selectors(&sel).unwrap();
        assert!(a.is_empty());
        assert_eq!(c[0].data_resources()[0].values(), ["arn:aws:s3"]);
        assert_eq!(c[0].include_management_events(), Some(false));
        let cli = PutEventSelectors { trail: "t".into(), selectors: with_management_events(&sel) }.cli("us-east-1");
        assert!(cli.contains(r#""DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]"#), "{cli}");
        assert!(cli.contains(r#"{"ReadWriteType":"All","IncludeManagementEvents":true}"#), "{cli}");
    }
}
