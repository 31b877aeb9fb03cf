//! Findings: what the checks conclude, with the evidence behind each verdict; the evaluation of
//! a run (its control verdicts and findings) and the exit status they mean.

use crate::catalog::Control;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Fail,
    Error,
    Manual,
    Skipped,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::Manual => "MANUAL",
            Status::Skipped => "SKIPPED",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit step and the value observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What was examined, e.g. `trail`, `trail.is_logging`, `metric_filter.pattern`.
    pub step: String,
    /// The value observed.
    pub observed: serde_json::Value,
    /// Whether this step met the requirement (None: informational).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
}

impl Evidence {
    pub fn new(step: impl Into<String>, observed: impl Into<serde_json::Value>, ok: Option<bool>) -> Self {
        Evidence { step: step.into(), observed: observed.into(), ok }
    }
    pub(crate) fn ok(step: impl Into<String>, observed: impl Into<serde_json::Value>) -> Self {
        Self::new(step, observed, Some(true))
    }
    pub(crate) fn bad(step: impl Into<String>, observed: impl Into<serde_json::Value>) -> Self {
        Self::new(step, observed, Some(false))
    }
    pub(crate) fn info(step: impl Into<String>, observed: impl Into<serde_json::Value>) -> Self {
        Self::new(step, observed, None)
    }
}

/// What a finding is about within its control: a link of the monitoring chain, or the kind of
/// resource a check judges. With the control's key it makes the finding's stable check id
/// (`security-group-changes/metric-filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    /// The account as a whole (it could not be read, or the control is account-wide).
    Account,
    Trail,
    MetricFilter,
    Alarm,
    SnsSubscription,
    EventbridgeRule,
    Recorder,
    /// A setting of one region (EBS encryption by default, Security Hub).
    Region,
    SecurityGroup,
    NetworkAcl,
    Vpc,
    Instance,
    KmsKey,
    S3Bucket,
    PeeringConnection,
    IamUser,
    IamPolicy,
    ServerCertificate,
    /// An RDS DB instance (one not in a DB cluster).
    RdsInstance,
    /// An RDS DB cluster (Aurora, or a Multi-AZ DB cluster), judged with its instances.
    RdsCluster,
    EfsFileSystem,
    /// What the account's own history shows of a monitoring chain (`--evidence-days`).
    History,
}

impl Subject {
    pub const ALL: &'static [Subject] = &[
        Subject::Account,
        Subject::Trail,
        Subject::MetricFilter,
        Subject::Alarm,
        Subject::SnsSubscription,
        Subject::EventbridgeRule,
        Subject::Recorder,
        Subject::Region,
        Subject::SecurityGroup,
        Subject::NetworkAcl,
        Subject::Vpc,
        Subject::Instance,
        Subject::KmsKey,
        Subject::S3Bucket,
        Subject::PeeringConnection,
        Subject::IamUser,
        Subject::IamPolicy,
        Subject::ServerCertificate,
        Subject::RdsInstance,
        Subject::RdsCluster,
        Subject::EfsFileSystem,
        Subject::History,
    ];

    /// Its kebab-case name, as check ids spell it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Subject::Account => "account",
            Subject::Trail => "trail",
            Subject::MetricFilter => "metric-filter",
            Subject::Alarm => "alarm",
            Subject::SnsSubscription => "sns-subscription",
            Subject::EventbridgeRule => "eventbridge-rule",
            Subject::Recorder => "recorder",
            Subject::Region => "region",
            Subject::SecurityGroup => "security-group",
            Subject::NetworkAcl => "network-acl",
            Subject::Vpc => "vpc",
            Subject::Instance => "instance",
            Subject::KmsKey => "kms-key",
            Subject::S3Bucket => "s3-bucket",
            Subject::PeeringConnection => "peering-connection",
            Subject::IamUser => "iam-user",
            Subject::IamPolicy => "iam-policy",
            Subject::ServerCertificate => "server-certificate",
            Subject::RdsInstance => "rds-instance",
            Subject::RdsCluster => "rds-cluster",
            Subject::EfsFileSystem => "efs-file-system",
            Subject::History => "history",
        }
    }
}

/// An observed value as one line of text.
pub(crate) fn observed_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "none".to_string(),
        other => other.to_string(),
    }
}

/// The verdict of one check module (a [`Subject`] of a control) for one account (and region,
/// for regional checks). Built with [`Finding::about`], which will not make one without its
/// control, subject and account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The control's stable key, e.g. `security-group-changes`.
    pub key: String,
    /// CIS control id in the selected benchmark, e.g. `4.10`.
    pub control: String,
    pub subject: Subject,
    pub status: Status,
    pub account: String,
    pub region: Option<String>,
    /// The resource the verdict is about (ARN or name), when there is one.
    pub resource: Option<String>,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// What to do about a FAIL or ERROR.
    pub remediation: Option<String>,
}

