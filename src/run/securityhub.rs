//! `audit --send-to-security-hub`: imports the report's ASFF findings ([`asff::findings`], the
//! same as `--format asff`) into AWS Security Hub with `securityhub:BatchImportFindings`, each
//! into its own account and region, in batches of 100. A write, so it lives here and not in the
//! inventory (which only reads).
//!
//! Before a region's first batch, `securityhub:DescribeHub` tells whether Security Hub is enabled
//! there (BatchImportFindings into a region without it fails with InvalidAccessException on AWS;
//! some emulators accept it silently). A region without Security Hub is one warning naming it, and
//! the rest goes on; findings Security Hub rejects are one warning each. Nothing here changes the
//! audit's exit code.

use crate::aws::{classify, Lane, Runtime, Session};
use crate::report::asff::{self, AsffFinding};
use crate::report::Report;
use aws_sdk_securityhub::types as sh;
use std::collections::BTreeMap;

/// At most this many findings per BatchImportFindings call (Security Hub's limit).
pub(crate) const BATCH: usize = 100;

/// What the import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Findings Security Hub accepted.
    pub imported: usize,
    /// Findings it rejected: (Id, error code, message).
    pub rejected: Vec<(String, String, String)>,
    /// (account, region) where Security Hub is not enabled, and how many findings were not sent.
    pub not_enabled: Vec<(String, String, usize)>,
    /// Anything else that kept findings out: one line each.
    pub errors: Vec<String>,
}

/// Whether an error says Security Hub is not enabled (the account is "not subscribed") there.
fn not_enabled(code: &str, message: &str) -> bool {
    code == "InvalidAccessException" || message.contains("not subscribed to AWS Security Hub")
}

/// Imports the report's findings, prints one warning per problem and a summary line on standard
/// error, and counts the calls in the report's `stats` (so its listing of API calls, and the IAM
/// permissions it implies, stay complete).
pub(crate) async fn send(report: &mut Report, rt: &Runtime, sessions: &[Session]) -> Outcome {
    let findings = asff::findings(report);
    let total = findings.len();
    let mut groups: BTreeMap<(String, String), Vec<AsffFinding>> = BTreeMap::new();
    for f in findings {
        groups.entry((f.aws_account_id.clone(), f.region.clone())).or_default().push(f);
    }
    let runs = groups.into_iter().map(|((account, region), list)| {
        let session = sessions.iter().find(|s| s.account_id == account);
        import_region(rt, session, account, region, list)
    });
    let mut out = Outcome::default();
    for o in futures::future::join_all(runs).await {
        out.imported += o.imported;
        out.rejected.extend(o.rejected);
        out.not_enabled.extend(o.not_enabled);
        out.errors.extend(o.errors);
    }
    for (account, region, n) in &out.not_enabled {
        eprintln!(
            "warning: Security Hub is not enabled in {region} (account {account}): {n} finding(s) not imported; enable it there or audit without that region"
        );
    }
    for (id, code, message) in &out.rejected {
        eprintln!("warning: Security Hub rejected finding {id}: {code}: {message}");
    }
    for e in &out.errors {
        eprintln!("warning: {e}");
    }
    eprintln!("Security Hub: {} of {total} finding(s) imported", out.imported);
    report.stats.api_calls = rt.calls();
    report.stats.api_calls_total = report.stats.api_calls.values().sum();
    out
}

