//! Matching an event against a parsed pattern.

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::model::*;

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
    fields_ok && p.ors.iter().all(|alts| alts.iter().any(|alt| match_fields(alt, obj)))
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
        let lo_ok = self.lower.is_none_or(|b| if b.inclusive { n >= b.value } else { n > b.value });
        let hi_ok = self.upper.is_none_or(|b| if b.inclusive { n <= b.value } else { n < b.value });
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
