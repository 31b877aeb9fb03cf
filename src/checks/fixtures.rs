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
                data_resources: vec![DataResource {
                    resource_type: "AWS::S3::Object".into(),
                    values: vec!["arn:aws:s3".into()],
                }],
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
                queue: None,
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
        vpc_endpoints: Some(Collected::Ok(vec![VpcEndpoint {
            id: format!("vpce-s3-{region}"),
            vpc_id: vpc.clone(),
            service_name: format!("com.amazonaws.{region}.s3"),
            endpoint_type: "Gateway".into(),
            state: "available".into(),
        }])),
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
            instance_profile: Some(INSTANCE_PROFILE.into()),
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
        access_analyzers: Some(Collected::Ok(vec![Analyzer {
            name: format!("external-{region}"),
            arn: format!("arn:aws:access-analyzer:{region}:{ACCT}:analyzer/external-{region}"),
            analyzer_type: "ACCOUNT".into(),
            status: "ACTIVE".into(),
            status_reason: None,
        }])),
        rds_instances: Some(Collected::Ok(vec![
            rds_instance(region, &format!("db-{region}"), None),
            rds_instance(region, &format!("aurora-{region}-1"), Some(&format!("aurora-{region}"))),
            rds_instance(region, &format!("aurora-{region}-2"), Some(&format!("aurora-{region}"))),
        ])),
        rds_clusters: Some(Collected::Ok(vec![RdsCluster {
            id: format!("aurora-{region}"),
            arn: format!("arn:aws:rds:{region}:{ACCT}:cluster:aurora-{region}"),
            engine: "aurora-mysql".into(),
            storage_encrypted: true,
            auto_minor_version_upgrade: None,
            publicly_accessible: None,
            multi_az: true,
            members: vec![format!("aurora-{region}-1"), format!("aurora-{region}-2")],
        }])),
        efs_file_systems: Some(Collected::Ok(vec![EfsFileSystem {
            id: format!("fs-{region}"),
            name: Some("shared".into()),
            arn: Some(format!("arn:aws:elasticfilesystem:{region}:{ACCT}:file-system/fs-{region}")),
            encrypted: true,
            kms_key_id: Some(format!("arn:aws:kms:{region}:{ACCT}:key/aws-{region}")),
        }])),
    }
}

pub(crate) const INSTANCE_PROFILE: &str = "arn:aws:iam::111122223333:instance-profile/app";

/// A credential report key slot: (active, created, last used) or None for an empty slot.
pub(crate) fn key(slot: u8, k: Option<(bool, &str, &str)>) -> ReportKey {
    match k {
        None => ReportKey {
            slot,
            active: false,
            last_rotated: "N/A".into(),
            last_used_date: "N/A".into(),
            ..Default::default()
        },
        Some((active, created, used)) => ReportKey {
            slot,
            active,
            last_rotated: created.into(),
            last_used_date: used.into(),
            last_used_region: if used == "N/A" { "N/A".into() } else { "us-east-1".into() },
            last_used_service: if used == "N/A" { "N/A".into() } else { "s3".into() },
        },
    }
}

/// A credential report row of user `name`: (password last used, password set) when it has a
/// console password, MFA, and its two key slots.
pub(crate) fn user_row(
    name: &str,
    password: Option<(&str, &str)>,
    mfa: bool,
    keys: [Option<(bool, &str, &str)>; 2],
) -> CredentialRow {
    CredentialRow {
        user: name.into(),
        arn: format!("arn:aws:iam::{ACCT}:user/{name}"),
        user_creation_time: "2025-01-10T08:00:00+00:00".into(),
        password_enabled: if password.is_some() { "true" } else { "false" }.into(),
        password_last_used: password.map_or("N/A", |p| p.0).into(),
        password_last_changed: password.map_or("N/A", |p| p.1).into(),
        mfa_active: mfa,
        access_keys: vec![key(1, keys[0]), key(2, keys[1])],
    }
}

/// The root user's row: MFA on, no keys, password last used months before the collection.
pub(crate) fn root_row() -> CredentialRow {
    CredentialRow {
        user: "<root_account>".into(),
        arn: format!("arn:aws:iam::{ACCT}:root"),
        user_creation_time: "2024-03-01T00:00:00+00:00".into(),
        password_enabled: "not_supported".into(),
        password_last_used: "2026-06-01T10:00:00+00:00".into(),
        password_last_changed: "not_supported".into(),
        mfa_active: true,
        access_keys: vec![key(1, None), key(2, None)],
    }
}

