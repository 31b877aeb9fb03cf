//! No input crashes cis-audit: every parser of untrusted text (filter patterns, EventBridge
//! patterns, saved inventories, journals, the configuration file, JSON reports) answers
//! arbitrary Unicode, very long input and very deep nesting with a value or an error — never a
//! panic or a stack overflow. Offline; `scripts/fuzz` runs the same parsers under libFuzzer,
//! and the inputs it found worth keeping are replayed here (fuzz/seeds).

use cis_audit::pattern::{self, Corpus, Judge};
use proptest::prelude::*;

fn deep(open: &str, close: &str, depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn ten_thousand_levels_of_nesting_are_errors_not_stack_overflows() {
    let n = 10_000;
    assert!(pattern::parse(&deep("(", ")", n, "$.a = 1")).is_err());
    assert!(pattern::parse(&format!("{{ {} }}", deep("(", ")", n, "$.a = 1"))).is_err());
    assert!(pattern::parse(&format!("{{ {} }}", deep("!(", ")", n, "$.a = 1"))).is_err());
    assert!(cis_audit::eventpattern::parse(&deep("{\"a\":", "}", n, "[1]")).is_err());
    assert!(cis_audit::eventpattern::parse(&deep("[", "]", n, "1")).is_err());
    assert!(cis_audit::inventory::store::parse(&deep("[", "]", n, "")).is_err());
    assert!(cis_audit::inventory::store::parse(&format!("{{\"accounts\": {}}}", deep("[", "]", n, ""))).is_err());
    assert!(cis_audit::remediate::journal::parse(&deep("{\"a\":", "}", n, "1")).is_err());
    assert!(cis_audit::config::parse(&format!("a = {}", deep("[", "]", n, "1")), "deep.toml").is_err());
    assert!(cis_audit::config::parse(&format!("a = {}", deep("{b = ", "}", n, "1")), "deep.toml").is_err());
    assert!(cis_audit::report::compare::parse_report(&deep("[", "]", n, ""), "deep.json").is_err());
}

#[test]
fn the_deepest_pattern_within_the_length_limit_is_judged() {
    // 1024 characters allow ~500 levels: parsed or refused, and evaluated, on a small stack.
    let src = format!("{{ {} }}", deep("(", ")", 500, "$.eventName = CreateSecurityGroup"));
    let t = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            if let Ok(p) = pattern::parse(&src) {
                let judge = Judge::new(Corpus::builtin());
                let oracle = judge.oracle(&["{ $.eventName = CreateSecurityGroup }".to_string()], &[]).unwrap();
                let _ = judge.coverage(&src, &oracle);
                let _ = p.matches(&serde_json::json!({"eventName": "CreateSecurityGroup"}), "");
            }
        })
        .unwrap();
    t.join().expect("no stack overflow on a 1 MiB stack");
}

#[test]
fn long_unicode_patterns_are_refused_at_the_character_limit() {
    for c in ['€', '𝄞', 'é', 'a'] {
        let s: String = std::iter::repeat_n(c, pattern::MAX_PATTERN_LEN + 76).collect();
        let e = pattern::parse(&s).unwrap_err();
        assert!(e.to_string().contains(&pattern::MAX_PATTERN_LEN.to_string()), "{e}");
        let s: String = std::iter::repeat_n(c, pattern::MAX_PATTERN_LEN).collect();
        let _ = pattern::parse(&s);
    }
}

