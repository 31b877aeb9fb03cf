//! A chain of the monitoring family and its links: what each link evaluator (metric filter,
//! alarm, SNS subscription) returns, and what the chain walk ([`super`]) compares. A leaf of the
//! family: it imports none of its siblings.

use crate::finding::{Evidence, LinkKind, LinkState, Status, Subject};
use std::rc::Rc;

/// The check modules of the metric-filter route, in chain order.
pub(crate) const MODULES: [Subject; 4] =
    [Subject::Trail, Subject::MetricFilter, Subject::Alarm, Subject::SnsSubscription];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Ok,
    Fail,
    Error,
    /// The evidence lives in an account outside this audit.
    OutOfScope,
}

impl State {
    pub(crate) fn status(self) -> Status {
        match self {
            State::Ok => Status::Pass,
            State::Fail => Status::Fail,
            State::Error => Status::Error,
            State::OutOfScope => Status::Manual,
        }
    }

    pub(crate) fn link_state(self) -> LinkState {
        match self {
            State::Ok => LinkState::Holds,
            State::Fail => LinkState::Broken,
            State::Error => LinkState::Unreadable,
            State::OutOfScope => LinkState::OutOfScope,
        }
    }
}

/// Renders a link's message and evidence when the chain is reported (costly ones are lazy).
pub(crate) type Render<'a> = Rc<dyn Fn() -> (String, Vec<Evidence>) + 'a>;

/// A node of the chain drawing that a link decides: a link decides its own node and may decide
/// the one between it and the next (the trail the log group it delivers to; the alarm the topic
/// it notifies; the subscription link the topic's ability to deliver).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: LinkKind,
    pub state: LinkState,
    /// What the drawing shows: a name, a verdict in a few words.
    pub value: String,
    pub resource: Option<String>,
}

/// One link of a chain: its module, state, the resource, what was observed, what to do.
#[derive(Clone)]
pub(crate) struct Link<'a> {
    pub module: Subject,
    pub state: State,
    pub resource: Option<String>,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub remediation: Option<String>,
    pub render: Option<Render<'a>>,
    /// The drawing's nodes this link decides, in chain order.
    pub nodes: Vec<Node>,
}

impl<'a> Link<'a> {
    pub fn new(
        module: Subject,
        state: State,
        resource: Option<String>,
        message: String,
        evidence: Vec<Evidence>,
        remediation: Option<String>,
    ) -> Self {
        Link { module, state, resource, message, evidence, remediation, render: None, nodes: Vec::new() }
    }

    /// Declares a node of the drawing this link decides.
    pub(crate) fn node(
        mut self,
        kind: LinkKind,
        state: LinkState,
        value: impl Into<String>,
        resource: Option<String>,
    ) -> Self {
        self.nodes.push(Node { kind, state, value: value.into(), resource });
        self
    }

    pub(crate) fn rendered(&self) -> (String, Vec<Evidence>) {
        match &self.render {
            Some(r) => r(),
            None => (self.message.clone(), self.evidence.clone()),
        }
    }
}

#[derive(Clone, Default)]
pub(crate) struct Chain<'a> {
    pub links: Vec<Link<'a>>,
    /// Tie-breaker between chains broken at the same link: higher is closer to passing.
    pub closeness: i64,
    /// What the chain goes through, as far as it got (for its history).
    pub refs: Refs,
}

/// The resources of a chain whose history can be read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Refs {
    /// (account, region, namespace, name) of the filter's metric.
    pub metric: Option<(String, String, String, String)>,
    /// (account, region, name) of the alarm.
    pub alarm: Option<(String, String, String)>,
    /// The topic the alarm notifies.
    pub topic: Option<String>,
}

impl<'a> Chain<'a> {
    pub(crate) fn complete(&self) -> bool {
        self.links.len() == MODULES.len() && self.links.iter().all(|l| l.state == State::Ok)
    }
    pub(crate) fn depth(&self) -> usize {
        self.links.iter().take_while(|l| l.state == State::Ok).count()
    }
    pub(crate) fn broken(&self) -> Option<&Link<'a>> {
        self.links.iter().find(|l| l.state != State::Ok)
    }
    pub(crate) fn with(&self, link: Link<'a>) -> Chain<'a> {
        let mut c = self.clone();
        c.links.push(link);
        c
    }
}