async fn import_region(
    rt: &Runtime,
    session: Option<&Session>,
    account: String,
    region: String,
    findings: Vec<AsffFinding>,
) -> Outcome {
    let mut out = Outcome::default();
    let Some(session) = session else {
        out.errors.push(format!(
            "no session for account {account}: {} Security Hub finding(s) for {region} not imported",
            findings.len()
        ));
        return out;
    };
    let client = aws_sdk_securityhub::Client::new(&session.region_config(&region));
    match rt.call(&account, Some(&region), Lane::Chain, "securityhub:DescribeHub", client.describe_hub().send()).await {
        Ok(_) => {}
        Err(e) => {
            let e = classify(&e);
            if not_enabled(&e.code, &e.message) {
                out.not_enabled.push((account, region, findings.len()));
                return out;
            }
            // Not allowed to ask (or another failure): BatchImportFindings will say more.
        }
    }
    let mut left = findings.len();
    for batch in findings.chunks(BATCH) {
        let call = client.batch_import_findings().set_findings(Some(batch.iter().map(to_sdk).collect())).send();
        match rt.call(&account, Some(&region), Lane::Chain, "securityhub:BatchImportFindings", call).await {
            Ok(o) => {
                let failed = o.failed_findings();
                out.imported += o.success_count().map(|n| n.max(0) as usize).unwrap_or(batch.len() - failed.len());
                for f in failed {
                    out.rejected.push((
                        f.id().unwrap_or_default().to_string(),
                        f.error_code().unwrap_or_default().to_string(),
                        f.error_message().unwrap_or_default().to_string(),
                    ));
                }
            }
            Err(e) => {
                let e = classify(&e);
                if not_enabled(&e.code, &e.message) {
                    out.not_enabled.push((account, region, left));
                } else {
                    out.errors.push(format!(
                        "securityhub:BatchImportFindings in {region} (account {account}) failed: {e}; {left} finding(s) not imported"
                    ));
                }
                return out;
            }
        }
        left -= batch.len();
    }
    out
}

/// Our ASFF finding as the SDK's: field for field.
fn to_sdk(f: &AsffFinding) -> sh::AwsSecurityFinding {
    // Destructured, so that a field added to AsffFinding cannot be left out here.
    let AsffFinding {
        schema_version,
        id,
        product_arn,
        product_name,
        company_name,
        region,
        generator_id,
        aws_account_id,
        types,
        first_observed_at,
        last_observed_at,
        created_at,
        updated_at,
        severity,
        title,
        description,
        remediation,
        product_fields,
        resources,
        compliance,
        workflow,
        record_state,
        note,
    } = f;
    let mut b = sh::AwsSecurityFinding::builder()
        .schema_version(schema_version)
        .id(id)
        .product_arn(product_arn)
        .product_name(product_name)
        .company_name(company_name)
        .region(region)
        .generator_id(generator_id)
        .aws_account_id(aws_account_id)
        .set_types(Some(types.clone()))
        .first_observed_at(first_observed_at)
        .last_observed_at(last_observed_at)
        .created_at(created_at)
        .updated_at(updated_at)
        .severity(
            sh::Severity::builder()
                .label(sh::SeverityLabel::from(severity.label.as_str()))
                .original(&severity.original)
                .build(),
        )
        .title(title)
        .description(description)
        .set_product_fields(Some(product_fields.clone().into_iter().collect()))
        .set_resources(Some(
            resources
                .iter()
                .map(|r| {
                    sh::Resource::builder()
                        .r#type(&r.kind)
                        .id(&r.id)
                        .partition(sh::Partition::from(r.partition.as_str()))
                        .region(&r.region)
                        .build()
                })
                .collect(),
        ))
        .compliance(
            sh::Compliance::builder()
                .status(sh::ComplianceStatus::from(compliance.status.as_str()))
                .set_related_requirements(Some(compliance.related_requirements.clone()))
                .build(),
        )
        .workflow(sh::Workflow::builder().status(sh::WorkflowStatus::from(workflow.status.as_str())).build())
        .record_state(sh::RecordState::from(record_state.as_str()));
    if let Some(r) = remediation {
        let mut rec = sh::Recommendation::builder().text(&r.recommendation.text);
        if let Some(u) = &r.recommendation.url {
            rec = rec.url(u);
        }
        b = b.remediation(sh::Remediation::builder().recommendation(rec.build()).build());
    }
    if let Some(n) = note {
        b = b.note(sh::Note::builder().text(&n.text).updated_by(&n.updated_by).updated_at(&n.updated_at).build());
    }
    b.build()
}
