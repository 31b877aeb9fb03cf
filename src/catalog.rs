//! The control catalog: benchmarks and controls as data, from `checks/` (embedded at build time).
//!
//! - `checks/benchmarks/cis-aws-<version>.toml`: one file per benchmark version: its numbering,
//!   and for each control its CIS id, the check that evaluates it, level, assessment status and
//!   the version's own title.
//! - `checks/controls/<check>.toml`: what a check needs: its kind (the evaluator), rationale and,
//!   for the monitoring family, the filter pattern texts and event names per version (the
//!   first text is what remediation deploys) and, where it cannot be derived from the events,
//!   the EventBridge pattern of the real-time route.
//!
//! [`cis`] holds the CIS defaults (metric namespace and value, the alarm definition) used by the
//! checks' remediation hints and by remediation alike.

use serde::Deserialize;
use std::sync::OnceLock;

/// Every data file, registered explicitly (greppable, deterministic order: newest first).
const BENCHMARK_FILES: &[(&str, &str)] = &[
    ("6.0.0", include_str!("../checks/benchmarks/cis-aws-6.0.0.toml")),
    ("5.0.0", include_str!("../checks/benchmarks/cis-aws-5.0.0.toml")),
    ("4.0.0", include_str!("../checks/benchmarks/cis-aws-4.0.0.toml")),
    ("3.0.0", include_str!("../checks/benchmarks/cis-aws-3.0.0.toml")),
    ("2.0.0", include_str!("../checks/benchmarks/cis-aws-2.0.0.toml")),
    ("1.4.0", include_str!("../checks/benchmarks/cis-aws-1.4.0.toml")),
    ("1.2.0", include_str!("../checks/benchmarks/cis-aws-1.2.0.toml")),
];

const CONTROL_FILES: &[(&str, &str)] = &[
    ("cloudtrail-multi-region", include_str!("../checks/controls/cloudtrail-multi-region.toml")),
    ("cloudtrail-cloudwatch-logs", include_str!("../checks/controls/cloudtrail-cloudwatch-logs.toml")),
    ("config-all-regions", include_str!("../checks/controls/config-all-regions.toml")),
    ("unauthorized-api-calls", include_str!("../checks/controls/unauthorized-api-calls.toml")),
    ("console-signin-without-mfa", include_str!("../checks/controls/console-signin-without-mfa.toml")),
    ("root-usage", include_str!("../checks/controls/root-usage.toml")),
    ("iam-policy-changes", include_str!("../checks/controls/iam-policy-changes.toml")),
    ("cloudtrail-config-changes", include_str!("../checks/controls/cloudtrail-config-changes.toml")),
    ("console-auth-failures", include_str!("../checks/controls/console-auth-failures.toml")),
    ("cmk-disable-or-deletion", include_str!("../checks/controls/cmk-disable-or-deletion.toml")),
    ("s3-bucket-policy-changes", include_str!("../checks/controls/s3-bucket-policy-changes.toml")),
    ("config-changes", include_str!("../checks/controls/config-changes.toml")),
    ("security-group-changes", include_str!("../checks/controls/security-group-changes.toml")),
    ("nacl-changes", include_str!("../checks/controls/nacl-changes.toml")),
    ("network-gateway-changes", include_str!("../checks/controls/network-gateway-changes.toml")),
    ("route-table-changes", include_str!("../checks/controls/route-table-changes.toml")),
    ("vpc-changes", include_str!("../checks/controls/vpc-changes.toml")),
    ("organizations-changes", include_str!("../checks/controls/organizations-changes.toml")),
];

pub const DEFAULT_BENCHMARK: &str = "5.0.0";

/// The CIS defaults, in one place: what the benchmark's remediation deploys.
pub mod cis {
    /// Namespace of the metrics the benchmark's metric filters publish.
    pub const METRIC_NAMESPACE: &str = "CISBenchmark";
    /// Value a metric filter publishes per matching event.
    pub const METRIC_VALUE: &str = "1";
    /// Default names of what remediation creates.
    pub const TOPIC_NAME: &str = "cis-security-alarms";
    pub const TRAIL_NAME: &str = "cis-multi-region-trail";
    pub const LOG_GROUP: &str = "cis-cloudtrail-logs";

    /// An alarm definition (`put-metric-alarm`).
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct AlarmDefinition {
        pub statistic: &'static str,
        pub period: i32,
        pub threshold: f64,
        pub comparison: &'static str,
        pub evaluation_periods: i32,
    }

