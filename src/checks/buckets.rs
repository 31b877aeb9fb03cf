//! What the S3 checks share: the account's listed buckets, and one bucket's read with its
//! region (a leaf of the checks).

use crate::catalog::Control;
use crate::finding::{ControlResult, Evidence, Finding, Status, Subject};
use crate::inventory::{AccountInventory, Collected, S3Bucket};

/// A bucket's finding (its ARN as the resource, its region once known) with what `part` holds,
/// or that finding as ERROR when the bucket's region or `part` could not be read.
// Both variants carry the bucket's finding: boxing the Err side would only add an allocation per
// unread bucket.
#[allow(clippy::result_large_err)]
pub(crate) fn unread<T>(
    control: &Control,
    acct: &AccountInventory,
    b: &S3Bucket,
    part: &Option<Collected<T>>,
    what: &str,
) -> Result<(Finding, T), Finding>
where
    T: Clone,
{
    let arn = format!("arn:{}:s3:::{}", acct.partition, b.name);
    let f = Finding::about(control, Subject::S3Bucket, &acct.account_id).resource(Some(&arn));
    let region = match &b.region {
        Some(Collected::Ok(r)) => r.clone(),
        Some(Collected::Error(e)) => {
            let m = format!("bucket {}: its region could not be read: {e}", b.name);
            return Err(f
                .status(Status::Error)
                .message(m.clone())
                .evidence(vec![Evidence::bad("s3.bucket_region", m)]));
        }
        None => {
            let m = format!("bucket {}: its region was not collected", b.name);
            return Err(f.status(Status::Error).message(m));
        }
    };
    let f = f.region(Some(&region));
    match part {
        Some(Collected::Ok(v)) => Ok((f, v.clone())),
        Some(Collected::Error(e)) => {
            let m = format!("bucket {}: its {what} could not be read: {e}", b.name);
            Err(f
                .status(Status::Error)
                .message(m.clone())
                .evidence(vec![Evidence::bad(format!("s3.{}", what.replace(' ', "_")), m)]))
        }
        None => {
            let m = format!("bucket {}: its {what} was not collected", b.name);
            Err(f.status(Status::Error).message(m))
        }
    }
}

/// The account's buckets, or the account's ERROR verdict when they could not be listed.
pub(crate) fn listed<'a>(
    control: &Control,
    acct: &'a AccountInventory,
) -> Result<&'a [S3Bucket], Vec<(ControlResult, Vec<Finding>)>> {
    let (m, ev) = match &acct.account_wide.buckets {
        Some(Collected::Ok(list)) => return Ok(list),
        Some(Collected::Error(e)) => {
            let m = format!("the account's buckets could not be listed: {e}");
            (m.clone(), vec![Evidence::bad("s3.list_buckets", m)])
        }
        None => ("the account's buckets were not collected".to_string(), vec![]),
    };
    let f = Finding::about(control, Subject::Account, &acct.account_id)
        .status(Status::Error)
        .message(m.clone())
        .evidence(ev);
    Err(vec![(ControlResult::new(control, &acct.account_id, None, Status::Error, m), vec![f])])
}
