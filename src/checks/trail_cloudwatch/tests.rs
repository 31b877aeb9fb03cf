//! Snapshot cases of the CloudWatch Logs integration (v1.4.0/v2.0.0 3.4, v1.2.0 2.4): the compliant fixture broken one way per case, and the
//! verdicts and findings it yields (evidence and remediation included).

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    cloudwatch_logs_recent_v1_4: "1.4.0", ["3.4"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus {
            is_logging: true,
            latest_cloudwatch_logs_delivery_time: Some("2026-11-22T23:00:00Z".into()),
            ..Default::default()
        }))
    },
    cloudwatch_logs_stale_v1_4: "1.4.0", ["3.4"], |inv| {
        inv.accounts[0].trails[0].status = Some(Collected::Ok(TrailStatus {
            is_logging: true,
            latest_cloudwatch_logs_delivery_time: Some("2026-11-20T00:00:00Z".into()),
            ..Default::default()
        }))
    },
    cloudwatch_logs_never_v2_0: "2.0.0", ["3.4"], |inv| {},
    cloudwatch_logs_not_integrated_v1_2_as_2_4: "1.2.0", ["2.4"], |inv| {
        inv.accounts[0].trails[0].log_group_arn = None
    },
}
