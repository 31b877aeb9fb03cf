//! RDS databases, every one in every audited region, against one property per control:
//! - `rds-encryption`: storage encrypted at rest (CIS v5.0.0 2.2.1; v1.4.0–v3.0.0 2.3.1;
//!   v4.0.0 2.2.1; v6.0.0 and v7.0.0 3.2.1);
//! - `rds-auto-minor-upgrade`: auto minor version upgrade on (v5.0.0 2.2.2; v2.0.0 and v3.0.0
//!   2.3.2; v4.0.0 2.2.2; v6.0.0 and v7.0.0 3.2.2);
//! - `rds-not-public`: not publicly accessible (v5.0.0 2.2.3; v2.0.0 and v3.0.0 2.3.3; v4.0.0
//!   2.2.3; v6.0.0 and v7.0.0 3.2.3);
//! - `rds-multi-az`: Multi-AZ (v4.0.0 and v5.0.0 2.2.4; v6.0.0 and v7.0.0 3.2.4).
//!
//! A version that assesses a recommendation as Manual (Multi-AZ in every version that has it) is
//! still answered by the audit procedure: a single-AZ database FAILs, with the evidence and the
//! command; a development database that may rightly be single-AZ is an exception the user
//! records as a suppression with its reason.
//!
//! Read: `DescribeDBInstances` and `DescribeDBClusters` in each region. **A database is judged
//! once**: an instance that belongs to no DB cluster is judged on its own
//! (`StorageEncrypted`, `AutoMinorVersionUpgrade`, `PubliclyAccessible`, `MultiAZ`); a DB cluster
//! (Aurora, or a Multi-AZ DB cluster) is judged as one database with its member instances, which
//! are not counted again:
//! - encryption: the cluster's `StorageEncrypted` (its instances share the cluster volume);
//! - auto minor version upgrade: the cluster's own setting where RDS reports one (Multi-AZ DB
//!   clusters), and every member instance's (Aurora keeps it per instance): one member off fails
//!   the cluster, naming it;
//! - public access: the cluster's own setting where reported, and every member instance's: one
//!   public member makes the cluster public;
//! - Multi-AZ: the cluster's `MultiAZ`, or members in at least two Availability Zones (an Aurora
//!   replica in another zone is Aurora's Multi-AZ).
//!
//! A member instance whose cluster was not listed (its `DescribeDBClusters` failed) is judged on
//! its own, saying so. An instance for which RDS does not say whether it is publicly accessible
//! (AWS always does) is ERROR for `rds-not-public`. A region whose reads failed is ERROR, naming
//! the call; no database at all passes.
//!
//! Remediation is MANUAL, with the exact commands in each finding: `modify-db-instance`
//! (`--auto-minor-version-upgrade`, `--no-publicly-accessible`, `--multi-az`,
//! `--apply-immediately`; `modify-db-cluster` for a Multi-AZ DB cluster's own settings), and for
//! encryption, which cannot be turned on for an existing database, a snapshot copied with a KMS
//! key and restored to a new, encrypted database.

use super::module::{module_source, Check};
use super::rollup::{account_verdict, per_region, unreadable, RegionRead};
use super::Context;
use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, RdsCluster, RdsInstance, Read};

const SOURCE: (&str, &str) = module_source!();

pub(crate) const CHECK: Check = Check {
    name: "rds-instances",
    file: SOURCE.0,
    doc: SOURCE.1,
    evaluate,
    subjects: &[Subject::RdsInstance, Subject::RdsCluster],
    reads: &[Read::Rds],
    has_patterns: false,
    remedy: "nothing automatic: each failing database's finding gives the exact commands (aws rds modify-db-instance …; for encryption, snapshot, encrypted copy and restore, since an existing database cannot be encrypted in place).",
    plan: None,
};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Property {
    Encryption,
    AutoMinor,
    NotPublic,
    MultiAz,
}

impl Property {
    fn of(key: &str) -> Option<Property> {
        Some(match key {
            "rds-encryption" => Property::Encryption,
            "rds-auto-minor-upgrade" => Property::AutoMinor,
            "rds-not-public" => Property::NotPublic,
            "rds-multi-az" => Property::MultiAz,
            _ => return None,
        })
    }
    fn step(self) -> &'static str {
        match self {
            Property::Encryption => "rds.storage_encrypted",
            Property::AutoMinor => "rds.auto_minor_version_upgrade",
            Property::NotPublic => "rds.publicly_accessible",
            Property::MultiAz => "rds.multi_az",
        }
    }
}

/// A judgement: Ok(what was seen) or Err(why not); Unknown(why) when RDS did not say.
enum Judged {
    Ok(String),
    Bad(String),
    Unknown(String),
}

