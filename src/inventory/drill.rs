//! The reads of `cis-audit drill` (never of an audit): the resources a drill created, found by
//! their `cis-audit-drill` tag (or, for its queue, by name), and what it watches while the
//! alert travels — the CloudTrail record in the trail's log group, the filter's metric, the
//! alarm's history (read with [`super::history::alarm_history`]) and the messages its queue
//! received. Every call goes through [`read`]: bounded and counted like the audit's.

use super::{read, CollectError};
use crate::aws::{Lane, Runtime, Session};
use aws_smithy_types::DateTime;

/// The tag every resource a drill creates carries; its value is the drill's id.
pub(crate) const DRILL_TAG: &str = "cis-audit-drill";

/// What a drill creates in a VPC to make the change a control must catch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DrillKind {
    SecurityGroup,
    NetworkAcl,
    RouteTable,
    /// A customer-managed IAM policy (global: in no VPC).
    ManagedPolicy,
}

impl DrillKind {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            DrillKind::SecurityGroup => "security group",
            DrillKind::NetworkAcl => "network ACL",
            DrillKind::RouteTable => "route table",
            DrillKind::ManagedPolicy => "customer-managed IAM policy",
        }
    }
    /// Whether the resource lives in a VPC of a region (else it is global: IAM).
    pub(crate) fn in_vpc(self) -> bool {
        self != DrillKind::ManagedPolicy
    }
    pub(crate) fn describe_operation(self) -> &'static str {
        match self {
            DrillKind::SecurityGroup => "ec2:DescribeSecurityGroups",
            DrillKind::NetworkAcl => "ec2:DescribeNetworkAcls",
            DrillKind::RouteTable => "ec2:DescribeRouteTables",
            DrillKind::ManagedPolicy => "iam:GetPolicy",
        }
    }
}

fn ec2(s: &Session, region: &str) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&s.region_config(region))
}

/// The ids of the resources of `kind` in `vpc` tagged `cis-audit-drill = drill_id` (only those:
/// a drill never looks at anything else). One page is enough: a drill creates one.
pub(crate) async fn tagged(
    s: &Session,
    rt: &Runtime,
    region: &str,
    kind: DrillKind,
    vpc: &str,
    drill_id: &str,
) -> Result<Vec<String>, CollectError> {
    use aws_sdk_ec2::types::Filter;
    let c = ec2(s, region);
    let filters = vec![
        Filter::builder().name(format!("tag:{DRILL_TAG}")).values(drill_id).build(),
        Filter::builder().name("vpc-id").values(vpc).build(),
    ];
    let op = kind.describe_operation();
    Ok(match kind {
        DrillKind::ManagedPolicy => drill_policy(s, rt, region, drill_id).await?.into_iter().collect(),
        DrillKind::SecurityGroup => {
            let o = read(s, rt, Lane::Chain, op, Some(region), || {
                c.describe_security_groups().set_filters(Some(filters)).send()
            })
            .await?;
            o.security_groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect()
        }
        DrillKind::NetworkAcl => {
            let o = read(s, rt, Lane::Chain, op, Some(region), || {
                c.describe_network_acls().set_filters(Some(filters)).send()
            })
            .await?;
            o.network_acls().iter().filter_map(|g| g.network_acl_id().map(str::to_string)).collect()
        }
        DrillKind::RouteTable => {
            let o = read(s, rt, Lane::Chain, op, Some(region), || {
                c.describe_route_tables().set_filters(Some(filters)).send()
            })
            .await?;
            o.route_tables().iter().filter_map(|g| g.route_table_id().map(str::to_string)).collect()
        }
    })
}

/// The ARN of the drill's policy `cis-audit-drill-<drill_id>` (`GetPolicy`; None: it does not
/// exist). Only a policy of that name AND tagged with the drill's id counts as the drill's.
pub(crate) async fn drill_policy(
    s: &Session,
    rt: &Runtime,
    region: &str,
    drill_id: &str,
) -> Result<Option<String>, CollectError> {
    let c = aws_sdk_iam::Client::new(&s.region_config(region));
    let arn = format!("arn:{}:iam::{}:policy/cis-audit-drill-{drill_id}", s.partition, s.account_id);
    match read(s, rt, Lane::Chain, "iam:GetPolicy", Some(region), || c.get_policy().policy_arn(&arn).send()).await {
        Ok(o) => {
            let ours =
                o.policy().is_some_and(|p| p.tags().iter().any(|t| t.key() == DRILL_TAG && t.value() == drill_id));
            Ok(ours.then_some(arn))
        }
        Err(e) if e.code == "NoSuchEntity" => Ok(None),
        Err(e) => Err(e),
    }
}

