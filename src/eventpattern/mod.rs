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

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde_json::{Map, Value};

/// Maximum nesting depth of pattern objects accepted by [`parse`].
const MAX_DEPTH: usize = 64;

/// Operator keywords. An object containing one of these keys inside a `$or`
/// array means the array is not an `$or` (Event Ruler's reserved names).
const OPERATOR_KEYWORDS: &[&str] = &[
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
];

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why a pattern was rejected, and where (a JSON path such as
/// `$.detail.eventName[2]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    path: String,
    message: String,
}

impl PatternError {
    fn new(path: &str, message: impl Into<String>) -> Self {
        PatternError {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// JSON path of the offending element (`$` is the pattern root).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Human-readable description of the problem.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid event pattern at {}: {}",
            self.path, self.message
        )
    }
}

impl std::error::Error for PatternError {}

fn child_path(parent: &str, key: &str) -> String {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    if simple {
        format!("{parent}.{key}")
    } else {
        // serde_json::to_string of a &str cannot fail.
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""));
        format!("{parent}[{quoted}]")
    }
}

fn index_path(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// ---------------------------------------------------------------------------
// Pattern model
// ---------------------------------------------------------------------------

/// A parsed, validated EventBridge event pattern.
#[derive(Debug, Clone)]
pub struct EventPattern {
    root: ObjectPattern,
}

#[derive(Debug, Clone)]
struct ObjectPattern {
    fields: Vec<(String, FieldPattern)>,
    /// Each entry is one `$or` group: at least one alternative must match.
    ors: Vec<Vec<ObjectPattern>>,
}

#[derive(Debug, Clone)]
enum FieldPattern {
    Leaf(Vec<Matcher>),
    Nested(ObjectPattern),
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone)]
enum Matcher {
    Exact(Literal),
    Prefix(String),
    /// Stored lower-cased.
    PrefixIgnoreCase(String),
    Suffix(String),
    /// Stored lower-cased.
    SuffixIgnoreCase(String),
    /// Stored lower-cased.
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    AnythingBut(AnythingBut),
    Numeric(NumericRange),
    Exists(bool),
    Cidr(Cidr),
}

#[derive(Debug, Clone)]
enum AnythingBut {
    Values(Vec<Literal>),
    Prefix(String),
    Suffix(String),
    /// Stored lower-cased.
    IgnoreCase(Vec<String>),
    Wildcard(Vec<Wildcard>),
}

#[derive(Debug, Clone, Copy)]
struct Bound {
    value: f64,
    inclusive: bool,
}

#[derive(Debug, Clone, Copy)]
struct NumericRange {
    lower: Option<Bound>,
    upper: Option<Bound>,
}

#[derive(Debug, Clone, Copy)]
enum Cidr {
    V4 { net: u32, mask: u32 },
    V6 { net: u128, mask: u128 },
}

#[derive(Debug, Clone, PartialEq)]
enum WTok {
    Lit(char),
    Star,
}

#[derive(Debug, Clone)]
struct Wildcard {
    toks: Vec<WTok>,
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/// Parse and validate an EventBridge event pattern given as JSON text.
pub fn parse(pattern_json: &str) -> Result<EventPattern, PatternError> {
    let value: Value = serde_json::from_str(pattern_json)
        .map_err(|e| PatternError::new("$", format!("not valid JSON: {e}")))?;
    parse_value(&value)
}

/// Parse and validate an EventBridge event pattern given as a JSON value.
pub fn parse_value(pattern: &Value) -> Result<EventPattern, PatternError> {
    match pattern {
        Value::Object(map) => Ok(EventPattern {
            root: parse_object(map, "$", 0)?,
        }),
        other => Err(PatternError::new(
            "$",
            format!(
                "an event pattern must be a JSON object, found {}",
                type_name(other)
            ),
        )),
    }
}

impl std::str::FromStr for EventPattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

fn parse_object(
    map: &Map<String, Value>,
    path: &str,
    depth: usize,
) -> Result<ObjectPattern, PatternError> {
    if depth > MAX_DEPTH {
        return Err(PatternError::new(
            path,
            format!("pattern nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    if map.is_empty() {
        return Err(PatternError::new(
            path,
            "empty object: a pattern object needs at least one field",
        ));
    }
    let mut out = ObjectPattern {
        fields: Vec::new(),
        ors: Vec::new(),
    };
    for (key, value) in map {
        let p = child_path(path, key);
        if key == "$or" {
            if let Some(alts) = as_or_array(value) {
                let mut group = Vec::with_capacity(alts.len());
                for (i, alt) in alts.iter().enumerate() {
                    group.push(parse_object(alt, &index_path(&p, i), depth + 1)?);
                }
                out.ors.push(group);
                continue;
            }
            // Otherwise "$or" is an ordinary field name (Event Ruler compat).
        }
        let field = match value {
            Value::Object(inner) => FieldPattern::Nested(parse_object(inner, &p, depth + 1)?),
            Value::Array(items) => FieldPattern::Leaf(parse_leaf(items, &p)?),
            other => {
                return Err(PatternError::new(
                    &p,
                    format!(
                        "match values must be given in an array (e.g. [\"value\"]) or a nested object, found {}",
                        type_name(other)
                    ),
                ))
            }
        };
        out.fields.push((key.clone(), field));
    }
    Ok(out)
}

/// `Some(objects)` when `value` is a `$or` construct as Event Ruler
/// recognises it: an array of 2+ objects none of which uses an operator
/// keyword as a field name.
fn as_or_array(value: &Value) -> Option<Vec<&Map<String, Value>>> {
    let items = value.as_array()?;
    if items.len() < 2 {
        return None;
    }
    let mut objs = Vec::with_capacity(items.len());
    for item in items {
        let obj = item.as_object()?;
        if obj.keys().any(|k| OPERATOR_KEYWORDS.contains(&k.as_str())) {
            return None;
        }
        objs.push(obj);
    }
    Some(objs)
}

fn parse_leaf(items: &[Value], path: &str) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return Err(PatternError::new(
            path,
            "empty array: at least one match value is required",
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = index_path(path, i);
        let m = match item {
            Value::String(s) => Matcher::Exact(Literal::Str(s.clone())),
            Value::Number(_) => Matcher::Exact(Literal::Num(number(item, &p)?)),
            Value::Bool(b) => Matcher::Exact(Literal::Bool(*b)),
            Value::Null => Matcher::Exact(Literal::Null),
            Value::Array(_) => {
                return Err(PatternError::new(
                    &p,
                    "nested arrays are not allowed in match values",
                ))
            }
            Value::Object(obj) => parse_operator(obj, &p)?,
        };
        out.push(m);
    }
    Ok(out)
}

fn number(v: &Value, path: &str) -> Result<f64, PatternError> {
    match v.as_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(PatternError::new(
            path,
            format!("expected a finite number, found {}", type_name(v)),
        )),
    }
}

fn string<'a>(v: &'a Value, path: &str, op: &str) -> Result<&'a str, PatternError> {
    v.as_str().ok_or_else(|| {
        PatternError::new(
            path,
            format!("\"{op}\" requires a string, found {}", type_name(v)),
        )
    })
}

/// The single `(key, value)` of a one-key object, or an error.
fn single_entry<'a>(
    obj: &'a Map<String, Value>,
    path: &str,
    what: &str,
) -> Result<(&'a String, &'a Value), PatternError> {
    let mut it = obj.iter();
    match (it.next(), it.next()) {
        (Some(entry), None) => Ok(entry),
        (None, _) => Err(PatternError::new(path, format!("empty {what} object"))),
        (Some(_), Some(_)) => {
            let keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
            Err(PatternError::new(
                path,
                format!(
                    "{what} object must have exactly one key, found {}: {:?}",
                    keys.len(),
                    keys
                ),
            ))
        }
    }
}