    /// The benchmark's alarm: the sum over 5 minutes is at least 1, for one period.
    pub const ALARM: AlarmDefinition = AlarmDefinition {
        statistic: "Sum",
        period: 300,
        threshold: 1.0,
        comparison: "GreaterThanOrEqualToThreshold",
        evaluation_periods: 1,
    };

    /// The name of the alarm remediation puts on `metric`.
    pub fn alarm_name(metric: &str) -> String {
        format!("{metric}-alarm")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    pub version: String,
    pub title: String,
    /// How this version numbers the controls, one line (reports show it).
    pub numbering: String,
    #[serde(rename = "control")]
    pub controls: Vec<BenchmarkControl>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkControl {
    /// CIS id in this version, e.g. `4.10`.
    pub id: String,
    /// The check (file stem under `checks/controls/`).
    pub check: String,
    pub level: u8,
    /// `Automated`, `Manual`, `Scored`, `Not Scored`.
    pub assessment: String,
    /// The version's own title.
    pub title: String,
}

/// The evaluator a control uses (see [`crate::checks`]'s registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    CloudtrailMultiRegion,
    CloudtrailCloudwatchLogs,
    ConfigAllRegions,
    MetricFilterChain,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlDef {
    #[serde(skip)]
    pub key: String,
    pub check: CheckKind,
    pub rationale: String,
    /// Default metric name for remediation (monitoring family).
    #[serde(default)]
    pub metric_name: Option<String>,
    /// The sentence the real-time route's input transformer makes of an event (remediation with
    /// `--route eventbridge`), with `<name>` placeholders filled from `alert_paths`.
    #[serde(default)]
    pub alert: Option<String>,
    #[serde(default)]
    pub alert_paths: std::collections::BTreeMap<String, String>,
    /// A custom control's CloudTrail event source (`ec2.amazonaws.com`); set from the
    /// configuration file, never from checks/ data.
    #[serde(skip)]
    pub event_source: Option<String>,
    #[serde(default, rename = "variant")]
    pub variants: Vec<PatternVariant>,
}

/// The filter patterns and required events of a monitoring control in some benchmark versions.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternVariant {
    pub benchmarks: Vec<String>,
    /// Texts the benchmark accepts; the first is what remediation deploys.
    pub patterns: Vec<String>,
    pub events: Vec<String>,
    /// The EventBridge pattern of the real-time route, when it cannot be derived from the events
    /// the patterns catch (controls about error codes or identities rather than event names).
    #[serde(default)]
    pub eventbridge: Option<String>,
}

impl ControlDef {
    pub fn variant_for(&self, benchmark: &str) -> Option<&PatternVariant> {
        self.variants.iter().find(|v| v.benchmarks.iter().any(|b| b == benchmark))
    }

    /// The metric name remediation uses for this control.
    pub fn metric(&self) -> String {
        self.metric_name.clone().unwrap_or_else(|| self.key.clone())
    }

    /// The alert sentence and its input paths: the control's own, or who did what, where.
    pub fn alert(&self) -> (String, std::collections::BTreeMap<String, String>) {
        match &self.alert {
            Some(a) => (a.clone(), self.alert_paths.clone()),
            None => (
                "The user <user> has initiated <event> (<source>) in <region>.".into(),
                [
                    ("user", "$.detail.userIdentity.arn"),
                    ("event", "$.detail.eventName"),
                    ("source", "$.detail.eventSource"),
                    ("region", "$.detail.awsRegion"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ),
        }
    }
}

/// A control as selected for one run: its id, level, status and title in the chosen benchmark,
/// its definition and (monitoring family) the pattern variant of that version.
#[derive(Debug, Clone)]
pub struct Control {
    pub id: String,
    pub level: u8,
    pub assessment: String,
    pub title: String,
    pub def: ControlDef,
    pub variant: Option<PatternVariant>,
    /// Not part of the CIS benchmark: defined in the run's configuration file.
    pub custom: bool,
    /// Regions the control applies to (custom controls may narrow them); None: all audited.
    pub regions: Option<Vec<String>>,
}

impl Control {
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn kind(&self) -> CheckKind {
        self.def.check
    }

    /// The CloudTrail event source of a custom control's events, `""` for a CIS control.
    pub fn event_source(&self) -> String {
        self.def.event_source.clone().unwrap_or_default()
    }
}

/// A catalog lookup that failed: one line for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("unknown benchmark version '{version}': cis-audit knows {known}")]
    UnknownBenchmark { version: String, known: String },
    #[error("unknown control '{id}' in CIS v{version}: cis-audit evaluates {known}")]
    UnknownControl { id: String, version: String, known: String },
    #[error("{0}")]
    Data(String),
}

#[derive(Debug)]
pub struct Catalog {
    pub benchmarks: Vec<Benchmark>,
    pub controls: Vec<ControlDef>,
}

fn load() -> Result<Catalog, CatalogError> {
    let mut benchmarks = Vec::new();
    for (name, text) in BENCHMARK_FILES {
        let b: Benchmark = toml::from_str(text)
            .map_err(|e| CatalogError::Data(format!("checks/benchmarks/cis-aws-{name}.toml: {e}")))?;
        benchmarks.push(b);
    }
    let mut controls = Vec::new();
    for (key, text) in CONTROL_FILES {
        let mut c: ControlDef =
            toml::from_str(text).map_err(|e| CatalogError::Data(format!("checks/controls/{key}.toml: {e}")))?;
        c.key = key.to_string();
        controls.push(c);
    }
    Ok(Catalog { benchmarks, controls })
}

/// The embedded catalog. The data is validated by the catalog tests (`tests/catalog.rs` and
/// the unit tests below), so a bad file fails the project's tests, never a user's run.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| load().expect("embedded checks/ data is valid (tested)"))
}

impl Catalog {
    pub fn versions(&self) -> Vec<&str> {
        self.benchmarks.iter().map(|b| b.version.as_str()).collect()
    }

