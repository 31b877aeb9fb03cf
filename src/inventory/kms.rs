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
        read(s, rt, Lane::Chain, "kms:DescribeKey", Some(region), || client.describe_key().key_id(key).send()).await
    };
    let policy_of = |id: String| {
        let client = &client;
        async move {
            let req = client.get_key_policy().key_id(id).policy_name("default");
            Collected::from(
                read(s, rt, Lane::Chain, "kms:GetKeyPolicy", Some(region), || req.send())
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

/// Every key of a region (`ListKeys`, every page), each described (`DescribeKey`), and the
/// rotation of each enabled customer managed symmetric key (`GetKeyRotationStatus`), the keys
/// CIS asks to rotate.
pub(crate) async fn region_keys(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<KmsKeyDetails>> {
    let client = Client::new(&s.region_config(region));
    let listed = super::pages(s, rt, "kms:ListKeys", region, |token| {
        let req = client.list_keys().limit(1000).set_marker(token);
        async move {
            req.send().await.map(|o| {
                let keys: Vec<(String, String)> = o
                    .keys()
                    .iter()
                    .map(|k| (k.key_id().unwrap_or_default().to_string(), k.key_arn().unwrap_or_default().to_string()))
                    .collect();
                (keys, o.next_marker().filter(|_| o.truncated()).map(str::to_string))
            })
        }
    })
    .await;
    let listed = match listed {
        Ok(l) => l,
        Err(e) => return Collected::Error(e),
    };
    let described = futures::future::join_all(listed.into_iter().map(|(id, arn)| {
        let client = &client;
        async move {
            let req = client.describe_key().key_id(&id);
            match read(s, rt, Lane::Leaf, "kms:DescribeKey", Some(region), || req.send()).await {
                Ok(o) => {
                    let m = o.key_metadata();
                    KmsKeyDetails {
                        arn: m.and_then(|m| m.arn()).map(str::to_string).unwrap_or(arn),
                        manager: m.and_then(|m| m.key_manager()).map(|x| x.as_str().to_string()),
                        spec: m.and_then(|m| m.key_spec()).map(|x| x.as_str().to_string()),
                        state: m.and_then(|m| m.key_state()).map(|x| x.as_str().to_string()),
                        origin: m.and_then(|m| m.origin()).map(|x| x.as_str().to_string()),
                        key_id: id,
                        error: None,
                        rotation: None,
                    }
                }
                Err(e) => KmsKeyDetails { key_id: id, arn, error: Some(e), ..Default::default() },
            }
        }
    }))
    .await;
    let keys = futures::future::join_all(described.into_iter().map(|mut k| {
        let client = &client;
        async move {
            if rotation_applies(&k) {
                let req = client.get_key_rotation_status().key_id(&k.key_id);
                let res = read(s, rt, Lane::Leaf, "kms:GetKeyRotationStatus", Some(region), || req.send()).await;
                k.rotation = Some(Collected::from(res.map(|o| o.key_rotation_enabled())));
            }
            k
        }
    }))
    .await;
    Collected::Ok(keys)
}

/// Whether the benchmark asks `key` to rotate: an enabled, customer managed, symmetric
/// encryption key with key material KMS made.
pub(crate) fn rotation_applies(k: &KmsKeyDetails) -> bool {
    k.manager.as_deref() == Some("CUSTOMER")
        && k.spec.as_deref() == Some("SYMMETRIC_DEFAULT")
        && k.state.as_deref() == Some("Enabled")
        && k.origin.as_deref().is_none_or(|o| o == "AWS_KMS")
}
