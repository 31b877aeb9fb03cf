//! Time, as the product writes it: RFC 3339 for timestamps, `YYYY-MM-DD` for days. A leaf: it
//! imports nothing of ours.

/// The current time, RFC 3339 (`2026-12-04T20:36:08Z`).
pub(crate) fn now_rfc3339() -> String {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub(crate) fn today() -> String {
    now_rfc3339().chars().take(10).collect()
}

/// Seconds since the Unix epoch of an RFC 3339 time (`2026-12-04T20:36:08Z`, fractions and
/// offsets allowed), or None when it does not parse.
pub(crate) fn epoch_seconds(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339.trim()).ok().map(|d| d.timestamp())
}

/// Whole days from `earlier` to `later` (RFC 3339 times), rounded down; None when either does not
/// parse.
pub(crate) fn days_between(earlier: &str, later: &str) -> Option<i64> {
    Some((epoch_seconds(later)? - epoch_seconds(earlier)?).div_euclid(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_days_count_down() {
        assert_eq!(epoch_seconds("1970-01-02T00:00:00Z"), Some(86_400));
        assert_eq!(epoch_seconds("1970-01-02T01:00:00+01:00"), Some(86_400));
        assert_eq!(epoch_seconds("N/A"), None);
        assert_eq!(days_between("2026-01-01T00:00:00Z", "2026-01-31T23:59:59Z"), Some(30));
        assert_eq!(days_between("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"), Some(-1));
        assert_eq!(today().len(), 10);
    }
}
