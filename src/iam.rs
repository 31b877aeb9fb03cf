//! The IAM permissions cis-audit needs, as the one source of truth: `cis-audit iam-policy`
//! prints them as a policy, the README's permission lists are generated from them, and the tests
//! check that every call an audit or a remediation makes (`stats.api_calls`, named as IAM
//! actions) is allowed by them.
//!
//! The audit is read-only: no action of [`AUDIT`] creates, changes or deletes anything.

use serde_json::{json, Value};

/// One permission and why cis-audit needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Permission {
    pub action: &'static str,
    pub why: &'static str,
}

const fn p(action: &'static str, why: &'static str) -> Permission {
    Permission { action, why }
}

/// What every audit reads, in each audited account.
pub(crate) const AUDIT: &[Permission] = &[
    p("sts:GetCallerIdentity", "the account the credentials belong to"),
    p("account:ListRegions", "the regions enabled for the account"),
    p("cloudtrail:DescribeTrails", "3.1: the trails, organization trails included"),
    p("cloudtrail:GetTrailStatus", "3.1: whether a trail is logging; its last CloudWatch Logs delivery"),
    p("cloudtrail:GetEventSelectors", "3.1: whether a trail records every management event"),
    p("config:DescribeConfigurationRecorders", "3.3: the recorder of each region"),
    p("config:DescribeConfigurationRecorderStatus", "3.3: whether it is recording"),
    p("config:DescribeDeliveryChannels", "3.3: where it delivers"),
    p("logs:DescribeMetricFilters", "4.x: the filters on the trail's log group"),
    p("logs:DescribeLogGroups", "4.x / remediation: whether a log group exists"),
    p("cloudwatch:DescribeAlarmsForMetric", "4.x: the alarms on each filter's metric"),
    p("cloudwatch:DescribeAlarms", "remediation: the alarms a plan must not clash with"),
    p("sns:ListSubscriptionsByTopic", "4.x: whether someone confirmed a subscription"),
    p("sns:GetTopicAttributes", "4.x: the topic policy and encryption key (can the alert be delivered?)"),
    p(
        "sns:GetSubscriptionAttributes",
        "4.x: each confirmed subscriber's filter policy (does it receive the alarm's notification?)",
    ),
    p("sqs:GetQueueAttributes", "4.x: an SQS subscriber's queue policy and key (may the topic send to it?)"),
    p(
        "cloudwatch:DescribeAlarmHistory",
        "4.x, --evidence-days: whether each chain alarm fired and what its actions did",
    ),
    p(
        "cloudwatch:GetMetricData",
        "4.x, --evidence-days: events counted, notifications delivered/failed, rule invocations",
    ),
    p("kms:DescribeKey", "4.x: the key a topic is encrypted with"),
    p("kms:GetKeyPolicy", "4.x: whether that key lets CloudWatch / EventBridge publish"),
    p("events:ListRules", "4.x: the EventBridge rules of each region (the real-time route)"),
    p("events:ListTargetsByRule", "4.x: where each rule sends its events"),
    p("ec2:DescribeSecurityGroups", "5.1.2, 5.3, 5.4, 5.5: the security groups and their rules"),
    p("ec2:DescribeNetworkInterfaces", "5.3–5.5: what is attached to an open or a default security group"),
    p("ec2:DescribeNetworkAcls", "5.2: the network ACLs and their entries"),
    p("ec2:DescribeVpcs", "3.7: the VPCs of each region"),
    p("ec2:DescribeFlowLogs", "3.7: the flow logs of each VPC"),
    p("ec2:GetEbsEncryptionByDefault", "5.1.1: EBS encryption by default, per region"),
    p("ec2:DescribeInstances", "5.7: each instance's metadata options"),
    p("ec2:DescribeVpcEndpoints", "v7.0.0 6.8: the VPC endpoints of each region, for the assessor"),
    p("ec2:DescribeVpcPeeringConnections", "5.6: the peering connections, for the assessor"),
    p("ec2:DescribeRouteTables", "5.6: the routes through a peering connection"),
    p("kms:ListKeys", "3.6: the keys of each region"),
    p("kms:GetKeyRotationStatus", "3.6: whether a customer managed key rotates"),
    p("securityhub:DescribeHub", "4.16: whether Security Hub is enabled in a region"),
    p("iam:GetAccountPasswordPolicy", "1.7, 1.8 (v1.2.0: 1.5–1.11): the account password policy"),
    p("iam:GenerateCredentialReport", "1.3–1.6, 1.9–1.13, 1.20: have IAM generate the credential report"),
    p("iam:GetCredentialReport", "1.3–1.6, 1.9–1.13, 1.20: the credential report (root and every user's credentials)"),
    p("iam:GetAccountSummary", "1.3–1.5: the root user's access keys, MFA and password"),
    p("iam:ListVirtualMFADevices", "1.5: whether the root user's MFA is a virtual device"),
    p("iam:ListUsers", "1.14: the IAM users"),
    p("iam:ListAttachedUserPolicies", "1.14: the managed policies attached to a user"),
    p("iam:ListUserPolicies", "1.14: a user's inline policies"),
    p("iam:ListPolicies", "1.15: the customer managed and the attached AWS managed policies"),
    p("iam:GetPolicyVersion", "1.15: each policy's default version's document"),
    p("iam:ListEntitiesForPolicy", "1.16, 1.21: who holds AWSSupportAccess and AWSCloudShellFullAccess"),
    p("iam:ListServerCertificates", "1.18: the server certificates stored in IAM and their expiry"),
    p("iam:ListInstanceProfiles", "1.17: whether an instance's profile holds a role"),
    p("iam:ListSAMLProviders", "1.20: the identity providers, for the assessor"),
    p("iam:ListOpenIDConnectProviders", "1.20: the identity providers, for the assessor"),
    p("iam:ListOrganizationsFeatures", "v7.0.0 2.1.1: centralised root access in AWS Organizations"),
    p("access-analyzer:ListAnalyzers", "1.19: the IAM Access Analyzer analyzers of each region"),
    p("account:GetAlternateContact", "1.1, 1.2: the security, billing and operations contacts"),
    p("s3:ListAllMyBuckets", "2.1.x, 3.4, 3.8, 3.9: the account's buckets (ListBuckets)"),
    p("s3:GetBucketLocation", "2.1.x, 3.4: a bucket's region, where it is read"),
    p("s3:GetBucketPolicy", "2.1.1, 2.1.4: whether the policy denies HTTP, or lets anyone read"),
    p("s3:GetBucketAcl", "2.1.4 (v1.2.0 2.3): whether the ACL grants AllUsers or AuthenticatedUsers"),
    p("s3:GetBucketPublicAccessBlock", "2.1.4: a bucket's Block Public Access settings"),
    p("s3:GetAccountPublicAccessBlock", "2.1.4: the account's Block Public Access settings (S3 Control)"),
    p("s3:GetBucketVersioning", "2.1.2: versioning and MFA Delete"),
    p("s3:GetEncryptionConfiguration", "v1.4.0 2.1.1: a bucket's default encryption"),
    p("s3:GetBucketLogging", "3.4: server access logging of the CloudTrail bucket"),
    p("rds:DescribeDBInstances", "2.2.x: every RDS instance (encryption, upgrades, public access, Multi-AZ)"),
    p("rds:DescribeDBClusters", "2.2.x: Aurora and Multi-AZ DB clusters, judged per cluster"),
    p("elasticfilesystem:DescribeFileSystems", "2.3.1: whether each EFS file system is encrypted"),
];

