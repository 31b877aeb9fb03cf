//! Custom monitoring controls (a configuration file's `[[control]]`): judged by the same chain
//! and the same EventBridge route as the CIS monitoring family, with their own id (which is
//! also their key) and flagged as not part of the benchmark.

use super::{Control, ControlDef, PatternVariant};

/// The evaluator of the monitoring family (see [`crate::checks::registry`]).
pub(crate) const MONITORING_CHECK: &str = "metric-filter-chain";

/// A custom control, validated (the configuration file builds it).
#[derive(Debug, Clone)]
pub struct CustomControl {
    pub id: String,
    pub title: String,
    pub level: u8,
    pub def: ControlDef,
    pub pattern: String,
    pub events: Vec<String>,
    pub regions: Option<Vec<String>>,
    /// Where it is defined (`cis-audit.toml:12`).
    pub at: String,
}

impl CustomControl {
    /// Its key: the id, lower-case, with `.` as `-` (`x.ec2-instances` → `x-ec2-instances`).
    pub(crate) fn key_of(id: &str) -> String {
        id.replace('.', "-").to_ascii_lowercase()
    }

    /// Whether `text` names it, by id or key.
    pub(crate) fn named(&self, text: &str) -> bool {
        self.id == text || self.def.key == text
    }
}

/// Custom controls as controls of `benchmark`.
pub(crate) fn bind(custom: &[CustomControl], benchmark: &str) -> Vec<Control> {
    custom
        .iter()
        .map(|c| {
            let variant = PatternVariant {
                benchmarks: vec![benchmark.to_string()],
                patterns: vec![c.pattern.clone()],
                events: c.events.clone(),
                eventbridge: None,
            };
            let mut def = c.def.clone();
            def.variants = vec![variant.clone()];
            Control {
                id: c.id.clone(),
                key: c.def.key.clone(),
                level: c.level,
                assessment: "Automated".into(),
                title: c.title.clone(),
                def,
                variant: Some(variant),
                params: Default::default(),
                custom: true,
                regions: c.regions.clone(),
            }
        })
        .collect()
}
