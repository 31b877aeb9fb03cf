//! The inventory: every AWS read the product makes, gathered into serialisable structs of our
//! own ([`model`]); nothing here decides a verdict.
//!
//! [`collect`] is a dataflow, not a series of barriers: each call starts as soon as what it
//! needs is known, for each account on its own, under the runtime's global and per-account
//! bounds, and no call is made twice.
//! - An assumed role is assumed first ([`crate::aws::Session::establish`]); if that fails the
//!   account alone is marked failed.
//! - The regions every account has enabled by default are read at once; `account:ListRegions`
//!   runs beside them and adds the opted-in ones.
//! - Per region: `DescribeTrails` (shadow trails included), the three AWS Config reads and
//!   EventBridge's `ListRules` (then `ListTargetsByRule` for each enabled rule with a pattern).
//! - Per distinct trail: `GetTrailStatus` and `GetEventSelectors` in its home region, and, at the
//!   same time, `DescribeMetricFilters` of the log group it delivers to (read with the
//!   credentials of the account that owns the group, when that account is audited).
//! - Per distinct metric those filters publish: `DescribeAlarmsForMetric`; per distinct SNS
//!   topic an alarm or a rule notifies: `ListSubscriptionsByTopic` (then
//!   `GetSubscriptionAttributes` per confirmed subscription: its filter policy; beside it, per
//!   confirmed `sqs` subscription, `GetQueueAttributes` of its queue: policy, key) and
//!   `GetTopicAttributes` (policy, key); per customer key a topic is encrypted with: `DescribeKey`, `GetKeyPolicy`.
//! - With `--remediate`, what the plan needs besides (see [`RemediationNeeds`]).
//! - With `--evidence-days N` (monitoring controls), once the chain is known: its history
//!   ([`history`]: `DescribeAlarmHistory` per chain alarm, one batched `GetMetricData` per
//!   account and region). It starts when no read the chains depend on is left in flight (each
//!   job is tagged: [`Jobs::add`] or [`Jobs::add_other`]), beside the reads still going on.
//!
//! Per-resource reads for remediation's observations live in the service modules too.

pub(crate) mod accessanalyzer;
pub(crate) mod account;
pub(crate) mod cloudtrail;
pub(crate) mod cloudwatch;
pub(crate) mod config;
pub(crate) mod drill;
pub(crate) mod ec2;
pub(crate) mod efs;
pub(crate) mod eventbridge;
pub(crate) mod history;
pub(crate) mod iam;
pub(crate) mod kms;
pub(crate) mod logs;
pub(crate) mod model;
pub(crate) mod organizations;
pub(crate) mod rds;
pub(crate) mod regions;
pub(crate) mod s3;
pub(crate) mod securityhub;
pub(crate) mod sns;
pub mod store;

use crate::aws::{classify, Lane, Runtime, Session};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
pub use model::*;
use regions::{default_regions, RegionError};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One read under the runtime's bounds, its SDK error turned into a [`CollectError`]. `send`
/// makes the request's future once the bounds let it run: an SDK future is tens of KB, and an
/// organisation's audit has thousands of reads waiting; each waits as its small builder.
pub(crate) async fn read<T, E, R, Fut>(
    s: &Session,
    rt: &Runtime,
    lane: Lane,
    operation: &'static str,
    region: Option<&str>,
    send: impl FnOnce() -> Fut,
) -> Result<T, CollectError>
where
    Fut: std::future::Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    read_scoped(s, rt, lane, operation, region, region, send).await
}

/// [`read`], bounded under `scope` instead of the region: S3 throttles a bucket's requests per
/// bucket, not per region, so its bucket reads are bounded per bucket.
pub(crate) async fn read_scoped<T, E, R, Fut>(
    s: &Session,
    rt: &Runtime,
    lane: Lane,
    operation: &'static str,
    region: Option<&str>,
    scope: Option<&str>,
    send: impl FnOnce() -> Fut,
) -> Result<T, CollectError>
where
    Fut: std::future::Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    rt.call_with(&s.account_id, scope, lane, operation, send)
        .await
        .map_err(|e| CollectError::new(operation, &s.account_id, region, classify(&e)))
}

/// Every page of a listing, each one read under the runtime's bounds (in the leaf lane: nothing
/// of the monitoring chain waits for it) and counted; `page(token)` sends the request for one
/// page and returns its items and the next page's token.
pub(crate) async fn pages<T, E, R, F, Fut>(
    s: &Session,
    rt: &Runtime,
    operation: &'static str,
    region: &str,
    mut page: F,
) -> Result<Vec<T>, CollectError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let (items, next) = read(s, rt, Lane::Leaf, operation, Some(region), || page(token.clone())).await?;
        out.extend(items);
        match crate::aws::next_page(next.as_deref(), &token) {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// A part of the inventory a check reads; the collector starts only the reads the selected
/// controls need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Read {
    /// `DescribeTrails` in every region, each trail's status and selectors.
    Trails,
    /// AWS Config's recorders, their status and delivery channels, in every region.
    Config,
    /// The monitoring chain: metric filters of the trails' log groups, their alarms, the
    /// notified topics and their keys, and EventBridge rules in every region.
    Monitoring,
    /// Per region: security groups, and the network interfaces of those open to the world.
    SecurityGroups,
    /// Per region: network ACLs.
    NetworkAcls,
    /// Per region: VPCs and flow logs.
    FlowLogs,
    /// Per region: EBS encryption by default.
    EbsEncryption,
    /// Per region: instances (metadata options, instance profile).
    Instances,
    /// Per region: VPC endpoints.
    VpcEndpoints,
    /// Per region: VPC peering connections, and the route tables routing through them.
    VpcPeering,
    /// Per region: KMS keys, described, and the rotation of the customer managed symmetric ones.
    KmsKeys,
    /// Per region: whether Security Hub is enabled.
    SecurityHub,
    /// Once per account: the IAM password policy.
    PasswordPolicy,
    /// Per region: IAM Access Analyzer's analyzers.
    AccessAnalyzers,
    /// Once per account: the IAM credential report.
    CredentialReport,
    /// Once per account: `GetAccountSummary`.
    AccountSummary,
    /// Once per account: the virtual MFA devices.
    VirtualMfaDevices,
    /// Once per account: the IAM users and the policies attached to each directly.
    UserPolicies,
    /// Once per account: the managed policies (customer managed, and attached AWS managed) and
    /// their default versions' documents.
    Policies,
    /// Once per account: the entities `AWSSupportAccess` and `AWSCloudShellFullAccess` are
    /// attached to.
    PolicyEntities,
    /// Once per account: the server certificates stored in IAM.
    ServerCertificates,
    /// Once per account: the instance profiles and their roles.
    InstanceProfiles,
    /// Once per account: the alternate contacts.
    AlternateContacts,
    /// Once per account: centralised root access in AWS Organizations.
    OrganizationsFeatures,
    /// Once per account: the SAML and OpenID Connect identity providers.
    IdentityProviders,
    /// Per region: RDS DB instances and DB clusters.
    Rds,
    /// Per region: EFS file systems.
    Efs,
    /// Once per account: the buckets' names (`ListBuckets`).
    BucketList,
    /// Once per account: the buckets (`ListBuckets`, each one's region) and each one's policy.
    BucketPolicies,
    /// Once per account: the account's Block Public Access (S3 Control), and each bucket's Block
    /// Public Access, ACL and policy (what relies on public access).
    BucketPublicAccess,
    /// Once per account: each bucket's versioning (MFA Delete).
    BucketVersioning,
    /// Once per account: each bucket's default encryption.
    BucketEncryption,
    /// The bucket each trail delivers to: its ACL and policy (and `ListBuckets`, which says
    /// whether the account owns it).
    TrailBucketAccess,
    /// The bucket each trail delivers to: its server access logging (and `ListBuckets`).
    TrailBucketLogging,
}

