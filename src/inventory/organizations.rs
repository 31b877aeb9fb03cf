//! AWS Organizations: the organization of the caller, and every account in it
//! (`DescribeOrganization`, `ListAccounts`, every page), for `audit --organization`.

use super::model::*;
use super::read;
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_organizations::Client;

/// The caller's organization and its accounts. Err: the caller is not in an organization,
/// or may not list its accounts (not the management account or a delegated administrator).
pub(crate) async fn discover(s: &Session, rt: &Runtime) -> Result<OrganizationInventory, CollectError> {
    let client = Client::new(&s.config);
    let describe =
        read(s, rt, Lane::Chain, "organizations:DescribeOrganization", None, client.describe_organization().send());
    let list = async {
        let mut accounts = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let req = client.list_accounts().set_next_token(token.clone());
            let page = read(s, rt, Lane::Chain, "organizations:ListAccounts", None, req.send()).await?;
            accounts.extend(page.accounts().iter().map(|a| {
                OrgAccount {
                    id: a.id().unwrap_or_default().to_string(),
                    name: a.name().map(str::to_string),
                    email: a.email().map(str::to_string),
                    // `State` is the newer field; `Status` is what older endpoints (and moto) fill.
                    status: a
                        .state()
                        .map(|x| x.as_str().to_string())
                        .or_else(|| {
                            #[allow(deprecated)]
                            a.status().map(|x| x.as_str().to_string())
                        })
                        .unwrap_or_else(|| "UNKNOWN".into()),
                }
            }));
            match next_page(page.next_token(), &token) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok::<_, CollectError>(accounts)
    };
    let (describe, accounts) = tokio::join!(describe, list);
    let org = describe?;
    let o = org.organization();
    let mut accounts = accounts?;
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(OrganizationInventory {
        id: o.and_then(|o| o.id()).unwrap_or_default().to_string(),
        management_account: o.and_then(|o| o.master_account_id()).unwrap_or_default().to_string(),
        caller_account: s.account_id.clone(),
        accounts,
    })
}