fn parse_operator(obj: &Map<String, Value>, path: &str) -> Result<Matcher, PatternError> {
    let (key, val) = single_entry(obj, path, "content filter")?;
    let p = child_path(path, key);
    match key.as_str() {
        "prefix" => match val {
            Value::Object(inner) => Ok(Matcher::PrefixIgnoreCase(ignore_case_operand(inner, &p)?)),
            _ => Ok(Matcher::Prefix(string(val, &p, "prefix")?.to_string())),
        },
        "suffix" => match val {
            Value::Object(inner) => Ok(Matcher::SuffixIgnoreCase(ignore_case_operand(inner, &p)?)),
            _ => Ok(Matcher::Suffix(string(val, &p, "suffix")?.to_string())),
        },
        "equals-ignore-case" => Ok(Matcher::EqualsIgnoreCase(
            string(val, &p, "equals-ignore-case")?.to_lowercase(),
        )),
        "wildcard" => Ok(Matcher::Wildcard(parse_wildcard(string(val, &p, "wildcard")?, &p)?)),
        "anything-but" => Ok(Matcher::AnythingBut(parse_anything_but(val, &p)?)),
        "numeric" => Ok(Matcher::Numeric(parse_numeric(val, &p)?)),
        "exists" => match val {
            Value::Bool(b) => Ok(Matcher::Exists(*b)),
            other => Err(PatternError::new(
                &p,
                format!("\"exists\" requires true or false, found {}", type_name(other)),
            )),
        },
        "cidr" => Ok(Matcher::Cidr(parse_cidr(string(val, &p, "cidr")?, &p)?)),
        other => Err(PatternError::new(
            path,
            format!(
                "unknown operator \"{other}\" (expected one of prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr)"
            ),
        )),
    }
}

/// `{"equals-ignore-case": "x"}` inside `prefix` / `suffix`; returns `x` lower-cased.
fn ignore_case_operand(obj: &Map<String, Value>, path: &str) -> Result<String, PatternError> {
    let (key, val) = single_entry(obj, path, "prefix/suffix")?;
    let p = child_path(path, key);
    if key != "equals-ignore-case" {
        return Err(PatternError::new(
            path,
            format!("unknown operator \"{key}\" (only \"equals-ignore-case\" is allowed here)"),
        ));
    }
    Ok(string(val, &p, "equals-ignore-case")?.to_lowercase())
}

fn parse_anything_but(val: &Value, path: &str) -> Result<AnythingBut, PatternError> {
    match val {
        Value::String(s) => Ok(AnythingBut::Values(vec![Literal::Str(s.clone())])),
        Value::Number(_) => Ok(AnythingBut::Values(vec![Literal::Num(number(val, path)?)])),
        Value::Array(items) => {
            if items.is_empty() {
                return Err(PatternError::new(path, "\"anything-but\" list must not be empty"));
            }
            let mut lits = Vec::with_capacity(items.len());
            let strings = items[0].is_string();
            for (i, item) in items.iter().enumerate() {
                let p = index_path(path, i);
                match item {
                    Value::String(s) if strings => lits.push(Literal::Str(s.clone())),
                    Value::Number(_) if !strings => lits.push(Literal::Num(number(item, &p)?)),
                    Value::String(_) | Value::Number(_) => {
                        return Err(PatternError::new(
                            &p,
                            "\"anything-but\" list must contain only strings or only numbers",
                        ))
                    }
                    other => {
                        return Err(PatternError::new(
                            &p,
                            format!("\"anything-but\" list values must be strings or numbers, found {}", type_name(other)),
                        ))
                    }
                }
            }
            Ok(AnythingBut::Values(lits))
        }
        Value::Object(obj) => {
            let (key, inner) = single_entry(obj, path, "anything-but")?;
            let p = child_path(path, key);
            match key.as_str() {
                "prefix" => Ok(AnythingBut::Prefix(string(inner, &p, "prefix")?.to_string())),
                "suffix" => Ok(AnythingBut::Suffix(string(inner, &p, "suffix")?.to_string())),
                "equals-ignore-case" => Ok(AnythingBut::IgnoreCase(
                    string_or_list(inner, &p, "equals-ignore-case")?
                        .into_iter()
                        .map(|s| s.to_lowercase())
                        .collect(),
                )),
                "wildcard" => {
                    let pats = string_or_list(inner, &p, "wildcard")?;
                    let mut ws = Vec::with_capacity(pats.len());
                    for (i, s) in pats.iter().enumerate() {
                        let wp = if inner.is_array() { index_path(&p, i) } else { p.clone() };
                        ws.push(parse_wildcard(s, &wp)?);
                    }
                    Ok(AnythingBut::Wildcard(ws))
                }
                other => Err(PatternError::new(
                    path,
                    format!(
                        "unknown operator \"{other}\" inside \"anything-but\" (expected prefix, suffix, equals-ignore-case or wildcard)"
                    ),
                )),
            }
        }
        other => Err(PatternError::new(
            path,
            format!(
                "\"anything-but\" requires a string, a number, a list of strings or numbers, or an operator object; found {}",
                type_name(other)
            ),
        )),
    }
}

fn string_or_list<'a>(v: &'a Value, path: &str, op: &str) -> Result<Vec<&'a str>, PatternError> {
    match v {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .map(|(i, it)| string(it, &index_path(path, i), op))
            .collect(),
        Value::Array(_) => Err(PatternError::new(
            path,
            format!("\"{op}\" list must not be empty"),
        )),
        other => Err(PatternError::new(
            path,
            format!(
                "\"{op}\" requires a string or a list of strings, found {}",
                type_name(other)
            ),
        )),
    }
}

