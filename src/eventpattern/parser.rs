//! Parsing and validating a pattern (rejects what EventBridge rejects).

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Map, Value};

use super::error::{child_path, index_path, type_name, PatternError};
use super::model::*;

/// Maximum nesting depth of pattern objects accepted by [`parse`].
pub(super) const MAX_DEPTH: usize = 64;

/// Operator keywords. An object containing one of these keys inside a `$or`
/// array means the array is not an `$or` (Event Ruler's reserved names).
pub(super) const OPERATOR_KEYWORDS: &[&str] =
    &["prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr"];

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/// Parse and validate an EventBridge event pattern given as JSON text.
pub fn parse(pattern_json: &str) -> Result<EventPattern, PatternError> {
    let value: Value =
        serde_json::from_str(pattern_json).map_err(|e| PatternError::new("$", format!("not valid JSON: {e}")))?;
    parse_value(&value)
}

/// Parse and validate an EventBridge event pattern given as a JSON value.
pub(crate) fn parse_value(pattern: &Value) -> Result<EventPattern, PatternError> {
    match pattern {
        Value::Object(map) => Ok(EventPattern { root: parse_object(map, "$", 0)? }),
        other => {
            Err(PatternError::new("$", format!("an event pattern must be a JSON object, found {}", type_name(other))))
        }
    }
}

impl std::str::FromStr for EventPattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

pub(super) fn parse_object(map: &Map<String, Value>, path: &str, depth: usize) -> Result<ObjectPattern, PatternError> {
    if depth > MAX_DEPTH {
        return Err(PatternError::new(path, format!("pattern nested deeper than {MAX_DEPTH} levels")));
    }
    if map.is_empty() {
        return Err(PatternError::new(path, "empty object: a pattern object needs at least one field"));
    }
    let mut out = ObjectPattern { fields: Vec::new(), ors: Vec::new() };
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
pub(super) fn as_or_array(value: &Value) -> Option<Vec<&Map<String, Value>>> {
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

pub(super) fn parse_leaf(items: &[Value], path: &str) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return Err(PatternError::new(path, "empty array: at least one match value is required"));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = index_path(path, i);
        let m = match item {
            Value::String(s) => Matcher::Exact(Literal::Str(s.clone())),
            Value::Number(_) => Matcher::Exact(Literal::Num(number(item, &p)?)),
            Value::Bool(b) => Matcher::Exact(Literal::Bool(*b)),
            Value::Null => Matcher::Exact(Literal::Null),
            Value::Array(_) => return Err(PatternError::new(&p, "nested arrays are not allowed in match values")),
            Value::Object(obj) => parse_operator(obj, &p)?,
        };
        out.push(m);
    }
    Ok(out)
}

pub(super) fn number(v: &Value, path: &str) -> Result<f64, PatternError> {
    match v.as_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(PatternError::new(path, format!("expected a finite number, found {}", type_name(v)))),
    }
}

pub(super) fn string<'a>(v: &'a Value, path: &str, op: &str) -> Result<&'a str, PatternError> {
    v.as_str().ok_or_else(|| PatternError::new(path, format!("\"{op}\" requires a string, found {}", type_name(v))))
}

/// The single `(key, value)` of a one-key object, or an error.
pub(super) fn single_entry<'a>(
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
                format!("{what} object must have exactly one key, found {}: {:?}", keys.len(), keys),
            ))
        }
    }
}

