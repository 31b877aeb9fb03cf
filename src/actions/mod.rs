//! Typed changes to an AWS account: one struct per action, each in ONE place (its service's
//! file) with everything about it — its AWS CLI rendering, the state of the resource it observes
//! (a typed struct, not JSON keys), the pre-check before it runs, whether a state is what it
//! produces, its inverse, and its execution.
//!
//! This module sits below [`crate::checks`] on purpose: a finding's remediation hint is a list
//! of these same actions rendered as CLI commands ([`Hint`]), and a remediation plan
//! ([`crate::remediate`]) is a list of them applied; the hint and the step can never drift.
//! Observations go through the inventory's readers ([`crate::inventory`]): no AWS read here.

pub(crate) mod accessanalyzer;
pub(crate) mod cloudtrail;
pub(crate) mod cloudwatch;
pub(crate) mod config;
pub(crate) mod ec2;
pub(crate) mod events;
pub(crate) mod iam;
pub(crate) mod kms;
pub(crate) mod logs;
pub(crate) mod s3;
pub(crate) mod securityhub;
pub(crate) mod sns;
pub(crate) mod sqs;

use crate::aws::{classify, ApiError, Lane, Runtime, Session};
use crate::inventory::CollectError;
use serde::{Deserialize, Serialize};

/// Where an action runs.
pub(crate) struct Cx<'a> {
    pub session: &'a Session,
    pub rt: &'a Runtime,
    pub region: &'a str,
}

impl Cx<'_> {
    pub(crate) fn config(&self) -> aws_config::SdkConfig {
        self.session.region_config(self.region)
    }

    /// One write call under the runtime's bounds, counted under the action's operation.
    pub(crate) async fn call<T, E, R>(
        &self,
        operation: &'static str,
        fut: impl std::future::Future<Output = Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>>,
    ) -> Result<T, ActionError>
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        self.rt
            .call(&self.session.account_id, Some(self.region), Lane::Chain, operation, fut)
            .await
            .map_err(|e| ActionError::Api { operation, error: classify(&e) })
    }
}

/// Why an action (or its observation) failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum ActionError {
    #[error("{operation}: {error}")]
    Api { operation: &'static str, error: ApiError },
    #[error("{0}")]
    Read(#[from] CollectError),
    /// AWS cannot unsubscribe a subscription that is still pending confirmation.
    #[error("the {protocol} subscription of {endpoint} is still pending confirmation, and AWS cannot unsubscribe a pending subscription (it lapses after 3 days, or goes with its topic)")]
    PendingSubscription { protocol: String, endpoint: String },
    #[error("{0}")]
    Invalid(String),
}

/// What to do before running an action on a resource in some state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Precheck {
    Go,
    /// Nothing to do: the resource is already as wanted.
    AlreadyDone(String),
    /// Stop: something appeared or changed since planning; it is left untouched.
    Stop(String),
}

/// One action: its CLI text, observation, pre-check, inverse and execution.
pub(crate) trait Spec {
    /// `service:Operation` (the IAM action).
    const OPERATION: &'static str;
    /// The part of the resource's state this action is about.
    type State: Clone + PartialEq + Into<Observed>;
    /// The resource it touches, for deduplication and messages.
    fn resource(&self) -> String;
    /// The equivalent AWS CLI command.
    fn cli(&self, region: &str) -> String;
    #[allow(async_fn_in_trait)]
    async fn observe(&self, cx: &Cx<'_>) -> Result<Self::State, ActionError>;
    fn precheck(&self, _before: &Self::State) -> Precheck {
        Precheck::Go
    }
    /// Whether `state` is what this action leaves behind (used to resolve a step whose outcome
    /// was not recorded, e.g. after a crash).
    fn achieved(&self, state: &Self::State) -> bool;
    /// What undoes it, given the state before it; None: nothing to undo.
    fn inverse(&self, before: &Self::State) -> Option<Action>;
    /// Makes the call. Ok: a short result (an ARN, "pending confirmation" …).
    #[allow(async_fn_in_trait)]
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError>;
}

macro_rules! actions {
    ($( $variant:ident ( $module:ident :: $ty:ident ) => $state:ident ( $sty:ty ) ),* $(,)?) => {
        /// Every action, forward and inverse. Serialised as `{"type": "<Variant>", ...fields}`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type")]
        pub enum Action {
            $( $variant($module::$ty), )*
        }

        $( impl From<$module::$ty> for Action {
            fn from(a: $module::$ty) -> Action { Action::$variant(a) }
        } )*

        /// The IAM action of every action's call, forward and inverse (the remediation policy
        /// must allow them all: see [`crate::iam`]).
        #[cfg(test)]
        pub(crate) const OPERATIONS: &[&str] = &[ $( <$module::$ty as Spec>::OPERATION, )* ];

        impl Action {
            pub(crate) fn operation(&self) -> &'static str {
                match self { $( Action::$variant(_) => <$module::$ty as Spec>::OPERATION, )* }
            }
            pub(crate) fn resource(&self) -> String {
                match self { $( Action::$variant(a) => a.resource(), )* }
            }
            pub(crate) fn cli(&self, region: &str) -> String {
                match self { $( Action::$variant(a) => a.cli(region), )* }
            }
            pub(crate) async fn observe(&self, cx: &Cx<'_>) -> Result<Observed, ActionError> {
                match self { $( Action::$variant(a) => a.observe(cx).await.map(Into::into), )* }
            }
            pub(crate) async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
                match self { $( Action::$variant(a) => a.execute(cx).await, )* }
            }
            /// The pre-check against an observation (of the kind this action observes).
            pub(crate) fn precheck(&self, before: &Observed) -> Precheck {
                match (self, before) {
                    $( (Action::$variant(a), Observed::$state(s)) => a.precheck(s), )*
                    _ => Precheck::Stop(format!("{}: unexpected observation {before:?}", self.resource())),
                }
            }
            pub(crate) fn achieved(&self, state: &Observed) -> bool {
                match (self, state) {
                    $( (Action::$variant(a), Observed::$state(s)) => a.achieved(s), )*
                    _ => false,
                }
            }
            pub(crate) fn inverse(&self, before: &Observed) -> Option<Action> {
                match (self, before) {
                    $( (Action::$variant(a), Observed::$state(s)) => a.inverse(s), )*
                    _ => None,
                }
            }
        }
    };
}

