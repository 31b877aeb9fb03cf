//! The registry: every check module, listed once. A control is evaluated by the module its data
//! names (`check = "…"` in `checks/controls/<key>.toml`, for a family such as the monitoring
//! chain) or by the module registered under its own key; a recommendation with neither is
//! MANUAL ([`super::manual`]).
//!
//! A module's entry ([`Check`]) carries everything about it the rest of the product needs: its
//! documentation (the module's `//!` doc comment, which `cis-audit explain` prints), its
//! evaluator, the subjects its findings report, the reads it needs collected, and its
//! remediation hook.

pub(crate) use super::module::*;
use crate::catalog::Control;

/// Every check module, registered explicitly: one line each.
#[rustfmt::skip]
pub(crate) const REGISTRY: &[&Check] = &[
    &super::trail::CHECK,
    &super::trail_cloudwatch::CHECK,
    &super::config_recorder::CHECK,
    &super::monitoring::CHECK,
    &super::ebs_default_encryption::CHECK,
    &super::securityhub_enabled::CHECK,
    &super::kms_key_rotation::CHECK,
    &super::cloudtrail_log_validation::CHECK,
    &super::cloudtrail_kms_encryption::CHECK,
    &super::vpc_flow_logs::CHECK,
    &super::ec2_imdsv2::CHECK,
    &super::sg_open_ports::CHECK,
    &super::nacl_admin_ports::CHECK,
    &super::default_sg_restricts_all::CHECK,
    &super::vpc_peering_least_access::CHECK,
    &super::vpc_endpoints_used::CHECK,
    &super::password_policy::CHECK,
    &super::root_account::CHECK,
    &super::iam_credentials::CHECK,
    &super::iam_group_permissions_only::CHECK,
    &super::iam_no_admin_policies::CHECK,
    &super::iam_policy_attachments::CHECK,
    &super::iam_instance_roles::CHECK,
    &super::iam_expired_certificates::CHECK,
    &super::access_analyzer::CHECK,
    &super::account_contacts::CHECK,
    &super::org_root_access::CHECK,
    &super::iam_central_identity::CHECK,
    &super::s3_deny_http::CHECK,
    &super::s3_block_public_access::CHECK,
    &super::rds_instances::CHECK,
    &super::efs_encryption::CHECK,
    &super::s3_object_logging::CHECK,
    &super::s3_mfa_delete::CHECK,
    &super::s3_default_encryption::CHECK,
    &super::cloudtrail_bucket::CHECK,
    &super::assessor_only::CHECK,
];

/// The module registered under `name`.
pub fn check(name: &str) -> Option<&'static Check> {
    REGISTRY.iter().copied().find(|c| c.name == name)
}

/// The module that evaluates a control: its own, or the manual one.
pub(crate) fn for_control(c: &Control) -> &'static Check {
    check(c.check()).unwrap_or(&super::manual::CHECK)
}

/// Whether the control is evaluated from the inventory (not MANUAL by lack of a module, nor
/// left to the assessor by a module that reads nothing, such as `assessor-only`).
pub(crate) fn is_evaluated(c: &Control) -> bool {
    check(c.check()).is_some_and(|m| !m.reads.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_is_registered_once_and_documented() {
        let mut names: Vec<&str> = REGISTRY.iter().map(|c| c.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a name is registered twice");
        for c in REGISTRY {
            assert!(c.doc().lines().count() >= 2, "{} has no module documentation", c.name);
            assert!(!c.subjects.is_empty(), "{} reports no subject", c.name);
        }
        assert_eq!(module_doc("//! One.\n//!\n//! Two.\nuse x;"), "One.\n\nTwo.");
        assert_eq!(module_doc("//! See [`super::trail`] and **this**."), "See `trail` and this.");
    }

    /// The stable check ids (`finding.check`): every control key × the subjects its module reports.
    #[test]
    fn check_ids_snapshot() {
        let ids = crate::checks::check_ids();
        assert!(ids.contains(&"security-group-changes/sns-subscription".to_string()));
        insta::assert_snapshot!("check_ids", ids.join("\n"));
    }

    /// A module's snapshot cases live next to it: `src/checks/x.rs` has `src/checks/x/tests.rs`
    /// (a folder module `…/mod.rs`, `…/tests.rs`).
    #[test]
    fn every_module_has_its_snapshot_tests_beside_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for c in REGISTRY {
            let file = root.join(c.file);
            let tests = match file.file_name().and_then(|n| n.to_str()) {
                Some("mod.rs") => file.with_file_name("tests.rs"),
                _ => file.with_extension("").join("tests.rs"),
            };
            assert!(tests.is_file(), "{} has no {}", c.name, tests.display());
            let text = std::fs::read_to_string(&tests).unwrap();
            assert!(text.contains("snapshot_cases!"), "{} has no snapshot cases", tests.display());
        }
    }

    #[test]
    fn every_registered_module_evaluates_a_control_of_some_version() {
        let cat = crate::catalog::catalog();
        for c in REGISTRY {
            let used = cat
                .benchmarks
                .iter()
                .any(|b| cat.select(&b.version, None).unwrap().iter().any(|x| x.check() == c.name));
            assert!(used, "module {} evaluates no control of any benchmark version", c.name);
        }
    }
}
