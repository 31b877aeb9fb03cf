//! The regions enabled for an account (`account:ListRegions`).

use crate::aws::{classify, Runtime, Session};
use aws_sdk_account::types::RegionOptStatus;

/// Enabled regions (opted in, or enabled by default), sorted; or the AWS error code and message.
pub async fn enabled_regions(s: &Session, rt: &Runtime) -> Result<Vec<String>, (String, String)> {
    let client = aws_sdk_account::Client::new(&s.config);
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let req = client
            .list_regions()
            .region_opt_status_contains(RegionOptStatus::Enabled)
            .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
            .set_next_token(token.clone());
        let page = rt.call("account:ListRegions", req.send()).await.map_err(|e| classify(&e))?;
        out.extend(page.regions().iter().filter_map(|r| r.region_name().map(str::to_string)));
        match crate::aws::next_page(page.next_token(), &token) {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
