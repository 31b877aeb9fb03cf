//! The inventory: everything the collectors gathered, as plain serde structs of our own.
//!
//! No SDK type crosses this line. An inventory can be saved (`--save-inventory`) and evaluated
//! later, offline (`--inventory`): the checks are pure functions of it.

use crate::aws::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the saved-inventory format; bumped on any incompatible change. Version 1 files
/// (before accounts could fail on their own and selectors kept their data resources) still load.
pub(crate) const INVENTORY_SCHEMA_VERSION: u32 = 2;

/// The outcome of one collection step: the data, or the AWS error that prevented it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collected<T> {
    Ok(T),
    Error(CollectError),
}

impl<T> From<Result<T, CollectError>> for Collected<T> {
    fn from(r: Result<T, CollectError>) -> Self {
        match r {
            Ok(v) => Collected::Ok(v),
            Err(e) => Collected::Error(e),
        }
    }
}

impl<T> Collected<T> {
    pub(crate) fn into_result(self) -> Result<T, CollectError> {
        match self {
            Collected::Ok(v) => Ok(v),
            Collected::Error(e) => Err(e),
        }
    }
}

/// Why a collection step failed: the API operation, where, and AWS's error code and message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectError {
    /// `service:Operation`, e.g. `logs:DescribeMetricFilters`.
    pub operation: String,
    pub account: String,
    pub region: Option<String>,
    /// AWS error code (`AccessDeniedException`, `ThrottlingException`, …) or one of ours:
    /// `ConnectionError`, `Timeout`, `ResponseError`.
    pub code: String,
    pub message: String,
}

impl CollectError {
    pub fn new(operation: &str, account: &str, region: Option<&str>, e: ApiError) -> Self {
        CollectError {
            operation: operation.to_string(),
            account: account.to_string(),
            region: region.map(str::to_string),
            code: e.code,
            message: e.message,
        }
    }

    /// The resource asked about does not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        ApiError::new(self.code.clone(), String::new()).is_not_found()
    }
}

impl std::error::Error for CollectError {}

impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failed in account {}", self.operation, self.account)?;
        if let Some(r) = &self.region {
            write!(f, ", {r}")?;
        }
        write!(f, ": {}", self.code)?;
        if !self.message.is_empty() {
            write!(f, " ({})", self.message)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub schema_version: u32,
    pub tool_version: String,
    /// RFC 3339 time the collection started.
    pub collected_at: String,
    pub accounts: Vec<AccountInventory>,
    /// Metric filters per CloudWatch Logs group referenced by a trail.
    pub log_groups: Vec<LogGroupInventory>,
    /// Metric alarms per (account, region, namespace, metric name) published by a metric filter.
    pub metric_alarms: Vec<MetricAlarmsInventory>,
    /// SNS topics named by an alarm action or a rule target.
    pub topics: Vec<TopicInventory>,
    /// KMS keys those topics are encrypted with (customer managed or unknown ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kms_keys: Vec<KmsKeyInventory>,
    /// Logical API calls made, by `service:Operation`.
    pub api_calls: BTreeMap<String, u64>,
    /// The organization, when the audit discovered it (`--organization`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationInventory>,
    /// Accounts of the organization left out (closed, excluded, another shard), and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unaudited: Vec<UnauditedAccount>,
    /// Things the collection could not do as asked, each one line (e.g. a region list that could
    /// not be read, so the default regions were audited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// What the accounts' own history shows of the monitoring chains (`--evidence-days`); None:
    /// not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryInventory>,
}

/// The history of the monitoring chains over a period: each chain alarm's history
/// (`DescribeAlarmHistory`) and, per account and region, the totals of the chains' own metrics
/// (`GetMetricData`): each filter's metric, each notified topic's `AWS/SNS`
/// `NumberOfNotificationsDelivered` / `NumberOfNotificationsFailed`, each rule's `AWS/Events`
/// `TriggeredRules` / `Invocations` / `FailedInvocations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryInventory {
    /// The period, in days, ending at `end`.
    pub days: u32,
    /// RFC 3339.
    pub start: String,
    pub end: String,
    pub alarms: Vec<AlarmHistory>,
    pub metrics: Vec<RegionMetrics>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmHistory {
    pub account: String,
    pub region: String,
    pub alarm: String,
    pub items: Collected<Vec<AlarmHistoryItem>>,
}

/// One entry of an alarm's history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmHistoryItem {
    /// RFC 3339.
    pub timestamp: String,
    /// `StateUpdate`, `Action`, `ConfigurationUpdate`.
    pub item_type: String,
    /// "Alarm updated from OK to ALARM", "Successfully executed action arn:…", "Failed to
    /// execute action arn:…".
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionMetrics {
    pub account: String,
    pub region: String,
    pub metrics: Collected<Vec<MetricTotal>>,
}

