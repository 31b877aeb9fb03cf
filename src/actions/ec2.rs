//! EC2 actions: EBS encryption by default, and the rules of a security group (removed only with
//! `--remediate-default-sg`, for a VPC's default group; restored byte for byte by rollback), and
//! the network ACL entry a person deletes (shown, never applied); and what `cis-audit drill`
//! creates and deletes — its own tagged security group, network ACL or route table, nothing else.

use super::{shell_quote as q, Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::drill::{DrillKind, DRILL_TAG};
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

/// The resources of one kind a drill created in a VPC, found by their `cis-audit-drill` tag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DrillResourceState {
    pub ids: Vec<String>,
}

async fn observe_drill(
    cx: &Cx<'_>,
    kind: DrillKind,
    vpc: &str,
    drill_id: &str,
) -> Result<DrillResourceState, ActionError> {
    Ok(DrillResourceState {
        ids: crate::inventory::drill::tagged(cx.session, cx.rt, cx.region, kind, vpc, drill_id).await?,
    })
}

fn drill_resource(kind: DrillKind, drill_id: &str, vpc: &str) -> String {
    if kind.in_vpc() {
        format!("{} {} in {vpc}", kind.noun(), drill_name(drill_id))
    } else {
        format!("{} {}", kind.noun(), drill_name(drill_id))
    }
}

/// The name a drill gives what it creates.
pub(crate) fn drill_name(drill_id: &str) -> String {
    format!("cis-audit-drill-{drill_id}")
}

/// Creates the harmless resource of a drill — a security group, network ACL or route table —
/// tagged `cis-audit-drill = <drill id>` (tagged at creation, so it can always be found).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateDrillResource {
    pub kind: DrillKind,
    pub vpc_id: String,
    pub drill_id: String,
}

/// Deletes what [`CreateDrillResource`] created: only the resources carrying the drill's tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteDrillResource {
    pub kind: DrillKind,
    pub vpc_id: String,
    pub drill_id: String,
}

fn drill_tags(kind: DrillKind, drill_id: &str) -> aws_sdk_ec2::types::TagSpecification {
    use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
    let rt = match kind {
        DrillKind::SecurityGroup => ResourceType::SecurityGroup,
        DrillKind::NetworkAcl => ResourceType::NetworkAcl,
        _ => ResourceType::RouteTable,
    };
    TagSpecification::builder()
        .resource_type(rt)
        .tags(Tag::builder().key(DRILL_TAG).value(drill_id).build())
        .tags(Tag::builder().key("Name").value(drill_name(drill_id)).build())
        .build()
}

