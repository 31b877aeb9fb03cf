//! Inventory fixtures for the checks' tests: a compliant account (3.1, 3.3 and 4.10 pass) that
//! each test breaks in one place, and [`snapshot_cases!`], which turns each case into its own
//! `#[test]` snapshotting the verdicts and findings (evidence and remediation included).

use super::*;
use crate::catalog::catalog;
use crate::inventory::*;

pub(crate) const ACCT: &str = "111122223333";
pub(crate) const MGMT: &str = "999988887777";
pub(crate) const SG_V5: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }";
pub(crate) const SG_V3: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }";
pub(crate) const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:cis-alarms";
pub(crate) const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";
pub(crate) const GROUP_ARN: &str = "arn:aws:logs:us-east-1:111122223333:log-group:ct-logs:*";

pub(crate) fn err(op: &str, code: &str) -> CollectError {
    CollectError {
        operation: op.into(),
        account: ACCT.into(),
        region: Some("us-east-1".into()),
        code: code.into(),
        message: "denied for test".into(),
    }
}

pub(crate) fn trail(account: &str, name: &str, group_arn: Option<&str>) -> Trail {
    Trail {
        arn: format!("arn:aws:cloudtrail:us-east-1:{account}:trail/{name}"),
        name: name.into(),
        home_region: "us-east-1".into(),
        owner_account: account.into(),
        is_multi_region: true,
        is_organization_trail: false,
        s3_bucket: Some("trail-bucket".into()),
        log_group_arn: group_arn.map(str::to_string),
        cloudwatch_logs_role_arn: Some(format!("arn:aws:iam::{account}:role/ct")),
        log_file_validation: true,
        kms_key_id: Some(format!("arn:aws:kms:us-east-1:{account}:key/trail-key")),
        status: Some(Collected::Ok(TrailStatus { is_logging: true, ..Default::default() })),
        selectors: Some(Collected::Ok(TrailSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("All".into()),
                include_management_events: Some(true),
                exclude_management_event_sources: vec![],
                ..Default::default()
            }],
            advanced_event_selectors: vec![],
        })),
    }
}

pub(crate) fn filter(pattern: &str) -> MetricFilter {
    MetricFilter {
        name: "sg-changes".into(),
        pattern: pattern.into(),
        transformations: vec![MetricTransformation {
            metric_name: "SecurityGroupChanges".into(),
            metric_namespace: "CISBenchmark".into(),
            metric_value: "1".into(),
            default_value: None,
            dimensions: vec![],
        }],
    }
}

pub(crate) fn alarm() -> MetricAlarm {
    MetricAlarm {
        name: "sg-changes-alarm".into(),
        arn: Some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:sg-changes-alarm".into()),
        metric_name: Some("SecurityGroupChanges".into()),
        namespace: Some("CISBenchmark".into()),
        actions_enabled: true,
        alarm_actions: vec![TOPIC.into()],
        statistic: Some("Sum".into()),
        extended_statistic: None,
        comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
        threshold: Some(1.0),
        evaluation_periods: Some(1),
        datapoints_to_alarm: None,
        period: Some(300),
        dimensions: vec![],
        state: Some("OK".into()),
        treat_missing_data: None,
        description: None,
    }
}

pub(crate) fn recorder(name: &str) -> ConfigRecorder {
    ConfigRecorder {
        name: name.into(),
        role_arn: Some("arn:aws:iam::111122223333:role/config".into()),
        all_supported: true,
        include_global_resource_types: true,
        recording_strategy: None,
        resource_types: vec![],
        excluded_resource_types: vec![],
        service_principal: None,
    }
}

pub(crate) fn region_config(region: &str, global: bool) -> RegionConfig {
    let mut r = recorder("default");
    r.include_global_resource_types = global;
    RegionConfig {
        region: region.into(),
        recorders: Collected::Ok(vec![r]),
        recorder_statuses: Collected::Ok(vec![ConfigRecorderStatus {
            name: "default".into(),
            recording: true,
            last_status: Some("SUCCESS".into()),
            ..Default::default()
        }]),
        delivery_channels: Collected::Ok(vec![DeliveryChannel { name: "default".into(), bucket: None }]),
    }
}

