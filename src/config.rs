//! The configuration file, `cis-audit.toml`: defaults for the audit's options (a flag always
//! wins), `[[suppress]]` — known exceptions, each with a reason and an optional expiry — and
//! `[[control]]` — custom monitoring controls judged by the same chain and the same EventBridge
//! route as the CIS ones. It belongs to the command line: nothing below `cli` reads it.
//!
//! A control named by the file (`controls`, `[[suppress]] control`) is a key or a CIS number; a
//! number is read in the file's own benchmark version (its `benchmark`, else the run's) and
//! resolved to its key, so a file written for v5.0.0 keeps meaning the same controls under a
//! v6.0.0 run ([`Config::suppressions`], [`Config::controls`]).
//!
//! Unknown keys are refused, and every error names the file, line and column: a syntax or type
//! error through the `toml` crate's spans, our own checks (an id, an event name, a date, a
//! pattern) through the span of the entry or key at fault.

use crate::catalog::custom::{CustomControl, MONITORING_CHECK};
use crate::catalog::{catalog, ControlDef};
use crate::policy::{FailOn, Suppression};
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file `audit` reads when `--config` is not given (and it exists).
pub(crate) const DEFAULT_FILE: &str = "cis-audit.toml";

/// A string or a list of strings (`format = "json"` or `format = ["json", "sarif"]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn list(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// Defaults for `audit`'s options: the same names as the flags, with `_` for `-`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub benchmark: Option<Spanned<String>>,
    pub regions: Option<Spanned<Vec<String>>>,
    pub controls: Option<Spanned<Vec<String>>>,
    pub format: Option<Spanned<OneOrMany>>,
    pub output: Option<PathBuf>,
    pub output_dir: Option<PathBuf>,
    pub strict_patterns: Option<bool>,
    pub quiet: Option<bool>,
    pub no_color: Option<bool>,
    pub profile: Option<String>,
    pub region: Option<Spanned<String>>,
    pub endpoint_url: Option<String>,
    pub role_arn: Option<Vec<String>>,
    pub external_id: Option<String>,
    pub organization: Option<bool>,
    pub member_role: Option<String>,
    pub accounts: Option<Spanned<Vec<String>>>,
    pub exclude_accounts: Option<Spanned<Vec<String>>>,
    pub concurrency: Option<usize>,
    pub account_concurrency: Option<usize>,
    pub region_concurrency: Option<usize>,
    pub call_timeout: Option<u64>,
    pub send_to_security_hub: Option<bool>,
    pub baseline: Option<PathBuf>,
    pub fail_on: Option<Spanned<String>>,
    pub remediation: Option<RemediationConfig>,
    #[serde(default)]
    pub suppress: Vec<Spanned<SuppressEntry>>,
    #[serde(default)]
    pub control: Vec<Spanned<CustomEntry>>,
}

/// `[remediation]`: defaults for the remediation flags.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemediationConfig {
    pub notify: Option<Spanned<Vec<String>>>,
    pub route: Option<Spanned<String>>,
    pub topic_name: Option<String>,
    pub metric_namespace: Option<String>,
    pub trail_name: Option<String>,
    pub trail_bucket: Option<String>,
    pub log_group: Option<String>,
    pub cloudtrail_logs_role_arn: Option<String>,
    pub config_role_arn: Option<String>,
    pub config_bucket: Option<String>,
}