/// What `--organization` adds, in the management (or delegated administrator) account.
pub(crate) const ORGANIZATION: &[Permission] = &[
    p("organizations:DescribeOrganization", "the organization and its management account"),
    p("organizations:ListAccounts", "every account, with its status"),
    p("organizations:ListRoots", "the organization's root, where the OU tree starts"),
    p(
        "organizations:ListOrganizationalUnitsForParent",
        "the OUs under each root and OU (reports group accounts by OU)",
    ),
    p("organizations:ListAccountsForParent", "the accounts directly under each root and OU"),
];

/// What `--send-to-security-hub` adds, in each audited account.
pub(crate) const SECURITY_HUB: &[Permission] = &[p("securityhub:BatchImportFindings", "import the findings")];

/// What `--remediate` (and `rollback`) adds: the writes of the plan's steps and their inverses,
/// and the reads that observe each resource before and after a step.
pub(crate) const REMEDIATION: &[Permission] = &[
    p("events:DescribeRule", "observe a rule before and after a step"),
    p("cloudtrail:CreateTrail", "3.1: a multi-region trail when there is none"),
    p(
        "cloudtrail:UpdateTrail",
        "3.1, 3.2: make a trail multi-region, deliver it to CloudWatch Logs, validate its log files",
    ),
    p("cloudtrail:PutEventSelectors", "3.1: record every management event (data selectors kept)"),
    p("cloudtrail:StartLogging", "3.1: a trail that is not logging"),
    p("cloudtrail:StopLogging", "rollback of StartLogging"),
    p("cloudtrail:DeleteTrail", "rollback of CreateTrail"),
    p("logs:CreateLogGroup", "the trail's log group"),
    p("logs:DeleteLogGroup", "rollback of CreateLogGroup"),
    p("logs:PutMetricFilter", "4.x: the benchmark's filter"),
    p("logs:DeleteMetricFilter", "rollback of PutMetricFilter"),
    p("cloudwatch:PutMetricAlarm", "4.x: the alarm on the filter's metric"),
    p("cloudwatch:DeleteAlarms", "rollback of PutMetricAlarm"),
    p("sns:CreateTopic", "4.x: the topic alarms and rules notify"),
    p("sns:DeleteTopic", "rollback of CreateTopic"),
    p("sns:Subscribe", "4.x: --notify"),
    p("sns:Unsubscribe", "rollback of Subscribe"),
    p("sns:SetTopicAttributes", "--route eventbridge: the statement that lets the rules publish"),
    p("events:PutRule", "--route eventbridge: the rule in each region"),
    p("events:DeleteRule", "rollback of PutRule"),
    p("events:PutTargets", "--route eventbridge: the rule's topic target"),
    p("events:RemoveTargets", "rollback of PutTargets"),
    p("config:PutConfigurationRecorder", "3.3: a recorder of all resources"),
    p("config:DeleteConfigurationRecorder", "rollback of PutConfigurationRecorder"),
    p("config:PutDeliveryChannel", "3.3: its delivery channel"),
    p("config:DeleteDeliveryChannel", "rollback of PutDeliveryChannel"),
    p("config:StartConfigurationRecorder", "3.3: start recording"),
    p("config:StopConfigurationRecorder", "rollback of StartConfigurationRecorder"),
    p("ec2:EnableEbsEncryptionByDefault", "5.1.1: EBS encryption by default on"),
    p("ec2:DisableEbsEncryptionByDefault", "rollback of EnableEbsEncryptionByDefault"),
    p("kms:EnableKeyRotation", "3.6: rotation of a customer managed key on"),
    p("kms:DisableKeyRotation", "rollback of EnableKeyRotation"),
    p("securityhub:EnableSecurityHub", "4.16: Security Hub enabled (without default standards)"),
    p("securityhub:DisableSecurityHub", "rollback of EnableSecurityHub"),
    p(
        "iam:UpdateAccountPasswordPolicy",
        "1.7, 1.8: the password policy made at least as strict (rollback restores it)",
    ),
    p("iam:DeleteAccountPasswordPolicy", "rollback of a password policy where there was none"),
    p("ec2:CreateFlowLogs", "3.7: a flow log of rejected traffic for each VPC without one (with --flow-logs-role-arn)"),
    p("ec2:DeleteFlowLogs", "rollback of CreateFlowLogs"),
    p("access-analyzer:CreateAnalyzer", "1.19: an external access analyzer in a region without one"),
    p("access-analyzer:DeleteAnalyzer", "rollback of CreateAnalyzer (the analyzer cis-audit created only)"),
    p(
        "s3:PutAccountPublicAccessBlock",
        "2.1.4: the account's Block Public Access on; rollback restores (or deletes) the previous configuration",
    ),
    p("ec2:RevokeSecurityGroupIngress", "5.5 with --remediate-default-sg: the default group's inbound rules"),
    p("ec2:RevokeSecurityGroupEgress", "5.5 with --remediate-default-sg: the default group's outbound rules"),
    p("ec2:AuthorizeSecurityGroupIngress", "rollback of the default group's inbound rules, byte for byte"),
    p("ec2:AuthorizeSecurityGroupEgress", "rollback of the default group's outbound rules, byte for byte"),
];

