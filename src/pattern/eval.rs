//! Evaluation of a parsed pattern against one log event, with an explanation
//! of which clause decided the outcome.

use std::fmt;

use serde_json::Value as Json;

use super::ast::{Comparison, Expr, Op, Pattern, Segment, Selector, Term, TermKind, Test, Value};
use super::parser::is_number;

/// Why a pattern matched or did not match one event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Explanation {
    pub matched: bool,
    /// The term or clause that decided the outcome (canonical text), if one did.
    pub clause: Option<String>,
    /// What the event holds there, e.g. `$.eventName is "CreateTrail"`.
    pub detail: String,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.clause, self.matched) {
            (Some(c), true) => write!(f, "`{c}` accepts it ({})", self.detail),
            (Some(c), false) => write!(f, "`{c}` rejects it ({})", self.detail),
            (None, true) => write!(f, "matches ({})", self.detail),
            (None, false) => write!(f, "does not match ({})", self.detail),
        }
    }
}

/// Glob match where `*` stands for any run of characters (possibly empty) and
/// everything else is literal and case-sensitive. Works on bytes: `*` is ASCII and UTF-8 is
/// self-synchronising, so a literal run of whole characters can only match at character
/// boundaries; no allocation.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    if !p.contains(&b'*') {
        return p == t;
    }
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Values the selector picks out of the event (more than one only with `[*]`).
pub fn select<'v>(event: &'v Json, selector: &Selector) -> Vec<&'v Json> {
    let mut cur = vec![event];
    for seg in &selector.segments {
        let mut next = Vec::new();
        for v in cur {
            match (seg, v) {
                (Segment::Key(k), Json::Object(m)) => {
                    if let Some(x) = m.get(k) {
                        next.push(x);
                    }
                }
                (Segment::Index(i), Json::Array(a)) => {
                    if let Some(x) = a.get(*i) {
                        next.push(x);
                    }
                }
                (Segment::AnyIndex, Json::Array(a)) => next.extend(a.iter()),
                _ => {}
            }
        }
        cur = next;
    }
    cur
}

/// Whether `f` holds for any value the selector picks out of the event (more than one value
/// only with `[*]`), without collecting them.
pub(crate) fn any_selected(v: &Json, segments: &[Segment], f: &mut dyn FnMut(&Json) -> bool) -> bool {
    let Some((seg, rest)) = segments.split_first() else { return f(v) };
    match (seg, v) {
        (Segment::Key(k), Json::Object(m)) => m.get(k).is_some_and(|x| any_selected(x, rest, f)),
        (Segment::Index(i), Json::Array(a)) => a.get(*i).is_some_and(|x| any_selected(x, rest, f)),
        (Segment::AnyIndex, Json::Array(a)) => a.iter().any(|x| any_selected(x, rest, f)),
        _ => false,
    }
}

/// Text form of a scalar used for string/regex comparison (None for null, objects, arrays).
fn scalar_text(v: &Json) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Json::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Json::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Json::Bool(b) => Some(std::borrow::Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

fn numeric(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) if is_number(s) => s.parse::<f64>().ok(),
        _ => None,
    }
}

/// Whether one selected value passes the test (`NotExists` is handled by the caller).
pub(crate) fn test_value(test: &Test, v: &Json) -> bool {
    match test {
        Test::IsNull => v.is_null(),
        Test::IsTrue => *v == Json::Bool(true),
        Test::IsFalse => *v == Json::Bool(false),
        Test::NotExists => false,
        Test::Op(op, Value::Str(pat)) => match scalar_text(v) {
            None => false,
            Some(t) => match op {
                Op::Eq => glob_match(pat, &t),
                Op::Ne => !glob_match(pat, &t),
                _ => false,
            },
        },
        Test::Op(op, Value::Regex(re)) => match scalar_text(v) {
            None => false,
            Some(t) => match op {
                Op::Eq => re.is_match(&t),
                Op::Ne => !re.is_match(&t),
                _ => false,
            },
        },
        Test::Op(op, Value::Num(n)) => match numeric(v) {
            None => false,
            Some(x) => match op {
                Op::Eq => x == *n,
                Op::Ne => x != *n,
                Op::Lt => x < *n,
                Op::Le => x <= *n,
                Op::Gt => x > *n,
                Op::Ge => x >= *n,
            },
        },
    }
}

fn is_json_event(event: &Json) -> bool {
    matches!(event, Json::Object(_) | Json::Array(_))
}

pub(crate) fn eval_cmp(c: &Comparison, event: &Json) -> bool {
    match c.test {
        Test::NotExists => !any_selected(event, &c.selector.segments, &mut |_| true),
        _ => any_selected(event, &c.selector.segments, &mut |v| test_value(&c.test, v)),
    }
}

pub(crate) fn eval_expr(e: &Expr, event: &Json) -> bool {
    match e {
        Expr::Cmp(c) => eval_cmp(c, event),
        Expr::And(xs) => xs.iter().all(|x| eval_expr(x, event)),
        Expr::Or(xs) => xs.iter().any(|x| eval_expr(x, event)),
    }
}

fn term_present(t: &Term, raw: &str) -> bool {
    raw.contains(t.text.as_str())
}

pub(crate) fn eval_terms(ts: &[Term], raw: &str) -> bool {
    let mut any_optional = false;
    let mut optional_hit = false;
    for t in ts {
        let present = term_present(t, raw);
        match t.kind {
            TermKind::Required if !present => return false,
            TermKind::Excluded if present => return false,
            TermKind::Optional => {
                any_optional = true;
                optional_hit |= present;
            }
            _ => {}
        }
    }
    !any_optional || optional_hit
}