actions! {
    CreateLogGroup(logs::CreateLogGroup) => LogGroup(logs::LogGroupState),
    DeleteLogGroup(logs::DeleteLogGroup) => LogGroup(logs::LogGroupState),
    PutMetricFilter(logs::PutMetricFilter) => Filter(logs::FilterState),
    DeleteMetricFilter(logs::DeleteMetricFilter) => Filter(logs::FilterState),
    CreateTopic(sns::CreateTopic) => Topic(sns::TopicState),
    DeleteTopic(sns::DeleteTopic) => Topic(sns::TopicState),
    Subscribe(sns::Subscribe) => Subscription(sns::SubscriptionState),
    Unsubscribe(sns::Unsubscribe) => Subscription(sns::SubscriptionState),
    SetTopicPolicy(sns::SetTopicPolicy) => TopicAttributes(sns::TopicAttributesState),
    EncryptTopic(sns::EncryptTopic) => TopicAttributes(sns::TopicAttributesState),
    PutRule(events::PutRule) => Rule(events::RuleState),
    DeleteRule(events::DeleteRule) => Rule(events::RuleState),
    PutTargets(events::PutTargets) => Targets(events::TargetsState),
    RemoveTargets(events::RemoveTargets) => Targets(events::TargetsState),
    PutMetricAlarm(cloudwatch::PutMetricAlarm) => Alarm(cloudwatch::AlarmState),
    DeleteAlarm(cloudwatch::DeleteAlarm) => Alarm(cloudwatch::AlarmState),
    CreateTrail(cloudtrail::CreateTrail) => Trail(cloudtrail::TrailState),
    DeleteTrail(cloudtrail::DeleteTrail) => Trail(cloudtrail::TrailState),
    UpdateTrail(cloudtrail::UpdateTrail) => TrailSettings(cloudtrail::TrailSettings),
    StartLogging(cloudtrail::StartLogging) => Logging(cloudtrail::LoggingState),
    StopLogging(cloudtrail::StopLogging) => Logging(cloudtrail::LoggingState),
    PutEventSelectors(cloudtrail::PutEventSelectors) => Selectors(cloudtrail::SelectorsState),
    PutConfigurationRecorder(config::PutConfigurationRecorder) => Recorder(config::RecorderState),
    DeleteConfigurationRecorder(config::DeleteConfigurationRecorder) => Recorder(config::RecorderState),
    PutDeliveryChannel(config::PutDeliveryChannel) => Channel(config::ChannelState),
    DeleteDeliveryChannel(config::DeleteDeliveryChannel) => Channel(config::ChannelState),
    StartConfigurationRecorder(config::StartConfigurationRecorder) => Recording(config::RecordingState),
    StopConfigurationRecorder(config::StopConfigurationRecorder) => Recording(config::RecordingState),
    EnableEbsEncryptionByDefault(ec2::EnableEbsEncryptionByDefault) => EbsDefault(ec2::EbsDefaultState),
    DisableEbsEncryptionByDefault(ec2::DisableEbsEncryptionByDefault) => EbsDefault(ec2::EbsDefaultState),
    RevokeSecurityGroupRules(ec2::RevokeSecurityGroupRules) => GroupRules(ec2::GroupRulesState),
    AuthorizeSecurityGroupRules(ec2::AuthorizeSecurityGroupRules) => GroupRules(ec2::GroupRulesState),
    DeleteNetworkAclEntry(ec2::DeleteNetworkAclEntry) => AclEntry(ec2::AclEntryState),
    CreateFlowLog(ec2::CreateFlowLog) => FlowLog(ec2::FlowLogState),
    DeleteFlowLog(ec2::DeleteFlowLog) => FlowLog(ec2::FlowLogState),
    EnableKeyRotation(kms::EnableKeyRotation) => Rotation(kms::RotationState),
    DisableKeyRotation(kms::DisableKeyRotation) => Rotation(kms::RotationState),
    UpdatePasswordPolicy(iam::UpdatePasswordPolicy) => PasswordPolicy(iam::PasswordPolicyState),
    RestorePasswordPolicy(iam::RestorePasswordPolicy) => PasswordPolicy(iam::PasswordPolicyState),
    EnableSecurityHub(securityhub::EnableSecurityHub) => Hub(securityhub::HubState),
    DisableSecurityHub(securityhub::DisableSecurityHub) => Hub(securityhub::HubState),
    CreateAnalyzer(accessanalyzer::CreateAnalyzer) => Analyzers(accessanalyzer::AnalyzersState),
    DeleteAnalyzer(accessanalyzer::DeleteAnalyzer) => Analyzers(accessanalyzer::AnalyzersState),
    PutAccountPublicAccessBlock(s3::PutAccountPublicAccessBlock) => AccountPublicAccess(s3::AccountPublicAccessState),
    RestoreAccountPublicAccessBlock(s3::RestoreAccountPublicAccessBlock) => AccountPublicAccess(s3::AccountPublicAccessState),
    CreateDrillResource(ec2::CreateDrillResource) => DrillResource(ec2::DrillResourceState),
    DeleteDrillResource(ec2::DeleteDrillResource) => DrillResource(ec2::DrillResourceState),
    CreateDrillQueue(sqs::CreateDrillQueue) => Queue(sqs::QueueState),
    DeleteDrillQueue(sqs::DeleteDrillQueue) => Queue(sqs::QueueState),
}