/// The reads that need the account's buckets listed.
const BUCKET_READS: &[Read] = &[
    Read::BucketList,
    Read::BucketPolicies,
    Read::BucketPublicAccess,
    Read::BucketVersioning,
    Read::BucketEncryption,
    Read::TrailBucketAccess,
    Read::TrailBucketLogging,
];

/// The parts of each listed bucket the selected controls need.
fn listed_bucket_parts(needs: &Needs) -> Vec<s3::BucketPart> {
    use s3::BucketPart as P;
    let mut parts = Vec::new();
    if needs.has(Read::BucketPolicies) || needs.has(Read::BucketPublicAccess) {
        parts.push(P::Policy);
    }
    if needs.has(Read::BucketPublicAccess) {
        parts.extend([P::Acl, P::PublicAccessBlock]);
    }
    if needs.has(Read::BucketVersioning) {
        parts.push(P::Versioning);
    }
    if needs.has(Read::BucketEncryption) {
        parts.push(P::Encryption);
    }
    parts
}

/// The parts of a trail's bucket the selected controls need.
fn trail_bucket_parts(needs: &Needs) -> Vec<s3::BucketPart> {
    use s3::BucketPart as P;
    let mut parts = Vec::new();
    if needs.has(Read::TrailBucketAccess) {
        parts.extend([P::Acl, P::Policy]);
    }
    if needs.has(Read::TrailBucketLogging) {
        parts.push(P::Logging);
    }
    parts
}

/// The reads made once per region, in the order they are started.
const REGIONAL_READS: &[Read] = &[
    Read::SecurityGroups,
    Read::NetworkAcls,
    Read::FlowLogs,
    Read::EbsEncryption,
    Read::Instances,
    Read::VpcEndpoints,
    Read::VpcPeering,
    Read::KmsKeys,
    Read::SecurityHub,
    Read::AccessAnalyzers,
    Read::Rds,
    Read::Efs,
];

/// The reads made once per account (in its partition's global region), in the order they are
/// started.
const ACCOUNT_READS: &[Read] = &[
    Read::CredentialReport,
    Read::PasswordPolicy,
    Read::AccountSummary,
    Read::VirtualMfaDevices,
    Read::UserPolicies,
    Read::Policies,
    Read::PolicyEntities,
    Read::ServerCertificates,
    Read::InstanceProfiles,
    Read::AlternateContacts,
    Read::OrganizationsFeatures,
    Read::IdentityProviders,
    Read::BucketPublicAccess,
];

/// What one account-wide read brings back (see [`Read`]).
enum AccountPiece {
    PasswordPolicy(Collected<Option<PasswordPolicy>>),
    CredentialReport(Collected<CredentialReport>),
    AccountSummary(Collected<BTreeMap<String, i64>>),
    VirtualMfaDevices(Collected<Vec<VirtualMfaDevice>>),
    Users(Collected<Vec<IamUser>>),
    Policies(Collected<Vec<ManagedPolicy>>),
    PolicyEntities(Vec<PolicyAttachments>),
    ServerCertificates(Collected<Vec<ServerCertificate>>),
    InstanceProfiles(Collected<Vec<InstanceProfile>>),
    AlternateContacts(Vec<AlternateContactRead>),
    OrganizationsFeatures(Collected<OrganizationsFeatures>),
    IdentityProviders(Collected<Vec<String>>),
    S3PublicAccessBlock(Collected<Option<PublicAccessBlock>>),
}

/// Starts one account-wide read.
async fn account_wide(read: Read, s: &Session, rt: &Runtime) -> AccountPiece {
    let global = regions::global_region(&s.partition);
    match read {
        Read::PasswordPolicy => AccountPiece::PasswordPolicy(iam::password_policy(s, rt, global).await),
        Read::CredentialReport => AccountPiece::CredentialReport(iam::credential_report(s, rt, global).await),
        Read::AccountSummary => AccountPiece::AccountSummary(iam::account_summary(s, rt, global).await),
        Read::VirtualMfaDevices => AccountPiece::VirtualMfaDevices(iam::virtual_mfa_devices(s, rt, global).await),
        Read::UserPolicies => AccountPiece::Users(iam::users(s, rt, global).await),
        Read::Policies => AccountPiece::Policies(iam::policies(s, rt, global).await),
        Read::PolicyEntities => AccountPiece::PolicyEntities(iam::policy_entities(s, rt, global).await),
        Read::ServerCertificates => AccountPiece::ServerCertificates(iam::server_certificates(s, rt, global).await),
        Read::InstanceProfiles => AccountPiece::InstanceProfiles(iam::instance_profiles(s, rt, global).await),
        Read::AlternateContacts => AccountPiece::AlternateContacts(account::alternate_contacts(s, rt).await),
        Read::OrganizationsFeatures => {
            AccountPiece::OrganizationsFeatures(iam::organizations_features(s, rt, global).await)
        }
        Read::IdentityProviders => AccountPiece::IdentityProviders(iam::identity_providers(s, rt, global).await),
        Read::BucketPublicAccess => {
            AccountPiece::S3PublicAccessBlock(s3::account_public_access_block(s, rt, global).await)
        }
        _ => unreachable!("not an account-wide read"),
    }
}

/// What one regional read brings back (see [`Read`]).
enum Piece {
    SecurityGroups(Collected<Vec<SecurityGroup>>),
    Interfaces(Collected<Vec<NetworkInterface>>),
    NetworkAcls(Collected<Vec<NetworkAcl>>),
    FlowLogs(Collected<Vec<Vpc>>, Collected<Vec<FlowLog>>),
    Ebs(Collected<bool>),
    Instances(Collected<Vec<Instance>>),
    VpcEndpoints(Collected<Vec<VpcEndpoint>>),
    Peerings(Collected<Vec<PeeringConnection>>),
    PeeringRoutes(Collected<Vec<RouteTable>>),
    KmsKeys(Collected<Vec<KmsKeyDetails>>),
    SecurityHub(Collected<SecurityHubState>),
    AccessAnalyzers(Collected<Vec<Analyzer>>),
    Rds(Collected<Vec<RdsInstance>>, Collected<Vec<RdsCluster>>),
    Efs(Collected<Vec<EfsFileSystem>>),
}

