//! Who is audited: the caller's account, one account per `--role-arn`, or an organization's
//! accounts (`--organization`, narrowed by `--accounts`, `--exclude-accounts` and `--shard`).

use super::{credentials_error, Access, RunError};
use crate::aws::{base_config, Runtime, Session};
use crate::inventory::{organizations, OrganizationInventory, ScopeState, Target, UnauditedAccount};

/// `--organization` and what narrows it.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgOptions {
    /// The role assumed in every member account.
    pub member_role: String,
    /// `--accounts`: only these (each must be in the organization).
    pub only: Option<Vec<String>>,
    /// `--exclude-accounts`.
    pub exclude: Vec<String>,
    /// `--shard K/N`: the K-th (1-based) of N stable slices of the accounts.
    pub shard: Option<Shard>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    pub k: u64,
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("--shard '{s}': expected K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    /// Whether this shard audits `account`. By account id, not list position: an account stays
    /// in its shard when others join or leave. Account ids are random 12-digit numbers, so the id
    /// modulo N is balanced; anything else falls back to a fixed FNV-1a hash.
    pub(crate) fn contains(&self, account: &str) -> bool {
        let v = account.parse::<u64>().unwrap_or_else(|_| {
            account.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
        });
        v % self.n == self.k - 1
    }
}

/// What an audit reaches: the targets to collect, the organization (if discovered) and the
/// scope every report lists.
pub(crate) struct Reach {
    pub targets: Vec<Target>,
    pub organization: Option<OrganizationInventory>,
    /// Accounts of the organization that are not audited, and why.
    pub not_audited: Vec<UnauditedAccount>,
    /// What discovery could not read (the organizational units), one line each.
    pub warnings: Vec<String>,
}

fn unaudited(id: &str, name: Option<String>, state: ScopeState, reason: &str) -> UnauditedAccount {
    UnauditedAccount { account: id.to_string(), name, state, reason: reason.to_string() }
}

/// The accounts to audit, the management account when it is read for evidence only, and the
/// accounts left out.
pub(crate) type Selection = (Vec<String>, Option<String>, Vec<UnauditedAccount>);

/// Decides, for every account of `org`, whether it is audited; the management account is
/// collected for evidence even when another shard (or `--exclude-accounts`) has its verdicts.
pub fn select(org: &OrganizationInventory, o: &OrgOptions) -> Result<Selection, RunError> {
    if let Some(only) = &o.only {
        let unknown: Vec<&str> =
            only.iter().filter(|id| !org.accounts.iter().any(|a| &a.id == *id)).map(String::as_str).collect();
        if !unknown.is_empty() {
            return Err(RunError(format!(
                "--accounts: {} not in organization {} (it has {} accounts; see organizations:ListAccounts)",
                unknown.join(", "),
                org.id,
                org.accounts.len()
            )));
        }
    }
    let mut audited = Vec::new();
    let mut scope = Vec::new();
    for a in &org.accounts {
        let state = if a.status != "ACTIVE" {
            Some((ScopeState::Suspended, format!("account status {} (closed accounts are not audited)", a.status)))
        } else if o.only.as_ref().is_some_and(|only| !only.contains(&a.id)) {
            Some((ScopeState::Excluded, "not among --accounts".to_string()))
        } else if o.exclude.contains(&a.id) {
            Some((ScopeState::Excluded, "--exclude-accounts".to_string()))
        } else {
            o.shard
                .filter(|s| !s.contains(&a.id))
                .map(|s| (ScopeState::OtherShard, format!("audited by another shard (this is {}/{})", s.k, s.n)))
        };
        match state {
            Some((st, why)) => scope.push(unaudited(&a.id, a.name.clone(), st, &why)),
            None => audited.push(a.id.clone()),
        }
    }
    let mgmt_active = org.accounts.iter().any(|a| a.id == org.management_account && a.status == "ACTIVE");
    let support = (mgmt_active && !audited.contains(&org.management_account) && !audited.is_empty())
        .then(|| org.management_account.clone());
    Ok((audited, support, scope))
}