fn parse_numeric(val: &Value, path: &str) -> Result<NumericRange, PatternError> {
    let items = match val {
        Value::Array(items) => items,
        other => {
            return Err(PatternError::new(
                path,
                format!(
                    "\"numeric\" requires an array like [\">\", 0, \"<=\", 5], found {}",
                    type_name(other)
                ),
            ))
        }
    };
    if items.len() != 2 && items.len() != 4 {
        return Err(PatternError::new(
            path,
            format!(
                "\"numeric\" requires one or two (operator, number) pairs, found {} element(s)",
                items.len()
            ),
        ));
    }
    let mut range = NumericRange {
        lower: None,
        upper: None,
    };
    let mut i = 0;
    while i + 1 < items.len() {
        let op_path = index_path(path, i);
        let op = items[i].as_str().ok_or_else(|| {
            PatternError::new(
                &op_path,
                format!(
                    "expected a comparison operator string, found {}",
                    type_name(&items[i])
                ),
            )
        })?;
        let n = number(&items[i + 1], &index_path(path, i + 1))?;
        match op {
            "=" => {
                if items.len() != 2 {
                    return Err(PatternError::new(
                        &op_path,
                        "\"=\" can not be combined with another comparison",
                    ));
                }
                range.lower = Some(Bound {
                    value: n,
                    inclusive: true,
                });
                range.upper = Some(Bound {
                    value: n,
                    inclusive: true,
                });
            }
            ">" | ">=" => {
                if range.lower.is_some() {
                    return Err(PatternError::new(
                        &op_path,
                        "two lower bounds in \"numeric\"",
                    ));
                }
                range.lower = Some(Bound {
                    value: n,
                    inclusive: op == ">=",
                });
            }
            "<" | "<=" => {
                if range.upper.is_some() {
                    return Err(PatternError::new(
                        &op_path,
                        "two upper bounds in \"numeric\"",
                    ));
                }
                range.upper = Some(Bound {
                    value: n,
                    inclusive: op == "<=",
                });
            }
            other => {
                return Err(PatternError::new(
                    &op_path,
                    format!("unknown numeric operator \"{other}\" (expected =, <, <=, >, >=)"),
                ))
            }
        }
        i += 2;
    }
    if let (Some(lo), Some(hi)) = (range.lower, range.upper) {
        let empty =
            lo.value > hi.value || (lo.value == hi.value && !(lo.inclusive && hi.inclusive));
        if empty {
            return Err(PatternError::new(
                path,
                "numeric range is empty: the lower bound must be below the upper bound",
            ));
        }
    }
    Ok(range)
}

fn parse_cidr(s: &str, path: &str) -> Result<Cidr, PatternError> {
    let bad = |why: &str| PatternError::new(path, format!("invalid CIDR \"{s}\": {why}"));
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => {
            if l.is_empty() || !l.bytes().all(|b| b.is_ascii_digit()) || l.len() > 3 {
                return Err(bad("prefix length must be a decimal number"));
            }
            (
                a,
                Some(
                    l.parse::<u32>()
                        .map_err(|_| bad("prefix length must be a decimal number"))?,
                ),
            )
        }
        None => (s, None),
    };
    if let Ok(v4) = addr.parse::<Ipv4Addr>() {
        let len = len.unwrap_or(32);
        if len > 32 {
            return Err(bad("IPv4 prefix length must be at most 32"));
        }
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        return Ok(Cidr::V4 {
            net: u32::from(v4) & mask,
            mask,
        });
    }
    if let Ok(v6) = addr.parse::<Ipv6Addr>() {
        let len = len.unwrap_or(128);
        if len > 128 {
            return Err(bad("IPv6 prefix length must be at most 128"));
        }
        let mask = if len == 0 {
            0
        } else {
            u128::MAX << (128 - len)
        };
        return Ok(Cidr::V6 {
            net: u128::from(v6) & mask,
            mask,
        });
    }
    Err(bad("not an IPv4 or IPv6 address"))
}

fn parse_wildcard(s: &str, path: &str) -> Result<Wildcard, PatternError> {
    let mut toks = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                if toks.last() == Some(&WTok::Star) {
                    return Err(PatternError::new(
                        path,
                        format!(
                            "invalid wildcard \"{s}\": consecutive '*' characters are not allowed"
                        ),
                    ));
                }
                toks.push(WTok::Star);
            }
            '\\' => {
                match chars.next() {
                    Some(e @ ('*' | '\\')) => toks.push(WTok::Lit(e)),
                    Some(e) => return Err(PatternError::new(
                        path,
                        format!(
                            "invalid wildcard \"{s}\": '\\' may only escape '*' or '\\', not '{e}'"
                        ),
                    )),
                    None => {
                        return Err(PatternError::new(
                            path,
                            format!("invalid wildcard \"{s}\": dangling '\\' at the end"),
                        ))
                    }
                }
            }
            c => toks.push(WTok::Lit(c)),
        }
    }
    Ok(Wildcard { toks })
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

impl EventPattern {
    /// Does `event` (a full EventBridge event, e.g. with `source`,
    /// `detail-type` and `detail`) match this pattern?
    pub fn matches(&self, event: &Value) -> bool {
        match_object(&self.root, Some(event))
    }
}

/// Object candidates for a nested pattern: the value itself if it is an
/// object, or every object found inside (nested) arrays.
fn collect_objects<'a>(v: &'a Value, out: &mut Vec<&'a Map<String, Value>>) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => out.push(m),
            Value::Array(items) => stack.extend(items.iter().rev()),
            _ => {}
        }
    }
}

/// Scalar leaf values at a path: the value itself, or every scalar inside
/// (nested) arrays. Objects are not leaves.
fn collect_leaves<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(_) => {}
            Value::Array(items) => stack.extend(items.iter().rev()),
            scalar => out.push(scalar),
        }
    }
}

fn match_object(p: &ObjectPattern, v: Option<&Value>) -> bool {
    let mut cands = Vec::new();
    if let Some(v) = v {
        collect_objects(v, &mut cands);
    }
    if cands.is_empty() {
        return match_fields(p, None);
    }
    cands.into_iter().any(|o| match_fields(p, Some(o)))
}

fn match_fields(p: &ObjectPattern, obj: Option<&Map<String, Value>>) -> bool {
    let fields_ok = p.fields.iter().all(|(key, fp)| {
        let child = obj.and_then(|o| o.get(key));
        match fp {
            FieldPattern::Leaf(ms) => match_leaf(ms, child),
            FieldPattern::Nested(op) => match_object(op, child),
        }
    });
    fields_ok
        && p.ors
            .iter()
            .all(|alts| alts.iter().any(|alt| match_fields(alt, obj)))
}