/// The users of the compliant account: a console user with MFA who uses her one key, and a
/// deployment user with one recent, used key and no password.
pub(crate) fn compliant_rows() -> Vec<CredentialRow> {
    vec![
        root_row(),
        user_row(
            "alice",
            Some(("2026-11-20T09:00:00+00:00", "2026-10-01T09:00:00+00:00")),
            true,
            [Some((true, "2026-10-01T09:00:00+00:00", "2026-11-22T12:00:00+00:00")), None],
        ),
        user_row("deploy", None, false, [Some((true, "2026-09-15T00:00:00+00:00", "2026-11-21T06:00:00+00:00")), None]),
    ]
}

pub(crate) fn managed_policy(name: &str, aws: bool, attachments: i32, doc: serde_json::Value) -> ManagedPolicy {
    ManagedPolicy {
        arn: if aws { format!("arn:aws:iam::aws:policy/{name}") } else { format!("arn:aws:iam::{ACCT}:policy/{name}") },
        name: name.into(),
        aws_managed: aws,
        attachment_count: attachments,
        default_version: "v1".into(),
        document: Some(Collected::Ok(doc.to_string())),
    }
}

/// A compliant RDS instance: encrypted, minor upgrades on, private, Multi-AZ (standalone); a
/// member of `cluster` in its zone `a` or `b` (the second one).
pub(crate) fn rds_instance(region: &str, id: &str, cluster: Option<&str>) -> RdsInstance {
    RdsInstance {
        id: id.into(),
        arn: format!("arn:aws:rds:{region}:{ACCT}:db:{id}"),
        engine: if cluster.is_some() { "aurora-mysql".into() } else { "postgres".into() },
        status: Some("available".into()),
        cluster: cluster.map(str::to_string),
        storage_encrypted: true,
        auto_minor_version_upgrade: true,
        publicly_accessible: Some(false),
        multi_az: cluster.is_none(),
        availability_zone: Some(format!("{region}{}", if id.ends_with("-2") { "b" } else { "a" })),
    }
}

/// The policy of a compliant bucket: plain HTTP denied on the bucket and its objects; the trail
/// bucket also lets CloudTrail write.
pub(crate) fn bucket_policy(bucket: &str) -> String {
    let mut statements = vec![serde_json::json!({
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}})];
    if bucket == "trail-bucket" {
        statements.push(serde_json::json!({
            "Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/{ACCT}/*"),
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}));
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// A compliant bucket: TLS-only policy, owner-only ACL, Block Public Access, versioning with
/// MFA Delete, default encryption, server access logging.
pub(crate) fn bucket(name: &str, region: &str) -> S3Bucket {
    S3Bucket {
        name: name.into(),
        region: Some(Collected::Ok(region.into())),
        policy: Some(Collected::Ok(Some(bucket_policy(name)))),
        acl: Some(Collected::Ok(vec![AclGrant {
            grantee_type: "CanonicalUser".into(),
            uri: None,
            id: Some("owner-canonical-id".into()),
            permission: "FULL_CONTROL".into(),
        }])),
        public_access_block: Some(Collected::Ok(Some(PublicAccessBlock::ALL))),
        versioning: Some(Collected::Ok(BucketVersioning {
            status: Some("Enabled".into()),
            mfa_delete: Some("Enabled".into()),
        })),
        encryption: Some(Collected::Ok(Some(vec!["aws:kms".into()]))),
        logging: Some(Collected::Ok(Some(BucketLogging {
            target_bucket: format!("access-logs-{ACCT}"),
            target_prefix: format!("{name}/"),
        }))),
    }
}

/// The fixture account's bucket `name`.
pub(crate) fn bucket_of<'a>(inv: &'a mut Inventory, name: &str) -> &'a mut S3Bucket {
    let Some(Collected::Ok(list)) = inv.accounts[0].account_wide.buckets.as_mut() else { panic!("no buckets") };
    let Some(b) = list.iter_mut().find(|b| b.name == name) else { panic!("the fixture has no bucket {name}") };
    b
}

