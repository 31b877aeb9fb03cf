//! Judging a filter pattern against the benchmark's own pattern, by what the
//! two match in the corpus, plus a static contradiction check.

use std::fmt;

use serde_json::Value as Json;

use super::ast::{Comparison, Expr, Op, Pattern, Segment, Selector, Term, TermKind, Test, Value};
use super::corpus::{corpus, CorpusRecord};
use super::eval::test_value;
use super::parser::{parse, ParseError};

/// How a pattern relates to the benchmark pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CoverageKind {
    /// Same text as the benchmark's pattern, apart from whitespace outside quotes.
    Exact,
    /// Matches exactly the same corpus records as the benchmark pattern.
    Equivalent,
    /// Matches every record the benchmark pattern matches, and more.
    Broader,
    /// Misses some records the benchmark pattern matches.
    Incomplete,
}

impl fmt::Display for CoverageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CoverageKind::Exact => "exact",
            CoverageKind::Equivalent => "equivalent",
            CoverageKind::Broader => "broader",
            CoverageKind::Incomplete => "incomplete",
        })
    }
}

/// One required record the pattern does not match.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Miss {
    pub id: String,
    pub event_name: String,
    pub event_source: String,
    /// e.g. "RevokeSecurityGroupEgress by an assumed role (cli, eu-west-1): `$.userIdentity.type = \"IAMUser\"` rejects it ($.userIdentity.type is \"AssumedRole\")"
    pub reason: String,
    /// Just the clause part of `reason`.
    pub why: String,
}

/// Misses of one event (eventSource + eventName), for readable reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissGroup {
    /// The event name, with the service added when the name is ambiguous.
    pub event: String,
    pub missed: usize,
    /// Required records of this event.
    pub required: usize,
    /// Distinct reasons, most frequent first.
    pub reasons: Vec<String>,
}

impl fmt::Display for MissGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.missed == self.required {
            let n = if self.required == 1 {
                "its only variant".to_string()
            } else {
                format!("all {} variants", self.required)
            };
            write!(f, "misses {} ({n})", self.event)?;
        } else {
            write!(f, "misses {} ({} of {} variants)", self.event, self.missed, self.required)?;
        }
        if !self.reasons.is_empty() {
            write!(f, ": {}", self.reasons.join("; "))?;
        }
        Ok(())
    }
}

/// The verdict on one pattern.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Coverage {
    pub kind: CoverageKind,
    /// The pattern judged, in canonical form.
    pub pattern: String,
    /// The benchmark pattern, in canonical form.
    pub benchmark: String,
    /// Number of corpus records the benchmark pattern matches (the required set).
    pub required: usize,
    /// Number of required records the pattern matches.
    pub matched_required: usize,
    /// Required records the pattern misses, with the clause that rejects each.
    pub misses: Vec<Miss>,
    /// Ids of records the pattern matches that the benchmark pattern does not.
    pub extra_matches: Vec<String>,
    /// The pattern matches no record of the corpus.
    pub never_matches: bool,
    /// A static reason why the pattern can never match, if one was found.
    pub contradiction: Option<String>,
    /// Required event names with no record in the benchmark's matched set:
    /// a bug in the control data (or a benchmark pattern that cannot fire).
    pub oracle_gaps: Vec<String>,
}

impl Coverage {
    /// Exact, equivalent and broader count as covered; `strict` accepts only exact.
    pub fn is_covered(&self, strict: bool) -> bool {
        if strict {
            self.kind == CoverageKind::Exact
        } else {
            matches!(self.kind, CoverageKind::Exact | CoverageKind::Equivalent | CoverageKind::Broader)
        }
    }