/// The URL of queue `name`, None when it does not exist (`GetQueueUrl`).
pub(crate) async fn queue_url(
    s: &Session,
    rt: &Runtime,
    region: &str,
    name: &str,
) -> Result<Option<String>, CollectError> {
    let c = aws_sdk_sqs::Client::new(&s.region_config(region));
    match read(s, rt, Lane::Chain, "sqs:GetQueueUrl", Some(region), || c.get_queue_url().queue_name(name).send()).await
    {
        Ok(o) => Ok(o.queue_url().map(str::to_string)),
        Err(e) if e.code.contains("NonExistentQueue") || e.code == "QueueDoesNotExist" => Ok(None),
        Err(e) => Err(e),
    }
}

/// One record of a log group: when it happened and when CloudWatch Logs took it in (ms).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogRecord {
    pub timestamp: i64,
    pub ingestion_time: Option<i64>,
    pub message: String,
}

/// `FilterLogEvents` on `group` since `start_ms` for the records holding `term` (a quoted term
/// pattern: the resource id the drill changed). The first page only: a drill's records are few.
pub(crate) async fn records_with(
    s: &Session,
    rt: &Runtime,
    region: &str,
    group: &str,
    start_ms: i64,
    term: &str,
) -> Result<Vec<LogRecord>, CollectError> {
    let c = aws_sdk_cloudwatchlogs::Client::new(&s.region_config(region));
    let req = c
        .filter_log_events()
        .log_group_name(group)
        .start_time(start_ms)
        .filter_pattern(format!("\"{term}\""))
        .limit(100);
    let o = read(s, rt, Lane::Chain, "logs:FilterLogEvents", Some(region), || req.send()).await?;
    Ok(o.events()
        .iter()
        .map(|e| LogRecord {
            timestamp: e.timestamp().unwrap_or_default(),
            ingestion_time: e.ingestion_time(),
            message: e.message().unwrap_or_default().to_string(),
        })
        .collect())
}

/// `GetMetricStatistics`: the one-minute Sums of a metric (no dimensions) over [start, end].
pub(crate) async fn metric_sums(
    s: &Session,
    rt: &Runtime,
    region: &str,
    namespace: &str,
    name: &str,
    start: DateTime,
    end: DateTime,
) -> Result<Vec<(DateTime, f64)>, CollectError> {
    use aws_sdk_cloudwatch::types::Statistic;
    let c = aws_sdk_cloudwatch::Client::new(&s.region_config(region));
    let req = c
        .get_metric_statistics()
        .namespace(namespace)
        .metric_name(name)
        .start_time(start)
        .end_time(end)
        .period(60)
        .statistics(Statistic::Sum);
    let o = read(s, rt, Lane::Chain, "cloudwatch:GetMetricStatistics", Some(region), || req.send()).await?;
    Ok(o.datapoints().iter().filter_map(|d| Some((*d.timestamp()?, d.sum()?))).collect())
}

/// `ReceiveMessage` (long poll of `wait` seconds, up to 10 messages): the bodies received.
pub(crate) async fn receive(
    s: &Session,
    rt: &Runtime,
    region: &str,
    queue_url: &str,
    wait: i32,
) -> Result<Vec<String>, CollectError> {
    let c = aws_sdk_sqs::Client::new(&s.region_config(region));
    let req = c.receive_message().queue_url(queue_url).max_number_of_messages(10).wait_time_seconds(wait);
    let o = read(s, rt, Lane::Chain, "sqs:ReceiveMessage", Some(region), || req.send()).await?;
    Ok(o.messages().iter().filter_map(|m| m.body().map(str::to_string)).collect())
}