macro_rules! observed {
    ($( $variant:ident ( $ty:ty ) ),* $(,)?) => {
        /// The observed state of a resource, as the journal records it before and after each step.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Observed {
            $( $variant($ty), )*
        }

        $( impl From<$ty> for Observed { fn from(s: $ty) -> Observed { Observed::$variant(s) } } )*
    };
}

observed! {
    LogGroup(logs::LogGroupState),
    Filter(logs::FilterState),
    Topic(sns::TopicState),
    Subscription(sns::SubscriptionState),
    TopicAttributes(sns::TopicAttributesState),
    Rule(events::RuleState),
    Targets(events::TargetsState),
    Alarm(cloudwatch::AlarmState),
    Trail(cloudtrail::TrailState),
    TrailSettings(cloudtrail::TrailSettings),
    Logging(cloudtrail::LoggingState),
    Selectors(cloudtrail::SelectorsState),
    Recorder(config::RecorderState),
    Channel(config::ChannelState),
    Recording(config::RecordingState),
    EbsDefault(ec2::EbsDefaultState),
    GroupRules(ec2::GroupRulesState),
    AclEntry(ec2::AclEntryState),
    FlowLog(ec2::FlowLogState),
    Rotation(kms::RotationState),
    Hub(securityhub::HubState),
    PasswordPolicy(iam::PasswordPolicyState),
    Analyzers(accessanalyzer::AnalyzersState),
    AccountPublicAccess(s3::AccountPublicAccessState),
    DrillResource(ec2::DrillResourceState),
    Queue(sqs::QueueState),
}

/// Quotes for a POSIX shell when needed.
pub(crate) fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What a finding says to do: an optional sentence, then actions rendered as the AWS CLI
/// commands remediation would run.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Hint {
    pub note: Option<String>,
    /// (region, action)
    pub steps: Vec<(String, Action)>,
    /// Said after the commands (e.g. "then confirm it from the message AWS sends").
    pub after: Option<String>,
}

impl Hint {
    pub fn new(region: &str, actions: impl IntoIterator<Item = Action>) -> Hint {
        Hint { note: None, steps: actions.into_iter().map(|a| (region.to_string(), a)).collect(), after: None }
    }
    pub(crate) fn note(mut self, n: impl Into<String>) -> Hint {
        self.note = Some(n.into());
        self
    }
    pub(crate) fn then(mut self, n: impl Into<String>) -> Hint {
        self.after = Some(n.into());
        self
    }

    /// `note: cmd1; cmd2 (after)`.
    pub fn render(&self) -> String {
        let cmds: Vec<String> = self.steps.iter().map(|(r, a)| a.cli(r)).collect();
        let mut s = match &self.note {
            Some(n) if cmds.is_empty() => n.clone(),
            Some(n) => format!("{n}: {}", cmds.join("; ")),
            None => cmds.join("; "),
        };
        if let Some(a) = &self.after {
            s.push_str(&format!(" ({a})"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("abc-1:/x"), "abc-1:/x");
        assert_eq!(shell_quote("{ $.a = 1 }"), "'{ $.a = 1 }'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn actions_serialise_with_their_type_and_hints_render_commands() {
        let a: Action = logs::CreateLogGroup { log_group: "g".into() }.into();
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v, serde_json::json!({"type": "CreateLogGroup", "log_group": "g"}));
        assert_eq!(serde_json::from_value::<Action>(v).unwrap(), a);
        let h = Hint::new("eu-west-1", [a]).note("create it").then("done");
        assert_eq!(h.render(), "create it: aws logs create-log-group --region eu-west-1 --log-group-name g (done)");
    }
}