pub(crate) fn compliant() -> Inventory {
    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        tool_version: "test".into(),
        collected_at: "2026-11-23T00:00:00Z".into(),
        accounts: vec![AccountInventory {
            account_id: ACCT.into(),
            partition: "aws".into(),
            caller_arn: format!("arn:aws:iam::{ACCT}:user/auditor"),
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            regions_source: "--regions".into(),
            trails_by_region: vec![
                RegionTrails { region: "us-east-1".into(), trails: Collected::Ok(vec![TRAIL.into()]) },
                RegionTrails { region: "eu-west-1".into(), trails: Collected::Ok(vec![TRAIL.into()]) },
            ],
            trails: vec![trail(ACCT, "main", Some(GROUP_ARN))],
            config: vec![region_config("us-east-1", true), region_config("eu-west-1", false)],
            event_rules: vec![],
            resources: vec![region_resources("us-east-1"), region_resources("eu-west-1")],
            account_wide: account_resources(),
            ..Default::default()
        }],
        log_groups: vec![LogGroupInventory {
            account: ACCT.into(),
            region: "us-east-1".into(),
            name: "ct-logs".into(),
            metric_filters: Collected::Ok(vec![filter(SG_V5)]),
        }],
        metric_alarms: vec![MetricAlarmsInventory {
            account: ACCT.into(),
            region: "us-east-1".into(),
            namespace: "CISBenchmark".into(),
            metric_name: "SecurityGroupChanges".into(),
            alarms: Collected::Ok(vec![alarm()]),
        }],
        topics: vec![TopicInventory {
            arn: TOPIC.into(),
            subscriptions: Collected::Ok(vec![Subscription {
                subscription_arn: format!("{TOPIC}:0b1f6c2e"),
                protocol: "email".into(),
                endpoint: "secops@example.com".into(),
                attributes: Some(Collected::Ok(SubscriptionAttributes::default())),
            }]),
            attributes: Some(Collected::Ok(TopicAttributes {
                policy: Some(default_topic_policy(TOPIC, ACCT)),
                kms_master_key_id: None,
            })),
        }],
        api_calls: Default::default(),
        ..Default::default()
    }
}

