//! IAM: what is read once per account, in the partition's global region.

use super::model::*;
use super::{pages, read};
use crate::aws::{Lane, Runtime, Session};

/// `GetAccountPasswordPolicy`: the policy, or Ok(None) when the account has none (IAM answers
/// `NoSuchEntity`).
pub(crate) async fn password_policy(s: &Session, rt: &Runtime, region: &str) -> Collected<Option<PasswordPolicy>> {
    let client = aws_sdk_iam::Client::new(&s.region_config(region));
    match read(s, rt, Lane::Leaf, "iam:GetAccountPasswordPolicy", None, || client.get_account_password_policy().send())
        .await
    {
        Ok(o) => Collected::Ok(o.password_policy().map(|p| PasswordPolicy {
            minimum_password_length: p.minimum_password_length(),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase_characters: p.require_uppercase_characters(),
            require_lowercase_characters: p.require_lowercase_characters(),
            allow_users_to_change_password: p.allow_users_to_change_password(),
            expire_passwords: p.expire_passwords(),
            max_password_age: p.max_password_age(),
            password_reuse_prevention: p.password_reuse_prevention(),
            hard_expiry: p.hard_expiry(),
        })),
        Err(e) if e.code == "NoSuchEntity" => Collected::Ok(None),
        Err(e) => Collected::Error(e),
    }
}

fn client(s: &Session, region: &str) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&s.region_config(region))
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.map(super::cloudtrail::fmt_time)
}

/// The next page's marker of a truncated IAM listing.
fn marker(truncated: bool, m: Option<&str>) -> Option<String> {
    if truncated {
        m.map(str::to_string)
    } else {
        None
    }
}

/// How long to wait before asking again whether the credential report is ready: 250 ms,
/// doubling to 4 s; about two minutes in all before giving up.
const REPORT_WAITS_MS: &[u64] =
    &[250, 500, 1000, 2000, 4000, 4000, 4000, 8000, 8000, 8000, 15000, 15000, 15000, 15000, 15000];

/// The credential report: `GenerateCredentialReport` until IAM says COMPLETE (asking again
/// with backoff while it is STARTED or INPROGRESS), then `GetCredentialReport`, parsed.
pub(crate) async fn credential_report(s: &Session, rt: &Runtime, region: &str) -> Collected<CredentialReport> {
    let c = client(s, region);
    let op = "iam:GenerateCredentialReport";
    let mut waits = REPORT_WAITS_MS.iter();
    loop {
        let state = match read(s, rt, Lane::Leaf, op, None, || c.generate_credential_report().send()).await {
            Ok(o) => o.state().map(|x| x.as_str().to_string()).unwrap_or_default(),
            Err(e) => return Collected::Error(e),
        };
        if state == "COMPLETE" {
            break;
        }
        match waits.next() {
            Some(ms) => tokio::time::sleep(std::time::Duration::from_millis(*ms)).await,
            None => {
                return Collected::Error(CollectError {
                    operation: op.into(),
                    account: s.account_id.clone(),
                    region: None,
                    code: "Timeout".into(),
                    message: format!("the credential report was still {state} after about two minutes"),
                })
            }
        }
    }
    let op = "iam:GetCredentialReport";
    let o = match read(s, rt, Lane::Leaf, op, None, || c.get_credential_report().send()).await {
        Ok(o) => o,
        Err(e) => return Collected::Error(e),
    };
    let content = o.content().map(|b| b.as_ref().to_vec()).unwrap_or_default();
    match parse_credential_report(&content) {
        Ok(rows) => {
            Collected::Ok(CredentialReport { generated_at: time(o.generated_time()).unwrap_or_default(), rows })
        }
        Err(m) => Collected::Error(CollectError {
            operation: op.into(),
            account: s.account_id.clone(),
            region: None,
            code: "ResponseError".into(),
            message: m,
        }),
    }
}

