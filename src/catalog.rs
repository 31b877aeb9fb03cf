//! The control catalog: benchmarks and controls as data, from `checks/` (embedded at build time).
//!
//! `checks/benchmarks/cis-aws-<version>.toml` maps CIS ids to checks, levels and assessment
//! status; `checks/controls/<check>.toml` holds each check's title and, for the monitoring
//! family, the filter patterns and event names per benchmark version.

use serde::Deserialize;
use std::sync::OnceLock;

/// Every data file, registered explicitly (greppable, deterministic order).
const BENCHMARK_FILES: &[(&str, &str)] = &[
    ("5.0.0", include_str!("../checks/benchmarks/cis-aws-5.0.0.toml")),
    ("3.0.0", include_str!("../checks/benchmarks/cis-aws-3.0.0.toml")),
];

const CONTROL_FILES: &[(&str, &str)] = &[
    ("cloudtrail-multi-region", include_str!("../checks/controls/cloudtrail-multi-region.toml")),
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    pub version: String,
    pub title: String,
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
    pub assessment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    CloudtrailMultiRegion,
    ConfigAllRegions,
    MetricFilterChain,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlDef {
    #[serde(skip)]
    pub key: String,
    pub check: CheckKind,
    pub title: String,
    pub rationale: String,
    /// Default metric name for remediation (monitoring family).
    #[serde(default)]
    pub metric_name: Option<String>,
    #[serde(default, rename = "variant")]
    pub variants: Vec<PatternVariant>,
}

/// The filter patterns and required events of a monitoring control in some benchmark versions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternVariant {
    pub benchmarks: Vec<String>,
    /// Texts the benchmark accepts; the first is what remediation deploys.
    pub patterns: Vec<String>,
    pub events: Vec<String>,
}

impl ControlDef {
    pub fn variant_for(&self, benchmark: &str) -> Option<&PatternVariant> {
        self.variants.iter().find(|v| v.benchmarks.iter().any(|b| b == benchmark))
    }
}

/// A control as selected for one run: its id in the chosen benchmark plus its definition.
#[derive(Debug, Clone)]
pub struct Control {
    pub id: String,
    pub level: u8,
    pub assessment: String,
    pub def: ControlDef,
}

impl Control {
    pub fn title(&self) -> &str {
        &self.def.title
    }
}

#[derive(Debug)]
pub struct Catalog {
    pub benchmarks: Vec<Benchmark>,
    pub controls: Vec<ControlDef>,
}

fn load() -> Result<Catalog, String> {
    let mut benchmarks = Vec::new();
    for (name, text) in BENCHMARK_FILES {
        let b: Benchmark = toml::from_str(text).map_err(|e| format!("checks/benchmarks/cis-aws-{name}.toml: {e}"))?;
        benchmarks.push(b);
    }
    let mut controls = Vec::new();
    for (key, text) in CONTROL_FILES {
        let mut c: ControlDef = toml::from_str(text).map_err(|e| format!("checks/controls/{key}.toml: {e}"))?;
        c.key = key.to_string();
        controls.push(c);
    }
    Ok(Catalog { benchmarks, controls })
}

/// The embedded catalog. The data is validated by the unit tests below, so a bad file fails
/// the build's tests, never a user's run.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| load().expect("embedded checks/ data is valid (tested)"))
}

impl Catalog {
    pub fn versions(&self) -> Vec<&str> {
        self.benchmarks.iter().map(|b| b.version.as_str()).collect()
    }

    pub fn benchmark(&self, version: &str) -> Result<&Benchmark, String> {
        self.benchmarks.iter().find(|b| b.version == version).ok_or_else(|| {
            format!("unknown benchmark version '{version}': cis-audit knows {}", self.versions().join(", "))
        })
    }

    pub fn def(&self, key: &str) -> Option<&ControlDef> {
        self.controls.iter().find(|c| c.key == key)
    }

    /// The controls of `version`, in benchmark order, restricted to `only` (CIS ids) if given.
    pub fn select(&self, version: &str, only: Option<&[String]>) -> Result<Vec<Control>, String> {
        let b = self.benchmark(version)?;
        if let Some(ids) = only {
            for id in ids {
                if !b.controls.iter().any(|c| &c.id == id) {
                    let known: Vec<&str> = b.controls.iter().map(|c| c.id.as_str()).collect();
                    return Err(format!(
                        "unknown control '{id}' in CIS v{version}: cis-audit evaluates {}",
                        known.join(", ")
                    ));
                }
            }
        }
        let mut out = Vec::new();
        for bc in &b.controls {
            if only.is_some_and(|ids| !ids.contains(&bc.id)) {
                continue;
            }
            let def =
                self.def(&bc.check).ok_or_else(|| format!("benchmark {version} names unknown check {}", bc.check))?;
            out.push(Control {
                id: bc.id.clone(),
                level: bc.level,
                assessment: bc.assessment.clone(),
                def: def.clone(),
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
        for b in &cat.benchmarks {
            let all = cat.select(&b.version, None).unwrap();
            assert_eq!(all.len(), b.controls.len());
            for c in all {
                if c.def.check == CheckKind::MetricFilterChain {
                    let v = c
                        .def
                        .variant_for(&b.version)
                        .unwrap_or_else(|| panic!("{} has no pattern for benchmark {}", c.def.key, b.version));
                    assert!(!v.patterns.is_empty());
                }
            }
        }
    }

    #[test]
    fn security_group_changes_differ_by_version() {
        let cat = load().unwrap();
        let sg = cat.def("security-group-changes").unwrap();
        assert!(sg.variant_for("5.0.0").unwrap().events.contains(&"ModifySecurityGroupRules".into()));
        assert!(!sg.variant_for("3.0.0").unwrap().events.contains(&"ModifySecurityGroupRules".into()));
    }

    #[test]
    fn unknown_version_and_control_are_clear_errors() {
        let cat = load().unwrap();
        let e = cat.benchmark("9.9.9").unwrap_err();
        assert!(e.contains("unknown benchmark version '9.9.9'") && e.contains("5.0.0"), "{e}");
        let e = cat.select("5.0.0", Some(&["4.99".to_string()])).unwrap_err();
        assert!(e.contains("unknown control '4.99'"), "{e}");
        let sel = cat.select("5.0.0", Some(&["4.10".to_string(), "3.1".to_string()])).unwrap();
        assert_eq!(sel.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["3.1", "4.10"]);
    }
}