fn match_leaf(ms: &[Matcher], v: Option<&Value>) -> bool {
    let mut leaves = Vec::new();
    if let Some(v) = v {
        collect_leaves(v, &mut leaves);
    }
    ms.iter().any(|m| match m {
        Matcher::Exists(want) => *want != leaves.is_empty(),
        m => leaves.iter().any(|l| matcher_matches(m, l)),
    })
}

fn literal_eq(lit: &Literal, v: &Value) -> bool {
    match (lit, v) {
        (Literal::Str(a), Value::String(b)) => a == b,
        (Literal::Num(a), Value::Number(_)) => v.as_f64() == Some(*a),
        (Literal::Bool(a), Value::Bool(b)) => a == b,
        (Literal::Null, Value::Null) => true,
        _ => false,
    }
}

fn matcher_matches(m: &Matcher, v: &Value) -> bool {
    match m {
        Matcher::Exact(lit) => literal_eq(lit, v),
        Matcher::Exists(want) => *want, // handled in match_leaf; a leaf exists here
        Matcher::Numeric(r) => match v {
            Value::Number(_) => v.as_f64().is_some_and(|n| r.contains(n)),
            _ => false,
        },
        Matcher::AnythingBut(ab) => anything_but_matches(ab, v),
        _ => match v.as_str() {
            Some(s) => string_matcher_matches(m, s),
            None => false,
        },
    }
}

fn string_matcher_matches(m: &Matcher, s: &str) -> bool {
    match m {
        Matcher::Prefix(p) => s.starts_with(p.as_str()),
        Matcher::PrefixIgnoreCase(p) => s.to_lowercase().starts_with(p.as_str()),
        Matcher::Suffix(p) => s.ends_with(p.as_str()),
        Matcher::SuffixIgnoreCase(p) => s.to_lowercase().ends_with(p.as_str()),
        Matcher::EqualsIgnoreCase(p) => s.to_lowercase() == *p,
        Matcher::Wildcard(w) => w.matches(s),
        Matcher::Cidr(c) => c.contains(s),
        _ => false,
    }
}

fn anything_but_matches(ab: &AnythingBut, v: &Value) -> bool {
    match ab {
        AnythingBut::Values(lits) => !lits.iter().any(|l| literal_eq(l, v)),
        _ => {
            let s = match v.as_str() {
                Some(s) => s,
                // A non-string can not start/end with/equal a string.
                None => return true,
            };
            match ab {
                AnythingBut::Prefix(p) => !s.starts_with(p.as_str()),
                AnythingBut::Suffix(p) => !s.ends_with(p.as_str()),
                AnythingBut::IgnoreCase(list) => {
                    let lower = s.to_lowercase();
                    !list.contains(&lower)
                }
                AnythingBut::Wildcard(ws) => !ws.iter().any(|w| w.matches(s)),
                AnythingBut::Values(_) => true, // handled above
            }
        }
    }
}

impl NumericRange {
    fn contains(&self, n: f64) -> bool {
        let lo_ok = self.lower.is_none_or(|b| {
            if b.inclusive {
                n >= b.value
            } else {
                n > b.value
            }
        });
        let hi_ok = self.upper.is_none_or(|b| {
            if b.inclusive {
                n <= b.value
            } else {
                n < b.value
            }
        });
        lo_ok && hi_ok
    }
}

impl Cidr {
    fn contains(&self, s: &str) -> bool {
        match (self, s.parse::<IpAddr>()) {
            (Cidr::V4 { net, mask }, Ok(IpAddr::V4(a))) => u32::from(a) & mask == *net,
            (Cidr::V6 { net, mask }, Ok(IpAddr::V6(a))) => u128::from(a) & mask == *net,
            _ => false,
        }
    }
}