/// A metric's total (Sum) over the period, from daily data points.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricTotal {
    pub namespace: String,
    pub metric_name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, String>,
    pub total: f64,
    /// Days with a data point.
    pub datapoints: u32,
}

impl HistoryInventory {
    /// The total of a metric in (account, region), when its region's read succeeded: Some(None)
    /// when the metric had no data point.
    pub(crate) fn metric(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        name: &str,
        dims: &[(&str, &str)],
    ) -> Option<Result<Option<&MetricTotal>, &CollectError>> {
        let r = self.metrics.iter().find(|m| m.account == account && m.region == region)?;
        Some(match &r.metrics {
            Collected::Error(e) => Err(e),
            Collected::Ok(list) => Ok(list.iter().find(|m| {
                m.namespace == namespace
                    && m.metric_name == name
                    && m.dimensions.len() == dims.len()
                    && dims.iter().all(|(k, v)| m.dimensions.get(*k).map(String::as_str) == Some(*v))
            })),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountInventory {
    pub account_id: String,
    /// `aws`, `aws-us-gov`, `aws-cn`.
    pub partition: String,
    /// ARN of the identity that collected this account.
    pub caller_arn: String,
    /// The role assumed to read the account, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Collected only as evidence for other accounts (the management account of an organization
    /// audited by another shard, or excluded): it gets no verdicts of its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub support: bool,
    /// Set when the account could not be read at all (its role could not be assumed): every
    /// control of the account is then ERROR with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CollectError>,
    /// Regions audited, and where that list came from.
    pub regions: Vec<String>,
    pub regions_source: String,
    /// `DescribeTrails` (shadow trails included) per audited region.
    pub trails_by_region: Vec<RegionTrails>,
    /// Every distinct trail seen, with status and selectors read in its home region.
    pub trails: Vec<Trail>,
    /// AWS Config per audited region.
    pub config: Vec<RegionConfig>,
    /// EventBridge rules on the default bus per audited region (the real-time alert route).
    #[serde(default)]
    pub event_rules: Vec<RegionRules>,
    /// Per region, what the checks beyond the monitoring chain read (security groups, network
    /// ACLs, flow logs, EBS encryption, instances, KMS keys, Security Hub …): only the reads the
    /// selected controls need.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<RegionResources>,
    /// What is read once for the whole account (IAM, S3's buckets, account settings): only the
    /// reads the selected controls need.
    #[serde(default, skip_serializing_if = "AccountResources::is_empty")]
    pub account_wide: AccountResources,
    /// What remediation needs to know beyond the audit (read only with `--remediate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<RemediationFacts>,
}

/// One region's resources (see [`AccountInventory::resources`]); None: not read (no selected
/// control needs it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionResources {
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Collected<Vec<SecurityGroup>>>,
    /// The network interfaces of the security groups that allow something from anywhere (what
    /// is attached to them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interfaces: Option<Collected<Vec<NetworkInterface>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_acls: Option<Collected<Vec<NetworkAcl>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpcs: Option<Collected<Vec<Vpc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_logs: Option<Collected<Vec<FlowLog>>>,
    /// `GetEbsEncryptionByDefault`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebs_encryption_by_default: Option<Collected<bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<Collected<Vec<Instance>>>,
    /// `DescribeVpcEndpoints`: every VPC endpoint of the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_endpoints: Option<Collected<Vec<VpcEndpoint>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_connections: Option<Collected<Vec<PeeringConnection>>>,
    /// The route tables with a route through a peering connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_routes: Option<Collected<Vec<RouteTable>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_keys: Option<Collected<Vec<KmsKeyDetails>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_hub: Option<Collected<SecurityHubState>>,
    /// IAM Access Analyzer's `ListAnalyzers` (every type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_analyzers: Option<Collected<Vec<Analyzer>>>,
    /// `DescribeDBInstances`: every RDS instance of the region (Aurora members included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rds_instances: Option<Collected<Vec<RdsInstance>>>,
    /// `DescribeDBClusters`: Aurora and Multi-AZ DB clusters of the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rds_clusters: Option<Collected<Vec<RdsCluster>>>,
    /// `DescribeFileSystems`: every EFS file system of the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efs_file_systems: Option<Collected<Vec<EfsFileSystem>>>,
}

/// An RDS DB instance (`DescribeDBInstances`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RdsInstance {
    pub id: String,
    pub arn: String,
    pub engine: String,
    /// `available`, `stopped` …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The DB cluster it belongs to (an Aurora member, or a Multi-AZ DB cluster's instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    pub storage_encrypted: bool,
    pub auto_minor_version_upgrade: bool,
    /// None: AWS did not say (it always does; moto omits it when it was not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publicly_accessible: Option<bool>,
    pub multi_az: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
}

/// An RDS DB cluster (`DescribeDBClusters`): Aurora, or a Multi-AZ DB cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RdsCluster {
    pub id: String,
    pub arn: String,
    pub engine: String,
    pub storage_encrypted: bool,
    /// Set for Multi-AZ DB clusters (Aurora keeps it per instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_minor_version_upgrade: Option<bool>,
    /// Set for Multi-AZ DB clusters (Aurora keeps it per instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publicly_accessible: Option<bool>,
    pub multi_az: bool,
    /// `DBClusterMembers`: the member instances' ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// An EFS file system (`DescribeFileSystems`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EfsFileSystem {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub encrypted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// An IAM Access Analyzer analyzer of a region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analyzer {
    pub name: String,
    pub arn: String,
    /// `ACCOUNT`, `ORGANIZATION` (external access), `ACCOUNT_UNUSED_ACCESS`, …
    #[serde(rename = "type")]
    pub analyzer_type: String,
    /// `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
}

/// An EC2 security group and its rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<IpRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<IpRule>,
}

