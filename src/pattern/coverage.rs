//! Judging a filter pattern against the benchmark's own pattern, by what the
//! two match in the corpus, plus a static contradiction check.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::Value as Json;

use super::ast::{Comparison, Expr, Op, Pattern, Segment, Selector, Term, TermKind, Test, Value};
use super::corpus::{Corpus, RecordSet};
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
    /// Required records per (event name, event source), in corpus order.
    #[serde(skip)]
    required_per_event: Vec<((String, String), usize)>,
    /// Event names the corpus has under more than one event source.
    #[serde(skip)]
    ambiguous: Arc<Vec<String>>,
}

impl Coverage {
    /// Exact, equivalent and broader count as covered; `strict` accepts only exact.
    pub(crate) fn is_covered(&self, strict: bool) -> bool {
        covered(self.kind, strict)
    }

    /// Misses grouped per event, in corpus order.
    pub(crate) fn miss_groups(&self) -> Vec<MissGroup> {
        let mut keys: Vec<(String, String)> = Vec::new();
        for m in &self.misses {
            let k = (m.event_name.clone(), m.event_source.clone());
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        keys.into_iter()
            .map(|(name, source)| {
                let ms: Vec<&Miss> =
                    self.misses.iter().filter(|m| m.event_name == name && m.event_source == source).collect();
                let required = self
                    .required_per_event
                    .iter()
                    .find(|((n, s), _)| *n == name && *s == source)
                    .map(|(_, c)| *c)
                    .unwrap_or(ms.len());
                let mut reasons: Vec<(String, usize)> = Vec::new();
                for m in &ms {
                    match reasons.iter_mut().find(|(r, _)| *r == m.why) {
                        Some((_, n)) => *n += 1,
                        None => reasons.push((m.why.clone(), 1)),
                    }
                }
                reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
                let event = if self.ambiguous.contains(&name) && !source.is_empty() {
                    format!("{name} ({source})")
                } else {
                    name
                };
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
    pub(crate) fn summary(&self) -> String {
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

/// Judge `pattern_src` against the benchmark's pattern for a control.
/// `required_events`: the event names the control's data lists (may be empty,
/// e.g. for 4.1 which is about error codes).
pub fn coverage(
    pattern_src: &str,
    benchmark_pattern: &str,
    required_events: &[String],
) -> Result<Coverage, ParseError> {
    let judge = Judge::new(Corpus::builtin());
    let oracle = judge.oracle(&[benchmark_pattern.to_string()], required_events)?;
    judge.coverage(pattern_src, &oracle)
}

/// The benchmark's patterns of one control variant, each evaluated once over the corpus.
#[derive(Debug)]
pub struct Oracle {
    benches: Vec<Bench>,
    events: Vec<String>,
}

#[derive(Debug)]
struct Bench {
    /// The text without whitespace outside quotes (for the exact verdict).
    squashed: String,
    pattern: Pattern,
    set: RecordSet,
}

impl Oracle {
    /// The records the benchmark text `i` matches: what a pattern must catch.
    pub(crate) fn required(&self, i: usize) -> &RecordSet {
        &self.benches[i].set
    }
    pub(crate) fn len(&self) -> usize {
        self.benches.len()
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.benches.is_empty()
    }
}

/// A user's pattern, parsed and evaluated once over the corpus.
#[derive(Debug)]
struct Evaluated {
    pattern: Pattern,
    squashed: String,
    set: RecordSet,
    contradiction: Option<String>,
}

/// How a pattern measures up to a control, without the explanations: set arithmetic only.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub kind: CoverageKind,
    /// The benchmark text it comes closest to (index into the variant's patterns).
    pub bench: usize,
    /// Records the benchmark text matches.
    pub required: usize,
    pub matched_required: usize,
    pub misses: usize,
    pub extra: usize,
    pub never_matches: bool,
    pub contradiction: Option<String>,
}

impl Verdict {
    /// Exact, equivalent and broader count as covered; `strict` accepts only exact.
    pub(crate) fn is_covered(&self, strict: bool) -> bool {
        covered(self.kind, strict)
    }
}

fn covered(kind: CoverageKind, strict: bool) -> bool {
    if strict {
        kind == CoverageKind::Exact
    } else {
        matches!(kind, CoverageKind::Exact | CoverageKind::Equivalent | CoverageKind::Broader)
    }
}

fn rank(k: CoverageKind) -> u8 {
    match k {
        CoverageKind::Exact => 3,
        CoverageKind::Equivalent => 2,
        CoverageKind::Broader => 1,
        CoverageKind::Incomplete => 0,
    }
}

/// Coverage by set arithmetic, memoised: every benchmark text is evaluated over the corpus once
/// (per variant), every distinct user pattern once (per process, across accounts: an
/// organisation deploys the same filters everywhere), and a pattern is then judged against any
/// control with two set differences. Explanations ([`Judge::coverage`]) are built only when a
/// report shows them.
#[derive(Debug)]
pub struct Judge<'c> {
    corpus: &'c Corpus,
    user: Mutex<HashMap<String, Arc<Result<Evaluated, ParseError>>>>,
}

impl<'c> Judge<'c> {
    pub fn new(corpus: &'c Corpus) -> Self {
        Judge { corpus, user: Mutex::new(HashMap::new()) }
    }

    pub fn corpus(&self) -> &'c Corpus {
        self.corpus
    }

    /// The oracle of a variant: its benchmark texts (the first is deployed by remediation) and
    /// the event names it lists. Err when a benchmark text does not parse (a data bug).
    pub fn oracle(&self, patterns: &[String], events: &[String]) -> Result<Oracle, ParseError> {
        let mut benches = Vec::new();
        for text in patterns {
            let pattern = parse(text)?;
            let set = self.corpus.matching(&pattern);
            benches.push(Bench { squashed: squash_whitespace(text.trim()), pattern, set });
        }
        Ok(Oracle { benches, events: events.to_vec() })
    }

    fn evaluated(&self, src: &str) -> Arc<Result<Evaluated, ParseError>> {
        let mut memo = self.user.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = memo.get(src) {
            return e.clone();
        }
        let e = Arc::new(parse(src).map(|pattern| Evaluated {
            set: self.corpus.matching(&pattern),
            contradiction: contradiction(&pattern),
            squashed: squash_whitespace(src.trim()),
            pattern,
        }));
        memo.insert(src.to_string(), e.clone());
        e
    }

    /// The verdict on `src` against the benchmark text it comes closest to: exact > equivalent
    /// > broader > incomplete (fewest misses first). Err when `src` does not parse.
    pub(crate) fn verdict(&self, src: &str, oracle: &Oracle) -> Result<Verdict, ParseError> {
        let e = self.evaluated(src);
        let e = e.as_ref().as_ref().map_err(|e| e.clone())?;
        let mut best: Option<Verdict> = None;
        for (i, b) in oracle.benches.iter().enumerate() {
            let misses = b.set.difference_count(&e.set);
            let extra = e.set.difference_count(&b.set);
            let kind = if e.squashed == b.squashed {
                CoverageKind::Exact
            } else if misses > 0 {
                CoverageKind::Incomplete
            } else if extra > 0 {
                CoverageKind::Broader
            } else {
                CoverageKind::Equivalent
            };
            let required = b.set.count();
            let v = Verdict {
                kind,
                bench: i,
                required,
                matched_required: required - misses,
                misses,
                extra,
                never_matches: e.set.is_empty(),
                contradiction: e.contradiction.clone(),
            };
            let better = match &best {
                None => true,
                Some(x) => rank(v.kind) > rank(x.kind) || (rank(v.kind) == rank(x.kind) && v.misses < x.misses),
            };
            if better {
                best = Some(v);
            }
        }
        best.ok_or_else(|| ParseError {
            pos: 0,
            expected: "a benchmark pattern in checks/ data".into(),
            found: "none".into(),
        })
    }

    /// The full account of `src` against the closest benchmark text: every missed record with
    /// the clause that rejects it.
    pub fn coverage(&self, src: &str, oracle: &Oracle) -> Result<Coverage, ParseError> {
        let v = self.verdict(src, oracle)?;
        let e = self.evaluated(src);
        let e = e.as_ref().as_ref().map_err(|e| e.clone())?;
        let b = &oracle.benches[v.bench];
        let records = self.corpus.records();
        let mut misses = Vec::new();
        let mut required_per_event: Vec<((String, String), usize)> = Vec::new();
        let mut oracle_names: Vec<&str> = Vec::new();
        for i in b.set.iter() {
            let r = &records[i];
            oracle_names.push(&r.event_name);
            let k = (r.event_name.clone(), r.event_source.clone());
            match required_per_event.iter_mut().find(|(x, _)| *x == k) {
                Some((_, n)) => *n += 1,
                None => required_per_event.push((k, 1)),
            }
            if !e.set.contains(i) {
                let why = e.pattern.explain(&r.event, &r.raw).to_string();
                misses.push(Miss {
                    id: r.id.clone(),
                    event_name: r.event_name.clone(),
                    event_source: r.event_source.clone(),
                    reason: format!("{}: {why}", r.description),
                    why,
                });
            }
        }
        let extra_matches = e.set.difference(&b.set).iter().map(|i| records[i].id.clone()).collect();
        let oracle_gaps = oracle.events.iter().filter(|n| !oracle_names.contains(&n.as_str())).cloned().collect();
        Ok(Coverage {
            kind: v.kind,
            pattern: e.pattern.to_string(),
            benchmark: b.pattern.to_string(),
            required: v.required,
            matched_required: v.matched_required,
            misses,
            extra_matches,
            never_matches: v.never_matches,
            contradiction: v.contradiction,
            oracle_gaps,
            required_per_event,
            ambiguous: self.corpus.ambiguous_names(),
        })
    }
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
