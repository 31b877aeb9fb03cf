//! Regions: the regions enabled for an account (`account:ListRegions`), the published region
//! codes, and the checks of a requested `--regions` list against them.

use super::read;
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_account::types::RegionOptStatus;

/// Commercial regions enabled by default in every account. AWS cannot disable them, so an audit
/// starts reading them before `account:ListRegions` answers; when that list cannot be read
/// (denied, or not served) they are the regions audited, and the inventory says so.
pub(crate) const DEFAULT_ENABLED_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The regions of GovCloud and of China, all enabled by default in their partitions' accounts.
const GOV_REGIONS: &[&str] = &["us-gov-east-1", "us-gov-west-1"];
const CHINA_REGIONS: &[&str] = &["cn-north-1", "cn-northwest-1"];

/// The regions every account of `partition` has enabled by default (`aws`, `aws-us-gov`,
/// `aws-cn`).
/// The partition's global region: where its global services (IAM, Organizations, S3's bucket
/// list) answer and deliver their CloudTrail events.
pub(crate) fn global_region(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "us-gov-west-1",
        "aws-cn" => "cn-north-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    }
}

pub(crate) fn default_regions(partition: &str) -> &'static [&'static str] {
    match partition {
        "aws-us-gov" => GOV_REGIONS,
        "aws-cn" => CHINA_REGIONS,
        _ => DEFAULT_ENABLED_REGIONS,
    }
}

/// Every region code AWS has published (commercial, opt-in, GovCloud, China; ISO excluded), to
/// reject a typo when the account's own list cannot be read.
pub(crate) const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Enabled regions (opted in, or enabled by default), sorted.
pub(crate) async fn enabled_regions(s: &Session, rt: &Runtime) -> Result<Vec<String>, super::CollectError> {
    let client = aws_sdk_account::Client::new(&s.config);
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req = client
            .list_regions()
            .region_opt_status_contains(RegionOptStatus::Enabled)
            .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
            .set_next_token(token.clone());
        let page = read(s, rt, Lane::Chain, "account:ListRegions", None, || req.send()).await?;
        out.extend(page.regions().iter().filter_map(|r| r.region_name().map(str::to_string)));
        match next_page(page.next_token(), &token) {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A bad region list: what is wrong, in one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct RegionError(pub String);

/// Splits and checks a region list (`--regions`, or `option` for the message): well-formed
/// codes, no empty entry; duplicates dropped.
pub(crate) fn parse_region_list(s: &str, option: &str) -> Result<Vec<String>, RegionError> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(',') {
        let r = part.trim();
        if r.is_empty() {
            return Err(RegionError(format!("{option} '{s}' has an empty entry")));
        }
        if !is_region_shaped(r) {
            return Err(RegionError(format!("'{r}' is not a region code (expected e.g. us-east-1, eu-west-2)")));
        }
        if !out.iter().any(|x| x == r) {
            out.push(r.to_string());
        }
    }
    Ok(out)
}

fn is_region_shaped(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
        && parts[0].len() == 2
}

/// Checks requested regions: each must be a region AWS has (the published list, or the
/// account's own list when known) and, when the account's enabled regions are known, enabled.
/// One message names every bad region.
pub(crate) fn validate_regions(
    requested: &[String],
    enabled: Option<&[String]>,
    account: &str,
) -> Result<(), RegionError> {
    let unknown: Vec<&str> = requested
        .iter()
        .filter(|r| !KNOWN_REGIONS.contains(&r.as_str()) && !enabled.is_some_and(|en| en.contains(r)))
        .map(|s| s.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(RegionError(format!(
            "unknown region {} (known regions: {})",
            unknown.join(", "),
            KNOWN_REGIONS.join(",")
        )));
    }
    if let Some(en) = enabled {
        let disabled: Vec<&str> = requested.iter().filter(|r| !en.contains(r)).map(|s| s.as_str()).collect();
        if !disabled.is_empty() {
            return Err(RegionError(format!(
                "region {} is not enabled for account {account} (enabled: {})",
                disabled.join(", "),
                en.join(",")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_lists_parse_and_dedupe() {
        let p = |s| parse_region_list(s, "--regions");
        assert_eq!(p("us-east-1, eu-west-1,us-east-1").unwrap(), ["us-east-1", "eu-west-1"]);
        assert!(p("us-east-1,,eu-west-1")
            .unwrap_err()
            .0
            .contains("--regions 'us-east-1,,eu-west-1' has an empty entry"));
        assert!(p("useast1").unwrap_err().0.contains("not a region code"));
        assert!(p("US-EAST-1").is_err());
        assert!(p("us-gov-west-1").is_ok());
    }

    #[test]
    fn unknown_or_disabled_regions_are_named() {
        let e = validate_regions(&["us-est-1".into()], None, "1").unwrap_err().0;
        assert!(e.starts_with("unknown region us-est-1"), "{e}");
        let enabled = vec!["us-east-1".to_string()];
        let e = validate_regions(&["us-est-1".into()], Some(&enabled), "1").unwrap_err().0;
        assert!(e.starts_with("unknown region us-est-1"), "{e}");
        let e = validate_regions(&["af-south-1".into()], Some(&enabled), "111").unwrap_err().0;
        assert!(e.contains("not enabled for account 111"), "{e}");
        assert!(validate_regions(&["us-east-1".into()], Some(&enabled), "1").is_ok());
    }

    #[test]
    fn default_regions_are_known() {
        assert!(DEFAULT_ENABLED_REGIONS.iter().all(|r| KNOWN_REGIONS.contains(r)));
    }
}