/// One permission of a security group, as EC2 returns it (`IpPermission`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IpRule {
    /// `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6`, or a protocol number.
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv4: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<String>,
    /// Security groups the rule refers to (`UserIdGroupPairs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub id: String,
    pub groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    pub is_default: bool,
    pub entries: Vec<AclEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AclEntry {
    pub rule_number: i32,
    /// `-1` (all), or a protocol number (`6` TCP, `17` UDP, …).
    pub protocol: String,
    /// `allow` or `deny`.
    pub action: String,
    pub egress: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    pub is_default: bool,
}

/// A VPC endpoint (`DescribeVpcEndpoints`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    pub id: String,
    pub vpc_id: String,
    /// `com.amazonaws.<region>.s3` …
    pub service_name: String,
    /// `Gateway`, `Interface`, `GatewayLoadBalancer`, …
    pub endpoint_type: String,
    /// `available`, `pending`, `rejected`, …
    pub state: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowLog {
    pub id: String,
    /// The VPC, subnet or network interface it logs.
    pub resource_id: String,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: String,
    /// `ACTIVE` …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `SUCCESS` or `FAILED` (with the error in `deliver_error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_error: Option<String>,
    /// `cloud-watch-logs`, `s3`, `kinesis-data-firehose`, and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    /// `running`, `stopped` …
    pub state: String,
    /// `MetadataOptions.HttpTokens`: `required` (IMDSv2 only) or `optional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_tokens: Option<String>,
    /// `MetadataOptions.HttpEndpoint`: `enabled` or `disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// The instance profile's ARN, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profile: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PeeringConnection {
    pub id: String,
    pub status: String,
    pub requester_vpc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_cidr: Option<String>,
    pub requester_owner: String,
    pub accepter_vpc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepter_cidr: Option<String>,
    pub accepter_owner: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    pub id: String,
    pub vpc_id: String,
    pub routes: Vec<Route>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub destination: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_connection: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// A KMS key of a region (`ListKeys`, `DescribeKey`) and, for an enabled customer managed
/// symmetric key, its rotation (`GetKeyRotationStatus`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KmsKeyDetails {
    pub key_id: String,
    pub arn: String,
    /// `AWS` or `CUSTOMER` (None: `DescribeKey` failed, see `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, `HMAC_256` …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport` …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// `DescribeKey` of this key failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CollectError>,
    /// Read only for enabled customer managed symmetric keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Collected<bool>>,
}