pub(super) fn parse_operator(obj: &Map<String, Value>, path: &str) -> Result<Matcher, PatternError> {
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
pub(super) fn ignore_case_operand(obj: &Map<String, Value>, path: &str) -> Result<String, PatternError> {
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

pub(super) fn parse_anything_but(val: &Value, path: &str) -> Result<AnythingBut, PatternError> {
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

pub(super) fn string_or_list<'a>(v: &'a Value, path: &str, op: &str) -> Result<Vec<&'a str>, PatternError> {
    match v {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => {
            items.iter().enumerate().map(|(i, it)| string(it, &index_path(path, i), op)).collect()
        }
        Value::Array(_) => Err(PatternError::new(path, format!("\"{op}\" list must not be empty"))),
        other => Err(PatternError::new(
            path,
            format!("\"{op}\" requires a string or a list of strings, found {}", type_name(other)),
        )),
    }
}

pub(super) fn parse_numeric(val: &Value, path: &str) -> Result<NumericRange, PatternError> {
    let items = match val {
        Value::Array(items) => items,
        other => {
            return Err(PatternError::new(
                path,
                format!("\"numeric\" requires an array like [\">\", 0, \"<=\", 5], found {}", type_name(other)),
            ))
        }
    };
    if items.len() != 2 && items.len() != 4 {
        return Err(PatternError::new(
            path,
            format!("\"numeric\" requires one or two (operator, number) pairs, found {} element(s)", items.len()),
        ));
    }
    let mut range = NumericRange { lower: None, upper: None };
    let mut i = 0;
    while i + 1 < items.len() {
        let op_path = index_path(path, i);
        let op = items[i].as_str().ok_or_else(|| {
            PatternError::new(
                &op_path,
                format!("expected a comparison operator string, found {}", type_name(&items[i])),
            )
        })?;
        let n = number(&items[i + 1], &index_path(path, i + 1))?;
        match op {
            "=" => {
                if items.len() != 2 {
                    return Err(PatternError::new(&op_path, "\"=\" can not be combined with another comparison"));
                }
                range.lower = Some(Bound { value: n, inclusive: true });
                range.upper = Some(Bound { value: n, inclusive: true });
            }
            ">" | ">=" => {
                if range.lower.is_some() {
                    return Err(PatternError::new(&op_path, "two lower bounds in \"numeric\""));
                }
                range.lower = Some(Bound { value: n, inclusive: op == ">=" });
            }
            "<" | "<=" => {
                if range.upper.is_some() {
                    return Err(PatternError::new(&op_path, "two upper bounds in \"numeric\""));
                }
                range.upper = Some(Bound { value: n, inclusive: op == "<=" });
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
        let empty = lo.value > hi.value || (lo.value == hi.value && !(lo.inclusive && hi.inclusive));
        if empty {
            return Err(PatternError::new(
                path,
                "numeric range is empty: the lower bound must be below the upper bound",
            ));
        }
    }
    Ok(range)
}

pub(super) fn parse_cidr(s: &str, path: &str) -> Result<Cidr, PatternError> {
    let bad = |why: &str| PatternError::new(path, format!("invalid CIDR \"{s}\": {why}"));
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => {
            if l.is_empty() || !l.bytes().all(|b| b.is_ascii_digit()) || l.len() > 3 {
                return Err(bad("prefix length must be a decimal number"));
            }
            (a, Some(l.parse::<u32>().map_err(|_| bad("prefix length must be a decimal number"))?))
        }
        None => (s, None),
    };
    if let Ok(v4) = addr.parse::<Ipv4Addr>() {
        let len = len.unwrap_or(32);
        if len > 32 {
            return Err(bad("IPv4 prefix length must be at most 32"));
        }
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        return Ok(Cidr::V4 { net: u32::from(v4) & mask, mask });
    }
    if let Ok(v6) = addr.parse::<Ipv6Addr>() {
        let len = len.unwrap_or(128);
        if len > 128 {
            return Err(bad("IPv6 prefix length must be at most 128"));
        }
        let mask = if len == 0 { 0 } else { u128::MAX << (128 - len) };
        return Ok(Cidr::V6 { net: u128::from(v6) & mask, mask });
    }
    Err(bad("not an IPv4 or IPv6 address"))
}

pub(super) fn parse_wildcard(s: &str, path: &str) -> Result<Wildcard, PatternError> {
    let mut toks = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                if toks.last() == Some(&WTok::Star) {
                    return Err(PatternError::new(
                        path,
                        format!("invalid wildcard \"{s}\": consecutive '*' characters are not allowed"),
                    ));
                }
                toks.push(WTok::Star);
            }
            '\\' => match chars.next() {
                Some(e @ ('*' | '\\')) => toks.push(WTok::Lit(e)),
                Some(e) => {
                    return Err(PatternError::new(
                        path,
                        format!("invalid wildcard \"{s}\": '\\' may only escape '*' or '\\', not '{e}'"),
                    ))
                }
                None => {
                    return Err(PatternError::new(path, format!("invalid wildcard \"{s}\": dangling '\\' at the end")))
                }
            },
            c => toks.push(WTok::Lit(c)),
        }
    }
    Ok(Wildcard { toks })
}
