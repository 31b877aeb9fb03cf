//! Snapshot cases of S3 Block Public Access: the compliant fixture (the account's four settings
//! on, and each bucket's) broken one way per case, and the plan's `--yes` gate.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn account_off(inv: &mut Inventory) {
    inv.accounts[0].account_wide.s3_public_access_block =
        Some(Collected::Ok(Some(PublicAccessBlock { block_public_acls: true, ..Default::default() })));
}

snapshot_cases! {
    bpa_account_on_passes: "5.0.0", ["2.1.4"], |inv| {},
    bpa_account_off_every_bucket_on_passes: "6.0.0", ["3.1.4"], |inv| { account_off(inv); },
    bpa_account_none_and_a_bucket_off_fails: "7.0.0", ["3.1.4"], |inv| {
        inv.accounts[0].account_wide.s3_public_access_block = Some(Collected::Ok(None));
        bucket_of(inv, "data-111122223333").public_access_block =
            Some(Collected::Ok(Some(PublicAccessBlock { ignore_public_acls: false, ..PublicAccessBlock::ALL })));
        bucket_of(inv, "trail-bucket").public_access_block = Some(Collected::Ok(None));
    },
    bpa_account_on_covers_a_bucket_without_settings: "5.0.0", ["2.1.4"], |inv| {
        bucket_of(inv, "data-111122223333").public_access_block = Some(Collected::Ok(None));
    },
    bpa_account_unreadable_and_a_bucket_off_is_error: "5.0.0", ["2.1.4"], |inv| {
        inv.accounts[0].account_wide.s3_public_access_block =
            Some(Collected::Error(err("s3:GetAccountPublicAccessBlock", "AccessDenied")));
        bucket_of(inv, "data-111122223333").public_access_block = Some(Collected::Ok(None));
    },
    bpa_public_bucket_is_named: "1.4.0", ["2.1.5"], |inv| {
        account_off(inv);
        let b = bucket_of(inv, "data-111122223333");
        b.public_access_block = Some(Collected::Ok(None));
        b.policy = Some(Collected::Ok(Some(serde_json::json!({"Statement": {"Sid": "Website", "Effect": "Allow",
            "Principal": {"AWS": "*"}, "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::data-111122223333/*"}}).to_string())));
        b.acl = Some(Collected::Ok(vec![AclGrant { grantee_type: "Group".into(),
            uri: Some("http://acs.amazonaws.com/groups/global/AllUsers".into()), id: None, permission: "READ".into() }]));
    },
    bpa_no_bucket_and_account_off_fails: "5.0.0", ["2.1.4"], |inv| {
        account_off(inv);
        inv.accounts[0].account_wide.buckets = Some(Collected::Ok(vec![]));
    },
}

mod plan {
    use crate::checks::fixtures::*;
    use crate::inventory::*;
    use crate::remediate::plan::{build, Inputs};

    fn planned(inv: &Inventory, yes: bool) -> crate::remediate::plan::Plan {
        let e = verdicts(inv, "5.0.0", &["2.1.4"], false);
        let judge = crate::pattern::Judge::new(crate::pattern::Corpus::builtin());
        let ctx = crate::checks::Context::new(inv, crate::checks::EvalOptions::default(), &judge);
        let controls = crate::catalog::catalog().select("5.0.0", Some(&["s3-block-public-access".into()])).unwrap();
        let mut inputs = Inputs::defaults("5.0.0", "us-east-1");
        inputs.yes = yes;
        build(&ctx, &e, &controls, &inputs)
    }

    fn failing() -> Inventory {
        let mut inv = compliant();
        inv.accounts[0].account_wide.s3_public_access_block = Some(Collected::Ok(None));
        bucket_of(&mut inv, "trail-bucket").public_access_block = Some(Collected::Ok(None));
        inv
    }

    #[test]
    fn the_account_setting_is_planned_when_nothing_is_public() {
        let p = planned(&failing(), false);
        assert_eq!(p.steps.len(), 1, "{p:?}");
        assert!(p.steps[0].manual.is_none());
        assert_eq!(p.steps[0].command, "aws s3control put-public-access-block --account-id 111122223333 --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true");
    }

    #[test]
    fn a_public_bucket_is_named_and_needs_yes() {
        let mut inv = failing();
        bucket_of(&mut inv, "data-111122223333").acl = Some(Collected::Ok(vec![AclGrant {
            grantee_type: "Group".into(),
            uri: Some("http://acs.amazonaws.com/groups/global/AllUsers".into()),
            id: None,
            permission: "READ".into(),
        }]));
        let p = planned(&inv, false);
        let m = p.steps[0].manual.as_ref().expect("MANUAL without --yes");
        assert_eq!(m.missing, ["--yes"]);
        assert!(m.reason.contains("data-111122223333 (the ACL grants READ to AllUsers)"), "{}", m.reason);
        let p = planned(&inv, true);
        assert!(p.steps[0].manual.is_none());
        assert!(p.steps[0].action.resource().contains("data-111122223333"), "{}", p.steps[0].action.resource());
    }

    #[test]
    fn nothing_is_planned_when_the_account_setting_is_unknown() {
        let mut inv = failing();
        inv.accounts[0].account_wide.s3_public_access_block =
            Some(Collected::Error(err("s3:GetAccountPublicAccessBlock", "AccessDenied")));
        assert!(planned(&inv, true).steps.is_empty());
    }
}
