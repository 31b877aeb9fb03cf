//! Amazon SNS subscription filter policies: would a subscription accept a message? Pure, and
//! complete for what SNS documents, with the reason a message is rejected.
//!
//! Semantics (Amazon SNS Developer Guide, "Amazon SNS message filtering" and its pages:
//! <https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html>,
//! `string-value-matching.html`, `numeric-value-matching.html`, `attribute-key-matching.html`,
//! `and-or-logic.html`, `subscription-filter-policy-constraints.html`):
//!
//! * **Scope.** `FilterPolicyScope` `MessageAttributes` (the default when absent) compares the
//!   policy's property names with the message's attributes (types `String`, `String.Array` and
//!   `Number`; `Binary` attributes are ignored) and accepts no nested policy;
//!   `MessageBody` compares them with the properties of the message body, which must be a JSON
//!   object, at any depth (a nested policy object descends into the body).
//! * **AND / OR.** Every property of the policy must match (AND); a property matches when at
//!   least one of its values matches (OR). `"$or": [{…}, {…}]` at any level of the policy is an
//!   OR of sub-policies, AND-ed with the properties beside it.
//! * **Values.** A string matches the same string, case-sensitively; a number matches an equal
//!   number (`301.5` matches `3.015e2`); `true`, `false` and `null` match the same JSON literal
//!   (body only). Operators: `prefix`, `suffix`, `equals-ignore-case`, `cidr` (an IPv4 or IPv6
//!   address in the range) on strings; `numeric` with `=`, or a range of `<`, `<=`, `>`, `>=`
//!   (one lower and one upper bound) on numbers; `anything-but` with a value, a list of values
//!   (all strings or all numbers), or `{"prefix": …}` / `{"suffix": …}`; `exists`.
//! * **Arrays.** A body array (or a `String.Array` attribute) matches when one of its elements
//!   matches. `anything-but` needs the property present; on a body array it matches when one
//!   element is not excluded (the guide's `[100, 50]` example); on a `String.Array` attribute
//!   "if none of the array elements are listed in the policy property" (the current guide).
//! * **Key matching.** `{"exists": true}` matches a property with a non-null, non-empty value;
//!   `{"exists": false}` matches a property that has none — and, for message attributes, "only
//!   matches if at least one attribute is present. An empty set of attributes results in the
//!   filter not matching." So an attribute policy never accepts a message without attributes,
//!   which is what a CloudWatch alarm notification is.
//! * An empty policy (`{}`) filters nothing: SNS documents it as the way to remove a filter.
//!
//! A policy SNS would have refused (unknown operator, mis-typed operand) is an error here, never a
//! guess. The limits (five keys, 150 combinations, 256 KB) are SNS's to enforce at
//! `SetSubscriptionAttributes` and are not checked.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Where the policy looks (`FilterPolicyScope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    MessageAttributes,
    MessageBody,
}

impl Scope {
    /// `FilterPolicyScope` as SNS returns it; absent means `MessageAttributes`.
    pub fn parse(s: Option<&str>) -> Scope {
        match s {
            Some("MessageBody") => Scope::MessageBody,
            _ => Scope::MessageAttributes,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Scope::MessageAttributes => "MessageAttributes",
            Scope::MessageBody => "MessageBody",
        }
    }
}

/// One message attribute: its `DataType` (`String`, `String.Array`, `Number`, `Binary`, or one
/// with a custom suffix such as `String.severity`) and its value as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub data_type: String,
    pub value: String,
}

/// What a publisher sends: the body text and the message attributes.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub body: &'a str,
    pub attributes: &'a BTreeMap<String, Attribute>,
}

/// Whether a subscription takes the message, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Rejected(String),
}

