//! Snapshot cases of Security Hub enabled in every region.

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    securityhub_enabled_everywhere: "5.0.0", ["4.16"], |inv| {},
    securityhub_not_subscribed_in_one_region: "5.0.0", ["4.16"], |inv| {
        region_of(inv, "eu-west-1").security_hub = Some(Collected::Ok(SecurityHubState::default()));
    },
    securityhub_denied_is_error_not_fail: "6.0.0", ["5.16"], |inv| {
        region_of(inv, "eu-west-1").security_hub =
            Some(Collected::Error(err("securityhub:DescribeHub", "AccessDeniedException")));
    },
}