impl Spec for CreateDrillResource {
    const OPERATION: &'static str = "ec2:CreateSecurityGroup";
    type State = DrillResourceState;
    fn resource(&self) -> String {
        drill_resource(self.kind, &self.drill_id, &self.vpc_id)
    }
    fn cli(&self, region: &str) -> String {
        let tags = |t: &str| format!("'ResourceType={t},Tags=[{{Key={DRILL_TAG},Value={}}}]'", self.drill_id);
        match self.kind {
            DrillKind::SecurityGroup => format!(
                "aws ec2 create-security-group --region {region} --vpc-id {} --group-name {} --description 'cis-audit drill' --tag-specifications {}",
                q(&self.vpc_id),
                drill_name(&self.drill_id),
                tags("security-group")
            ),
            DrillKind::NetworkAcl => format!(
                "aws ec2 create-network-acl --region {region} --vpc-id {} --tag-specifications {}",
                q(&self.vpc_id),
                tags("network-acl")
            ),
            DrillKind::RouteTable => format!(
                "aws ec2 create-route-table --region {region} --vpc-id {} --tag-specifications {}",
                q(&self.vpc_id),
                tags("route-table")
            ),
            DrillKind::ManagedPolicy => format!(
                "aws iam create-policy --policy-name {} --policy-document {} --tags Key={DRILL_TAG},Value={}",
                drill_name(&self.drill_id),
                q(&drill_policy_document(1)),
                self.drill_id
            ),
        }
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<DrillResourceState, ActionError> {
        observe_drill(cx, self.kind, &self.vpc_id, &self.drill_id).await
    }
    fn precheck(&self, before: &DrillResourceState) -> Precheck {
        if before.ids.is_empty() {
            Precheck::Go
        } else {
            Precheck::Stop(format!("this drill's {} already exists: {}", self.kind.noun(), before.ids.join(", ")))
        }
    }
    fn achieved(&self, s: &DrillResourceState) -> bool {
        !s.ids.is_empty()
    }
    fn inverse(&self, before: &DrillResourceState) -> Option<Action> {
        before.ids.is_empty().then(|| {
            DeleteDrillResource { kind: self.kind, vpc_id: self.vpc_id.clone(), drill_id: self.drill_id.clone() }.into()
        })
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        let c = ec2(cx);
        let tags = drill_tags(self.kind, &self.drill_id);
        // The call is counted under its own operation (the IAM action it needs).
        Ok(match self.kind {
            DrillKind::SecurityGroup => {
                let req = c
                    .create_security_group()
                    .group_name(drill_name(&self.drill_id))
                    .description("cis-audit drill: a harmless change the monitoring must catch")
                    .vpc_id(&self.vpc_id)
                    .tag_specifications(tags);
                cx.call("ec2:CreateSecurityGroup", req.send()).await?.group_id().unwrap_or_default().to_string()
            }
            DrillKind::NetworkAcl => {
                let req = c.create_network_acl().vpc_id(&self.vpc_id).tag_specifications(tags);
                let o = cx.call("ec2:CreateNetworkAcl", req.send()).await?;
                o.network_acl().and_then(|a| a.network_acl_id()).unwrap_or_default().to_string()
            }
            DrillKind::RouteTable => {
                let req = c.create_route_table().vpc_id(&self.vpc_id).tag_specifications(tags);
                let o = cx.call("ec2:CreateRouteTable", req.send()).await?;
                o.route_table().and_then(|a| a.route_table_id()).unwrap_or_default().to_string()
            }
            DrillKind::ManagedPolicy => {
                let tag = aws_sdk_iam::types::Tag::builder()
                    .key(DRILL_TAG)
                    .value(&self.drill_id)
                    .build()
                    .map_err(|e| ActionError::Invalid(e.to_string()))?;
                let req = iam(cx)
                    .create_policy()
                    .policy_name(drill_name(&self.drill_id))
                    .policy_document(drill_policy_document(1))
                    .description("cis-audit drill: a harmless change the monitoring must catch (never attached)")
                    .tags(tag);
                let o = cx.call("iam:CreatePolicy", req.send()).await?;
                o.policy().and_then(|p| p.arn()).unwrap_or_default().to_string()
            }
        })
    }
}

impl Spec for DeleteDrillResource {
    const OPERATION: &'static str = "ec2:DeleteSecurityGroup";
    type State = DrillResourceState;
    fn resource(&self) -> String {
        drill_resource(self.kind, &self.drill_id, &self.vpc_id)
    }
    fn cli(&self, region: &str) -> String {
        let (verb, describe, field) = match self.kind {
            DrillKind::SecurityGroup => {
                ("delete-security-group --group-id", "describe-security-groups", "SecurityGroups[].GroupId")
            }
            DrillKind::NetworkAcl => {
                ("delete-network-acl --network-acl-id", "describe-network-acls", "NetworkAcls[].NetworkAclId")
            }
            DrillKind::RouteTable => {
                ("delete-route-table --route-table-id", "describe-route-tables", "RouteTables[].RouteTableId")
            }
            DrillKind::ManagedPolicy => {
                return format!(
                    "aws iam delete-policy --policy-arn \"$(aws iam list-policies --scope Local --query \"Policies[?PolicyName=='{}'].Arn\" --output text)\" (after aws iam delete-policy-version of each non-default version)",
                    drill_name(&self.drill_id)
                )
            }
        };
        format!(
            "aws ec2 {verb} \"$(aws ec2 {describe} --region {region} --filters Name=tag:{DRILL_TAG},Values={} Name=vpc-id,Values={} --query '{field}' --output text)\" --region {region}",
            q(&self.drill_id),
            q(&self.vpc_id)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<DrillResourceState, ActionError> {
        observe_drill(cx, self.kind, &self.vpc_id, &self.drill_id).await
    }
    fn achieved(&self, s: &DrillResourceState) -> bool {
        s.ids.is_empty()
    }
    fn inverse(&self, _before: &DrillResourceState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        // Only what carries this drill's tag, found now: never anything else.
        let ids = observe_drill(cx, self.kind, &self.vpc_id, &self.drill_id).await?.ids;
        let c = ec2(cx);
        for id in &ids {
            match self.kind {
                DrillKind::SecurityGroup => {
                    cx.call("ec2:DeleteSecurityGroup", c.delete_security_group().group_id(id).send()).await?;
                }
                DrillKind::NetworkAcl => {
                    cx.call("ec2:DeleteNetworkAcl", c.delete_network_acl().network_acl_id(id).send()).await?;
                }
                DrillKind::RouteTable => {
                    cx.call("ec2:DeleteRouteTable", c.delete_route_table().route_table_id(id).send()).await?;
                }
                DrillKind::ManagedPolicy => delete_policy(cx, id).await?,
            }
        }
        Ok(if ids.is_empty() {
            format!("the drill's {} is already gone", self.kind.noun())
        } else {
            format!("{} {} deleted", self.kind.noun(), ids.join(", "))
        })
    }
}

fn iam(cx: &Cx<'_>) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&cx.config())
}

/// The drill policy's document: version `n` denies a made-up action (never attached to anyone,
/// and harmless if it were).
pub(crate) fn drill_policy_document(n: u32) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": format!("CisAuditDrill{n}"), "Effect": "Deny", "Action": "cis-audit-drill:None", "Resource": "*"}]
    })
    .to_string()
}