impl Wildcard {
    /// Glob match where `*` matches any (possibly empty) run of characters.
    /// Greedy two-pointer algorithm with single-star backtracking:
    /// O(len(s) * len(pattern)) worst case, no recursion.
    fn matches(&self, s: &str) -> bool {
        let text: Vec<char> = s.chars().collect();
        let pat = &self.toks;
        let (mut ti, mut pi) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None; // (pattern idx after star, text idx)
        while ti < text.len() {
            match pat.get(pi) {
                Some(WTok::Lit(c)) if *c == text[ti] => {
                    ti += 1;
                    pi += 1;
                }
                Some(WTok::Star) => {
                    star = Some((pi + 1, ti));
                    pi += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        pi = sp;
                        ti = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        pat[pi.min(pat.len())..].iter().all(|t| *t == WTok::Star)
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CIS_SG_PATTERN: &str = r#"{"source":["aws.ec2"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["ec2.amazonaws.com"],"eventName":["AuthorizeSecurityGroupIngress","AuthorizeSecurityGroupEgress","RevokeSecurityGroupIngress","RevokeSecurityGroupEgress","CreateSecurityGroup","DeleteSecurityGroup","ModifySecurityGroupRules"]}}"#;

    const SG_EVENT_NAMES: &[&str] = &[
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
        "ModifySecurityGroupRules",
    ];

    /// An EventBridge "AWS API Call via CloudTrail" event wrapping a
    /// CloudTrail record for `event_name`.
    fn ct_event(event_name: &str) -> Value {
        json!({
            "version": "0",
            "id": "36eb8523-97d0-4518-b33d-ee3579ff19f0",
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.ec2",
            "account": "111122223333",
            "time": "2024-05-01T12:34:56Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {
                "eventVersion": "1.09",
                "userIdentity": {
                    "type": "IAMUser",
                    "principalId": "AIDAEXAMPLEEXAMPLE",
                    "arn": "arn:aws:iam::111122223333:user/alice",
                    "accountId": "111122223333",
                    "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
                    "userName": "alice"
                },
                "eventTime": "2024-05-01T12:34:56Z",
                "eventSource": "ec2.amazonaws.com",
                "eventName": event_name,
                "awsRegion": "us-east-1",
                "sourceIPAddress": "203.0.113.17",
                "userAgent": "aws-cli/2.15.0",
                "requestParameters": {
                    "groupId": "sg-0123456789abcdef0",
                    "ipPermissions": {"items": [
                        {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                         "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}},
                        {"ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389,
                         "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}
                    ]}
                },
                "responseElements": null,
                "requestID": "d2a1c3b4-0000-1111-2222-333344445555",
                "eventID": "e5f6a7b8-0000-1111-2222-333344445555",
                "readOnly": false,
                "eventType": "AwsApiCall",
                "managementEvent": true,
                "recipientAccountId": "111122223333",
                "eventCategory": "Management",
                "tlsDetails": {"tlsVersion": "TLSv1.3"}
            }
        })
    }

    fn pat(s: &str) -> EventPattern {
        match parse(s) {
            Ok(p) => p,
            Err(e) => panic!("pattern {s} should parse: {e}"),
        }
    }

    fn m(p: &str, event: Value) -> bool {
        pat(p).matches(&event)
    }

    fn err(p: &str) -> PatternError {
        match parse(p) {
            Ok(x) => panic!("pattern {p} should be rejected, parsed as {x:?}"),
            Err(e) => e,
        }
    }

    // ---- the CIS security-group rule ------------------------------------

    #[test]
    fn cis_sg_rule_matches_each_change_event() {
        let p = pat(CIS_SG_PATTERN);
        for name in SG_EVENT_NAMES {
            assert!(p.matches(&ct_event(name)), "should match {name}");
        }
    }

    #[test]
    fn cis_sg_rule_rejects_other_events() {
        let p = pat(CIS_SG_PATTERN);
        assert!(!p.matches(&ct_event("DescribeSecurityGroups")));
        assert!(!p.matches(&ct_event("RunInstances")));
        // Case sensitivity of literals.
        assert!(!p.matches(&ct_event("authorizesecuritygroupingress")));
        // Wrong source / detail-type / eventSource.
        let mut e = ct_event("CreateSecurityGroup");
        e["source"] = json!("aws.s3");
        assert!(!p.matches(&e));
        let mut e = ct_event("CreateSecurityGroup");
        e["detail-type"] = json!("EC2 Instance State-change Notification");
        assert!(!p.matches(&e));
        let mut e = ct_event("CreateSecurityGroup");
        e["detail"]["eventSource"] = json!("iam.amazonaws.com");
        assert!(!p.matches(&e));
        // Missing detail entirely.
        let mut e = ct_event("CreateSecurityGroup");
        e.as_object_mut().unwrap().remove("detail");
        assert!(!p.matches(&e));
        // Non-object events never match a field pattern.
        assert!(!p.matches(&json!("aws.ec2")));
        assert!(!p.matches(&json!(null)));
        assert!(!p.matches(&json!([])));
    }

    #[test]
    fn cis_sg_rule_via_wildcard_and_prefix() {
        let wild = pat(
            r#"{"source":["aws.ec2"],"detail":{"eventName":[{"wildcard":"*SecurityGroup*"}]}}"#,
        );
        for name in SG_EVENT_NAMES {
            assert!(
                wild.matches(&ct_event(name)),
                "wildcard should match {name}"
            );
        }
        // Wildcard is not a "mutating API" filter: it also catches Describe.
        assert!(wild.matches(&ct_event("DescribeSecurityGroups")));
        assert!(!wild.matches(&ct_event("RunInstances")));
        assert!(
            !wild.matches(&ct_event("CreateSecuritygroup")),
            "case-sensitive"
        );

        let pre = pat(r#"{"detail":{"eventName":[{"prefix":"Authorize"}]}}"#);
        assert!(pre.matches(&ct_event("AuthorizeSecurityGroupIngress")));
        assert!(pre.matches(&ct_event("AuthorizeSecurityGroupEgress")));
        assert!(!pre.matches(&ct_event("RevokeSecurityGroupIngress")));
        assert!(!pre.matches(&ct_event("authorizeSecurityGroupIngress")));

        let combo = pat(
            r#"{"detail":{"eventName":[{"prefix":"Authorize"},{"prefix":"Revoke"},{"suffix":"SecurityGroup"},"ModifySecurityGroupRules"]}}"#,
        );
        for name in SG_EVENT_NAMES {
            assert!(combo.matches(&ct_event(name)), "combo should match {name}");
        }
        assert!(!combo.matches(&ct_event("DescribeSecurityGroups")));
    }

    // ---- literals --------------------------------------------------------

    #[test]
    fn literal_types_and_case() {
        let e = json!({"s": "Alice", "n": 5, "f": 301.8, "b": true, "z": null, "e": ""});
        assert!(m(r#"{"s":["Alice"]}"#, e.clone()));
        assert!(!m(r#"{"s":["alice"]}"#, e.clone()));
        assert!(m(r#"{"n":[5]}"#, e.clone()));
        assert!(
            m(r#"{"n":[5.0]}"#, e.clone()),
            "numbers compare numerically"
        );
        assert!(m(r#"{"f":[3.018e2]}"#, e.clone()));
        assert!(
            !m(r#"{"n":["5"]}"#, e.clone()),
            "string does not match number"
        );
        assert!(m(r#"{"b":[true]}"#, e.clone()));
        assert!(!m(r#"{"b":[false]}"#, e.clone()));
        assert!(!m(r#"{"b":["true"]}"#, e.clone()));
        assert!(m(r#"{"z":[null]}"#, e.clone()));
        assert!(
            !m(r#"{"z":[""]}"#, e.clone()),
            "null and empty string are distinct"
        );
        assert!(m(r#"{"e":[""]}"#, e.clone()));
        assert!(!m(r#"{"e":[null]}"#, e.clone()));
        assert!(!m(r#"{"missing":[null]}"#, e.clone()), "absent is not null");
        // AND across fields.
        assert!(m(r#"{"s":["Alice"],"n":[5]}"#, e.clone()));
        assert!(!m(r#"{"s":["Alice"],"n":[6]}"#, e.clone()));
        // A leaf pattern does not match an object value.
        assert!(!m(r#"{"o":["x"]}"#, json!({"o": {"x": 1}})));
    }

    #[test]
    fn equals_ignore_case_prefix_suffix_variants() {
        let e = json!({"service": "EventBridge", "file": "photo.PNG"});
        assert!(m(
            r#"{"service":[{"equals-ignore-case":"eventbridge"}]}"#,
            e.clone()
        ));
        assert!(!m(
            r#"{"service":[{"equals-ignore-case":"eventbridg"}]}"#,
            e.clone()
        ));
        assert!(m(
            r#"{"service":[{"prefix":{"equals-ignore-case":"EVENTB"}}]}"#,
            e.clone()
        ));
        assert!(!m(r#"{"service":[{"prefix":"EVENTB"}]}"#, e.clone()));
        assert!(m(
            r#"{"file":[{"suffix":{"equals-ignore-case":".png"}}]}"#,
            e.clone()
        ));
        assert!(!m(r#"{"file":[{"suffix":".png"}]}"#, e.clone()));
        assert!(m(r#"{"file":[{"suffix":".PNG"}]}"#, e.clone()));
        // String operators never match non-strings.
        assert!(!m(r#"{"n":[{"prefix":"1"}]}"#, json!({"n": 12})));
        assert!(!m(
            r#"{"n":[{"equals-ignore-case":"true"}]}"#,
            json!({"n": true})
        ));
    }

    // ---- wildcard ----------------------------------------------------------

    #[test]
    fn wildcard_semantics() {
        let w = |p: &str, s: &str| {
            m(
                &format!(r#"{{"f":[{{"wildcard":{}}}]}}"#, json!(p)),
                json!({ "f": s }),
            )
        };
        assert!(w("*", ""));
        assert!(w("*", "anything"));
        assert!(w("a*c", "ac"));
        assert!(w("a*c", "abbbc"));
        assert!(!w("a*c", "abcd"));
        assert!(w("*/lib/*", "/usr/lib/x.so"));
        assert!(!w("*/lib/*", "/usr/bin/x"));
        assert!(w("a*b*c", "axxbyyc"));
        assert!(w("a*b*c", "abcbc"));
        assert!(!w("a*b*c", "acb"));
        assert!(w("exact", "exact"));
        assert!(!w("exact", "exactly"));
        // Escapes: pattern text `a\*b` is a literal star.
        assert!(w(r"a\*b", "a*b"));
        assert!(!w(r"a\*b", "axb"));
        assert!(w(r"a\\*", r"a\anything"));
        assert!(!w(r"a\\*", "anything"));
        // Non-ASCII is handled per character.
        assert!(w("é*ß", "éxyzß"));
        // Pathological backtracking input stays fast and correct.
        let long = "a".repeat(5000);
        assert!(!w("*a*a*a*a*a*b", &long));
        assert!(w("*a*a*a*a*a*", &long));
    }

    // ---- anything-but ------------------------------------------------------

    #[test]
    fn anything_but_forms() {
        let p = pat(
            r#"{"detail":{"eventName":[{"anything-but":["DescribeSecurityGroups","DescribeInstances"]}]}}"#,
        );
        assert!(p.matches(&ct_event("CreateSecurityGroup")));
        assert!(!p.matches(&ct_event("DescribeSecurityGroups")));
        assert!(!p.matches(&ct_event("DescribeInstances")));
        // anything-but requires the field to be present.
        assert!(!p.matches(&json!({"detail": {}})));

        assert!(m(
            r#"{"state":[{"anything-but":"initializing"}]}"#,
            json!({"state": "running"})
        ));
        assert!(!m(
            r#"{"state":[{"anything-but":"initializing"}]}"#,
            json!({"state": "initializing"})
        ));
        assert!(m(
            r#"{"state":[{"anything-but":"initializing"}]}"#,
            json!({"state": "INITIALIZING"})
        ));
        assert!(!m(r#"{"x":[{"anything-but":123}]}"#, json!({"x": 123.0})));
        assert!(m(
            r#"{"x":[{"anything-but":[100,200]}]}"#,
            json!({"x": 150})
        ));
        assert!(!m(
            r#"{"x":[{"anything-but":[100,200]}]}"#,
            json!({"x": 200})
        ));

        assert!(m(
            r#"{"r":[{"anything-but":{"prefix":"us-"}}]}"#,
            json!({"r": "eu-west-1"})
        ));
        assert!(!m(
            r#"{"r":[{"anything-but":{"prefix":"us-"}}]}"#,
            json!({"r": "us-east-1"})
        ));
        assert!(!m(
            r#"{"f":[{"anything-but":{"suffix":".png"}}]}"#,
            json!({"f": "a.png"})
        ));
        assert!(m(
            r#"{"f":[{"anything-but":{"suffix":".png"}}]}"#,
            json!({"f": "a.jpg"})
        ));
        assert!(!m(
            r#"{"s":[{"anything-but":{"equals-ignore-case":"initializing"}}]}"#,
            json!({"s": "INITIALIZING"})
        ));
        assert!(!m(
            r#"{"s":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}"#,
            json!({"s": "B"})
        ));
        assert!(m(
            r#"{"s":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}"#,
            json!({"s": "c"})
        ));
        assert!(!m(
            r#"{"p":[{"anything-but":{"wildcard":"*/lib/*"}}]}"#,
            json!({"p": "/usr/lib/a"})
        ));
        assert!(m(
            r#"{"p":[{"anything-but":{"wildcard":"*/lib/*"}}]}"#,
            json!({"p": "/usr/bin/a"})
        ));
        // Values of another JSON type are "anything but" the excluded strings.
        assert!(m(
            r#"{"r":[{"anything-but":{"prefix":"us-"}}]}"#,
            json!({"r": 5})
        ));
        assert!(m(r#"{"r":[{"anything-but":"5"}]}"#, json!({"r": 5})));
        assert!(m(
            r#"{"r":[{"anything-but":{"wildcard":"*"}}]}"#,
            json!({"r": null})
        ));
        assert!(!m(
            r#"{"r":[{"anything-but":{"wildcard":"*"}}]}"#,
            json!({"r": "x"})
        ));
    }

    // ---- exists ------------------------------------------------------------

    #[test]
    fn exists_true_and_false() {
        let absent = r#"{"detail":{"errorCode":[{"exists":false}]}}"#;
        let present = r#"{"detail":{"errorCode":[{"exists":true}]}}"#;
        let ok = ct_event("CreateSecurityGroup");
        let mut failed = ct_event("CreateSecurityGroup");
        failed["detail"]["errorCode"] = json!("Client.UnauthorizedOperation");
        assert!(m(absent, ok.clone()));
        assert!(!m(absent, failed.clone()));
        assert!(!m(present, ok.clone()));
        assert!(m(present, failed.clone()));
        // null is a present leaf value.
        assert!(m(present, json!({"detail": {"errorCode": null}})));
        assert!(!m(absent, json!({"detail": {"errorCode": null}})));
        // Parent missing altogether: the field is absent.
        assert!(m(absent, json!({"source": "aws.ec2"})));
        assert!(!m(present, json!({"source": "aws.ec2"})));
        // Empty arrays have no leaf values; objects are not leaves.
        assert!(m(absent, json!({"detail": {"errorCode": []}})));
        assert!(!m(present, json!({"detail": {"errorCode": []}})));
        assert!(m(absent, json!({"detail": {"errorCode": {"c1": 100}}})));
        assert!(!m(present, json!({"detail": {"errorCode": {"c1": 100}}})));
        // Combined with the CIS rule: only successful SG changes.
        let mut v: Value = serde_json::from_str(CIS_SG_PATTERN).unwrap();
        v["detail"]["errorCode"] = json!([{"exists": false}]);
        let p = parse_value(&v).unwrap();
        assert!(p.matches(&ok));
        assert!(!p.matches(&failed));
    }

    // ---- numeric -------------------------------------------------------------

    #[test]
    fn numeric_ranges() {
        let p = pat(r#"{"c":[{"numeric":[">",0,"<=",5]}]}"#);
        assert!(!p.matches(&json!({"c": 0})));
        assert!(p.matches(&json!({"c": 0.000001})));
        assert!(p.matches(&json!({"c": 5})));
        assert!(!p.matches(&json!({"c": 5.0000001})));
        assert!(
            !p.matches(&json!({"c": "3"})),
            "numeric only matches numbers"
        );
        assert!(!p.matches(&json!({})));
        assert!(m(r#"{"c":[{"numeric":["<",10]}]}"#, json!({"c": -1e9})));
        assert!(m(r#"{"c":[{"numeric":[">=",10]}]}"#, json!({"c": 10})));
        assert!(!m(r#"{"c":[{"numeric":[">",10]}]}"#, json!({"c": 10})));
        assert!(m(
            r#"{"x":[{"numeric":["=",3.018e2]}]}"#,
            json!({"x": 301.8})
        ));
        assert!(!m(
            r#"{"x":[{"numeric":["=",3.018e2]}]}"#,
            json!({"x": 301.81})
        ));
        // Upper bound given first is accepted too.
        assert!(m(r#"{"c":[{"numeric":["<",5,">=",1]}]}"#, json!({"c": 1})));
        // Port-range style check on a CloudTrail record (arrays of objects).
        let ssh = pat(
            r#"{"detail":{"requestParameters":{"ipPermissions":{"items":{"fromPort":[{"numeric":["<=",22]}],"toPort":[{"numeric":[">=",22]}]}}}}}"#,
        );
        assert!(ssh.matches(&ct_event("AuthorizeSecurityGroupIngress")));
        let rdp_only = pat(
            r#"{"detail":{"requestParameters":{"ipPermissions":{"items":{"fromPort":[{"numeric":[">",22]}],"toPort":[{"numeric":["<",3389]}]}}}}}"#,
        );
        assert!(!rdp_only.matches(&ct_event("AuthorizeSecurityGroupIngress")));
    }

    // ---- cidr ----------------------------------------------------------------

    #[test]
    fn cidr_matching() {
        let p = pat(r#"{"detail":{"sourceIPAddress":[{"cidr":"203.0.113.0/24"}]}}"#);
        assert!(p.matches(&ct_event("CreateSecurityGroup")));
        let q = pat(r#"{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/8"}]}}"#);
        assert!(!q.matches(&ct_event("CreateSecurityGroup")));
        assert!(q.matches(&json!({"detail": {"sourceIPAddress": "10.255.0.1"}})));
        assert!(!q.matches(&json!({"detail": {"sourceIPAddress": "ec2.amazonaws.com"}})));
        assert!(m(
            r#"{"ip":[{"cidr":"0.0.0.0/0"}]}"#,
            json!({"ip": "192.0.2.1"})
        ));
        assert!(m(
            r#"{"ip":[{"cidr":"192.0.2.7"}]}"#,
            json!({"ip": "192.0.2.7"})
        ));
        assert!(!m(
            r#"{"ip":[{"cidr":"192.0.2.7"}]}"#,
            json!({"ip": "192.0.2.8"})
        ));
        assert!(m(
            r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#,
            json!({"ip": "2001:db8:1::5"})
        ));
        assert!(!m(
            r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#,
            json!({"ip": "2001:db9::5"})
        ));
        assert!(!m(
            r#"{"ip":[{"cidr":"10.0.0.0/8"}]}"#,
            json!({"ip": "::ffff:10.0.0.1"})
        ));
    }

    // ---- $or -------------------------------------------------------------------

    #[test]
    fn or_operator() {
        let p = pat(
            r#"{"source":["aws.ec2"],"$or":[{"detail":{"eventName":[{"prefix":"Authorize"}]}},{"detail":{"eventName":[{"prefix":"Revoke"}]}},{"detail-type":["EC2 Security Group Change"]}]}"#,
        );
        assert!(p.matches(&ct_event("AuthorizeSecurityGroupEgress")));
        assert!(p.matches(&ct_event("RevokeSecurityGroupIngress")));
        assert!(!p.matches(&ct_event("CreateSecurityGroup")));
        let mut e = ct_event("CreateSecurityGroup");
        e["detail-type"] = json!("EC2 Security Group Change");
        assert!(p.matches(&e));
        // The AND with sibling "source" still holds.
        let mut e = ct_event("AuthorizeSecurityGroupEgress");
        e["source"] = json!("aws.s3");
        assert!(!p.matches(&e));

        // Nested $or inside an object level, with an AND inside an alternative.
        let q = pat(
            r#"{"detail":{"eventSource":["ec2.amazonaws.com"],"$or":[{"eventName":["CreateSecurityGroup"]},{"eventName":["DeleteSecurityGroup"],"readOnly":[false]}]}}"#,
        );
        assert!(q.matches(&ct_event("CreateSecurityGroup")));
        assert!(q.matches(&ct_event("DeleteSecurityGroup")));
        let mut e = ct_event("DeleteSecurityGroup");
        e["detail"]["readOnly"] = json!(true);
        assert!(!q.matches(&e));
        assert!(!q.matches(&ct_event("RevokeSecurityGroupEgress")));

        // Two parallel $or groups at different levels are AND-ed.
        let r = pat(
            r#"{"$or":[{"source":["aws.ec2"]},{"source":["aws.vpc"]}],"detail":{"$or":[{"eventName":["CreateSecurityGroup"]},{"errorCode":[{"exists":true}]}]}}"#,
        );
        assert!(r.matches(&ct_event("CreateSecurityGroup")));
        assert!(!r.matches(&ct_event("DeleteSecurityGroup")));

        // "$or" with an object value is an ordinary field name (Event Ruler compat).
        let s = pat(r#"{"$or":{"a":["x"]}}"#);
        assert!(s.matches(&json!({"$or": {"a": "x"}})));
        assert!(!s.matches(&json!({"a": "x"})));
    }

    // ---- arrays in events ---------------------------------------------------------

    #[test]
    fn arrays_in_events() {
        let e = json!({
            "resources": ["arn:aws:ec2:us-east-1:111122223333:security-group/sg-1", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"],
            "tags": [["a", "b"], ["c"]],
            "employees": [
                {"firstName": "John", "lastName": "Doe"},
                {"firstName": "Anna", "lastName": "Smith"},
                {"firstName": "Peter", "lastName": "Jones"}
            ],
            "nums": [1, 7, 12]
        });
        assert!(m(
            r#"{"resources":[{"wildcard":"*:security-group/*"}]}"#,
            e.clone()
        ));
        assert!(!m(r#"{"resources":[{"wildcard":"*:vpc/*"}]}"#, e.clone()));
        assert!(
            m(r#"{"tags":["c"]}"#, e.clone()),
            "nested arrays are crushed"
        );
        assert!(m(r#"{"employees":{"firstName":["Anna"]}}"#, e.clone()));
        assert!(m(
            r#"{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}"#,
            e.clone()
        ));
        assert!(
            !m(
                r#"{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}"#,
                e.clone()
            ),
            "fields must be satisfied by the same array element"
        );
        assert!(m(r#"{"nums":[{"numeric":[">",10]}]}"#, e.clone()));
        assert!(!m(r#"{"nums":[{"numeric":[">",20]}]}"#, e.clone()));
        // anything-but over arrays: some element is not excluded.
        assert!(m(r#"{"nums":[{"anything-but":[1,7]}]}"#, e.clone()));
        assert!(!m(r#"{"nums":[{"anything-but":[1,7,12]}]}"#, e.clone()));
        // Empty event array matches nothing but exists:false.
        assert!(!m(
            r#"{"resources":[{"prefix":""}]}"#,
            json!({"resources": []})
        ));
    }

    // ---- errors ---------------------------------------------------------------------

    #[test]
    fn error_cases_with_paths() {
        let e = err(r#"{"source":[]}"#);
        assert_eq!(e.path(), "$.source");
        assert!(e.message().contains("empty array"), "{e}");

        let e = err(r#"{"source":"aws.ec2"}"#);
        assert_eq!(e.path(), "$.source");
        assert!(e.to_string().contains("array"), "{e}");

        let e = err(r#"{"detail":{"eventName":["A",{"begins-with":"x"}]}}"#);
        assert_eq!(e.path(), "$.detail.eventName[1]");
        assert!(
            e.message().contains("unknown operator \"begins-with\""),
            "{e}"
        );

        let e = err(r#"{"detail":{"eventName":[{"prefix":"a","suffix":"b"}]}}"#);
        assert_eq!(e.path(), "$.detail.eventName[0]");

        let e = err(r#"{"detail":{"x":[{"prefix":5}]}}"#);
        assert_eq!(e.path(), "$.detail.x[0].prefix");

        let e = err(r#"{"detail":{"x":[{"prefix":{"ignore-case":"a"}}]}}"#);
        assert_eq!(e.path(), "$.detail.x[0].prefix");

        let e = err(r#"{"x":[{"numeric":[">",0,">",5]}]}"#);
        assert!(e.message().contains("two lower bounds"), "{e}");
        err(r#"{"x":[{"numeric":[">",5,"<",1]}]}"#);
        err(r#"{"x":[{"numeric":["=",5,"<",10]}]}"#);
        err(r#"{"x":[{"numeric":["~",5]}]}"#);
        err(r#"{"x":[{"numeric":[">","5"]}]}"#);
        err(r#"{"x":[{"numeric":[">"]}]}"#);
        err(r#"{"x":[{"numeric":5}]}"#);

        err(r#"{"x":[{"exists":"true"}]}"#);
        err(r#"{"x":[{"anything-but":[]}]}"#);
        let e = err(r#"{"x":[{"anything-but":["a",1]}]}"#);
        assert_eq!(e.path(), "$.x[0].anything-but[1]");
        err(r#"{"x":[{"anything-but":true}]}"#);
        err(r#"{"x":[{"anything-but":{"numeric":[">",1]}}]}"#);
        err(r#"{"x":[{"cidr":"10.0.0.0/33"}]}"#);
        err(r#"{"x":[{"cidr":"10.0.0/8"}]}"#);
        err(r#"{"x":[{"cidr":"10.0.0.0/"}]}"#);
        err(r#"{"x":[{"wildcard":"a**b"}]}"#);
        err(r#"{"x":[{"wildcard":"a\\b"}]}"#);
        err(r#"{"x":[{"wildcard":"ab\\"}]}"#);
        err(r#"{"x":[["nested"]]}"#);
        err(r#"{"x":[{}]}"#);
        let e = err(r#"{"detail":{}}"#);
        assert_eq!(e.path(), "$.detail");
        let e = err("{}");
        assert_eq!(e.path(), "$");
        err(r#"["aws.ec2"]"#);
        err(r#""aws.ec2""#);
        let e = err(r#"{"source": ["aws.ec2"]"#);
        assert!(e.message().contains("not valid JSON"), "{e}");
        // A single-element "$or" is not an $or; its object is not an operator.
        let e = err(r#"{"$or":[{"a":["x"]}]}"#);
        assert_eq!(e.path(), "$.$or[0]");
        // Errors inside $or alternatives carry the alternative's path.
        let e = err(r#"{"$or":[{"a":["x"]},{"b":[]}]}"#);
        assert_eq!(e.path(), "$.$or[1].b");
        // Keys with unusual characters are quoted in the path.
        let e = err(r#"{"a b":{"c.d":[]}}"#);
        assert_eq!(e.path(), r#"$["a b"]["c.d"]"#);
        // Too deep.
        let deep = format!("{}[\"x\"]{}", "{\"a\":".repeat(70), "}".repeat(70));
        assert!(err(&deep).message().contains("deeper"));
    }

    #[test]
    fn never_panics_on_odd_inputs() {
        let patterns = [
            r#"{"x":[{"numeric":[">",1e308,"<",1.7976931348623157e308]}]}"#,
            r#"{"x":[{"cidr":"0.0.0.0/0"}]}"#,
            r#"{"x":[{"cidr":"::/0"}]}"#,
            r#"{"x":[{"wildcard":""}]}"#,
            r#"{"x":[{"prefix":""}]}"#,
            r#"{"x":[{"equals-ignore-case":"İSTANBUL"}]}"#,
            r#"{"x":[18446744073709551615, -9223372036854775808]}"#,
        ];
        let events = [
            json!(null),
            json!({}),
            json!({"x": null}),
            json!({"x": [[[[]]]]}),
            json!({"x": "İstanbul"}),
            json!({"x": 18446744073709551615u64}),
            json!({"x": [{"y": 1}, "::1", "0.0.0.0", 1e308]}),
        ];
        for p in patterns {
            let p = pat(p);
            for e in &events {
                let _ = p.matches(e);
            }
        }
        assert!(m(r#"{"x":[{"wildcard":""}]}"#, json!({"x": ""})));
        assert!(!m(r#"{"x":[{"wildcard":""}]}"#, json!({"x": "a"})));
        assert!(m(
            r#"{"x":[{"equals-ignore-case":"İSTANBUL"}]}"#,
            json!({"x": "i̇stanbul"})
        ));
    }
}