/// What is read once per account, not per region (see [`AccountInventory::account_wide`]);
/// None: not read (no selected control needs it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountResources {
    /// `iam:GetAccountPasswordPolicy`: Ok(None) when the account has none (`NoSuchEntity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<Collected<Option<PasswordPolicy>>>,
    /// `iam:GenerateCredentialReport` (polled until COMPLETE), then `iam:GetCredentialReport`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_report: Option<Collected<CredentialReport>>,
    /// `iam:GetAccountSummary`'s SummaryMap (`AccountMFAEnabled`, `AccountAccessKeysPresent`,
    /// `AccountPasswordPresent` where AWS reports it, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_summary: Option<Collected<BTreeMap<String, i64>>>,
    /// `iam:ListVirtualMFADevices` (assigned and unassigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_mfa_devices: Option<Collected<Vec<VirtualMfaDevice>>>,
    /// `iam:ListUsers`, and per user `ListAttachedUserPolicies` and `ListUserPolicies`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Collected<Vec<IamUser>>>,
    /// `iam:ListPolicies`: every customer managed policy (`Scope=Local`) and the AWS managed
    /// policies attached to something (`Scope=AWS`, `OnlyAttached`), each with its default
    /// version's document (`GetPolicyVersion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Collected<Vec<ManagedPolicy>>>,
    /// `iam:ListEntitiesForPolicy` of the AWS managed policies the benchmark names
    /// (`AWSSupportAccess`, `AWSCloudShellFullAccess`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_entities: Vec<PolicyAttachments>,
    /// `iam:ListServerCertificates`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_certificates: Option<Collected<Vec<ServerCertificate>>>,
    /// `iam:ListInstanceProfiles` (with the roles each holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profiles: Option<Collected<Vec<InstanceProfile>>>,
    /// `account:GetAlternateContact` for SECURITY, BILLING and OPERATIONS.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternate_contacts: Vec<AlternateContactRead>,
    /// `iam:ListOrganizationsFeatures`: centralised root access in AWS Organizations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizations_features: Option<Collected<OrganizationsFeatures>>,
    /// `iam:ListSAMLProviders` and `iam:ListOpenIDConnectProviders` (ARNs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_providers: Option<Collected<Vec<String>>>,
    /// `s3:ListAllMyBuckets` (ListBuckets): the account's own buckets, each with the reads the
    /// selected controls need.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buckets: Option<Collected<Vec<S3Bucket>>>,
    /// Buckets a trail of the account delivers to that ListBuckets did not list (they belong to
    /// another account), read with this account's credentials.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_buckets: Vec<S3Bucket>,
    /// S3 Control `GetPublicAccessBlock` for the account: Ok(None) when it has none
    /// (`NoSuchPublicAccessBlockConfiguration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_public_access_block: Option<Collected<Option<PublicAccessBlock>>>,
}

/// The four Block Public Access settings (of the account, or of a bucket).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    pub(crate) fn all_on(&self) -> bool {
        *self == PublicAccessBlock::ALL
    }

    /// The settings that are off, by their API names.
    pub(crate) fn off(&self) -> Vec<&'static str> {
        [
            (self.block_public_acls, "BlockPublicAcls"),
            (self.ignore_public_acls, "IgnorePublicAcls"),
            (self.block_public_policy, "BlockPublicPolicy"),
            (self.restrict_public_buckets, "RestrictPublicBuckets"),
        ]
        .into_iter()
        .filter(|(on, _)| !on)
        .map(|(_, n)| n)
        .collect()
    }
}

/// An S3 bucket and what was read of it (None: not read, no selected control needs it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct S3Bucket {
    pub name: String,
    /// Its region: `BucketRegion` of ListBuckets, else `GetBucketLocation`. Every other read is
    /// made there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Collected<String>>,
    /// `GetBucketPolicy`: the policy text, Ok(None) for `NoSuchBucketPolicy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Collected<Option<String>>>,
    /// `GetBucketAcl`: its grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Collected<Vec<AclGrant>>>,
    /// `GetPublicAccessBlock` of the bucket: Ok(None) for `NoSuchPublicAccessBlockConfiguration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<Collected<Option<PublicAccessBlock>>>,
    /// `GetBucketVersioning`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<Collected<BucketVersioning>>,
    /// `GetBucketEncryption`: the default encryption algorithms of its rules (`AES256`,
    /// `aws:kms`, `aws:kms:dsse`); Ok(None) for `ServerSideEncryptionConfigurationNotFoundError`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Collected<Option<Vec<String>>>>,
    /// `GetBucketLogging`: where its server access logs go; Ok(None) when logging is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Collected<Option<BucketLogging>>>,
}

/// One grant of a bucket ACL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AclGrant {
    /// `CanonicalUser`, `Group`, `AmazonCustomerByEmail`.
    pub grantee_type: String,
    /// A group's URI (`http://acs.amazonaws.com/groups/global/AllUsers` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`.
    pub permission: String,
}

/// `GetBucketVersioning`: both None when versioning was never configured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketVersioning {
    /// `Enabled` or `Suspended`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_delete: Option<String>,
}

/// `GetBucketLogging`'s `LoggingEnabled`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketLogging {
    pub target_bucket: String,
    #[serde(default)]
    pub target_prefix: String,
}

