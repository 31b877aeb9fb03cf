//! Snapshot cases of iam-instance-roles.

use crate::checks::fixtures::*;
use crate::inventory::*;

fn instances<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut Vec<Instance> {
    ok(region_of(inv, region).instances.as_mut().unwrap())
}

snapshot_cases! {
    instances_with_roles_pass: "5.0.0", ["1.17"], |inv| {},
    instance_without_profile_fails_terminated_one_ignored: "5.0.0", ["1.17"], |inv| {
        instances(inv, "eu-west-1")[0].instance_profile = None;
        instances(inv, "us-east-1").push(Instance { id: "i-gone".into(), state: "terminated".into(), ..Default::default() });
    },
    profile_without_role_fails: "7.0.0", ["2.16"], |inv| {
        ok(inv.accounts[0].account_wide.instance_profiles.as_mut().unwrap())[0].roles.clear();
    },
    profiles_unreadable_is_error: "5.0.0", ["1.17"], |inv| {
        inv.accounts[0].account_wide.instance_profiles = Some(Collected::Error(err("iam:ListInstanceProfiles", "AccessDenied")));
    },
    no_instances_pass: "1.2.0", ["1.19"], |inv| {
        instances(inv, "eu-west-1").clear();
        instances(inv, "us-east-1").clear();
    },
}