/// The credential report's CSV: its columns found by name (AWS may add columns).
pub(crate) fn parse_credential_report(csv_bytes: &[u8]) -> Result<Vec<CredentialRow>, String> {
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(csv_bytes);
    let headers = r.headers().map_err(|e| format!("the credential report is not CSV: {e}"))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let need = |name: &str| col(name).ok_or_else(|| format!("the credential report has no {name} column"));
    let (user, arn, created) = (need("user")?, need("arn")?, need("user_creation_time")?);
    let (pwd, pwd_used, pwd_changed, mfa) =
        (need("password_enabled")?, need("password_last_used")?, need("password_last_changed")?, need("mfa_active")?);
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("the credential report is not CSV: {e}"))?;
        let get = |i: usize| rec.get(i).unwrap_or_default().to_string();
        let opt = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("N/A").to_string();
        let access_keys = (1..=2u8)
            .map(|n| ReportKey {
                slot: n,
                active: opt(&format!("access_key_{n}_active")) == "true",
                last_rotated: opt(&format!("access_key_{n}_last_rotated")),
                last_used_date: opt(&format!("access_key_{n}_last_used_date")),
                last_used_region: opt(&format!("access_key_{n}_last_used_region")),
                last_used_service: opt(&format!("access_key_{n}_last_used_service")),
            })
            .collect();
        rows.push(CredentialRow {
            user: get(user),
            arn: get(arn),
            user_creation_time: get(created),
            password_enabled: get(pwd),
            password_last_used: get(pwd_used),
            password_last_changed: get(pwd_changed),
            mfa_active: get(mfa) == "true",
            access_keys,
        });
    }
    Ok(rows)
}

/// `GetAccountSummary`'s SummaryMap.
pub(crate) async fn account_summary(
    s: &Session,
    rt: &Runtime,
    region: &str,
) -> Collected<std::collections::BTreeMap<String, i64>> {
    let c = client(s, region);
    Collected::from(
        read(s, rt, Lane::Leaf, "iam:GetAccountSummary", None, || c.get_account_summary().send()).await.map(|o| {
            o.summary_map()
                .map(|m| m.iter().map(|(k, v)| (k.as_str().to_string(), i64::from(*v))).collect())
                .unwrap_or_default()
        }),
    )
}

/// `ListVirtualMFADevices` (every assignment status), every page.
pub(crate) async fn virtual_mfa_devices(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<VirtualMfaDevice>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "iam:ListVirtualMFADevices", region, |token| {
            let req = c.list_virtual_mfa_devices().set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .virtual_mfa_devices()
                        .iter()
                        .map(|d| VirtualMfaDevice {
                            serial_number: d.serial_number().to_string(),
                            user_arn: d.user().map(|u| u.arn().to_string()),
                            enable_date: time(d.enable_date()),
                        })
                        .collect();
                    (list, marker(o.is_truncated(), o.marker()))
                })
            }
        })
        .await,
    )
}

/// `ListUsers`, then for every user at once `ListAttachedUserPolicies` and `ListUserPolicies`.
pub(crate) async fn users(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<IamUser>> {
    let c = client(s, region);
    let list = pages(s, rt, "iam:ListUsers", region, |token| {
        let req = c.list_users().set_marker(token);
        async move {
            req.send().await.map(|o| {
                let users: Vec<(String, String)> =
                    o.users().iter().map(|u| (u.user_name().to_string(), u.arn().to_string())).collect();
                (users, marker(o.is_truncated(), o.marker()))
            })
        }
    })
    .await;
    let list = match list {
        Ok(l) => l,
        Err(e) => return Collected::Error(e),
    };
    let c = &c;
    let each = list.into_iter().map(|(name, arn)| async move {
        let attached = pages(s, rt, "iam:ListAttachedUserPolicies", region, |token| {
            let req = c.list_attached_user_policies().user_name(&name).set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let arns =
                        o.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_string)).collect();
                    (arns, marker(o.is_truncated(), o.marker()))
                })
            }
        });
        let inline = pages(s, rt, "iam:ListUserPolicies", region, |token| {
            let req = c.list_user_policies().user_name(&name).set_marker(token);
            async move { req.send().await.map(|o| (o.policy_names().to_vec(), marker(o.is_truncated(), o.marker()))) }
        });
        let (attached, inline) = tokio::join!(attached, inline);
        IamUser { name, arn, attached_policies: attached.into(), inline_policies: inline.into() }
    });
    Collected::Ok(futures::future::join_all(each).await)
}

