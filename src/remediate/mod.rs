//! Remediation: from failing controls to a typed, printable, journaled and reversible plan.
//! Nothing here prints; `run` shows the plan and asks, `report` renders it.
//!
//! evaluation → [`plan::build`] (pure, over the inventory) → [`apply::apply`] (journaled,
//! [`journal`]) → re-audit of the affected controls. [`rollback::rollback`] undoes a journal
//! newest first. The actions themselves live in [`crate::actions`].

pub(crate) mod apply;
pub mod journal;
pub(crate) mod plan;
pub(crate) mod rollback;

pub use plan::{Inputs, Manual, Notify, Plan, Route, Step};
