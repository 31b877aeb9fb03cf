//! Snapshot cases of CIS 3.3 (config-all-regions): the compliant fixture broken one way per case, and the
//! verdicts and findings it yields (evidence and remediation included).

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    config_pass: "5.0.0", ["3.3"], |inv| {},
    config_not_recording: "5.0.0", ["3.3"], |inv| {
        let st = ok(&mut inv.accounts[0].config[1].recorder_statuses);
        st[0].recording = false;
    },
    config_last_status_failure: "5.0.0", ["3.3"], |inv| {
        let st = ok(&mut inv.accounts[0].config[0].recorder_statuses);
        st[0].last_status = Some("FAILURE".into());
        st[0].last_error_code = Some("AccessDenied".into());
    },
    config_some_types_only: "5.0.0", ["3.3"], |inv| {
        let r = ok(&mut inv.accounts[0].config[1].recorders);
        r[0].all_supported = false;
        r[0].recording_strategy = Some("INCLUSION_BY_RESOURCE_TYPES".into());
        r[0].resource_types = vec!["AWS::S3::Bucket".into()];
    },
    config_no_channel_no_global: "5.0.0", ["3.3"], |inv| {
        inv.accounts[0].config[1].delivery_channels = Collected::Ok(vec![]);
        let r = ok(&mut inv.accounts[0].config[0].recorders);
        r[0].include_global_resource_types = false;
    },
    config_service_linked_only: "5.0.0", ["3.3"], |inv| {
        let r = ok(&mut inv.accounts[0].config[1].recorders);
        r[0].service_principal = Some("securityhub.amazonaws.com".into());
    },
    config_throttled: "5.0.0", ["3.3"], |inv| {
        inv.accounts[0].config[1].recorders =
            Collected::Error(err("config:DescribeConfigurationRecorders", "ThrottlingException"))
    },
}
