//! The remediation plan: a pure function of the inventory (which holds the reads remediation
//! needs, see [`crate::inventory::RemediationNeeds`]), the evaluation and the operator's inputs →
//! an ordered list of typed [`Action`]s, each printable as the AWS CLI command it is equivalent
//! to.
//!
//! Rules: reuse before create (the qualifying or multi-region trail, its log group, a covering
//! metric filter, a working alarm, the topic and its subscriptions); one topic serves every
//! alarm (steps are deduplicated by the resource they touch); nothing that exists with another
//! definition is replaced (a `-cis` name is used instead, or the step stops with a message);
//! nothing is ever deleted. A step whose input is missing is MANUAL: shown with its command and
//! the missing value; steps that depend on it are MANUAL too, the others still apply.
//!
//! One module per control family: [`trail`] (3.1 and the trail link), [`monitoring`] (4.x on
//! the metric-filter route), [`eventbridge`] (4.x on the real-time route), [`config`] (3.3).

mod config;
mod eventbridge;
mod monitoring;
mod topic;
mod trail;

#[cfg(test)]
pub(crate) use eventbridge::{default_topic_policy, merge_statement, POLICY_SID};

pub(crate) use trail::{trail_target, TrailTarget};

use crate::actions::Action;
use crate::catalog::Control;
use crate::checks::module::{HookOptions, PlanInput};
use crate::checks::Context;
use crate::checks::{config_recorder, monitoring as chain, trail as trail_check, trail_cloudwatch};
use crate::finding::{ControlResult, Evaluation, Status};
use crate::inventory::{AccountInventory, Arn, Collected, MetricAlarm, MetricFilter, Subscription};
use serde::{Deserialize, Serialize};

/// Where alarm notifications go: `email:secops@example.com`, `https:URL`, `sms:+123`,
/// `lambda:ARN`, `sqs:ARN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notify {
    pub protocol: String,
    pub endpoint: String,
}

impl std::str::FromStr for Notify {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (p, e) = s
            .split_once(':')
            .ok_or_else(|| format!("--notify '{s}': expected PROTOCOL:ENDPOINT, e.g. email:secops@example.com"))?;
        let protocol = p.trim().to_ascii_lowercase();
        let endpoint = e.trim().to_string();
        let ok = match protocol.as_str() {
            "email" | "email-json" => endpoint.contains('@'),
            "https" | "http" => {
                // Both `https:https://host/path` and plain `https://host/path`.
                let url = if endpoint.starts_with("//") { format!("{protocol}:{endpoint}") } else { endpoint };
                return if url.starts_with(&format!("{protocol}://")) {
                    Ok(Notify { protocol, endpoint: url })
                } else {
                    Err(format!("--notify '{s}': expected {protocol}:{protocol}://host/path"))
                };
            }
            "sms" => endpoint.starts_with('+') && endpoint.len() > 1,
            "lambda" | "sqs" | "firehose" => Arn::parse(&endpoint).is_some(),
            _ => {
                return Err(format!(
                    "--notify '{s}': unknown protocol '{protocol}' (email, email-json, https, http, sms, lambda, sqs, firehose)"
                ))
            }
        };
        if ok {
            Ok(Notify { protocol, endpoint })
        } else {
            Err(format!("--notify '{s}': '{endpoint}' is not a valid {protocol} endpoint"))
        }
    }
}

/// Which route the monitoring family is remediated with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    /// The CIS steps: a metric filter on the trail's log group, an alarm, a topic.
    #[default]
    MetricFilter,
    /// EventBridge rules on the default bus in every region, targeting a topic.
    Eventbridge,
}

