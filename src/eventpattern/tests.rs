//! Unit tests of the EventBridge pattern parser and matcher.

use super::*;
use serde_json::json;
use serde_json::Value;

const CIS_SG_PATTERN: &str = r#"{"source":["aws.ec2"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["ec2.amazonaws.com"],"eventName":["AuthorizeSecurityGroupIngress","AuthorizeSecurityGroupEgress","RevokeSecurityGroupIngress","RevokeSecurityGroupEgress","CreateSecurityGroup","DeleteSecurityGroup","ModifySecurityGroupRules"]}}"#;

const SG_EVENT_NAMES: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "ModifySecurityGroupRules",
];

/// An EventBridge "AWS API Call via CloudTrail" event wrapping a
/// CloudTrail record for `event_name`.
fn ct_event(event_name: &str) -> Value {
    json!({
        "version": "0",
        "id": "36eb8523-97d0-4518-b33d-ee3579ff19f0",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2",
        "account": "111122223333",
        "time": "2024-05-01T12:34:56Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": "AIDAEXAMPLEEXAMPLE",
                "arn": "arn:aws:iam::111122223333:user/alice",
                "accountId": "111122223333",
                "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
                "userName": "alice"
            },
            "eventTime": "2024-05-01T12:34:56Z",
            "eventSource": "ec2.amazonaws.com",
            "eventName": event_name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.17",
            "userAgent": "aws-cli/2.15.0",
            "requestParameters": {
                "groupId": "sg-0123456789abcdef0",
                "ipPermissions": {"items": [
                    {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                     "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}},
                    {"ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389,
                     "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}
                ]}
            },
            "responseElements": null,
            "requestID": "d2a1c3b4-0000-1111-2222-333344445555",
            "eventID": "e5f6a7b8-0000-1111-2222-333344445555",
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "111122223333",
            "eventCategory": "Management",
            "tlsDetails": {"tlsVersion": "TLSv1.3"}
        }
    })
}

fn pat(s: &str) -> EventPattern {
    match parse(s) {
        Ok(p) => p,
        Err(e) => panic!("pattern {s} should parse: {e}"),
    }
}

fn m(p: &str, event: Value) -> bool {
    pat(p).matches(&event)
}

fn err(p: &str) -> PatternError {
    match parse(p) {
        Ok(x) => panic!("pattern {p} should be rejected, parsed as {x:?}"),
        Err(e) => e,
    }
}

// ---- the CIS security-group rule ------------------------------------

#[test]
fn cis_sg_rule_matches_each_change_event() {
    let p = pat(CIS_SG_PATTERN);
    for name in SG_EVENT_NAMES {
        assert!(p.matches(&ct_event(name)), "should match {name}");
    }
}

#[test]
fn cis_sg_rule_rejects_other_events() {
    let p = pat(CIS_SG_PATTERN);
    assert!(!p.matches(&ct_event("DescribeSecurityGroups")));
    assert!(!p.matches(&ct_event("RunInstances")));
    // Case sensitivity of literals.
    assert!(!p.matches(&ct_event("authorizesecuritygroupingress")));
    // Wrong source / detail-type / eventSource.
    let mut e = ct_event("CreateSecurityGroup");
    e["source"] = json!("aws.s3");
    assert!(!p.matches(&e));
    let mut e = ct_event("CreateSecurityGroup");
    e["detail-type"] = json!("EC2 Instance State-change Notification");
    assert!(!p.matches(&e));
    let mut e = ct_event("CreateSecurityGroup");
    e["detail"]["eventSource"] = json!("iam.amazonaws.com");
    assert!(!p.matches(&e));
    // Missing detail entirely.
    let mut e = ct_event("CreateSecurityGroup");
    e.as_object_mut().unwrap().remove("detail");
    assert!(!p.matches(&e));
    // Non-object events never match a field pattern.
    assert!(!p.matches(&json!("aws.ec2")));
    assert!(!p.matches(&json!(null)));
    assert!(!p.matches(&json!([])));
}

