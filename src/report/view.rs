//! What several renderers show the same way: the stable identity of a verdict, its severity, its
//! resources and evidence as text, timestamps. Presentation only: nothing here decides a verdict.

use super::Report;
use super::{ReportFinding as Finding, Verdict as ControlResult};
use crate::finding::{Status, Suppressed};
use std::borrow::Cow;

/// Where the CIS AWS Foundations Benchmark is published (the reference of every CIS control).
pub(crate) const CIS_URL: &str = "https://www.cisecurity.org/benchmark/amazon_web_services";

/// The region part of a verdict's identity: `global` for an account-level verdict.
pub(crate) fn region_key(c: &ControlResult) -> &str {
    c.region.as_deref().unwrap_or("global")
}

/// The standard a verdict belongs to, as an id part: the benchmark and its version, or `custom`
/// for a control of the run's configuration.
pub(crate) fn standard_key(r: &Report, c: &ControlResult) -> String {
    if c.custom {
        "custom".to_string()
    } else {
        format!("cis-aws-foundations-benchmark/v{}", r.benchmark.version)
    }
}

/// The stable identity of a verdict: standard, account, region, control key; never a time, so
/// the same verdict of a later run has the same identity.
pub(crate) fn verdict_key(r: &Report, c: &ControlResult) -> String {
    format!("{}/{}/{}/{}", standard_key(r, c), c.account, region_key(c), c.key)
}

/// The standard's name as people read it: the benchmark's title, or "custom control".
pub(crate) fn standard_name(r: &Report, c: &ControlResult) -> String {
    if c.custom {
        "cis-audit custom control".to_string()
    } else {
        r.benchmark.title.clone()
    }
}

/// How urgent a verdict is: a FAIL of a Level 1 control (the baseline every account should meet)
/// is Medium, a FAIL of a Level 2 control (defence in depth) Low; anything else Informational.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    Informational,
    Low,
    Medium,
}

pub(crate) fn severity(c: &ControlResult) -> Severity {
    match (c.status, c.level) {
        (Status::Fail, 1) => Severity::Medium,
        (Status::Fail, _) => Severity::Low,
        _ => Severity::Informational,
    }
}

/// The findings of a verdict that were evaluated (not SKIPPED), those with the verdict's own
/// status first.
pub(crate) fn evaluated<'a>(r: &'a Report, c: &'a ControlResult) -> Vec<Cow<'a, Finding>> {
    let mut v: Vec<Cow<Finding>> = r.findings_of(c).filter(|f| f.status != Status::Skipped).collect();
    v.sort_by_key(|f| f.status != c.status);
    v
}

/// The distinct resources a verdict is about, those of findings with the verdict's status first.
pub(crate) fn resources<'a>(r: &'a Report, c: &'a ControlResult) -> Vec<(String, Cow<'a, Finding>)> {
    let mut out: Vec<(String, Cow<Finding>)> = Vec::new();
    for f in evaluated(r, c) {
        if let Some(res) = f.resource.as_deref().filter(|x| !x.is_empty()) {
            if !out.iter().any(|(x, _)| x == res) {
                out.push((res.to_string(), f));
            }
        }
    }
    out
}

/// The resource that best names what the verdict is about: the first resource of a finding with
/// the verdict's status (the broken link of a FAIL), else the first of any finding.
pub(crate) fn primary_resource(r: &Report, c: &ControlResult) -> Option<String> {
    resources(r, c).into_iter().next().map(|(x, _)| x)
}

/// A resource as a name unique in the report: an ARN as it is, anything else (an AWS Config
/// recorder's name) qualified as `ACCOUNT/REGION/NAME`.
pub(crate) fn qualified_resource(c: &ControlResult, f: &Finding, resource: &str) -> String {
    if resource.starts_with("arn:") {
        resource.to_string()
    } else {
        let region = f.region.as_deref().or(c.region.as_deref()).unwrap_or("global");
        format!("{}/{region}/{resource}", c.account)
    }
}

