//! S3: the account's buckets (`ListBuckets`), each bucket's region, and per bucket only what the
//! selected controls need (policy, ACL, Block Public Access, versioning, default encryption,
//! server access logging), read in the bucket's own region; and the account-level Block Public
//! Access of S3 Control.
//!
//! Against a custom endpoint (`--endpoint-url`, the emulator) S3 is addressed path-style, and
//! S3 Control is sent to the endpoint as given: S3 Control's endpoint rules otherwise put the
//! account id in front of the host (`123456789012.s3-control.…`), which only AWS resolves. The
//! account id still travels in the `x-amz-account-id` header, as AWS requires.

use super::model::*;
use super::{pages, read, read_scoped};
use crate::aws::{Lane, Runtime, Session};
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};

/// Which part of a bucket a read fetches (see [`S3Bucket`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum BucketPart {
    Policy,
    Acl,
    PublicAccessBlock,
    Versioning,
    Encryption,
    Logging,
}

/// The value of one bucket read, to store in its [`S3Bucket`].
#[derive(Debug)]
pub(crate) enum BucketValue {
    Policy(Collected<Option<String>>),
    Acl(Collected<Vec<AclGrant>>),
    PublicAccessBlock(Collected<Option<PublicAccessBlock>>),
    Versioning(Collected<BucketVersioning>),
    Encryption(Collected<Option<Vec<String>>>),
    Logging(Collected<Option<BucketLogging>>),
}

impl BucketValue {
    /// Stores the value in its field of `b`.
    pub(crate) fn store(self, b: &mut S3Bucket) {
        match self {
            BucketValue::Policy(v) => b.policy = Some(v),
            BucketValue::Acl(v) => b.acl = Some(v),
            BucketValue::PublicAccessBlock(v) => b.public_access_block = Some(v),
            BucketValue::Versioning(v) => b.versioning = Some(v),
            BucketValue::Encryption(v) => b.encryption = Some(v),
            BucketValue::Logging(v) => b.logging = Some(v),
        }
    }
}

fn s3(s: &Session, region: &str) -> aws_sdk_s3::Client {
    let conf = s.region_config(region);
    let custom = conf.endpoint_url().is_some();
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&conf).force_path_style(custom).build())
}

/// An endpoint used exactly as given (see the module's documentation).
#[derive(Debug)]
struct AsGiven(String);

impl ResolveEndpoint for AsGiven {
    fn resolve_endpoint<'a>(&'a self, _params: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

/// An S3 Control client: AWS's endpoint rules, or a custom endpoint as given.
pub(crate) fn s3control(s: &Session, region: &str) -> aws_sdk_s3control::Client {
    let conf = s.region_config(region);
    let mut b = aws_sdk_s3control::config::Builder::from(&conf);
    if let Some(url) = conf.endpoint_url() {
        b = b.endpoint_resolver(AsGiven(url.to_string()));
    }
    aws_sdk_s3control::Client::from_conf(b.build())
}

/// `ListBuckets` (IAM action `s3:ListAllMyBuckets`): every bucket the account owns, with its
/// region when S3 says it (`BucketRegion`).
pub(crate) async fn list_buckets(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<S3Bucket>> {
    let c = s3(s, region);
    Collected::from(
        pages(s, rt, "s3:ListAllMyBuckets", region, |token| {
            let req = c.list_buckets().max_buckets(1000).set_continuation_token(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .buckets()
                        .iter()
                        .map(|b| S3Bucket {
                            name: b.name().unwrap_or_default().to_string(),
                            region: b.bucket_region().filter(|r| !r.is_empty()).map(|r| Collected::Ok(r.to_string())),
                            ..Default::default()
                        })
                        .collect();
                    (list, o.continuation_token().map(str::to_string))
                })
            }
        })
        .await,
    )
}

/// The region of a `LocationConstraint`: none means the partition's first region (us-east-1
/// in `aws`), and `EU` is eu-west-1 (a legacy value).
pub(crate) fn location_region(constraint: Option<&str>, global: &str) -> String {
    match constraint.map(str::trim) {
        None | Some("") => global.to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    }
}

/// `GetBucketLocation`, asked in the partition's global region.
pub(crate) async fn bucket_region(s: &Session, rt: &Runtime, global: &str, bucket: &str) -> Collected<String> {
    let c = s3(s, global);
    let op = "s3:GetBucketLocation";
    let scope = bucket_scope(bucket);
    match read_scoped(s, rt, Lane::Leaf, op, Some(global), Some(&scope), || {
        c.get_bucket_location().bucket(bucket).send()
    })
    .await
    {
        Ok(o) => Collected::Ok(location_region(o.location_constraint().map(|l| l.as_str()), global)),
        Err(e) => Collected::Error(e),
    }
}

/// What a bucket's reads are bounded under (S3 throttles per bucket, not per region).
fn bucket_scope(bucket: &str) -> String {
    format!("s3://{bucket}")
}

