//! Reading S3 bucket policies and ACLs by meaning (a leaf of the checks, shared by the S3 and
//! CloudTrail-bucket modules): statements as a list or one object, `Action`, `Resource` and
//! principals as a string or a list, IAM's wildcards (`*`, `?`) matched as IAM matches them,
//! action names compared case-insensitively, condition operators and keys compared as IAM does
//! (operators case-sensitive, keys case-insensitive).

use serde_json::Value;

/// The URIs of the ACL groups that make a grant public.
pub(crate) const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
pub(crate) const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// One statement of a policy, as written.
#[derive(Debug, Clone)]
pub(crate) struct Statement<'a> {
    /// `Sid`, or `#N` (its 1-based position) when it has none.
    pub name: String,
    pub raw: &'a Value,
}

impl<'a> Statement<'a> {
    fn str_field(&self, k: &str) -> Option<&'a str> {
        self.raw.get(k).and_then(Value::as_str)
    }
    pub(crate) fn effect(&self) -> &'a str {
        self.str_field("Effect").unwrap_or("")
    }
    /// `Action` as a list (empty when absent).
    pub(crate) fn actions(&self) -> Vec<&'a str> {
        strings(self.raw.get("Action"))
    }
    pub(crate) fn resources(&self) -> Vec<&'a str> {
        strings(self.raw.get("Resource"))
    }
    pub(crate) fn has(&self, k: &str) -> bool {
        self.raw.get(k).is_some()
    }
    /// Whether `Principal` is everyone: `"*"`, `{"AWS": "*"}` or a list of AWS principals that
    /// holds `"*"`.
    pub(crate) fn everyone(&self) -> bool {
        match self.raw.get("Principal") {
            Some(Value::String(s)) => s == "*",
            Some(Value::Object(m)) => strings(m.get("AWS")).contains(&"*"),
            _ => false,
        }
    }
    /// The condition block: (operator, key, values), in order.
    pub(crate) fn conditions(&self) -> Vec<(&'a str, &'a str, Vec<String>)> {
        let mut out = Vec::new();
        if let Some(Value::Object(ops)) = self.raw.get("Condition") {
            for (op, keys) in ops {
                if let Value::Object(keys) = keys {
                    for (k, v) in keys {
                        let values = match v {
                            Value::Array(a) => a.iter().map(scalar).collect(),
                            other => vec![scalar(other)],
                        };
                        out.push((op.as_str(), k.as_str(), values));
                    }
                } else {
                    out.push((op.as_str(), "", vec![scalar(keys)]));
                }
            }
        }
        out
    }
}

/// A JSON scalar as text (`false` and `"false"` alike).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A string or a list of strings (other values ignored).
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The statements of a policy document, or why it cannot be read.
pub(crate) fn statements(doc: &Value) -> Result<Vec<Statement<'_>>, String> {
    let list: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        Some(_) => return Err("its Statement is neither a list nor an object".into()),
        None => return Err("it has no Statement".into()),
    };
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let name = raw
                .get("Sid")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(|s| format!("Sid {s}"))
                .unwrap_or_else(|| format!("statement #{}", i + 1));
            Statement { name, raw }
        })
        .collect())
}

/// Parses a policy's text.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("the policy is not valid JSON ({e})"))
}