/// The values of the defaults, checked and typed (flags not given take them).
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub formats: Option<Vec<crate::report::Format>>,
    pub fail_on: Option<FailOn>,
    pub notify: Option<Vec<crate::remediate::Notify>>,
    pub route: Option<crate::remediate::Route>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressEntry {
    pub control: Spanned<String>,
    pub account: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub reason: Spanned<String>,
    /// The last day the suppression applies (a TOML date, `2027-03-31`).
    pub expires: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomEntry {
    pub id: Spanned<String>,
    pub title: String,
    pub event_source: Spanned<String>,
    pub events: Spanned<Vec<String>>,
    pub pattern: Option<Spanned<String>>,
    pub regions: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub level: Option<u8>,
    pub rationale: Option<String>,
    pub metric_name: Option<String>,
    /// The sentence the real-time route's input transformer makes of an event, with `<name>`
    /// placeholders filled from `alert_paths`.
    pub alert: Option<Spanned<String>>,
    /// `<name>` → JSONPath into the EventBridge event (`$.detail.userIdentity.arn`).
    pub alert_paths: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

/// A `[[suppress]]` entry as written: its control is resolved once the run's version is known.
#[derive(Debug, Clone, PartialEq)]
pub struct SuppressionEntry {
    /// The control as written, and where (`cis-audit.toml:12:11`).
    pub control: String,
    pub control_at: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`: the last day it applies.
    pub expires: Option<String>,
    /// Where the entry is written (`cis-audit.toml:12`).
    pub at: String,
}

/// The configuration, validated.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    /// How messages name the file.
    pub name: String,
    text: String,
    pub defaults: FileConfig,
    pub checked: Checked,
    pub suppress: Vec<SuppressionEntry>,
    /// Custom controls (bound to the run's version by [`crate::catalog::custom::bind`]).
    pub custom: Vec<CustomControl>,
}

/// What reading the file's control names in the run's version has to say: notes (a number the
/// run's version gives another number) and warnings (a control the run's version lacks).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Resolution {
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

/// A configuration error: `FILE:LINE:COLUMN: what`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

struct Source<'a> {
    name: String,
    text: &'a str,
}

impl Source<'_> {
    fn at(&self, span: &Range<usize>) -> String {
        let (l, c) = line_col(self.text, span.start);
        format!("{}:{l}:{c}", self.name)
    }
    fn line(&self, span: &Range<usize>) -> String {
        format!("{}:{}", self.name, line_col(self.text, span.start).0)
    }
    fn err(&self, span: &Range<usize>, what: impl std::fmt::Display) -> ConfigError {
        ConfigError(format!("{}: {what}", self.at(span)))
    }
}

/// Reads `--config FILE`, or `./cis-audit.toml` when present (None: no configuration).
pub(crate) fn load(explicit: Option<&Path>) -> Result<Option<Config>, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p = PathBuf::from(DEFAULT_FILE);
            if !p.is_file() {
                return Ok(None);
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ConfigError(format!("cannot read configuration {}: {e}", path.display())))?;
    let mut c = parse(&text, &path.display().to_string())?;
    c.path = Some(path);
    Ok(Some(c))
}

/// Parses and validates a configuration; `name` is how errors name the file.
pub fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
    let src = Source { name: name.to_string(), text };
    let defaults: FileConfig = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().lines().map(str::trim).collect::<Vec<_>>().join(": ");
        match e.span() {
            Some(span) => src.err(&span, msg),
            None => ConfigError(format!("{name}: {msg}")),
        }
    })?;
    let mut suppressions = Vec::new();
    for s in &defaults.suppress {
        let e = s.get_ref();
        let reason = e.reason.get_ref().trim();
        if reason.is_empty() {
            return Err(src.err(&e.reason.span(), "a suppression needs a reason (reason = \"why this is accepted\")"));
        }
        if e.control.get_ref().trim().is_empty() {
            return Err(src.err(&e.control.span(), "control must name a control id"));
        }
        if let Some(a) = &e.account {
            let v = a.get_ref();
            if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(src.err(&a.span(), format!("account '{v}' is not a 12-digit AWS account id")));
            }
        }
        if let Some(r) = &e.region {
            crate::inventory::regions::parse_region_list(r.get_ref(), "region").map_err(|x| src.err(&r.span(), x.0))?;
        }
        let expires = match &e.expires {
            None => None,
            Some(d) => match date_of(d.get_ref()) {
                Some(x) => Some(x),
                None => return Err(src.err(&d.span(), "expires must be a date, e.g. expires = 2027-03-31")),
            },
        };
        suppressions.push(SuppressionEntry {
            control: e.control.get_ref().trim().to_string(),
            control_at: src.at(&e.control.span()),
            account: e.account.as_ref().map(|a| a.get_ref().clone()),
            region: e.region.as_ref().map(|r| r.get_ref().clone()),
            reason: reason.to_string(),
            expires,
            at: src.line(&s.span()),
        });
    }
    let mut custom: Vec<CustomControl> = Vec::new();
    for c in &defaults.control {
        let cc = custom_control(&src, c)?;
        if let Some(prev) = custom.iter().find(|x| x.id == cc.id) {
            return Err(src.err(&c.get_ref().id.span(), format!("control {} is already defined at {}", cc.id, prev.at)));
        }
        custom.push(cc);
    }
    let checked = check_values(&src, &defaults)?;
    let c = Config {
        path: None,
        name: name.to_string(),
        text: text.to_string(),
        defaults,
        checked,
        suppress: suppressions,
        custom,
    };
    // Every control the file names must exist in the file's own version (a typo is an error
    // here, whatever version a run uses).
    if let Some(v) = c.defaults.benchmark.as_ref().map(|b| b.get_ref().clone()) {
        c.resolve_all(&v)?;
    }
    Ok(c)
}

fn check_accounts(src: &Source, v: &Option<Spanned<Vec<String>>>) -> Result<(), ConfigError> {
    if let Some(list) = v {
        if let Some(bad) = list.get_ref().iter().find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit())) {
            return Err(src.err(&list.span(), format!("'{bad}' is not a 12-digit AWS account id")));
        }
    }
    Ok(())
}

/// The values whose meaning the file's syntax does not fix: formats, regions, a benchmark
/// version, account ids, `fail_on`, `[remediation]` notify and route.
fn check_values(src: &Source, d: &FileConfig) -> Result<Checked, ConfigError> {
    use clap::ValueEnum;
    let mut c = Checked::default();
    if let Some(b) = &d.benchmark {
        crate::catalog::catalog().benchmark(b.get_ref()).map_err(|e| src.err(&b.span(), e))?;
    }
    if let Some(r) = &d.regions {
        if r.get_ref().is_empty() {
            return Err(src.err(&r.span(), "regions must list at least one region (or be left out)"));
        }
        crate::inventory::regions::parse_region_list(&r.get_ref().join(","), "regions")
            .map_err(|e| src.err(&r.span(), e.0))?;
    }
    if let Some(r) = &d.region {
        crate::inventory::regions::parse_region_list(r.get_ref(), "region").map_err(|e| src.err(&r.span(), e.0))?;
    }
    if let Some(f) = &d.format {
        let list: Result<Vec<crate::report::Format>, String> = f.get_ref().list().iter().map(|x| x.parse()).collect();
        c.formats = Some(list.map_err(|e| src.err(&f.span(), e))?);
    }
    if let Some(f) = &d.fail_on {
        c.fail_on =
            Some(FailOn::from_str(f.get_ref(), false).map_err(|_| {
                src.err(&f.span(), format!("fail_on = '{}': expected \"any\" or \"new\"", f.get_ref()))
            })?);
    }
    check_accounts(src, &d.accounts)?;
    check_accounts(src, &d.exclude_accounts)?;
    if let Some(r) = &d.remediation {
        if let Some(n) = &r.notify {
            let list: Result<Vec<crate::remediate::Notify>, String> = n.get_ref().iter().map(|x| x.parse()).collect();
            c.notify = Some(list.map_err(|e| src.err(&n.span(), e))?);
        }
        if let Some(x) = &r.route {
            c.route = Some(crate::remediate::Route::from_str(x.get_ref(), false).map_err(|_| {
                src.err(&x.span(), format!("route = '{}': expected \"metric-filter\" or \"eventbridge\"", x.get_ref()))
            })?);
        }
    }
    Ok(c)
}

impl Config {
    /// `FILE:LINE:COLUMN` of a span of the file.
    pub(crate) fn at(&self, span: Range<usize>) -> String {
        let (l, c) = line_col(&self.text, span.start);
        format!("{}:{l}:{c}", self.name)
    }

    /// The version the file's control numbers are read in: its `benchmark`, else the run's.
    pub(crate) fn version_for(&self, run: &str) -> String {
        self.defaults.benchmark.as_ref().map(|b| b.get_ref().clone()).unwrap_or_else(|| run.to_string())
    }

    /// The key of a control the file names (a custom control's id or key, a catalog key, or a
    /// CIS number of `version`); the error names where it is written.
    fn resolve(&self, text: &str, at: &str, version: &str) -> Result<String, ConfigError> {
        if let Some(c) = self.custom.iter().find(|c| c.named(text)) {
            return Ok(c.def.key.clone());
        }
        catalog().resolve(text, version).map_err(|e| ConfigError(format!("{at}: {e}")))
    }

    fn resolve_all(&self, version: &str) -> Result<(), ConfigError> {
        for s in &self.suppress {
            self.resolve(&s.control, &s.control_at, version)?;
        }
        if let Some(ids) = &self.defaults.controls {
            let at = self.at(ids.span());
            for id in ids.get_ref() {
                self.resolve(id, &at, version)?;
            }
        }
        Ok(())
    }

    /// Notes and warnings for a control named at `at` as `text`, resolved to `key` in the file's
    /// version, when the run uses `run`. Ok(false): the run's version lacks the control.
    fn judge(&self, text: &str, key: &str, at: &str, run: &str, out: &mut Resolution) -> bool {
        let file_version = self.version_for(run);
        if self.custom.iter().any(|c| c.def.key == key) {
            return true;
        }
        match catalog().id_of(key, run) {
            None => {
                out.warnings.push(format!(
                    "{at}: {text} ({key}{}) is not part of CIS v{run}: ignored in this run",
                    if file_version != run { format!(", read in CIS v{file_version}") } else { String::new() }
                ));
                false
            }
            Some(id) if id != text && text != key => {
                let note =
                    format!("{at}: {text} of CIS v{file_version} is {key}, numbered {id} in CIS v{run} (this run's)");
                if !out.notes.contains(&note) {
                    out.notes.push(note);
                }
                true
            }
            Some(_) => true,
        }
    }

    /// The suppressions, resolved to keys for a run of CIS `run`; those whose control the run's
    /// version lacks are left out with a warning.
    pub(crate) fn suppressions(&self, run: &str) -> Result<(Vec<Suppression>, Resolution), ConfigError> {
        let version = self.version_for(run);
        let mut out = Resolution::default();
        let mut list = Vec::new();
        for s in &self.suppress {
            let key = self.resolve(&s.control, &s.control_at, &version)?;
            if !self.judge(&s.control, &key, &s.control_at, run, &mut out) {
                continue;
            }
            list.push(Suppression {
                control: s.control.clone(),
                key,
                version: (!self.custom.iter().any(|c| c.named(&s.control))).then(|| version.clone()),
                account: s.account.clone(),
                region: s.region.clone(),
                reason: s.reason.clone(),
                expires: s.expires.clone(),
                at: s.at.clone(),
            });
        }
        Ok((list, out))
    }

    /// The file's `controls`, resolved to keys for a run of CIS `run` (None: the file sets none).
    pub(crate) fn controls(&self, run: &str) -> Result<Option<(Vec<String>, Resolution)>, ConfigError> {
        let Some(ids) = &self.defaults.controls else { return Ok(None) };
        let version = self.version_for(run);
        let at = self.at(ids.span());
        let mut out = Resolution::default();
        let mut keys = Vec::new();
        for id in ids.get_ref() {
            let key = self.resolve(id, &at, &version)?;
            if self.judge(id, &key, &at, run, &mut out) && !keys.contains(&key) {
                keys.push(key);
            }
        }
        Ok(Some((keys, out)))
    }
}

/// `YYYY-MM-DD` of a TOML date (or a string holding one).
fn date_of(v: &toml::Value) -> Option<String> {
    let dt = match v {
        toml::Value::Datetime(d) => *d,
        toml::Value::String(s) => s.parse::<toml::value::Datetime>().ok()?,
        _ => return None,
    };
    match (dt.date, dt.time) {
        (Some(d), None) => Some(format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
        _ => None,
    }
}

fn is_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic()) && b.all(|c| c.is_ascii_alphanumeric())
}

fn custom_control(src: &Source, c: &Spanned<CustomEntry>) -> Result<CustomControl, ConfigError> {
    let e = c.get_ref();
    let id = e.id.get_ref().trim().to_string();
    let valid_id = !id.is_empty()
        && id.len() <= 64
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !valid_id {
        return Err(src.err(
            &e.id.span(),
            format!("control id '{id}': use letters, digits, '.', '_' and '-' (e.g. \"x.ec2-instances\")"),
        ));
    }
    if id.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(src.err(
            &e.id.span(),
            format!("control id '{id}' looks like a CIS id; custom controls need their own (e.g. \"x.{id}\")"),
        ));
    }
    let source = e.event_source.get_ref().trim().to_string();
    let service = source.strip_suffix(".amazonaws.com").unwrap_or_default();
    if service.is_empty() || !service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(src.err(
            &e.event_source.span(),
            format!("event_source '{source}': expected a CloudTrail event source such as \"ec2.amazonaws.com\""),
        ));
    }
    let events = e.events.get_ref().clone();
    if events.is_empty() {
        return Err(src.err(&e.events.span(), "events must list at least one CloudTrail event name"));
    }
    if let Some(bad) = events.iter().find(|n| !is_identifier(n)) {
        return Err(src.err(
            &e.events.span(),
            format!("event name '{bad}' is not a CloudTrail event name (letters and digits, e.g. \"RunInstances\")"),
        ));
    }
    let pattern = match &e.pattern {
        Some(p) => {
            crate::pattern::parse(p.get_ref())
                .map_err(|x| src.err(&p.span(), format!("pattern does not parse: {x}")))?;
            p.get_ref().clone()
        }
        None => {
            let names: Vec<String> = events.iter().map(|n| format!("($.eventName = {n})")).collect();
            format!("{{ ($.eventSource = {source}) && ({}) }}", names.join(" || "))
        }
    };
    let regions = match &e.regions {
        None => None,
        Some(r) => {
            let list = r.get_ref();
            if list.is_empty() {
                return Err(src.err(&r.span(), "regions must list at least one region (or be left out)"));
            }
            crate::inventory::regions::parse_region_list(&list.join(","), "regions")
                .map_err(|x| src.err(&r.span(), x.0))?;
            Some(list.clone())
        }
    };
    let (alert, alert_paths) = alert_of(src, e)?;
    let key = CustomControl::key_of(&id);
    if catalog().is_key(&key) {
        return Err(src.err(&e.id.span(), format!("control id '{id}' is the key of a CIS control; choose another")));
    }
    let def = ControlDef {
        key: key.clone(),
        check: Some(MONITORING_CHECK.to_string()),
        rationale: e.rationale.clone().unwrap_or_else(|| "A custom control of the run's configuration.".into()),
        metric_name: Some(e.metric_name.clone().unwrap_or_else(|| camel(&key))),
        event_source: Some(source.clone()),
        alert,
        alert_paths,
        ..Default::default()
    };
    Ok(CustomControl {
        id,
        title: e.title.clone(),
        level: e.level.unwrap_or(1),
        def,
        pattern,
        events,
        regions,
        at: src.line(&c.span()),
    })
}

/// A custom control's alert sentence and its paths: every `<name>` of the sentence has a path
/// (or is one of EventBridge's `aws.events.*` variables), every path is a JSONPath (`$…`), and
/// paths come with a sentence.
fn alert_of(
    src: &Source,
    e: &CustomEntry,
) -> Result<(Option<String>, std::collections::BTreeMap<String, String>), ConfigError> {
    let paths = e.alert_paths.as_ref().map(|p| p.get_ref().clone()).unwrap_or_default();
    if let Some(p) = &e.alert_paths {
        if e.alert.is_none() {
            return Err(src.err(&p.span(), "alert_paths needs an alert sentence that uses them"));
        }
        if let Some((name, path)) = paths.iter().find(|(_, v)| !v.trim().starts_with('$')) {
            return Err(src.err(
                &p.span(),
                format!("alert_paths.{name} = '{path}': expected a JSONPath such as \"$.detail.userIdentity.arn\""),
            ));
        }
    }
    let Some(a) = &e.alert else { return Ok((None, paths)) };
    let sentence = a.get_ref().trim().to_string();
    if sentence.is_empty() {
        return Err(src.err(&a.span(), "alert must be a sentence (or be left out)"));
    }
    let mut rest = sentence.as_str();
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let name = &after[..end];
        if !name.starts_with("aws.events.") && !paths.contains_key(name) {
            return Err(src.err(&a.span(), format!("alert uses <{name}>, which alert_paths does not define")));
        }
        rest = &after[end + 1..];
    }
    Ok((Some(sentence), paths))
}

/// `x-ec2-instances` → `XEc2Instances` (a metric name).
fn camel(key: &str) -> String {
    key.split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
regions = ["us-east-1", "eu-west-1"]
controls = ["3.1", "4.10"]
benchmark = "5.0.0"
format = "json"

[[suppress]]
control = "4.10"
account = "111122223333"
reason = "sandbox account, alerts handled by the platform team"
expires = 2027-03-31

[[control]]
id = "x.ec2-instances"
title = "EC2 instance state changes are monitored"
event_source = "ec2.amazonaws.com"
events = ["RunInstances", "StartInstances", "StopInstances", "TerminateInstances"]
"#;

    #[test]
    fn a_full_file_parses() {
        let c = parse(EXAMPLE, "cis-audit.toml").unwrap();
        assert_eq!(c.defaults.regions.as_ref().unwrap().get_ref(), &["us-east-1".to_string(), "eu-west-1".into()]);
        assert_eq!(c.checked.formats, Some(vec![crate::report::Format::Json]));
        assert_eq!(c.suppress.len(), 1);
        let s = &c.suppress[0];
        assert_eq!(s.expires.as_deref(), Some("2027-03-31"));
        assert_eq!(s.at, "cis-audit.toml:7");
        assert_eq!(c.custom[0].def.key, "x-ec2-instances");
        assert_eq!(c.custom[0].def.metric_name.as_deref(), Some("XEc2Instances"));
        assert_eq!(
            c.custom[0].pattern,
            "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = RunInstances) || ($.eventName = StartInstances) || ($.eventName = StopInstances) || ($.eventName = TerminateInstances)) }"
        );
        crate::pattern::parse(&c.custom[0].pattern).unwrap();
    }

    #[test]
    fn a_custom_control_carries_its_alert_sentence() {
        let text = r#"[[control]]
id = "x.ec2-instances"
title = "EC2 instance state changes are monitored"
event_source = "ec2.amazonaws.com"
events = ["RunInstances", "StopInstances"]
alert = "The user <username> has initiated <changetype> for instance with instance id <instanceid> in <region>."
alert_paths = { username = "$.detail.userIdentity.arn", changetype = "$.detail.eventName", instanceid = "$.detail.requestParameters.instancesSet.items[0].instanceId", region = "$.detail.awsRegion" }
"#;
        let c = parse(text, "cfg").unwrap();
        let (sentence, paths) = c.custom[0].def.alert();
        assert!(sentence.starts_with("The user <username> has initiated <changetype>"));
        assert_eq!(paths["instanceid"], "$.detail.requestParameters.instancesSet.items[0].instanceId");
        let head = "[[control]]\nid = \"x.a\"\ntitle = \"t\"\nevent_source = \"ec2.amazonaws.com\"\nevents = [\"A\"]\n";
        for (extra, what) in [
            ("alert = \"By <who>\"\n", "<who>, which alert_paths does not define"),
            ("alert_paths = { who = \"$.x\" }\n", "needs an alert sentence"),
            ("alert = \"By <who>\"\nalert_paths = { who = \"detail.x\" }\n", "expected a JSONPath"),
        ] {
            let e = parse(&format!("{head}{extra}"), "cfg").unwrap_err().0;
            assert!(e.contains(what), "{extra}: {e}");
        }
    }

    #[test]
    fn errors_point_at_the_line() {
        let cases = [
            ("regions = [\"us-east-1\"]\nregionz = 1\n", "cfg:2:1", "unknown field `regionz`"),
            ("[[suppress]]\ncontrol = \"4.10\"\n", "cfg:1:1", "missing field `reason`"),
            ("[[suppress]]\ncontrol = \"4.10\"\nreason = \"  \"\n", "cfg:3:10", "needs a reason"),
            ("[[suppress]]\ncontrol = \"4.10\"\nreason = \"r\"\nexpires = \"soon\"\n", "cfg:4:11", "expires"),
            ("[[suppress]]\ncontrol = \"4.10\"\nreason = \"r\"\naccount = \"12\"\n", "cfg:4:11", "12-digit"),
            ("[[suppress]]\ncontrol = \"4.10\"\nreason = \"r\"\nregion = \"mars-1\"\n", "cfg:4:10", "mars-1"),
            ("controls = \"4.10\"\n", "cfg:1:12", "invalid type"),
            ("[[control]]\nid = \"4.99\"\ntitle = \"t\"\nevent_source = \"ec2.amazonaws.com\"\nevents = [\"A\"]\n", "cfg:2:6", "looks like a CIS id"),
            ("[[control]]\nid = \"x y\"\ntitle = \"t\"\nevent_source = \"ec2.amazonaws.com\"\nevents = [\"A\"]\n", "cfg:2:6", "control id"),
            ("[[control]]\nid = \"x.a\"\ntitle = \"t\"\nevent_source = \"ec2\"\nevents = [\"A\"]\n", "cfg:4:16", "event_source"),
            ("[[control]]\nid = \"x.a\"\ntitle = \"t\"\nevent_source = \"ec2.amazonaws.com\"\nevents = [\"Run Instances\"]\n", "cfg:5:10", "Run Instances"),
            ("[[control]]\nid = \"x.a\"\ntitle = \"t\"\nevent_source = \"ec2.amazonaws.com\"\nevents = []\n", "cfg:5:10", "at least one"),
            ("[[control]]\nid = \"x.a\"\ntitle = \"t\"\nevent_source = \"ec2.amazonaws.com\"\nevents = [\"A\"]\npattern = \"{ $.x = \"\n", "cfg:6:11", "does not parse"),
            ("fail_on = \"old\"\n", "cfg:1:11", "\"any\" or \"new\""),
            ("format = [\"json\", \"xml\"]\n", "cfg:1:10", "unknown format 'xml'"),
            ("benchmark = \"9.9.9\"\n", "cfg:1:13", "unknown benchmark version '9.9.9'"),
            ("regions = [\"us-east-1\", \"moon\"]\n", "cfg:1:11", "'moon' is not a region code"),
            ("accounts = [\"1234\"]\n", "cfg:1:12", "12-digit"),
            ("[remediation]\nnotify = [\"pager:1\"]\n", "cfg:2:10", "unknown protocol"),
            ("[remediation]\nroute = \"fast\"\n", "cfg:2:9", "\"metric-filter\" or \"eventbridge\""),
            ("[remediation]\nroute = \"eventbridge\"\nnotifyy = []\n", "cfg:3:1", "unknown field `notifyy`"),
            ("benchmark = \"5.0.0\"\n[[control]]\nid = \"x.a\"\ntitle = \"t\"\nevent_source = \"ec2.amazonaws.com\"\nevents = [\"A\"]\n[[control]]\nid = \"x.a\"\ntitle = \"u\"\nevent_source = \"ec2.amazonaws.com\"\nevents = [\"B\"]\n", "cfg:8:6", "already defined at cfg:2"),
            ("regions = [\n", "cfg:2:1", "invalid array: expected `]`"),
        ];
        for (text, at, what) in cases {
            let e = parse(text, "cfg").unwrap_err().0;
            assert!(e.starts_with(at), "{text:?}: {e}");
            assert!(e.contains(what), "{text:?}: {e}");
            assert!(!e.contains('\n'), "one line: {e}");
        }
    }

    #[test]
    fn the_documented_example_parses() {
        let c = parse(include_str!("../docs/cis-audit.example.toml"), "docs/cis-audit.example.toml").unwrap();
        assert_eq!(c.suppress.len(), 1);
        assert_eq!(c.custom.len(), 1);
        assert_eq!(c.checked.fail_on, Some(FailOn::New));
        assert_eq!(c.checked.route, Some(crate::remediate::Route::MetricFilter));
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("a\nbé c", 5), (2, 3), "é is one column");
        assert_eq!(line_col("", 10), (1, 1));
    }
}