/// Evaluates `policy` (the `FilterPolicy` text) under `scope` on `msg`. Err: the policy is not
/// one SNS accepts (not JSON, an unknown operator …), with why.
pub fn evaluate(policy: &str, scope: Scope, msg: &Message) -> Result<Outcome, String> {
    let p: Value = serde_json::from_str(policy).map_err(|e| format!("the filter policy is not JSON: {e}"))?;
    let Value::Object(p) = p else { return Err("the filter policy is not a JSON object".into()) };
    validate(&p, scope, "")?;
    if p.is_empty() {
        return Ok(Outcome::Accepted);
    }
    let reason = match scope {
        Scope::MessageBody => match serde_json::from_str::<Value>(msg.body) {
            Ok(Value::Object(body)) => object(&p, Some(&body), ""),
            Ok(_) | Err(_) => Some(format!(
                "its scope is MessageBody and the message body is not a JSON object ({})",
                excerpt(msg.body)
            )),
        },
        Scope::MessageAttributes => {
            let attrs: BTreeMap<&str, Vec<Value>> = msg
                .attributes
                .iter()
                .filter(|(_, a)| !a.data_type.starts_with("Binary"))
                .map(|(k, a)| (k.as_str(), attribute_values(a)))
                .collect();
            if attrs.is_empty() {
                Some("its scope is MessageAttributes and the message carries no message attributes".into())
            } else {
                let arrays: Vec<&str> = msg
                    .attributes
                    .iter()
                    .filter(|(_, a)| a.data_type.starts_with("String.Array"))
                    .map(|(k, _)| k.as_str())
                    .collect();
                attributes(&p, &attrs, &arrays)
            }
        }
    };
    Ok(match reason {
        None => Outcome::Accepted,
        Some(r) => Outcome::Rejected(r),
    })
}

fn excerpt(s: &str) -> String {
    let t: String = s.chars().take(60).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

/// The values an attribute offers: a String is one string, a Number one number, a String.Array
/// its elements.
fn attribute_values(a: &Attribute) -> Vec<Value> {
    if a.data_type.starts_with("Number") {
        return match a.value.trim().parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            Some(n) => vec![Value::Number(n)],
            None => vec![],
        };
    }
    if a.data_type.starts_with("String.Array") {
        return match serde_json::from_str::<Value>(&a.value) {
            Ok(Value::Array(v)) => v,
            _ => vec![],
        };
    }
    vec![Value::String(a.value.clone())]
}

// ---------------------------------------------------------------------------------------------
// Validation: what SNS refuses at SetSubscriptionAttributes.
// ---------------------------------------------------------------------------------------------

fn validate(p: &Map<String, Value>, scope: Scope, path: &str) -> Result<(), String> {
    for (k, v) in p {
        let here = join(path, k);
        if k == "$or" {
            let Value::Array(alts) = v else { return Err(format!("{here}: $or takes a list of policies")) };
            if alts.len() < 2 {
                return Err(format!("{here}: $or needs at least two policies"));
            }
            for a in alts {
                let Value::Object(a) = a else { return Err(format!("{here}: each $or alternative is an object")) };
                validate(a, scope, path)?;
            }
            continue;
        }
        match v {
            Value::Object(inner) => {
                if scope == Scope::MessageAttributes {
                    return Err(format!("{here}: a MessageAttributes policy cannot be nested"));
                }
                validate(inner, scope, &here)?;
            }
            Value::Array(values) => {
                if values.is_empty() {
                    return Err(format!("{here}: an empty list of values matches nothing"));
                }
                for m in values {
                    validate_value(m, &here)?;
                }
            }
            _ => return Err(format!("{here}: the value must be a list (or, in MessageBody scope, an object)")),
        }
    }
    Ok(())
}

fn validate_value(m: &Value, path: &str) -> Result<(), String> {
    let Value::Object(op) = m else {
        return match m {
            Value::Array(_) => Err(format!("{path}: nested lists are not allowed")),
            _ => Ok(()),
        };
    };
    if op.len() != 1 {
        return Err(format!("{path}: an operator object has exactly one key"));
    }
    let (name, arg) = op.iter().next().expect("one key");
    let bad = |why: &str| Err(format!("{path}: {name} {why}"));
    match name.as_str() {
        "prefix" | "suffix" | "equals-ignore-case" => match arg {
            Value::String(_) => Ok(()),
            _ => bad("takes a string"),
        },
        "exists" => match arg {
            Value::Bool(_) => Ok(()),
            _ => bad("takes true or false"),
        },
        "cidr" => match arg.as_str().map(parse_cidr) {
            Some(Some(_)) => Ok(()),
            _ => bad("takes an IP address range such as 10.0.0.0/24"),
        },
        "numeric" => numeric_range(arg).map(|_| ()).map_err(|e| format!("{path}: numeric {e}")),
        "anything-but" => match arg {
            Value::String(_) | Value::Number(_) => Ok(()),
            Value::Array(list) if !list.is_empty() => {
                if list.iter().all(Value::is_string) || list.iter().all(Value::is_number) {
                    Ok(())
                } else {
                    bad("takes a list of strings or a list of numbers")
                }
            }
            Value::Object(inner) if inner.len() == 1 => match inner.iter().next() {
                Some((k, Value::String(_))) if k == "prefix" || k == "suffix" => Ok(()),
                _ => bad("takes {\"prefix\": …} or {\"suffix\": …} as an object"),
            },
            _ => bad("takes a value, a list of values, or a prefix/suffix"),
        },
        other => Err(format!("{path}: unknown operator {other}")),
    }
}

