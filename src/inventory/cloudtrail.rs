//! CloudTrail: trails per region (shadow trails included), and each distinct trail's status and
//! event selectors, read in its home region.

use super::model::*;
use super::read;
use crate::aws::{Lane, Runtime, Session};
use aws_sdk_cloudtrail::Client;

/// `DescribeTrails` (shadow trails included) in one region: the region's list of trail ARNs and
/// the trails themselves, without status and selectors.
pub(crate) async fn describe_trails(s: &Session, rt: &Runtime, region: &str) -> (RegionTrails, Vec<Trail>) {
    let client = Client::new(&s.region_config(region));
    let op = "cloudtrail:DescribeTrails";
    match read(s, rt, Lane::Chain, op, Some(region), || client.describe_trails().include_shadow_trails(true).send())
        .await
    {
        Ok(out) => {
            let trails: Vec<Trail> = out.trail_list().iter().map(|t| to_trail(t, region)).collect();
            let arns = trails.iter().map(|t| t.arn.clone()).collect();
            (RegionTrails { region: region.to_string(), trails: Collected::Ok(arns) }, trails)
        }
        Err(e) => (RegionTrails { region: region.to_string(), trails: Collected::Error(e) }, Vec::new()),
    }
}

fn to_trail(t: &aws_sdk_cloudtrail::types::Trail, seen_in: &str) -> Trail {
    let arn = t.trail_arn().unwrap_or_default().to_string();
    let owner_account = Arn::parse(&arn).map(|a| a.account.to_string()).unwrap_or_default();
    Trail {
        name: t.name().unwrap_or_default().to_string(),
        home_region: t.home_region().unwrap_or(seen_in).to_string(),
        owner_account,
        is_multi_region: t.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: t.is_organization_trail().unwrap_or(false),
        s3_bucket: t.s3_bucket_name().map(str::to_string),
        log_group_arn: t.cloud_watch_logs_log_group_arn().filter(|s| !s.is_empty()).map(str::to_string),
        cloudwatch_logs_role_arn: t.cloud_watch_logs_role_arn().filter(|s| !s.is_empty()).map(str::to_string),
        log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: t.kms_key_id().filter(|s| !s.is_empty()).map(str::to_string),
        status: None,
        selectors: None,
        arn,
    }
}

/// `GetTrailStatus` of one trail (by ARN), in its home region.
pub(crate) async fn trail_status(s: &Session, rt: &Runtime, trail_arn: &str, home: &str) -> Collected<TrailStatus> {
    let client = Client::new(&s.region_config(home));
    let res = read(s, rt, Lane::Chain, "cloudtrail:GetTrailStatus", Some(home), || {
        client.get_trail_status().name(trail_arn).send()
    })
    .await;
    Collected::from(res.map(|o| TrailStatus {
        is_logging: o.is_logging().unwrap_or(false),
        latest_delivery_error: o.latest_delivery_error().filter(|s| !s.is_empty()).map(str::to_string),
        latest_cloudwatch_logs_delivery_error:
            o.latest_cloud_watch_logs_delivery_error().filter(|s| !s.is_empty()).map(str::to_string),
        latest_cloudwatch_logs_delivery_time: o.latest_cloud_watch_logs_delivery_time().map(fmt_time),
    }))
}

/// `GetEventSelectors` of one trail (by ARN or name), in its home region.
pub(crate) async fn event_selectors(s: &Session, rt: &Runtime, trail: &str, home: &str) -> Collected<TrailSelectors> {
    let client = Client::new(&s.region_config(home));
    let res = read(s, rt, Lane::Chain, "cloudtrail:GetEventSelectors", Some(home), || {
        client.get_event_selectors().trail_name(trail).send()
    })
    .await;
    Collected::from(res.map(|o| {
        TrailSelectors {
            event_selectors: o
                .event_selectors()
                .iter()
                .map(|e| EventSelector {
                    read_write_type: e.read_write_type().map(|r| r.as_str().to_string()),
                    include_management_events: e.include_management_events(),
                    exclude_management_event_sources: e.exclude_management_event_sources().to_vec(),
                    data_resources: e
                        .data_resources()
                        .iter()
                        .map(|d| DataResource {
                            resource_type: d.r#type().unwrap_or_default().to_string(),
                            values: d.values().to_vec(),
                        })
                        .collect(),
                })
                .collect(),
            advanced_event_selectors: o
                .advanced_event_selectors()
                .iter()
                .map(|a| AdvancedEventSelector {
                    name: a.name().map(str::to_string),
                    field_selectors: a
                        .field_selectors()
                        .iter()
                        .map(|f| FieldSelector {
                            field: f.field().to_string(),
                            equals: f.equals().to_vec(),
                            not_equals: f.not_equals().to_vec(),
                            starts_with: f.starts_with().to_vec(),
                            not_starts_with: f.not_starts_with().to_vec(),
                            ends_with: f.ends_with().to_vec(),
                            not_ends_with: f.not_ends_with().to_vec(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }))
}

/// The trail `name` homed in `region` (no shadow trails), with its status and/or selectors when
/// asked: what remediation observes before and after changing a trail. Err: a read failed.
pub(crate) async fn home_trail(
    s: &Session,
    rt: &Runtime,
    region: &str,
    name: &str,
    with_status: bool,
    with_selectors: bool,
) -> Result<Option<Trail>, CollectError> {
    let client = Client::new(&s.region_config(region));
    let out = read(s, rt, Lane::Chain, "cloudtrail:DescribeTrails", Some(region), || {
        client.describe_trails().include_shadow_trails(false).send()
    })
    .await?;
    let Some(t) = out.trail_list().iter().find(|t| t.name() == Some(name)) else { return Ok(None) };
    let mut t = to_trail(t, region);
    if with_status {
        t.status = Some(Collected::Ok(trail_status(s, rt, &t.arn, region).await.into_result()?));
    }
    if with_selectors {
        t.selectors = Some(Collected::Ok(event_selectors(s, rt, &t.arn, region).await.into_result()?));
    }
    Ok(Some(t))
}

pub(crate) fn fmt_time(t: &aws_smithy_types::DateTime) -> String {
    t.fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_else(|_| t.secs().to_string())
}
