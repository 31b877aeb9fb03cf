//! `--format asff`: a JSON array of AWS Security Finding Format objects, one per control verdict,
//! as `securityhub:BatchImportFindings` takes them (`--send-to-security-hub` imports exactly
//! these).
//!
//! - `Id` is `cis-audit/` + standard, account, region (`global` for an account-level control) and
//!   control: no time in it, so a re-import updates the finding instead of adding another.
//! - `Region` and the `ProductArn`'s region are the verdict's region; an account-level verdict is
//!   reported in the partition's global-service region (us-east-1), where Security Hub also
//!   records its own account-level CIS controls.
//! - `Compliance.Status`: PASS PASSED, FAIL FAILED, MANUAL WARNING, ERROR and SKIPPED
//!   NOT_AVAILABLE.
//! - A suppressed verdict keeps its compliance status, with `Workflow.Status` SUPPRESSED and the
//!   reason and expiry in `Note`.

use super::view::{
    arn_region, partition, qualified_resource, remediation, report_region, resource_kind, resources, severity,
    standard_key, standard_name, suppression_text, truncate, utc_millis, verdict_key, Severity, CIS_URL,
};
use super::Report;
use super::Verdict as ControlResult;
use crate::finding::Status;
use serde::Serialize;
use std::collections::BTreeMap;

pub(crate) const SCHEMA_VERSION: &str = "2018-10-08";
pub(crate) const CIS_TYPE: &str =
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";
pub(crate) const CUSTOM_TYPE: &str = "Software and Configuration Checks";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffFinding {
    pub schema_version: String,
    pub id: String,
    pub product_arn: String,
    pub product_name: String,
    pub company_name: String,
    pub region: String,
    pub generator_id: String,
    pub aws_account_id: String,
    pub types: Vec<String>,
    pub first_observed_at: String,
    pub last_observed_at: String,
    pub created_at: String,
    pub updated_at: String,
    pub severity: AsffSeverity,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<AsffRemediation>,
    pub product_fields: BTreeMap<String, String>,
    pub resources: Vec<AsffResource>,
    pub compliance: AsffCompliance,
    pub workflow: AsffWorkflow,
    pub record_state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<AsffNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffSeverity {
    pub label: String,
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffRemediation {
    pub recommendation: AsffRecommendation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffRecommendation {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffResource {
    #[serde(rename = "Type")]
    pub kind: String,
    pub id: String,
    pub partition: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffCompliance {
    pub status: String,
    pub related_requirements: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffWorkflow {
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffNote {
    pub text: String,
    pub updated_by: String,
    pub updated_at: String,
}

pub fn render(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&findings(r)).expect("ASFF serialises");
    s.push('\n');
    s
}

/// One ASFF finding per control verdict.
pub(crate) fn findings(r: &Report) -> Vec<AsffFinding> {
    r.controls.iter().map(|c| finding(r, c)).collect()
}

/// Security Hub's compliance status of a verdict.
pub(crate) fn compliance_status(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASSED",
        Status::Fail => "FAILED",
        Status::Manual => "WARNING",
        Status::Error | Status::Skipped => "NOT_AVAILABLE",
    }
}

/// Limits Security Hub documents for these fields.
const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 1024;
const TEXT_MAX: usize = 512;
const RESOURCES_MAX: usize = 32;

pub(crate) fn finding(r: &Report, c: &ControlResult) -> AsffFinding {
    let region = report_region(r, c);
    let part = partition(&region);
    let at = utc_millis(&r.generated_at);
    let standard = standard_name(r, c);
    let mut resources_out = vec![AsffResource {
        kind: "AwsAccount".into(),
        id: format!("AWS::::Account:{}", c.account),
        partition: part.into(),
        region: region.clone(),
    }];
    for (id, f) in resources(r, c).into_iter().take(RESOURCES_MAX - 1) {
        resources_out.push(AsffResource {
            kind: resource_kind(&id, &f).1.into(),
            id: qualified_resource(c, &f, &id),
            partition: part.into(),
            region: arn_region(&id).or(f.region.as_deref()).unwrap_or(&region).to_string(),
        });
    }
    let mut fields = BTreeMap::new();
    fields.insert("cis-audit/ControlId".to_string(), c.control.clone());
    fields.insert("cis-audit/ControlKey".to_string(), c.key.clone());
    fields.insert("cis-audit/Status".to_string(), c.status.to_string());
    fields.insert("cis-audit/Level".to_string(), c.level.to_string());
    fields.insert("cis-audit/Assessment".to_string(), c.assessment.clone());
    fields.insert("cis-audit/ToolVersion".to_string(), r.tool.version.clone());
    if c.custom {
        fields.insert("cis-audit/Custom".to_string(), "true".into());
    } else {
        fields.insert("cis-audit/BenchmarkVersion".to_string(), r.benchmark.version.clone());
    }
    if let Some(ch) = c.change {
        fields.insert("cis-audit/Change".to_string(), ch.as_str().into());
    }
    if let Some(s) = &c.suppressed {
        fields.insert("cis-audit/SuppressedReason".to_string(), truncate(&s.reason, TEXT_MAX));
        if let Some(e) = &s.expires {
            fields.insert("cis-audit/SuppressedExpires".to_string(), e.clone());
        }
    }
    let label = match severity(c) {
        Severity::Informational => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
    };
    AsffFinding {
        schema_version: SCHEMA_VERSION.into(),
        id: format!("cis-audit/{}", verdict_key(r, c)),
        product_arn: format!("arn:{part}:securityhub:{region}:{}:product/{}/default", c.account, c.account),
        product_name: "cis-audit".into(),
        company_name: "cis-audit".into(),
        region: region.clone(),
        generator_id: format!("cis-audit/{}/{}", standard_key(r, c), c.control),
        aws_account_id: c.account.clone(),
        types: vec![if c.custom { CUSTOM_TYPE } else { CIS_TYPE }.to_string()],
        first_observed_at: at.clone(),
        last_observed_at: at.clone(),
        created_at: at.clone(),
        updated_at: at.clone(),
        severity: AsffSeverity { label: label.into(), original: c.status.to_string() },
        title: truncate(&format!("{} {}", c.control, c.title), TITLE_MAX),
        description: truncate(&format!("{} {}: {}", c.control, c.status, c.message), DESCRIPTION_MAX),
        remediation: remediation(r, c).map(|rem| AsffRemediation {
            recommendation: AsffRecommendation {
                text: truncate(&rem, TEXT_MAX),
                url: (!c.custom).then(|| CIS_URL.to_string()),
            },
        }),
        product_fields: fields,
        resources: resources_out,
        compliance: AsffCompliance {
            status: compliance_status(c.status).into(),
            related_requirements: vec![format!("{standard}/{}", c.control)],
        },
        workflow: AsffWorkflow { status: if c.suppressed.is_some() { "SUPPRESSED" } else { "NEW" }.into() },
        record_state: "ACTIVE".into(),
        note: c.suppressed.as_ref().map(|s| AsffNote {
            text: truncate(&suppression_text(s), TEXT_MAX),
            updated_by: "cis-audit".into(),
            updated_at: at.clone(),
        }),
    }
}
