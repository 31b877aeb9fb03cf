//! Snapshot cases of CIS 3.1 (cloudtrail-multi-region): the compliant fixture broken one way per case, and the
//! verdicts and findings it yields (evidence and remediation included).

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    trail_pass: "5.0.0", ["3.1"], |inv| {},
    trail_none: "5.0.0", ["3.1"], |inv| { inv.accounts[0].trails.clear(); },
    trail_not_multi_region: "5.0.0", ["3.1"], |inv| { inv.accounts[0].trails[0].is_multi_region = false; },
    trail_not_logging: "5.0.0", ["3.1"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus::default()))
    },
    trail_write_only: "5.0.0", ["3.1"], |inv| {
        inv.accounts[0].trails[0].selectors = Some(Collected::Ok(TrailSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("WriteOnly".into()),
                include_management_events: Some(true),
                data_resources: vec![DataResource {
                    resource_type: "AWS::S3::Object".into(),
                    values: vec!["arn:aws:s3".into()],
                }],
                ..Default::default()
            }],
            ..Default::default()
        }))
    },
    trail_excluded_source: "5.0.0", ["3.1"], |inv| {
        inv.accounts[0].trails[0].selectors = Some(Collected::Ok(TrailSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("All".into()),
                include_management_events: Some(true),
                exclude_management_event_sources: vec!["kms.amazonaws.com".into()],
                ..Default::default()
            }],
            ..Default::default()
        }))
    },
    trail_advanced_custom_name: "5.0.0", ["3.1"], |inv| {
        inv.accounts[0].trails[0].selectors = Some(Collected::Ok(TrailSelectors {
            advanced_event_selectors: vec![advanced(
                "Log all the things",
                vec![field("eventCategory", &["Management"], &[])],
            )],
            ..Default::default()
        }))
    },
    trail_status_denied: "5.0.0", ["3.1"], |inv| {
        inv.accounts[0].trails[0].status =
            Some(Collected::Error(err("cloudtrail:GetTrailStatus", "AccessDeniedException")))
    },
    trail_describe_denied: "5.0.0", ["3.1"], |inv| {
        inv.accounts[0].trails.clear();
        inv.accounts[0].trails_by_region[1].trails =
            Collected::Error(err("cloudtrail:DescribeTrails", "AccessDeniedException"));
    },
}