impl Finding {
    /// A finding of `control` about `subject` in `account`: PASS with no message until said
    /// otherwise.
    pub(crate) fn about(control: &Control, subject: Subject, account: &str) -> Finding {
        Finding {
            key: control.key.clone(),
            control: control.id.clone(),
            subject,
            status: Status::Pass,
            account: account.to_string(),
            region: None,
            resource: None,
            message: String::new(),
            evidence: Vec::new(),
            remediation: None,
        }
    }
    pub(crate) fn status(mut self, s: Status) -> Self {
        self.status = s;
        self
    }
    pub(crate) fn region(mut self, r: Option<impl Into<String>>) -> Self {
        self.region = r.map(Into::into);
        self
    }
    pub(crate) fn resource(mut self, r: Option<impl Into<String>>) -> Self {
        self.resource = r.map(Into::into);
        self
    }
    pub(crate) fn message(mut self, m: impl Into<String>) -> Self {
        self.message = m.into();
        self
    }
    pub(crate) fn evidence(mut self, e: Vec<Evidence>) -> Self {
        self.evidence = e;
        self
    }
    pub(crate) fn remediation(mut self, r: Option<String>) -> Self {
        self.remediation = r;
        self
    }

    /// The stable check id: `<control key>/<subject>`.
    pub(crate) fn check_id(&self) -> String {
        format!("{}/{}", self.key, self.subject.name())
    }
}

/// The rolled-up verdict of one control for one account (and region, for regional controls).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlResult {
    /// The control's stable key.
    pub key: String,
    /// CIS id in the selected benchmark (a custom control's own id).
    pub control: String,
    pub title: String,
    pub status: Status,
    pub account: String,
    pub region: Option<String>,
    pub message: String,
    pub level: u8,
    pub assessment: String,
    /// A control of the run's configuration, not part of the CIS benchmark.
    pub custom: bool,
    /// How the verdict compares with the baseline report (`--baseline`), set by the policy.
    pub change: Option<Change>,
    /// A known exception from the configuration, set by the policy: the verdict keeps its
    /// status, and does not count for the exit code.
    pub suppressed: Option<Suppressed>,
    /// The evidence chain of a monitoring verdict, link by link, as reports draw it.
    pub chain: Option<ChainView>,
}

/// A verdict against the same account × control × region of the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Failing (FAIL or ERROR) now; not failing or absent in the baseline.
    New,
    /// Not failing now, failing then.
    Fixed,
    /// Failing both times.
    StillFailing,
    /// Not failing either time.
    Unchanged,
}

impl Change {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Fixed => "fixed",
            Change::StillFailing => "still-failing",
            Change::Unchanged => "unchanged",
        }
    }
}

/// Why a verdict is accepted as a known exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl ControlResult {
    /// The rolled-up verdict of `control` for one account (and region, for regional controls).
    pub fn new(control: &Control, account: &str, region: Option<&str>, status: Status, message: String) -> Self {
        ControlResult {
            key: control.key.clone(),
            control: control.id.clone(),
            title: control.title().to_string(),
            status,
            account: account.to_string(),
            region: region.map(str::to_string),
            message,
            level: control.level,
            assessment: control.assessment.clone(),
            custom: control.custom,
            change: None,
            suppressed: None,
            chain: None,
        }
    }

    pub(crate) fn with_chain(mut self, chain: Option<ChainView>) -> Self {
        self.chain = chain;
        self
    }
}

/// A link of the monitoring chain, as reports draw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    Trail,
    LogGroup,
    MetricFilter,
    Alarm,
    SnsTopic,
    Subscriber,
}

impl LinkKind {
    pub const ALL: [LinkKind; 6] = [
        LinkKind::Trail,
        LinkKind::LogGroup,
        LinkKind::MetricFilter,
        LinkKind::Alarm,
        LinkKind::SnsTopic,
        LinkKind::Subscriber,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            LinkKind::Trail => "Trail",
            LinkKind::LogGroup => "Log group",
            LinkKind::MetricFilter => "Metric filter",
            LinkKind::Alarm => "Alarm",
            LinkKind::SnsTopic => "SNS topic",
            LinkKind::Subscriber => "Subscriber",
        }
    }
}

/// Whether a link of the chain holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkState {
    Holds,
    Broken,
    /// It could not be read.
    Unreadable,
    /// Its evidence lives in an account outside the audit.
    OutOfScope,
    /// An earlier link is broken.
    NotReached,
}

/// One link of a monitoring verdict's chain: what it is, whether it holds, the resource, the
/// value observed in short, and the observations behind it (`step` → value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainLink {
    pub kind: LinkKind,
    pub state: LinkState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub value: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<Observation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub step: String,
    pub value: String,
}

/// The real-time route of a monitoring verdict: the trail that feeds EventBridge, and per region
/// the rule that delivers (or why none does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteView {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trail: Option<String>,
    pub regions: Vec<RouteRegion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRegion {
    pub region: String,
    pub holds: bool,
    pub text: String,
}

/// The evidence chain of a monitoring verdict: the metric-filter route's six links (trail → log
/// group → metric filter → alarm → SNS topic → subscriber) and, when the account has one, the
/// EventBridge route. Reports draw it from these values alone; part of the JSON report (v1.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainView {
    pub links: Vec<ChainLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<RouteView>,
}

/// What one run concludes: a verdict per account × control (× region), and the findings of every
/// check module behind them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evaluation {
    pub controls: Vec<ControlResult>,
    pub findings: Vec<Finding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_serialises_uppercase() {
        assert_eq!(serde_json::to_string(&Status::Manual).unwrap(), "\"MANUAL\"");
    }
}
