//! Snapshot cases of the account contacts family.

use crate::checks::fixtures::*;
use crate::inventory::*;

snapshot_cases! {
    contacts_registered: "5.0.0", ["1.1", "1.2"], |inv| {},
    no_security_contact_fails: "7.0.0", ["2.2", "2.3"], |inv| {
        inv.accounts[0].account_wide.alternate_contacts[0].contact = Collected::Ok(None);
        inv.accounts[0].account_wide.alternate_contacts[2].contact = Collected::Ok(None);
    },
    security_contact_unreadable_is_error: "1.2.0", ["1.18"], |inv| {
        inv.accounts[0].account_wide.alternate_contacts[0].contact = Collected::Error(err("account:GetAlternateContact", "AccessDeniedException"));
    },
}