/// A compliant account's account-wide settings: a password policy stricter than every
/// version asks; a root user with hardware MFA and no keys; users who meet every credential
/// requirement and get their permissions from groups; no administrator policy; AWSSupportAccess
/// on a role and AWSCloudShellFullAccess on nobody; one valid server certificate; an instance
/// profile with a role; every alternate contact; centralised root access; an identity provider;
/// two compliant buckets (the trail's, and a data bucket in eu-west-1); the account's Block Public
/// Access all on.
pub(crate) fn account_resources() -> AccountResources {
    let user = |name: &str| IamUser {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCT}:user/{name}"),
        attached_policies: Collected::Ok(vec![]),
        inline_policies: Collected::Ok(vec![]),
    };
    let contact = |t: &str, name: &str| AlternateContactRead {
        contact_type: t.into(),
        contact: Collected::Ok(Some(AlternateContact {
            name: name.into(),
            email: format!("{}@example.com", t.to_ascii_lowercase()),
            phone: "+1-555-0100".into(),
            title: t.into(),
        })),
    };
    AccountResources {
        credential_report: Some(Collected::Ok(CredentialReport {
            generated_at: "2026-11-22T23:50:00Z".into(),
            rows: compliant_rows(),
        })),
        account_summary: Some(Collected::Ok(
            [("AccountMFAEnabled", 1), ("AccountAccessKeysPresent", 0), ("AccountPasswordPresent", 1), ("Users", 2)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )),
        virtual_mfa_devices: Some(Collected::Ok(vec![VirtualMfaDevice {
            serial_number: format!("arn:aws:iam::{ACCT}:mfa/alice"),
            user_arn: Some(format!("arn:aws:iam::{ACCT}:user/alice")),
            enable_date: Some("2025-01-10T08:05:00Z".into()),
        }])),
        users: Some(Collected::Ok(vec![user("alice"), user("deploy")])),
        policies: Some(Collected::Ok(vec![
            managed_policy(
                "s3-read",
                false,
                1,
                serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]}),
            ),
            managed_policy(
                "AWSSupportAccess",
                true,
                1,
                serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["support:*"], "Resource": "*"}]}),
            ),
        ])),
        policy_entities: vec![
            PolicyAttachments {
                policy_arn: "arn:aws:iam::aws:policy/AWSSupportAccess".into(),
                entities: Collected::Ok(Some(PolicyEntities {
                    roles: vec!["aws-support".into()],
                    ..Default::default()
                })),
            },
            PolicyAttachments {
                policy_arn: "arn:aws:iam::aws:policy/AWSCloudShellFullAccess".into(),
                entities: Collected::Ok(Some(PolicyEntities::default())),
            },
        ],
        server_certificates: Some(Collected::Ok(vec![ServerCertificate {
            name: "www".into(),
            arn: format!("arn:aws:iam::{ACCT}:server-certificate/www"),
            expiration: Some("2027-06-01T00:00:00Z".into()),
            upload_date: Some("2026-06-01T00:00:00Z".into()),
        }])),
        instance_profiles: Some(Collected::Ok(vec![InstanceProfile {
            name: "app".into(),
            arn: INSTANCE_PROFILE.into(),
            roles: vec![format!("arn:aws:iam::{ACCT}:role/app")],
        }])),
        alternate_contacts: vec![
            contact("SECURITY", "Security Team"),
            contact("BILLING", "Finance"),
            contact("OPERATIONS", "Operations"),
        ],
        organizations_features: Some(Collected::Ok(OrganizationsFeatures {
            organization_id: Some("o-exampleorgid".into()),
            enabled_features: vec!["RootCredentialsManagement".into(), "RootSessions".into()],
            unavailable: None,
        })),
        identity_providers: Some(Collected::Ok(vec![format!("arn:aws:iam::{ACCT}:saml-provider/corp-idp")])),
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
        buckets: Some(Collected::Ok(vec![
            bucket("trail-bucket", "us-east-1"),
            bucket("data-111122223333", "eu-west-1"),
        ])),
        other_buckets: vec![],
        s3_public_access_block: Some(Collected::Ok(Some(PublicAccessBlock::ALL))),
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
            queue: None,
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