/// A `numeric` operand: `["=", n]` or one or two bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Range {
    eq: Option<f64>,
    lower: Option<(f64, bool)>,
    upper: Option<(f64, bool)>,
}

impl Range {
    fn contains(&self, n: f64) -> bool {
        if let Some(e) = self.eq {
            return n == e;
        }
        self.lower.is_none_or(|(b, inc)| if inc { n >= b } else { n > b })
            && self.upper.is_none_or(|(b, inc)| if inc { n <= b } else { n < b })
    }
}

fn numeric_range(arg: &Value) -> Result<Range, String> {
    let Value::Array(items) = arg else { return Err("takes a list such as [\">\", 0, \"<=\", 150]".into()) };
    if items.is_empty() || items.len() % 2 != 0 || items.len() > 4 {
        return Err("takes one or two (operator, number) pairs".into());
    }
    let mut r = Range { eq: None, lower: None, upper: None };
    for pair in items.chunks(2) {
        let (Some(op), Some(n)) = (pair[0].as_str(), pair[1].as_f64()) else {
            return Err("takes (operator, number) pairs".into());
        };
        match op {
            "=" if items.len() == 2 => r.eq = Some(n),
            ">" | ">=" if r.lower.is_none() => r.lower = Some((n, op == ">=")),
            "<" | "<=" if r.upper.is_none() => r.upper = Some((n, op == "<=")),
            _ => return Err(format!("has a misplaced operator {op}")),
        }
    }
    if let (Some((lo, _)), Some((hi, _))) = (r.lower, r.upper) {
        if lo > hi {
            return Err("has a lower bound above its upper bound".into());
        }
    }
    Ok(r)
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u32)> {
    let (a, len) = match s.split_once('/') {
        Some((a, l)) => (a, l.parse::<u32>().ok()?),
        None => (s, u32::MAX),
    };
    let ip: IpAddr = a.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = if len == u32::MAX { max } else { len };
    (len <= max).then_some((ip, len))
}

fn in_cidr(range: &str, s: &str) -> bool {
    let (Some((net, len)), Ok(ip)) = (parse_cidr(range), s.parse::<IpAddr>()) else { return false };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = if len == 0 { 0 } else { u128::MAX << (128 - len) };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation: None = matches; Some(why not).
// ---------------------------------------------------------------------------------------------

fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

/// A policy object against a body object (None: the property is absent, or not an object).
fn object(p: &Map<String, Value>, obj: Option<&Map<String, Value>>, path: &str) -> Option<String> {
    for (k, v) in p {
        let here = join(path, k);
        let why = if k == "$or" {
            let alts: Vec<&Map<String, Value>> =
                v.as_array().map(|a| a.iter().filter_map(Value::as_object).collect()).unwrap_or_default();
            let mut whys = vec![];
            for a in &alts {
                match object(a, obj, path) {
                    None => {
                        whys.clear();
                        break;
                    }
                    Some(w) => whys.push(w),
                }
            }
            (!whys.is_empty()).then(|| format!("no alternative of $or matches ({})", whys.join("; ")))
        } else {
            let child = obj.and_then(|o| o.get(k));
            match v {
                Value::Object(inner) => nested(inner, child, &here),
                Value::Array(values) => leaf_body(values, child, &here),
                _ => Some(format!("{here}: not a valid policy value")),
            }
        };
        if why.is_some() {
            return why;
        }
    }
    None
}

/// A nested policy object: the body value must be an object, or an array with an object that
/// matches as a whole.
fn nested(p: &Map<String, Value>, v: Option<&Value>, path: &str) -> Option<String> {
    match v {
        Some(Value::Object(o)) => object(p, Some(o), path),
        Some(Value::Array(items)) => {
            let objs: Vec<&Map<String, Value>> = items.iter().filter_map(Value::as_object).collect();
            if objs.is_empty() {
                return object(p, None, path);
            }
            let mut first = None;
            for o in objs {
                match object(p, Some(o), path) {
                    None => return None,
                    Some(w) => {
                        first.get_or_insert(w);
                    }
                }
            }
            first
        }
        _ => object(p, None, path),
    }
}

fn scalars(v: Option<&Value>) -> Vec<&Value> {
    let mut out = vec![];
    let mut stack: Vec<&Value> = v.into_iter().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(_) => {}
            s => out.push(s),
        }
    }
    out
}

