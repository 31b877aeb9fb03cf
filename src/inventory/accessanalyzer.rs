//! IAM Access Analyzer, per region: the analyzers (`ListAnalyzers`, every type, every page).

use super::model::*;
use super::pages;
use crate::aws::{Runtime, Session};

/// `ListAnalyzers` of the region.
pub(crate) async fn analyzers(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<Analyzer>> {
    let c = aws_sdk_accessanalyzer::Client::new(&s.region_config(region));
    Collected::from(
        pages(s, rt, "access-analyzer:ListAnalyzers", region, |token| {
            let req = c.list_analyzers().set_next_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .analyzers()
                        .iter()
                        .map(|a| Analyzer {
                            name: a.name().to_string(),
                            arn: a.arn().to_string(),
                            analyzer_type: a.r#type().as_str().to_string(),
                            status: a.status().as_str().to_string(),
                            status_reason: a.status_reason().map(|r| r.code().as_str().to_string()),
                        })
                        .collect();
                    (list, o.next_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}
