//! The call runtime shared by every API call of one run: bounds on the calls in flight (all
//! accounts together, one account, one service in one region of one account — AWS throttles each
//! service per account and region, so that is the unit of politeness, and the regions and
//! services of an account proceed side by side), a reserve for the calls others wait on, and the
//! count of calls made.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Which calls go first when an account's bound is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lane {
    /// A call whose answer starts further calls (trails → log groups → alarms → topics).
    Chain,
    /// A call nothing waits for (AWS Config, EventBridge rule listings): it may use at most half
    /// of an account's bound and half of a region's, so the chain's calls never queue behind a
    /// region sweep.
    Leaf,
}

/// The bound of one account, or of one account's region: all its calls, and its leaf calls.
#[derive(Debug)]
struct Bound {
    all: Arc<Semaphore>,
    leaf: Arc<Semaphore>,
}

impl Bound {
    fn new(n: usize) -> Arc<Bound> {
        Arc::new(Bound { all: Arc::new(Semaphore::new(n.max(1))), leaf: Arc::new(Semaphore::new((n / 2).max(1))) })
    }
}

/// Shared by every API call of one run: the bounds and the call counts.
#[derive(Debug, Clone)]
pub(crate) struct Runtime {
    inner: Arc<Inner>,
}

/// The defaults and the options `--concurrency`, `--account-concurrency`, `--region-concurrency`
/// (to one service in one region of one account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub concurrency: usize,
    pub account: usize,
    pub region: usize,
}

impl Bounds {
    /// Measured with `scripts/roundtrips` (17 regions, one account): see the README's Speed
    /// section.
    pub const DEFAULT: Bounds = Bounds { concurrency: 512, account: 256, region: 16 };
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds::DEFAULT
    }
}

#[derive(Debug)]
struct Inner {
    global: Arc<Semaphore>,
    account_limit: usize,
    region_limit: usize,
    accounts: Mutex<HashMap<String, Arc<Bound>>>,
    /// (account, region, service): `ec2` in `eu-west-1`; a global service's calls (IAM, STS,
    /// Organizations, Account) with region "".
    regions: Mutex<HashMap<(String, String, String), Arc<Bound>>>,
    calls: Mutex<BTreeMap<String, u64>>,
    total: AtomicU64,
    errors: AtomicU64,
    /// `CIS_AUDIT_TRACE_CALLS=FILE`: one line per call (ms since the run's start when it was
    /// asked for, when it got its slot, when it ended; account; lane; operation), for finding
    /// the critical path of a collection. Off otherwise.
    trace: Option<(std::time::Instant, Mutex<std::fs::File>)>,
}

impl Runtime {
    /// Calls in flight at most: `b.concurrency` in all, `b.account` to one account,
    /// `b.region` to one service in one region of one account.
    pub fn new(b: Bounds) -> Self {
        Runtime {
            inner: Arc::new(Inner {
                global: Arc::new(Semaphore::new(b.concurrency.max(1))),
                account_limit: b.account.max(1),
                region_limit: b.region.max(1),
                accounts: Mutex::new(HashMap::new()),
                regions: Mutex::new(HashMap::new()),
                calls: Mutex::new(BTreeMap::new()),
                total: AtomicU64::new(0),
                errors: AtomicU64::new(0),
                trace: std::env::var_os("CIS_AUDIT_TRACE_CALLS")
                    .and_then(|p| std::fs::File::create(p).ok())
                    .map(|f| (std::time::Instant::now(), Mutex::new(f))),
            }),
        }
    }

    fn bound(&self, account: &str) -> Arc<Bound> {
        let mut m = self.inner.accounts.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(account.to_string()).or_insert_with(|| Bound::new(self.inner.account_limit)).clone()
    }

    fn region_bound(&self, account: &str, region: Option<&str>, operation: &str) -> Arc<Bound> {
        let service = operation.split(':').next().unwrap_or_default();
        let mut m = self.inner.regions.lock().unwrap_or_else(|e| e.into_inner());
        m.entry((account.to_string(), region.unwrap_or_default().to_string(), service.to_string()))
            .or_insert_with(|| Bound::new(self.inner.region_limit))
            .clone()
    }

    /// Runs one logical API call (one page) to `account` in `region` (None: a global service)
    /// under the bounds, and counts it under `operation` (`service:Operation`, the IAM action
    /// name).
    pub(crate) async fn call<T, E>(
        &self,
        account: &str,
        region: Option<&str>,
        lane: Lane,
        operation: &str,
        fut: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        self.call_with(account, region, lane, operation, || fut).await
    }