/// Starts one regional read.
async fn regional(read: Read, s: &Session, rt: &Runtime, region: &str) -> Piece {
    match read {
        Read::SecurityGroups => Piece::SecurityGroups(ec2::security_groups(s, rt, region).await),
        Read::NetworkAcls => Piece::NetworkAcls(ec2::network_acls(s, rt, region).await),
        Read::FlowLogs => {
            let (v, f) = tokio::join!(ec2::vpcs(s, rt, region), ec2::flow_logs(s, rt, region));
            Piece::FlowLogs(v, f)
        }
        Read::EbsEncryption => Piece::Ebs(ec2::ebs_encryption_by_default(s, rt, region).await),
        Read::Instances => Piece::Instances(ec2::instances(s, rt, region).await),
        Read::VpcEndpoints => Piece::VpcEndpoints(ec2::vpc_endpoints(s, rt, region).await),
        Read::VpcPeering => Piece::Peerings(ec2::peering_connections(s, rt, region).await),
        Read::KmsKeys => Piece::KmsKeys(kms::region_keys(s, rt, region).await),
        Read::SecurityHub => Piece::SecurityHub(securityhub::hub(s, rt, region).await),
        Read::AccessAnalyzers => Piece::AccessAnalyzers(accessanalyzer::analyzers(s, rt, region).await),
        Read::Rds => {
            let (i, c) = tokio::join!(rds::instances(s, rt, region), rds::clusters(s, rt, region));
            Piece::Rds(i, c)
        }
        Read::Efs => Piece::Efs(efs::file_systems(s, rt, region).await),
        _ => unreachable!("not a regional read"),
    }
}

/// The security groups whose attachments the evidence names: those that allow anything in
/// from anywhere, and default groups with any rule.
fn groups_to_follow(groups: &[SecurityGroup]) -> Vec<String> {
    let world = |r: &IpRule| r.ipv4.iter().any(|c| c == "0.0.0.0/0") || r.ipv6.iter().any(|c| c == "::/0");
    groups
        .iter()
        .filter(|g| {
            g.ingress.iter().any(world) || (g.name == "default" && !(g.ingress.is_empty() && g.egress.is_empty()))
        })
        .map(|g| g.id.clone())
        .collect()
}

/// Which parts of the inventory the selected controls (and remediation) need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    pub reads: BTreeSet<Read>,
    pub remediation: Option<RemediationNeeds>,
    /// `--evidence-days`: the monitoring chains' own history over that many days (0: not read).
    pub evidence_days: u32,
}

impl Needs {
    pub fn of(reads: &[Read]) -> Needs {
        Needs { reads: reads.iter().copied().collect(), remediation: None, evidence_days: 0 }
    }

    pub(crate) fn has(&self, r: Read) -> bool {
        self.reads.contains(&r)
    }

    pub(crate) fn union(mut self, other: &Needs) -> Needs {
        self.reads.extend(other.reads.iter().copied());
        if self.remediation.is_none() {
            self.remediation = other.remediation.clone();
        }
        self.evidence_days = self.evidence_days.max(other.evidence_days);
        self
    }
}

/// What remediation reads besides the audit: in the home region and in every region where a
/// trail is homed or delivers its logs, whether log group `log_group` exists and every metric
/// alarm; in every audited region, topic `topic_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemediationNeeds {
    pub home_region: String,
    pub log_group: String,
    pub topic_name: String,
}

/// One account to collect.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub session: Session,
    /// Collected only as evidence for the others (see [`AccountInventory::support`]).
    pub support: bool,
}

/// What to collect: the accounts, the regions asked for (None: every enabled region), and what
/// the controls need.
pub(crate) struct Request<'a> {
    pub targets: &'a [Target],
    pub regions: Option<&'a [String]>,
    pub needs: &'a Needs,
    pub rt: &'a Runtime,
    pub collected_at: String,
    /// Where requests go, for messages.
    pub endpoint: Option<String>,
    /// Called as each account's reads are all done.
    pub progress: Option<&'a (dyn Fn(AccountDone) + Sync)>,
    /// At most this many accounts are being read at once; the next one starts as one is done.
    /// Every read is a boxed SDK future of tens of KB, allocated when the read is started, not
    /// when the runtime lets it run: starting every account of an organisation at once held
    /// ~3.5 MiB of waiting futures per account (1,108 MiB for 300 members).
    pub accounts_in_flight: usize,
    /// Called once per account as soon as every read of it is done, with the account as it will
    /// be in the inventory; what it returns is kept instead (an organisation's audit evaluates
    /// the account there and keeps only what the other accounts' verdicts may read:
    /// [`crate::checks::Streamed`]). None: every account is kept whole.
    /// The second argument is the collection's `collected_at`.
    pub seal: Option<&'a Seal<'a>>,
}

/// What [`Request::seal`] is.
pub(crate) type Seal<'s> = dyn Fn(AccountInventory, &str) -> AccountInventory + Sync + 's;

/// Why a collection was stopped as a whole (the run is wrong, not an account).
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum CollectFatal {
    /// A requested region is unknown, or not enabled for an account.
    #[error(transparent)]
    Region(#[from] RegionError),
    /// The endpoint cannot be reached at all (connection refused, timeouts), so no account can
    /// be audited.
    #[error("cannot reach the AWS endpoint{}: {message}; check --endpoint-url / network access", endpoint.as_deref().map(|e| format!(" {e}")).unwrap_or_default())]
    Unreachable { endpoint: Option<String>, message: String },
    /// The caller's own credentials cannot sign a request, so no role can be assumed.
    #[error("no usable AWS credentials to assume {role_arn}: {message}; set --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`")]
    Credentials { role_arn: String, message: String },
}

type Key3 = (String, String, String);

/// Reads to start, each tagged with the account it is for (for per-account progress) and with
/// whether the monitoring chains may depend on it (the history starts once none is left).
#[derive(Default)]
struct Jobs<'a>(Vec<(usize, bool, BoxFuture<'a, Done>)>);

impl<'a> Jobs<'a> {
    /// A read the monitoring chains may depend on (the default: when unsure, the history waits).
    fn add(&mut self, account: usize, f: BoxFuture<'a, Done>) {
        self.0.push((account, true, f));
    }

    /// A read no monitoring chain depends on (AWS Config, the regional and account-wide reads
    /// of the other sections, S3).
    fn add_other(&mut self, account: usize, f: BoxFuture<'a, Done>) {
        self.0.push((account, false, f));
    }
}

/// The index `collect` gives the history job (it is no account's).
const HISTORY_JOB: usize = usize::MAX;

/// Told when every read of an account is done.
pub(crate) struct AccountDone<'a> {
    pub account: &'a str,
    /// Its role could not be assumed.
    pub failed: bool,
}

/// What one finished read brings back.
enum Done {
    Established(usize, Result<(), crate::aws::SessionError>),
    Regions(usize, Result<Vec<String>, CollectError>),
    Trails(usize, RegionTrails, Vec<Trail>),
    Status(usize, String, Collected<TrailStatus>),
    Selectors(usize, String, Collected<TrailSelectors>),
    Config(usize, RegionConfig),
    Rules(usize, String, Collected<Vec<EventRule>>),
    Targets(usize, String, String, Collected<Vec<RuleTarget>>),
    Regional(usize, String, Piece),
    AccountWide(usize, AccountPiece),
    Buckets(usize, Collected<Vec<S3Bucket>>),
    BucketRegion(usize, String, Collected<String>),
    BucketPart(usize, String, s3::BucketValue),
    Filters(Key3, Collected<Vec<MetricFilter>>),
    Alarms(MetricAlarmsInventory),
    Topic(usize, TopicInventory),
    /// A topic again, with its confirmed subscriptions' attributes.
    Receivers(TopicInventory),
    Key(KmsKeyInventory),
    LogGroupExists(usize, String, String, Collected<bool>),
    RegionAlarms(usize, RegionAlarms),
    NamedTopic(usize, TopicInventory),
    History(HistoryInventory),
}