fn instance(p: Property, i: &RdsInstance) -> Judged {
    match p {
        Property::Encryption if i.storage_encrypted => Judged::Ok("storage is encrypted".into()),
        Property::Encryption => Judged::Bad("storage is not encrypted (StorageEncrypted false)".into()),
        Property::AutoMinor if i.auto_minor_version_upgrade => Judged::Ok("auto minor version upgrade is on".into()),
        Property::AutoMinor => Judged::Bad("auto minor version upgrade is off".into()),
        Property::NotPublic => match i.publicly_accessible {
            Some(false) => Judged::Ok("not publicly accessible".into()),
            Some(true) => Judged::Bad("publicly accessible (PubliclyAccessible true)".into()),
            None => Judged::Unknown("RDS did not say whether it is publicly accessible".into()),
        },
        Property::MultiAz if i.multi_az => Judged::Ok("Multi-AZ".into()),
        Property::MultiAz => {
            Judged::Bad(format!("single-AZ ({})", i.availability_zone.as_deref().unwrap_or("zone not reported")))
        }
    }
}

fn cluster(p: Property, c: &RdsCluster, members: &[&RdsInstance]) -> Judged {
    let names = |f: &dyn Fn(&RdsInstance) -> bool| -> Vec<String> {
        members.iter().filter(|m| f(m)).map(|m| m.id.clone()).collect()
    };
    match p {
        Property::Encryption if c.storage_encrypted => Judged::Ok("the cluster's storage is encrypted".into()),
        Property::Encryption => Judged::Bad("the cluster's storage is not encrypted (StorageEncrypted false)".into()),
        Property::AutoMinor => {
            let off = names(&|m| !m.auto_minor_version_upgrade);
            match (c.auto_minor_version_upgrade, off.is_empty()) {
                (Some(false), _) => Judged::Bad("the cluster's auto minor version upgrade is off".into()),
                (_, false) => Judged::Bad(format!("auto minor version upgrade is off on member(s) {}", off.join(", "))),
                _ => Judged::Ok(format!("auto minor version upgrade is on (cluster and {} member(s))", members.len())),
            }
        }
        Property::NotPublic => {
            let public = names(&|m| m.publicly_accessible == Some(true));
            let unknown = names(&|m| m.publicly_accessible.is_none());
            if c.publicly_accessible == Some(true) {
                Judged::Bad("the cluster is publicly accessible".into())
            } else if !public.is_empty() {
                Judged::Bad(format!("member(s) {} are publicly accessible", public.join(", ")))
            } else if !unknown.is_empty() {
                Judged::Unknown(format!(
                    "RDS did not say whether member(s) {} are publicly accessible",
                    unknown.join(", ")
                ))
            } else {
                Judged::Ok(format!("neither the cluster nor its {} member(s) are publicly accessible", members.len()))
            }
        }
        Property::MultiAz => {
            let mut zones: Vec<&str> = members.iter().filter_map(|m| m.availability_zone.as_deref()).collect();
            zones.sort();
            zones.dedup();
            if c.multi_az || zones.len() >= 2 {
                Judged::Ok(format!("Multi-AZ (members in {})", zones.join(", ")))
            } else {
                Judged::Bad(format!(
                    "single-AZ: {} member(s), in {}",
                    members.len(),
                    if zones.is_empty() { "no reported zone".to_string() } else { zones.join(", ") }
                ))
            }
        }
    }
}

fn instance_fix(p: Property, region: &str, id: &str) -> String {
    let m = |flag: &str| {
        format!("aws rds modify-db-instance --region {region} --db-instance-identifier {id} {flag} --apply-immediately")
    };
    match p {
        Property::Encryption => format!(
            "an existing instance cannot be encrypted in place: aws rds create-db-snapshot --region {region} --db-instance-identifier {id} --db-snapshot-identifier {id}-unencrypted; aws rds copy-db-snapshot --region {region} --source-db-snapshot-identifier {id}-unencrypted --target-db-snapshot-identifier {id}-encrypted --kms-key-id alias/aws/rds; aws rds restore-db-instance-from-db-snapshot --region {region} --db-instance-identifier {id}-encrypted --db-snapshot-identifier {id}-encrypted (then move clients to the new instance)"
        ),
        Property::AutoMinor => m("--auto-minor-version-upgrade"),
        Property::NotPublic => m("--no-publicly-accessible"),
        Property::MultiAz => m("--multi-az"),
    }
}

