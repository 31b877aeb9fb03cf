//! What one run audits: regions per account (enabled regions, or `--regions`), validated.

/// Commercial regions enabled by default in every account (no opt-in needed). Used only when
/// the enabled-region list cannot be read (`account:ListRegions` denied or not served); the
/// audit then says so in its inventory (`regions_source`).
pub const DEFAULT_ENABLED_REGIONS: &[&str] = &[
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

/// Every region code AWS has published (commercial, opt-in, GovCloud, China, ISO excluded),
/// to reject a typo when the account's own list cannot be read.
pub const KNOWN_REGIONS: &[&str] = &[
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

/// Splits and checks a `--regions` list: well-formed codes, no duplicates, none empty.
pub fn parse_region_list(s: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(',') {
        let r = part.trim();
        if r.is_empty() {
            return Err(format!("--regions '{s}' has an empty entry"));
        }
        if !is_region_shaped(r) {
            return Err(format!("'{r}' is not a region code (expected e.g. us-east-1, eu-west-2)"));
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
        && parts.last().unwrap().chars().all(|c| c.is_ascii_digit())
        && parts[0].len() == 2
}

/// Checks requested regions: each must be a region AWS has (the published list, or the
/// account's own list when known) and, when the account's enabled regions are known, enabled.
/// Returns one clear message naming every bad region.
pub fn validate_regions(requested: &[String], enabled: Option<&[String]>, account: &str) -> Result<(), String> {
    let unknown: Vec<&str> = requested
        .iter()
        .filter(|r| !KNOWN_REGIONS.contains(&r.as_str()) && !enabled.is_some_and(|en| en.contains(r)))
        .map(|s| s.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(format!("unknown region {} (known regions: {})", unknown.join(", "), KNOWN_REGIONS.join(",")));
    }
    if let Some(en) = enabled {
        let disabled: Vec<&str> = requested.iter().filter(|r| !en.contains(r)).map(|s| s.as_str()).collect();
        if !disabled.is_empty() {
            return Err(format!(
                "region {} is not enabled for account {account} (enabled: {})",
                disabled.join(", "),
                en.join(",")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_lists_parse_and_dedupe() {
        assert_eq!(parse_region_list("us-east-1, eu-west-1,us-east-1").unwrap(), ["us-east-1", "eu-west-1"]);
        assert!(parse_region_list("us-east-1,,eu-west-1").unwrap_err().contains("empty entry"));
        assert!(parse_region_list("useast1").unwrap_err().contains("not a region code"));
        assert!(parse_region_list("US-EAST-1").is_err());
        assert!(parse_region_list("us-gov-west-1").is_ok());
    }

    #[test]
    fn unknown_or_disabled_regions_are_named() {
        let e = validate_regions(&["us-est-1".into()], None, "1").unwrap_err();
        assert!(e.starts_with("unknown region us-est-1"), "{e}");
        let enabled = vec!["us-east-1".to_string()];
        let e = validate_regions(&["us-est-1".into()], Some(&enabled), "1").unwrap_err();
        assert!(e.starts_with("unknown region us-est-1"), "{e}");
        let e = validate_regions(&["af-south-1".into()], Some(&enabled), "111").unwrap_err();
        assert!(e.contains("not enabled for account 111"), "{e}");
        assert!(validate_regions(&["us-east-1".into()], Some(&enabled), "1").is_ok());
    }
}
