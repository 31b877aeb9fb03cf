//! cis-audit: an auditor for the CIS Amazon Web Services Foundations Benchmark.
//!
//! Layers, each importing only from those below it (see ARCHITECTURE.md):
//! [`cli`] → [`run`] → [`report`] → [`remediate`] → [`checks`] → [`actions`] →
//! [`pattern`], [`eventpattern`], [`snsfilter`], [`catalog`], [`finding`] → [`inventory`] → [`aws`].
//! Data flows one way: scope → collect (an [`inventory::Inventory`]) → evaluate (pure) →
//! render; remediation plans from the evaluation, applies through [`actions`], and observes
//! through the inventory's readers.

pub mod actions;
pub mod aws;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod config;
pub mod eventpattern;
pub mod finding;
pub mod iam;
pub mod inventory;
pub mod pattern;
pub mod policy;
pub mod remediate;
pub mod report;
pub mod run;
pub mod snsfilter;