/// The operator's inputs, with CIS defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inputs {
    pub benchmark: String,
    pub strict_patterns: bool,
    /// Region for account-level things: a new trail, the recorder that includes global types.
    pub home_region: String,
    pub notify: Vec<Notify>,
    pub topic_name: String,
    /// When `--topic-name` was not given and that topic does not exist, an existing topic in
    /// the region with a confirmed subscriber (one the inventory shows alarms notify) is used.
    #[serde(default)]
    pub reuse_confirmed_topic: bool,
    pub metric_namespace: String,
    pub trail_name: String,
    pub trail_bucket: Option<String>,
    pub log_group: String,
    pub cloudtrail_logs_role_arn: Option<String>,
    pub config_role_arn: Option<String>,
    pub config_bucket: Option<String>,
    #[serde(default)]
    pub route: Route,
    /// Plan the removal of every rule of each VPC's default security group
    /// (`--remediate-default-sg`): off by default, since workloads may rely on them.
    #[serde(default)]
    pub remediate_default_sg: bool,
    #[serde(default)]
    pub flow_logs_role_arn: Option<String>,
    #[serde(default = "default_flow_logs_group")]
    pub flow_logs_log_group: String,
    /// `--yes`: steps that cut off something relying on the current state (account-level Block
    /// Public Access over public buckets) are planned as automatic only with it.
    #[serde(default)]
    pub yes: bool,
}

fn default_flow_logs_group() -> String {
    crate::catalog::cis::FLOW_LOGS_LOG_GROUP.into()
}

impl Inputs {
    #[cfg(test)]
    pub(crate) fn defaults(benchmark: &str, home_region: &str) -> Inputs {
        Inputs {
            benchmark: benchmark.into(),
            strict_patterns: false,
            home_region: home_region.into(),
            notify: vec![],
            topic_name: crate::catalog::cis::TOPIC_NAME.into(),
            reuse_confirmed_topic: true,
            metric_namespace: crate::catalog::cis::METRIC_NAMESPACE.into(),
            trail_name: crate::catalog::cis::TRAIL_NAME.into(),
            trail_bucket: None,
            log_group: crate::catalog::cis::LOG_GROUP.into(),
            cloudtrail_logs_role_arn: None,
            config_role_arn: None,
            config_bucket: None,
            route: Route::MetricFilter,
            remediate_default_sg: false,
            flow_logs_role_arn: None,
            flow_logs_log_group: default_flow_logs_group(),
            yes: false,
        }
    }

    /// What a control module's remediation hook reads of these inputs.
    pub(crate) fn hooks(&self) -> HookOptions {
        HookOptions {
            home_region: self.home_region.clone(),
            remediate_default_sg: self.remediate_default_sg,
            flow_logs_role_arn: self.flow_logs_role_arn.clone(),
            flow_logs_log_group: self.flow_logs_log_group.clone(),
            yes: self.yes,
        }
    }

    /// What the collector must read for a plan with these inputs.
    pub(crate) fn needs(&self) -> crate::inventory::RemediationNeeds {
        crate::inventory::RemediationNeeds {
            home_region: self.home_region.clone(),
            log_group: self.log_group.clone(),
            topic_name: self.topic_name.clone(),
        }
    }
}

/// Why a step cannot run by itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manual {
    /// Inputs to supply (`--trail-bucket` …); empty when the step is blocked for another reason.
    pub missing: Vec<String>,
    pub reason: String,
}