/// A compliant region: a default VPC with a flow log of all traffic, its default security
/// group empty, a web group open on 443 only and an SSH group for the office network, the
/// default network ACL allowing HTTPS only, EBS encryption by default, an instance on IMDSv2,
/// a customer key that rotates beside an AWS-managed one, and Security Hub enabled.
pub(crate) fn region_resources(region: &str) -> RegionResources {
    let vpc = format!("vpc-{region}");
    let rule = |proto: &str, from: i32, to: i32, cidr: &str| IpRule {
        protocol: proto.into(),
        from_port: Some(from),
        to_port: Some(to),
        ipv4: vec![cidr.into()],
        ..Default::default()
    };
    RegionResources {
        region: region.into(),
        security_groups: Some(Collected::Ok(vec![
            SecurityGroup {
                id: format!("sg-default-{region}"),
                name: "default".into(),
                vpc_id: Some(vpc.clone()),
                ..Default::default()
            },
            SecurityGroup {
                id: format!("sg-web-{region}"),
                name: "web".into(),
                vpc_id: Some(vpc.clone()),
                ingress: vec![rule("tcp", 443, 443, "0.0.0.0/0")],
                egress: vec![IpRule { protocol: "-1".into(), ipv4: vec!["0.0.0.0/0".into()], ..Default::default() }],
            },
            SecurityGroup {
                id: format!("sg-ssh-{region}"),
                name: "office-ssh".into(),
                vpc_id: Some(vpc.clone()),
                ingress: vec![rule("tcp", 22, 22, "203.0.113.0/24")],
                egress: vec![],
            },
        ])),
        network_interfaces: Some(Collected::Ok(vec![])),
        network_acls: Some(Collected::Ok(vec![NetworkAcl {
            id: format!("acl-{region}"),
            vpc_id: Some(vpc.clone()),
            is_default: true,
            entries: vec![
                AclEntry {
                    rule_number: 100,
                    protocol: "6".into(),
                    action: "allow".into(),
                    egress: false,
                    cidr: Some("0.0.0.0/0".into()),
                    from_port: Some(443),
                    to_port: Some(443),
                    ..Default::default()
                },
                AclEntry {
                    rule_number: 32767,
                    protocol: "-1".into(),
                    action: "deny".into(),
                    egress: false,
                    cidr: Some("0.0.0.0/0".into()),
                    ..Default::default()
                },
            ],
            subnets: vec![],
        }])),
        vpcs: Some(Collected::Ok(vec![Vpc { id: vpc.clone(), cidr: Some("172.31.0.0/16".into()), is_default: true }])),
        flow_logs: Some(Collected::Ok(vec![FlowLog {
            id: format!("fl-{region}"),
            resource_id: vpc.clone(),
            traffic_type: "ALL".into(),
            status: Some("ACTIVE".into()),
            deliver_status: Some("SUCCESS".into()),
            destination_type: Some("cloud-watch-logs".into()),
            destination: Some("vpc-flow-logs".into()),
            ..Default::default()
        }])),
        ebs_encryption_by_default: Some(Collected::Ok(true)),
        instances: Some(Collected::Ok(vec![Instance {
            id: format!("i-{region}"),
            state: "running".into(),
            http_tokens: Some("required".into()),
            http_endpoint: Some("enabled".into()),
            vpc_id: Some(vpc),
            instance_profile: None,
        }])),
        peering_connections: Some(Collected::Ok(vec![])),
        peering_routes: Some(Collected::Ok(vec![])),
        kms_keys: Some(Collected::Ok(vec![
            KmsKeyDetails {
                key_id: format!("cmk-{region}"),
                arn: format!("arn:aws:kms:{region}:{ACCT}:key/cmk-{region}"),
                manager: Some("CUSTOMER".into()),
                spec: Some("SYMMETRIC_DEFAULT".into()),
                state: Some("Enabled".into()),
                origin: Some("AWS_KMS".into()),
                error: None,
                rotation: Some(Collected::Ok(true)),
            },
            KmsKeyDetails {
                key_id: format!("aws-{region}"),
                arn: format!("arn:aws:kms:{region}:{ACCT}:key/aws-{region}"),
                manager: Some("AWS".into()),
                spec: Some("SYMMETRIC_DEFAULT".into()),
                state: Some("Enabled".into()),
                origin: Some("AWS_KMS".into()),
                error: None,
                rotation: None,
            },
        ])),
        security_hub: Some(Collected::Ok(SecurityHubState {
            enabled: true,
            hub_arn: Some(format!("arn:aws:securityhub:{region}:{ACCT}:hub/default")),
            subscribed_at: Some("2026-01-01T00:00:00Z".into()),
        })),
    }
}

/// A compliant account's account-wide settings: a password policy stricter than every
/// version asks.
pub(crate) fn account_resources() -> AccountResources {
    AccountResources {
        password_policy: Some(Collected::Ok(Some(PasswordPolicy {
            minimum_password_length: Some(16),
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: true,
            allow_users_to_change_password: true,
            expire_passwords: true,
            max_password_age: Some(60),
            password_reuse_prevention: Some(24),
            hard_expiry: None,
        }))),
    }
}

/// The resources of region `region` of the fixture's account.
pub(crate) fn region_of<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut RegionResources {
    let Some(r) = inv.accounts[0].resources.iter_mut().find(|r| r.region == region) else {
        panic!("the fixture has no resources in {region}")
    };
    r
}

/// SNS's default topic policy: the owner account's principals (AWS:SourceOwner).
pub(crate) fn default_topic_policy(topic: &str, account: &str) -> String {
    serde_json::json!({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
        "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                   "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        "Resource": topic, "Condition": {"StringEquals": {"AWS:SourceOwner": account}}}]})
    .to_string()
}

