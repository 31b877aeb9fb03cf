//! Why a pattern was rejected, and where (a JSON path).

use std::fmt;

use serde_json::Value;
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
    pub(super) fn new(path: &str, message: impl Into<String>) -> Self {
        PatternError { path: path.to_string(), message: message.into() }
    }

    /// JSON path of the offending element (`$` is the pattern root).
    #[cfg(test)]
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// Human-readable description of the problem.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid event pattern at {}: {}", self.path, self.message)
    }
}

impl std::error::Error for PatternError {}

pub(super) fn child_path(parent: &str, key: &str) -> String {
    let simple = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    if simple {
        format!("{parent}.{key}")
    } else {
        // serde_json::to_string of a &str cannot fail.
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""));
        format!("{parent}[{quoted}]")
    }
}

pub(super) fn index_path(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
