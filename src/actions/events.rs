//! EventBridge actions: the real-time route's rule on the default bus and its SNS target (with
//! an input transformer that turns the event into a sentence).

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::{eventbridge as read, Collected, InputTransformer, RuleTarget};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A rule: whether it exists, its pattern and state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleState {
    pub exists: bool,
    pub pattern: Option<String>,
    pub state: Option<String>,
}

async fn observe_rule(cx: &Cx<'_>, name: &str) -> Result<RuleState, ActionError> {
    Ok(match read::rule(cx.session, cx.rt, cx.region, name).await? {
        None => RuleState::default(),
        Some(r) => RuleState { exists: true, pattern: r.event_pattern, state: Some(r.state) },
    })
}

fn same_json(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<serde_json::Value>(a), serde_json::from_str::<serde_json::Value>(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// An enabled rule on the default bus with an event pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutRule {
    pub name: String,
    pub pattern: String,
    pub description: String,
}

impl Spec for PutRule {
    const OPERATION: &'static str = "events:PutRule";
    type State = RuleState;
    fn resource(&self) -> String {
        format!("rule {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws events put-rule --region {region} --name {} --event-pattern {} --state ENABLED --description {}",
            q(&self.name),
            q(&self.pattern),
            q(&self.description)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<RuleState, ActionError> {
        observe_rule(cx, &self.name).await
    }
    fn precheck(&self, before: &RuleState) -> Precheck {
        match (&before.pattern, before.exists) {
            (_, false) => Precheck::Go,
            _ if self.achieved(before) => {
                Precheck::AlreadyDone(format!("rule {} already exists with this pattern", self.name))
            }
            _ => Precheck::Stop(format!(
                "rule {} appeared since planning with another pattern or state; left untouched",
                self.name
            )),
        }
    }
    fn achieved(&self, s: &RuleState) -> bool {
        s.exists
            && s.state.as_deref() == Some("ENABLED")
            && s.pattern.as_deref().is_some_and(|p| same_json(p, &self.pattern))
    }
    fn inverse(&self, before: &RuleState) -> Option<Action> {
        if before.exists {
            return None;
        }
        Some(DeleteRule { name: self.name.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_eventbridge::Client::new(&cx.config());
        let req = c
            .put_rule()
            .name(&self.name)
            .event_bus_name("default")
            .event_pattern(&self.pattern)
            .state(aws_sdk_eventbridge::types::RuleState::Enabled)
            .description(&self.description);
        let o = cx.call(Self::OPERATION, req.send()).await?;
        Ok(o.rule_arn().unwrap_or_default().to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteRule {
    pub name: String,
}

impl Spec for DeleteRule {
    const OPERATION: &'static str = "events:DeleteRule";
    type State = RuleState;
    fn resource(&self) -> String {
        format!("rule {}", self.name)
    }
    fn cli(&self, region: &str) -> String {
        format!("aws events delete-rule --region {region} --name {}", q(&self.name))
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<RuleState, ActionError> {
        observe_rule(cx, &self.name).await
    }
    fn achieved(&self, s: &RuleState) -> bool {
        !s.exists
    }
    fn inverse(&self, _before: &RuleState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_eventbridge::Client::new(&cx.config());
        cx.call(Self::OPERATION, c.delete_rule().name(&self.name).event_bus_name("default").send()).await?;
        Ok(format!("deleted rule {}", self.name))
    }
}

/// The targets of a rule (none when the rule does not exist).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetsState {
    pub targets: Vec<RuleTarget>,
}

async fn observe_targets(cx: &Cx<'_>, rule: &str) -> Result<TargetsState, ActionError> {
    match read::targets(cx.session, cx.rt, cx.region, rule).await {
        Collected::Ok(targets) => Ok(TargetsState { targets }),
        Collected::Error(e) if e.is_not_found() => Ok(TargetsState::default()),
        Collected::Error(e) => Err(e.into()),
    }
}

/// The AWS CLI's JSON for one target.
fn target_json(t: &RuleTarget) -> serde_json::Value {
    let mut v = json!({"Id": t.id, "Arn": t.arn});
    if let Some(r) = &t.role_arn {
        v["RoleArn"] = r.clone().into();
    }
    if let Some(it) = &t.input_transformer {
        v["InputTransformer"] = json!({"InputPathsMap": it.input_paths_map, "InputTemplate": it.input_template});
    }
    v
}

/// One target on a rule: an SNS topic, with the input transformer of the alert sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutTargets {
    pub rule: String,
    pub target: RuleTarget,
}

impl Spec for PutTargets {
    const OPERATION: &'static str = "events:PutTargets";
    type State = TargetsState;
    fn resource(&self) -> String {
        format!("target {} of rule {}", self.target.id, self.rule)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws events put-targets --region {region} --rule {} --targets {}",
            q(&self.rule),
            q(&json!([target_json(&self.target)]).to_string())
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TargetsState, ActionError> {
        observe_targets(cx, &self.rule).await
    }
    fn precheck(&self, before: &TargetsState) -> Precheck {
        match before.targets.iter().find(|t| t.id == self.target.id) {
            None => Precheck::Go,
            Some(t) if *t == self.target => {
                Precheck::AlreadyDone(format!("rule {} already has this target", self.rule))
            }
            Some(_) => Precheck::Stop(format!(
                "rule {} has a target {} with another definition; left untouched",
                self.rule, self.target.id
            )),
        }
    }
    fn achieved(&self, s: &TargetsState) -> bool {
        s.targets.contains(&self.target)
    }
    fn inverse(&self, _before: &TargetsState) -> Option<Action> {
        Some(RemoveTargets { rule: self.rule.clone(), ids: vec![self.target.id.clone()] }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        use aws_sdk_eventbridge::types::{InputTransformer as SdkIt, Target};
        let c = aws_sdk_eventbridge::Client::new(&cx.config());
        let mut t =
            Target::builder().id(&self.target.id).arn(&self.target.arn).set_role_arn(self.target.role_arn.clone());
        if let Some(InputTransformer { input_paths_map, input_template }) = &self.target.input_transformer {
            let it = SdkIt::builder()
                .set_input_paths_map(Some(input_paths_map.clone().into_iter().collect()))
                .input_template(input_template)
                .build()
                .map_err(|e| ActionError::Invalid(e.to_string()))?;
            t = t.input_transformer(it);
        }
        let t = t.build().map_err(|e| ActionError::Invalid(e.to_string()))?;
        let o = cx
            .call(Self::OPERATION, c.put_targets().rule(&self.rule).event_bus_name("default").targets(t).send())
            .await?;
        if o.failed_entry_count() > 0 {
            let why: Vec<String> = o
                .failed_entries()
                .iter()
                .map(|f| format!("{}: {}", f.error_code().unwrap_or("?"), f.error_message().unwrap_or("")))
                .collect();
            return Err(ActionError::Invalid(format!("put-targets failed: {}", why.join("; "))));
        }
        Ok(format!("rule {} → {}", self.rule, self.target.arn))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoveTargets {
    pub rule: String,
    pub ids: Vec<String>,
}

impl Spec for RemoveTargets {
    const OPERATION: &'static str = "events:RemoveTargets";
    type State = TargetsState;
    fn resource(&self) -> String {
        format!("target {} of rule {}", self.ids.join(","), self.rule)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws events remove-targets --region {region} --rule {} --ids {}",
            q(&self.rule),
            self.ids.iter().map(|i| q(i)).collect::<Vec<_>>().join(" ")
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<TargetsState, ActionError> {
        observe_targets(cx, &self.rule).await
    }
    fn achieved(&self, s: &TargetsState) -> bool {
        !s.targets.iter().any(|t| self.ids.contains(&t.id))
    }
    fn inverse(&self, _before: &TargetsState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = aws_sdk_eventbridge::Client::new(&cx.config());
        let req = c.remove_targets().rule(&self.rule).event_bus_name("default").set_ids(Some(self.ids.clone()));
        cx.call(Self::OPERATION, req.send()).await?;
        Ok(format!("removed target {} of rule {}", self.ids.join(","), self.rule))
    }
}
