//! The SNS guide's own examples (string, numeric, key matching, AND/OR, scopes), and the two
//! messages the monitoring chain sends: a CloudWatch alarm notification and an EventBridge event.

use super::*;
use serde_json::json;

fn attrs(list: &[(&str, &str, &str)]) -> BTreeMap<String, Attribute> {
    list.iter().map(|(k, t, v)| (k.to_string(), Attribute { data_type: t.to_string(), value: v.to_string() })).collect()
}

/// The policy under MessageBody scope on `body`.
fn body(policy: Value, body: Value) -> Outcome {
    let none = BTreeMap::new();
    evaluate(&policy.to_string(), Scope::MessageBody, &Message { body: &body.to_string(), attributes: &none }).unwrap()
}

fn attr(policy: Value, a: &[(&str, &str, &str)]) -> Outcome {
    let a = attrs(a);
    evaluate(&policy.to_string(), Scope::MessageAttributes, &Message { body: "hello", attributes: &a }).unwrap()
}

fn ok(o: Outcome) -> bool {
    o == Outcome::Accepted
}

#[test]
fn exact_strings_in_both_scopes() {
    let p = json!({"customer_interests": ["rugby", "tennis"]});
    assert!(ok(attr(p.clone(), &[("customer_interests", "String", "rugby")])));
    assert!(ok(attr(p.clone(), &[("customer_interests", "String", "tennis")])));
    assert!(ok(attr(p.clone(), &[("customer_interests", "String.Array", r#"["rugby", "tennis"]"#)])));
    assert!(!ok(attr(p.clone(), &[("customer_interests", "String", "baseball")])));
    assert!(!ok(attr(p.clone(), &[("customer_interests", "String.Array", r#"["baseball"]"#)])));
    assert!(ok(body(p.clone(), json!({"customer_interests": "rugby"}))));
    assert!(!ok(body(p.clone(), json!({"customer_interests": "baseball"}))));
    // Case-sensitive.
    assert!(!ok(body(p, json!({"customer_interests": "Rugby"}))));
}

#[test]
fn anything_but_strings_numbers_and_arrays() {
    let p = json!({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]});
    assert!(ok(attr(p.clone(), &[("customer_interests", "String", "baseball")])));
    assert!(!ok(attr(p.clone(), &[("customer_interests", "String", "rugby")])));
    assert!(ok(body(p.clone(), json!({"customer_interests": "football"}))));
    // A body array with one value not excluded matches.
    assert!(ok(body(p.clone(), json!({"customer_interests": ["rugby", "baseball"]}))));
    assert!(!ok(body(p.clone(), json!({"customer_interests": ["rugby", "tennis"]}))));
    // A String.Array attribute matches only when none of its elements is listed.
    assert!(!ok(attr(p.clone(), &[("customer_interests", "String.Array", r#"["rugby", "baseball"]"#)])));
    assert!(ok(attr(p.clone(), &[("customer_interests", "String.Array", r#"["soccer", "baseball"]"#)])));
    // Needs the property present.
    assert!(!ok(body(p.clone(), json!({"other": "x"}))));
    // A single value, numbers.
    assert!(ok(body(json!({"a": [{"anything-but": "x"}]}), json!({"a": "y"}))));
    let n = json!({"price": [{"anything-but": [100, 500]}]});
    assert!(ok(body(n.clone(), json!({"price": 101}))));
    assert!(ok(body(n.clone(), json!({"price": 100.1}))));
    assert!(ok(body(n.clone(), json!({"price": [100, 50]}))));
    assert!(!ok(body(n.clone(), json!({"price": 100}))));
    assert!(!ok(attr(n.clone(), &[("price", "Number", "100")])));
    assert!(ok(attr(n, &[("price", "Number", "101")])));
}

#[test]
fn anything_but_prefix_and_suffix() {
    let p = json!({"event": [{"anything-but": {"prefix": "order-"}}]});
    assert!(ok(body(p.clone(), json!({"event": "data-entry"}))));
    assert!(!ok(body(p.clone(), json!({"event": "order-cancelled"}))));
    let s = json!({"event": [{"anything-but": {"suffix": "ed"}}]});
    assert!(ok(body(s.clone(), json!({"event": "order_placing"}))));
    assert!(!ok(body(s, json!({"event": "order_placed"}))));
}

#[test]
fn prefix_suffix_equals_ignore_case_and_cidr() {
    let p = json!({"customer_interests": [{"prefix": "bas"}]});
    assert!(ok(attr(p.clone(), &[("customer_interests", "String", "baseball")])));
    assert!(ok(body(p.clone(), json!({"customer_interests": "basketball"}))));
    assert!(!ok(body(p, json!({"customer_interests": "rugby"}))));
    let s = json!({"customer_interests": [{"suffix": "ball"}]});
    assert!(ok(body(s.clone(), json!({"customer_interests": "baseball"}))));
    assert!(!ok(body(s, json!({"customer_interests": "rugby"}))));
    let c = json!({"customer_interests": [{"equals-ignore-case": "tennis"}]});
    assert!(ok(body(c.clone(), json!({"customer_interests": "TeNnIs"}))));
    assert!(!ok(body(c, json!({"customer_interests": "Baseball"}))));
    let ip = json!({"source_ip": [{"cidr": "10.0.0.0/24"}]});
    assert!(ok(body(ip.clone(), json!({"source_ip": "10.0.0.255"}))));
    assert!(!ok(body(ip.clone(), json!({"source_ip": "10.0.1.1"}))));
    assert!(ok(body(json!({"ip": [{"cidr": "2001:db8::/32"}]}), json!({"ip": "2001:db8::1"}))));
    // String operators never match numbers.
    assert!(!ok(body(json!({"n": [{"prefix": "1"}]}), json!({"n": 10}))));
}

#[test]
fn numeric_exact_and_ranges() {
    let p = json!({"price_usd": [{"numeric": ["=", 301.5]}]});
    assert!(ok(attr(p.clone(), &[("price_usd", "Number", "301.5")])));
    assert!(ok(attr(p.clone(), &[("price_usd", "Number", "3.015e2")])));
    assert!(ok(body(p.clone(), json!({"price_usd": 3.015e2}))));
    assert!(!ok(body(p.clone(), json!({"price_usd": "301.5"}))));
    let neg = json!({"price_usd": [{"numeric": ["<", 0]}]});
    assert!(ok(body(neg.clone(), json!({"price_usd": -1}))));
    assert!(!ok(body(neg, json!({"price_usd": 0}))));
    let r = json!({"price_usd": [{"numeric": [">", 0, "<=", 150]}]});
    assert!(ok(body(r.clone(), json!({"price_usd": 150}))));
    assert!(!ok(body(r.clone(), json!({"price_usd": 0}))));
    assert!(!ok(body(r.clone(), json!({"price_usd": 150.5}))));
    // A plain number literal is numeric equality.
    assert!(ok(body(json!({"n": [5]}), json!({"n": 5.0}))));
    assert!(ok(attr(json!({"n": [5]}), &[("n", "Number", "5")])));
}

#[test]
fn exists_true_and_false() {
    let t = json!({"store": [{"exists": true}]});
    assert!(ok(attr(t.clone(), &[("store", "String", "fans")])));
    assert!(!ok(attr(t.clone(), &[("customer_interests", "String.Array", r#"["baseball"]"#)])));
    assert!(ok(body(t.clone(), json!({"store": "fans"}))));
    assert!(!ok(body(t.clone(), json!({"other": 1}))));
    // A non-null, non-empty value.
    assert!(!ok(body(t.clone(), json!({"store": null}))));
    assert!(!ok(body(t, json!({"store": ""}))));
    let f = json!({"store": [{"exists": false}]});
    assert!(!ok(attr(f.clone(), &[("store", "String", "fans")])));
    assert!(ok(attr(f.clone(), &[("customer_interests", "String", "x")])));
    assert!(ok(body(f.clone(), json!({"customer_interests": "x"}))));
    assert!(!ok(body(f.clone(), json!({"store": "x"}))));
    // "exists": false only matches if at least one attribute is present.
    assert_eq!(
        attr(f, &[]),
        Outcome::Rejected("its scope is MessageAttributes and the message carries no message attributes".into())
    );
    // Binary attributes are ignored.
    assert!(!ok(attr(json!({"b": [{"exists": true}]}), &[("b", "Binary", "AAAA")])));
}

#[test]
fn and_or_and_the_or_operator() {
    let and = json!({"store": ["example_corp"], "event": ["order_placed"]});
    assert!(ok(body(and.clone(), json!({"store": "example_corp", "event": "order_placed", "x": 1}))));
    assert!(!ok(body(and, json!({"store": "example_corp", "event": "order_cancelled"}))));
    let or =
        json!({"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]});
    assert!(ok(body(or.clone(), json!({"source": "aws.cloudwatch", "metricName": "CPUUtilization"}))));
    assert!(ok(body(or.clone(), json!({"source": "aws.cloudwatch", "namespace": "AWS/EC2"}))));
    assert!(!ok(body(or.clone(), json!({"source": "aws.cloudwatch", "namespace": "AWS/S3"}))));
    assert!(!ok(body(or, json!({"source": "aws.ec2", "namespace": "AWS/EC2"}))));
    let a = json!({"$or": [{"severity": ["high"]}, {"kind": ["alarm"]}]});
    assert!(ok(attr(a.clone(), &[("kind", "String", "alarm")])));
    assert!(!ok(attr(a, &[("kind", "String", "other")])));
}

#[test]
fn nested_keys_and_arrays_of_objects_in_the_body() {
    let p = json!({"Trigger": {"MetricName": ["SecurityGroupChanges"], "Namespace": [{"prefix": "CIS"}]}});
    assert!(ok(body(
        p.clone(),
        json!({"Trigger": {"MetricName": "SecurityGroupChanges", "Namespace": "CISBenchmark"}})
    )));
    match body(p.clone(), json!({"Trigger": {"MetricName": "Other", "Namespace": "CISBenchmark"}})) {
        Outcome::Rejected(why) => {
            assert!(why.contains("Trigger.MetricName"), "{why}");
            assert!(why.contains("\"Other\""), "{why}");
        }
        o => panic!("{o:?}"),
    }
    assert!(!ok(body(p.clone(), json!({"Trigger": "flat"}))));
    // An array of objects: one element must match as a whole.
    let q = json!({"r": {"a": ["1"], "b": ["2"]}});
    assert!(ok(body(q.clone(), json!({"r": [{"a": "1", "b": "2"}, {"a": "x"}]}))));
    assert!(!ok(body(q, json!({"r": [{"a": "1"}, {"b": "2"}]}))));
}

#[test]
fn empty_policy_accepts_and_bad_policies_are_errors() {
    let none = BTreeMap::new();
    let m = Message { body: "anything", attributes: &none };
    assert_eq!(evaluate("{}", Scope::MessageAttributes, &m), Ok(Outcome::Accepted));
    for bad in [
        "not json",
        "[]",
        r#"{"a": "x"}"#,
        r#"{"a": []}"#,
        r#"{"a": [{"regex": "x"}]}"#,
        r#"{"a": [{"numeric": [">", "x"]}]}"#,
        r#"{"a": [{"numeric": ["<", 1, ">", 5]}]}"#,
        r#"{"a": [{"numeric": [">", 5, "<", 1]}]}"#,
        r#"{"a": [{"anything-but": ["x", 1]}]}"#,
        r#"{"a": [{"cidr": "10.0.0.0/33"}]}"#,
        r#"{"a": [{"exists": "yes"}]}"#,
        r#"{"$or": [{"a": ["x"]}]}"#,
    ] {
        assert!(evaluate(bad, Scope::MessageBody, &m).is_err(), "{bad}");
    }
    // Nesting is for MessageBody only.
    assert!(evaluate(r#"{"a": {"b": ["x"]}}"#, Scope::MessageAttributes, &m).is_err());
    assert!(evaluate(r#"{"a": {"b": ["x"]}}"#, Scope::MessageBody, &m).is_ok());
}

#[test]
fn a_body_that_is_not_a_json_object_matches_no_body_policy() {
    let o = body(json!({"a": [{"exists": false}]}), json!("The user alice created sg-1"));
    assert!(matches!(o, Outcome::Rejected(w) if w.contains("not a JSON object")));
}

/// The issue's case: a CloudWatch alarm notification carries no message attributes, so an
/// attribute policy never lets it through; the same intent on the body does.
#[test]
fn the_alarm_notification_and_a_severity_policy() {
    let alarm = json!({"AlarmName": "sg-changes-alarm", "NewStateValue": "ALARM", "OldStateValue": "OK",
        "Trigger": {"MetricName": "SecurityGroupChanges", "Namespace": "CISBenchmark"}});
    let none = BTreeMap::new();
    let msg = Message { body: &alarm.to_string(), attributes: &none };
    let sev = r#"{"severity": ["high"]}"#;
    assert_eq!(
        evaluate(sev, Scope::MessageAttributes, &msg).unwrap(),
        Outcome::Rejected("its scope is MessageAttributes and the message carries no message attributes".into())
    );
    assert!(
        matches!(evaluate(sev, Scope::MessageBody, &msg).unwrap(), Outcome::Rejected(w) if w.contains("severity is absent"))
    );
    let state = r#"{"NewStateValue": ["ALARM"]}"#;
    assert_eq!(evaluate(state, Scope::MessageBody, &msg).unwrap(), Outcome::Accepted);
    assert!(matches!(
        evaluate(r#"{"NewStateValue": ["OK"]}"#, Scope::MessageBody, &msg).unwrap(),
        Outcome::Rejected(w) if w.contains("NewStateValue is \"ALARM\"")
    ));
    assert_eq!(Scope::parse(None), Scope::MessageAttributes);
    assert_eq!(Scope::parse(Some("MessageBody")).name(), "MessageBody");
}