#[derive(Default)]
struct AccountState {
    established: bool,
    failed: Option<CollectError>,
    regions_started: Vec<String>,
    /// The final region list, once `ListRegions` answered (or was not needed).
    regions: Option<(Vec<String>, String)>,
    trails_by_region: BTreeMap<String, RegionTrails>,
    trails: BTreeMap<String, Trail>,
    config: BTreeMap<String, RegionConfig>,
    rules: BTreeMap<String, Collected<Vec<EventRule>>>,
    resources: BTreeMap<String, RegionResources>,
    account_wide: AccountResources,
    /// `ListBuckets`' names, once it answered.
    bucket_list: Option<Collected<Vec<String>>>,
    /// Every bucket read (listed, or a trail's), by name.
    buckets: BTreeMap<String, S3Bucket>,
    /// Bucket reads started, and those waiting for the bucket's region.
    bucket_parts_started: HashSet<(String, s3::BucketPart)>,
    bucket_parts_waiting: BTreeMap<String, BTreeSet<s3::BucketPart>>,
    bucket_location_started: HashSet<String>,
    /// Regions where the remediation reads were started, and where topic `--topic-name` was read.
    remediation_regions: BTreeSet<String>,
    named_topic_regions: BTreeSet<String>,
    remediation: RemediationFacts,
}

struct Flow<'a> {
    req: &'a Request<'a>,
    accounts: Vec<AccountState>,
    by_id: HashMap<String, usize>,
    filters_seen: HashSet<Key3>,
    /// Log groups a trail delivers to: their filters lead on to alarms.
    groups_followed: HashSet<Key3>,
    log_groups: BTreeMap<Key3, LogGroupInventory>,
    alarms_seen: HashSet<(String, String, String, String)>,
    metric_alarms: Vec<MetricAlarmsInventory>,
    topics_seen: HashSet<String>,
    topics: BTreeMap<String, TopicInventory>,
    keys_seen: HashSet<Key3>,
    kms_keys: Vec<KmsKeyInventory>,
    /// Reads waiting for an account to be established: (account index, log group key).
    deferred: Vec<(usize, Key3)>,
    /// Accounts whose reads are all done, as [`Request::seal`] returned them; their
    /// [`AccountState`] keeps only whether they were established or failed.
    sealed: Vec<Option<AccountInventory>>,
    warnings: Vec<String>,
    fatal: Option<CollectFatal>,
}

/// Collects everything `req` asks for. Accounts whose role cannot be assumed are kept, with
/// [`AccountInventory::error`] set; every other failure is recorded where it happened.
pub(crate) async fn collect(req: &Request<'_>) -> Result<Inventory, CollectFatal> {
    let mut flow = Flow {
        req,
        accounts: req.targets.iter().map(|_| AccountState::default()).collect(),
        by_id: req.targets.iter().enumerate().map(|(i, t)| (t.session.account_id.clone(), i)).collect(),
        filters_seen: HashSet::new(),
        groups_followed: HashSet::new(),
        log_groups: BTreeMap::new(),
        alarms_seen: HashSet::new(),
        metric_alarms: Vec::new(),
        topics_seen: HashSet::new(),
        topics: BTreeMap::new(),
        keys_seen: HashSet::new(),
        kms_keys: Vec::new(),
        deferred: Vec::new(),
        sealed: req.targets.iter().map(|_| None).collect(),
        warnings: Vec::new(),
        fatal: None,
    };
    let mut jobs: FuturesUnordered<BoxFuture<'_, (usize, bool, Done)>> = FuturesUnordered::new();
    let mut pending = vec![0usize; req.targets.len()];
    let mut reported = vec![false; req.targets.len()];
    // Accounts are started a window at a time, those read only as evidence for the others (an
    // organisation trail's management account) first, since the others' reads may wait for them.
    let mut order: Vec<usize> = (0..req.targets.len()).collect();
    order.sort_by_key(|i| !req.targets[*i].support);
    let mut to_start = order.into_iter().peekable();
    fn establish<'t>(targets: &'t [Target], i: usize, jobs: &mut Jobs<'t>) {
        let s = &targets[i].session;
        jobs.add(i, Box::pin(async move { Done::Established(i, s.establish().await) }));
    }
    let targets = req.targets;
    let mut queue = Jobs::default();
    for i in to_start.by_ref().take(req.accounts_in_flight.max(1)) {
        establish(targets, i, &mut queue);
    }
    // The monitoring chains' history (--evidence-days) is read as soon as every account has
    // started and no read the chains depend on is left, beside the other sections' reads still
    // in flight.
    let history_wanted = req.needs.evidence_days > 0 && req.needs.has(Read::Monitoring);
    let (mut chain_reads, mut history_started, mut history) = (0usize, false, None);
    loop {
        for (i, chain, j) in queue.0.drain(..) {
            pending[i] += 1;
            chain_reads += usize::from(chain);
            jobs.push(Box::pin(async move { (i, chain, j.await) }));
        }
        if history_wanted
            && !history_started
            && chain_reads == 0
            && flow.deferred.is_empty()
            && to_start.peek().is_none()
        {
            history_started = true;
            let view = flow.monitoring_view();
            let end = history_end(&req.collected_at);
            let (targets, rt, days) = (req.targets, req.rt, req.needs.evidence_days);
            jobs.push(Box::pin(async move {
                (HISTORY_JOB, false, Done::History(history::collect(&view, targets, rt, days, end).await))
            }));
        }
        let Some((i, chain, done)) = jobs.next().await else {
            // Nothing in flight: the next account, if any is left (never the case while each
            // finished account starts one, but no account may be left unread).
            match to_start.next() {
                Some(n) => {
                    establish(targets, n, &mut queue);
                    continue;
                }
                None => break,
            }
        };
        chain_reads -= usize::from(chain);
        if let Done::History(h) = done {
            history = Some(h);
            continue;
        }
        queue = flow.on_done(done);
        if let Some(f) = flow.fatal.take() {
            return Err(f);
        }
        pending[i] -= 1;
        if pending[i] == 0 && !reported[i] && !queue.0.iter().any(|(a, _, _)| *a == i) {
            reported[i] = true;
            if let Some(seal) = req.seal {
                flow.seal(i, seal);
            }
            if let Some(p) = req.progress {
                p(AccountDone {
                    account: &req.targets[i].session.account_id,
                    failed: flow.accounts[i].failed.is_some(),
                });
            }
            if let Some(n) = to_start.next() {
                establish(targets, n, &mut queue);
            }
        }
    }
    let mut inv = flow.finish();
    inv.history = history;
    Ok(inv)
}

