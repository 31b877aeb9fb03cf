//! Amazon EventBridge event-pattern parsing and matching (pure Rust).
//!
//! `cis-audit` uses this to decide whether an EventBridge rule's
//! `EventPattern` really selects the CloudTrail events a CIS control is about
//! (for example security-group changes), instead of comparing pattern text.
//!
//! Semantics follow the AWS documentation:
//!
//! * Amazon EventBridge event patterns —
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html>
//! * Event pattern syntax —
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html>
//! * Content filtering in Amazon EventBridge event patterns —
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html>
//! * Comparison operators for use in event patterns in Amazon EventBridge —
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html>
//! * Matching events on null values and empty strings —
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html>
//! * AWS Event Ruler (the open-source matcher behind EventBridge), for edge
//!   cases the user guide leaves open (array consistency, `$or` recognition,
//!   wildcard escapes, `exists` on intermediate nodes) —
//!   <https://github.com/aws/event-ruler/blob/main/README.md>
//!
//! # Matching model
//!
//! * A pattern is a JSON object. Each field's value is either a nested object
//!   (descend into the event) or a non-empty array of *match values* (a leaf).
//! * All fields of an object must match (AND); a leaf matches when the event
//!   value matches ANY element of the array (OR).
//! * Event arrays are "crushed": a leaf matches if any (recursively nested)
//!   array element matches; a nested object pattern matches if any object
//!   element of the array matches *as a whole* (Event Ruler's
//!   `rulesForJSONEvent` array consistency: two fields can not be satisfied
//!   by objects in different elements of the same array).
//! * Literal strings are exact and case-sensitive; numbers compare
//!   numerically (`5` matches `5.0`); `true`/`false`/`null` match only the
//!   same JSON literal (`null` and `""` are distinct).
//! * `exists` only looks at leaf values: `{"exists": true}` needs at least one
//!   scalar value at that path; `{"exists": false}` matches when there is none
//!   (field absent, empty array, or an object — Event Ruler documents that an
//!   intermediate node counts as "not existing").
//! * `anything-but` needs the field present: it matches a present leaf value
//!   that is not excluded. A value of a different JSON type than the excluded
//!   ones (e.g. a number vs. `{"anything-but": "x"}` or vs.
//!   `{"anything-but": {"prefix": "x"}}`) is "anything but" and matches.
//! * `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and `cidr` only
//!   match string values; `numeric` only matches JSON numbers.
//! * `"$or": [{..}, {..}, ...]` (two or more objects, none of whose keys is an
//!   operator keyword) is an OR of sub-patterns evaluated at the same object
//!   level, AND-ed with the sibling fields. Any other `"$or"` value is an
//!   ordinary field name, as in Event Ruler.
//!
//! Parsing rejects (with [`PatternError`], which names the JSON path) what
//! EventBridge rejects: non-object patterns, empty objects, non-array leaves,
//! empty arrays, nested arrays in leaves, unknown operators, operators with
//! wrongly-typed operands, malformed numeric ranges, mixed-type or
//! boolean/null `anything-but` lists, malformed CIDRs and malformed wildcards
//! (`**`, or a backslash escaping anything but `*` or `\`).
//!
//! Nothing here panics on any input.

pub(crate) mod cloudtrail;
mod error;
mod matcher;
mod model;
mod parser;

#[cfg(test)]
mod tests;

pub use self::error::PatternError;
pub use self::model::EventPattern;
pub use self::parser::parse;
#[cfg(test)]
pub(crate) use self::parser::parse_value;