fn shown(v: &Value) -> String {
    excerpt(&v.to_string())
}

fn values_text(vs: &[&Value]) -> String {
    vs.iter().map(|v| shown(v)).collect::<Vec<_>>().join(", ")
}

fn leaf_body(matchers: &[Value], v: Option<&Value>, path: &str) -> Option<String> {
    let values = scalars(v);
    if matchers.iter().any(|m| leaf_matches(m, &values, v.is_some(), false)) {
        return None;
    }
    let policy = Value::Array(matchers.to_vec());
    Some(if values.is_empty() {
        format!("property {path} is absent from the message body, and {path}: {policy} needs it")
    } else {
        format!("property {path} is {}, which {policy} does not match", values_text(&values))
    })
}

/// Whether one policy value matches the (scalar) values of a property; `present`: the property
/// is there at all; `attr_array`: the values are a `String.Array` attribute's.
fn leaf_matches(m: &Value, values: &[&Value], present: bool, attr_array: bool) -> bool {
    let live = |x: &&&Value| !matches!(x, Value::Null) && x.as_str() != Some("");
    match m {
        Value::Object(op) => {
            let Some((name, arg)) = op.iter().next() else { return false };
            match name.as_str() {
                "exists" => {
                    let has = values.iter().any(|x| live(&x));
                    arg.as_bool() == Some(has)
                }
                "anything-but" => {
                    if !present || values.is_empty() {
                        return false;
                    }
                    let not_excluded = |x: &Value| anything_but(arg, x);
                    if attr_array {
                        values.iter().all(|x| not_excluded(x))
                    } else {
                        values.iter().any(|x| not_excluded(x))
                    }
                }
                _ => values.iter().any(|x| operator(name, arg, x)),
            }
        }
        lit => values.iter().any(|x| literal(lit, x)),
    }
}

fn literal(lit: &Value, v: &Value) -> bool {
    match (lit, v) {
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

fn operator(name: &str, arg: &Value, v: &Value) -> bool {
    match name {
        "numeric" => match (numeric_range(arg), v.as_f64()) {
            (Ok(r), Some(n)) if v.is_number() => r.contains(n),
            _ => false,
        },
        _ => {
            let (Some(s), Some(a)) = (v.as_str(), arg.as_str()) else { return false };
            match name {
                "prefix" => s.starts_with(a),
                "suffix" => s.ends_with(a),
                "equals-ignore-case" => s.to_lowercase() == a.to_lowercase(),
                "cidr" => in_cidr(a, s),
                _ => false,
            }
        }
    }
}

/// Whether value `v` is not excluded by `anything-but` operand `arg`.
fn anything_but(arg: &Value, v: &Value) -> bool {
    match arg {
        Value::Array(list) => !list.iter().any(|l| literal(l, v)),
        Value::Object(inner) => {
            let Some((k, Value::String(a))) = inner.iter().next() else { return true };
            match v.as_str() {
                Some(s) if k == "prefix" => !s.starts_with(a.as_str()),
                Some(s) if k == "suffix" => !s.ends_with(a.as_str()),
                _ => true,
            }
        }
        lit => !literal(lit, v),
    }
}

fn attributes(p: &Map<String, Value>, attrs: &BTreeMap<&str, Vec<Value>>, arrays: &[&str]) -> Option<String> {
    for (k, v) in p {
        let why = if k == "$or" {
            let alts: Vec<&Map<String, Value>> =
                v.as_array().map(|a| a.iter().filter_map(Value::as_object).collect()).unwrap_or_default();
            let whys: Vec<String> = alts.iter().map_while(|a| attributes(a, attrs, arrays)).collect();
            (whys.len() == alts.len()).then(|| format!("no alternative of $or matches ({})", whys.join("; ")))
        } else {
            let matchers = v.as_array().map(Vec::as_slice).unwrap_or_default();
            let present = attrs.contains_key(k.as_str());
            let values: Vec<&Value> = attrs.get(k.as_str()).map(|x| x.iter().collect()).unwrap_or_default();
            let array = arrays.contains(&k.as_str());
            if matchers.iter().any(|m| leaf_matches(m, &values, present, array)) {
                None
            } else if !present {
                Some(format!("message attribute {k} is absent, and {k}: {v} needs it"))
            } else {
                Some(format!("message attribute {k} is {}, which {v} does not match", values_text(&values)))
            }
        };
        if why.is_some() {
            return why;
        }
    }
    None
}

#[cfg(test)]
mod tests;