/// What `drill` adds (and the rollback of a drill's journal): creating, changing and deleting
/// its own tagged resources and temporary queue, and watching the alert travel. The drill also
/// makes the audit's reads of the drilled controls.
pub(crate) const DRILL: &[Permission] = &[
    p("ec2:CreateSecurityGroup", "4.10 drill: its own security group, tagged cis-audit-drill"),
    p("ec2:AuthorizeSecurityGroupIngress", "4.10 drill: one rule (tcp/443 from 192.0.2.0/24) on its own group"),
    p("ec2:RevokeSecurityGroupIngress", "4.10 drill: that rule revoked"),
    p("ec2:DeleteSecurityGroup", "4.10 drill: its own group deleted (only one carrying its tag)"),
    p("ec2:CreateNetworkAcl", "4.11 drill: its own network ACL, tagged cis-audit-drill"),
    p("ec2:DeleteNetworkAcl", "4.11 drill: that network ACL deleted"),
    p("ec2:CreateRouteTable", "4.13 drill: its own route table, tagged cis-audit-drill"),
    p("ec2:DeleteRouteTable", "4.13 drill: that route table deleted"),
    p("ec2:CreateTags", "the cis-audit-drill tag, set when each resource is created"),
    p("ec2:DescribeRouteTables", "finding the drill's route table by its tag"),
    p("iam:CreatePolicy", "4.4 drill: its own customer-managed policy cis-audit-drill-<id>, never attached"),
    p("iam:TagPolicy", "the cis-audit-drill tag, set when that policy is created"),
    p("iam:GetPolicy", "finding that policy (by name and tag)"),
    p("iam:CreatePolicyVersion", "4.4 drill: a second version of it"),
    p("iam:ListPolicyVersions", "its versions, before it is deleted"),
    p("iam:DeletePolicyVersion", "its non-default version deleted"),
    p("iam:DeletePolicy", "4.4 drill: the policy deleted"),
    p("sqs:CreateQueue", "the temporary queue subscribed to the alarm's topic"),
    p("sqs:GetQueueUrl", "finding that queue"),
    p("sqs:ReceiveMessage", "the notification the topic delivered to it"),
    p("sqs:DeleteQueue", "that queue deleted"),
    p("sqs:TagQueue", "the cis-audit-drill tag of the queue, set when it is created"),
    p("sns:Subscribe", "the queue subscribed to the alarm's topic"),
    p("sns:Unsubscribe", "that subscription removed"),
    p("logs:FilterLogEvents", "the CloudTrail record of the change in the trail's log group"),
    p("cloudwatch:GetMetricStatistics", "the filter metric's data point"),
];

