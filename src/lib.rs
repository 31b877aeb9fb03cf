//! cis-audit: an auditor for the CIS Amazon Web Services Foundations Benchmark.
//!
//! Data flows one way: CLI → scope → collect ([`inventory`]) → evaluate ([`checks`]) →
//! render ([`report`]). Checks are pure functions of a serialisable inventory.

pub mod aws;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod eventpattern;
pub mod finding;
pub mod inventory;
pub mod pattern;
pub mod pattern_cmd;
pub mod remediate;
pub mod report;
pub mod scope;