/// `ListPolicies`: every customer managed policy and every attached AWS managed one, then each
/// one's default version (`GetPolicyVersion`), all at once.
pub(crate) async fn policies(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<ManagedPolicy>> {
    use aws_sdk_iam::types::PolicyScopeType;
    let c = client(s, region);
    let list = |scope: PolicyScopeType, only_attached: bool| {
        let c = c.clone();
        pages(s, rt, "iam:ListPolicies", region, move |token| {
            let req = c.list_policies().scope(scope.clone()).only_attached(only_attached).set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let list: Vec<ManagedPolicy> = o
                        .policies()
                        .iter()
                        .map(|p| {
                            let arn = p.arn().unwrap_or_default().to_string();
                            ManagedPolicy {
                                aws_managed: arn.contains(":iam::aws:policy/"),
                                arn,
                                name: p.policy_name().unwrap_or_default().to_string(),
                                attachment_count: p.attachment_count().unwrap_or(0),
                                default_version: p.default_version_id().unwrap_or_default().to_string(),
                                document: None,
                            }
                        })
                        .collect();
                    (list, marker(o.is_truncated(), o.marker()))
                })
            }
        })
    };
    let (local, aws) = tokio::join!(list(PolicyScopeType::Local, false), list(PolicyScopeType::Aws, true));
    let mut all = match (local, aws) {
        (Ok(mut l), Ok(a)) => {
            l.extend(a);
            l
        }
        (Err(e), _) | (_, Err(e)) => return Collected::Error(e),
    };
    let c = &c;
    let docs = all.iter().map(|p| async move {
        let op = "iam:GetPolicyVersion";
        let req = c.get_policy_version().policy_arn(&p.arn).version_id(&p.default_version);
        Collected::from(
            read(s, rt, Lane::Leaf, op, None, || req.send())
                .await
                .map(|o| decode_document(o.policy_version().and_then(|v| v.document()).unwrap_or_default())),
        )
    });
    let docs = futures::future::join_all(docs).await;
    for (p, d) in all.iter_mut().zip(docs) {
        p.document = Some(d);
    }
    Collected::Ok(all)
}

/// A policy document as IAM returns it: URL-encoded (RFC 3986) by most calls, plain JSON by some
/// SDKs and emulators; decoded when it is not already JSON.
pub(crate) fn decode_document(doc: &str) -> String {
    if doc.trim_start().starts_with('{') {
        return doc.to_string();
    }
    let bytes = doc.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let pair =
            (bytes[i] == b'%' && i + 2 < bytes.len()).then(|| hex(bytes[i + 1]).zip(hex(bytes[i + 2]))).flatten();
        match pair {
            Some((h, l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The AWS managed policies whose attachments the benchmark asks about.
pub(crate) const WATCHED_POLICIES: &[&str] = &["AWSSupportAccess", "AWSCloudShellFullAccess"];

/// `ListEntitiesForPolicy` of each of [`WATCHED_POLICIES`], at once.
pub(crate) async fn policy_entities(s: &Session, rt: &Runtime, region: &str) -> Vec<PolicyAttachments> {
    let c = &client(s, region);
    let each = WATCHED_POLICIES.iter().map(|name| async move {
        let arn = format!("arn:{}:iam::aws:policy/{name}", s.partition);
        let res = pages(s, rt, "iam:ListEntitiesForPolicy", region, |token| {
            let req = c.list_entities_for_policy().policy_arn(&arn).set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let e = PolicyEntities {
                        users: o.policy_users().iter().filter_map(|u| u.user_name().map(str::to_string)).collect(),
                        groups: o.policy_groups().iter().filter_map(|g| g.group_name().map(str::to_string)).collect(),
                        roles: o.policy_roles().iter().filter_map(|r| r.role_name().map(str::to_string)).collect(),
                    };
                    (vec![e], marker(o.is_truncated(), o.marker()))
                })
            }
        })
        .await;
        let entities = match res {
            Ok(pages) => Collected::Ok(Some(pages.into_iter().fold(PolicyEntities::default(), |mut a, p| {
                a.users.extend(p.users);
                a.groups.extend(p.groups);
                a.roles.extend(p.roles);
                a
            }))),
            Err(e) if e.code == "NoSuchEntity" => Collected::Ok(None),
            Err(e) => Collected::Error(e),
        };
        PolicyAttachments { policy_arn: arn, entities }
    });
    futures::future::join_all(each).await
}

/// `ListServerCertificates`, every page.
pub(crate) async fn server_certificates(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<ServerCertificate>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "iam:ListServerCertificates", region, |token| {
            let req = c.list_server_certificates().set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .server_certificate_metadata_list()
                        .iter()
                        .map(|m| ServerCertificate {
                            name: m.server_certificate_name().to_string(),
                            arn: m.arn().to_string(),
                            expiration: time(m.expiration()),
                            upload_date: time(m.upload_date()),
                        })
                        .collect();
                    (list, marker(o.is_truncated(), o.marker()))
                })
            }
        })
        .await,
    )
}