/// The sessions of an audit: the caller's own account (identified with GetCallerIdentity), one
/// per `--role-arn`, or every selected account of the organization.
pub(crate) async fn reach(a: &Access, rt: &Runtime) -> Result<Reach, RunError> {
    let Some(o) = &a.organization else {
        let sessions = super::sessions(a, rt).await?;
        return Ok(Reach {
            targets: sessions.into_iter().map(|session| Target { session, support: false }).collect(),
            organization: None,
            not_audited: vec![],
            warnings: vec![],
        });
    };
    let base = base_config(&a.aws).await;
    let caller = Session::caller(&base, rt).await.map_err(|e| credentials_error(&e, a, None))?;
    let (org, ou_error) = organizations::discover(&caller, rt).await.map_err(|e| {
        RunError(format!(
            "cannot list the accounts of the organization as {} (organizations:ListAccounts: {}{}): the caller must be the organization's management account or a delegated administrator; run from there (or register one with `aws organizations register-delegated-administrator`), or audit accounts one by one with --role-arn",
            caller.caller_arn(),
            e.code,
            if e.message.is_empty() { String::new() } else { format!(": {}", e.message) }
        ))
    })?;
    let (audited, support, not_audited) = select(&org, o)?;
    let role = |id: &str| format!("arn:{}:iam::{id}:role/{}", caller.partition, o.member_role);
    let mut targets = Vec::new();
    for (id, support) in audited.iter().map(|id| (id, false)).chain(support.iter().map(|id| (id, true))) {
        let session = if *id == caller.account_id {
            caller.clone()
        } else {
            Session::for_role(&base, &role(id), a.external_id.as_deref(), rt).ok_or_else(|| {
                RunError(format!("cannot build a role ARN for account {id} from --member-role {}", o.member_role))
            })?
        };
        targets.push(Target { session, support });
    }
    let warnings = ou_error
        .map(|e| format!("the organizational units could not be read ({e}): accounts are reported without their OU"))
        .into_iter()
        .collect();
    Ok(Reach { targets, organization: Some(org), not_audited, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::OrgAccount;

    fn org(n: usize) -> OrganizationInventory {
        let mut accounts: Vec<OrgAccount> = (0..n)
            .map(|i| OrgAccount {
                id: format!("{:012}", 100000000000u64 + i as u64 * 7919),
                status: "ACTIVE".into(),
                ..Default::default()
            })
            .collect();
        accounts[1].status = "SUSPENDED".into();
        OrganizationInventory {
            id: "o-test".into(),
            management_account: accounts[0].id.clone(),
            caller_account: accounts[0].id.clone(),
            accounts,
        }
    }

    #[test]
    fn shards_cover_every_account_exactly_once_and_stay_balanced() {
        let o = org(400);
        let mut seen = std::collections::HashMap::new();
        let n = 4;
        for k in 1..=n {
            let opts = OrgOptions { shard: Some(Shard { k, n }), ..Default::default() };
            let (audited, _, _) = select(&o, &opts).unwrap();
            assert!((80..=120).contains(&audited.len()), "shard {k}: {}", audited.len());
            for a in audited {
                *seen.entry(a).or_insert(0) += 1;
            }
        }
        assert_eq!(seen.len(), 399, "every active account once");
        assert!(seen.values().all(|c| *c == 1));
        // Stable: adding accounts does not move the others.
        let s = Shard { k: 2, n: 4 };
        let id = o.accounts[7].id.clone();
        assert_eq!(
            s.contains(&id),
            select(&org(500), &OrgOptions { shard: Some(s), ..Default::default() }).unwrap().0.contains(&id)
        );
    }

    #[test]
    fn suspended_excluded_and_unknown_accounts() {
        let o = org(5);
        let opts = OrgOptions { exclude: vec![o.accounts[2].id.clone()], ..Default::default() };
        let (audited, support, scope) = select(&o, &opts).unwrap();
        assert_eq!(audited.len(), 3);
        assert!(support.is_none(), "the management account is audited itself");
        let states: Vec<ScopeState> = scope.iter().map(|s| s.state).collect();
        assert_eq!(states, [ScopeState::Suspended, ScopeState::Excluded]);
        let e = select(&o, &OrgOptions { only: Some(vec!["999999999999".into()]), ..Default::default() }).unwrap_err();
        assert!(e.0.contains("999999999999 not in organization o-test"), "{}", e.0);
        // The management account in another shard is still read, for the organization trail.
        let (audited, support, _) =
            select(&o, &OrgOptions { exclude: vec![o.accounts[0].id.clone()], ..Default::default() }).unwrap();
        assert!(!audited.contains(&o.accounts[0].id));
        assert_eq!(support.as_deref(), Some(o.accounts[0].id.as_str()));
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { k: 2, n: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x", "1-4"] {
            assert!(bad.parse::<Shard>().unwrap_err().contains("expected K/N"), "{bad}");
        }
    }
}
