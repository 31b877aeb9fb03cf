//! CloudWatch Logs filter patterns: parser, evaluator and coverage engine.
//!
//! Syntax and semantics follow AWS's "Filter pattern syntax for metric filters,
//! subscription filters, filter log events, and Live Tail":
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
//! (with its sub-pages "Matching terms in JSON log events",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html>,
//! and "Supported regular expressions (regex) syntax",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html>).
//! `fakecloud-logs::filter_pattern` (docs.rs) was read for comparison; it treats
//! terms as substrings too, but fails closed on `IS NULL` and regexes, which
//! this module implements.
//!
//! # What is supported
//! - The empty pattern (or only whitespace): matches every event.
//! - Term patterns, matched against the raw event text: `ERROR`, `"quoted phrase"`,
//!   `?alternative`, `-exclusion` (also `-"quoted"` and `?"quoted"`).
//! - A standalone `%regex%` pattern, matched against the raw event text.
//! - JSON patterns `{ ... }`: selectors `$.a.b`, `$.a[0]`, `$.a[*]`, `$.a[0][1]`;
//!   operators `=`, `!=`, `<`, `<=`, `>`, `>=`; `IS NULL`, `NOT EXISTS`,
//!   `IS TRUE`, `IS FALSE`; `&&`, `||`, parentheses; quoted and bare string
//!   values, numbers, `*` wildcards, `%regex%` values.
//! - Space-delimited patterns (`[a, b=...]`) are **not** supported: they are
//!   rejected with a `ParseError` saying so.
//!
//! # Semantic choices (where the AWS text is silent or ambiguous)
//! 1. **Case**: selector keys are case-sensitive (`$.eventname` does not select
//!    `eventName`, so such a pattern never fires on CloudTrail records); string
//!    values, terms and regexes are case-sensitive ("Metric filters are case
//!    sensitive"). The keywords `IS`, `NULL`, `NOT`, `EXISTS`, `TRUE`, `FALSE`
//!    are accepted in any case and printed in upper case.
//! 2. **Quoting**: a quoted value and the same bare value mean the same string
//!    (`$.eventName = CreateTrail` ≡ `$.eventName = "CreateTrail"`). Inside quotes,
//!    `\"` and `\\` are escapes; any other backslash is literal. A bare value
//!    that looks like a number (`-?digits(.digits)?`) is a number; a quoted
//!    one (`"403"`) is a string.
//! 3. **Wildcards**: `*` anywhere in a string value (quoted or not, beginning,
//!    middle or end) stands for any run of characters, including none; there is
//!    no escape for a literal `*`. Matching is on the whole value
//!    (`"AccessDenied*"` matches `AccessDeniedException`, not `xAccessDenied`).
//! 4. **Precedence**: `&&` binds tighter than `||`, both are left-associative,
//!    parentheses group. So the CIS v2.0+ 4.1 pattern
//!    `A || B && C && D` means `A || (B && C && D)`: `*UnauthorizedOperation`
//!    errors are counted even from `delivery.logs.amazonaws.com`.
//! 5. **Missing or non-scalar values**: when the selector selects nothing, every
//!    comparison is false, `!=` included; only `NOT EXISTS` is true. `IS NULL`
//!    is true only for a JSON `null`. Comparisons against `null`, objects and
//!    arrays are false (both `=` and `!=`).
//! 6. **Types**: string and regex values compare with strings, and with numbers
//!    and booleans through their JSON text (`$.code = "403"` matches `403`).
//!    Numeric values compare numerically with numbers and with strings that look
//!    like numbers; `<`, `<=`, `>`, `>=` require a number on the right
//!    (a parse error otherwise).
//! 7. **Arrays**: `[n]` selects one element; `[*]` selects every element and the
//!    comparison holds if it holds for any of them.
//! 8. **Terms**: a term matches when its text occurs anywhere in the raw event
//!    (substring; AWS: `ERROR` matches "Exiting with ERRORCODE: -1"). A pattern
//!    matches when every plain term occurs, at least one `?` term occurs (if
//!    there are any), and no `-` term occurs. Terms containing characters other
//!    than letters, digits and `_` are printed quoted; unquoted ones are accepted.
//! 9. **Regex**: `%...%` is an unanchored search (use `^`/`$` to anchor) with the
//!    character set AWS lists (letters, digits, `: _ # = @ / ; , -`, space, and
//!    `^ $ ? [ ] { } | \ * + .`); `(`/`)` and multi-byte characters are rejected, and
//!    at most two regexes may appear in one pattern. A `%regex%` term pattern
//!    must be the whole pattern. In JSON, `= %re%` / `!= %re%` test the value.
//! 10. **JSON patterns on non-JSON events** never match (the event passed to
//!     [`Pattern::matches`] must be a JSON object or array).
//! 11. Patterns longer than 1024 characters are rejected, as by the API.
//!
//! # Canonical form
//! `Display` prints `{ $.a = "x" || ($.b = 1 && $.c NOT EXISTS) }`: string
//! values always quoted, single spaces, parentheses only where precedence needs
//! them plus around an `&&` group inside `||`. `parse(&p.to_string()) == Ok(p)`.

mod ast;
mod corpus;
mod coverage;
mod eval;
mod parser;

#[cfg(test)]
mod tests;

pub use self::ast::{Comparison, Expr, Op, Pattern, RegexLit, Segment, Selector, Term, TermKind, Test, Value};
#[cfg(test)]
pub(crate) use self::corpus::VARIANTS_PER_EVENT;
pub use self::corpus::{corpus, Corpus, CorpusRecord, RecordSet};
pub use self::coverage::{contradiction, coverage};
pub use self::coverage::{squash_whitespace, Coverage, CoverageKind, Judge, Miss, MissGroup, Oracle, Verdict};
#[cfg(test)]
pub(crate) use self::eval::Explanation;
pub use self::parser::{parse, ParseError};
pub use self::parser::{MAX_PATTERN_LEN, MAX_REGEX_PER_PATTERN};

/// Parse `pattern` and decide whether it matches the event text `event_json`
/// (which need not be JSON: term patterns work on any text).
#[cfg(test)]
pub(crate) fn evaluate(pattern: &str, event_json: &str) -> Result<bool, ParseError> {
    let p = parse(pattern)?;
    let event = serde_json::from_str(event_json).unwrap_or(serde_json::Value::Null);
    Ok(p.matches(&event, event_json))
}

/// Like [`evaluate`], with the explanation of which clause decided it.
#[cfg(test)]
pub(crate) fn explain(pattern: &str, event_json: &str) -> Result<Explanation, ParseError> {
    let p = parse(pattern)?;
    let event = serde_json::from_str(event_json).unwrap_or(serde_json::Value::Null);
    Ok(p.explain(&event, event_json))
}