    /// Misses grouped per event, in corpus order.
    pub fn miss_groups(&self) -> Vec<MissGroup> {
        let c = corpus();
        let ambiguous = |name: &str| {
            let mut s: Vec<&str> = c.iter().filter(|r| r.event_name == name).map(|r| r.event_source.as_str()).collect();
            s.sort();
            s.dedup();
            s.len() > 1
        };
        let mut keys: Vec<(String, String)> = Vec::new();
        for m in &self.misses {
            let k = (m.event_name.clone(), m.event_source.clone());
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        let bench = parse(&self.benchmark).ok();
        keys.into_iter()
            .map(|(name, source)| {
                let ms: Vec<&Miss> =
                    self.misses.iter().filter(|m| m.event_name == name && m.event_source == source).collect();
                let required = match &bench {
                    Some(b) => c
                        .iter()
                        .filter(|r| r.event_name == name && r.event_source == source && b.matches(&r.event, &r.raw))
                        .count(),
                    None => ms.len(),
                };
                let mut reasons: Vec<(String, usize)> = Vec::new();
                for m in &ms {
                    match reasons.iter_mut().find(|(r, _)| *r == m.why) {
                        Some((_, n)) => *n += 1,
                        None => reasons.push((m.why.clone(), 1)),
                    }
                }
                reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
                let event = if ambiguous(&name) && !source.is_empty() { format!("{name} ({source})") } else { name };
                let reasons = reasons
                    .into_iter()
                    .take(3)
                    .map(|(r, n)| if ms.len() > 1 && n < ms.len() { format!("{r} [{n}×]") } else { r })
                    .collect();
                MissGroup { event, missed: ms.len(), required, reasons }
            })
            .collect()
    }

    /// A few lines a person can read.
    pub fn summary(&self) -> String {
        let mut out = match self.kind {
            CoverageKind::Exact => "exact: the pattern is the benchmark's text".to_string(),
            CoverageKind::Equivalent => {
                format!("equivalent: matches the same {} records as the benchmark pattern", self.required)
            }
            CoverageKind::Broader => format!(
                "broader: matches all {} records the benchmark pattern matches, and {} more (e.g. {})",
                self.required,
                self.extra_matches.len(),
                self.extra_matches.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
            ),
            CoverageKind::Incomplete => format!(
                "incomplete: matches {} of the {} records the benchmark pattern matches",
                self.matched_required, self.required
            ),
        };
        for g in self.miss_groups() {
            out.push_str("\n  - ");
            out.push_str(&g.to_string());
        }
        if self.never_matches {
            out.push_str("\n  - the pattern matches no record at all");
        }
        if let Some(c) = &self.contradiction {
            out.push_str(&format!("\n  - it can never match: {c}"));
        }
        if !self.oracle_gaps.is_empty() {
            out.push_str(&format!(
                "\n  - data error: the benchmark pattern matches no record of required event(s) {}",
                self.oracle_gaps.join(", ")
            ));
        }
        out
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

/// Remove whitespace outside double-quoted strings (and `%regex%`).
pub fn squash_whitespace(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut in_quotes = false;
    let mut escaped = false;
    for c in src.chars() {
        if in_quotes {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quotes = false;
            }
        } else if c == '"' {
            in_quotes = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn matches_record(p: &Pattern, r: &CorpusRecord) -> bool {
    p.matches(&r.event, &r.raw)
}

/// Judge `pattern_src` against the benchmark's pattern for a control.
/// `required_events`: the event names the control's data lists (may be empty,
/// e.g. for 4.1 which is about error codes).
pub fn coverage(
    pattern_src: &str,
    benchmark_pattern: &str,
    required_events: &[String],
) -> Result<Coverage, ParseError> {
    let pattern = parse(pattern_src)?;
    let bench = parse(benchmark_pattern)?;
    let records = corpus();

    let mut misses = Vec::new();
    let mut extra = Vec::new();
    let mut required = 0usize;
    let mut matched_required = 0usize;
    let mut matched_any = false;
    let mut oracle_names: Vec<&str> = Vec::new();
    for r in records {
        let b = matches_record(&bench, r);
        let p = matches_record(&pattern, r);
        matched_any |= p;
        if b {
            required += 1;
            oracle_names.push(&r.event_name);
            if p {
                matched_required += 1;
            } else {
                let why = pattern.explain(&r.event, &r.raw).to_string();
                misses.push(Miss {
                    id: r.id.clone(),
                    event_name: r.event_name.clone(),
                    event_source: r.event_source.clone(),
                    reason: format!("{}: {why}", r.description),
                    why,
                });
            }
        } else if p {
            extra.push(r.id.clone());
        }
    }
    let oracle_gaps = required_events.iter().filter(|n| !oracle_names.contains(&n.as_str())).cloned().collect();

    let kind = if squash_whitespace(pattern_src.trim()) == squash_whitespace(benchmark_pattern.trim()) {
        CoverageKind::Exact
    } else if !misses.is_empty() {
        CoverageKind::Incomplete
    } else if !extra.is_empty() {
        CoverageKind::Broader
    } else {
        CoverageKind::Equivalent
    };
    Ok(Coverage {
        kind,
        pattern: pattern.to_string(),
        benchmark: bench.to_string(),
        required,
        matched_required,
        misses,
        extra_matches: extra,
        never_matches: !matched_any,
        contradiction: contradiction(&pattern),
        oracle_gaps,
    })
}

// ------------------------------------------------------------ contradictions

/// A static reason why the pattern can never match any event, if one is found.
/// Sound (never claims a contradiction that is not one) but not complete.
pub fn contradiction(p: &Pattern) -> Option<String> {
    match p {
        Pattern::Json(e) => unsat(e, &[]),
        Pattern::Terms(ts) => terms_contradiction(ts),
        _ => None,
    }
}

fn terms_contradiction(ts: &[Term]) -> Option<String> {
    let excluded: Vec<&Term> = ts.iter().filter(|t| t.kind == TermKind::Excluded).collect();
    for t in ts.iter().filter(|t| t.kind == TermKind::Required) {
        if let Some(x) = excluded.iter().find(|x| t.text.contains(x.text.as_str())) {
            return Some(format!("required term `{t}` contains excluded term `{x}`"));
        }
    }
    let optional: Vec<&Term> = ts.iter().filter(|t| t.kind == TermKind::Optional).collect();
    if !optional.is_empty() && optional.iter().all(|t| excluded.iter().any(|x| t.text.contains(x.text.as_str()))) {
        return Some("every ?-term contains an excluded term".to_string());
    }
    None
}

fn unsat(e: &Expr, ctx: &[&Comparison]) -> Option<String> {
    match e {
        Expr::Cmp(c) => ctx.iter().find_map(|d| conflict(d, c)),
        Expr::And(xs) => {
            let mut local: Vec<&Comparison> = ctx.to_vec();
            for x in xs {
                if let Expr::Cmp(c) = x {
                    if let Some(r) = local.iter().find_map(|d| conflict(d, c)) {
                        return Some(r);
                    }
                    local.push(c);
                }
            }
            xs.iter().filter(|x| !matches!(x, Expr::Cmp(_))).find_map(|x| unsat(x, &local))
        }
        Expr::Or(xs) => {
            let mut reasons = Vec::new();
            for x in xs {
                reasons.push(unsat(x, ctx)?);
            }
            Some(format!("each of its {} alternatives is contradictory ({})", xs.len(), reasons[0]))
        }
    }
}

fn is_strict_prefix(a: &Selector, b: &Selector) -> bool {
    a.segments.len() < b.segments.len() && b.segments[..a.segments.len()] == a.segments[..]
}

/// The finite set of JSON values that satisfy a test, when it is finite.
fn witnesses(t: &Test) -> Option<Vec<Json>> {
    match t {
        Test::IsNull => Some(vec![Json::Null]),
        Test::IsTrue => Some(vec![Json::Bool(true)]),
        Test::IsFalse => Some(vec![Json::Bool(false)]),
        Test::Op(Op::Eq, Value::Str(s)) if !s.contains('*') => {
            let mut w = vec![Json::String(s.clone())];
            if let Ok(v @ (Json::Number(_) | Json::Bool(_))) = serde_json::from_str::<Json>(s) {
                if v.to_string().as_str() == s.as_str() {
                    w.push(v);
                }
            }
            Some(w)
        }
        _ => None,
    }
}

fn requires_existence(t: &Test) -> bool {
    !matches!(t, Test::NotExists)
}

/// Numeric constraint as an interval, for `Num` operands.
fn interval(t: &Test) -> Option<(f64, bool, f64, bool)> {
    // (lo, lo_inclusive, hi, hi_inclusive)
    match t {
        Test::Op(Op::Eq, Value::Num(n)) => Some((*n, true, *n, true)),
        Test::Op(Op::Lt, Value::Num(n)) => Some((f64::NEG_INFINITY, false, *n, false)),
        Test::Op(Op::Le, Value::Num(n)) => Some((f64::NEG_INFINITY, false, *n, true)),
        Test::Op(Op::Gt, Value::Num(n)) => Some((*n, false, f64::INFINITY, false)),
        Test::Op(Op::Ge, Value::Num(n)) => Some((*n, true, f64::INFINITY, false)),
        _ => None,
    }
}

fn conflict(a: &Comparison, b: &Comparison) -> Option<String> {
    let msg = || Some(format!("`{a}` and `{b}` cannot both hold"));
    if a.selector.has_wildcard() || b.selector.has_wildcard() {
        return None;
    }
    if a.selector != b.selector {
        // A value that is absent, null or a scalar has no members.
        let (p, q) = if is_strict_prefix(&a.selector, &b.selector) {
            (a, b)
        } else if is_strict_prefix(&b.selector, &a.selector) {
            (b, a)
        } else {
            return None;
        };
        if !requires_existence(&q.test) {
            return None;
        }
        let no_children = match &p.test {
            Test::NotExists => true,
            t => witnesses(t).is_some_and(|w| w.iter().all(|v| !(v.is_object() || v.is_array()))),
        };
        // `$.a = "x"` pins $.a to a scalar only when the next step needs an object/array.
        let needs_container =
            matches!(q.selector.segments.get(p.selector.segments.len()), Some(Segment::Key(_) | Segment::Index(_)));
        return if no_children && needs_container { msg() } else { None };
    }
    match (&a.test, &b.test) {
        (Test::NotExists, Test::NotExists) => return None,
        (Test::NotExists, _) | (_, Test::NotExists) => return msg(),
        _ => {}
    }
    if let Some(w) = witnesses(&a.test) {
        return if w.iter().any(|v| test_value(&b.test, v)) { None } else { msg() };
    }
    if let Some(w) = witnesses(&b.test) {
        return if w.iter().any(|v| test_value(&a.test, v)) { None } else { msg() };
    }
    if let (Test::Op(Op::Eq, x), Test::Op(Op::Ne, y)) | (Test::Op(Op::Ne, y), Test::Op(Op::Eq, x)) = (&a.test, &b.test)
    {
        if x == y {
            return msg();
        }
        // `!= "*"` rejects every value, so nothing can also satisfy the `=`.
        if let Value::Str(ne) = y {
            if ne.chars().all(|c| c == '*') {
                return msg();
            }
        }
    }
    if let Test::Op(Op::Eq, Value::Num(n)) = &a.test {
        if let Test::Op(Op::Ne, Value::Num(m)) = &b.test {
            if n == m {
                return msg();
            }
        }
    }
    if let (Some(x), Some(y)) = (interval(&a.test), interval(&b.test)) {
        let (lo, lo_inc) = if x.0 > y.0 || (x.0 == y.0 && !x.1) { (x.0, x.1) } else { (y.0, y.1) };
        let (hi, hi_inc) = if x.2 < y.2 || (x.2 == y.2 && !x.3) { (x.2, x.3) } else { (y.2, y.3) };
        if lo > hi || (lo == hi && !(lo_inc && hi_inc)) {
            return msg();
        }
    }
    // Two globs with `=`: empty intersection when their literal prefixes (or suffixes) disagree.
    if let (Test::Op(Op::Eq, Value::Str(x)), Test::Op(Op::Eq, Value::Str(y))) = (&a.test, &b.test) {
        let px: String = x.chars().take_while(|c| *c != '*').collect();
        let py: String = y.chars().take_while(|c| *c != '*').collect();
        let sx: String = x.chars().rev().take_while(|c| *c != '*').collect();
        let sy: String = y.chars().rev().take_while(|c| *c != '*').collect();
        if !(px.starts_with(&py) || py.starts_with(&px)) || !(sx.starts_with(&sy) || sy.starts_with(&sx)) {
            // Numbers and booleans are compared by their text too, so the same holds for them.
            return msg();
        }
    }
    None
}
