//! What a drill says: its plan before, and after, per control and region the links with their
//! latency and the first that did not happen — as text, or JSON (`--format json`).

use super::follow::{label, LinkResult, LinkState};
use super::Unit;
use crate::remediate::plan::Plan;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnitOutcome {
    pub control: String,
    pub key: String,
    pub region: String,
    pub vpc: String,
    /// The id of the resource the drill created and changed.
    pub resource: Option<String>,
    pub route: String,
    pub links: Vec<LinkResult>,
    /// Every link happened.
    pub arrived: bool,
    /// The first link that did not happen (or happened wrong).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<&'static str>,
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
            route: u.route.describe(),
            links: vec![],
            arrived: false,
            stopped_at: None,
            error: None,
        }
    }
    pub(crate) fn set_links(&mut self, links: Vec<LinkResult>) {
        self.stopped_at = links.iter().find(|l| l.state != LinkState::Happened).map(|l| l.link);
        self.arrived = self.stopped_at.is_none();
        self.links = links;
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

    /// The verdict-like table of every unit, then the totals.
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
            for l in &u.links {
                let state = match l.state {
                    LinkState::Happened => "happened",
                    LinkState::Missed => "MISSED",
                    LinkState::Failed => "FAILED",
                    LinkState::NotReached => "not reached",
                    LinkState::Unreadable => "UNREADABLE",
                };
                let after = l.latency_seconds.map(|x| format!("{x:.1} s")).unwrap_or_else(|| "—".into());
                s.push_str(&format!("  {:<36} {:<11} {:>8}  {}\n", label(l.link), state, after, l.detail));
            }
            match u.stopped_at {
                None => s.push_str(&format!(
                    "  ARRIVED: the alert went through every link ({})\n",
                    u.links
                        .iter()
                        .filter_map(|l| l.latency_seconds)
                        .next_back()
                        .map(|x| format!("{x:.1} s after the change"))
                        .unwrap_or_default()
                )),
                Some(l) => s.push_str(&format!("  STOPPED at: {}\n", label(l))),
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

/// The plan: what will be created where, the change, the chain followed, the commands.
pub(crate) fn plan_text(units: &[Unit], plan: &Plan, refused: &[String], journal: &Path, timeout: Duration) -> String {
    let mut s = String::from("Drill plan:\n");
    for u in units {
        let vpc = if u.kind.in_vpc() { format!(" (VPC {})", u.vpc) } else { " (IAM is global)".to_string() };
        s.push_str(&format!("  {} {} in {}{vpc}: {}\n", u.control, u.key, u.region, u.what));
        s.push_str(&format!("    follows: {}\n", u.route.describe()));
        if let Some((region, name, _)) = &u.queue {
            s.push_str(&format!(
                "    and a temporary SQS queue {name} ({region}) subscribed to the topic for the drill, deleted after\n"
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
