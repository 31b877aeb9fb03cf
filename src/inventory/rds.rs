//! RDS, per region: every DB instance (`DescribeDBInstances`) and every DB cluster
//! (`DescribeDBClusters`: Aurora and Multi-AZ DB clusters), each listing read to its last page.

use super::model::*;
use super::pages;
use crate::aws::{Runtime, Session};

fn client(s: &Session, region: &str) -> aws_sdk_rds::Client {
    aws_sdk_rds::Client::new(&s.region_config(region))
}

/// `DescribeDBInstances`.
pub(crate) async fn instances(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<RdsInstance>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "rds:DescribeDBInstances", region, |token| {
            let req = c.describe_db_instances().max_records(100).set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .db_instances()
                        .iter()
                        .map(|d| RdsInstance {
                            id: d.db_instance_identifier().unwrap_or_default().to_string(),
                            arn: d.db_instance_arn().unwrap_or_default().to_string(),
                            engine: d.engine().unwrap_or_default().to_string(),
                            status: d.db_instance_status().map(str::to_string),
                            cluster: d.db_cluster_identifier().map(str::to_string),
                            storage_encrypted: d.storage_encrypted().unwrap_or(false),
                            auto_minor_version_upgrade: d.auto_minor_version_upgrade().unwrap_or(false),
                            publicly_accessible: d.publicly_accessible(),
                            multi_az: d.multi_az().unwrap_or(false),
                            availability_zone: d.availability_zone().map(str::to_string),
                        })
                        .collect();
                    (list, o.marker().map(str::to_string))
                })
            }
        })
        .await,
    )
}

/// `DescribeDBClusters`.
pub(crate) async fn clusters(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<RdsCluster>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "rds:DescribeDBClusters", region, |token| {
            let req = c.describe_db_clusters().max_records(100).set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .db_clusters()
                        .iter()
                        .map(|d| RdsCluster {
                            id: d.db_cluster_identifier().unwrap_or_default().to_string(),
                            arn: d.db_cluster_arn().unwrap_or_default().to_string(),
                            engine: d.engine().unwrap_or_default().to_string(),
                            storage_encrypted: d.storage_encrypted().unwrap_or(false),
                            auto_minor_version_upgrade: d.auto_minor_version_upgrade(),
                            publicly_accessible: d.publicly_accessible(),
                            multi_az: d.multi_az().unwrap_or(false),
                            members: d
                                .db_cluster_members()
                                .iter()
                                .filter_map(|m| m.db_instance_identifier().map(str::to_string))
                                .collect(),
                        })
                        .collect();
                    (list, o.marker().map(str::to_string))
                })
            }
        })
        .await,
    )
}