/// An account's collected state as it goes into the inventory.
fn account_inventory(st: AccountState, t: &Target, needs: &Needs) -> AccountInventory {
    let s = &t.session;
    let (regions, regions_source) = match (st.failed.is_some(), st.regions) {
        (true, _) => (Vec::new(), "not audited: the account could not be read".to_string()),
        (false, Some(r)) => r,
        (false, None) => (st.regions_started.clone(), "partial".to_string()),
    };
    let order = |r: &String| regions.iter().position(|x| x == r).unwrap_or(usize::MAX);
    let mut trails_by_region: Vec<RegionTrails> = st.trails_by_region.into_values().collect();
    trails_by_region.sort_by_key(|r| order(&r.region));
    let mut config: Vec<RegionConfig> = st.config.into_values().collect();
    config.sort_by_key(|r| order(&r.region));
    let mut event_rules: Vec<RegionRules> =
        st.rules.into_iter().map(|(region, rules)| RegionRules { region, rules }).collect();
    event_rules.sort_by_key(|r| order(&r.region));
    let mut resources: Vec<RegionResources> = st.resources.into_values().collect();
    resources.sort_by_key(|r| order(&r.region));
    let remediation = needs.remediation.as_ref().map(|_| {
        let mut f = st.remediation;
        f.log_groups.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
        f.alarms.sort_by(|a, b| a.region.cmp(&b.region));
        f.topics.sort_by(|a, b| a.arn.cmp(&b.arn));
        f
    });
    let mut account_wide = st.account_wide;
    let mut all_buckets = st.buckets;
    match st.bucket_list {
        Some(Collected::Ok(names)) => {
            let listed = names.iter().filter_map(|n| all_buckets.remove(n)).collect();
            account_wide.buckets = Some(Collected::Ok(listed));
        }
        Some(Collected::Error(e)) => account_wide.buckets = Some(Collected::Error(e)),
        None => {}
    }
    account_wide.other_buckets = all_buckets.into_values().collect();
    AccountInventory {
        support: t.support,
        account_id: s.account_id.clone(),
        partition: s.partition.clone(),
        caller_arn: s.caller_arn(),
        role_arn: s.role_arn.clone(),
        error: st.failed,
        regions,
        regions_source,
        trails_by_region,
        trails: st.trails.into_values().collect(),
        config,
        event_rules,
        resources,
        account_wide,
        remediation,
    }
}