fn cluster_fix(p: Property, region: &str, c: &RdsCluster, members: &[&RdsInstance]) -> String {
    let each = |flag: &str, pick: &dyn Fn(&RdsInstance) -> bool| -> String {
        let mut cmds: Vec<String> = members
            .iter()
            .filter(|m| pick(m))
            .map(|m| format!("aws rds modify-db-instance --region {region} --db-instance-identifier {} {flag} --apply-immediately", m.id))
            .collect();
        if c.auto_minor_version_upgrade.is_some() || c.publicly_accessible.is_some() {
            cmds.push(format!(
                "aws rds modify-db-cluster --region {region} --db-cluster-identifier {} {flag} --apply-immediately",
                c.id
            ));
        }
        cmds.join("; ")
    };
    let id = &c.id;
    match p {
        Property::Encryption => format!(
            "an existing cluster cannot be encrypted in place: aws rds create-db-cluster-snapshot --region {region} --db-cluster-identifier {id} --db-cluster-snapshot-identifier {id}-unencrypted; aws rds copy-db-cluster-snapshot --region {region} --source-db-cluster-snapshot-identifier {id}-unencrypted --target-db-cluster-snapshot-identifier {id}-encrypted --kms-key-id alias/aws/rds; aws rds restore-db-cluster-from-snapshot --region {region} --db-cluster-identifier {id}-encrypted --snapshot-identifier {id}-encrypted --engine {} (then add its instances and move clients to it)",
            c.engine
        ),
        Property::AutoMinor => each("--auto-minor-version-upgrade", &|m| !m.auto_minor_version_upgrade),
        Property::NotPublic => each("--no-publicly-accessible", &|m| m.publicly_accessible != Some(false)),
        Property::MultiAz => format!(
            "add a reader in another Availability Zone: aws rds create-db-instance --region {region} --db-cluster-identifier {id} --db-instance-identifier {id}-reader-2 --engine {} --db-instance-class <class of the writer> --availability-zone <another zone>",
            c.engine
        ),
    }
}

pub fn evaluate(control: &Control, acct: &AccountInventory, _ctx: &Context) -> Vec<(ControlResult, Vec<Finding>)> {
    let Some(p) = Property::of(&control.key) else {
        let m = format!("no RDS property is defined for control {}", control.key);
        let f =
            Finding::about(control, Subject::RdsInstance, &acct.account_id).status(Status::Error).message(m.clone());
        return vec![(ControlResult::new(control, &acct.account_id, None, Status::Error, m), vec![f])];
    };
    let mut findings = Vec::new();
    let instances = per_region(acct, |r| r.rds_instances.as_ref());
    let clusters = per_region(acct, |r| r.rds_clusters.as_ref());
    for ((region, inst), (_, clus)) in instances.iter().zip(&clusters) {
        let inst_list = match inst {
            RegionRead::Ok(v) => *v,
            other => {
                findings.extend(unreadable(control, acct, Subject::RdsInstance, region, other, "the RDS instances"));
                continue;
            }
        };
        let clus_list: &[RdsCluster] = match clus {
            RegionRead::Ok(v) => v,
            other => {
                findings.extend(unreadable(control, acct, Subject::RdsCluster, region, other, "the RDS clusters"));
                &[]
            }
        };
        let verdict = |j: Judged, f: Finding, fix: String| -> Finding {
            match j {
                Judged::Ok(seen) => f.message(seen.clone()).evidence(vec![Evidence::ok(p.step(), seen)]),
                Judged::Bad(why) => f
                    .status(Status::Fail)
                    .message(why.clone())
                    .evidence(vec![Evidence::bad(p.step(), why)])
                    .remediation(Some(fix)),
                Judged::Unknown(why) => {
                    f.status(Status::Error).message(why.clone()).evidence(vec![Evidence::bad(p.step(), why)])
                }
            }
        };
        let prefix = |f: Finding, what: String| {
            let m = format!("{what}: {}", f.message);
            f.message(m)
        };
        for c in clus_list {
            let members: Vec<&RdsInstance> =
                inst_list.iter().filter(|i| i.cluster.as_deref() == Some(c.id.as_str())).collect();
            let f = Finding::about(control, Subject::RdsCluster, &acct.account_id)
                .region(Some(*region))
                .resource(Some(&c.arn));
            let mut f = verdict(cluster(p, c, &members), f, cluster_fix(p, region, c, &members));
            let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
            f.evidence.push(Evidence::info(
                "rds.cluster_members",
                if ids.is_empty() { "none".to_string() } else { ids.join(", ") },
            ));
            findings.push(prefix(f, format!("DB cluster {} ({}, {region})", c.id, c.engine)));
        }
        for i in inst_list {
            let listed = i.cluster.as_deref().is_some_and(|c| clus_list.iter().any(|x| x.id == c));
            if listed {
                continue; // judged with its cluster
            }
            let f = Finding::about(control, Subject::RdsInstance, &acct.account_id)
                .region(Some(*region))
                .resource(Some(&i.arn));
            let mut f = verdict(instance(p, i), f, instance_fix(p, region, &i.id));
            if let Some(c) = &i.cluster {
                f.evidence.push(Evidence::info(
                    "rds.cluster",
                    format!("member of DB cluster {c}, which DescribeDBClusters did not list: judged on its own"),
                ));
            }
            findings.push(prefix(f, format!("DB instance {} ({}, {region})", i.id, i.engine)));
        }
    }
    let n = findings.len();
    let pass = match p {
        Property::Encryption => format!("every RDS database ({n}) is encrypted at rest"),
        Property::AutoMinor => format!("every RDS database ({n}) upgrades minor versions automatically"),
        Property::NotPublic => format!("no RDS database ({n}) is publicly accessible"),
        Property::MultiAz => format!("every RDS database ({n}) is Multi-AZ"),
    };
    account_verdict(control, acct, findings, pass, (Status::Pass, "no RDS database in any audited region".into()))
}

#[cfg(test)]
mod tests;
