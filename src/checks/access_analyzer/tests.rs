//! Snapshot cases of access-analyzer-all-regions.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn analyzers<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<Analyzer> {
    ok(region_of(inv, region).access_analyzers.as_mut().unwrap())
}

snapshot_cases! {
    analyzer_in_every_region_passes: "5.0.0", ["1.19"], |inv| {},
    unused_access_analyzer_only_fails_v5: "5.0.0", ["1.19"], |inv| {
        analyzers(inv, "eu-west-1")[0].analyzer_type = "ACCOUNT_UNUSED_ACCESS".into();
    },
    unused_access_analyzer_only_passes_v4: "4.0.0", ["1.20"], |inv| {
        analyzers(inv, "eu-west-1")[0].analyzer_type = "ACCOUNT_UNUSED_ACCESS".into();
    },
    disabled_analyzer_and_none_fail: "7.0.0", ["2.18"], |inv| {
        analyzers(inv, "eu-west-1")[0].status = "DISABLED".into();
        analyzers(inv, "eu-west-1")[0].status_reason = Some("AWS_SERVICE_ACCESS_DISABLED".into());
        analyzers(inv, "us-east-1").clear();
    },
    analyzers_unreadable_is_error: "5.0.0", ["1.19"], |inv| {
        region_of(inv, "us-east-1").access_analyzers = Some(Collected::Error(err("access-analyzer:ListAnalyzers", "AccessDeniedException")));
    },
}