/// One read of `part` of `bucket`, in its region.
pub(crate) async fn bucket_part(
    s: &Session,
    rt: &Runtime,
    region: &str,
    bucket: &str,
    part: BucketPart,
) -> BucketValue {
    let c = s3(s, region);
    let r = Some(region);
    let scope = bucket_scope(bucket);
    match part {
        BucketPart::Policy => {
            let op = "s3:GetBucketPolicy";
            BucketValue::Policy(
                match read_scoped(s, rt, Lane::Leaf, op, r, Some(&scope), || {
                    c.get_bucket_policy().bucket(bucket).send()
                })
                .await
                {
                    Ok(o) => Collected::Ok(o.policy().map(str::to_string)),
                    Err(e) if e.code == "NoSuchBucketPolicy" => Collected::Ok(None),
                    Err(e) => Collected::Error(e),
                },
            )
        }
        BucketPart::Acl => {
            let op = "s3:GetBucketAcl";
            BucketValue::Acl(Collected::from(
                read_scoped(s, rt, Lane::Leaf, op, r, Some(&scope), || c.get_bucket_acl().bucket(bucket).send())
                    .await
                    .map(|o| {
                        o.grants()
                            .iter()
                            .map(|g| {
                                let grantee = g.grantee();
                                AclGrant {
                                    grantee_type: grantee.map(|x| x.r#type().as_str().to_string()).unwrap_or_default(),
                                    uri: grantee.and_then(|x| x.uri()).map(str::to_string),
                                    id: grantee.and_then(|x| x.id()).map(str::to_string),
                                    permission: g.permission().map(|p| p.as_str().to_string()).unwrap_or_default(),
                                }
                            })
                            .collect()
                    }),
            ))
        }
        BucketPart::PublicAccessBlock => {
            let op = "s3:GetBucketPublicAccessBlock";
            let req = c.get_public_access_block().bucket(bucket);
            BucketValue::PublicAccessBlock(
                match read_scoped(s, rt, Lane::Leaf, op, r, Some(&scope), || req.send()).await {
                    Ok(o) => Collected::Ok(o.public_access_block_configuration().map(|p| PublicAccessBlock {
                        block_public_acls: p.block_public_acls().unwrap_or(false),
                        ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                        block_public_policy: p.block_public_policy().unwrap_or(false),
                        restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                    })),
                    Err(e) if e.code == "NoSuchPublicAccessBlockConfiguration" => Collected::Ok(None),
                    Err(e) => Collected::Error(e),
                },
            )
        }
        BucketPart::Versioning => {
            let op = "s3:GetBucketVersioning";
            BucketValue::Versioning(Collected::from(
                read_scoped(s, rt, Lane::Leaf, op, r, Some(&scope), || c.get_bucket_versioning().bucket(bucket).send())
                    .await
                    .map(|o| BucketVersioning {
                        status: o.status().map(|x| x.as_str().to_string()),
                        mfa_delete: o.mfa_delete().map(|x| x.as_str().to_string()),
                    }),
            ))
        }
        BucketPart::Encryption => {
            let op = "s3:GetEncryptionConfiguration";
            let req = c.get_bucket_encryption().bucket(bucket);
            BucketValue::Encryption(match read_scoped(s, rt, Lane::Leaf, op, r, Some(&scope), || req.send()).await {
                Ok(o) => Collected::Ok(Some(
                    o.server_side_encryption_configuration()
                        .map(|c| {
                            c.rules()
                                .iter()
                                .filter_map(|r| r.apply_server_side_encryption_by_default())
                                .map(|d| d.sse_algorithm().as_str().to_string())
                                .collect()
                        })
                        .unwrap_or_default(),
                )),
                Err(e) if e.code == "ServerSideEncryptionConfigurationNotFoundError" => Collected::Ok(None),
                Err(e) => Collected::Error(e),
            })
        }
        BucketPart::Logging => {
            let op = "s3:GetBucketLogging";
            BucketValue::Logging(Collected::from(
                read_scoped(s, rt, Lane::Leaf, op, r, Some(&scope), || c.get_bucket_logging().bucket(bucket).send())
                    .await
                    .map(|o| {
                        o.logging_enabled().map(|l| BucketLogging {
                            target_bucket: l.target_bucket().to_string(),
                            target_prefix: l.target_prefix().to_string(),
                        })
                    }),
            ))
        }
    }
}

/// S3 Control `GetPublicAccessBlock` of the account (IAM action
/// `s3:GetAccountPublicAccessBlock`): Ok(None) when the account has no configuration.
pub(crate) async fn account_public_access_block(
    s: &Session,
    rt: &Runtime,
    region: &str,
) -> Collected<Option<PublicAccessBlock>> {
    let c = s3control(s, region);
    let op = "s3:GetAccountPublicAccessBlock";
    match read(s, rt, Lane::Leaf, op, None, || c.get_public_access_block().account_id(&s.account_id).send()).await {
        Ok(o) => Collected::Ok(o.public_access_block_configuration().map(|p| PublicAccessBlock {
            block_public_acls: p.block_public_acls().unwrap_or(false),
            ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
            block_public_policy: p.block_public_policy().unwrap_or(false),
            restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
        })),
        Err(e) if e.code == "NoSuchPublicAccessBlockConfiguration" => Collected::Ok(None),
        Err(e) => Collected::Error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraints_map_to_regions() {
        assert_eq!(location_region(None, "us-east-1"), "us-east-1");
        assert_eq!(location_region(Some(""), "us-east-1"), "us-east-1");
        assert_eq!(location_region(Some("EU"), "us-east-1"), "eu-west-1");
        assert_eq!(location_region(Some("eu-central-1"), "us-east-1"), "eu-central-1");
    }
}
