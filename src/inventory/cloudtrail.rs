//! CloudTrail: trails per region (shadow trails included), then each distinct trail's status
//! and event selectors, read in its home region.

use super::model::*;
use crate::aws::{collect_error, Runtime, Session};
use aws_sdk_cloudtrail::Client;

/// `DescribeTrails` in one region. Returns the region's list of trail ARNs and the trails
/// themselves (without status and selectors).
pub async fn describe_trails(s: &Session, rt: &Runtime, region: &str) -> (RegionTrails, Vec<Trail>) {
    let client = Client::new(&s.region_config(region));
    let res = rt.call("cloudtrail:DescribeTrails", client.describe_trails().include_shadow_trails(true).send()).await;
    match res {
        Ok(out) => {
            let trails: Vec<Trail> = out.trail_list().iter().map(|t| to_trail(t, region)).collect();
            let arns = trails.iter().map(|t| t.arn.clone()).collect();
            (RegionTrails { region: region.to_string(), trails: Collected::Ok(arns) }, trails)
        }
        Err(e) => {
            let err = collect_error(&e, "cloudtrail:DescribeTrails", &s.account_id, Some(region));
            (RegionTrails { region: region.to_string(), trails: Collected::Error(err) }, Vec::new())
        }
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
        cloudwatch_logs_role_arn: t.cloud_watch_logs_role_arn().map(str::to_string),
        status: None,
        selectors: None,
        arn,
    }
}

/// `GetTrailStatus` and `GetEventSelectors` for one trail, in its home region, concurrently.
pub async fn trail_details(s: &Session, rt: &Runtime, mut trail: Trail) -> Trail {
    let client = Client::new(&s.region_config(&trail.home_region));
    let region = trail.home_region.clone();
    let status = rt.call("cloudtrail:GetTrailStatus", client.get_trail_status().name(&trail.arn).send());
    let selectors = rt.call("cloudtrail:GetEventSelectors", client.get_event_selectors().trail_name(&trail.arn).send());
    let (status, selectors) = tokio::join!(status, selectors);
    trail.status = Some(match status {
        Ok(o) => Collected::Ok(TrailStatus {
            is_logging: o.is_logging().unwrap_or(false),
            latest_delivery_error: o.latest_delivery_error().filter(|s| !s.is_empty()).map(str::to_string),
            latest_cloudwatch_logs_delivery_error: o
                .latest_cloud_watch_logs_delivery_error()
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            latest_cloudwatch_logs_delivery_time: o.latest_cloud_watch_logs_delivery_time().map(fmt_time),
        }),
        Err(e) => Collected::Error(collect_error(&e, "cloudtrail:GetTrailStatus", &s.account_id, Some(&region))),
    });
    trail.selectors = Some(match selectors {
        Ok(o) => Collected::Ok(TrailSelectors {
            event_selectors: o
                .event_selectors()
                .iter()
                .map(|e| EventSelector {
                    read_write_type: e.read_write_type().map(|r| r.as_str().to_string()),
                    include_management_events: e.include_management_events(),
                    exclude_management_event_sources: e.exclude_management_event_sources().to_vec(),
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
        }),
        Err(e) => Collected::Error(collect_error(&e, "cloudtrail:GetEventSelectors", &s.account_id, Some(&region))),
    });
    trail
}

pub fn fmt_time(t: &aws_smithy_types::DateTime) -> String {
    t.fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_else(|_| t.secs().to_string())
}