/// Deletes the drill's policy: its non-default versions first, as IAM requires.
async fn delete_policy(cx: &Cx<'_>, arn: &str) -> Result<(), ActionError> {
    let c = iam(cx);
    let versions = cx.call("iam:ListPolicyVersions", c.list_policy_versions().policy_arn(arn).send()).await?;
    for v in versions.versions() {
        if !v.is_default_version() {
            if let Some(id) = v.version_id() {
                cx.call("iam:DeletePolicyVersion", c.delete_policy_version().policy_arn(arn).version_id(id).send())
                    .await?;
            }
        }
    }
    cx.call("iam:DeletePolicy", c.delete_policy().policy_arn(arn).send()).await?;
    Ok(())
}

/// 4.4's change on the drill's own policy: a second version added (not made default).
pub(crate) async fn drill_policy_version(cx: &Cx<'_>, arn: &str) -> Result<(), ActionError> {
    let req = iam(cx).create_policy_version().policy_arn(arn).policy_document(drill_policy_document(2));
    cx.call("iam:CreatePolicyVersion", req.send()).await?;
    Ok(())
}

/// The ingress rule a 4.10 drill authorizes and revokes on its own group: HTTPS from the
/// documentation range 192.0.2.0/24 (RFC 5737: never routed on the internet).
pub(crate) fn drill_rule() -> IpRule {
    IpRule {
        protocol: "tcp".into(),
        from_port: Some(443),
        to_port: Some(443),
        ipv4: vec!["192.0.2.0/24".into()],
        ..Default::default()
    }
}

/// Authorizes then revokes [`drill_rule`] on the drill's own group `group_id` (the change 4.10
/// must catch). Not journaled apart: the group's deletion removes the rule with it.
pub(crate) async fn drill_rule_round_trip(cx: &Cx<'_>, group_id: &str) -> Result<(), ActionError> {
    let c = ec2(cx);
    let p = permission(&drill_rule());
    cx.call(
        "ec2:AuthorizeSecurityGroupIngress",
        c.authorize_security_group_ingress().group_id(group_id).ip_permissions(p.clone()).send(),
    )
    .await?;
    cx.call(
        "ec2:RevokeSecurityGroupIngress",
        c.revoke_security_group_ingress().group_id(group_id).ip_permissions(p).send(),
    )
    .await?;
    Ok(())
}
