//! Tests of the pattern module: parser, printer, evaluator, corpus verdicts.

use super::*;
use serde_json::json;

// ------------------------------------------------------------------ data

const P41_V2: &str = r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#;
const P41_V13: &str = r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }"#;
const P41_V14_AUDIT: &str = r#"{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || ($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }"#;
const P41_V12: &str = r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#;
const P41_SH: &str = r#"{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}"#;
const P42_A: &str = r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#;
const P42_B: &str = r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#;
const P43: &str =
    r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
const P43_SH: &str =
    r#"{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}"#;
const P44: &str = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";
const P44_SH: &str = "{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}";
const P45: &str = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }";
const P46: &str = r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#;
const P47: &str =
    "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }";
const P48: &str = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }";
const P49: &str = "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }";
const P49_V3_REMEDIATION: &str = "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }";
const P410_V3: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }";
const P410_V5: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }";
const P410_V12: &str = "{($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }";
const P410_SH: &str = "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}";
const P411: &str = "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }";
const P412: &str = "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }";
const P413: &str = "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }";
const P413_AUDIT: &str = "{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }";
const P414: &str = "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }";
const P415: &str = r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#;

const E44: &[&str] = &[
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
];
const E45: &[&str] = &["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"];
const E47: &[&str] = &["DisableKey", "ScheduleKeyDeletion"];
const E48: &[&str] = &[
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
];
const E49: &[&str] =
    &["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"];
const E410_V3: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
];
const E410_V5: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "ModifySecurityGroupRules",
];
const E411: &[&str] = &[
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "DeleteNetworkAcl",
    "DeleteNetworkAclEntry",
    "ReplaceNetworkAclEntry",
    "ReplaceNetworkAclAssociation",
];
const E412: &[&str] = &[
    "CreateCustomerGateway",
    "DeleteCustomerGateway",
    "AttachInternetGateway",
    "CreateInternetGateway",
    "DeleteInternetGateway",
    "DetachInternetGateway",
];
const E413: &[&str] = &[
    "CreateRoute",
    "CreateRouteTable",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "DeleteRouteTable",
    "DeleteRoute",
    "DisassociateRouteTable",
];
const E414: &[&str] = &[
    "CreateVpc",
    "DeleteVpc",
    "ModifyVpcAttribute",
    "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection",
    "AttachClassicLinkVpc",
    "DetachClassicLinkVpc",
    "DisableVpcClassicLink",
    "EnableVpcClassicLink",
];
const E415: &[&str] = &[
    "AcceptHandshake",
    "AttachPolicy",
    "CreateAccount",
    "CreateOrganizationalUnit",
    "CreatePolicy",
    "DeclineHandshake",
    "DeleteOrganization",
    "DeleteOrganizationalUnit",
    "DeletePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "InviteAccountToOrganization",
    "LeaveOrganization",
    "MoveAccount",
    "RemoveAccountFromOrganization",
    "UpdatePolicy",
    "UpdateOrganizationalUnit",
];

/// (label, pattern, required event names)
fn benchmark_patterns() -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    vec![
        ("4.1 v2.0-v5.0", P41_V2, &[]),
        ("4.1 v1.3-v1.5 remediation", P41_V13, &[]),
        ("4.1 v1.4 audit (unquoted)", P41_V14_AUDIT, &[]),
        ("3.1 v1.2", P41_V12, &[]),
        ("CloudWatch.2 (SH)", P41_SH, &[]),
        ("4.2 (1st)", P42_A, &["ConsoleLogin"]),
        ("4.2 (2nd) / CloudWatch.3", P42_B, &["ConsoleLogin"]),
        ("4.3", P43, &[]),
        ("CloudWatch.1 (SH)", P43_SH, &[]),
        ("4.4", P44, E44),
        ("CloudWatch.4 (SH)", P44_SH, E44),
        ("4.5", P45, E45),
        ("4.6", P46, &["ConsoleLogin"]),
        ("4.7", P47, E47),
        ("4.8", P48, E48),
        ("4.9 audit / v5.0", P49, E49),
        ("4.9 v3.0 remediation", P49_V3_REMEDIATION, E49),
        ("4.10 v1.4-v4.0", P410_V3, E410_V3),
        ("4.10 v5.0", P410_V5, E410_V5),
        ("3.10 v1.2", P410_V12, E410_V3),
        ("CloudWatch.10 (SH)", P410_SH, E410_V3),
        ("4.11", P411, E411),
        ("4.12", P412, E412),
        ("4.13 remediation", P413, E413),
        ("4.13 v3.0+ audit", P413_AUDIT, E413),
        ("4.14", P414, E414),
        ("4.15", P415, E415),
    ]
}

