//! AWS Organizations: the organization of the caller, every account in it
//! (`DescribeOrganization`, `ListAccounts`, every page) and the organizational unit each sits in
//! (the tree walked once per run), for `audit --organization`.

use super::model::*;
use super::read;
use crate::aws::{next_page, Lane, Runtime, Session};
use aws_sdk_organizations::Client;

/// The caller's organization and its accounts, each with its organizational unit when the tree
/// could be read (else the error, for a warning: the audit goes on without OUs). Err: the
/// caller is not in an organization, or may not list its accounts (not the management account
/// or a delegated administrator).
pub(crate) async fn discover(
    s: &Session,
    rt: &Runtime,
) -> Result<(OrganizationInventory, Option<CollectError>), CollectError> {
    let client = Client::new(&s.config);
    let describe =
        read(s, rt, Lane::Chain, "organizations:DescribeOrganization", None, || client.describe_organization().send());
    let list = async {
        let mut accounts = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let req = client.list_accounts().set_next_token(token.clone());
            let page = read(s, rt, Lane::Chain, "organizations:ListAccounts", None, || req.send()).await?;
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
                    ou: None,
                }
            }));
            match next_page(page.next_token(), &token) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok::<_, CollectError>(accounts)
    };
    let (describe, accounts, ous) = tokio::join!(describe, list, ou_paths(s, rt));
    let org = describe?;
    let o = org.organization();
    let mut accounts = accounts?;
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    let ou_error = match ous {
        Ok(paths) => {
            for a in &mut accounts {
                a.ou = paths.get(&a.id).cloned();
            }
            None
        }
        Err(e) => Some(e),
    };
    let org = OrganizationInventory {
        id: o.and_then(|o| o.id()).unwrap_or_default().to_string(),
        management_account: o.and_then(|o| o.master_account_id()).unwrap_or_default().to_string(),
        caller_account: s.account_id.clone(),
        accounts,
    };
    Ok((org, ou_error))
}

/// The organizational unit of every account, as a path from the root (`Root/Prod/Web`): the tree
/// walked from the roots down (`ListRoots`, then per root or OU `ListOrganizationalUnitsForParent`
/// and `ListAccountsForParent`, every page, each parent's two listings at once and the parents of
/// one level concurrently). Each parent is listed once per run: the calls grow with the number of
/// OUs (two per OU, plus pages), not with the number of accounts, where asking `ListParents` of
/// each account (and `DescribeOrganizationalUnit` of each OU) would make one call per account.
pub(crate) async fn ou_paths(
    s: &Session,
    rt: &Runtime,
) -> Result<std::collections::HashMap<String, String>, CollectError> {
    use futures::stream::{FuturesUnordered, StreamExt};
    let client = Client::new(&s.config);
    let mut roots = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req = client.list_roots().set_next_token(token.clone());
        let page = read(s, rt, Lane::Chain, "organizations:ListRoots", None, || req.send()).await?;
        roots.extend(
            page.roots()
                .iter()
                .map(|r| (r.id().unwrap_or_default().to_string(), r.name().unwrap_or("Root").to_string())),
        );
        match next_page(page.next_token(), &token) {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let children = |parent: String, path: String| {
        let client = &client;
        async move {
            let ous = async {
                let mut out = Vec::new();
                let mut token: Option<String> = None;
                loop {
                    let req =
                        client.list_organizational_units_for_parent().parent_id(&parent).set_next_token(token.clone());
                    let page =
                        read(s, rt, Lane::Chain, "organizations:ListOrganizationalUnitsForParent", None, || req.send())
                            .await?;
                    out.extend(
                        page.organizational_units().iter().map(|u| {
                            (u.id().unwrap_or_default().to_string(), u.name().unwrap_or_default().to_string())
                        }),
                    );
                    match next_page(page.next_token(), &token) {
                        Some(t) => token = Some(t),
                        None => break,
                    }
                }
                Ok::<_, CollectError>(out)
            };
            let accounts = async {
                let mut out = Vec::new();
                let mut token: Option<String> = None;
                loop {
                    let req = client.list_accounts_for_parent().parent_id(&parent).set_next_token(token.clone());
                    let page =
                        read(s, rt, Lane::Chain, "organizations:ListAccountsForParent", None, || req.send()).await?;
                    out.extend(page.accounts().iter().filter_map(|a| a.id().map(str::to_string)));
                    match next_page(page.next_token(), &token) {
                        Some(t) => token = Some(t),
                        None => break,
                    }
                }
                Ok::<_, CollectError>(out)
            };
            let (ous, accounts) = tokio::join!(ous, accounts);
            Ok::<_, CollectError>((path, ous?, accounts?))
        }
    };
    let mut paths = std::collections::HashMap::new();
    let mut pending: FuturesUnordered<_> = roots.into_iter().map(|(id, name)| children(id, name)).collect();
    while let Some(done) = pending.next().await {
        let (path, ous, accounts) = done?;
        for a in accounts {
            paths.insert(a, path.clone());
        }
        for (id, name) in ous {
            pending.push(children(id, format!("{path}/{name}")));
        }
    }
    Ok(paths)
}
