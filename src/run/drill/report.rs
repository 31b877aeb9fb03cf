//! What a drill says: its plan before, and after, per control and region each route followed
//! with its links, their latency and the first that did not happen — as text, or JSON
//! (`--format json`).

use super::follow::{label, shown, stopped_at, LinkResult, LinkState};
use super::Unit;
use crate::remediate::plan::Plan;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// The two routes an alert can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RouteKind {
    /// CloudTrail → CloudWatch Logs → metric filter → alarm → SNS.
    MetricFilter,
    /// CloudTrail → EventBridge rule → SNS.
    Eventbridge,
}

impl RouteKind {
    pub(crate) fn title(self) -> &'static str {
        match self {
            RouteKind::MetricFilter => "the metric-filter route",
            RouteKind::Eventbridge => "the EventBridge route",
        }
    }
}

/// One route followed, link by link.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RouteOutcome {
    pub route: RouteKind,
    /// The chain followed, as the plan named it.
    pub chain: String,
    pub links: Vec<LinkResult>,
    /// Every link happened.
    pub arrived: bool,
    /// The first link that did not happen (or happened wrong).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<&'static str>,
}

impl RouteOutcome {
    pub(crate) fn new(route: RouteKind, chain: String, links: Vec<LinkResult>) -> Self {
        let stopped_at = stopped_at(&links);
        RouteOutcome { route, chain, links, arrived: stopped_at.is_none(), stopped_at }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnitOutcome {
    pub control: String,
    pub key: String,
    pub region: String,
    pub vpc: String,
    /// The id of the resource the drill created and changed.
    pub resource: Option<String>,
    /// Each route followed (the metric-filter route first).
    pub routes: Vec<RouteOutcome>,
    /// Routes not followed, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_followed: Vec<String>,
    /// The alert went through every link of every route followed.
    pub arrived: bool,
    /// The drill could not make its change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl UnitOutcome {
    pub(crate) fn new(u: &Unit) -> Self {
        UnitOutcome {
            control: u.control.clone(),
            key: u.key.clone(),
            region: u.region.clone(),
            vpc: u.vpc.clone(),
            resource: None,
            routes: vec![],
            not_followed: u.not_followed.clone(),
            arrived: false,
            error: None,
        }
    }
    pub(crate) fn set_routes(&mut self, routes: Vec<RouteOutcome>) {
        self.arrived = !routes.is_empty() && routes.iter().all(|r| r.arrived);
        self.routes = routes;
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Outcome {
    pub drill_id: String,
    pub account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<String>,
    pub units: Vec<UnitOutcome>,
    /// Controls or regions not drilled, and why; a refusal to start.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
    pub interrupted: bool,
    /// What the cleanup did, step by step.
    pub cleanup: Vec<String>,
    pub cleaned_up: bool,
    pub api_calls: BTreeMap<String, u64>,
    pub wall_seconds: f64,
}

impl Outcome {
    pub(crate) fn new(drill_id: &str, account: &str) -> Self {
        Outcome {
            drill_id: drill_id.into(),
            account: account.into(),
            journal: None,
            units: vec![],
            refused: vec![],
            interrupted: false,
            cleanup: vec![],
            cleaned_up: true,
            api_calls: BTreeMap::new(),
            wall_seconds: 0.0,
        }
    }

    pub(crate) fn json(&self) -> String {
        format!("{}\n", serde_json::to_string_pretty(self).unwrap_or_default())
    }

    /// The verdict-like table of every unit and route, then the totals.
    pub(crate) fn closing_text(&self) -> String {
        let mut s = String::new();
        for u in &self.units {
            s.push_str(&format!(
                "\n{} {} in {} ({} {}):\n",
                u.control,
                u.key,
                u.region,
                u.resource.as_deref().unwrap_or("no resource"),
                u.vpc
            ));
            if let Some(e) = &u.error {
                s.push_str(&format!("  ERROR: the change could not be made: {e}\n"));
                continue;
            }
            for r in &u.routes {
                s.push_str(&route_text(r));
            }
            for n in &u.not_followed {
                s.push_str(&format!("  not followed: {n}\n"));
            }
        }
        for r in &self.refused {
            s.push_str(&format!("not drilled: {r}\n"));
        }
        let calls: u64 = self.api_calls.values().sum();
        s.push_str(&format!(
            "\n{} drill(s): {} arrived, {} stopped | cleanup {} | {calls} API calls in {:.1} s\n",
            self.units.len(),
            self.units.iter().filter(|u| u.arrived).count(),
            self.units.iter().filter(|u| !u.arrived).count(),
            if self.cleaned_up { "complete" } else { "INCOMPLETE" },
            self.wall_seconds
        ));
        s
    }
}

/// One route's links as a table, the rule's delivered message, and where it arrived or stopped.
fn route_text(r: &RouteOutcome) -> String {
    let mut s = format!("  {}: {}\n", r.route.title(), r.chain);
    for l in &r.links {
        let state = match l.state {
            LinkState::Happened => "happened",
            LinkState::Unobserved => "unobserved",
            LinkState::Missed => "MISSED",
            LinkState::Failed => "FAILED",
            LinkState::NotReached => "not reached",
            LinkState::Unreadable => "UNREADABLE",
        };
        let after = l.latency_seconds.map(|x| format!("{x:.1} s")).unwrap_or_else(|| "—".into());
        s.push_str(&format!("    {:<34} {:<11} {:>8}  {}\n", label(l.link), state, after, l.detail));
        // The rule's message is the alert a person reads: shown whole.
        if let (RouteKind::Eventbridge, Some(m)) = (r.route, &l.message) {
            s.push_str(&format!("      message delivered: {}\n", shown(m)));
        }
    }
    match r.stopped_at {
        None => s.push_str(&format!(
            "    ARRIVED: the alert went through every link ({})\n",
            r.links
                .iter()
                .filter_map(|l| l.latency_seconds)
                .next_back()
                .map(|x| format!("{x:.1} s after the change"))
                .unwrap_or_default()
        )),
        Some(l) => s.push_str(&format!("    STOPPED at: {}\n", label(l))),
    }
    s
}

/// The plan: what will be created where, the change, the routes followed, the commands.
pub(crate) fn plan_text(units: &[Unit], plan: &Plan, refused: &[String], journal: &Path, timeout: Duration) -> String {
    let mut s = String::from("Drill plan:\n");
    for u in units {
        let vpc = if u.kind.in_vpc() { format!(" (VPC {})", u.vpc) } else { " (IAM is global)".to_string() };
        s.push_str(&format!("  {} {} in {}{vpc}: {}\n", u.control, u.key, u.region, u.what));
        if let Some(r) = &u.metric {
            s.push_str(&format!("    follows {}: {}\n", RouteKind::MetricFilter.title(), r.describe()));
        }
        if let Some(r) = &u.rule {
            s.push_str(&format!("    follows {}: {}\n", RouteKind::Eventbridge.title(), r.describe()));
        }
        for n in &u.not_followed {
            s.push_str(&format!("    does not follow {n}\n"));
        }
        for q in &u.queues {
            s.push_str(&format!(
                "    and a temporary SQS queue {} ({}) subscribed to {} for the drill, deleted after\n",
                q.name, q.region, q.topic
            ));
        }
    }
    for r in refused {
        s.push_str(&format!("  not drilled: {r}\n"));
    }
    if !plan.steps.is_empty() {
        s.push_str("  Created (journaled before each call, removed at the end):\n");
        for st in &plan.steps {
            s.push_str(&format!("    {}. {}\n", st.id, st.command));
        }
        s.push_str(&format!(
            "  Each alert is followed for up to {} s; the journal is {} (cis-audit rollback {} removes everything if the drill dies).\n",
            timeout.as_secs(),
            journal.display(),
            journal.display()
        ));
    }
    s
}
