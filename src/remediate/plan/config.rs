//! Planning 3.3 in every failing region: a recorder of all supported resource types (global
//! types in the home region only, unless a recorder elsewhere has them), a delivery channel,
//! and recording.

use super::{Inputs, Manual, Plan};
use crate::actions::config as cf;
use crate::catalog::Control;
use crate::checks::config_recorder::records_all;
use crate::inventory::{AccountInventory, Collected, ConfigRecorder, RegionConfig};

pub(super) fn plan(plan: &mut Plan, acct: &AccountInventory, inputs: &Inputs, c: &Control, regions: &[&str]) {
    let a = acct.account_id.as_str();
    let id = c.id.as_str();
    let ids = [c.id.clone()];
    let customer = |rc: &RegionConfig| -> Option<Vec<ConfigRecorder>> {
        match &rc.recorders {
            Collected::Ok(l) => Some(l.iter().filter(|r| r.service_principal.is_none()).cloned().collect()),
            Collected::Error(_) => None,
        }
    };
    let global_somewhere = acct
        .config
        .iter()
        .any(|rc| customer(rc).is_some_and(|l| l.iter().any(|r| r.all_supported && r.include_global_resource_types)));
    let global_region = if acct.regions.contains(&inputs.home_region) {
        inputs.home_region.clone()
    } else {
        acct.regions.first().cloned().unwrap_or_else(|| inputs.home_region.clone())
    };
    for region in regions {
        let Some(rc) = acct.config.iter().find(|x| x.region == *region) else { continue };
        let (Some(recorders), Collected::Ok(statuses), Collected::Ok(channels)) =
            (customer(rc), &rc.recorder_statuses, &rc.delivery_channels)
        else {
            plan.note(format!("{id}: AWS Config in {region} could not be read; nothing planned there"));
            continue;
        };
        let want_global = !global_somewhere && *region == global_region;
        let mut rec_step = None;
        let rec_name;
        match recorders.first() {
            None => {
                rec_name = "default".to_string();
                let manual = inputs.config_role_arn.is_none().then(|| Manual {
                    missing: vec!["--config-role-arn".into()],
                    reason: "AWS Config needs a role to read the resources it records".into(),
                });
                rec_step = Some(plan.add(
                    a,
                    region,
                    &ids,
                    cf::PutConfigurationRecorder {
                        name: rec_name.clone(),
                        role_arn: inputs.config_role_arn.clone().unwrap_or_else(|| "<config-role-arn>".into()),
                        all_supported: true,
                        include_global: want_global,
                        resource_types: vec![],
                    },
                    &[],
                    manual,
                ));
            }
            Some(r) => {
                rec_name = r.name.clone();
                let all = records_all(r);
                if !all || (want_global && !r.include_global_resource_types) {
                    let role = r.role_arn.clone().or(inputs.config_role_arn.clone());
                    let manual = role.is_none().then(|| Manual {
                        missing: vec!["--config-role-arn".into()],
                        reason: format!("recorder {} has no role", r.name),
                    });
                    rec_step = Some(plan.add(
                        a,
                        region,
                        &ids,
                        cf::PutConfigurationRecorder {
                            name: r.name.clone(),
                            role_arn: role.unwrap_or_else(|| "<config-role-arn>".into()),
                            all_supported: true,
                            include_global: r.include_global_resource_types || want_global,
                            resource_types: vec![],
                        },
                        &[],
                        manual,
                    ));
                }
            }
        }
        let mut channel_step = None;
        if channels.is_empty() {
            let manual = inputs.config_bucket.is_none().then(|| Manual {
                missing: vec!["--config-bucket".into()],
                reason: "AWS Config delivers configuration snapshots to an S3 bucket".into(),
            });
            channel_step = Some(plan.add(
                a,
                region,
                &ids,
                cf::PutDeliveryChannel {
                    name: "default".into(),
                    bucket: inputs.config_bucket.clone().unwrap_or_else(|| "<config-bucket>".into()),
                },
                &[],
                manual,
            ));
        }
        let recording = statuses.iter().any(|s| s.name == rec_name && s.recording);
        if !recording {
            plan.add(
                a,
                region,
                &ids,
                cf::StartConfigurationRecorder { name: rec_name.clone() },
                &[rec_step, channel_step],
                None,
            );
        }
    }
}
