//! The abstract syntax tree of a CloudWatch Logs filter pattern and its
//! canonical printer (`Display`). `parse(&p.to_string()) == Ok(p)` holds for
//! every normalised tree (see [`Pattern::normalized`]); the parser only ever
//! produces normalised trees.

use std::fmt;

/// A parsed filter pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// The empty pattern: matches every event.
    MatchAll,
    /// A term pattern (plain terms, quoted phrases, `?alternatives`, `-exclusions`)
    /// matched against the raw event text.
    Terms(Vec<Term>),
    /// A standalone `%regex%` pattern matched against the raw event text.
    Regex(RegexLit),
    /// A JSON pattern `{ ... }`.
    Json(Expr),
}

/// How a term takes part in a term pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// `ERROR`: must appear.
    Required,
    /// `?ERROR`: at least one of the `?` terms must appear.
    Optional,
    /// `-ERROR`: must not appear.
    Excluded,
}

/// One term of a term pattern. `text` is the literal text searched for
/// (quotes removed, escapes resolved).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub kind: TermKind,
    pub text: String,
}

/// A boolean expression of a JSON pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a && b && ...` (at least two operands, none of them an `And`).
    And(Vec<Expr>),
    /// `a || b || ...` (at least two operands, none of them an `Or`).
    Or(Vec<Expr>),
    /// A single comparison.
    Cmp(Comparison),
}

/// `selector <test>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub selector: Selector,
    pub test: Test,
}

/// The test applied to the selected value.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `= value`, `!= value`, `< number`, ...
    Op(Op, Value),
    /// `IS NULL`
    IsNull,
    /// `NOT EXISTS`
    NotExists,
    /// `IS TRUE`
    IsTrue,
    /// `IS FALSE`
    IsFalse,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
    pub(crate) fn is_ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string (quoted or not); `*` is a wildcard for any run of characters.
    Str(String),
    /// An unquoted number.
    Num(f64),
    /// `%regex%`.
    Regex(RegexLit),
}

/// A `%regex%` literal: the source between the `%` signs and its compiled form.
#[derive(Debug, Clone)]
pub struct RegexLit {
    pub source: String,
    pub(crate) compiled: regex::Regex,
}

impl RegexLit {
    /// Compile a regex body (without the surrounding `%`). Validation of the
    /// CloudWatch character set is done by the parser.
    pub fn new(source: &str) -> Result<RegexLit, regex::Error> {
        let compiled = regex::Regex::new(source)?;
        Ok(RegexLit { source: source.to_string(), compiled })
    }
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.compiled.is_match(text)
    }
}

impl PartialEq for RegexLit {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// One step of a selector path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// `.key`
    Key(String),
    /// `[3]`
    Index(usize),
    /// `[*]`: any element of an array.
    AnyIndex,
}

/// `$.a.b[0]...`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub segments: Vec<Segment>,
}

impl Selector {
    pub(crate) fn has_wildcard(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::AnyIndex))
    }
}

/// Characters that may appear in an unquoted selector key.
pub(crate) fn is_key_char(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            '.' | '[' | ']' | '=' | '!' | '<' | '>' | '(' | ')' | '&' | '|' | '"' | '{' | '}' | '%' | '$' | '\\' | '\''
        ))
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for s in &self.segments {
            match s {
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::AnyIndex => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

/// Write `s` as a double-quoted string, escaping `"` and `\`.
pub(crate) fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        if c == '"' || c == '\\' {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

pub(crate) fn format_num(n: f64) -> String {
    // `Display` for f64 prints the shortest text that parses back to the same
    // value, without an exponent.
    let s = format!("{n}");
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write_quoted(f, s),
            Value::Num(n) => f.write_str(&format_num(*n)),
            Value::Regex(r) => write!(f, "%{}%", r.source),
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.test {
            Test::Op(op, v) => write!(f, "{} {} {}", self.selector, op.as_str(), v),
            Test::IsNull => write!(f, "{} IS NULL", self.selector),
            Test::NotExists => write!(f, "{} NOT EXISTS", self.selector),
            Test::IsTrue => write!(f, "{} IS TRUE", self.selector),
            Test::IsFalse => write!(f, "{} IS FALSE", self.selector),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Cmp(c) => write!(f, "{c}"),
            Expr::And(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" && ")?;
                    }
                    match x {
                        Expr::Or(_) => write!(f, "({x})")?,
                        _ => write!(f, "{x}")?,
                    }
                }
                Ok(())
            }
            Expr::Or(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" || ")?;
                    }
                    // Not needed for precedence (&& binds tighter), printed for readability.
                    match x {
                        Expr::And(_) => write!(f, "({x})")?,
                        _ => write!(f, "{x}")?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// Whether a term can be printed without quotes.
pub(crate) fn is_bare_term(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TermKind::Required => {}
            TermKind::Optional => f.write_str("?")?,
            TermKind::Excluded => f.write_str("-")?,
        }
        if is_bare_term(&self.text) {
            f.write_str(&self.text)
        } else {
            write_quoted(f, &self.text)
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::MatchAll => Ok(()),
            Pattern::Terms(ts) => {
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{t}")?;
                }
                Ok(())
            }
            Pattern::Regex(r) => write!(f, "%{}%", r.source),
            Pattern::Json(e) => write!(f, "{{ {e} }}"),
        }
    }
}

impl Expr {
    /// Flatten nested `And`-in-`And` / `Or`-in-`Or` and unwrap one-element lists.
    pub(crate) fn normalized(self) -> Expr {
        match self {
            Expr::Cmp(c) => Expr::Cmp(c),
            Expr::And(xs) => {
                let mut out = Vec::new();
                for x in xs {
                    match x.normalized() {
                        Expr::And(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                if out.len() == 1 {
                    out.pop().unwrap()
                } else {
                    Expr::And(out)
                }
            }
            Expr::Or(xs) => {
                let mut out = Vec::new();
                for x in xs {
                    match x.normalized() {
                        Expr::Or(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                if out.len() == 1 {
                    out.pop().unwrap()
                } else {
                    Expr::Or(out)
                }
            }
        }
    }

    /// All comparisons in the expression, left to right.
    pub(crate) fn comparisons(&self) -> Vec<&Comparison> {
        let mut out = Vec::new();
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a Comparison>) {
            match e {
                Expr::Cmp(c) => out.push(c),
                Expr::And(xs) | Expr::Or(xs) => xs.iter().for_each(|x| walk(x, out)),
            }
        }
        walk(self, &mut out);
        out
    }
}

impl Pattern {
    /// The same pattern in the normal form the parser produces.
    #[cfg(test)]
    pub(crate) fn normalized(self) -> Pattern {
        match self {
            Pattern::Json(e) => Pattern::Json(e.normalized()),
            Pattern::Terms(ts) if ts.is_empty() => Pattern::MatchAll,
            other => other,
        }
    }
}