    /// [`Runtime::call`], with the call's future made by `send` only once the bounds let it run,
    /// and boxed: while it waits, a read holds only what `send` captures (a request builder),
    /// not the SDK's future of tens of KB (thousands wait during an organisation's audit).
    pub(crate) async fn call_with<T, E, Fut>(
        &self,
        account: &str,
        region: Option<&str>,
        lane: Lane,
        operation: &str,
        send: impl FnOnce() -> Fut,
    ) -> Result<T, E>
    where
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        let asked = self.inner.trace.as_ref().map(|(t0, _)| t0.elapsed());
        let (bound, rbound) = (self.bound(account), self.region_bound(account, region, operation));
        // Semaphores are never closed, so acquiring cannot fail. Always in this order: region
        // leaf, account leaf, region, account, global.
        let _leaf = match lane {
            Lane::Leaf => Some((
                rbound.leaf.acquire().await.expect("open semaphore"),
                bound.leaf.acquire().await.expect("open semaphore"),
            )),
            Lane::Chain => None,
        };
        let _region = rbound.all.acquire().await.expect("open semaphore");
        let _account = bound.all.acquire().await.expect("open semaphore");
        let _global = self.inner.global.acquire().await.expect("open semaphore");
        *self.inner.calls.lock().unwrap_or_else(|e| e.into_inner()).entry(operation.to_string()).or_default() += 1;
        self.inner.total.fetch_add(1, Ordering::Relaxed);
        let slot = self.inner.trace.as_ref().map(|(t0, _)| t0.elapsed());
        let out = Box::pin(send()).await;
        if out.is_err() {
            self.inner.errors.fetch_add(1, Ordering::Relaxed);
        }
        if let (Some((t0, file)), Some(asked), Some(slot)) = (&self.inner.trace, asked, slot) {
            use std::io::Write;
            let end = t0.elapsed();
            let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(
                f,
                "{} {} {} {account} {} {lane:?} {operation}",
                asked.as_millis(),
                slot.as_millis(),
                end.as_millis(),
                region.unwrap_or("-")
            );
        }
        out
    }

    /// Calls made so far, by operation.
    pub(crate) fn calls(&self) -> BTreeMap<String, u64> {
        self.inner.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// (calls made, calls that failed) so far, for progress displays.
    pub(crate) fn counters(&self) -> (u64, u64) {
        (self.inner.total.load(Ordering::Relaxed), self.inner.errors.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bounds_hold_globally_per_account_and_per_region() {
        let rt = Runtime::new(Bounds { concurrency: 7, account: 5, region: 2 });
        // In flight by key: "a", "a/r1", "a-leaf", "a/r1-leaf", and "*" for all.
        let in_flight: Arc<Mutex<HashMap<String, usize>>> = Default::default();
        let peaks: Arc<Mutex<HashMap<String, usize>>> = Default::default();
        let mut futs = Vec::new();
        for i in 0..60 {
            let (rt, in_flight, peaks) = (rt.clone(), in_flight.clone(), peaks.clone());
            let account = if i % 2 == 0 { "a" } else { "b" }.to_string();
            let region = ["r1", "r2", ""][(i / 2) % 3].to_string();
            let lane = if i % 4 == 0 { Lane::Leaf } else { Lane::Chain };
            futs.push(tokio::spawn(async move {
                let mut keys = vec!["*".to_string(), account.clone(), format!("{account}/{region}")];
                if lane == Lane::Leaf {
                    keys.extend([format!("{account}-leaf"), format!("{account}/{region}-leaf")]);
                }
                let r = (!region.is_empty()).then_some(region.as_str());
                rt.call(&account, r, lane, "x:Op", async {
                    {
                        let mut m = in_flight.lock().unwrap();
                        let mut p = peaks.lock().unwrap();
                        for k in &keys {
                            let n = m.entry(k.clone()).or_default();
                            *n += 1;
                            let peak = p.entry(k.clone()).or_default();
                            *peak = (*peak).max(*n);
                        }
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    let mut m = in_flight.lock().unwrap();
                    for k in &keys {
                        *m.get_mut(k).unwrap() -= 1;
                    }
                    Ok::<_, ()>(())
                })
                .await
            }));
        }
        for f in futs {
            f.await.unwrap().unwrap();
        }
        assert_eq!(rt.calls()["x:Op"], 60);
        let peaks = peaks.lock().unwrap().clone();
        let peak = |pred: &dyn Fn(&str) -> bool| peaks.iter().filter(|(k, _)| pred(k)).map(|(_, v)| *v).max().unwrap();
        assert!(peaks["*"] <= 7, "global bound exceeded: {peaks:?}");
        assert!(peak(&|k| k == "a" || k == "b") <= 5, "account bound exceeded: {peaks:?}");
        assert!(peak(&|k| k.contains('/') && !k.ends_with("-leaf")) <= 2, "region bound exceeded: {peaks:?}");
        assert!(peak(&|k| k.contains('/') && k.ends_with("-leaf")) <= 1, "a region's leaf share exceeded: {peaks:?}");
        assert!(
            peak(&|k| !k.contains('/') && k.ends_with("-leaf")) <= 2,
            "an account's leaf share exceeded: {peaks:?}"
        );
        // The regions of one account proceed side by side: more in flight to it than one
        // region's bound.
        assert!(peak(&|k| k == "a" || k == "b") > 2, "regions did not run side by side: {peaks:?}");
    }
}