/// IAM's wildcard match: `*` any run of characters, `?` any one character; `case` false
/// compares ASCII letters case-insensitively (action names).
pub(crate) fn glob(pattern: &str, text: &str, case: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if case {
        (pattern.chars().collect(), text.chars().collect())
    } else {
        (pattern.to_ascii_lowercase().chars().collect(), text.to_ascii_lowercase().chars().collect())
    };
    // Iterative matcher with one backtrack point (the last `*`).
    let (mut i, mut j, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) && p[i] != '*' {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// Whether an `Action` pattern covers every S3 action: `*` or `s3:*` (any case). A narrower
/// wildcard (`s3:Get*`, `s3:*Object`) does not.
pub(crate) fn covers_all_s3(action: &str) -> bool {
    let a = action.trim();
    a == "*" || a.eq_ignore_ascii_case("s3:*")
}

/// Whether a `Resource` pattern covers the whole of `target`, where `target` may end in `*`
/// meaning "any suffix" (a bucket's objects: `arn:aws:s3:::b/*`): the pattern must match the
/// target's fixed part followed by any key. Probed with keys of characters no policy holds, so
/// that only the pattern's wildcards can match them, short and long (`…/?` covers one-character
/// keys only, and fails).
pub(crate) fn resource_covers(pattern: &str, target: &str) -> bool {
    match target.strip_suffix('*') {
        Some(fixed) => ["\u{1}", "\u{1}\u{1}/\u{1}\u{1}"].iter().all(|k| glob(pattern, &format!("{fixed}{k}"), true)),
        None => glob(pattern, target, true),
    }
}

/// What a statement grants to everyone (an Allow to `*`) that makes the bucket readable or
/// writable by anyone, in words; None when it does not.
pub(crate) fn public_allow(st: &Statement) -> Option<String> {
    if st.effect() != "Allow" || !st.everyone() || st.has("NotPrincipal") {
        return None;
    }
    let actions = st.actions();
    let what = if st.has("NotAction") { "every action but those of NotAction".to_string() } else { actions.join(", ") };
    let conditions = st.conditions();
    let cond = if conditions.is_empty() {
        String::new()
    } else {
        let keys: Vec<String> = conditions.iter().map(|(op, k, _)| format!("{op} {k}")).collect();
        format!(" (under the conditions {})", keys.join(", "))
    };
    Some(format!("{} allows Principal \"*\" {what}{cond}", st.name))
}

/// The statements of a bucket policy that allow everyone, in words (or why the policy cannot be
/// read).
pub(crate) fn public_statements(policy: &str) -> Result<Vec<String>, String> {
    let doc = parse(policy)?;
    Ok(statements(&doc)?.iter().filter_map(public_allow).collect())
}

/// Whether a public statement allows reading (an action covering `s3:GetObject` or
/// `s3:ListBucket`), in words.
pub(crate) fn public_read_statements(policy: &str) -> Result<Vec<String>, String> {
    let doc = parse(policy)?;
    Ok(statements(&doc)?
        .iter()
        .filter(|st| {
            st.has("NotAction")
                || st.actions().iter().any(|a| glob(a, "s3:GetObject", false) || glob(a, "s3:ListBucket", false))
        })
        .filter_map(public_allow)
        .collect())
}

/// The grants of an ACL to everyone (`AllUsers`) or to any AWS account (`AuthenticatedUsers`),
/// in words.
pub(crate) fn public_grants(acl: &[crate::inventory::AclGrant]) -> Vec<String> {
    acl.iter()
        .filter_map(|g| {
            let who = match g.uri.as_deref() {
                Some(ALL_USERS) => "AllUsers",
                Some(AUTHENTICATED_USERS) => "AuthenticatedUsers",
                _ => return None,
            };
            Some(format!("the ACL grants {} to {who}", g.permission))
        })
        .collect()
}

/// The public grants that let anyone read (READ or FULL_CONTROL).
pub(crate) fn public_read_grants(acl: &[crate::inventory::AclGrant]) -> Vec<String> {
    let readable: Vec<crate::inventory::AclGrant> =
        acl.iter().filter(|g| g.permission == "READ" || g.permission == "FULL_CONTROL").cloned().collect();
    public_grants(&readable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_as_iam_does() {
        assert!(glob("s3:*", "S3:GetObject", false));
        assert!(glob("s3:Get*", "s3:getobject", false));
        assert!(!glob("s3:Get*", "s3:PutObject", false));
        assert!(glob("arn:aws:s3:::b?", "arn:aws:s3:::bx", true));
        assert!(!glob("arn:aws:s3:::B", "arn:aws:s3:::b", true));
        assert!(glob("*", "", true));
    }

    #[test]
    fn resources_cover_the_bucket_and_every_object() {
        let objects = "arn:aws:s3:::b/*";
        assert!(resource_covers("arn:aws:s3:::b/*", objects));
        assert!(resource_covers("arn:aws:s3:::b*", objects));
        assert!(resource_covers("*", objects));
        assert!(resource_covers("arn:aws:s3:::*", objects));
        assert!(!resource_covers("arn:aws:s3:::b/a*", objects));
        assert!(!resource_covers("arn:aws:s3:::b/?", objects));
        assert!(!resource_covers("arn:aws:s3:::b", objects));
        assert!(resource_covers("arn:aws:s3:::b", "arn:aws:s3:::b"));
        assert!(resource_covers("arn:aws:s3:::b*", "arn:aws:s3:::b"));
        assert!(!resource_covers("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
        assert!(!resource_covers("arn:aws:s3:::bb/*", objects));
    }

    #[test]
    fn everyone_is_star_in_any_spelling() {
        let doc = serde_json::json!({"Statement": [
            {"Principal": "*"}, {"Principal": {"AWS": "*"}}, {"Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}},
            {"Principal": {"AWS": "arn:aws:iam::1:root"}}, {"Principal": {"Service": "*"}}]});
        let e: Vec<bool> = statements(&doc).unwrap().iter().map(|s| s.everyone()).collect();
        assert_eq!(e, [true, true, true, false, false]);
    }
}