/// The services remediation hands an IAM role to (`--cloudtrail-logs-role-arn`,
/// `--config-role-arn`): `iam:PassRole` is allowed for them only.
pub(crate) const PASS_ROLE_TO: &[&str] =
    &["cloudtrail.amazonaws.com", "config.amazonaws.com", "vpc-flow-logs.amazonaws.com"];

/// Which parts of cis-audit a policy is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub remediation: bool,
    pub drill: bool,
    pub organization: bool,
    pub security_hub: bool,
    /// The role assumed in member accounts (`--member-role`), for `sts:AssumeRole`.
    pub member_role: Option<String>,
    /// Roles audited through `--role-arn` (ARNs, `*` allowed), for `sts:AssumeRole`.
    pub role_arns: Vec<String>,
    /// The partition of the member roles' ARNs (`aws`, `aws-us-gov`, `aws-cn`).
    pub partition: String,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            remediation: false,
            drill: false,
            organization: false,
            security_hub: false,
            member_role: None,
            role_arns: vec![],
            partition: "aws".into(),
        }
    }
}

/// Whether the scope allows `action` (`sts:AssumeRole` counts when roles are assumed).
#[cfg(test)]
pub(crate) fn allows(s: &Scope, action: &str) -> bool {
    actions(s).contains(&action)
        || (action == "sts:AssumeRole" && (s.organization || s.member_role.is_some() || !s.role_arns.is_empty()))
}

/// Every action the scope allows.
pub(crate) fn actions(s: &Scope) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = AUDIT.iter().map(|p| p.action).collect();
    if s.organization {
        v.extend(ORGANIZATION.iter().map(|p| p.action));
    }
    if s.security_hub {
        v.extend(SECURITY_HUB.iter().map(|p| p.action));
    }
    if s.remediation {
        v.extend(REMEDIATION.iter().map(|p| p.action));
    }
    if s.drill {
        v.extend(DRILL.iter().map(|p| p.action));
    }
    v.sort();
    v.dedup();
    v
}