/// A resource's type: (CloudFormation-style name, Security Hub ASFF name).
pub(crate) fn resource_kind(resource: &str, f: &Finding) -> (&'static str, &'static str) {
    let mut parts = resource.splitn(6, ':');
    let is_arn = parts.next() == Some("arn");
    let service = parts.nth(1).unwrap_or("");
    let rest = parts.nth(2).unwrap_or("");
    if !is_arn {
        return if f.check.ends_with("/recorder") {
            ("AWS::Config::ConfigurationRecorder", "Other")
        } else {
            ("Other", "Other")
        };
    }
    match service {
        "cloudtrail" => ("AWS::CloudTrail::Trail", "AwsCloudTrailTrail"),
        "logs" if rest.contains(":metric-filter:") => ("AWS::Logs::MetricFilter", "Other"),
        "logs" => ("AWS::Logs::LogGroup", "Other"),
        "cloudwatch" => ("AWS::CloudWatch::Alarm", "AwsCloudWatchAlarm"),
        "sns" => ("AWS::SNS::Topic", "AwsSnsTopic"),
        "events" => ("AWS::Events::Rule", "Other"),
        "config" => ("AWS::Config::ConfigurationRecorder", "Other"),
        _ => ("Other", "Other"),
    }
}

/// The region in an ARN, when it has one.
pub(crate) fn arn_region(resource: &str) -> Option<&str> {
    let mut parts = resource.splitn(6, ':');
    (parts.next()? == "arn").then_some(())?;
    parts.nth(2).filter(|r| !r.is_empty())
}

