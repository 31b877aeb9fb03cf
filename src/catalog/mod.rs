//! The control catalog: benchmarks and controls as data, from `checks/` (embedded at build time
//! by `build.rs`; a file added there needs no Rust change).
//!
//! **Identity.** Every control has a stable **key** (`security-group-changes`,
//! `cloudtrail-multi-region`, …) that never changes between benchmark versions; a CIS number is
//! an alias valid in one version (v5.0.0's 4.10 is v6.0.0's 5.10). Suppressions, baselines,
//! `--controls`, merge and `explain` accept either, and a number is read in the version of the
//! place that wrote it ([`Catalog::resolve`]).
//!
//! - `checks/benchmarks/cis-aws-<version>.toml`: one file per version: every recommendation of
//!   the version, in benchmark order, with its id, key, level, assessment status, the version's
//!   own title and, where the version sets a threshold the check reads, its `params`.
//! - `checks/controls/<key>.toml`: what a control needs beyond its evaluator: its rationale and
//!   audit steps (`explain`), the evaluator when a family shares one (`check`, e.g. the monitoring
//!   family's `metric-filter-chain`), and the monitoring family's filter pattern texts and events
//!   per version (the first text is what remediation deploys).
//!
//! [`cis`] holds the CIS defaults (metric namespace and value, the alarm definition) used by the
//! checks' remediation hints and by remediation alike; [`custom`] the custom monitoring controls
//! of a configuration file.

pub(crate) mod custom;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/checks_data.rs"));

pub(crate) const DEFAULT_BENCHMARK: &str = "5.0.0";

/// The CIS defaults, in one place: what the benchmark's remediation deploys.
pub(crate) mod cis {
    /// Namespace of the metrics the benchmark's metric filters publish.
    pub(crate) const METRIC_NAMESPACE: &str = "CISBenchmark";
    /// Value a metric filter publishes per matching event.
    pub(crate) const METRIC_VALUE: &str = "1";
    /// Default names of what remediation creates.
    pub(crate) const TOPIC_NAME: &str = "cis-security-alarms";
    pub(crate) const TRAIL_NAME: &str = "cis-multi-region-trail";
    pub(crate) const LOG_GROUP: &str = "cis-cloudtrail-logs";
    /// The CloudWatch Logs group remediation's VPC flow logs write to.
    pub(crate) const FLOW_LOGS_LOG_GROUP: &str = "cis-vpc-flow-logs";

    /// An alarm definition (`put-metric-alarm`).
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub(crate) struct AlarmDefinition {
        pub statistic: &'static str,
        pub period: i32,
        pub threshold: f64,
        pub comparison: &'static str,
        pub evaluation_periods: i32,
    }

    /// The benchmark's alarm: the sum over 5 minutes is at least 1, for one period.
    pub(crate) const ALARM: AlarmDefinition = AlarmDefinition {
        statistic: "Sum",
        period: 300,
        threshold: 1.0,
        comparison: "GreaterThanOrEqualToThreshold",
        evaluation_periods: 1,
    };

