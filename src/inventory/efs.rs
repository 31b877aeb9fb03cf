//! EFS, per region: every file system (`DescribeFileSystems`), read to its last page.

use super::model::*;
use super::pages;
use crate::aws::{Runtime, Session};

/// `DescribeFileSystems` (IAM action `elasticfilesystem:DescribeFileSystems`).
pub(crate) async fn file_systems(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<EfsFileSystem>> {
    let c = aws_sdk_efs::Client::new(&s.region_config(region));
    Collected::from(
        pages(s, rt, "elasticfilesystem:DescribeFileSystems", region, |token| {
            let req = c.describe_file_systems().max_items(100).set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .file_systems()
                        .iter()
                        .map(|f| EfsFileSystem {
                            id: f.file_system_id().to_string(),
                            name: f.name().map(str::to_string),
                            arn: f.file_system_arn().map(str::to_string),
                            encrypted: f.encrypted().unwrap_or(false),
                            kms_key_id: f.kms_key_id().map(str::to_string),
                        })
                        .collect();
                    (list, o.next_marker().map(str::to_string))
                })
            }
        })
        .await,
    )
}