impl Manual {
    /// One line: what is missing and why.
    pub(crate) fn describe(&self) -> String {
        if self.missing.is_empty() {
            self.reason.clone()
        } else {
            format!("MANUAL: missing {} ({})", self.missing.join(", "), self.reason)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// 1-based position in the plan.
    pub id: usize,
    pub account: String,
    pub region: String,
    pub action: Action,
    /// CIS controls this step serves.
    pub controls: Vec<String>,
    /// Steps that must have succeeded first.
    pub depends_on: Vec<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<Manual>,
    /// The equivalent AWS CLI command.
    pub command: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Things the operator should know: pending confirmations, names chosen to avoid a clash,
    /// steps stopped to leave something untouched.
    pub notes: Vec<String>,
    /// What is left to do by a person once the plan is applied (confirming a subscription).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_to_do: Vec<String>,
}

impl Plan {
    pub(crate) fn automatic(&self) -> usize {
        self.steps.iter().filter(|s| s.manual.is_none()).count()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The controls the plan serves.
    pub(crate) fn controls(&self) -> Vec<String> {
        let mut c: Vec<String> = self.steps.iter().flat_map(|s| s.controls.clone()).collect();
        c.sort();
        c.dedup();
        c
    }

    fn add(
        &mut self,
        account: &str,
        region: &str,
        controls: &[String],
        action: impl Into<Action>,
        deps: &[Option<usize>],
        manual: Option<Manual>,
    ) -> usize {
        let action = action.into();
        if let Some(s) =
            self.steps.iter_mut().find(|s| s.account == account && s.region == region && s.action == action)
        {
            for c in controls {
                if !s.controls.contains(c) {
                    s.controls.push(c.clone());
                }
            }
            return s.id;
        }
        let depends_on: Vec<usize> = deps.iter().flatten().copied().collect();
        // A step that needs a MANUAL step is MANUAL too.
        let manual = manual.or_else(|| {
            depends_on
                .iter()
                .find(|d| self.steps[**d - 1].manual.is_some())
                .map(|d| Manual { missing: vec![], reason: format!("needs step {d} first, which is MANUAL") })
        });
        let id = self.steps.len() + 1;
        self.steps.push(Step {
            id,
            account: account.into(),
            region: region.into(),
            command: action.cli(region),
            action,
            controls: controls.to_vec(),
            depends_on,
            manual,
        });
        id
    }

    fn note(&mut self, n: String) {
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    /// A note that is also the one thing left to do.
    fn left(&mut self, n: String) {
        if !self.left_to_do.contains(&n) {
            self.left_to_do.push(n.clone());
        }
        self.note(n);
    }
}

pub(crate) fn topic_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:sns:{region}:{account}:{name}")
}

/// What the inventory says about the place the plan would add monitoring to.
pub(crate) struct Facts<'a> {
    pub log_group_exists: bool,
    pub filters: &'a [MetricFilter],
    pub alarms: &'a [MetricAlarm],
    pub topic_arn: String,
    pub topic_exists: bool,
    pub topic_subscriptions: &'a [Subscription],
    /// Reads that failed; the steps that need them stop with this.
    pub errors: Vec<String>,
}

impl<'a> Facts<'a> {
    fn of(ctx: &'a Context<'a>, acct: &'a AccountInventory, t: &TrailTarget, inputs: &Inputs) -> Facts<'a> {
        let region = t.log_group_region.as_str();
        let topic_arn = topic_arn(&acct.partition, region, &acct.account_id, &inputs.topic_name);
        let mut f = Facts {
            log_group_exists: false,
            filters: &[],
            alarms: &[],
            topic_exists: false,
            topic_subscriptions: &[],
            topic_arn,
            errors: vec![],
        };
        if t.log_group_account != acct.account_id {
            return f;
        }
        let Some(rem) = &acct.remediation else {
            f.errors.push("the inventory holds no remediation facts (it was collected without --remediate)".into());
            return f;
        };
        match rem.log_groups.iter().find(|l| l.region == region && l.name == t.log_group).map(|l| &l.exists) {
            Some(Collected::Ok(x)) => f.log_group_exists = *x,
            Some(Collected::Error(e)) => f.errors.push(e.to_string()),
            None => {}
        }
        match ctx.log_group(&acct.account_id, region, &t.log_group).map(|g| &g.metric_filters) {
            Some(Collected::Ok(x)) => {
                f.filters = x;
                f.log_group_exists = true;
            }
            Some(Collected::Error(e)) if e.is_not_found() => f.log_group_exists = false,
            Some(Collected::Error(e)) => f.errors.push(e.to_string()),
            None => {}
        }
        match rem.alarms.iter().find(|a| a.region == region).map(|a| &a.alarms) {
            Some(Collected::Ok(x)) => f.alarms = x,
            Some(Collected::Error(e)) => f.errors.push(e.to_string()),
            None => f.errors.push(format!("the alarms of {region} were not read")),
        }
        match rem.topics.iter().find(|x| x.arn == f.topic_arn).map(|x| &x.subscriptions) {
            Some(Collected::Ok(x)) => {
                f.topic_exists = true;
                f.topic_subscriptions = x;
            }
            Some(Collected::Error(e)) if e.is_not_found() => {}
            Some(Collected::Error(e)) => f.errors.push(e.to_string()),
            None => f.errors.push(format!("topic {} was not read", f.topic_arn)),
        }
        f
    }
}

/// Builds the plan for every FAILing control of every account in the evaluation.
pub(crate) fn build(ctx: &Context, eval: &Evaluation, controls: &[Control], inputs: &Inputs) -> Plan {
    let mut plan = Plan::default();
    let mut policies = eventbridge::Policies::default();
    for r in eval.controls.iter().filter(|r| r.status == Status::Fail) {
        if let Some(s) = &r.suppressed {
            let at = r.region.as_deref().map(|x| format!(" in {x}")).unwrap_or_default();
            plan.note(format!(
                "{} (account {}{at}) is suppressed ({}): not remediated",
                r.control, r.account, s.reason
            ));
        }
    }
    for acct in &ctx.inv.accounts {
        let failing = |c: &Control, region: Option<&str>| {
            eval.controls.iter().any(|r| {
                r.control == c.id
                    && r.account == acct.account_id
                    && r.status == Status::Fail
                    && r.suppressed.is_none()
                    && region.is_none_or(|x| r.region.as_deref() == Some(x))
            })
        };
        let of = |k: &'static str| controls.iter().filter(move |c| c.check() == k);
        let trail_ctl = of(trail_check::CHECK.name).find(|c| failing(c, None));
        let logs_ctl = of(trail_cloudwatch::CHECK.name).find(|c| failing(c, None));
        let monitoring: Vec<&Control> = of(chain::CHECK.name).filter(|c| failing(c, None)).collect();
        let config_ctl = of(config_recorder::CHECK.name).next();

        let realtime = inputs.route == Route::Eventbridge;
        // The real-time route needs a trail that satisfies 3.1 (EventBridge receives only the
        // events a trail records), not its CloudWatch Logs link.
        let needs_trail = !realtime
            || (!monitoring.is_empty()
                && !crate::checks::trail::account_trails(acct, ctx)
                    .into_iter()
                    .any(|t| crate::checks::trail::assess_trail(t, ctx).qualifies()));
        if trail_ctl.is_some() || logs_ctl.is_some() || (needs_trail && !monitoring.is_empty()) {
            let target = trail_target(acct, ctx, inputs);
            let facts = Facts::of(ctx, acct, &target, inputs);
            let chain: &[&Control] = if realtime { &[] } else { &monitoring };
            let served: &[&Control] = if needs_trail { &monitoring } else { &[] };
            let ids: Vec<String> =
                trail_ctl.into_iter().chain(logs_ctl).chain(served.iter().copied()).map(|c| c.id.clone()).collect();
            let link = logs_ctl.is_some() || !realtime;
            let group_step = trail::plan(&mut plan, acct, inputs, &facts, &target, &ids, link);
            for c in chain {
                monitoring::plan(&mut plan, ctx, acct, inputs, &facts, &target, c, group_step);
            }
        }
        if realtime {
            for c in &monitoring {
                eventbridge::plan(&mut plan, &mut policies, ctx, acct, inputs, c);
            }
        }
        if let Some(c) = config_ctl {
            let regions: Vec<&str> = acct.regions.iter().map(|s| s.as_str()).filter(|r| failing(c, Some(r))).collect();
            if !regions.is_empty() {
                config::plan(&mut plan, acct, inputs, c, &regions);
            }
        }
        // Every other control: its module's own hook.
        for c in controls {
            let Some(hook) = crate::checks::for_control(c).plan else { continue };
            let failing: Vec<&ControlResult> = eval
                .controls
                .iter()
                .filter(|r| r.key == c.key && r.account == acct.account_id)
                .filter(|r| r.status == Status::Fail && r.suppressed.is_none())
                .collect();
            if failing.is_empty() {
                continue;
            }
            let input = PlanInput { control: c, acct, ctx, failing, options: &inputs.hooks() };
            for p in hook(&input) {
                let manual = (p.manual.is_some() || !p.missing.is_empty()).then(|| Manual {
                    missing: p.missing.clone(),
                    reason: p.manual.clone().unwrap_or_else(|| "an input is missing".into()),
                });
                plan.add(&acct.account_id, &p.region, std::slice::from_ref(&c.id), p.action, &[], manual);
            }
        }
    }
    policies.flush(&mut plan);
    plan
}

#[cfg(test)]
mod tests;
