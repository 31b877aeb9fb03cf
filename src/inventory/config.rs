//! AWS Config: recorders, their status and delivery channels, per region.

use super::model::*;
use super::read;
use crate::aws::{Lane, Runtime, Session};
use aws_sdk_config::Client;

/// The three AWS Config reads of one region, concurrently. Nothing waits on them: they run in
/// the runtime's leaf lane.
pub(crate) async fn region_config(s: &Session, rt: &Runtime, region: &str) -> RegionConfig {
    let (recorders, recorder_statuses, delivery_channels) =
        tokio::join!(recorders(s, rt, region), statuses(s, rt, region), channels(s, rt, region));
    RegionConfig { region: region.to_string(), recorders, recorder_statuses, delivery_channels }
}

pub(crate) async fn recorders(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<ConfigRecorder>> {
    let client = Client::new(&s.region_config(region));
    let req = client.describe_configuration_recorders();
    let res = read(s, rt, Lane::Leaf, "config:DescribeConfigurationRecorders", Some(region), || req.send()).await;
    Collected::from(res.map(|o| o.configuration_recorders().iter().map(to_recorder).collect()))
}

pub(crate) async fn statuses(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<ConfigRecorderStatus>> {
    let client = Client::new(&s.region_config(region));
    let req = client.describe_configuration_recorder_status();
    let res = read(s, rt, Lane::Leaf, "config:DescribeConfigurationRecorderStatus", Some(region), || req.send()).await;
    Collected::from(res.map(|o| {
        o.configuration_recorders_status()
            .iter()
            .map(|st| ConfigRecorderStatus {
                name: st.name().unwrap_or_default().to_string(),
                recording: st.recording(),
                last_status: st.last_status().map(|x| x.as_str().to_string()),
                last_error_code: st.last_error_code().map(str::to_string),
                last_error_message: st.last_error_message().map(str::to_string),
            })
            .collect()
    }))
}

/// Delivery channels of a region: name and bucket.
pub(crate) async fn channels(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<DeliveryChannel>> {
    let client = Client::new(&s.region_config(region));
    let req = client.describe_delivery_channels();
    let res = read(s, rt, Lane::Leaf, "config:DescribeDeliveryChannels", Some(region), || req.send()).await;
    Collected::from(res.map(|o| {
        o.delivery_channels()
            .iter()
            .map(|c| DeliveryChannel {
                name: c.name().unwrap_or_default().to_string(),
                bucket: c.s3_bucket_name().map(str::to_string),
            })
            .collect()
    }))
}

fn to_recorder(r: &aws_sdk_config::types::ConfigurationRecorder) -> ConfigRecorder {
    let g = r.recording_group();
    let mut resource_types: Vec<String> =
        g.map(|g| g.resource_types().iter().map(|t| t.as_str().to_string()).collect()).unwrap_or_default();
    resource_types.sort();
    ConfigRecorder {
        name: r.name().unwrap_or_default().to_string(),
        role_arn: r.role_arn().map(str::to_string),
        all_supported: g.map(|g| g.all_supported()).unwrap_or(false),
        include_global_resource_types: g.map(|g| g.include_global_resource_types()).unwrap_or(false),
        recording_strategy: g
            .and_then(|g| g.recording_strategy())
            .and_then(|s| s.use_only())
            .map(|u| u.as_str().to_string()),
        resource_types,
        excluded_resource_types: g
            .and_then(|g| g.exclusion_by_resource_types())
            .map(|x| x.resource_types().iter().map(|t| t.as_str().to_string()).collect())
            .unwrap_or_default(),
        service_principal: r.service_principal().map(str::to_string),
    }
}