    pub fn benchmark(&self, version: &str) -> Result<&Benchmark, CatalogError> {
        self.benchmarks.iter().find(|b| b.version == version).ok_or_else(|| CatalogError::UnknownBenchmark {
            version: version.to_string(),
            known: self.versions().join(", "),
        })
    }

    pub fn def(&self, key: &str) -> Option<&ControlDef> {
        self.controls.iter().find(|c| c.key == key)
    }

    /// The controls of `version`, in benchmark order, restricted to `only` (CIS ids) if given.
    pub fn select(&self, version: &str, only: Option<&[String]>) -> Result<Vec<Control>, CatalogError> {
        let b = self.benchmark(version)?;
        if let Some(ids) = only {
            if let Some(id) = ids.iter().find(|id| !b.controls.iter().any(|c| &c.id == *id)) {
                return Err(CatalogError::UnknownControl {
                    id: id.clone(),
                    version: version.to_string(),
                    known: b.controls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", "),
                });
            }
        }
        let mut out = Vec::new();
        for bc in &b.controls {
            if only.is_some_and(|ids| !ids.contains(&bc.id)) {
                continue;
            }
            let def = self
                .def(&bc.check)
                .ok_or_else(|| CatalogError::Data(format!("benchmark {version} names unknown check {}", bc.check)))?;
            out.push(Control {
                id: bc.id.clone(),
                level: bc.level,
                assessment: bc.assessment.clone(),
                title: bc.title.clone(),
                variant: def.variant_for(version).cloned(),
                def: def.clone(),
                custom: false,
                regions: None,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads_and_every_benchmark_control_resolves() {
        let cat = load().unwrap();
        assert_eq!(cat.benchmarks.len(), BENCHMARK_FILES.len());
        for b in &cat.benchmarks {
            let all = cat.select(&b.version, None).unwrap();
            assert_eq!(all.len(), b.controls.len());
            for c in all {
                if c.kind() == CheckKind::MetricFilterChain {
                    let v =
                        c.variant.as_ref().unwrap_or_else(|| panic!("{} has no pattern for {}", c.def.key, b.version));
                    assert!(!v.patterns.is_empty());
                }
            }
        }
    }

    #[test]
    fn security_group_changes_differ_by_version() {
        let cat = load().unwrap();
        let sg = cat.def("security-group-changes").unwrap();
        for (v, modify) in [("6.0.0", true), ("5.0.0", true), ("4.0.0", false), ("3.0.0", false), ("1.2.0", false)] {
            let events = &sg.variant_for(v).unwrap().events;
            assert_eq!(events.contains(&"ModifySecurityGroupRules".into()), modify, "{v}");
        }
    }

    #[test]
    fn unknown_version_and_control_are_clear_errors() {
        let cat = load().unwrap();
        let e = cat.benchmark("9.9.9").unwrap_err().to_string();
        assert!(e.contains("unknown benchmark version '9.9.9'") && e.contains("5.0.0"), "{e}");
        let e = cat.select("5.0.0", Some(&["4.99".to_string()])).unwrap_err().to_string();
        assert!(e.contains("unknown control '4.99'"), "{e}");
        let sel = cat.select("5.0.0", Some(&["4.10".to_string(), "3.1".to_string()])).unwrap();
        assert_eq!(sel.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["3.1", "4.10"]);
    }
}
