//! AWS Account Management: the account's alternate contacts (`GetAlternateContact`).

use super::model::*;
use super::read;
use crate::aws::{Lane, Runtime, Session};
use aws_sdk_account::types::AlternateContactType;

/// The alternate contact types read, in this order.
pub(crate) const CONTACT_TYPES: &[&str] = &["SECURITY", "BILLING", "OPERATIONS"];

/// `GetAlternateContact` for each of [`CONTACT_TYPES`], at once; none registered is Ok(None).
pub(crate) async fn alternate_contacts(s: &Session, rt: &Runtime) -> Vec<AlternateContactRead> {
    let c = &aws_sdk_account::Client::new(&s.config);
    let each = CONTACT_TYPES.iter().map(|t| async move {
        let req = c.get_alternate_contact().alternate_contact_type(AlternateContactType::from(*t));
        let contact = match read(s, rt, Lane::Leaf, "account:GetAlternateContact", None, || req.send()).await {
            Ok(o) => Collected::Ok(o.alternate_contact().map(|a| AlternateContact {
                name: a.name().unwrap_or_default().to_string(),
                email: a.email_address().unwrap_or_default().to_string(),
                phone: a.phone_number().unwrap_or_default().to_string(),
                title: a.title().unwrap_or_default().to_string(),
            })),
            Err(e) if e.code == "ResourceNotFoundException" => Collected::Ok(None),
            Err(e) => Collected::Error(e),
        };
        AlternateContactRead { contact_type: t.to_string(), contact }
    });
    futures::future::join_all(each).await
}
