//! S3 actions: the account's Block Public Access (S3 Control), all four settings turned on, and
//! put back as it was by rollback (the previous settings, or no configuration at all).

use super::{Action, ActionError, Cx, Precheck, Spec};
use crate::inventory::{s3 as read, Collected, PublicAccessBlock};
use serde::{Deserialize, Serialize};

/// The account's Block Public Access configuration (None: it has none, which means all off).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountPublicAccessState {
    pub config: Option<PublicAccessBlock>,
}

async fn observe_account(cx: &Cx<'_>) -> Result<AccountPublicAccessState, ActionError> {
    match read::account_public_access_block(cx.session, cx.rt, cx.region).await {
        Collected::Ok(config) => Ok(AccountPublicAccessState { config }),
        Collected::Error(e) => Err(e.into()),
    }
}

fn cli_config(p: &PublicAccessBlock) -> String {
    format!(
        "BlockPublicAcls={},IgnorePublicAcls={},BlockPublicPolicy={},RestrictPublicBuckets={}",
        p.block_public_acls, p.ignore_public_acls, p.block_public_policy, p.restrict_public_buckets
    )
}

async fn put(cx: &Cx<'_>, account: &str, p: &PublicAccessBlock) -> Result<(), ActionError> {
    let conf = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(p.block_public_acls)
        .ignore_public_acls(p.ignore_public_acls)
        .block_public_policy(p.block_public_policy)
        .restrict_public_buckets(p.restrict_public_buckets)
        .build();
    let c = read::s3control(cx.session, cx.region);
    let req = c.put_public_access_block().account_id(account).public_access_block_configuration(conf);
    cx.call("s3:PutAccountPublicAccessBlock", req.send()).await?;
    Ok(())
}

/// Turns on the four Block Public Access settings of the account (S3 Control
/// `PutPublicAccessBlock`). `public_buckets` names the buckets that relied on public access when
/// the plan was made (shown with the step; the plan needs `--yes` for them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutAccountPublicAccessBlock {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_buckets: Vec<String>,
}

impl Spec for PutAccountPublicAccessBlock {
    const OPERATION: &'static str = "s3:PutAccountPublicAccessBlock";
    type State = AccountPublicAccessState;
    fn resource(&self) -> String {
        if self.public_buckets.is_empty() {
            format!("account {} Block Public Access", self.account_id)
        } else {
            format!(
                "account {} Block Public Access (cuts off the public access of: {})",
                self.account_id,
                self.public_buckets.join("; ")
            )
        }
    }
    fn cli(&self, _region: &str) -> String {
        format!(
            "aws s3control put-public-access-block --account-id {} --public-access-block-configuration {}",
            self.account_id,
            cli_config(&PublicAccessBlock::ALL)
        )
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<AccountPublicAccessState, ActionError> {
        observe_account(cx).await
    }
    fn precheck(&self, before: &AccountPublicAccessState) -> Precheck {
        if before.config.is_some_and(|c| c.all_on()) {
            Precheck::AlreadyDone("the account's Block Public Access settings are already all on".into())
        } else {
            Precheck::Go
        }
    }
    fn achieved(&self, s: &AccountPublicAccessState) -> bool {
        s.config.is_some_and(|c| c.all_on())
    }
    fn inverse(&self, before: &AccountPublicAccessState) -> Option<Action> {
        Some(RestoreAccountPublicAccessBlock { account_id: self.account_id.clone(), previous: before.config }.into())
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        put(cx, &self.account_id, &PublicAccessBlock::ALL).await?;
        Ok("account Block Public Access: all four settings on".into())
    }
}

/// Puts the account's Block Public Access back as it was: `previous`, or no configuration at
/// all (S3 Control `DeletePublicAccessBlock`, whose IAM action is
/// `s3:PutAccountPublicAccessBlock`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreAccountPublicAccessBlock {
    pub account_id: String,
    pub previous: Option<PublicAccessBlock>,
}

impl Spec for RestoreAccountPublicAccessBlock {
    const OPERATION: &'static str = "s3:PutAccountPublicAccessBlock";
    type State = AccountPublicAccessState;
    fn resource(&self) -> String {
        format!("account {} Block Public Access", self.account_id)
    }
    fn cli(&self, _region: &str) -> String {
        match &self.previous {
            Some(p) => format!(
                "aws s3control put-public-access-block --account-id {} --public-access-block-configuration {}",
                self.account_id,
                cli_config(p)
            ),
            None => format!("aws s3control delete-public-access-block --account-id {}", self.account_id),
        }
    }
    async fn observe(&self, cx: &Cx<'_>) -> Result<AccountPublicAccessState, ActionError> {
        observe_account(cx).await
    }
    fn achieved(&self, s: &AccountPublicAccessState) -> bool {
        s.config == self.previous
    }
    fn inverse(&self, _before: &AccountPublicAccessState) -> Option<Action> {
        None
    }
    async fn execute(&self, cx: &Cx<'_>) -> Result<String, ActionError> {
        match &self.previous {
            Some(p) => {
                put(cx, &self.account_id, p).await?;
                Ok("account Block Public Access restored".into())
            }
            None => {
                let c = read::s3control(cx.session, cx.region);
                let req = c.delete_public_access_block().account_id(&self.account_id);
                cx.call(Self::OPERATION, req.send()).await?;
                Ok("account Block Public Access configuration deleted (there was none)".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_inverse() {
        let a = PutAccountPublicAccessBlock { account_id: "111122223333".into(), public_buckets: vec![] };
        assert_eq!(
            a.cli("us-east-1"),
            "aws s3control put-public-access-block --account-id 111122223333 --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
        );
        let before = AccountPublicAccessState {
            config: Some(PublicAccessBlock { block_public_acls: true, ..Default::default() }),
        };
        let Some(Action::RestoreAccountPublicAccessBlock(r)) = a.inverse(&before) else { panic!("no inverse") };
        assert!(r.cli("us-east-1").ends_with(
            "BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false"
        ));
        assert!(r.achieved(&before) && !a.achieved(&before));
        let none = RestoreAccountPublicAccessBlock { account_id: "1".into(), previous: None };
        assert_eq!(none.cli("x"), "aws s3control delete-public-access-block --account-id 1");
        assert!(none.achieved(&AccountPublicAccessState { config: None }));
    }
}