#[test]
fn the_fuzzing_seeds_replay() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds");
    let mut n = 0;
    for target in std::fs::read_dir(root).unwrap() {
        let target = target.unwrap().path();
        for f in std::fs::read_dir(&target).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap_or_default();
            n += 1;
            match target.file_name().unwrap().to_str().unwrap() {
                "filter_pattern" => {
                    let (p, e) = text.split_once('\n').unwrap_or((&text, "{}"));
                    if let Ok(p) = pattern::parse(p) {
                        let _ = p.matches(&serde_json::from_str(e).unwrap_or_default(), e);
                    }
                }
                "event_pattern" => {
                    let (p, e) = text.split_once('\n').unwrap_or((&text, "{}"));
                    if let Ok(p) = cis_audit::eventpattern::parse(p) {
                        let _ = p.matches(&serde_json::from_str(e).unwrap_or_default());
                    }
                }
                "inventory" => {
                    let _ = cis_audit::inventory::store::parse(&text);
                }
                "journal" => {
                    let _ = cis_audit::remediate::journal::parse(&text);
                }
                "config" => {
                    let _ = cis_audit::config::parse(&text, "seed.toml");
                }
                "report" => {
                    let _ = cis_audit::report::compare::parse_report(&text, "seed.json");
                }
                other => panic!("fuzz/seeds/{other}: no such fuzz target"),
            }
        }
    }
    assert!(n >= 6, "{n} seeds");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_unicode_filter_pattern_parses_or_errs(s in "\\PC{0,1200}", ev in "\\PC{0,200}") {
        if let Ok(p) = pattern::parse(&s) {
            let json: serde_json::Value = serde_json::from_str(&ev).unwrap_or(serde_json::Value::Null);
            let _ = p.matches(&json, &ev);
        }
    }

    #[test]
    fn pattern_like_unicode_parses_or_errs(parts in proptest::collection::vec(
        prop_oneof![
            Just("{".to_string()), Just("}".to_string()), Just("(".to_string()), Just(")".to_string()),
            Just("$.".to_string()), Just("&&".to_string()), Just("||".to_string()), Just("=".to_string()),
            Just("!=".to_string()), Just("\"".to_string()), Just("*".to_string()), Just("%".to_string()),
            Just("[".to_string()), Just("]".to_string()), Just(",".to_string()), Just(" ".to_string()),
            "\\PC{1,4}",
        ], 0..200)) {
        let s: String = parts.concat();
        if let Ok(p) = pattern::parse(&s) {
            let _ = p.matches(&serde_json::json!({"a": "€", "b": [1, {"c": null}]}), "€ 𝄞 x");
        }
    }

    #[test]
    fn any_unicode_event_pattern_parses_or_errs(s in "\\PC{0,600}") {
        if let Ok(p) = cis_audit::eventpattern::parse(&s) {
            let _ = p.matches(&serde_json::json!({"source": "aws.ec2", "detail": {"x": "é"}}));
        }
    }

    #[test]
    fn json_shaped_event_patterns_parse_or_err(v in json_value(4)) {
        if let Ok(p) = cis_audit::eventpattern::parse(&v.to_string()) {
            let _ = p.matches(&v);
        }
    }

    #[test]
    fn any_text_is_a_config_or_an_error_on_one_line(s in "\\PC{0,600}") {
        if let Err(e) = cis_audit::config::parse(&s, "p.toml") {
            prop_assert!(e.0.starts_with("p.toml"), "{}", e.0);
            prop_assert!(!e.0.contains('\n'), "{}", e.0);
        }
    }

    #[test]
    fn any_json_is_an_inventory_journal_or_report_or_an_error(v in json_value(5)) {
        let t = v.to_string();
        let _ = cis_audit::inventory::store::parse(&t);
        let _ = cis_audit::remediate::journal::parse(&t);
        let _ = cis_audit::report::compare::parse_report(&t, "p.json");
    }
}

fn json_value(depth: u32) -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
        prop_oneof![
            Just("prefix"),
            Just("numeric"),
            Just("anything-but"),
            Just("exists"),
            Just("$or"),
            Just("wildcard")
        ]
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(depth, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    "\\PC{0,8}",
                    Just("prefix".to_string()),
                    Just("numeric".to_string()),
                    Just("anything-but".to_string()),
                    Just("$or".to_string()),
                    Just("schema_version".to_string()),
                    Just("accounts".to_string()),
                    Just("entries".to_string()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