impl<'a> Flow<'a> {
    fn session(&self, i: usize) -> &'a Session {
        &self.req.targets[i].session
    }

    /// Hands account `i`, all of whose reads are done, to `seal` and keeps what it returns. Its
    /// state keeps whether it was established or failed: other accounts' reads ask.
    fn seal(&mut self, i: usize, seal: &Seal<'_>) {
        let st = std::mem::take(&mut self.accounts[i]);
        self.accounts[i].established = st.established;
        self.accounts[i].failed = st.failed.clone();
        let whole = account_inventory(st, &self.req.targets[i], self.req.needs);
        self.sealed[i] = Some(seal(whole, &self.req.collected_at));
    }

    fn on_done(&mut self, done: Done) -> Jobs<'a> {
        let mut next = Jobs::default();
        match done {
            Done::Established(i, Ok(())) => {
                self.accounts[i].established = true;
                self.start_account(i, &mut next);
                let waiting: Vec<Key3> =
                    self.deferred.iter().filter(|(a, _)| *a == i).map(|(_, k)| k.clone()).collect();
                self.deferred.retain(|(a, _)| *a != i);
                for k in waiting {
                    self.ensure_filters(k, &mut next);
                }
            }
            Done::Established(i, Err(e)) => {
                let acct = self.session(i).account_id.clone();
                if e.error.is_unreachable() {
                    let endpoint = self.req.endpoint.clone();
                    self.fatal = Some(CollectFatal::Unreachable { endpoint, message: e.error.message.clone() });
                } else if e.error.code == "CredentialsError" {
                    let message = e.error.message.clone();
                    self.fatal = Some(CollectFatal::Credentials { role_arn: e.role_arn.clone(), message });
                }
                self.accounts[i].failed = Some(CollectError::new("sts:AssumeRole", &acct, None, e.error));
                self.deferred.retain(|(a, _)| *a != i);
            }
            Done::Regions(i, res) => self.on_regions(i, res, &mut next),
            Done::Trails(i, region_trails, trails) => {
                for t in trails {
                    if self.accounts[i].trails.contains_key(&t.arn) {
                        continue;
                    }
                    self.on_new_trail(i, &t, &mut next);
                    self.accounts[i].trails.insert(t.arn.clone(), t);
                }
                self.accounts[i].trails_by_region.insert(region_trails.region.clone(), region_trails);
            }
            Done::Status(i, arn, st) => {
                if let Some(t) = self.accounts[i].trails.get_mut(&arn) {
                    t.status = Some(st);
                }
            }
            Done::Selectors(i, arn, sel) => {
                if let Some(t) = self.accounts[i].trails.get_mut(&arn) {
                    t.selectors = Some(sel);
                }
            }
            Done::Config(i, rc) => {
                self.accounts[i].config.insert(rc.region.clone(), rc);
            }
            Done::Rules(i, region, rules) => {
                if let Collected::Ok(list) = &rules {
                    for r in list.iter().filter(|r| eventbridge::wants_targets(r)) {
                        let (s, rt, region, name) = (self.session(i), self.req.rt, region.clone(), r.name.clone());
                        next.add(
                            i,
                            Box::pin(async move {
                                let t = eventbridge::targets(s, rt, &region, &name).await;
                                Done::Targets(i, region, name, t)
                            }),
                        );
                    }
                }
                self.accounts[i].rules.insert(region, rules);
            }
            Done::Regional(i, region, piece) => self.on_regional(i, region, piece, &mut next),
            Done::AccountWide(i, piece) => self.on_account_wide(i, piece, &mut next),
            Done::Buckets(i, list) => {
                let parts = listed_bucket_parts(self.req.needs);
                match list {
                    Collected::Ok(list) => {
                        self.accounts[i].bucket_list =
                            Some(Collected::Ok(list.iter().map(|b| b.name.clone()).collect()));
                        for b in list {
                            let known = self.accounts[i]
                                .buckets
                                .entry(b.name.clone())
                                .or_insert_with(|| S3Bucket { name: b.name.clone(), ..Default::default() });
                            if known.region.is_none() {
                                known.region = b.region.clone();
                            }
                            self.ensure_bucket(i, &b.name, &parts, &mut next);
                        }
                    }
                    Collected::Error(e) => self.accounts[i].bucket_list = Some(Collected::Error(e)),
                }
            }
            Done::BucketRegion(i, name, region) => {
                let st = &mut self.accounts[i];
                if let Some(b) = st.buckets.get_mut(&name) {
                    if b.region.is_none() {
                        b.region = Some(region);
                    }
                }
                let waiting: Vec<s3::BucketPart> =
                    st.bucket_parts_waiting.remove(&name).map(|w| w.into_iter().collect()).unwrap_or_default();
                self.ensure_bucket(i, &name, &waiting, &mut next);
            }
            Done::BucketPart(i, name, value) => {
                if let Some(b) = self.accounts[i].buckets.get_mut(&name) {
                    value.store(b);
                }
            }
            Done::Targets(i, region, rule, targets) => {
                if let Collected::Ok(list) = &targets {
                    for t in list {
                        self.ensure_topic(i, &t.arn, &mut next);
                    }
                }
                if let Some(Collected::Ok(list)) = self.accounts[i].rules.get_mut(&region) {
                    if let Some(r) = list.iter_mut().find(|r| r.name == rule) {
                        r.targets = Some(targets);
                    }
                }
            }
            Done::Filters(key, filters) => {
                self.log_groups.insert(
                    key.clone(),
                    LogGroupInventory {
                        account: key.0.clone(),
                        region: key.1.clone(),
                        name: key.2.clone(),
                        metric_filters: filters,
                    },
                );
                if self.groups_followed.contains(&key) {
                    self.follow_filters(&key, &mut next);
                }
            }
            Done::Alarms(m) => {
                if let Collected::Ok(list) = &m.alarms {
                    let reader = self.by_id.get(&m.account).copied();
                    for a in list {
                        for action in &a.alarm_actions {
                            if let Some(i) = reader {
                                self.ensure_topic(i, action, &mut next);
                            }
                        }
                    }
                }
                self.metric_alarms.push(m);
            }
            Done::Topic(reader, t) => {
                if let Some(Collected::Ok(TopicAttributes { kms_master_key_id: Some(k), .. })) = &t.attributes {
                    let k = k.clone();
                    self.ensure_key(reader, &t.arn, &k, &mut next);
                }
                // Each confirmed subscription's attributes (its filter policy): the history
                // does not wait for them.
                if matches!(&t.subscriptions, Collected::Ok(subs) if subs.iter().any(|x| x.is_confirmed())) {
                    let (s, rt, mut t) = (self.session(reader), self.req.rt, t.clone());
                    // An SQS subscriber's queue is read by its own account when audited.
                    let owners: HashMap<String, &'a Session> = self
                        .by_id
                        .iter()
                        .filter(|(_, &i)| self.accounts[i].failed.is_none())
                        .map(|(id, &i)| (id.clone(), self.session(i)))
                        .collect();
                    next.add_other(
                        reader,
                        Box::pin(async move {
                            let region = Arn::parse(&t.arn).map(|a| a.region.to_string()).unwrap_or_default();
                            sns::subscription_attributes(s, rt, &mut t, &region, &owners).await;
                            Done::Receivers(t)
                        }),
                    );
                }
                self.topics.insert(t.arn.clone(), t);
            }
            Done::Receivers(t) => {
                self.topics.insert(t.arn.clone(), t);
            }
            Done::Key(k) => self.kms_keys.push(k),
            Done::LogGroupExists(i, region, name, exists) => {
                if exists == Collected::Ok(true) {
                    let acct = self.session(i).account_id.clone();
                    self.ensure_filters((acct, region.clone(), name.clone()), &mut next);
                }
                self.accounts[i].remediation.log_groups.push(LogGroupLookup { region, name, exists });
            }
            Done::RegionAlarms(i, ra) => self.accounts[i].remediation.alarms.push(ra),
            // collect keeps the history job's answer itself.
            Done::History(_) => {}
            Done::NamedTopic(i, t) => {
                // Its key decides whether the real-time route can publish to it.
                if let Some(Collected::Ok(TopicAttributes { kms_master_key_id: Some(k), .. })) = &t.attributes {
                    let k = k.clone();
                    self.ensure_key(i, &t.arn, &k, &mut next);
                }
                self.accounts[i].remediation.topics.push(t)
            }
        }
        next
    }

    /// The account is established: its regions, and the reads of every region known so far.
    fn start_account(&mut self, i: usize, next: &mut Jobs<'a>) {
        let (s, rt) = (self.session(i), self.req.rt);
        next.add(i, Box::pin(async move { Done::Regions(i, regions::enabled_regions(s, rt).await) }));
        let first: Vec<String> = match self.req.regions {
            Some(req) => req.iter().filter(|r| default_regions(&s.partition).contains(&r.as_str())).cloned().collect(),
            None => default_regions(&s.partition).iter().map(|r| r.to_string()).collect(),
        };
        for r in first {
            self.start_region(i, r, next);
        }
        for &read in ACCOUNT_READS.iter().filter(|r| self.req.needs.has(**r)) {
            next.add_other(i, Box::pin(async move { Done::AccountWide(i, account_wide(read, s, rt).await) }));
        }
        if BUCKET_READS.iter().any(|r| self.req.needs.has(*r)) {
            let global = regions::global_region(&s.partition);
            next.add_other(i, Box::pin(async move { Done::Buckets(i, s3::list_buckets(s, rt, global).await) }));
        }
        if let Some(rem) = &self.req.needs.remediation {
            let home = rem.home_region.clone();
            self.start_remediation_region(i, home, next);
        }
    }

    fn on_regions(&mut self, i: usize, res: Result<Vec<String>, CollectError>, next: &mut Jobs<'a>) {
        let acct = self.session(i).account_id.clone();
        let (list, source) = match (self.req.regions, res) {
            (Some(req), Ok(en)) => {
                if let Err(e) = regions::validate_regions(req, Some(&en), &acct) {
                    self.fatal = Some(e.into());
                    return;
                }
                (req.to_vec(), "--regions".to_string())
            }
            (Some(req), Err(_)) => {
                if let Err(e) = regions::validate_regions(req, None, &acct) {
                    self.fatal = Some(e.into());
                    return;
                }
                (req.to_vec(), "--regions".to_string())
            }
            (None, Ok(en)) => (en, "account:ListRegions".to_string()),
            (None, Err(e)) => {
                self.warnings.push(format!(
                    "cannot list the regions enabled for account {acct} (account:ListRegions: {}{}); auditing the {} default regions. Pass --regions to choose.",
                    e.code,
                    if e.message.is_empty() { String::new() } else { format!(": {}", e.message) },
                    default_regions(&self.session(i).partition).len()
                ));
                (
                    default_regions(&self.session(i).partition).iter().map(|r| r.to_string()).collect(),
                    format!("default regions (account:ListRegions failed: {})", e.code),
                )
            }
        };
        for r in &list {
            if !self.accounts[i].regions_started.contains(r) {
                self.start_region(i, r.clone(), next);
            }
        }
        self.accounts[i].regions = Some((list, source));
    }

    fn start_region(&mut self, i: usize, region: String, next: &mut Jobs<'a>) {
        self.accounts[i].regions_started.push(region.clone());
        let (s, rt, needs) = (self.session(i), self.req.rt, self.req.needs);
        if needs.has(Read::Trails) || needs.has(Read::Monitoring) {
            let r = region.clone();
            next.add(
                i,
                Box::pin(async move {
                    let (region_trails, trails) = cloudtrail::describe_trails(s, rt, &r).await;
                    Done::Trails(i, region_trails, trails)
                }),
            );
        }
        if needs.has(Read::Config) {
            let r = region.clone();
            next.add_other(i, Box::pin(async move { Done::Config(i, config::region_config(s, rt, &r).await) }));
        }
        if needs.has(Read::Monitoring) {
            let r = region.clone();
            next.add(
                i,
                Box::pin(async move {
                    let rules = eventbridge::rules(s, rt, &r).await;
                    Done::Rules(i, r, rules)
                }),
            );
        }
        for &read in REGIONAL_READS.iter().filter(|r| needs.has(**r)) {
            let r = region.clone();
            next.add_other(i, Box::pin(async move { Done::Regional(i, r.clone(), regional(read, s, rt, &r).await) }));
        }
        self.ensure_named_topic(i, region, next);
    }

    /// A regional read is back: kept, and what it leads to started (the interfaces of open
    /// security groups, the routes through peering connections).
    fn on_regional(&mut self, i: usize, region: String, piece: Piece, next: &mut Jobs<'a>) {
        let (s, rt) = (self.session(i), self.req.rt);
        let res = self.accounts[i]
            .resources
            .entry(region.clone())
            .or_insert_with(|| RegionResources { region: region.clone(), ..Default::default() });
        match piece {
            Piece::SecurityGroups(g) => {
                let follow = match &g {
                    Collected::Ok(list) => groups_to_follow(list),
                    Collected::Error(_) => vec![],
                };
                res.security_groups = Some(g);
                if !follow.is_empty() {
                    next.add_other(
                        i,
                        Box::pin(async move {
                            let n = ec2::interfaces_of(s, rt, &region, &follow).await;
                            Done::Regional(i, region, Piece::Interfaces(n))
                        }),
                    );
                }
            }
            Piece::Interfaces(n) => res.network_interfaces = Some(n),
            Piece::NetworkAcls(a) => res.network_acls = Some(a),
            Piece::FlowLogs(v, f) => {
                res.vpcs = Some(v);
                res.flow_logs = Some(f);
            }
            Piece::Ebs(e) => res.ebs_encryption_by_default = Some(e),
            Piece::Instances(x) => res.instances = Some(x),
            Piece::VpcEndpoints(x) => res.vpc_endpoints = Some(x),
            Piece::Peerings(p) => {
                let ids: Vec<String> = match &p {
                    Collected::Ok(list) => list.iter().map(|x| x.id.clone()).collect(),
                    Collected::Error(_) => vec![],
                };
                if ids.is_empty() {
                    res.peering_routes = Some(Collected::Ok(vec![]));
                } else {
                    next.add_other(
                        i,
                        Box::pin(async move {
                            let r = ec2::peering_routes(s, rt, &region, &ids).await;
                            Done::Regional(i, region, Piece::PeeringRoutes(r))
                        }),
                    );
                }
                res.peering_connections = Some(p);
            }
            Piece::PeeringRoutes(r) => res.peering_routes = Some(r),
            Piece::KmsKeys(k) => res.kms_keys = Some(k),
            Piece::SecurityHub(h) => res.security_hub = Some(h),
            Piece::AccessAnalyzers(a) => res.access_analyzers = Some(a),
            Piece::Rds(i, c) => {
                res.rds_instances = Some(i);
                res.rds_clusters = Some(c);
            }
            Piece::Efs(f) => res.efs_file_systems = Some(f),
        }
    }

    /// Reads `parts` of bucket `name` in its region, each once; first its region when unknown.
    /// A bucket whose region could not be read is read no further (the checks say why).
    fn ensure_bucket(&mut self, i: usize, name: &str, parts: &[s3::BucketPart], next: &mut Jobs<'a>) {
        let (s, rt) = (self.session(i), self.req.rt);
        let st = &mut self.accounts[i];
        let b = st
            .buckets
            .entry(name.to_string())
            .or_insert_with(|| S3Bucket { name: name.to_string(), ..Default::default() });
        match &b.region {
            Some(Collected::Ok(region)) => {
                for &part in parts {
                    if !st.bucket_parts_started.insert((name.to_string(), part)) {
                        continue;
                    }
                    let (region, name) = (region.clone(), name.to_string());
                    next.add_other(
                        i,
                        Box::pin(async move {
                            let v = s3::bucket_part(s, rt, &region, &name, part).await;
                            Done::BucketPart(i, name, v)
                        }),
                    );
                }
            }
            Some(Collected::Error(_)) => {}
            None => {
                st.bucket_parts_waiting.entry(name.to_string()).or_default().extend(parts.iter().copied());
                if st.bucket_location_started.insert(name.to_string()) {
                    let name = name.to_string();
                    let global = regions::global_region(&s.partition);
                    next.add_other(
                        i,
                        Box::pin(async move {
                            let r = s3::bucket_region(s, rt, global, &name).await;
                            Done::BucketRegion(i, name, r)
                        }),
                    );
                }
            }
        }
    }

    /// An account-wide read is back: kept, and what it leads to started.
    fn on_account_wide(&mut self, i: usize, piece: AccountPiece, _next: &mut Jobs<'a>) {
        let res = &mut self.accounts[i].account_wide;
        match piece {
            AccountPiece::PasswordPolicy(p) => res.password_policy = Some(p),
            AccountPiece::CredentialReport(r) => res.credential_report = Some(r),
            AccountPiece::AccountSummary(m) => res.account_summary = Some(m),
            AccountPiece::VirtualMfaDevices(d) => res.virtual_mfa_devices = Some(d),
            AccountPiece::Users(u) => res.users = Some(u),
            AccountPiece::Policies(p) => res.policies = Some(p),
            AccountPiece::PolicyEntities(p) => res.policy_entities = p,
            AccountPiece::ServerCertificates(c) => res.server_certificates = Some(c),
            AccountPiece::InstanceProfiles(p) => res.instance_profiles = Some(p),
            AccountPiece::AlternateContacts(c) => res.alternate_contacts = c,
            AccountPiece::OrganizationsFeatures(f) => res.organizations_features = Some(f),
            AccountPiece::IdentityProviders(p) => res.identity_providers = Some(p),
            AccountPiece::S3PublicAccessBlock(p) => res.s3_public_access_block = Some(p),
        }
    }

    /// Remediation's read of topic `--topic-name` in a region, once.
    fn ensure_named_topic(&mut self, i: usize, region: String, next: &mut Jobs<'a>) {
        let Some(rem) = &self.req.needs.remediation else { return };
        if !self.accounts[i].named_topic_regions.insert(region.clone()) {
            return;
        }
        let (s, rt) = (self.session(i), self.req.rt);
        let arn = format!("arn:{}:sns:{region}:{}:{}", s.partition, s.account_id, rem.topic_name);
        next.add(
            i,
            Box::pin(async move {
                let (mut t, attrs) =
                    tokio::join!(sns::topic(s, rt, &arn, &region), sns::attributes(s, rt, &arn, &region));
                if !matches!(&t.subscriptions, Collected::Error(e) if e.is_not_found()) {
                    t.attributes = Some(attrs);
                }
                Done::NamedTopic(i, t)
            }),
        );
    }

    /// Remediation's reads in a region where it may add a log group or alarms.
    fn start_remediation_region(&mut self, i: usize, region: String, next: &mut Jobs<'a>) {
        let Some(rem) = &self.req.needs.remediation else { return };
        if !self.accounts[i].remediation_regions.insert(region.clone()) {
            return;
        }
        self.ensure_named_topic(i, region.clone(), next);
        let (s, rt) = (self.session(i), self.req.rt);
        let (r, name) = (region.clone(), rem.log_group.clone());
        next.add(
            i,
            Box::pin(async move {
                let exists = Collected::from(logs::log_group_exists(s, rt, &r, &name).await);
                Done::LogGroupExists(i, r, name, exists)
            }),
        );
        next.add(
            i,
            Box::pin(async move {
                let alarms = Collected::from(cloudwatch::alarms(s, rt, &region, None).await);
                Done::RegionAlarms(i, RegionAlarms { region, alarms })
            }),
        );
    }

    fn on_new_trail(&mut self, i: usize, t: &Trail, next: &mut Jobs<'a>) {
        let parts = trail_bucket_parts(self.req.needs);
        if let (Some(bucket), false) = (t.s3_bucket.as_deref().filter(|b| !b.is_empty()), parts.is_empty()) {
            self.ensure_bucket(i, bucket, &parts, next);
        }
        let (s, rt) = (self.session(i), self.req.rt);
        let (arn, home) = (t.arn.clone(), t.home_region.clone());
        next.add(
            i,
            Box::pin(async move {
                let st = cloudtrail::trail_status(s, rt, &arn, &home).await;
                Done::Status(i, arn, st)
            }),
        );
        let (arn, home) = (t.arn.clone(), t.home_region.clone());
        next.add(
            i,
            Box::pin(async move {
                let sel = cloudtrail::event_selectors(s, rt, &arn, &home).await;
                Done::Selectors(i, arn, sel)
            }),
        );
        let owned = t.owner_account.is_empty() || t.owner_account == s.account_id;
        if owned {
            self.start_remediation_region(i, t.home_region.clone(), next);
        }
        if !self.req.needs.has(Read::Monitoring) {
            return;
        }
        if let Some(key) = t.log_group_arn.as_deref().and_then(log_group_from_arn) {
            if owned && key.0 == s.account_id {
                self.start_remediation_region(i, key.1.clone(), next);
            }
            self.groups_followed.insert(key.clone());
            if self.log_groups.contains_key(&key) {
                self.follow_filters(&key, next);
            }
            self.ensure_filters(key, next);
        }
    }

    /// Reads a log group's metric filters once, with its owner's credentials when the owner is
    /// audited; a group in an account outside the audit is not read.
    fn ensure_filters(&mut self, key: Key3, next: &mut Jobs<'a>) {
        let Some(&owner) = self.by_id.get(&key.0) else { return };
        if self.accounts[owner].failed.is_some() || self.filters_seen.contains(&key) {
            return;
        }
        if !self.accounts[owner].established {
            self.deferred.push((owner, key));
            return;
        }
        self.filters_seen.insert(key.clone());
        let (s, rt) = (self.session(owner), self.req.rt);
        next.add(
            owner,
            Box::pin(async move {
                let f = logs::metric_filters(s, rt, &key.1, &key.2, None).await;
                Done::Filters(key, f)
            }),
        );
    }

    /// The alarms on every metric a followed log group's filters publish.
    fn follow_filters(&mut self, key: &Key3, next: &mut Jobs<'a>) {
        let Some(Collected::Ok(filters)) = self.log_groups.get(key).map(|g| &g.metric_filters) else { return };
        let Some(&owner) = self.by_id.get(&key.0) else { return };
        let metrics: Vec<(String, String)> = filters
            .iter()
            .flat_map(|f| f.transformations.iter().map(|t| (t.metric_namespace.clone(), t.metric_name.clone())))
            .collect();
        for (ns, name) in metrics {
            if !self.alarms_seen.insert((key.0.clone(), key.1.clone(), ns.clone(), name.clone())) {
                continue;
            }
            let (s, rt, region) = (self.session(owner), self.req.rt, key.1.clone());
            next.add(
                owner,
                Box::pin(async move { Done::Alarms(cloudwatch::alarms_for_metric(s, rt, &region, &ns, &name).await) }),
            );
        }
    }

    /// Reads an SNS topic once: with its owner's credentials when the owner is audited and
    /// established, else with those of account `via`, which refers to it.
    fn ensure_topic(&mut self, via: usize, arn: &str, next: &mut Jobs<'a>) {
        let Some(parsed) = Arn::parse(arn).filter(|a| a.service == "sns") else { return };
        if !self.topics_seen.insert(arn.to_string()) {
            return;
        }
        let reader = self
            .by_id
            .get(parsed.account)
            .copied()
            .filter(|o| self.accounts[*o].established && self.accounts[*o].failed.is_none())
            .unwrap_or(via);
        let (s, rt, arn, region) = (self.session(reader), self.req.rt, arn.to_string(), parsed.region.to_string());
        next.add(
            reader,
            Box::pin(async move {
                let (mut t, attrs) =
                    tokio::join!(sns::topic(s, rt, &arn, &region), sns::attributes(s, rt, &arn, &region));
                t.attributes = Some(attrs);
                Done::Topic(reader, t)
            }),
        );
    }

    /// Reads the customer key a topic is encrypted with, once, with the topic reader's
    /// credentials, in the key's account and region (from its ARN) or the topic's.
    fn ensure_key(&mut self, reader: usize, topic_arn: &str, key: &str, next: &mut Jobs<'a>) {
        if kms::is_aws_managed_sns_alias(key) {
            return;
        }
        let Some(topic) = Arn::parse(topic_arn) else { return };
        let region = Arn::parse(key).map(|a| a.region.to_string()).unwrap_or_else(|| topic.region.to_string());
        let account = Arn::parse(key).map(|a| a.account.to_string()).unwrap_or_else(|| topic.account.to_string());
        if !self.keys_seen.insert((account, region.clone(), key.to_string())) {
            return;
        }
        let (s, rt, key) = (self.session(reader), self.req.rt, key.to_string());
        next.add_other(reader, Box::pin(async move { Done::Key(kms::key(s, rt, &region, &key).await) }));
    }

    /// What the history reads are chosen from: the accounts (their rules, whether they were
    /// read), the log groups' filters, the alarms and the topics collected so far.
    fn monitoring_view(&self) -> Inventory {
        let accounts = self
            .accounts
            .iter()
            .zip(self.req.targets)
            .zip(&self.sealed)
            .map(|((st, t), sealed)| AccountInventory {
                account_id: t.session.account_id.clone(),
                error: st.failed.clone(),
                event_rules: match sealed {
                    Some(a) => a.event_rules.clone(),
                    None => st
                        .rules
                        .iter()
                        .map(|(region, rules)| RegionRules { region: region.clone(), rules: rules.clone() })
                        .collect(),
                },
                ..Default::default()
            })
            .collect();
        Inventory {
            accounts,
            log_groups: self.log_groups.values().cloned().collect(),
            metric_alarms: self.metric_alarms.clone(),
            topics: self.topics.values().cloned().collect(),
            ..Default::default()
        }
    }

    fn finish(self) -> Inventory {
        let Flow { req, accounts, log_groups, mut metric_alarms, topics, mut kms_keys, warnings, sealed, .. } = self;
        kms_keys.sort_by(|a, b| (&a.account, &a.region, &a.key).cmp(&(&b.account, &b.region, &b.key)));
        metric_alarms.sort_by(|a, b| {
            (&a.account, &a.region, &a.namespace, &a.metric_name).cmp(&(
                &b.account,
                &b.region,
                &b.namespace,
                &b.metric_name,
            ))
        });
        let accounts = accounts
            .into_iter()
            .zip(req.targets)
            .zip(sealed)
            .map(|((st, t), sealed)| sealed.unwrap_or_else(|| account_inventory(st, t, req.needs)))
            .collect();
        Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            collected_at: req.collected_at.clone(),
            accounts,
            log_groups: log_groups.into_values().collect(),
            metric_alarms,
            topics: topics.into_values().collect(),
            kms_keys,
            api_calls: req.rt.calls(),
            warnings,
            organization: None,
            unaudited: vec![],
            history: None,
        }
    }
}

/// Where the history window ends (seconds since the epoch): when the collection started,
/// rounded up to the second, so that what happened in that second before it counts.
fn history_end(collected_at: &str) -> i64 {
    aws_smithy_types::DateTime::from_str(collected_at, aws_smithy_types::date_time::Format::DateTime)
        .map(|d| d.secs() + i64::from(d.subsec_nanos() > 0))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_history_window_ends_at_the_collection_rounded_up_to_the_second() {
        // A data point stamped 12.2 s after 06:05:12 counts in a collection started at 12.7 s.
        assert_eq!(super::history_end("2026-12-05T06:05:12.748089Z"), 1_796_450_713);
        assert_eq!(super::history_end("2026-12-05T06:05:12Z"), 1_796_450_712);
        assert_eq!(super::history_end("not a time"), 0);
    }
}
