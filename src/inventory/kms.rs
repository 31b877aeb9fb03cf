//! KMS: the key an SNS topic is encrypted with, and its key policy.

use super::model::*;
use super::read;
use crate::aws::{Lane, Runtime, Session};
use aws_sdk_kms::Client;

/// Whether a key reference is the AWS-managed key for SNS (`alias/aws/sns`, as an alias or an
/// alias ARN): nothing to read, the delivery check knows it (and moto does not serve it).
pub(crate) fn is_aws_managed_sns_alias(key: &str) -> bool {
    key == "alias/aws/sns" || key.ends_with(":alias/aws/sns")
}

/// Whether a key reference names the key itself (id or key ARN), which GetKeyPolicy takes,
/// rather than an alias.
fn is_key_id(key: &str) -> bool {
    !key.starts_with("alias/") && !key.contains(":alias/")
}

/// `DescribeKey` and `GetKeyPolicy` (policy `default`) of `key` as a topic references it, in
/// `region` of the session's account. For an alias, the policy is read once the key id is known.
pub(crate) async fn key(s: &Session, rt: &Runtime, region: &str, key: &str) -> KmsKeyInventory {
    let client = Client::new(&s.region_config(region));
    let describe = async {
        read(s, rt, Lane::Chain, "kms:DescribeKey", Some(region), client.describe_key().key_id(key).send()).await
    };
    let policy_of = |id: String| {
        let client = &client;
        async move {
            let req = client.get_key_policy().key_id(id).policy_name("default");
            Collected::from(
                read(s, rt, Lane::Chain, "kms:GetKeyPolicy", Some(region), req.send())
                    .await
                    .map(|o| o.policy().unwrap_or_default().to_string()),
            )
        }
    };
    let (described, early_policy) = if is_key_id(key) {
        let (d, p) = tokio::join!(describe, policy_of(key.to_string()));
        (d, Some(p))
    } else {
        (describe.await, None)
    };
    let details = match described {
        Err(e) => Collected::Error(e),
        Ok(o) => {
            let m = o.key_metadata();
            let key_id = m.map(|m| m.key_id().to_string()).unwrap_or_default();
            let policy = match early_policy {
                Some(p) => p,
                None => policy_of(key_id.clone()).await,
            };
            Collected::Ok(KmsKey {
                arn: m.and_then(|m| m.arn()).unwrap_or_default().to_string(),
                key_id,
                manager: m.and_then(|m| m.key_manager()).map(|x| x.as_str().to_string()),
                state: m.and_then(|m| m.key_state()).map(|x| x.as_str().to_string()),
                policy,
            })
        }
    };
    KmsKeyInventory { account: s.account_id.clone(), region: region.to_string(), key: key.to_string(), details }
}
