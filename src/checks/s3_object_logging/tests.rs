//! Snapshot cases of S3 object-level logging: the compliant fixture (a multi-region trail whose
//! classic selector records `AWS::S3::Object` `arn:aws:s3`, read and write) broken one way per
//! case.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn selectors(inv: &mut Inventory) -> &mut TrailSelectors {
    ok(inv.accounts[0].trails[0].selectors.as_mut().unwrap())
}

fn s3_advanced(read_only: Option<&str>) -> AdvancedEventSelector {
    let mut f = vec![field("eventCategory", &["Data"], &[]), field("resources.type", &["AWS::S3::Object"], &[])];
    if let Some(r) = read_only {
        f.push(field("readOnly", &[r], &[]));
    }
    advanced("s3-data", f)
}

snapshot_cases! {
    object_logging_all_buckets_passes: "5.0.0", ["3.8", "3.9"], |inv| {},
    object_logging_write_only_selector: "6.0.0", ["4.8", "4.9"], |inv| {
        selectors(inv).event_selectors[0].read_write_type = Some("WriteOnly".into());
    },
    object_logging_none_fails: "7.0.0", ["4.8"], |inv| {
        selectors(inv).event_selectors[0].data_resources.clear();
    },
    object_logging_advanced_read_only_true: "5.0.0", ["3.8", "3.9"], |inv| {
        let s = selectors(inv);
        s.event_selectors.clear();
        s.advanced_event_selectors = vec![
            advanced("mgmt", vec![field("eventCategory", &["Management"], &[])]),
            s3_advanced(Some("true")),
        ];
    },
    object_logging_advanced_without_read_only_covers_both: "4.0.0", ["3.8", "3.9"], |inv| {
        let s = selectors(inv);
        s.event_selectors.clear();
        s.advanced_event_selectors = vec![s3_advanced(None)];
    },
    object_logging_advanced_arn_narrowing_and_event_name: "5.0.0", ["3.8"], |inv| {
        let mut narrowed = s3_advanced(None);
        narrowed.field_selectors.push(FieldSelector { field: "resources.ARN".into(),
            starts_with: vec!["arn:aws:s3:::data-111122223333/logs/".into()], ..Default::default() });
        let mut by_name = s3_advanced(None);
        by_name.field_selectors.push(field("eventName", &["PutObject"], &[]));
        let s = selectors(inv);
        s.event_selectors.clear();
        s.advanced_event_selectors = vec![narrowed, by_name];
    },
    object_logging_each_bucket_listed_passes: "5.0.0", ["3.8"], |inv| {
        selectors(inv).event_selectors[0].data_resources[0].values =
            vec!["arn:aws:s3:::trail-bucket/".into(), "arn:aws:s3:::data-111122223333/".into()];
    },
    object_logging_one_bucket_missing_fails: "5.0.0", ["3.8"], |inv| {
        selectors(inv).event_selectors[0].data_resources[0].values = vec!["arn:aws:s3:::trail-bucket/".into()];
    },
    object_logging_single_region_trail_fails: "1.4.0", ["3.10"], |inv| {
        inv.accounts[0].trails[0].is_multi_region = false;
    },
    object_logging_stopped_trail_fails: "5.0.0", ["3.9"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus { is_logging: false, ..Default::default() }));
    },
    object_logging_selectors_unreadable_is_error: "5.0.0", ["3.9"], |inv| {
        inv.accounts[0].trails[0].selectors = Some(Collected::Error(err("cloudtrail:GetEventSelectors", "AccessDenied")));
    },
}
