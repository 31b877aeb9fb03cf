//! Recursive-descent parser for CloudWatch Logs filter patterns.
//! Works on bytes of the (UTF-8) source; every error carries a byte offset.

use std::fmt;

use super::ast::{
    is_key_char, Comparison, Expr, Op, Pattern, RegexLit, Segment, Selector, Term, TermKind, Test, Value,
};

/// A syntax error: where, what the parser expected there, and what it found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParseError {
    /// Byte offset into the pattern source.
    pub pos: usize,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: expected {} but found {}", self.pos, self.expected, self.found)
    }
}

impl std::error::Error for ParseError {}

/// CloudWatch rejects filter patterns longer than this many characters.
pub const MAX_PATTERN_LEN: usize = 1024;
/// CloudWatch allows at most this many `%regex%` per JSON/space-delimited pattern.
pub const MAX_REGEX_PER_PATTERN: usize = 2;

/// Parse a filter pattern.
pub fn parse(src: &str) -> Result<Pattern, ParseError> {
    let mut p = Parser { src, pos: 0, regex_count: 0 };
    p.pattern()
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    regex_count: usize,
}

fn describe_char(c: char) -> String {
    match c {
        '\'' => "\"'\"".to_string(),
        c if c.is_whitespace() => format!("whitespace {:?}", c),
        c => format!("'{c}'"),
    }
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }
    /// A short description of what is at the current position, for errors.
    fn found(&self) -> String {
        let r = self.rest();
        if r.is_empty() {
            return "end of input".to_string();
        }
        for tok in ["&&", "||", "!=", "<=", ">="] {
            if r.starts_with(tok) {
                return format!("'{tok}'");
            }
        }
        let c = r.chars().next().unwrap();
        if c.is_alphanumeric() || c == '_' || c == '$' {
            let word: String =
                r.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$' || *c == '.').take(40).collect();
            return format!("'{word}'");
        }
        describe_char(c)
    }
    fn err<T>(&self, expected: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { pos: self.pos, expected: expected.into(), found: self.found() })
    }
    fn err_at<T>(&self, pos: usize, expected: impl Into<String>, found: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { pos, expected: expected.into(), found: found.into() })
    }
    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn pattern(&mut self) -> Result<Pattern, ParseError> {
        if let Some((byte, _)) = self.src.char_indices().nth(MAX_PATTERN_LEN) {
            // The error points at the first character past the limit, as a byte offset.
            return self.err_at(
                byte,
                format!("at most {MAX_PATTERN_LEN} characters"),
                format!("{} characters", self.src.chars().count()),
            );
        }
        self.skip_ws();
        match self.peek() {
            None => Ok(Pattern::MatchAll),
            Some('{') => self.json(),
            Some('[') => self.err("a term pattern or a JSON pattern (space-delimited patterns are not supported)"),
            Some('%') => self.standalone_regex(),
            Some(_) => self.terms(),
        }
    }

    // ---------------------------------------------------------------- terms

    fn terms(&mut self) -> Result<Pattern, ParseError> {
        let mut terms = Vec::new();
        loop {
            self.skip_ws();
            let Some(c) = self.peek() else { break };
            let kind = match c {
                '?' => {
                    self.pos += 1;
                    TermKind::Optional
                }
                '-' => {
                    self.pos += 1;
                    TermKind::Excluded
                }
                _ => TermKind::Required,
            };
            let start = self.pos;
            let text = match self.peek() {
                Some('"') => self.quoted_string()?,
                Some('%') => {
                    return self.err("a term (a %regex% must be the whole filter pattern)");
                }
                Some(c) if !c.is_whitespace() => {
                    let mut s = String::new();
                    while let Some(c) = self.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        if c == '"' {
                            return self.err("whitespace between terms");
                        }
                        s.push(c);
                        self.pos += c.len_utf8();
                    }
                    s
                }
                _ => return self.err("a term after '?' or '-'"),
            };
            if text.is_empty() {
                return self.err_at(start, "a non-empty term", "\"\"");
            }
            if let Some(c) = self.peek() {
                if !c.is_whitespace() {
                    return self.err("whitespace between terms");
                }
            }
            terms.push(Term { kind, text });
        }
        if terms.is_empty() {
            Ok(Pattern::MatchAll)
        } else {
            Ok(Pattern::Terms(terms))
        }
    }

    /// A double-quoted string starting at the current position. `\"` and `\\`
    /// are escapes; any other backslash is kept literally.
    fn quoted_string(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        if !self.eat("\"") {
            return self.err("'\"'");
        }
        let mut s = String::new();
        loop {
            match self.peek() {
                None => {
                    return self.err_at(
                        self.pos,
                        format!("closing '\"' for the string opened at byte {open}"),
                        "end of input",
                    )
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(s);
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ ('"' | '\\')) => {
                            s.push(c);
                            self.pos += 1;
                        }
                        _ => s.push('\\'),
                    }
                }
                Some(c) => {
                    s.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    // ---------------------------------------------------------------- regex

    fn regex_literal(&mut self) -> Result<RegexLit, ParseError> {
        let open = self.pos;
        if !self.eat("%") {
            return self.err("'%'");
        }
        let body_start = self.pos;
        let Some(len) = self.rest().find('%') else {
            return self.err_at(
                self.src.len(),
                format!("closing '%' for the regex opened at byte {open}"),
                "end of input",
            );
        };
        let body = &self.src[body_start..body_start + len];
        if body.is_empty() {
            return self.err_at(body_start, "a regular expression between '%' signs", "'%'");
        }
        for (i, c) in body.char_indices() {
            let ok = c.is_ascii_alphanumeric()
                || matches!(c, ':' | '_' | '#' | '=' | '@' | '/' | ';' | ',' | '-' | ' ')
                || matches!(c, '^' | '$' | '?' | '[' | ']' | '{' | '}' | '|' | '\\' | '*' | '+' | '.');
            if !ok {
                let expected = if c == '(' || c == ')' {
                    "a regex without '(' or ')' (CloudWatch does not support subpatterns)"
                } else if !c.is_ascii() {
                    "a single-byte character (CloudWatch regexes do not support multi-byte characters)"
                } else {
                    "a regex character CloudWatch supports (letters, digits, ': _ # = @ / ; , -' and the operators '^ $ ? [ ] { } | \\ * + .')"
                };
                return self.err_at(body_start + i, expected, describe_char(c));
            }
        }
        self.regex_count += 1;
        if self.regex_count > MAX_REGEX_PER_PATTERN {
            return self.err_at(
                open,
                format!("at most {MAX_REGEX_PER_PATTERN} %regex% terms in one filter pattern"),
                "a third %regex%",
            );
        }
        let lit = match RegexLit::new(body) {
            Ok(l) => l,
            Err(e) => {
                let msg = e.to_string();
                let last = msg.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
                return self.err_at(body_start, "a valid regular expression", format!("'{body}' ({last})"));
            }
        };
        self.pos = body_start + len + 1;
        Ok(lit)
    }

    fn standalone_regex(&mut self) -> Result<Pattern, ParseError> {
        let lit = self.regex_literal()?;
        self.skip_ws();
        if self.peek().is_some() {
            return self.err("end of pattern (a %regex% must be the whole filter pattern)");
        }
        Ok(Pattern::Regex(lit))
    }

    // ---------------------------------------------------------------- JSON

    fn json(&mut self) -> Result<Pattern, ParseError> {
        self.eat("{");
        self.skip_ws();
        let e = self.or_expr()?;
        self.skip_ws();
        if !self.eat("}") {
            return self.err("'&&', '||' or '}'");
        }
        self.skip_ws();
        if self.peek().is_some() {
            return self.err("end of pattern after '}'");
        }
        Ok(Pattern::Json(e.normalized()))
    }

    fn or_expr(&mut self) -> Result<Expr, ParseError> {
        let mut xs = vec![self.and_expr()?];
        loop {
            self.skip_ws();
            if self.eat("||") {
                self.skip_ws();
                xs.push(self.and_expr()?);
            } else {
                break;
            }
        }
        Ok(if xs.len() == 1 { xs.pop().unwrap() } else { Expr::Or(xs) })
    }

    fn and_expr(&mut self) -> Result<Expr, ParseError> {
        let mut xs = vec![self.primary()?];
        loop {
            self.skip_ws();
            if self.eat("&&") {
                self.skip_ws();
                xs.push(self.primary()?);
            } else {
                break;
            }
        }
        Ok(if xs.len() == 1 { xs.pop().unwrap() } else { Expr::And(xs) })
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        self.skip_ws();
        if self.eat("(") {
            self.skip_ws();
            let e = self.or_expr()?;
            self.skip_ws();
            if !self.eat(")") {
                return self.err("')'");
            }
            return Ok(e);
        }
        if self.peek() == Some('$') {
            return Ok(Expr::Cmp(self.comparison()?));
        }
        self.err("'(' or a selector starting with '$'")
    }

    fn selector(&mut self) -> Result<Selector, ParseError> {
        if !self.eat("$") {
            return self.err("'$'");
        }
        let mut segments = Vec::new();
        loop {
            match self.peek() {
                Some('.') => {
                    self.pos += 1;
                    let start = self.pos;
                    while let Some(c) = self.peek() {
                        if is_key_char(c) {
                            self.pos += c.len_utf8();
                        } else {
                            break;
                        }
                    }
                    if self.pos == start {
                        return self.err("a key name after '.'");
                    }
                    segments.push(Segment::Key(self.src[start..self.pos].to_string()));
                }
                Some('[') => {
                    self.pos += 1;
                    if self.eat("*") {
                        segments.push(Segment::AnyIndex);
                    } else {
                        let start = self.pos;
                        while matches!(self.peek(), Some('0'..='9')) {
                            self.pos += 1;
                        }
                        if self.pos == start {
                            return self.err("an array index (digits or '*')");
                        }
                        match self.src[start..self.pos].parse::<usize>() {
                            Ok(i) => segments.push(Segment::Index(i)),
                            Err(_) => {
                                return self.err_at(
                                    start,
                                    "an array index that fits in usize",
                                    format!("'{}'", &self.src[start..self.pos]),
                                )
                            }
                        }
                    }
                    if !self.eat("]") {
                        return self.err("']'");
                    }
                }
                _ => break,
            }
        }
        if segments.is_empty() {
            return self.err("'.' or '[' after '$'");
        }
        Ok(Selector { segments })
    }

    fn keyword(&mut self, kw: &str) -> bool {
        let r = self.rest();
        if r.len() >= kw.len() && r.is_char_boundary(kw.len()) && r[..kw.len()].eq_ignore_ascii_case(kw) {
            let after = r[kw.len()..].chars().next();
            if after.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                self.pos += kw.len();
                return true;
            }
        }
        false
    }

    fn comparison(&mut self) -> Result<Comparison, ParseError> {
        let selector = self.selector()?;
        self.skip_ws();
        let op = if self.eat("!=") {
            Op::Ne
        } else if self.eat("<=") {
            Op::Le
        } else if self.eat(">=") {
            Op::Ge
        } else if self.eat("=") {
            Op::Eq
        } else if self.eat("<") {
            Op::Lt
        } else if self.eat(">") {
            Op::Gt
        } else if self.keyword("IS") {
            self.skip_ws();
            let test = if self.keyword("NULL") {
                Test::IsNull
            } else if self.keyword("TRUE") {
                Test::IsTrue
            } else if self.keyword("FALSE") {
                Test::IsFalse
            } else {
                return self.err("'NULL', 'TRUE' or 'FALSE' after 'IS'");
            };
            return Ok(Comparison { selector, test });
        } else if self.keyword("NOT") {
            self.skip_ws();
            if !self.keyword("EXISTS") {
                return self.err("'EXISTS' after 'NOT'");
            }
            return Ok(Comparison { selector, test: Test::NotExists });
        } else {
            return self.err("an operator ('=', '!=', '<', '<=', '>', '>='), 'IS' or 'NOT EXISTS'");
        };
        self.skip_ws();
        let vpos = self.pos;
        let value = self.value()?;
        if op.is_ordering() && !matches!(value, Value::Num(_)) {
            let found = match &value {
                Value::Str(s) => format!("string \"{s}\""),
                Value::Regex(r) => format!("regex %{}%", r.source),
                Value::Num(_) => unreachable!(),
            };
            return self.err_at(vpos, format!("a number after '{}'", op.as_str()), found);
        }
        Ok(Comparison { selector, test: Test::Op(op, value) })
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        match self.peek() {
            Some('"') => Ok(Value::Str(self.quoted_string()?)),
            Some('%') => Ok(Value::Regex(self.regex_literal()?)),
            Some(c)
                if !c.is_whitespace()
                    && c != ')'
                    && c != '}'
                    && !self.rest().starts_with("&&")
                    && !self.rest().starts_with("||") =>
            {
                let start = self.pos;
                while let Some(c) = self.peek() {
                    let r = self.rest();
                    if c.is_whitespace()
                        || c == ')'
                        || c == '}'
                        || c == '('
                        || c == '"'
                        || r.starts_with("&&")
                        || r.starts_with("||")
                    {
                        break;
                    }
                    self.pos += c.len_utf8();
                }
                let text = &self.src[start..self.pos];
                if is_number(text) {
                    match text.parse::<f64>() {
                        Ok(n) if n.is_finite() => return Ok(Value::Num(n)),
                        _ => return self.err_at(start, "a finite number", format!("'{text}'")),
                    }
                }
                Ok(Value::Str(text.to_string()))
            }
            _ => self.err("a value (a quoted string, a number, a bare word or a %regex%)"),
        }
    }
}

/// `-?digits(.digits)?`
pub(crate) fn is_number(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}