/// `ListInstanceProfiles`, every page, with the roles each profile holds.
pub(crate) async fn instance_profiles(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<InstanceProfile>> {
    let c = client(s, region);
    Collected::from(
        pages(s, rt, "iam:ListInstanceProfiles", region, |token| {
            let req = c.list_instance_profiles().set_marker(token);
            async move {
                req.send().await.map(|o| {
                    let list = o
                        .instance_profiles()
                        .iter()
                        .map(|p| InstanceProfile {
                            name: p.instance_profile_name().to_string(),
                            arn: p.arn().to_string(),
                            roles: p.roles().iter().map(|r| r.arn().to_string()).collect(),
                        })
                        .collect();
                    (list, marker(o.is_truncated(), o.marker()))
                })
            }
        })
        .await,
    )
}

/// The AWS error codes with which `ListOrganizationsFeatures` says there is nothing to list
/// here (no organization, IAM's trusted access off, not the management account).
const NO_ORG_FEATURES: &[&str] = &[
    "OrganizationNotFoundException",
    "OrganizationNotInAllFeaturesModeException",
    "ServiceAccessNotEnabledException",
    "AccountNotManagementOrDelegatedAdministratorException",
];

/// `ListOrganizationsFeatures`.
pub(crate) async fn organizations_features(
    s: &Session,
    rt: &Runtime,
    region: &str,
) -> Collected<OrganizationsFeatures> {
    let c = client(s, region);
    match read(s, rt, Lane::Leaf, "iam:ListOrganizationsFeatures", None, || c.list_organizations_features().send())
        .await
    {
        Ok(o) => Collected::Ok(OrganizationsFeatures {
            organization_id: o.organization_id().map(str::to_string),
            enabled_features: o.enabled_features().iter().map(|f| f.as_str().to_string()).collect(),
            unavailable: None,
        }),
        Err(e) if NO_ORG_FEATURES.contains(&e.code.as_str()) => Collected::Ok(OrganizationsFeatures {
            unavailable: Some(format!("{}: {}", e.code, e.message)),
            ..Default::default()
        }),
        Err(e) => Collected::Error(e),
    }
}

/// `ListSAMLProviders` and `ListOpenIDConnectProviders`: the identity providers' ARNs.
pub(crate) async fn identity_providers(s: &Session, rt: &Runtime, region: &str) -> Collected<Vec<String>> {
    let c = client(s, region);
    let (saml, oidc) = tokio::join!(
        read(s, rt, Lane::Leaf, "iam:ListSAMLProviders", None, || c.list_saml_providers().send()),
        read(s, rt, Lane::Leaf, "iam:ListOpenIDConnectProviders", None, || c.list_open_id_connect_providers().send()),
    );
    let mut out: Vec<String> = match saml {
        Ok(o) => o.saml_provider_list().iter().filter_map(|p| p.arn().map(str::to_string)).collect(),
        Err(e) => return Collected::Error(e),
    };
    match oidc {
        Ok(o) => out.extend(o.open_id_connect_provider_list().iter().filter_map(|p| p.arn().map(str::to_string))),
        Err(e) => return Collected::Error(e),
    }
    Collected::Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_url_decoded_once() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let doc = decode_document(enc);
        assert_eq!(doc, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        // Already JSON (some SDKs and emulators decode it): kept as it is, a literal % too.
        let plain = r#"{"Statement":{"Effect":"Allow","Action":"s3:Get%","Resource":"*"}}"#;
        assert_eq!(decode_document(plain), plain);
        // A stray % is kept.
        assert_eq!(decode_document("%7Ba%ZZ%7"), "{a%ZZ%7");
    }

    #[test]
    fn credential_report_columns_are_found_by_name() {
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::111122223333:root,2024-01-01T00:00:00+00:00,not_supported,no_information,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
bob,arn:aws:iam::111122223333:user/bob,2026-01-01T00:00:00+00:00,true,no_information,2026-01-01T00:00:00+00:00,N/A,false,true,2026-08-15T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";
        let rows = parse_credential_report(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_root() && rows[0].mfa_active && !rows[0].access_keys[0].exists());
        let bob = &rows[1];
        assert!(bob.has_password() && !bob.mfa_active);
        assert_eq!(bob.password_last_used, "no_information");
        assert!(bob.access_keys[0].active && bob.access_keys[0].exists());
        assert_eq!(bob.access_keys[0].last_used_date, "N/A");
        assert!(!bob.access_keys[1].exists());
        assert!(parse_credential_report(b"name,x\na,b").unwrap_err().contains("no user column"));
        assert!(parse_credential_report(b"user,arn\n\"unterminated").is_err());
    }
}