#[test]
fn cis_sg_rule_via_wildcard_and_prefix() {
    let wild = pat(r#"{"source":["aws.ec2"],"detail":{"eventName":[{"wildcard":"*SecurityGroup*"}]}}"#);
    for name in SG_EVENT_NAMES {
        assert!(wild.matches(&ct_event(name)), "wildcard should match {name}");
    }
    // Wildcard is not a "mutating API" filter: it also catches Describe.
    assert!(wild.matches(&ct_event("DescribeSecurityGroups")));
    assert!(!wild.matches(&ct_event("RunInstances")));
    assert!(!wild.matches(&ct_event("CreateSecuritygroup")), "case-sensitive");

    let pre = pat(r#"{"detail":{"eventName":[{"prefix":"Authorize"}]}}"#);
    assert!(pre.matches(&ct_event("AuthorizeSecurityGroupIngress")));
    assert!(pre.matches(&ct_event("AuthorizeSecurityGroupEgress")));
    assert!(!pre.matches(&ct_event("RevokeSecurityGroupIngress")));
    assert!(!pre.matches(&ct_event("authorizeSecurityGroupIngress")));

    let combo = pat(
        r#"{"detail":{"eventName":[{"prefix":"Authorize"},{"prefix":"Revoke"},{"suffix":"SecurityGroup"},"ModifySecurityGroupRules"]}}"#,
    );
    for name in SG_EVENT_NAMES {
        assert!(combo.matches(&ct_event(name)), "combo should match {name}");
    }
    assert!(!combo.matches(&ct_event("DescribeSecurityGroups")));
}

// ---- literals --------------------------------------------------------

#[test]
fn literal_types_and_case() {
    let e = json!({"s": "Alice", "n": 5, "f": 301.8, "b": true, "z": null, "e": ""});
    assert!(m(r#"{"s":["Alice"]}"#, e.clone()));
    assert!(!m(r#"{"s":["alice"]}"#, e.clone()));
    assert!(m(r#"{"n":[5]}"#, e.clone()));
    assert!(m(r#"{"n":[5.0]}"#, e.clone()), "numbers compare numerically");
    assert!(m(r#"{"f":[3.018e2]}"#, e.clone()));
    assert!(!m(r#"{"n":["5"]}"#, e.clone()), "string does not match number");
    assert!(m(r#"{"b":[true]}"#, e.clone()));
    assert!(!m(r#"{"b":[false]}"#, e.clone()));
    assert!(!m(r#"{"b":["true"]}"#, e.clone()));
    assert!(m(r#"{"z":[null]}"#, e.clone()));
    assert!(!m(r#"{"z":[""]}"#, e.clone()), "null and empty string are distinct");
    assert!(m(r#"{"e":[""]}"#, e.clone()));
    assert!(!m(r#"{"e":[null]}"#, e.clone()));
    assert!(!m(r#"{"missing":[null]}"#, e.clone()), "absent is not null");
    // AND across fields.
    assert!(m(r#"{"s":["Alice"],"n":[5]}"#, e.clone()));
    assert!(!m(r#"{"s":["Alice"],"n":[6]}"#, e.clone()));
    // A leaf pattern does not match an object value.
    assert!(!m(r#"{"o":["x"]}"#, json!({"o": {"x": 1}})));
}

#[test]
fn equals_ignore_case_prefix_suffix_variants() {
    let e = json!({"service": "EventBridge", "file": "photo.PNG"});
    assert!(m(r#"{"service":[{"equals-ignore-case":"eventbridge"}]}"#, e.clone()));
    assert!(!m(r#"{"service":[{"equals-ignore-case":"eventbridg"}]}"#, e.clone()));
    assert!(m(r#"{"service":[{"prefix":{"equals-ignore-case":"EVENTB"}}]}"#, e.clone()));
    assert!(!m(r#"{"service":[{"prefix":"EVENTB"}]}"#, e.clone()));
    assert!(m(r#"{"file":[{"suffix":{"equals-ignore-case":".png"}}]}"#, e.clone()));
    assert!(!m(r#"{"file":[{"suffix":".png"}]}"#, e.clone()));
    assert!(m(r#"{"file":[{"suffix":".PNG"}]}"#, e.clone()));
    // String operators never match non-strings.
    assert!(!m(r#"{"n":[{"prefix":"1"}]}"#, json!({"n": 12})));
    assert!(!m(r#"{"n":[{"equals-ignore-case":"true"}]}"#, json!({"n": true})));
}

// ---- wildcard ----------------------------------------------------------

#[test]
fn wildcard_semantics() {
    let w = |p: &str, s: &str| m(&format!(r#"{{"f":[{{"wildcard":{}}}]}}"#, json!(p)), json!({ "f": s }));
    assert!(w("*", ""));
    assert!(w("*", "anything"));
    assert!(w("a*c", "ac"));
    assert!(w("a*c", "abbbc"));
    assert!(!w("a*c", "abcd"));
    assert!(w("*/lib/*", "/usr/lib/x.so"));
    assert!(!w("*/lib/*", "/usr/bin/x"));
    assert!(w("a*b*c", "axxbyyc"));
    assert!(w("a*b*c", "abcbc"));
    assert!(!w("a*b*c", "acb"));
    assert!(w("exact", "exact"));
    assert!(!w("exact", "exactly"));
    // Escapes: pattern text `a\*b` is a literal star.
    assert!(w(r"a\*b", "a*b"));
    assert!(!w(r"a\*b", "axb"));
    assert!(w(r"a\\*", r"a\anything"));
    assert!(!w(r"a\\*", "anything"));
    // Non-ASCII is handled per character.
    assert!(w("é*ß", "éxyzß"));
    // Pathological backtracking input stays fast and correct.
    let long = "a".repeat(5000);
    assert!(!w("*a*a*a*a*a*b", &long));
    assert!(w("*a*a*a*a*a*", &long));
}

// ---- anything-but ------------------------------------------------------

#[test]
fn anything_but_forms() {
    let p = pat(r#"{"detail":{"eventName":[{"anything-but":["DescribeSecurityGroups","DescribeInstances"]}]}}"#);
    assert!(p.matches(&ct_event("CreateSecurityGroup")));
    assert!(!p.matches(&ct_event("DescribeSecurityGroups")));
    assert!(!p.matches(&ct_event("DescribeInstances")));
    // anything-but requires the field to be present.
    assert!(!p.matches(&json!({"detail": {}})));

    assert!(m(r#"{"state":[{"anything-but":"initializing"}]}"#, json!({"state": "running"})));
    assert!(!m(r#"{"state":[{"anything-but":"initializing"}]}"#, json!({"state": "initializing"})));
    assert!(m(r#"{"state":[{"anything-but":"initializing"}]}"#, json!({"state": "INITIALIZING"})));
    assert!(!m(r#"{"x":[{"anything-but":123}]}"#, json!({"x": 123.0})));
    assert!(m(r#"{"x":[{"anything-but":[100,200]}]}"#, json!({"x": 150})));
    assert!(!m(r#"{"x":[{"anything-but":[100,200]}]}"#, json!({"x": 200})));

    assert!(m(r#"{"r":[{"anything-but":{"prefix":"us-"}}]}"#, json!({"r": "eu-west-1"})));
    assert!(!m(r#"{"r":[{"anything-but":{"prefix":"us-"}}]}"#, json!({"r": "us-east-1"})));
    assert!(!m(r#"{"f":[{"anything-but":{"suffix":".png"}}]}"#, json!({"f": "a.png"})));
    assert!(m(r#"{"f":[{"anything-but":{"suffix":".png"}}]}"#, json!({"f": "a.jpg"})));
    assert!(!m(r#"{"s":[{"anything-but":{"equals-ignore-case":"initializing"}}]}"#, json!({"s": "INITIALIZING"})));
    assert!(!m(r#"{"s":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}"#, json!({"s": "B"})));
    assert!(m(r#"{"s":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}"#, json!({"s": "c"})));
    assert!(!m(r#"{"p":[{"anything-but":{"wildcard":"*/lib/*"}}]}"#, json!({"p": "/usr/lib/a"})));
    assert!(m(r#"{"p":[{"anything-but":{"wildcard":"*/lib/*"}}]}"#, json!({"p": "/usr/bin/a"})));
    // Values of another JSON type are "anything but" the excluded strings.
    assert!(m(r#"{"r":[{"anything-but":{"prefix":"us-"}}]}"#, json!({"r": 5})));
    assert!(m(r#"{"r":[{"anything-but":"5"}]}"#, json!({"r": 5})));
    assert!(m(r#"{"r":[{"anything-but":{"wildcard":"*"}}]}"#, json!({"r": null})));
    assert!(!m(r#"{"r":[{"anything-but":{"wildcard":"*"}}]}"#, json!({"r": "x"})));
}

// ---- exists ------------------------------------------------------------

#[test]
fn exists_true_and_false() {
    let absent = r#"{"detail":{"errorCode":[{"exists":false}]}}"#;
    let present = r#"{"detail":{"errorCode":[{"exists":true}]}}"#;
    let ok = ct_event("CreateSecurityGroup");
    let mut failed = ct_event("CreateSecurityGroup");
    failed["detail"]["errorCode"] = json!("Client.UnauthorizedOperation");
    assert!(m(absent, ok.clone()));
    assert!(!m(absent, failed.clone()));
    assert!(!m(present, ok.clone()));
    assert!(m(present, failed.clone()));
    // null is a present leaf value.
    assert!(m(present, json!({"detail": {"errorCode": null}})));
    assert!(!m(absent, json!({"detail": {"errorCode": null}})));
    // Parent missing altogether: the field is absent.
    assert!(m(absent, json!({"source": "aws.ec2"})));
    assert!(!m(present, json!({"source": "aws.ec2"})));
    // Empty arrays have no leaf values; objects are not leaves.
    assert!(m(absent, json!({"detail": {"errorCode": []}})));
    assert!(!m(present, json!({"detail": {"errorCode": []}})));
    assert!(m(absent, json!({"detail": {"errorCode": {"c1": 100}}})));
    assert!(!m(present, json!({"detail": {"errorCode": {"c1": 100}}})));
    // Combined with the CIS rule: only successful SG changes.
    let mut v: Value = serde_json::from_str(CIS_SG_PATTERN).unwrap();
    v["detail"]["errorCode"] = json!([{"exists": false}]);
    let p = parse_value(&v).unwrap();
    assert!(p.matches(&ok));
    assert!(!p.matches(&failed));
}

// ---- numeric -------------------------------------------------------------

#[test]
fn numeric_ranges() {
    let p = pat(r#"{"c":[{"numeric":[">",0,"<=",5]}]}"#);
    assert!(!p.matches(&json!({"c": 0})));
    assert!(p.matches(&json!({"c": 0.000001})));
    assert!(p.matches(&json!({"c": 5})));
    assert!(!p.matches(&json!({"c": 5.0000001})));
    assert!(!p.matches(&json!({"c": "3"})), "numeric only matches numbers");
    assert!(!p.matches(&json!({})));
    assert!(m(r#"{"c":[{"numeric":["<",10]}]}"#, json!({"c": -1e9})));
    assert!(m(r#"{"c":[{"numeric":[">=",10]}]}"#, json!({"c": 10})));
    assert!(!m(r#"{"c":[{"numeric":[">",10]}]}"#, json!({"c": 10})));
    assert!(m(r#"{"x":[{"numeric":["=",3.018e2]}]}"#, json!({"x": 301.8})));
    assert!(!m(r#"{"x":[{"numeric":["=",3.018e2]}]}"#, json!({"x": 301.81})));
    // Upper bound given first is accepted too.
    assert!(m(r#"{"c":[{"numeric":["<",5,">=",1]}]}"#, json!({"c": 1})));
    // Port-range style check on a CloudTrail record (arrays of objects).
    let ssh = pat(
        r#"{"detail":{"requestParameters":{"ipPermissions":{"items":{"fromPort":[{"numeric":["<=",22]}],"toPort":[{"numeric":[">=",22]}]}}}}}"#,
    );
    assert!(ssh.matches(&ct_event("AuthorizeSecurityGroupIngress")));
    let rdp_only = pat(
        r#"{"detail":{"requestParameters":{"ipPermissions":{"items":{"fromPort":[{"numeric":[">",22]}],"toPort":[{"numeric":["<",3389]}]}}}}}"#,
    );
    assert!(!rdp_only.matches(&ct_event("AuthorizeSecurityGroupIngress")));
}

// ---- cidr ----------------------------------------------------------------

#[test]
fn cidr_matching() {
    let p = pat(r#"{"detail":{"sourceIPAddress":[{"cidr":"203.0.113.0/24"}]}}"#);
    assert!(p.matches(&ct_event("CreateSecurityGroup")));
    let q = pat(r#"{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/8"}]}}"#);
    assert!(!q.matches(&ct_event("CreateSecurityGroup")));
    assert!(q.matches(&json!({"detail": {"sourceIPAddress": "10.255.0.1"}})));
    assert!(!q.matches(&json!({"detail": {"sourceIPAddress": "ec2.amazonaws.com"}})));
    assert!(m(r#"{"ip":[{"cidr":"0.0.0.0/0"}]}"#, json!({"ip": "192.0.2.1"})));
    assert!(m(r#"{"ip":[{"cidr":"192.0.2.7"}]}"#, json!({"ip": "192.0.2.7"})));
    assert!(!m(r#"{"ip":[{"cidr":"192.0.2.7"}]}"#, json!({"ip": "192.0.2.8"})));
    assert!(m(r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, json!({"ip": "2001:db8:1::5"})));
    assert!(!m(r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, json!({"ip": "2001:db9::5"})));
    assert!(!m(r#"{"ip":[{"cidr":"10.0.0.0/8"}]}"#, json!({"ip": "::ffff:10.0.0.1"})));
}

// ---- $or -------------------------------------------------------------------

#[test]
fn or_operator() {
    let p = pat(
        r#"{"source":["aws.ec2"],"$or":[{"detail":{"eventName":[{"prefix":"Authorize"}]}},{"detail":{"eventName":[{"prefix":"Revoke"}]}},{"detail-type":["EC2 Security Group Change"]}]}"#,
    );
    assert!(p.matches(&ct_event("AuthorizeSecurityGroupEgress")));
    assert!(p.matches(&ct_event("RevokeSecurityGroupIngress")));
    assert!(!p.matches(&ct_event("CreateSecurityGroup")));
    let mut e = ct_event("CreateSecurityGroup");
    e["detail-type"] = json!("EC2 Security Group Change");
    assert!(p.matches(&e));
    // The AND with sibling "source" still holds.
    let mut e = ct_event("AuthorizeSecurityGroupEgress");
    e["source"] = json!("aws.s3");
    assert!(!p.matches(&e));

    // Nested $or inside an object level, with an AND inside an alternative.
    let q = pat(
        r#"{"detail":{"eventSource":["ec2.amazonaws.com"],"$or":[{"eventName":["CreateSecurityGroup"]},{"eventName":["DeleteSecurityGroup"],"readOnly":[false]}]}}"#,
    );
    assert!(q.matches(&ct_event("CreateSecurityGroup")));
    assert!(q.matches(&ct_event("DeleteSecurityGroup")));
    let mut e = ct_event("DeleteSecurityGroup");
    e["detail"]["readOnly"] = json!(true);
    assert!(!q.matches(&e));
    assert!(!q.matches(&ct_event("RevokeSecurityGroupEgress")));

    // Two parallel $or groups at different levels are AND-ed.
    let r = pat(
        r#"{"$or":[{"source":["aws.ec2"]},{"source":["aws.vpc"]}],"detail":{"$or":[{"eventName":["CreateSecurityGroup"]},{"errorCode":[{"exists":true}]}]}}"#,
    );
    assert!(r.matches(&ct_event("CreateSecurityGroup")));
    assert!(!r.matches(&ct_event("DeleteSecurityGroup")));

    // "$or" with an object value is an ordinary field name (Event Ruler compat).
    let s = pat(r#"{"$or":{"a":["x"]}}"#);
    assert!(s.matches(&json!({"$or": {"a": "x"}})));
    assert!(!s.matches(&json!({"a": "x"})));
}

// ---- arrays in events ---------------------------------------------------------

#[test]
fn arrays_in_events() {
    let e = json!({
        "resources": ["arn:aws:ec2:us-east-1:111122223333:security-group/sg-1", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"],
        "tags": [["a", "b"], ["c"]],
        "employees": [
            {"firstName": "John", "lastName": "Doe"},
            {"firstName": "Anna", "lastName": "Smith"},
            {"firstName": "Peter", "lastName": "Jones"}
        ],
        "nums": [1, 7, 12]
    });
    assert!(m(r#"{"resources":[{"wildcard":"*:security-group/*"}]}"#, e.clone()));
    assert!(!m(r#"{"resources":[{"wildcard":"*:vpc/*"}]}"#, e.clone()));
    assert!(m(r#"{"tags":["c"]}"#, e.clone()), "nested arrays are crushed");
    assert!(m(r#"{"employees":{"firstName":["Anna"]}}"#, e.clone()));
    assert!(m(r#"{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}"#, e.clone()));
    assert!(
        !m(r#"{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}"#, e.clone()),
        "fields must be satisfied by the same array element"
    );
    assert!(m(r#"{"nums":[{"numeric":[">",10]}]}"#, e.clone()));
    assert!(!m(r#"{"nums":[{"numeric":[">",20]}]}"#, e.clone()));
    // anything-but over arrays: some element is not excluded.
    assert!(m(r#"{"nums":[{"anything-but":[1,7]}]}"#, e.clone()));
    assert!(!m(r#"{"nums":[{"anything-but":[1,7,12]}]}"#, e.clone()));
    // Empty event array matches nothing but exists:false.
    assert!(!m(r#"{"resources":[{"prefix":""}]}"#, json!({"resources": []})));
}

// ---- errors ---------------------------------------------------------------------

#[test]
fn error_cases_with_paths() {
    let e = err(r#"{"source":[]}"#);
    assert_eq!(e.path(), "$.source");
    assert!(e.message().contains("empty array"), "{e}");

    let e = err(r#"{"source":"aws.ec2"}"#);
    assert_eq!(e.path(), "$.source");
    assert!(e.to_string().contains("array"), "{e}");

    let e = err(r#"{"detail":{"eventName":["A",{"begins-with":"x"}]}}"#);
    assert_eq!(e.path(), "$.detail.eventName[1]");
    assert!(e.message().contains("unknown operator \"begins-with\""), "{e}");

    let e = err(r#"{"detail":{"eventName":[{"prefix":"a","suffix":"b"}]}}"#);
    assert_eq!(e.path(), "$.detail.eventName[0]");

    let e = err(r#"{"detail":{"x":[{"prefix":5}]}}"#);
    assert_eq!(e.path(), "$.detail.x[0].prefix");

    let e = err(r#"{"detail":{"x":[{"prefix":{"ignore-case":"a"}}]}}"#);
    assert_eq!(e.path(), "$.detail.x[0].prefix");

    let e = err(r#"{"x":[{"numeric":[">",0,">",5]}]}"#);
    assert!(e.message().contains("two lower bounds"), "{e}");
    err(r#"{"x":[{"numeric":[">",5,"<",1]}]}"#);
    err(r#"{"x":[{"numeric":["=",5,"<",10]}]}"#);
    err(r#"{"x":[{"numeric":["~",5]}]}"#);
    err(r#"{"x":[{"numeric":[">","5"]}]}"#);
    err(r#"{"x":[{"numeric":[">"]}]}"#);
    err(r#"{"x":[{"numeric":5}]}"#);

    err(r#"{"x":[{"exists":"true"}]}"#);
    err(r#"{"x":[{"anything-but":[]}]}"#);
    let e = err(r#"{"x":[{"anything-but":["a",1]}]}"#);
    assert_eq!(e.path(), "$.x[0].anything-but[1]");
    err(r#"{"x":[{"anything-but":true}]}"#);
    err(r#"{"x":[{"anything-but":{"numeric":[">",1]}}]}"#);
    err(r#"{"x":[{"cidr":"10.0.0.0/33"}]}"#);
    err(r#"{"x":[{"cidr":"10.0.0/8"}]}"#);
    err(r#"{"x":[{"cidr":"10.0.0.0/"}]}"#);
    err(r#"{"x":[{"wildcard":"a**b"}]}"#);
    err(r#"{"x":[{"wildcard":"a\\b"}]}"#);
    err(r#"{"x":[{"wildcard":"ab\\"}]}"#);
    err(r#"{"x":[["nested"]]}"#);
    err(r#"{"x":[{}]}"#);
    let e = err(r#"{"detail":{}}"#);
    assert_eq!(e.path(), "$.detail");
    let e = err("{}");
    assert_eq!(e.path(), "$");
    err(r#"["aws.ec2"]"#);
    err(r#""aws.ec2""#);
    let e = err(r#"{"source": ["aws.ec2"]"#);
    assert!(e.message().contains("not valid JSON"), "{e}");
    // A single-element "$or" is not an $or; its object is not an operator.
    let e = err(r#"{"$or":[{"a":["x"]}]}"#);
    assert_eq!(e.path(), "$.$or[0]");
    // Errors inside $or alternatives carry the alternative's path.
    let e = err(r#"{"$or":[{"a":["x"]},{"b":[]}]}"#);
    assert_eq!(e.path(), "$.$or[1].b");
    // Keys with unusual characters are quoted in the path.
    let e = err(r#"{"a b":{"c.d":[]}}"#);
    assert_eq!(e.path(), r#"$["a b"]["c.d"]"#);
    // Too deep.
    let deep = format!("{}[\"x\"]{}", "{\"a\":".repeat(70), "}".repeat(70));
    assert!(err(&deep).message().contains("deeper"));
}

#[test]
fn never_panics_on_odd_inputs() {
    let patterns = [
        r#"{"x":[{"numeric":[">",1e308,"<",1.7976931348623157e308]}]}"#,
        r#"{"x":[{"cidr":"0.0.0.0/0"}]}"#,
        r#"{"x":[{"cidr":"::/0"}]}"#,
        r#"{"x":[{"wildcard":""}]}"#,
        r#"{"x":[{"prefix":""}]}"#,
        r#"{"x":[{"equals-ignore-case":"İSTANBUL"}]}"#,
        r#"{"x":[18446744073709551615, -9223372036854775808]}"#,
    ];
    let events = [
        json!(null),
        json!({}),
        json!({"x": null}),
        json!({"x": [[[[]]]]}),
        json!({"x": "İstanbul"}),
        json!({"x": 18446744073709551615u64}),
        json!({"x": [{"y": 1}, "::1", "0.0.0.0", 1e308]}),
    ];
    for p in patterns {
        let p = pat(p);
        for e in &events {
            let _ = p.matches(e);
        }
    }
    assert!(m(r#"{"x":[{"wildcard":""}]}"#, json!({"x": ""})));
    assert!(!m(r#"{"x":[{"wildcard":""}]}"#, json!({"x": "a"})));
    assert!(m(r#"{"x":[{"equals-ignore-case":"İSTANBUL"}]}"#, json!({"x": "i̇stanbul"})));
}