/// The AWS partition of a region.
pub(crate) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Where an account-level verdict is reported in formats that need a region (ASFF, and so
/// Security Hub): the partition's global-service region, us-east-1 for `aws`.
pub(crate) fn home_region(r: &Report, account: &str) -> &'static str {
    let regions = r.account_scope(account).map(|s| s.regions.as_slice()).unwrap_or_default();
    match regions.first().map(|x| partition(x)) {
        Some("aws-cn") => "cn-north-1",
        Some("aws-us-gov") => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// The region a verdict is reported in: its own, or for an account-level verdict the home region.
pub(crate) fn report_region(r: &Report, c: &ControlResult) -> String {
    c.region.clone().unwrap_or_else(|| home_region(r, &c.account).to_string())
}

/// An observed value as text: strings bare, anything else as JSON.
pub(crate) use crate::finding::observed_text;

/// What changed since the baseline, in one sentence (naming its benchmark version when it is
/// not the report's: verdicts are then matched by control key).
pub(crate) fn baseline_text(r: &Report, b: &super::BaselineSummary) -> String {
    let other = b
        .benchmark_version
        .as_deref()
        .filter(|v| *v != r.benchmark.version)
        .map(|v| format!(" (a report of CIS v{v}, matched by control key)"))
        .unwrap_or_default();
    format!(
        "Compared with the baseline report of {}{other}: {} new, {} fixed, {} still failing, {} gone",
        b.generated_at, b.new, b.fixed, b.still_failing, b.gone
    )
}

/// Why the run exits as it does, in one phrase, from what the policy decided.
pub(crate) fn exit_reason(r: &Report) -> String {
    let p = &r.policy;
    let mut s = match p.exit_status {
        0 => match (p.fail_on, p.counted.get(&Status::Fail).copied().unwrap_or(0)) {
            (crate::policy::FailOn::New, n) if n > 0 => {
                format!("no FAIL is new since the baseline ({n} FAIL not new; --fail-on new)")
            }
            _ => "every control that counts passed (or is MANUAL / SKIPPED)".to_string(),
        },
        1 => match p.fail_on {
            crate::policy::FailOn::New => format!("{} FAIL new since the baseline (--fail-on new)", p.gating_failures),
            crate::policy::FailOn::Any => format!("{} control verdict(s) FAILED", p.gating_failures),
        },
        _ => "at least one control could not be evaluated (ERROR)".to_string(),
    };
    if p.suppressed > 0 {
        s.push_str(&format!("; {} suppressed verdict(s) do not count", p.suppressed));
    }
    s
}

/// `ok`, `FAILED` or `info` for an evidence step.
pub(crate) fn mark(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "ok",
        Some(false) => "FAILED",
        None => "info",
    }
}

/// A suppression as one phrase: `suppressed: REASON (expires DATE)`.
pub(crate) fn suppression_text(s: &Suppressed) -> String {
    match &s.expires {
        Some(e) => format!("suppressed: {} (expires {e})", s.reason),
        None => format!("suppressed: {}", s.reason),
    }
}

/// The title, marked when the control is not part of the CIS benchmark.
pub(crate) fn title_label(c: &ControlResult) -> String {
    if c.custom {
        format!("{} [custom control, not CIS]", c.title)
    } else {
        c.title.clone()
    }
}

/// The reason, followed by the suppression that accepts it.
pub(crate) fn reason_label(c: &ControlResult) -> String {
    match &c.suppressed {
        Some(s) => format!("{} — {}", c.message, suppression_text(s)),
        None => c.message.clone(),
    }
}

/// The verdict's status with its qualifiers, e.g. `FAIL (suppressed)`.
pub(crate) fn status_label(c: &ControlResult) -> String {
    if c.suppressed.is_some() {
        format!("{} (suppressed)", c.status)
    } else {
        c.status.to_string()
    }
}

/// The evidence of every finding of a verdict as plain text, one line per step, with the
/// remediation of what failed.
pub(crate) fn evidence_text(r: &Report, c: &ControlResult) -> String {
    let mut s = String::new();
    for f in r.findings_of(c) {
        s.push_str(&format!("{} {}", f.status, f.check));
        if let Some(res) = &f.resource {
            s.push_str(&format!(" on {res}"));
        }
        s.push_str(&format!(": {}\n", f.message));
        for e in &f.evidence {
            s.push_str(&format!("  [{}] {}: {}\n", mark(e.ok), e.step, observed_text(&e.observed)));
        }
        if let Some(rem) = remediation_of(&f) {
            s.push_str(&format!("  remediation: {rem}\n"));
        }
    }
    s
}

/// A finding's remediation, when it is not passing.
pub(crate) fn remediation_of(f: &Finding) -> Option<&str> {
    matches!(f.status, Status::Fail | Status::Error).then_some(f.remediation.as_deref()).flatten()
}

/// The remediations of a verdict's failing findings, in chain order, one per line.
pub(crate) fn remediation(r: &Report, c: &ControlResult) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for f in r.findings_of(c) {
        if let Some(rem) = remediation_of(&f).filter(|rem| !out.iter().any(|x| x == rem)) {
            out.push(rem.to_string());
        }
    }
    (!out.is_empty()).then(|| out.join("\n"))
}

/// Milliseconds since the Unix epoch of an RFC 3339 time (0 if it does not parse).
pub(crate) fn epoch_ms(ts: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(ts).map(|t| t.timestamp_millis()).unwrap_or(0)
}

/// An RFC 3339 time in UTC with milliseconds, `2025-06-01T12:00:00.000Z` (the form Security Hub
/// documents).
pub(crate) fn utc_millis(ts: &str) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(ts)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(chrono::DateTime::UNIX_EPOCH);
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `Ensure CloudTrail is enabled` → `EnsureCloudTrailIsEnabled`.
pub(crate) fn pascal_case(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Truncates `s` to at most `max` characters, ending with `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_names() {
        assert_eq!(epoch_ms("2025-06-01T12:00:00Z"), 1_748_779_200_000);
        assert_eq!(utc_millis("2025-06-01T12:00:00.123456Z"), "2025-06-01T12:00:00.123Z");
        assert_eq!(utc_millis("2025-06-01T14:00:00+02:00"), "2025-06-01T12:00:00.000Z");
        assert_eq!(pascal_case("Ensure the 'root' account is monitored"), "EnsureTheRootAccountIsMonitored");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(arn_region("arn:aws:sns:eu-west-1:1:t"), Some("eu-west-1"));
        assert_eq!(arn_region("arn:aws:iam::1:role/x"), None);
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
    }
}
