//! Snapshot cases of iam-expired-certificates (collected 2026-11-23T00:00:00Z).

use crate::checks::fixtures::*;
use crate::inventory::*;

fn certs(inv: &mut Inventory) -> &mut Vec<ServerCertificate> {
    ok(inv.accounts[0].account_wide.server_certificates.as_mut().unwrap())
}

snapshot_cases! {
    valid_certificate_passes: "5.0.0", ["1.18"], |inv| {},
    expired_certificate_fails: "7.0.0", ["2.17"], |inv| {
        certs(inv).push(ServerCertificate {
            name: "old-www".into(),
            arn: format!("arn:aws:iam::{ACCT}:server-certificate/old-www"),
            expiration: Some("2026-11-22T23:59:59Z".into()),
            upload_date: Some("2025-11-22T00:00:00Z".into()),
        });
    },
    no_certificates_pass: "1.4.0", ["1.19"], |inv| {
        certs(inv).clear();
    },
}