impl Pattern {
    /// Whether CloudWatch Logs would count this event as a match.
    /// `event` is the parsed event (`Value::Null` when the text is not JSON);
    /// `raw` is the event text as delivered to CloudWatch Logs.
    pub fn matches(&self, event: &Json, raw: &str) -> bool {
        match self {
            Pattern::MatchAll => true,
            Pattern::Terms(ts) => eval_terms(ts, raw),
            Pattern::Regex(r) => r.is_match(raw),
            Pattern::Json(e) => is_json_event(event) && eval_expr(e, event),
        }
    }

    /// Like [`Pattern::matches`], and says which term or clause decided it.
    pub(crate) fn explain(&self, event: &Json, raw: &str) -> Explanation {
        match self {
            Pattern::MatchAll => {
                Explanation { matched: true, clause: None, detail: "the empty pattern matches every event".into() }
            }
            Pattern::Regex(r) => {
                let m = r.is_match(raw);
                Explanation {
                    matched: m,
                    clause: Some(self.to_string()),
                    detail: if m {
                        "the event text matches the regex".into()
                    } else {
                        "the event text does not match the regex".into()
                    },
                }
            }
            Pattern::Terms(ts) => explain_terms(ts, raw),
            Pattern::Json(e) => {
                if !is_json_event(event) {
                    return Explanation {
                        matched: false,
                        clause: None,
                        detail: "the event is not JSON, so a JSON pattern cannot match it".into(),
                    };
                }
                explain_expr(e, event)
            }
        }
    }
}

fn explain_terms(ts: &[Term], raw: &str) -> Explanation {
    let quote = |t: &Term| format!("{:?}", t.text);
    for t in ts {
        let present = term_present(t, raw);
        match t.kind {
            TermKind::Required if !present => {
                return Explanation {
                    matched: false,
                    clause: Some(t.to_string()),
                    detail: format!("the event text does not contain {}", quote(t)),
                }
            }
            TermKind::Excluded if present => {
                return Explanation {
                    matched: false,
                    clause: Some(t.to_string()),
                    detail: format!("the event text contains {}", quote(t)),
                }
            }
            _ => {}
        }
    }
    let optional: Vec<&Term> = ts.iter().filter(|t| t.kind == TermKind::Optional).collect();
    if optional.is_empty() {
        return Explanation {
            matched: true,
            clause: None,
            detail: "every required term appears and no excluded term does".into(),
        };
    }
    match optional.iter().find(|t| term_present(t, raw)) {
        Some(t) => Explanation {
            matched: true,
            clause: Some(t.to_string()),
            detail: format!("the event text contains {}", quote(t)),
        },
        None => Explanation {
            matched: false,
            clause: Some(optional.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" ")),
            detail: format!("none of the {} ?-terms appears in the event text", optional.len()),
        },
    }
}

/// Short printable form of a clause: long `||`/`&&` lists are abbreviated.
pub(crate) fn abbreviate(e: &Expr) -> String {
    let full = match e {
        Expr::Cmp(_) => e.to_string(),
        _ => format!("({e})"),
    };
    if full.chars().count() <= 140 {
        return full;
    }
    match e {
        Expr::Or(xs) | Expr::And(xs) => {
            let sep = if matches!(e, Expr::Or(_)) { " || " } else { " && " };
            let first = match &xs[0] {
                x @ Expr::Cmp(_) => x.to_string(),
                x => format!("({x})"),
            };
            let noun = if matches!(e, Expr::Or(_)) { "alternatives" } else { "clauses" };
            format!("({first}{sep}… {} {noun} in all)", xs.len())
        }
        Expr::Cmp(_) => full,
    }
}

/// What the event holds at a selector, for explanations.
pub(crate) fn describe_at(selector: &Selector, event: &Json) -> String {
    let vals = select(event, selector);
    match vals.len() {
        0 => format!("{selector} does not exist"),
        1 => format!("{selector} is {}", short_json(vals[0])),
        _ => format!(
            "{selector} has the values {}",
            vals.iter().take(5).map(|v| short_json(v)).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn short_json(v: &Json) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn explain_expr(e: &Expr, event: &Json) -> Explanation {
    match e {
        Expr::Cmp(c) => Explanation {
            matched: eval_cmp(c, event),
            clause: Some(c.to_string()),
            detail: describe_at(&c.selector, event),
        },
        Expr::And(xs) => {
            for x in xs {
                if !eval_expr(x, event) {
                    return explain_expr(x, event);
                }
            }
            let mut selectors: Vec<String> = Vec::new();
            for c in e.comparisons() {
                let d = describe_at(&c.selector, event);
                if !selectors.contains(&d) {
                    selectors.push(d);
                }
            }
            Explanation {
                matched: true,
                clause: Some(abbreviate(e)),
                detail: format!("all {} clauses hold: {}", xs.len(), selectors.join("; ")),
            }
        }
        Expr::Or(xs) => {
            for x in xs {
                if eval_expr(x, event) {
                    return explain_expr(x, event);
                }
            }
            let mut seen: Vec<String> = Vec::new();
            for c in e.comparisons() {
                let d = describe_at(&c.selector, event);
                if !seen.contains(&d) {
                    seen.push(d);
                }
            }
            Explanation {
                matched: false,
                clause: Some(abbreviate(e)),
                detail: format!("none of its {} alternatives holds: {}", xs.len(), seen.join("; ")),
            }
        }
    }
}