/// The IAM credential report: when IAM generated it, and its rows, `<root_account>` first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CredentialReport {
    /// `GeneratedTime` (RFC 3339): the report reflects the account at that time (IAM keeps a
    /// report up to four hours before it generates a new one).
    pub generated_at: String,
    pub rows: Vec<CredentialRow>,
}

/// One row of the credential report, its values as the report writes them (`N/A`,
/// `no_information`, `not_supported` kept: they mean different things).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CredentialRow {
    pub user: String,
    pub arn: String,
    pub user_creation_time: String,
    /// `true`, `false`, or `not_supported` (the root user).
    pub password_enabled: String,
    pub password_last_used: String,
    pub password_last_changed: String,
    pub mfa_active: bool,
    /// access_key_1 and access_key_2.
    pub access_keys: Vec<ReportKey>,
}

impl CredentialRow {
    pub fn is_root(&self) -> bool {
        self.user == "<root_account>"
    }
    pub fn has_password(&self) -> bool {
        self.password_enabled == "true"
    }
}

/// The columns of one access key slot of a credential report row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportKey {
    /// 1 or 2.
    pub slot: u8,
    pub active: bool,
    /// When the key was created or last rotated; `N/A`: no key in this slot.
    pub last_rotated: String,
    /// `N/A`: never used (or no key).
    pub last_used_date: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_used_region: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_used_service: String,
}

impl ReportKey {
    /// Whether a key is in this slot (active or not).
    pub fn exists(&self) -> bool {
        self.active || !matches!(self.last_rotated.as_str(), "N/A" | "")
    }
}

/// A virtual MFA device (`ListVirtualMFADevices`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VirtualMfaDevice {
    pub serial_number: String,
    /// The ARN of the user it is assigned to (`arn:…:root` for the root user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_date: Option<String>,
}

/// An IAM user and the policies attached to it directly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamUser {
    pub name: String,
    pub arn: String,
    /// `ListAttachedUserPolicies`: managed policy ARNs.
    pub attached_policies: Collected<Vec<String>>,
    /// `ListUserPolicies`: inline policy names.
    pub inline_policies: Collected<Vec<String>>,
}

/// A managed policy and its default version's document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    /// An AWS managed policy (`arn:…:iam::aws:policy/…`).
    #[serde(default)]
    pub aws_managed: bool,
    pub attachment_count: i32,
    pub default_version: String,
    /// The default version's document, URL-decoded JSON text (None: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Collected<String>>,
}

/// The users, groups and roles a managed policy is attached to (`ListEntitiesForPolicy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyAttachments {
    pub policy_arn: String,
    /// Ok(None): the policy does not exist in the partition (`NoSuchEntity`).
    pub entities: Collected<Option<PolicyEntities>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyEntities {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl PolicyEntities {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty() && self.roles.is_empty()
    }
}

/// A server certificate stored in IAM (`ListServerCertificates`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerCertificate {
    pub name: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_date: Option<String>,
}

/// An instance profile and the roles it holds (`ListInstanceProfiles`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceProfile {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// One `GetAlternateContact` call: Ok(None) when none is registered (`ResourceNotFoundException`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlternateContactRead {
    /// `SECURITY`, `BILLING`, `OPERATIONS`.
    pub contact_type: String,
    pub contact: Collected<Option<AlternateContact>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlternateContact {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub title: String,
}

/// `ListOrganizationsFeatures`: the organization and the centralised root access features on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationsFeatures {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// `RootCredentialsManagement`, `RootSessions`.
    #[serde(default)]
    pub enabled_features: Vec<String>,
    /// Why there is nothing to list (the AWS error code: not in an organization, IAM's trusted
    /// access not enabled, not the management account …), when that is the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

impl AccountResources {
    pub fn is_empty(&self) -> bool {
        *self == AccountResources::default()
    }
}

/// The account's IAM password policy, as `GetAccountPasswordPolicy` returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_password_length: Option<i32>,
    #[serde(default)]
    pub require_symbols: bool,
    #[serde(default)]
    pub require_numbers: bool,
    #[serde(default)]
    pub require_uppercase_characters: bool,
    #[serde(default)]
    pub require_lowercase_characters: bool,
    #[serde(default)]
    pub allow_users_to_change_password: bool,
    #[serde(default)]
    pub expire_passwords: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_password_age: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reuse_prevention: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard_expiry: Option<bool>,
}

/// `DescribeHub`: Security Hub enabled in the region, or not subscribed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityHubState {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed_at: Option<String>,
}