/// The identity-based policy for the scope.
pub(crate) fn policy(s: &Scope) -> Value {
    let read = actions(&Scope { remediation: false, drill: false, security_hub: false, ..s.clone() });
    let mut statements = vec![json!({"Sid": "CisAuditRead", "Effect": "Allow", "Action": read, "Resource": "*"})];
    if s.security_hub {
        let import: Vec<&str> = SECURITY_HUB.iter().map(|p| p.action).collect();
        statements.push(json!({"Sid": "CisAuditSecurityHub", "Effect": "Allow", "Action": import, "Resource": "*"}));
    }
    let mut roles: Vec<String> = s.role_arns.clone();
    if s.organization || s.member_role.is_some() {
        let role = s.member_role.clone().unwrap_or_else(|| "OrganizationAccountAccessRole".into());
        roles.push(format!("arn:{}:iam::*:role/{role}", s.partition));
    }
    if !roles.is_empty() {
        statements.push(
            json!({"Sid": "CisAuditAssumeRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": roles}),
        );
    }
    if s.remediation {
        let mut writes: Vec<&str> = REMEDIATION.iter().map(|p| p.action).collect();
        writes.sort();
        statements.push(json!({"Sid": "CisAuditRemediate", "Effect": "Allow", "Action": writes, "Resource": "*"}));
        statements.push(json!({
            "Sid": "CisAuditPassRoleToCloudTrailAndConfig",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": PASS_ROLE_TO}},
        }));
    }
    if s.drill {
        let mut writes: Vec<&str> = DRILL.iter().map(|p| p.action).collect();
        writes.sort();
        statements.push(json!({"Sid": "CisAuditDrill", "Effect": "Allow", "Action": writes, "Resource": "*"}));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The CloudFormation template (YAML) of the read-only member role, for a StackSet: trusted by
/// the auditing account, with the audit's read permissions (and Security Hub's import with
/// `--security-hub`). Long-form intrinsic functions only, so any YAML parser reads it.
pub(crate) fn cloudformation(s: &Scope) -> String {
    let role = s.member_role.clone().unwrap_or_else(|| "CisAuditReadOnly".into());
    let read =
        actions(&Scope { remediation: false, drill: false, security_hub: false, organization: false, ..s.clone() });
    let mut t = format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Description: Read-only role for cis-audit --organization --member-role {role} (generated by cis-audit {version})
Parameters:
  AuditorAccountId:
    Type: String
    AllowedPattern: "[0-9]{{12}}"
    Description: The account cis-audit runs from (management account or delegated administrator)
Resources:
  CisAuditRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: {role}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS:
                Fn::Sub: "arn:${{AWS::Partition}}:iam::${{AuditorAccountId}}:root"
            Action: sts:AssumeRole
      Policies:
        - PolicyName: cis-audit-read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: CisAuditRead
                Effect: Allow
                Resource: "*"
                Action:
"#,
        version = env!("CARGO_PKG_VERSION")
    );
    for a in read {
        t.push_str(&format!("                  - {a}\n"));
    }
    if s.security_hub {
        t.push_str("              - Sid: CisAuditSecurityHub\n                Effect: Allow\n                Resource: \"*\"\n                Action:\n");
        for p in SECURITY_HUB {
            t.push_str(&format!("                  - {}\n", p.action));
        }
    }
    t.push_str("Outputs:\n  RoleArn:\n    Value:\n      Fn::GetAtt: [CisAuditRole, Arn]\n");
    t
}

/// The README's permission lists: a markdown table per part.
pub(crate) fn markdown() -> String {
    let mut s = String::new();
    for (title, list) in [
        ("Audit (read-only, every audited account)", AUDIT),
        ("`--organization` (management or delegated administrator account)", ORGANIZATION),
        ("`--send-to-security-hub`", SECURITY_HUB),
        ("`--remediate` and `rollback`", REMEDIATION),
        ("`drill` (and `rollback` of its journal)", DRILL),
    ] {
        s.push_str(&format!("**{title}**\n\n| Action | Why |\n|---|---|\n"));
        for p in list {
            s.push_str(&format!("| `{}` | {} |\n", p.action, p.why));
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "Remediation also needs `iam:PassRole` for the roles it hands to {}; `--organization` and `--role-arn` need `sts:AssumeRole` on the roles they assume.\n",
        PASS_ROLE_TO.join(" and ")
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drill_policy_is_its_own_statement_and_creates_nothing_but_its_resources() {
        let v = policy(&Scope { drill: true, ..Default::default() });
        let sts = v["Statement"].as_array().unwrap();
        let drill = sts.iter().find(|s| s["Sid"] == "CisAuditDrill").expect("a drill statement");
        let list: Vec<&str> = drill["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        for a in &list {
            let verb = a.split(':').nth(1).unwrap();
            // What it creates: a security group, network ACL, route table, policy (and version), queue.
            if verb.starts_with("Create") {
                assert!(
                    [
                        "ec2:CreateSecurityGroup",
                        "ec2:CreateNetworkAcl",
                        "ec2:CreateRouteTable",
                        "ec2:CreateTags",
                        "sqs:CreateQueue",
                        "iam:CreatePolicy",
                        "iam:CreatePolicyVersion",
                    ]
                    .contains(a),
                    "{a}"
                );
            }
        }
        assert!(!actions(&Scope::default()).contains(&"sqs:CreateQueue"), "the audit policy has no drill write");
        // Every drill write an action makes is listed (and the calls made outside actions).
        for op in [
            "ec2:CreateSecurityGroup",
            "ec2:DeleteSecurityGroup",
            "sqs:CreateQueue",
            "sqs:DeleteQueue",
            "sns:Subscribe",
        ] {
            assert!(list.contains(&op), "{op}");
        }
    }

    #[test]
    fn the_audit_policy_is_read_only() {
        let writes = [
            "Put",
            "Create",
            "Delete",
            "Update",
            "Start",
            "Stop",
            "Set",
            "Subscribe",
            "Unsubscribe",
            "Remove",
            "Batch",
        ];
        for a in actions(&Scope { organization: true, ..Default::default() }) {
            let verb = a.split(':').nth(1).unwrap();
            assert!(!writes.iter().any(|w| verb.starts_with(w)), "{a} is not a read");
        }
    }

    #[test]
    fn every_action_remediation_or_rollback_can_run_is_allowed() {
        let s = Scope { remediation: true, ..Default::default() };
        let d = Scope { drill: true, ..Default::default() };
        // A network ACL entry is never deleted by cis-audit (a MANUAL step only): not allowed.
        let never = ["ec2:DeleteNetworkAclEntry"];
        for op in crate::actions::OPERATIONS.iter().filter(|o| !never.contains(o)) {
            assert!(allows(&s, op) || allows(&d, op), "{op} is not in the remediation or the drill policy");
        }
        // And nothing in the policy is unused by an action or a read (the two directions of a
        // security group's rules are one action each).
        let also = [
            "events:DescribeRule",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:AuthorizeSecurityGroupEgress",
            "iam:DeleteAccountPasswordPolicy",
        ];
        for p in REMEDIATION {
            assert!(
                crate::actions::OPERATIONS.contains(&p.action) || also.contains(&p.action),
                "{} is allowed but no action calls it",
                p.action
            );
        }
    }

    #[test]
    fn the_policy_is_valid_iam_json() {
        let v = policy(&Scope {
            remediation: true,
            drill: false,
            organization: true,
            security_hub: true,
            member_role: Some("R".into()),
            role_arns: vec![],
            partition: "aws-us-gov".into(),
        });
        let sts = v["Statement"].as_array().unwrap();
        assert_eq!(sts.len(), 5);
        assert!(sts
            .iter()
            .all(|s| s["Effect"] == "Allow" && s["Sid"].as_str().unwrap().chars().all(|c| c.is_ascii_alphanumeric())));
        assert_eq!(sts[2]["Resource"], json!(["arn:aws-us-gov:iam::*:role/R"]), "the partition's ARN");
        assert!(sts[1]["Action"].as_array().unwrap().contains(&json!("securityhub:BatchImportFindings")));
        assert!(!sts[0]["Action"].as_array().unwrap().contains(&json!("securityhub:BatchImportFindings")));
    }
}
