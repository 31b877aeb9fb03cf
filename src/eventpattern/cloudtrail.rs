//! CloudTrail records as EventBridge delivers them: the envelope a management event gets on the
//! default bus ("AWS API Call via CloudTrail"), and where global services' events arrive.

use serde_json::{json, Value};

/// The region where a partition's global services (IAM, Organizations, STS with the global
/// endpoint) record their CloudTrail events, and so where EventBridge delivers them: us-east-1
/// in `aws`, us-gov-west-1 in `aws-us-gov`, cn-north-1 in `aws-cn`.
pub(crate) use crate::inventory::regions::global_region as global_events_region;

/// Services whose CloudTrail events are delivered in the partition's global-events region only.
pub(crate) const GLOBAL_SOURCES: &[&str] = &["iam.amazonaws.com", "organizations.amazonaws.com"];

/// The EventBridge `source` of a CloudTrail event source (`ec2.amazonaws.com` → `aws.ec2`).
pub(crate) fn event_bus_source(event_source: &str) -> String {
    format!("aws.{}", event_source.strip_suffix(".amazonaws.com").unwrap_or(event_source))
}

/// The EventBridge `detail-type` of a CloudTrail record.
pub(crate) fn detail_type(record: &Value) -> &'static str {
    if record["eventType"] == "AwsConsoleSignIn" || record["eventName"] == "ConsoleLogin" {
        "AWS Console Sign In via CloudTrail"
    } else {
        "AWS API Call via CloudTrail"
    }
}

/// The EventBridge event a CloudTrail record becomes in `region`.
pub(crate) fn as_event(record: &Value, account: &str, region: &str) -> Value {
    let mut detail = record.clone();
    detail["awsRegion"] = json!(region);
    json!({
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": detail_type(record),
        "source": event_bus_source(record["eventSource"].as_str().unwrap_or_default()),
        "account": account,
        "time": record["eventTime"].clone(),
        "region": region,
        "resources": [],
        "detail": detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_events_arrive_in_the_partitions_home_region() {
        assert_eq!(global_events_region("aws"), "us-east-1");
        assert_eq!(global_events_region("aws-us-gov"), "us-gov-west-1");
        assert_eq!(global_events_region("aws-cn"), "cn-north-1");
    }

    #[test]
    fn a_record_gets_the_envelope_of_its_region() {
        let r = json!({"eventSource": "ec2.amazonaws.com", "eventName": "CreateSecurityGroup", "eventTime": "t"});
        let e = as_event(&r, "111122223333", "eu-west-1");
        assert_eq!(e["source"], "aws.ec2");
        assert_eq!(e["detail-type"], "AWS API Call via CloudTrail");
        assert_eq!(e["detail"]["awsRegion"], "eu-west-1");
    }
}