    /// The name of the alarm remediation puts on `metric`.
    pub(crate) fn alarm_name(metric: &str) -> String {
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
    /// The control's stable key (its file stem under `checks/controls/`, when it has data).
    pub key: String,
    pub level: u8,
    /// `Automated`, `Manual`, `Scored`, `Not Scored`.
    pub assessment: String,
    /// The version's own title.
    pub title: String,
    /// Thresholds this version sets for the check (`days = 45`, `min_length = 14`, …).
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlDef {
    #[serde(skip)]
    pub key: String,
    /// The evaluator (a registry name, see [`crate::checks::registry`]) when a family of controls
    /// shares one; by default the control's own key.
    #[serde(default)]
    pub check: Option<String>,
    /// A short name of what it checks, the same in every version ("Root user has no access keys").
    #[serde(default)]
    pub name: String,
    /// Why the control matters, in a sentence or two.
    #[serde(default)]
    pub rationale: String,
    /// How an auditor checks it by hand (the benchmark's audit procedure, paraphrased).
    #[serde(default)]
    pub audit: Option<String>,
    /// Default metric name for remediation (monitoring family).
    #[serde(default)]
    pub metric_name: Option<String>,
    /// The sentence the real-time route's input transformer makes of an event (remediation with
    /// `--route eventbridge`), with `<name>` placeholders filled from `alert_paths`.
    #[serde(default)]
    pub alert: Option<String>,
    #[serde(default)]
    pub alert_paths: BTreeMap<String, String>,
    /// A custom control's CloudTrail event source (`ec2.amazonaws.com`); set from the
    /// configuration file, never from checks/ data.
    #[serde(skip)]
    pub event_source: Option<String>,
    #[serde(default, rename = "variant")]
    pub variants: Vec<PatternVariant>,
    /// What the evaluator reads of this control in every version (a family's evaluator serves
    /// several controls: `sources = ["::/0"]`); a version's own `params` override them.
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
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
    /// A control with no data file: evaluated by the module registered under its key, or MANUAL.
    pub(crate) fn bare(key: &str) -> ControlDef {
        ControlDef { key: key.to_string(), ..Default::default() }
    }

    /// The evaluator's registry name.
    pub fn check(&self) -> &str {
        self.check.as_deref().unwrap_or(&self.key)
    }

    pub(crate) fn variant_for(&self, benchmark: &str) -> Option<&PatternVariant> {
        self.variants.iter().find(|v| v.benchmarks.iter().any(|b| b == benchmark))
    }

    /// The metric name remediation uses for this control.
    pub(crate) fn metric(&self) -> String {
        self.metric_name.clone().unwrap_or_else(|| self.key.clone())
    }

    /// The alert sentence and its input paths: the control's own, or who did what, where.
    pub(crate) fn alert(&self) -> (String, BTreeMap<String, String>) {
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
/// its stable key, its definition, the version's parameters and (monitoring family) the pattern
/// variant of that version.
#[derive(Debug, Clone)]
pub struct Control {
    pub id: String,
    pub key: String,
    pub level: u8,
    pub assessment: String,
    pub title: String,
    pub def: ControlDef,
    pub variant: Option<PatternVariant>,
    /// Thresholds of the selected version (see [`BenchmarkControl::params`]).
    pub params: BTreeMap<String, toml::Value>,
    /// Not part of the CIS benchmark: defined in the run's configuration file.
    pub custom: bool,
    /// Regions the control applies to (custom controls may narrow them); None: all audited.
    pub regions: Option<Vec<String>>,
}

impl Control {
    pub(crate) fn title(&self) -> &str {
        &self.title
    }

    /// The evaluator's registry name.
    pub fn check(&self) -> &str {
        self.def.check()
    }

    /// The CloudTrail event source of a custom control's events, `""` for a CIS control.
    pub(crate) fn event_source(&self) -> String {
        self.def.event_source.clone().unwrap_or_default()
    }

    /// An integer parameter of the selected version, or `default` when the version sets none.
    pub(crate) fn param_i64(&self, name: &str, default: i64) -> i64 {
        self.params.get(name).and_then(|v| v.as_integer()).unwrap_or(default)
    }

    /// A list-of-strings parameter, or `default`.
    pub(crate) fn param_strings(&self, name: &str, default: &[&str]) -> Vec<String> {
        match self.params.get(name).and_then(|v| v.as_array()) {
            Some(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
            None => default.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// A list-of-integers parameter (ports …), or `default`.
    pub(crate) fn param_list(&self, name: &str, default: &[i64]) -> Vec<i64> {
        match self.params.get(name).and_then(|v| v.as_array()) {
            Some(a) => a.iter().filter_map(|x| x.as_integer()).collect(),
            None => default.to_vec(),
        }
    }

    /// Whether the selected version sets boolean parameter `name` (false when it does not).
    pub(crate) fn param_bool(&self, name: &str) -> bool {
        self.params.get(name).and_then(|v| v.as_bool()).unwrap_or(false)
    }
}

/// A catalog lookup that failed: one line for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("unknown benchmark version '{version}': cis-audit knows {known}")]
    UnknownBenchmark { version: String, known: String },
    #[error("unknown control '{id}' in CIS v{version}: use a CIS id of that version ({known}) or a control key (`cis-audit controls --benchmark {version}` lists both)")]
    UnknownControl { id: String, version: String, known: String },
    #[error("control {key} is not part of CIS v{version} (it is in {elsewhere})")]
    NotInVersion { key: String, version: String, elsewhere: String },
    #[error("{0}")]
    Data(String),
}

#[derive(Debug)]
pub struct Catalog {
    /// Newest version first.
    pub benchmarks: Vec<Benchmark>,
    pub controls: Vec<ControlDef>,
}

/// A version as numbers, for ordering (`6.0.0` > `5.0.0` > `1.4.0`).
fn version_order(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

fn load() -> Result<Catalog, CatalogError> {
    let mut benchmarks = Vec::new();
    for (name, text) in BENCHMARK_FILES {
        let b: Benchmark =
            toml::from_str(text).map_err(|e| CatalogError::Data(format!("checks/benchmarks/{name}.toml: {e}")))?;
        if format!("cis-aws-{}", b.version) != *name {
            return Err(CatalogError::Data(format!("checks/benchmarks/{name}.toml says version {}", b.version)));
        }
        benchmarks.push(b);
    }
    benchmarks.sort_by_key(|b| std::cmp::Reverse(version_order(&b.version)));
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
    /// Every version, newest first.
    pub fn versions(&self) -> Vec<&str> {
        self.benchmarks.iter().map(|b| b.version.as_str()).collect()
    }

    pub fn benchmark(&self, version: &str) -> Result<&Benchmark, CatalogError> {
        self.benchmarks.iter().find(|b| b.version == version).ok_or_else(|| CatalogError::UnknownBenchmark {
            version: version.to_string(),
            known: self.versions().join(", "),
        })
    }

    /// The data of a control key; a key without a data file gets a bare definition.
    pub(crate) fn def(&self, key: &str) -> ControlDef {
        self.controls.iter().find(|c| c.key == key).cloned().unwrap_or_else(|| ControlDef::bare(key))
    }

    /// Whether some version of the benchmark has this key.
    pub(crate) fn is_key(&self, key: &str) -> bool {
        self.benchmarks.iter().any(|b| b.controls.iter().any(|c| c.key == key))
    }

    /// Every key, in the order the newest version lists them, then the keys of older versions.
    pub fn keys(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for b in &self.benchmarks {
            for c in &b.controls {
                if !out.contains(&c.key.as_str()) {
                    out.push(&c.key);
                }
            }
        }
        out
    }

    /// The CIS id of `key` in `version`, when that version has the control.
    pub(crate) fn id_of(&self, key: &str, version: &str) -> Option<&str> {
        let b = self.benchmarks.iter().find(|b| b.version == version)?;
        b.controls.iter().find(|c| c.key == key).map(|c| c.id.as_str())
    }

    /// The versions that have `key`, with its id in each (newest first).
    pub(crate) fn aliases(&self, key: &str) -> Vec<(&str, &str)> {
        self.benchmarks
            .iter()
            .filter_map(|b| b.controls.iter().find(|c| c.key == key).map(|c| (b.version.as_str(), c.id.as_str())))
            .collect()
    }

    /// The key `text` names, read in `version`: a control key (of any version), or a CIS id of
    /// `version`.
    pub(crate) fn resolve(&self, text: &str, version: &str) -> Result<String, CatalogError> {
        let text = text.trim();
        if self.is_key(text) {
            return Ok(text.to_string());
        }
        let b = self.benchmark(version)?;
        b.controls.iter().find(|c| c.id == text).map(|c| c.key.clone()).ok_or_else(|| CatalogError::UnknownControl {
            id: text.to_string(),
            version: version.to_string(),
            known: b.controls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", "),
        })
    }

    /// `key` must be part of `version`.
    pub(crate) fn require_in(&self, key: &str, version: &str) -> Result<(), CatalogError> {
        if self.id_of(key, version).is_some() {
            return Ok(());
        }
        let elsewhere: Vec<String> = self.aliases(key).iter().map(|(v, id)| format!("v{v} as {id}")).collect();
        Err(CatalogError::NotInVersion { key: key.into(), version: version.into(), elsewhere: elsewhere.join(", ") })
    }

    /// The controls of `version`, in benchmark order, restricted to `only` (keys) if given.
    pub fn select(&self, version: &str, only: Option<&[String]>) -> Result<Vec<Control>, CatalogError> {
        let b = self.benchmark(version)?;
        if let Some(keys) = only {
            for k in keys {
                self.require_in(k, version)?;
            }
        }
        Ok(b.controls
            .iter()
            .filter(|bc| only.is_none_or(|keys| keys.contains(&bc.key)))
            .map(|bc| {
                let def = self.def(&bc.key);
                let mut params = def.params.clone();
                params.extend(bc.params.clone());
                Control {
                    id: bc.id.clone(),
                    key: bc.key.clone(),
                    level: bc.level,
                    assessment: bc.assessment.clone(),
                    title: bc.title.clone(),
                    variant: def.variant_for(version).cloned(),
                    params,
                    def,
                    custom: false,
                    regions: None,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads_and_every_benchmark_control_has_a_key() {
        let cat = load().unwrap();
        assert_eq!(cat.benchmarks.len(), BENCHMARK_FILES.len());
        let v = cat.versions();
        assert!(v.windows(2).all(|w| version_order(w[0]) > version_order(w[1])), "newest first: {v:?}");
        for b in &cat.benchmarks {
            let all = cat.select(&b.version, None).unwrap();
            assert_eq!(all.len(), b.controls.len());
            let mut keys: Vec<&str> = b.controls.iter().map(|c| c.key.as_str()).collect();
            keys.sort();
            let n = keys.len();
            keys.dedup();
            assert_eq!(keys.len(), n, "a key appears twice in v{}", b.version);
            for c in all {
                if c.check() == "metric-filter-chain" {
                    let v = c.variant.as_ref().unwrap_or_else(|| panic!("{} has no pattern for {}", c.key, b.version));
                    assert!(!v.patterns.is_empty());
                }
            }
        }
        for d in &cat.controls {
            assert!(cat.is_key(&d.key), "checks/controls/{}.toml names a key no benchmark lists", d.key);
        }
    }

    #[test]
    fn security_group_changes_differ_by_version() {
        let cat = load().unwrap();
        let sg = cat.def("security-group-changes");
        for (v, modify) in [("6.0.0", true), ("5.0.0", true), ("4.0.0", false), ("3.0.0", false), ("1.2.0", false)] {
            let events = &sg.variant_for(v).unwrap().events;
            assert_eq!(events.contains(&"ModifySecurityGroupRules".into()), modify, "{v}");
        }
    }

    #[test]
    fn ids_are_aliases_of_keys_read_in_a_version() {
        let cat = load().unwrap();
        assert_eq!(cat.resolve("4.10", "5.0.0").unwrap(), "security-group-changes");
        assert_eq!(cat.resolve("5.10", "6.0.0").unwrap(), "security-group-changes");
        assert_eq!(cat.resolve("security-group-changes", "1.2.0").unwrap(), "security-group-changes");
        // The same number means another control in another version.
        assert_eq!(cat.resolve("4.1", "5.0.0").unwrap(), "unauthorized-api-calls");
        assert_eq!(cat.resolve("4.1", "6.0.0").unwrap(), "cloudtrail-multi-region");
        assert_eq!(cat.id_of("security-group-changes", "6.0.0"), Some("5.10"));
        assert_eq!(cat.id_of("cloudtrail-cloudwatch-logs", "5.0.0"), None);
        let e = cat.require_in("cloudtrail-cloudwatch-logs", "5.0.0").unwrap_err().to_string();
        assert!(e.contains("not part of CIS v5.0.0") && e.contains("v2.0.0 as 3.4"), "{e}");
    }

    #[test]
    fn unknown_version_and_control_are_clear_errors() {
        let cat = load().unwrap();
        let e = cat.benchmark("9.9.9").unwrap_err().to_string();
        assert!(e.contains("unknown benchmark version '9.9.9'") && e.contains("5.0.0"), "{e}");
        let e = cat.resolve("4.99", "5.0.0").unwrap_err().to_string();
        assert!(e.contains("unknown control '4.99'"), "{e}");
        let keys = ["security-group-changes".to_string(), "cloudtrail-multi-region".to_string()];
        let sel = cat.select("5.0.0", Some(&keys)).unwrap();
        assert_eq!(sel.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["3.1", "4.10"]);
    }
}
