//! EC2 actions: EBS encryption by default, and the rules of a security group (removed only with
//! `--remediate-default-sg`, for a VPC's default group; restored byte for byte by rollback), and
//! the network ACL entry a person deletes (shown, never applied).

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::{ec2 as read, Collected, IpRule};
use serde::{Deserialize, Serialize};

/// EBS encryption by default of a region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EbsDefaultState {
    pub enabled: bool,
}

async fn observe_ebs(cx: &Cx<'_>) -> Result<EbsDefaultState, ActionError> {
    match read::ebs_encryption_by_default(cx.session, cx.rt, cx.region).await {
        Collected::Ok(enabled) => Ok(EbsDefaultState { enabled }),
        Collected::Error(e) => Err(e.into()),
    }
}

fn ec2(cx: &Cx<'_>) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&cx.config())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnableEbsEncryptionByDefault {}

impl Spec for EnableEbsEncryptionByDefault {
    const OPERATION: &'static str = "ec2:EnableEbsEncryptionByDefault";
    type State = EbsDefaultState;
    fn resource(&self) -> String {
        "EBS encryption by default".into()
    }
    fn cli(&self, region: &str) -> String {
        format!("aws ec2 enable-ebs-encryption-by-default --region {region}")
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<EbsDefaultState, ActionError> {
        observe_ebs(cx).await
    }
    fn precheck(&self, before: &EbsDefaultState) -> Precheck {
        if before.enabled {
            Precheck::AlreadyDone("EBS encryption by default is already on".into())
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &EbsDefaultState) -> bool {
        s.enabled
    }
    fn inverse(&self, before: &EbsDefaultState) -> Option<Action> {
        (!before.enabled).then(|| DisableEbsEncryptionByDefault {}.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        cx.call(Self::OPERATION, ec2(cx).enable_ebs_encryption_by_default().send()).await?;
        Ok(format!("EBS encryption by default is on in {}", cx.region))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisableEbsEncryptionByDefault {}

impl Spec for DisableEbsEncryptionByDefault {
    const OPERATION: &'static str = "ec2:DisableEbsEncryptionByDefault";
    type State = EbsDefaultState;
    fn resource(&self) -> String {
        "EBS encryption by default".into()
    }
    fn cli(&self, region: &str) -> String {
        format!("aws ec2 disable-ebs-encryption-by-default --region {region}")
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<EbsDefaultState, ActionError> {
        observe_ebs(cx).await
    }
    fn achieved(&self, s: &EbsDefaultState) -> bool {
        !s.enabled
    }
    fn inverse(&self, _before: &EbsDefaultState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        cx.call(Self::OPERATION, ec2(cx).disable_ebs_encryption_by_default().send()).await?;
        Ok(format!("EBS encryption by default is off in {}", cx.region))
    }
}

/// The rules of a security group, as EC2 returns them (None: the group does not exist).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupRulesState {
    pub exists: bool,
    pub ingress: Vec<IpRule>,
    pub egress: Vec<IpRule>,
}

async fn observe_rules(cx: &Cx<'_>, group: &str) -> Result<GroupRulesState, ActionError> {
    match read::security_groups(cx.session, cx.rt, cx.region).await {
        Collected::Ok(groups) => Ok(match groups.into_iter().find(|g| g.id == group) {
            Some(g) => GroupRulesState { exists: true, ingress: g.ingress, egress: g.egress },
            None => GroupRulesState::default(),
        }),
        Collected::Error(e) => Err(e.into()),
    }
}

/// A rule as the EC2 API (and `--ip-permissions`) takes it.
fn permission(r: &IpRule) -> aws_sdk_ec2::types::IpPermission {
    use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
    IpPermission::builder()
        .ip_protocol(&r.protocol)
        .set_from_port(r.from_port)
        .set_to_port(r.to_port)
        .set_ip_ranges(Some(r.ipv4.iter().map(|c| IpRange::builder().cidr_ip(c).build()).collect()))
        .set_ipv6_ranges(Some(r.ipv6.iter().map(|c| Ipv6Range::builder().cidr_ipv6(c).build()).collect()))
        .set_prefix_list_ids(Some(
            r.prefix_lists.iter().map(|p| PrefixListId::builder().prefix_list_id(p).build()).collect(),
        ))
        .set_user_id_group_pairs(Some(
            r.groups.iter().map(|g| UserIdGroupPair::builder().group_id(g).build()).collect(),
        ))
        .build()
}

/// `--ip-permissions` JSON of the rules, as the AWS CLI takes it.
fn permissions_json(rules: &[IpRule]) -> String {
    let list: Vec<serde_json::Value> = rules
        .iter()
        .map(|r| {
            let mut p = serde_json::json!({"IpProtocol": r.protocol});
            if let Some(f) = r.from_port {
                p["FromPort"] = f.into();
            }
            if let Some(t) = r.to_port {
                p["ToPort"] = t.into();
            }
            if !r.ipv4.is_empty() {
                p["IpRanges"] = r.ipv4.iter().map(|c| serde_json::json!({"CidrIp": c})).collect();
            }
            if !r.ipv6.is_empty() {
                p["Ipv6Ranges"] = r.ipv6.iter().map(|c| serde_json::json!({"CidrIpv6": c})).collect();
            }
            if !r.prefix_lists.is_empty() {
                p["PrefixListIds"] = r.prefix_lists.iter().map(|c| serde_json::json!({"PrefixListId": c})).collect();
            }
            if !r.groups.is_empty() {
                p["UserIdGroupPairs"] = r.groups.iter().map(|g| serde_json::json!({"GroupId": g})).collect();
            }
            p
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// Which rules of a group an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// Removes these rules of a security group (the CLI's `revoke-security-group-ingress|egress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevokeSecurityGroupRules {
    pub group_id: String,
    pub direction: Direction,
    pub rules: Vec<IpRule>,
}

/// Adds these rules to a security group: the inverse of [`RevokeSecurityGroupRules`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizeSecurityGroupRules {
    pub group_id: String,
    pub direction: Direction,
    pub rules: Vec<IpRule>,
}

fn side(s: &GroupRulesState, d: Direction) -> &[IpRule] {
    match d {
        Direction::Ingress => &s.ingress,
        Direction::Egress => &s.egress,
    }
}

impl Spec for RevokeSecurityGroupRules {
    const OPERATION: &'static str = "ec2:RevokeSecurityGroupIngress";
    type State = GroupRulesState;
    fn resource(&self) -> String {
        format!("security group {} ({} rules)", self.group_id, self.direction.word())
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws ec2 revoke-security-group-{} --region {region} --group-id {} --ip-permissions {}",
            self.direction.word(),
            q(&self.group_id),
            q(&permissions_json(&self.rules))
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<GroupRulesState, ActionError> {
        observe_rules(cx, &self.group_id).await
    }
    fn precheck(&self, before: &GroupRulesState) -> Precheck {
        if !before.exists {
            return Precheck::Stop(format!("security group {} does not exist", self.group_id));
        }
        if side(before, self.direction) != self.rules.as_slice() {
            return Precheck::Stop(format!(
                "the {} rules of security group {} changed since planning; left untouched",
                self.direction.word(),
                self.group_id
            ));
        }
        Precheck::Go
    }
    fn achieved(&self, s: &GroupRulesState) -> bool {
        s.exists && side(s, self.direction).is_empty()
    }
    fn inverse(&self, before: &GroupRulesState) -> Option<Action> {
        let rules = side(before, self.direction).to_vec();
        (!rules.is_empty()).then(|| {
            AuthorizeSecurityGroupRules { group_id: self.group_id.clone(), direction: self.direction, rules }.into()
        })
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let perms: Vec<_> = self.rules.iter().map(permission).collect();
        let c = ec2(cx);
        match self.direction {
            Direction::Ingress => {
                let req = c.revoke_security_group_ingress().group_id(&self.group_id).set_ip_permissions(Some(perms));
                cx.call("ec2:RevokeSecurityGroupIngress", req.send()).await?;
            }
            Direction::Egress => {
                let req = c.revoke_security_group_egress().group_id(&self.group_id).set_ip_permissions(Some(perms));
                cx.call("ec2:RevokeSecurityGroupEgress", req.send()).await?;
            }
        }
        Ok(format!("removed {} {} rule(s) of {}", self.rules.len(), self.direction.word(), self.group_id))
    }
}

impl Spec for AuthorizeSecurityGroupRules {
    const OPERATION: &'static str = "ec2:AuthorizeSecurityGroupIngress";
    type State = GroupRulesState;
    fn resource(&self) -> String {
        format!("security group {} ({} rules)", self.group_id, self.direction.word())
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws ec2 authorize-security-group-{} --region {region} --group-id {} --ip-permissions {}",
            self.direction.word(),
            q(&self.group_id),
            q(&permissions_json(&self.rules))
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<GroupRulesState, ActionError> {
        observe_rules(cx, &self.group_id).await
    }
    fn precheck(&self, before: &GroupRulesState) -> Precheck {
        if !before.exists {
            Precheck::Stop(format!("security group {} does not exist", self.group_id))
        } else if !side(before, self.direction).is_empty() {
            Precheck::Stop(format!(
                "security group {} has {} rules again since; left untouched",
                self.group_id,
                self.direction.word()
            ))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &GroupRulesState) -> bool {
        s.exists && side(s, self.direction) == self.rules.as_slice()
    }
    fn inverse(&self, _before: &GroupRulesState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let perms: Vec<_> = self.rules.iter().map(permission).collect();
        let c = ec2(cx);
        match self.direction {
            Direction::Ingress => {
                let req = c.authorize_security_group_ingress().group_id(&self.group_id).set_ip_permissions(Some(perms));
                cx.call("ec2:AuthorizeSecurityGroupIngress", req.send()).await?;
            }
            Direction::Egress => {
                let req = c.authorize_security_group_egress().group_id(&self.group_id).set_ip_permissions(Some(perms));
                cx.call("ec2:AuthorizeSecurityGroupEgress", req.send()).await?;
            }
        }
        Ok(format!("restored {} {} rule(s) of {}", self.rules.len(), self.direction.word(), self.group_id))
    }
}

/// A network ACL entry: whether it exists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AclEntryState {
    pub exists: bool,
}

/// Deletes an inbound network ACL entry: always a MANUAL step (cis-audit never removes a rule
/// of a network ACL by itself); its command is what a person runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteNetworkAclEntry {
    pub network_acl_id: String,
    pub rule_number: i32,
}

impl Spec for DeleteNetworkAclEntry {
    const OPERATION: &'static str = "ec2:DeleteNetworkAclEntry";
    type State = AclEntryState;
    fn resource(&self) -> String {
        format!("network ACL {} rule {}", self.network_acl_id, self.rule_number)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws ec2 delete-network-acl-entry --region {region} --network-acl-id {} --ingress --rule-number {}",
            q(&self.network_acl_id),
            self.rule_number
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<AclEntryState, ActionError> {
        match read::network_acls(cx.session, cx.rt, cx.region).await {
            Collected::Ok(acls) => Ok(AclEntryState {
                exists: acls.iter().any(|a| {
                    a.id == self.network_acl_id
                        && a.entries.iter().any(|e| !e.egress && e.rule_number == self.rule_number)
                }),
            }),
            Collected::Error(e) => Err(e.into()),
        }
    }
    fn achieved(&self, s: &AclEntryState) -> bool {
        !s.exists
    }
    fn inverse(&self, _before: &AclEntryState) -> Option<Action> {
        None
    }
    async fn execute(&self, _cx: &Cx<'_>) -> Result<String, ActionError> {
        Err(ActionError::Invalid("cis-audit does not delete network ACL entries: run the command shown".into()))
    }
}

/// The flow logs of a VPC that deliver to one CloudWatch Logs group, and whether that group
/// exists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowLogState {
    pub log_group_exists: bool,
    /// Flow log ids of the VPC delivering to the group.
    pub flow_logs: Vec<String>,
}

async fn observe_flow_logs(cx: &Cx<'_>, vpc: &str, group: &str) -> Result<FlowLogState, ActionError> {
    let log_group_exists = crate::inventory::logs::log_group_exists(cx.session, cx.rt, cx.region, group).await?;
    let mut flow_logs: Vec<String> = match read::flow_logs(cx.session, cx.rt, cx.region).await {
        Collected::Ok(list) => list
            .into_iter()
            .filter(|f| f.resource_id == vpc && f.destination_type.as_deref() != Some("s3"))
            .filter(|f| {
                f.destination.as_deref().is_some_and(|d| d == group || d.ends_with(&format!(":log-group:{group}")))
            })
            .map(|f| f.id)
            .collect(),
        Collected::Error(e) => return Err(e.into()),
    };
    flow_logs.sort();
    Ok(FlowLogState { log_group_exists, flow_logs })
}

/// A flow log of a VPC's rejected traffic to a CloudWatch Logs group (created by an earlier
/// step), delivered with `role_arn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateFlowLog {
    pub vpc_id: String,
    pub log_group: String,
    pub role_arn: String,
    /// `REJECT` (what the benchmark asks) or `ALL`.
    pub traffic_type: String,
}

impl Spec for CreateFlowLog {
    const OPERATION: &'static str = "ec2:CreateFlowLogs";
    type State = FlowLogState;
    fn resource(&self) -> String {
        format!("flow log of {} to {}", self.vpc_id, self.log_group)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws ec2 create-flow-logs --region {region} --resource-type VPC --resource-ids {} --traffic-type {} --log-destination-type cloud-watch-logs --log-group-name {} --deliver-logs-permission-arn {}",
            self.vpc_id,
            self.traffic_type,
            q(&self.log_group),
            q(&self.role_arn)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<FlowLogState, ActionError> {
        observe_flow_logs(cx, &self.vpc_id, &self.log_group).await
    }
    fn precheck(&self, before: &FlowLogState) -> Precheck {
        if !before.flow_logs.is_empty() {
            Precheck::AlreadyDone(format!("{} already has a flow log to {}", self.vpc_id, self.log_group))
        } else if !before.log_group_exists {
            Precheck::Stop(format!("log group {} does not exist (its step did not run)", self.log_group))
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &FlowLogState) -> bool {
        !s.flow_logs.is_empty()
    }
    fn inverse(&self, before: &FlowLogState) -> Option<Action> {
        before
            .flow_logs
            .is_empty()
            .then(|| DeleteFlowLog { vpc_id: self.vpc_id.clone(), log_group: self.log_group.clone() }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        use aws_sdk_ec2::types::{FlowLogsResourceType, LogDestinationType, TrafficType};
        let out = cx
            .call(
                Self::OPERATION,
                ec2(cx)
                    .create_flow_logs()
                    .resource_type(FlowLogsResourceType::Vpc)
                    .resource_ids(&self.vpc_id)
                    .traffic_type(TrafficType::from(self.traffic_type.as_str()))
                    .log_destination_type(LogDestinationType::CloudWatchLogs)
                    .log_group_name(&self.log_group)
                    .deliver_logs_permission_arn(&self.role_arn)
                    .send(),
            )
            .await?;
        if let Some(u) = out.unsuccessful().first() {
            let why = u.error().and_then(|e| e.message()).unwrap_or("refused");
            return Err(ActionError::Invalid(format!("flow log of {}: {why}", self.vpc_id)));
        }
        Ok(out.flow_log_ids().join(", "))
    }
}

/// Rollback of [`CreateFlowLog`]: deletes the VPC's flow logs to that group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteFlowLog {
    pub vpc_id: String,
    pub log_group: String,
}

impl Spec for DeleteFlowLog {
    const OPERATION: &'static str = "ec2:DeleteFlowLogs";
    type State = FlowLogState;
    fn resource(&self) -> String {
        format!("flow log of {} to {}", self.vpc_id, self.log_group)
    }
    fn cli(&self, region: &str) -> String {
        format!(
            "aws ec2 delete-flow-logs --region {region} --flow-log-ids <the flow log of {} to {}>",
            self.vpc_id,
            q(&self.log_group)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<FlowLogState, ActionError> {
        observe_flow_logs(cx, &self.vpc_id, &self.log_group).await
    }
    fn achieved(&self, s: &FlowLogState) -> bool {
        s.flow_logs.is_empty()
    }
    fn inverse(&self, _before: &FlowLogState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let ids = observe_flow_logs(cx, &self.vpc_id, &self.log_group).await?.flow_logs;
        if ids.is_empty() {
            return Ok("no flow log to delete".into());
        }
        cx.call(Self::OPERATION, ec2(cx).delete_flow_logs().set_flow_log_ids(Some(ids.clone())).send()).await?;
        Ok(format!("deleted {}", ids.join(", ")))
    }
}
