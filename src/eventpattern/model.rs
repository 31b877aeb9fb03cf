//! The parsed pattern: objects of fields, leaves of matchers.

// ---------------------------------------------------------------------------
// Pattern model
// ---------------------------------------------------------------------------

/// A parsed, validated EventBridge event pattern.
#[derive(Debug, Clone)]
pub struct EventPattern {
    pub(super) root: ObjectPattern,
}

#[derive(Debug, Clone)]
pub(super) struct ObjectPattern {
    pub(super) fields: Vec<(String, FieldPattern)>,
    /// Each entry is one `$or` group: at least one alternative must match.
    pub(super) ors: Vec<Vec<ObjectPattern>>,
}

#[derive(Debug, Clone)]
pub(super) enum FieldPattern {
    Leaf(Vec<Matcher>),
    Nested(ObjectPattern),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone)]
pub(super) enum Matcher {
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
pub(super) enum AnythingBut {
    Values(Vec<Literal>),
    Prefix(String),
    Suffix(String),
    /// Stored lower-cased.
    IgnoreCase(Vec<String>),
    Wildcard(Vec<Wildcard>),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Bound {
    pub(super) value: f64,
    pub(super) inclusive: bool,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct NumericRange {
    pub(super) lower: Option<Bound>,
    pub(super) upper: Option<Bound>,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Cidr {
    V4 { net: u32, mask: u32 },
    V6 { net: u128, mask: u128 },
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum WTok {
    Lit(char),
    Star,
}

#[derive(Debug, Clone)]
pub(super) struct Wildcard {
    pub(super) toks: Vec<WTok>,
}