/// A policy that also lets EventBridge rule `rule` publish (what the console adds).
pub(crate) fn events_topic_policy(topic: &str, account: &str, rule: &str) -> String {
    let mut p: serde_json::Value = serde_json::from_str(&default_topic_policy(topic, account)).unwrap();
    p["Statement"].as_array_mut().unwrap().push(serde_json::json!({
        "Sid": "AWSEvents_sg-changes", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish", "Resource": topic, "Condition": {"ArnEquals": {"aws:SourceArn": rule}}}));
    p.to_string()
}

pub(crate) fn run(inv: &Inventory, bench: &str, ids: &[&str], strict: bool) -> Evaluation {
    verdicts(inv, bench, ids, strict)
}

pub(crate) fn set_pattern(inv: &mut Inventory, p: &str) {
    inv.log_groups[0].metric_filters = Collected::Ok(vec![filter(p)]);
}

pub(crate) fn advanced(name: &str, fields: Vec<FieldSelector>) -> AdvancedEventSelector {
    AdvancedEventSelector { name: Some(name.into()), field_selectors: fields }
}

pub(crate) fn field(f: &str, eq: &[&str], ne: &[&str]) -> FieldSelector {
    FieldSelector {
        field: f.into(),
        equals: eq.iter().map(|s| s.to_string()).collect(),
        not_equals: ne.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

pub(crate) fn with_rules(inv: &mut Inventory, regions: &[&str], pattern: &str, confirmed: bool) {
    inv.log_groups[0].metric_filters = Collected::Ok(vec![]);
    let topic = "arn:aws:sns:us-east-1:111122223333:realtime";
    inv.accounts[0].event_rules = regions
        .iter()
        .map(|r| RegionRules {
            region: r.to_string(),
            rules: Collected::Ok(vec![EventRule {
                name: "sg-changes".into(),
                arn: format!("arn:aws:events:{r}:{ACCT}:rule/sg-changes"),
                state: "ENABLED".into(),
                event_pattern: Some(pattern.into()),
                managed_by: None,
                targets: Some(Collected::Ok(vec![RuleTarget {
                    id: "sns".into(),
                    arn: topic.into(),
                    ..Default::default()
                }])),
            }]),
        })
        .collect();
    inv.topics.push(TopicInventory {
        arn: topic.into(),
        subscriptions: Collected::Ok(vec![Subscription {
            subscription_arn: if confirmed { format!("{topic}:1") } else { "PendingConfirmation".into() },
            protocol: "email".into(),
            endpoint: "oncall@example.com".into(),
            attributes: confirmed.then(|| Collected::Ok(SubscriptionAttributes::default())),
        }]),
        attributes: None,
    });
}

pub(crate) const EB_SG: &str = r#"{"source":["aws.ec2"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["AuthorizeSecurityGroupIngress","AuthorizeSecurityGroupEgress","RevokeSecurityGroupIngress","RevokeSecurityGroupEgress","CreateSecurityGroup","DeleteSecurityGroup","ModifySecurityGroupRules"]}}"#;

/// Evaluates the controls `ids` (CIS ids of `bench`, or keys) over `inv`.
pub(crate) fn verdicts(inv: &Inventory, bench: &str, ids: &[&str], strict: bool) -> Evaluation {
    let keys: Vec<String> = ids.iter().map(|i| catalog().resolve(i, bench).unwrap()).collect();
    let controls = catalog().select(bench, Some(&keys)).unwrap();
    evaluate(inv, &controls, EvalOptions { strict_patterns: strict })
}

/// One `#[test]` per case: the compliant inventory, broken by the case's body, evaluated for the
/// listed controls of a benchmark version, and its verdicts and findings snapshotted under the
/// case's name (so one mismatch never hides another).
///
/// ```ignore
/// snapshot_cases! {
///     trail_not_logging: "5.0.0", ["3.1"], |inv| { inv.accounts[0].trails[0].is_multi_region = false; },
/// }
/// ```
macro_rules! snapshot_cases {
    ($( $name:ident : $bench:literal, [$($id:literal),*], |$inv:ident| $body:block ),* $(,)?) => {
        $(
            #[test]
            #[allow(unused_mut, unused_variables)]
            fn $name() {
                let mut fixture = $crate::checks::fixtures::compliant();
                {
                    let $inv: &mut $crate::inventory::Inventory = &mut fixture;
                    $body
                }
                let e = $crate::checks::fixtures::verdicts(&fixture, $bench, &[$($id),*], false);
                insta::assert_json_snapshot!(stringify!($name), e);
            }
        )*
    };
}
pub(crate) use snapshot_cases;

/// The data of a read the fixture holds; a case that breaks a read the fixture no longer has
/// fails here, loudly, instead of silently testing nothing.
pub(crate) fn ok<T>(c: &mut Collected<T>) -> &mut T {
    match c {
        Collected::Ok(v) => v,
        Collected::Error(e) => panic!("the fixture no longer holds this read: {e}"),
    }
}
