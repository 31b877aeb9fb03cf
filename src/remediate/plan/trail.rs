//! Planning 3.1 and the trail link of the monitoring chain: reuse the trail that qualifies (or
//! one named `--trail-name`, or a multi-region one), make it multi-region, logging, recording
//! every management event (data-event selectors kept) and delivering to CloudWatch Logs.

use super::{Facts, Inputs, Manual, Plan};
use crate::actions::{cloudtrail as ct, logs as lg};
use crate::checks::trail::{assess_trail, management_events};
use crate::checks::Context;
use crate::inventory::{log_group_from_arn, AccountInventory, Collected, Trail, TrailSelectors};

/// The trail the plan relies on for an account, and the log group it delivers (or will deliver) to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrailTarget {
    pub existing: Option<Trail>,
    pub name: String,
    pub home_region: String,
    pub log_group_account: String,
    pub log_group_region: String,
    pub log_group: String,
}

/// Chooses the trail to reuse: a trail of this account that qualifies for 3.1, else one named
/// `--trail-name`, else a multi-region one (delivering to CloudWatch Logs and logging preferred).
/// None of those: a new trail `--trail-name` in the home region.
pub(crate) fn trail_target(acct: &AccountInventory, ctx: &Context, inputs: &Inputs) -> TrailTarget {
    let owned = acct.trails.iter().filter(|t| t.owner_account == acct.account_id || t.owner_account.is_empty());
    let best = owned.filter(|t| t.is_multi_region || t.name == inputs.trail_name).max_by_key(|t| {
        let q = assess_trail(t, ctx).qualifies();
        let logging = matches!(t.status, Some(Collected::Ok(ref s)) if s.is_logging);
        (
            q,
            t.name == inputs.trail_name,
            t.log_group_arn.is_some(),
            t.is_multi_region,
            logging,
            std::cmp::Reverse(t.arn.clone()),
        )
    });
    match best {
        Some(t) => {
            let (ga, gr, gn) = t
                .log_group_arn
                .as_deref()
                .and_then(log_group_from_arn)
                .unwrap_or_else(|| (acct.account_id.clone(), t.home_region.clone(), inputs.log_group.clone()));
            TrailTarget {
                existing: Some(t.clone()),
                name: t.name.clone(),
                home_region: t.home_region.clone(),
                log_group_account: ga,
                log_group_region: gr,
                log_group: gn,
            }
        }
        None => TrailTarget {
            existing: None,
            name: inputs.trail_name.clone(),
            home_region: inputs.home_region.clone(),
            log_group_account: acct.account_id.clone(),
            log_group_region: inputs.home_region.clone(),
            log_group: inputs.log_group.clone(),
        },
    }
}

/// Plans the trail (and, with `link`, its delivery to CloudWatch Logs); returns the
/// CreateLogGroup step, if any.
pub(super) fn plan(
    plan: &mut Plan,
    acct: &AccountInventory,
    inputs: &Inputs,
    f: &Facts,
    t: &TrailTarget,
    control: &[String],
    link: bool,
) -> Option<usize> {
    let a = acct.account_id.as_str();
    let h = t.home_region.clone();
    let mut created = None;
    match &t.existing {
        None => {
            let bucket = inputs.trail_bucket.clone();
            let manual = bucket.is_none().then(|| Manual {
                missing: vec!["--trail-bucket".into()],
                reason: "a new trail needs an S3 bucket for its log files".into(),
            });
            let name = t.name.clone();
            let id = plan.add(
                a,
                &h,
                control,
                ct::CreateTrail { name: name.clone(), bucket: bucket.unwrap_or_else(|| "<trail-bucket>".into()) },
                &[],
                manual,
            );
            created = Some(id);
            let selectors = ct::with_management_events(&TrailSelectors::default());
            plan.add(a, &h, control, ct::PutEventSelectors { trail: name.clone(), selectors }, &[Some(id)], None);
            plan.add(a, &h, control, ct::StartLogging { name }, &[Some(id)], None);
        }
        Some(tr) => {
            if !tr.is_multi_region {
                let update = ct::UpdateTrail {
                    name: t.name.clone(),
                    is_multi_region: Some(true),
                    log_group_arn: None,
                    role_arn: None,
                    log_file_validation: None,
                    kms_key_id: None,
                };
                plan.add(a, &h, control, update, &[], None);
            }
            if matches!(tr.status, Some(Collected::Ok(ref s)) if !s.is_logging) {
                plan.add(a, &h, control, ct::StartLogging { name: t.name.clone() }, &[], None);
            }
            match &tr.selectors {
                Some(Collected::Ok(sel)) if management_events(sel).is_err() => {
                    let put = ct::PutEventSelectors { trail: t.name.clone(), selectors: ct::with_management_events(sel) };
                    plan.add(a, &h, control, put, &[], None);
                }
                Some(Collected::Ok(_)) => {}
                _ => plan.note(format!(
                    "{}: the event selectors of trail {} could not be read, so management events are not added (do it by hand, keeping its data-event selectors)",
                    control.join(", "),
                    t.name
                )),
            }
        }
    }
    let mut group_step = None;
    let delivers = t.existing.as_ref().is_some_and(|x| x.log_group_arn.is_some());
    if link && !delivers {
        if !f.log_group_exists {
            group_step =
                Some(plan.add(a, &h, control, lg::CreateLogGroup { log_group: t.log_group.clone() }, &[], None));
        }
        let role = inputs.cloudtrail_logs_role_arn.clone();
        let manual = role.is_none().then(|| Manual {
            missing: vec!["--cloudtrail-logs-role-arn".into()],
            reason: "CloudTrail needs an IAM role it can assume to write to CloudWatch Logs".into(),
        });
        let update = ct::UpdateTrail {
            name: t.name.clone(),
            is_multi_region: None,
            log_group_arn: Some(format!("arn:{}:logs:{h}:{a}:log-group:{}:*", acct.partition, t.log_group)),
            role_arn: Some(role.unwrap_or_else(|| "<cloudtrail-logs-role-arn>".into())),
            log_file_validation: None,
            kms_key_id: None,
        };
        plan.add(a, &h, control, update, &[created, group_step], manual);
    }
    group_step
}
