//! AWS Config: recorders, their status and delivery channels, per region.

use super::model::*;
use crate::aws::{collect_error, Runtime, Session};
use aws_sdk_config::Client;

pub async fn region_config(s: &Session, rt: &Runtime, region: &str) -> RegionConfig {
    let client = Client::new(&s.region_config(region));
    let acct = s.account_id.as_str();
    let recorders = rt.call("config:DescribeConfigurationRecorders", client.describe_configuration_recorders().send());
    let statuses =
        rt.call("config:DescribeConfigurationRecorderStatus", client.describe_configuration_recorder_status().send());
    let channels = rt.call("config:DescribeDeliveryChannels", client.describe_delivery_channels().send());
    let (recorders, statuses, channels) = tokio::join!(recorders, statuses, channels);
    RegionConfig {
        region: region.to_string(),
        recorders: match recorders {
            Ok(o) => Collected::Ok(o.configuration_recorders().iter().map(to_recorder).collect()),
            Err(e) => Collected::Error(collect_error(&e, "config:DescribeConfigurationRecorders", acct, Some(region))),
        },
        recorder_statuses: match statuses {
            Ok(o) => Collected::Ok(
                o.configuration_recorders_status()
                    .iter()
                    .map(|st| ConfigRecorderStatus {
                        name: st.name().unwrap_or_default().to_string(),
                        recording: st.recording(),
                        last_status: st.last_status().map(|x| x.as_str().to_string()),
                        last_error_code: st.last_error_code().map(str::to_string),
                        last_error_message: st.last_error_message().map(str::to_string),
                    })
                    .collect(),
            ),
            Err(e) => {
                Collected::Error(collect_error(&e, "config:DescribeConfigurationRecorderStatus", acct, Some(region)))
            }
        },
        delivery_channels: match channels {
            Ok(o) => {
                Collected::Ok(o.delivery_channels().iter().map(|c| c.name().unwrap_or_default().to_string()).collect())
            }
            Err(e) => Collected::Error(collect_error(&e, "config:DescribeDeliveryChannels", acct, Some(region))),
        },
    }
}

fn to_recorder(r: &aws_sdk_config::types::ConfigurationRecorder) -> ConfigRecorder {
    let g = r.recording_group();
    ConfigRecorder {
        name: r.name().unwrap_or_default().to_string(),
        role_arn: r.role_arn().map(str::to_string),
        all_supported: g.map(|g| g.all_supported()).unwrap_or(false),
        include_global_resource_types: g.map(|g| g.include_global_resource_types()).unwrap_or(false),
        recording_strategy: g
            .and_then(|g| g.recording_strategy())
            .and_then(|s| s.use_only())
            .map(|u| u.as_str().to_string()),
        resource_types: g
            .map(|g| g.resource_types().iter().map(|t| t.as_str().to_string()).collect())
            .unwrap_or_default(),
        excluded_resource_types: g
            .and_then(|g| g.exclusion_by_resource_types())
            .map(|x| x.resource_types().iter().map(|t| t.as_str().to_string()).collect())
            .unwrap_or_default(),
        service_principal: r.service_principal().map(str::to_string),
    }
}
