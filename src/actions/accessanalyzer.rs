//! IAM Access Analyzer actions: an external access analyzer for a region (and, to roll back,
//! deleting the one cis-audit created — never another).

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::{accessanalyzer as read, Collected};
use serde::{Deserialize, Serialize};

/// The region's analyzers, as (name, type, status).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalyzersState {
    pub analyzers: Vec<(String, String, String)>,
}

impl AnalyzersState {
    fn has(&self, name: &str) -> bool {
        self.analyzers.iter().any(|a| a.0 == name)
    }
    /// An ACTIVE external access analyzer (type ACCOUNT or ORGANIZATION).
    pub(crate) fn external_active(&self) -> Option<&str> {
        self.analyzers
            .iter()
            .find(|a| matches!(a.1.as_str(), "ACCOUNT" | "ORGANIZATION") && a.2 == "ACTIVE")
            .map(|a| a.0.as_str())
    }
}

async fn observe_analyzers(cx: &Cx<'_>) -> Result<AnalyzersState, ActionError> {
    match read::analyzers(cx.session, cx.rt, cx.region).await {
        Collected::Ok(list) => {
            Ok(AnalyzersState { analyzers: list.into_iter().map(|a| (a.name, a.analyzer_type, a.status)).collect() })
        }
        Collected::Error(e) => Err(e.into()),
    }
}

/// Creates an external access analyzer of the account (type ACCOUNT) in the region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateAnalyzer {
    pub name: String,
}

impl Spec for CreateAnalyzer {
    const OPERATION: &'static str = "access-analyzer:CreateAnalyzer";
    type State = AnalyzersState;
    fn resource(&self) -> String {
        format!("IAM Access Analyzer analyzer {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws accessanalyzer create-analyzer --region {region} --analyzer-name {} --type ACCOUNT", q(&self.name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<AnalyzersState, ActionError> {
        observe_analyzers(cx).await
    }
    fn precheck(&self, before: &AnalyzersState) -> Precheck {
        if let Some(name) = before.external_active() {
            Precheck::AlreadyDone(format!("external access analyzer {name} is already active"))
        } else if before.has(&self.name) {
            Precheck::Stop(format!(
                "an analyzer named {} already exists but is not an active external access analyzer; it is left as it is",
                self.name
            ))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &AnalyzersState) -> bool {
        s.analyzers
            .iter()
            .any(|a| a.0 == self.name && a.1 == "ACCOUNT" && matches!(a.2.as_str(), "ACTIVE" | "CREATING"))
    }
    fn inverse(&self, before: &AnalyzersState) -> Option<Action> {
        (!before.has(&self.name)).then(|| DeleteAnalyzer { name: self.name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_accessanalyzer::Client::new(&cx.config());
        let out = cx
            .call(
                Self::OPERATION,
                c.create_analyzer()
                    .analyzer_name(&self.name)
                    .r#type(aws_sdk_accessanalyzer::types::Type::Account)
                    .send(),
            )
            .await?;
        Ok(out.arn().unwrap_or("created").to_string())
    }
}

/// Deletes the analyzer cis-audit created (rollback only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteAnalyzer {
    pub name: String,
}

impl Spec for DeleteAnalyzer {
    const OPERATION: &'static str = "access-analyzer:DeleteAnalyzer";
    type State = AnalyzersState;
    fn resource(&self) -> String {
        format!("IAM Access Analyzer analyzer {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws accessanalyzer delete-analyzer --region {region} --analyzer-name {}", q(&self.name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<AnalyzersState, ActionError> {
        observe_analyzers(cx).await
    }
    fn precheck(&self, before: &AnalyzersState) -> Precheck {
        if before.has(&self.name) {
            Precheck::Go
        } else {
            Precheck::AlreadyDone(format!("analyzer {} is already gone", self.name))
        }
    }
    fn achieved(&self, s: &AnalyzersState) -> bool {
        !s.has(&self.name)
    }
    fn inverse(&self, _before: &AnalyzersState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_accessanalyzer::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.delete_analyzer().analyzer_name(&self.name).send()).await?;
        Ok(format!("analyzer {} deleted", self.name))
    }
}