/// What happened to an account of the scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeState {
    #[default]
    Audited,
    /// Left out with `--exclude-accounts`, or not among `--accounts`.
    Excluded,
    /// A closed (SUSPENDED) account of the organization.
    Suspended,
    /// Audited by another shard (`--shard K/N`).
    OtherShard,
    /// Could not be read (its role could not be assumed): its verdicts are ERROR.
    Failed,
}

impl ScopeState {
    pub(crate) fn is_audited(&self) -> bool {
        *self == ScopeState::Audited
    }
}

/// An account of the organization that was not audited, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnauditedAccount {
    pub account: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub state: ScopeState,
    pub reason: String,
}

/// An AWS Organization and its accounts, as `ListAccounts` returned them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationInventory {
    pub id: String,
    pub management_account: String,
    /// The account that discovered it (the management account or a delegated administrator).
    pub caller_account: String,
    pub accounts: Vec<OrgAccount>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgAccount {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE` …
    pub status: String,
    /// Where the account sits in the organization: the root's name and the organizational
    /// units down to the account's, joined by `/` (`Root/Prod/Web`). None: not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ou: Option<String>,
}

impl OrganizationInventory {
    /// Whether `account` is a member (not the management account) of this organization.
    pub(crate) fn is_member(&self, account: &str) -> bool {
        account != self.management_account && self.accounts.iter().any(|a| a.id == account)
    }
}

/// The reads a remediation plan needs beyond the audit's, per account: whether the log group a
/// new trail would deliver to exists (and its filters), every metric alarm of the regions where
/// alarms would be added, and the topic `--topic-name` in every audited region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RemediationFacts {
    pub log_groups: Vec<LogGroupLookup>,
    pub alarms: Vec<RegionAlarms>,
    pub topics: Vec<TopicInventory>,
}

/// `DescribeLogGroups` for one name: does the group exist. (When it does, its metric filters are
/// in [`Inventory::log_groups`].)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogGroupLookup {
    pub region: String,
    pub name: String,
    pub exists: Collected<bool>,
}

/// Every metric alarm of a region (`DescribeAlarms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionAlarms {
    pub region: String,
    pub alarms: Collected<Vec<MetricAlarm>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionRules {
    pub region: String,
    pub rules: Collected<Vec<EventRule>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventRule {
    pub name: String,
    pub arn: String,
    /// `ENABLED`, `DISABLED`, `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    pub state: String,
    pub event_pattern: Option<String>,
    pub managed_by: Option<String>,
    /// Targets; read only for enabled rules with an event pattern.
    pub targets: Option<Collected<Vec<RuleTarget>>>,
}

/// One target of a rule. (Version 1 inventories hold the ARN alone.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "TargetRepr")]
pub struct RuleTarget {
    pub id: String,
    pub arn: String,
    /// The role EventBridge sends with, if any (then the topic policy does not decide).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_transformer: Option<InputTransformer>,
    /// `Input`: constant JSON text sent instead of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// `InputPath`: the part of the event sent (a JSONPath such as `$.detail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputTransformer {
    #[serde(default)]
    pub input_paths_map: BTreeMap<String, String>,
    pub input_template: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TargetRepr {
    Arn(String),
    Full {
        #[serde(default)]
        id: String,
        arn: String,
        #[serde(default)]
        role_arn: Option<String>,
        #[serde(default)]
        input_transformer: Option<InputTransformer>,
        #[serde(default)]
        input: Option<String>,
        #[serde(default)]
        input_path: Option<String>,
    },
}

impl From<TargetRepr> for RuleTarget {
    fn from(r: TargetRepr) -> Self {
        match r {
            TargetRepr::Arn(arn) => RuleTarget { arn, ..Default::default() },
            TargetRepr::Full { id, arn, role_arn, input_transformer, input, input_path } => {
                RuleTarget { id, arn, role_arn, input_transformer, input, input_path }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionTrails {
    pub region: String,
    /// ARNs of the trails `DescribeTrails` returned in this region.
    pub trails: Collected<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trail {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    /// Account that owns the trail (from its ARN): differs from the audited account for an
    /// organization trail seen from a member account.
    pub owner_account: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    pub s3_bucket: Option<String>,
    pub log_group_arn: Option<String>,
    pub cloudwatch_logs_role_arn: Option<String>,
    /// `LogFileValidationEnabled` (absent from inventories before it was read: false).
    #[serde(default)]
    pub log_file_validation: bool,
    /// `KmsKeyId`: the key the trail's log files are encrypted with (SSE-KMS), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub status: Option<Collected<TrailStatus>>,
    pub selectors: Option<Collected<TrailSelectors>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_error: Option<String>,
    pub latest_cloudwatch_logs_delivery_error: Option<String>,
    pub latest_cloudwatch_logs_delivery_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrailSelectors {
    pub event_selectors: Vec<EventSelector>,
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`; None when AWS omitted it.
    pub read_write_type: Option<String>,
    pub include_management_events: Option<bool>,
    pub exclude_management_event_sources: Vec<String>,
    /// Data events the selector records (kept so that remediation never drops them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_resources: Vec<DataResource>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataResource {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<FieldSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldSelector {
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

impl FieldSelector {
    /// A `readOnly` selector's value: `Some(true)` read events only, `Some(false)` write events
    /// only (`Equals` the value, or `NotEquals` the other one); None when it says neither.
    pub fn read_only(&self) -> Option<bool> {
        let only = self
            .equals
            .first()
            .map(|v| v.as_str())
            .or_else(|| self.not_equals.first().map(|v| if v == "true" { "false" } else { "true" }));
        match only {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionConfig {
    pub region: String,
    pub recorders: Collected<Vec<ConfigRecorder>>,
    pub recorder_statuses: Collected<Vec<ConfigRecorderStatus>>,
    pub delivery_channels: Collected<Vec<DeliveryChannel>>,
}

/// An AWS Config delivery channel. (Version 1 inventories hold the name alone.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "ChannelRepr")]
pub struct DeliveryChannel {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ChannelRepr {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        bucket: Option<String>,
    },
}

impl From<ChannelRepr> for DeliveryChannel {
    fn from(r: ChannelRepr) -> Self {
        match r {
            ChannelRepr::Name(name) => DeliveryChannel { name, bucket: None },
            ChannelRepr::Full { name, bucket } => DeliveryChannel { name, bucket },
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigRecorder {
    pub name: String,
    pub role_arn: Option<String>,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    /// `ALL_SUPPORTED_RESOURCE_TYPES`, `INCLUSION_BY_RESOURCE_TYPES`,
    /// `EXCLUSION_BY_RESOURCE_TYPES`, when AWS returned a recording strategy.
    pub recording_strategy: Option<String>,
    pub resource_types: Vec<String>,
    pub excluded_resource_types: Vec<String>,
    /// A service-linked recorder (`AWS::...` managed by another service), when AWS said so.
    pub service_principal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigRecorderStatus {
    pub name: String,
    pub recording: bool,
    /// `SUCCESS`, `FAILURE`, `PENDING` (as AWS or the emulator spelled it).
    pub last_status: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogGroupInventory {
    pub account: String,
    pub region: String,
    pub name: String,
    pub metric_filters: Collected<Vec<MetricFilter>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricFilter {
    pub name: String,
    pub pattern: String,
    pub transformations: Vec<MetricTransformation>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricTransformation {
    pub metric_name: String,
    pub metric_namespace: String,
    pub metric_value: String,
    pub default_value: Option<f64>,
    /// Dimension keys the filter publishes (values are taken from the event).
    pub dimensions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricAlarmsInventory {
    pub account: String,
    pub region: String,
    pub namespace: String,
    pub metric_name: String,
    pub alarms: Collected<Vec<MetricAlarm>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: Option<String>,
    pub metric_name: Option<String>,
    pub namespace: Option<String>,
    pub actions_enabled: bool,
    pub alarm_actions: Vec<String>,
    pub statistic: Option<String>,
    pub extended_statistic: Option<String>,
    pub comparison_operator: Option<String>,
    pub threshold: Option<f64>,
    pub evaluation_periods: Option<i32>,
    pub datapoints_to_alarm: Option<i32>,
    pub period: Option<i32>,
    /// Dimension names of the alarm's metric.
    pub dimensions: Vec<String>,
    pub state: Option<String>,
    /// `TreatMissingData`: `missing` (the default when absent), `notBreaching`, `breaching`,
    /// `ignore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<String>,
    /// `AlarmDescription` (part of the notification the alarm sends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicInventory {
    pub arn: String,
    /// `ListSubscriptionsByTopic`: an error `NotFound` means the topic does not exist.
    pub subscriptions: Collected<Vec<Subscription>>,
    /// `GetTopicAttributes`: the topic policy and its encryption key (read for the monitoring
    /// family's delivery checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Collected<TopicAttributes>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicAttributes {
    /// The topic's resource policy (JSON text, as AWS returns it).
    pub policy: Option<String>,
    /// `KmsMasterKeyId`: a key id, key ARN, alias or alias ARN; None: not encrypted.
    pub kms_master_key_id: Option<String>,
}

/// A KMS key a topic is encrypted with, as referenced by the topic (`DescribeKey`,
/// `GetKeyPolicy`), read in the key's account and region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmsKeyInventory {
    pub account: String,
    pub region: String,
    /// The reference the topic holds.
    pub key: String,
    pub details: Collected<KmsKey>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmsKey {
    pub arn: String,
    pub key_id: String,
    /// `AWS` (an AWS-managed key) or `CUSTOMER`.
    pub manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion` …
    pub state: Option<String>,
    /// The `default` key policy, or why it could not be read.
    pub policy: Collected<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    /// An ARN when confirmed; `PendingConfirmation` or `Deleted` otherwise.
    pub subscription_arn: String,
    pub protocol: String,
    pub endpoint: String,
    /// `GetSubscriptionAttributes`, read for each confirmed subscription of a topic the
    /// monitoring chain notifies (None: not read — pending, or an older inventory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Collected<SubscriptionAttributes>>,
    /// An `sqs` subscriber's queue (`GetQueueAttributes`), read beside its attributes (None:
    /// not read — another protocol, pending, or an older inventory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueInventory>,
}

/// The queue an `sqs` subscription delivers to, as its endpoint ARN names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueInventory {
    /// Read with the credentials of the queue's own account (it is audited): a queue it does
    /// not find does not exist. Otherwise read with the topic reader's, which SQS answers
    /// `NonExistentQueue` when it may not see the queue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub as_owner: bool,
    pub attributes: Collected<QueueAttributes>,
}

/// What decides whether SNS may deliver to a queue (`GetQueueAttributes`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueAttributes {
    /// `Policy` (JSON text); None: the queue has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `KmsMasterKeyId`: a key id, key ARN, alias or alias ARN; None: no SSE-KMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<String>,
}

/// What decides whether a confirmed subscription receives a message (`GetSubscriptionAttributes`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionAttributes {
    /// `FilterPolicy` (JSON text), when the subscription filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<String>,
    /// `FilterPolicyScope`: `MessageAttributes` (the default) or `MessageBody`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy_scope: Option<String>,
    /// `RawMessageDelivery`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raw_message_delivery: bool,
    /// `RedrivePolicy` (the dead-letter queue of undeliverable messages), JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redrive_policy: Option<String>,
    /// `PendingConfirmation` as the subscription itself reports it (`"true"`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending_confirmation: bool,
}

impl Subscription {
    /// Confirmed: the subscription ARN is an ARN (not `PendingConfirmation` or `Deleted`), as
    /// the CIS audit step 7 asks.
    pub(crate) fn is_confirmed(&self) -> bool {
        Arn::parse(&self.subscription_arn).is_some()
    }
    pub(crate) fn is_pending(&self) -> bool {
        self.subscription_arn == "PendingConfirmation"
    }
}

/// A parsed ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut it = s.splitn(6, ':');
        if it.next()? != "arn" {
            return None;
        }
        let partition = it.next()?;
        let service = it.next()?;
        let region = it.next()?;
        let account = it.next()?;
        let resource = it.next()?;
        if partition.is_empty() || service.is_empty() {
            return None;
        }
        Some(Arn { partition, service, region, account, resource })
    }
}

/// The (account, region, name) of a CloudWatch Logs group from its ARN
/// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]`.
pub(crate) fn log_group_from_arn(arn: &str) -> Option<(String, String, String)> {
    let a = Arn::parse(arn)?;
    if a.service != "logs" {
        return None;
    }
    let rest = a.resource.strip_prefix("log-group:")?;
    let name = rest.strip_suffix(":*").unwrap_or(rest);
    if name.is_empty() || a.region.is_empty() || a.account.is_empty() {
        return None;
    }
    Some((a.account.to_string(), a.region.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arn_parses_with_and_without_suffix() {
        assert_eq!(
            log_group_from_arn("arn:aws:logs:eu-west-1:111122223333:log-group:ct/logs:*"),
            Some(("111122223333".into(), "eu-west-1".into(), "ct/logs".into()))
        );
        assert_eq!(
            log_group_from_arn("arn:aws-us-gov:logs:us-gov-west-1:1:log-group:x"),
            Some(("1".into(), "us-gov-west-1".into(), "x".into()))
        );
        assert_eq!(log_group_from_arn("arn:aws:sns:us-east-1:1:topic"), None);
        assert_eq!(log_group_from_arn("not-an-arn"), None);
    }

    #[test]
    fn collected_serialises_as_ok_or_error() {
        let ok: Collected<u32> = Collected::Ok(3);
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"ok":3}"#);
        let back: Collected<u32> = serde_json::from_str(r#"{"ok":3}"#).unwrap();
        assert_eq!(back, ok);
    }
}
