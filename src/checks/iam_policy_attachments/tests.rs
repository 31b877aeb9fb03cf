//! Snapshot cases of the policy attachment family (support-role, CloudShell full access).

use crate::checks::fixtures::*;
use crate::inventory::*;

fn entities<'a>(inv: &'a mut Inventory, name: &str) -> &'a mut Collected<Option<PolicyEntities>> {
    let arn = format!("arn:aws:iam::aws:policy/{name}");
    &mut inv.accounts[0].account_wide.policy_entities.iter_mut().find(|p| p.policy_arn == arn).unwrap().entities
}

snapshot_cases! {
    attachments_compliant_v5: "5.0.0", ["1.16", "1.21"], |inv| {},
    support_on_a_user_only_fails_v5: "5.0.0", ["1.16"], |inv| {
        *entities(inv, "AWSSupportAccess") = Collected::Ok(Some(PolicyEntities { users: vec!["helpdesk".into()], ..Default::default() }));
    },
    support_on_a_user_only_passes_v1_2: "1.2.0", ["1.20"], |inv| {
        *entities(inv, "AWSSupportAccess") = Collected::Ok(Some(PolicyEntities { users: vec!["helpdesk".into()], ..Default::default() }));
    },
    support_policy_absent_fails: "7.0.0", ["2.15"], |inv| {
        *entities(inv, "AWSSupportAccess") = Collected::Ok(None);
    },
    cloudshell_attached_fails_naming_holders: "6.0.0", ["2.21"], |inv| {
        *entities(inv, "AWSCloudShellFullAccess") = Collected::Ok(Some(PolicyEntities {
            users: vec!["alice".into()], groups: vec!["devs".into()], roles: vec![] }));
    },
    entities_unreadable_is_error: "5.0.0", ["1.21"], |inv| {
        *entities(inv, "AWSCloudShellFullAccess") = Collected::Error(err("iam:ListEntitiesForPolicy", "AccessDenied"));
    },
}