fn names(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn cov(p: &str, bench: &str, req: &[&str]) -> Coverage {
    coverage(p, bench, &names(req)).unwrap_or_else(|e| panic!("{e}: {p}"))
}

fn ev(v: serde_json::Value) -> (serde_json::Value, String) {
    let raw = v.to_string();
    (v, raw)
}

fn m(p: &str, v: &serde_json::Value) -> bool {
    parse(p).unwrap_or_else(|e| panic!("{e}: {p}")).matches(v, &v.to_string())
}

// ------------------------------------------------------------------ benchmark

#[test]
fn every_benchmark_pattern_parses_and_is_exact_against_itself() {
    for (label, p, req) in benchmark_patterns() {
        let parsed = parse(p).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(parse(&parsed.to_string()).unwrap(), parsed, "{label}: canonical form reparses");
        let c = cov(p, p, req);
        assert_eq!(c.kind, CoverageKind::Exact, "{label}");
        assert!(c.misses.is_empty() && c.extra_matches.is_empty(), "{label}");
        assert!(!c.never_matches, "{label} matches nothing in the corpus");
        assert!(c.contradiction.is_none(), "{label}: {:?}", c.contradiction);
        assert!(c.oracle_gaps.is_empty(), "{label}: corpus lacks {:?}", c.oracle_gaps);
        assert!(c.is_covered(true) && c.is_covered(false));
        // Every listed event has all its variants in the oracle set.
        for e in req.iter() {
            assert!(
                corpus().iter().any(|r| r.event_name == *e && parse(p).unwrap().matches(&r.event, &r.raw)),
                "{label}: {e}"
            );
        }
    }
}

#[test]
fn whitespace_only_differences_are_exact() {
    let c = cov(P410_V12, P410_V3, E410_V3);
    assert_eq!(c.kind, CoverageKind::Exact, "v1.2 `{{(` vs v1.4 `{{ (`");
    let spaced = P46.replace("= ", "=   ").replace("{ ", "{\n  ");
    assert_eq!(cov(&spaced, P46, &["ConsoleLogin"]).kind, CoverageKind::Exact);
    // ...but not inside quotes.
    let c = cov(&P46.replace("Failed authentication", "Failed  authentication"), P46, &["ConsoleLogin"]);
    assert_eq!(c.kind, CoverageKind::Incomplete);
}

#[test]
fn v30_six_term_pattern_is_exact_for_v30_and_incomplete_for_v50() {
    assert_eq!(cov(P410_V3, P410_V3, E410_V3).kind, CoverageKind::Exact);
    let c = cov(P410_V3, P410_V5, E410_V5);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    assert!(!c.is_covered(false));
    let groups = c.miss_groups();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].event, "ModifySecurityGroupRules");
    assert_eq!(groups[0].missed, VARIANTS_PER_EVENT);
    assert!(c.misses.iter().all(|m| m.event_name == "ModifySecurityGroupRules"));
    let s = c.summary();
    assert!(s.contains("misses ModifySecurityGroupRules (all 6 variants)"), "{s}");
    assert!(s.contains(r#"$.eventName is "ModifySecurityGroupRules""#), "{s}");
    // SH and CIS differ only in spacing around `=`: still whitespace-only, so Exact.
    assert_eq!(cov(P410_SH, P410_V3, E410_V3).kind, CoverageKind::Exact);
}

#[test]
fn security_group_trap_and_joined() {
    let and_joined = P410_V5.replace("||", "&&");
    let c = cov(&and_joined, P410_V5, E410_V5);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    assert!(c.never_matches);
    let why = c.contradiction.clone().expect("static contradiction");
    assert!(
        why.contains(r#"$.eventName = "AuthorizeSecurityGroupIngress""#) && why.contains("cannot both hold"),
        "{why}"
    );
    assert_eq!(c.miss_groups().len(), 7);
    assert!(!c.is_covered(false));
}

#[test]
fn security_group_trap_nobody_arn() {
    let p = P410_V5.replacen("{ ", "{ (", 1).replace(" }", r#") && ($.userIdentity.arn = "nobody") }"#);
    let c = cov(&p, P410_V5, E410_V5);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    assert_eq!(c.matched_required, 0);
    assert!(c.contradiction.is_none(), "not statically contradictory");
    assert!(
        c.misses.iter().all(|m| m.why.contains(r#"`$.userIdentity.arn = "nobody"` rejects it"#)),
        "{:?}",
        c.misses[0]
    );
}

#[test]
fn restricting_to_iam_users_names_the_rejecting_clause() {
    let p = P410_V5.replacen("{ ", "{ (", 1).replace(" }", r#") && ($.userIdentity.type = "IAMUser") }"#);
    let c = cov(&p, P410_V5, E410_V5);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    let m = c.misses.iter().find(|m| m.id == "RevokeSecurityGroupEgress/assumed-role/cli/eu-west-1").expect("miss");
    assert!(
        m.reason.starts_with("RevokeSecurityGroupEgress by an assumed role")
            && m.reason
                .contains(r#"`$.userIdentity.type = "IAMUser"` rejects it ($.userIdentity.type is "AssumedRole")"#),
        "{}",
        m.reason
    );
    let s = c.summary();
    assert!(s.contains("misses RevokeSecurityGroupEgress (4 of 6 variants)"), "{s}");
}

#[test]
fn typo_and_lowercase_selector() {
    let typo = P410_V3.replace("CreateSecurityGroup", "CreateSecurityGrup");
    let c = cov(&typo, P410_V3, E410_V3);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    let g = c.miss_groups();
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].event, "CreateSecurityGroup");
    assert!(!c.never_matches);

    let lower = P410_V3.replace("$.eventName", "$.eventname");
    let c = cov(&lower, P410_V3, E410_V3);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    assert!(c.never_matches);
    assert!(c.misses[0].why.contains("$.eventname does not exist"), "{}", c.misses[0].why);
}

#[test]
fn equivalent_rewrites() {
    let quoted = r#"{ ($.eventName = "AuthorizeSecurityGroupIngress") || ($.eventName = "AuthorizeSecurityGroupEgress") || ($.eventName = "RevokeSecurityGroupIngress") || ($.eventName = "RevokeSecurityGroupEgress") || ($.eventName = "CreateSecurityGroup") || ($.eventName = "DeleteSecurityGroup") || ($.eventName = "ModifySecurityGroupRules") }"#;
    let reordered = "{ $.eventName = ModifySecurityGroupRules || $.eventName = DeleteSecurityGroup || $.eventName = CreateSecurityGroup || $.eventName = RevokeSecurityGroupEgress || $.eventName = RevokeSecurityGroupIngress || $.eventName = AuthorizeSecurityGroupEgress || $.eventName = AuthorizeSecurityGroupIngress }";
    // Newlines alone are whitespace, so that stays Exact; newlines plus quotes are Equivalent.
    assert_eq!(cov(&P410_V5.replace(" || ", "\n  || "), P410_V5, E410_V5).kind, CoverageKind::Exact);
    let newlined = quoted.replace(" || ", "\n\t|| ");
    let nested = "{ ((($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress)) || (($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress))) || ($.eventName = CreateSecurityGroup || $.eventName = DeleteSecurityGroup || $.eventName = ModifySecurityGroupRules) }";
    let with_source = "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules)) }";
    let not_equal =
        "{ ($.eventSource = ec2.amazonaws.com) && ($.eventName = *SecurityGroup*) && ($.eventName != Describe*) }";
    let canonical = parse(P410_V5).unwrap().to_string();
    for p in [quoted, reordered, &newlined, nested, with_source, not_equal, &canonical] {
        let c = cov(p, P410_V5, E410_V5);
        assert_eq!(c.kind, CoverageKind::Equivalent, "{p}\n{}", c.summary());
        assert!(c.is_covered(false) && !c.is_covered(true));
    }
    // 4.2 with `= "No"` instead of `!= "Yes"`; 4.3 unquoted.
    assert_eq!(
        cov(r#"{ $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed = No }"#, P42_A, &["ConsoleLogin"]).kind,
        CoverageKind::Equivalent
    );
    assert_eq!(cov(r#"{ ($.userIdentity.type = Root) && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != AwsServiceEvent) }"#, P43, &[]).kind, CoverageKind::Equivalent);
    // 4.13 audit text (eventSource only on the first clause) is equivalent to the remediation.
    assert_eq!(cov(P413_AUDIT, P413, E413).kind, CoverageKind::Equivalent);
}

#[test]
fn wildcard_is_broader() {
    let c = cov("{ $.eventName = *SecurityGroup* }", P410_V5, E410_V5);
    assert_eq!(c.kind, CoverageKind::Broader);
    assert!(c.extra_matches.iter().any(|id| id.starts_with("DescribeSecurityGroups/")), "{:?}", c.extra_matches);
    assert!(c.is_covered(false) && !c.is_covered(true));
    // The v5.0 7-term pattern is broader than the v3.0 benchmark.
    let c = cov(P410_V5, P410_V3, E410_V3);
    assert_eq!(c.kind, CoverageKind::Broader);
    assert!(c.extra_matches.iter().all(|id| id.starts_with("ModifySecurityGroupRules/")));
}

#[test]
fn term_patterns_cover() {
    let terms = "?AuthorizeSecurityGroupIngress ?AuthorizeSecurityGroupEgress ?RevokeSecurityGroupIngress ?RevokeSecurityGroupEgress ?CreateSecurityGroup ?DeleteSecurityGroup ?ModifySecurityGroupRules";
    let c = cov(terms, P410_V5, E410_V5);
    assert!(c.is_covered(false), "{}", c.summary());
    assert!(matches!(c.kind, CoverageKind::Equivalent | CoverageKind::Broader));
    let six = "?AuthorizeSecurityGroupIngress ?AuthorizeSecurityGroupEgress ?RevokeSecurityGroupIngress ?RevokeSecurityGroupEgress ?CreateSecurityGroup ?DeleteSecurityGroup";
    let c = cov(six, P410_V5, E410_V5);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    assert!(c.misses[0].why.contains("none of the 6 ?-terms"), "{}", c.misses[0].why);
    // A plain (AND) term list of two names matches nothing.
    let c = cov("AuthorizeSecurityGroupIngress RevokeSecurityGroupEgress", P410_V5, E410_V5);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    assert!(c.never_matches);
}

#[test]
fn unauthorized_calls_precedence_matters() {
    // What 4.1 v2.0 was probably meant to say, with explicit grouping: it drops
    // UnauthorizedOperation errors from delivery.logs, which the benchmark's
    // own text (&& binds tighter) counts.
    let grouped = r#"{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#;
    let c = cov(grouped, P41_V2, &[]);
    assert_eq!(c.kind, CoverageKind::Incomplete, "{}", c.summary());
    assert_eq!(c.misses.len(), 1);
    assert_eq!(c.misses[0].id, "DescribeFlowLogs/delivery-logs/us-east-1/error-UnauthorizedOperation");
    assert!(c.misses[0].why.contains(r#"$.sourceIPAddress != "delivery.logs.amazonaws.com""#), "{}", c.misses[0].why);
    // v1.2's two-term pattern also counts HeadBucket and delivery.logs AccessDenied: broader.
    let c = cov(P41_V12, P41_V2, &[]);
    assert_eq!(c.kind, CoverageKind::Broader);
    assert!(c.extra_matches.contains(&"HeadBucket/iam-user/cli/us-east-1/error-AccessDenied".to_string()));
    assert!(c.extra_matches.contains(&"GetBucketAcl/delivery-logs/us-east-1/error-AccessDenied".to_string()));
    // The v1.3 all-`||` form matches almost everything.
    let c = cov(P41_V13, P41_V2, &[]);
    assert_eq!(c.kind, CoverageKind::Broader);
    assert!(c.extra_matches.len() > 500);
    // The benchmark counts KMS's AccessDeniedException but not other errors.
    let p = parse(P41_V2).unwrap();
    let by_id = |id: &str| corpus().iter().find(|r| r.id == id).unwrap_or_else(|| panic!("{id}"));
    for (id, want) in [
        ("Decrypt/assumed-role/sdk/us-east-1/error-AccessDeniedException", true),
        ("GetRole/iam-user/cli/us-east-1/error-NoSuchEntityException", false),
        ("DescribeInstances/assumed-role/sdk/eu-west-1/error-RequestLimitExceeded", false),
        ("GetObject/anonymous/us-east-1/error-AccessDenied", true),
        ("RunInstances/iam-user/cli/ap-southeast-2/error-UnauthorizedOperation", true),
        ("RunInstances/iam-user/console/us-east-1", false),
    ] {
        let r = by_id(id);
        assert_eq!(p.matches(&r.event, &r.raw), want, "{id}");
    }
}

#[test]
fn iam_policy_changes_restricted_to_iam_misses_organizations_policies() {
    let p = format!("{{ ($.eventSource = iam.amazonaws.com) && ({}) }}", &P44[1..P44.len() - 1]);
    let c = cov(&p, P44, E44);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    let events: Vec<String> = c.miss_groups().into_iter().map(|g| g.event).collect();
    assert_eq!(
        events,
        vec!["CreatePolicy (organizations.amazonaws.com)", "DeletePolicy (organizations.amazonaws.com)"]
    );
}

#[test]
fn root_and_console_controls() {
    let by_id = |id: &str| corpus().iter().find(|r| r.id == id).unwrap_or_else(|| panic!("{id}")).clone();
    let p43 = parse(P43).unwrap();
    for (id, want) in [
        ("ConsoleLogin/root/success/mfa-yes/us-east-1", true),
        ("DeleteTrail/root/console/us-east-1", true),
        ("GetBucketAcl/root/invokedBy-config/us-east-1", false),
        ("GetAccountSummary/root/AwsServiceEvent/us-east-1", false),
        ("RotateKey/aws-service/AwsServiceEvent/us-east-1", false),
        ("DeleteTrail/iam-user/console/us-east-1", false),
    ] {
        let r = by_id(id);
        assert_eq!(p43.matches(&r.event, &r.raw), want, "{id}");
    }
    let (a, b, f) = (parse(P42_A).unwrap(), parse(P42_B).unwrap(), parse(P46).unwrap());
    for (id, wa, wb, wf) in [
        ("ConsoleLogin/iam-user/success/mfa-yes/us-east-1", false, false, false),
        ("ConsoleLogin/iam-user/success/mfa-no/eu-west-1", true, true, false),
        ("ConsoleLogin/iam-user/failure/failed-authentication/us-east-1", true, false, true),
        ("ConsoleLogin/iam-user/failure/no-username/us-east-1", true, false, false),
        ("ConsoleLogin/root/success/mfa-no/us-east-1", true, false, false),
        ("ConsoleLogin/assumed-role/success/sso/us-east-1", true, false, false),
    ] {
        let r = by_id(id);
        assert_eq!(a.matches(&r.event, &r.raw), wa, "4.2a {id}");
        assert_eq!(b.matches(&r.event, &r.raw), wb, "4.2b {id}");
        assert_eq!(f.matches(&r.event, &r.raw), wf, "4.6 {id}");
    }
    // The 4-term 4.2 pattern is narrower than the 2-term one.
    let c = cov(P42_B, P42_A, &["ConsoleLogin"]);
    assert_eq!(c.kind, CoverageKind::Incomplete);
    // 4.3 without the invokedBy clause is broader.
    let c = cov(r#"{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }"#, P43, &[]);
    assert_eq!(c.kind, CoverageKind::Broader);
    assert!(c.extra_matches.iter().any(|id| id.contains("invokedBy")), "{:?}", c.extra_matches);
}

#[test]
fn required_event_missing_from_oracle_is_flagged() {
    let c = cov(P410_V3, P410_V3, E410_V5);
    assert_eq!(c.oracle_gaps, vec!["ModifySecurityGroupRules".to_string()]);
    assert!(c.summary().contains("data error"));
    let c = cov(P410_V3, P410_V3, &["NoSuchEventAnywhere"]);
    assert_eq!(c.oracle_gaps, vec!["NoSuchEventAnywhere".to_string()]);
}

#[test]
fn static_contradictions() {
    let cases = [
        "{ $.a = 1 && $.a = 2 }",
        r#"{ $.x = "A" && $.x = "B" }"#,
        r#"{ $.x = "A" && $.x != "A" }"#,
        "{ $.a > 5 && $.a < 3 }",
        "{ $.a >= 5 && $.a < 5 }",
        "{ $.a NOT EXISTS && $.a = 1 }",
        "{ $.a IS NULL && $.a IS TRUE }",
        "{ $.a IS TRUE && $.a IS FALSE }",
        r#"{ $.a NOT EXISTS && $.a.b = "x" }"#,
        r#"{ $.a = "x" && $.a.b = "y" }"#,
        r#"{ $.e = "Create*" && $.e = "Delete*" }"#,
        r#"{ $.e = "A" && ($.e = "B" || $.e = "C") }"#,
        r#"{ ($.e = "A" && $.e = "B") || ($.f = 1 && $.f = 2) }"#,
        "ERROR -ERR",
    ];
    for p in cases {
        let c = contradiction(&parse(p).unwrap());
        assert!(c.is_some(), "{p}");
        let cv = cov(p, P410_V3, E410_V3);
        assert!(cv.never_matches, "{p}");
    }
    let fine = [
        "{ $.a = 1 || $.a = 2 }",
        r#"{ $.e = "Create*" && $.e = "*Group" }"#,
        "{ $.a >= 5 && $.a <= 5 }",
        r#"{ $.a = "1" && $.a = 1 }"#,
        r#"{ $.a[*] = "x" && $.a[*] = "y" }"#,
        r#"{ $.e = "A" && ($.e = "B" || $.e = "A") }"#,
        r#"{ $.a != "x" && $.a != "y" }"#,
        "ERROR -WARN",
        "{ $.a NOT EXISTS && $.a.b NOT EXISTS }",
    ];
    for p in fine {
        assert!(contradiction(&parse(p).unwrap()).is_none(), "{p}");
    }
}

// ------------------------------------------------------------------ evaluation

#[test]
fn json_semantics() {
    let (e, _) = ev(json!({
        "eventName": "CreateTrail", "latency": 250, "ratio": "0.5", "admin": true, "guest": false,
        "email": null, "user": {"id": 1, "name": "Alice"},
        "items": [{"id": 1, "tag": "a"}, {"id": 2, "tag": "b"}], "coordinates": [[0, 1], [2, 3]],
        "errorCode": "Client.UnauthorizedOperation", "code": 403
    }));
    let yes = [
        "{ $.eventName = CreateTrail }",
        r#"{ $.eventName = "CreateTrail" }"#,
        r#"{ $.eventName = "Create*" }"#,
        r#"{ $.eventName = "*Trail" }"#,
        r#"{ $.eventName = "C*e*T*l" }"#,
        "{ $.eventName = * }",
        r#"{ $.errorCode = "*UnauthorizedOperation" }"#,
        "{ $.latency > 200 }",
        "{ $.latency >= 250 && $.latency <= 250 && $.latency = 250 && $.latency != 251 }",
        "{ $.latency < 250.5 }",
        "{ $.ratio = 0.5 }",
        r#"{ $.code = "403" }"#,
        "{ $.code = 403 }",
        "{ $.admin IS TRUE && $.guest IS FALSE }",
        "{ $.email IS NULL }",
        "{ $.missing NOT EXISTS }",
        "{ $.user.name = Alice && $.user.id = 1 }",
        "{ $.items[1].tag = b }",
        "{ $.items[*].tag = b }",
        "{ $.coordinates[1][0] = 2 }",
        "{ $.eventName = %^Create% }",
        "{ $.eventName != %Delete% }",
        "{ $.eventName != DeleteTrail }",
        "{ $.admin = true }",
        "{ $.eventName = CreateTrail is null || $.latency > 1 }",
    ];
    for p in yes {
        if p.contains("is null ||") {
            // `CreateTrail is null` is not a value: the bare value ends at the space.
            assert!(parse(p).is_err(), "{p}");
            continue;
        }
        assert!(m(p, &e), "should match: {p}");
    }
    let no = [
        "{ $.eventname = CreateTrail }",
        "{ $.eventName = createtrail }",
        "{ $.eventName = Create }",
        r#"{ $.eventName = "Trail*" }"#,
        "{ $.missing != x }",
        "{ $.missing = * }",
        "{ $.email = * }",
        "{ $.email != x }",
        "{ $.user != x }",
        "{ $.missing IS NULL }",
        "{ $.eventName NOT EXISTS }",
        "{ $.latency > 250 }",
        "{ $.eventName > 1 }",
        "{ $.items[5].tag = a }",
        "{ $.items[*].tag = c }",
        "{ $.admin IS FALSE }",
        "{ $.guest IS TRUE }",
        "{ $.eventName = %^Trail% }",
    ];
    for p in no {
        assert!(!m(p, &e), "should not match: {p}");
    }
}

#[test]
fn precedence_and_binds_tighter_than_or() {
    let (e, _) = ev(json!({"a": 1, "b": 0, "c": 0}));
    assert!(m("{ $.a = 1 || $.b = 1 && $.c = 1 }", &e));
    assert!(!m("{ ($.a = 1 || $.b = 1) && $.c = 1 }", &e));
    assert!(m("{ $.b = 1 && $.c = 1 || $.a = 1 }", &e));
    assert_eq!(
        parse("{ $.a = 1 || $.b = 1 && $.c = 1 }").unwrap(),
        parse("{ $.a = 1 || ($.b = 1 && $.c = 1) }").unwrap()
    );
}

#[test]
fn term_semantics() {
    let raw = "[ERROR] Caught IllegalArgumentException: Failed to process the request";
    let t = |p: &str| evaluate(p, raw).unwrap();
    assert!(t(""));
    assert!(t("   "));
    assert!(t("ERROR"));
    assert!(t("ERROR Exception"));
    assert!(t("Argument"), "substring match");
    assert!(t(r#""Failed to process""#));
    assert!(!t(r#""failed to process""#), "case-sensitive");
    assert!(!t("error"));
    assert!(!t("ERROR WARN"));
    assert!(t("?WARN ?ERROR"));
    assert!(!t("?WARN ?DEBUG"));
    assert!(!t("ERROR -Exception"));
    assert!(t("ERROR -WARN"));
    assert!(t(r#"ERROR -"Failed to send""#));
    assert!(!t("?WARN ?ERROR -Failed"));
    assert!(t("%Illegal[A-Z]rg%"));
    assert!(!t("%^Caught%"));
    assert!(t("%request$%"));
    // JSON patterns do not match non-JSON text; term patterns do match JSON text.
    assert!(!t("{ $.a NOT EXISTS }"));
    assert!(evaluate("CreateTrail", r#"{"eventName":"CreateTrail"}"#).unwrap());
}

#[test]
fn explanations() {
    let (e, raw) = ev(json!({"eventName": "RevokeSecurityGroupEgress", "userIdentity": {"type": "AssumedRole"}}));
    let p = parse(r#"{ ($.eventName = RevokeSecurityGroupEgress || $.eventName = CreateTrail) && $.userIdentity.type = "IAMUser" }"#).unwrap();
    let x = p.explain(&e, &raw);
    assert!(!x.matched);
    assert_eq!(x.clause.as_deref(), Some(r#"$.userIdentity.type = "IAMUser""#));
    assert_eq!(x.to_string(), r#"`$.userIdentity.type = "IAMUser"` rejects it ($.userIdentity.type is "AssumedRole")"#);
    let p = parse("{ $.eventName = CreateTrail || $.eventName = RevokeSecurityGroupEgress }").unwrap();
    let x = p.explain(&e, &raw);
    assert!(x.matched);
    assert_eq!(x.clause.as_deref(), Some(r#"$.eventName = "RevokeSecurityGroupEgress""#));
    let p = parse("{ $.eventName = CreateTrail || $.eventName = DeleteTrail }").unwrap();
    let x = p.explain(&e, &raw);
    assert!(!x.matched);
    assert!(
        x.detail.contains("none of its 2 alternatives holds") && x.detail.contains("RevokeSecurityGroupEgress"),
        "{x}"
    );
    let x = explain("ERROR -WARN", "WARN ERROR").unwrap();
    assert_eq!(x.to_string(), r#"`-WARN` rejects it (the event text contains "WARN")"#);
    assert_eq!(evaluate("{ $.a = 1 }", r#"{"a":1}"#), Ok(true));
}

// ------------------------------------------------------------------ parser

#[test]
fn parse_errors_have_positions() {
    let e = parse("{ ($.eventName = A }").unwrap_err();
    assert_eq!(e, ParseError { pos: 19, expected: "')'".into(), found: "'}'".into() });
    assert_eq!(e.to_string(), "at byte 19: expected ')' but found '}'");
    let e = parse("{ ($.a = 1) ($.b = 2) }").unwrap_err();
    assert_eq!(e.to_string(), "at byte 12: expected '&&', '||' or '}' but found '('");
    let e = parse("{ $.a = 1 && }").unwrap_err();
    assert_eq!((e.pos, e.found.as_str()), (13, "'}'"));
    let e = parse("{ $.a = 1 ").unwrap_err();
    assert_eq!(e.found, "end of input");
    let e = parse("[ip, user, status=404]").unwrap_err();
    assert!(e.expected.contains("space-delimited patterns are not supported"), "{e}");
    assert_eq!(e.pos, 0);
    let e = parse(r#"{ $.a > "x" }"#).unwrap_err();
    assert_eq!(e.pos, 8);
    assert!(e.expected.contains("a number"));
    assert!(parse(r#"{ $.a = "unterminated }"#).unwrap_err().to_string().contains("closing '\"'"));
    assert!(parse("{ $.a = %a(b)% }").unwrap_err().expected.contains("subpatterns"));
    assert!(parse("{ $.a = %x!% }").unwrap_err().found.contains('!'));
    assert!(parse("{ $.a = %[% }").unwrap_err().expected.contains("valid regular expression"));
    assert!(parse("{ $.a = %a% || $.b = %b% || $.c = %c% }").unwrap_err().expected.contains("at most 2"));
    assert!(parse("{ $.a = %a% || $.b = %b% }").is_ok());
    assert!(parse("{ $.a = 1 } trailing").is_err());
    assert!(parse("{ $ = 1 }").is_err());
    assert!(parse("{ $.a IS NOT NULL }").is_err());
    assert!(parse("{ $.a[x] = 1 }").is_err());
    assert!(parse("{ a = 1 }").is_err());
    assert!(parse("{}").is_err());
    assert!(parse("ERROR %x%").is_err());
    assert!(parse("%x% ERROR").is_err());
    assert!(parse(r#"ERROR "x"y"#).is_err());
    assert!(parse("? ERROR").is_err());
    assert!(parse(r#""""#).is_err());
    let long = format!("{{ $.a = \"{}\" }}", "x".repeat(1100));
    assert!(parse(&long).unwrap_err().expected.contains("1024"));
    // Multi-byte input never splits a character.
    assert!(parse("{ $.é = ü && }").is_err());
    assert!(parse("{ $.a = 1 ∧ $.b = 2 }").is_err());
}

#[test]
fn canonical_printing() {
    let p = parse(r#"{($.eventName=CreateTrail)||(($.a = 1) && ($.b NOT EXISTS || $.c is null))}"#).unwrap();
    assert_eq!(p.to_string(), r#"{ $.eventName = "CreateTrail" || ($.a = 1 && ($.b NOT EXISTS || $.c IS NULL)) }"#);
    let p = parse(r#"?ERROR  -"not found" Exception"#).unwrap();
    assert_eq!(p.to_string(), r#"?ERROR -"not found" Exception"#);
    assert_eq!(parse("").unwrap(), Pattern::MatchAll);
    assert_eq!(parse("").unwrap().to_string(), "");
    assert_eq!(parse(r#"{ $.a = "q\"x\\y" }"#).unwrap().to_string(), r#"{ $.a = "q\"x\\y" }"#);
    assert_eq!(parse("{ $.a = -1.50 }").unwrap().to_string(), "{ $.a = -1.5 }");
    assert_eq!(parse(r#"{ $.a[*].b[0] = "1" }"#).unwrap().to_string(), r#"{ $.a[*].b[0] = "1" }"#);
}

// ------------------------------------------------------------------ properties

mod props {
    use super::super::*;
    use proptest::prelude::*;

    fn selector() -> impl Strategy<Value = Selector> {
        let seg = prop_oneof![
            4 => "[a-zA-Z_][a-zA-Z0-9_:@#-]{0,8}".prop_map(Segment::Key),
            1 => (0usize..20).prop_map(Segment::Index),
            1 => Just(Segment::AnyIndex),
        ];
        prop::collection::vec(seg, 1..4).prop_map(|segments| Selector { segments })
    }

    fn regex_lit() -> impl Strategy<Value = RegexLit> {
        ("\\^?", "[a-zA-Z0-9_:#=@/;,-]{1,6}", prop::option::of("[a-z]{1,4}"), "\\$?").prop_map(|(a, b, c, d)| {
            let src = match c {
                Some(c) => format!("{a}{b}.*{c}{d}"),
                None => format!("{a}{b}{d}"),
            };
            RegexLit::new(&src).unwrap()
        })
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![(-100000i64..100000).prop_map(|n| n as f64), (-100000i64..100000).prop_map(|n| n as f64 / 100.0)]
    }

    fn comparison() -> impl Strategy<Value = Comparison> {
        let test = prop_oneof![
            4 => (prop_oneof![Just(Op::Eq), Just(Op::Ne)], "\\PC{0,12}").prop_map(|(o, s)| Test::Op(o, Value::Str(s))),
            2 => (prop_oneof![Just(Op::Eq), Just(Op::Ne), Just(Op::Lt), Just(Op::Le), Just(Op::Gt), Just(Op::Ge)], number())
                .prop_map(|(o, n)| Test::Op(o, Value::Num(n))),
            1 => (prop_oneof![Just(Op::Eq), Just(Op::Ne)], regex_lit()).prop_map(|(o, r)| Test::Op(o, Value::Regex(r))),
            1 => prop_oneof![Just(Test::IsNull), Just(Test::NotExists), Just(Test::IsTrue), Just(Test::IsFalse)],
        ];
        (selector(), test).prop_map(|(selector, test)| Comparison { selector, test })
    }

    fn expr() -> impl Strategy<Value = Expr> {
        comparison().prop_map(Expr::Cmp).prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
                prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
            ]
        })
    }

    fn term() -> impl Strategy<Value = Term> {
        let kind = prop_oneof![Just(TermKind::Required), Just(TermKind::Optional), Just(TermKind::Excluded)];
        (kind, "\\PC{1,10}").prop_map(|(kind, text)| Term { kind, text })
    }

    fn pattern() -> impl Strategy<Value = Pattern> {
        prop_oneof![
            1 => Just(Pattern::MatchAll),
            3 => prop::collection::vec(term(), 1..5).prop_map(Pattern::Terms),
            1 => regex_lit().prop_map(Pattern::Regex),
            6 => expr().prop_map(Pattern::Json),
        ]
        .prop_map(Pattern::normalized)
        .prop_filter("within CloudWatch limits", |p| {
            let regexes = match p {
                Pattern::Json(e) => {
                    e.comparisons().iter().filter(|c| matches!(c.test, Test::Op(_, Value::Regex(_)))).count()
                }
                _ => 0,
            };
            regexes <= MAX_REGEX_PER_PATTERN && p.to_string().chars().count() <= MAX_PATTERN_LEN
        })
    }

    proptest! {
        #[test]
        fn parser_never_panics_on_arbitrary_text(s in "\\PC{0,80}") {
            let _ = parse(&s);
        }

        #[test]
        fn parser_never_panics_on_pattern_like_text(s in r#"[{}()\[\]$.*%"=!<>&| a-zA-Z0-9?_\\-]{0,60}"#) {
            if let Err(e) = parse(&s) {
                prop_assert!(e.pos <= s.len());
                prop_assert!(s.is_char_boundary(e.pos));
            }
        }

        #[test]
        fn print_then_parse_is_identity(p in pattern()) {
            let printed = p.to_string();
            let back = parse(&printed);
            prop_assert_eq!(back, Ok(p), "printed: {}", printed);
        }

        #[test]
        fn evaluation_never_panics(p in pattern(), s in "\\PC{0,40}") {
            let event = serde_json::json!({"a": s, "b": [1, {"c": null}], "n": 3});
            let raw = event.to_string();
            let m = p.matches(&event, &raw);
            prop_assert_eq!(p.explain(&event, &raw).matched, m);
            // A statically contradictory pattern never matches.
            if contradiction(&p).is_some() {
                prop_assert!(!m);
            }
        }
    }
}
