//! The call runtime shared by every API call of one run: a global bound and a per-account bound
//! on calls in flight, a reserve for the calls others wait on, and the count of calls made.

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
    /// of an account's bound, so the chain's calls never queue behind a region sweep.
    Leaf,
}

#[derive(Debug)]
struct AccountBound {
    all: Arc<Semaphore>,
    leaf: Arc<Semaphore>,
}

/// Shared by every API call of one run: the bounds and the call counts.
#[derive(Debug, Clone)]
pub(crate) struct Runtime {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    global: Arc<Semaphore>,
    account_limit: usize,
    accounts: Mutex<HashMap<String, Arc<AccountBound>>>,
    calls: Mutex<BTreeMap<String, u64>>,
    total: AtomicU64,
    errors: AtomicU64,
}

impl Runtime {
    /// `concurrency`: calls in flight at most; `account_concurrency`: to one account at most.
    pub fn new(concurrency: usize, account_concurrency: usize) -> Self {
        Runtime {
            inner: Arc::new(Inner {
                global: Arc::new(Semaphore::new(concurrency.max(1))),
                account_limit: account_concurrency.max(1),
                accounts: Mutex::new(HashMap::new()),
                calls: Mutex::new(BTreeMap::new()),
                total: AtomicU64::new(0),
                errors: AtomicU64::new(0),
            }),
        }
    }

    fn bound(&self, account: &str) -> Arc<AccountBound> {
        let mut m = self.inner.accounts.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(account.to_string())
            .or_insert_with(|| {
                let n = self.inner.account_limit;
                Arc::new(AccountBound {
                    all: Arc::new(Semaphore::new(n)),
                    leaf: Arc::new(Semaphore::new((n / 2).max(1))),
                })
            })
            .clone()
    }

    /// Runs one logical API call (one page) to `account` under the bounds, and counts it under
    /// `operation` (`service:Operation`, the IAM action name).
    pub(crate) async fn call<T, E>(
        &self,
        account: &str,
        lane: Lane,
        operation: &str,
        fut: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let bound = self.bound(account);
        // Semaphores are never closed, so acquiring cannot fail.
        let _leaf = match lane {
            Lane::Leaf => Some(bound.leaf.acquire().await.expect("open semaphore")),
            Lane::Chain => None,
        };
        let _account = bound.all.acquire().await.expect("open semaphore");
        let _global = self.inner.global.acquire().await.expect("open semaphore");
        *self.inner.calls.lock().unwrap_or_else(|e| e.into_inner()).entry(operation.to_string()).or_default() += 1;
        self.inner.total.fetch_add(1, Ordering::Relaxed);
        let out = fut.await;
        if out.is_err() {
            self.inner.errors.fetch_add(1, Ordering::Relaxed);
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
    use std::sync::atomic::AtomicUsize;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bounds_hold_globally_and_per_account() {
        let rt = Runtime::new(6, 4);
        let in_flight: Arc<Mutex<HashMap<String, usize>>> = Default::default();
        let peak_total = Arc::new(AtomicUsize::new(0));
        let peak_a = Arc::new(AtomicUsize::new(0));
        let peak_leaf = Arc::new(AtomicUsize::new(0));
        let mut futs = Vec::new();
        for i in 0..40 {
            let (rt, in_flight, peak_total, peak_a, peak_leaf) =
                (rt.clone(), in_flight.clone(), peak_total.clone(), peak_a.clone(), peak_leaf.clone());
            let account = if i % 2 == 0 { "a" } else { "b" }.to_string();
            let lane = if i % 4 == 0 { Lane::Leaf } else { Lane::Chain };
            futs.push(tokio::spawn(async move {
                rt.call(&account, lane, "x:Op", async {
                    {
                        let mut m = in_flight.lock().unwrap();
                        *m.entry(account.clone()).or_default() += 1;
                        if lane == Lane::Leaf {
                            *m.entry(format!("{account}-leaf")).or_default() += 1;
                        }
                        let total: usize = m.iter().filter(|(k, _)| !k.ends_with("-leaf")).map(|(_, v)| *v).sum();
                        peak_total.fetch_max(total, Ordering::SeqCst);
                        peak_a.fetch_max(*m.get("a").unwrap_or(&0), Ordering::SeqCst);
                        peak_leaf.fetch_max(*m.get("a-leaf").unwrap_or(&0), Ordering::SeqCst);
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    let mut m = in_flight.lock().unwrap();
                    *m.get_mut(&account).unwrap() -= 1;
                    if lane == Lane::Leaf {
                        *m.get_mut(&format!("{account}-leaf")).unwrap() -= 1;
                    }
                    Ok::<_, ()>(())
                })
                .await
            }));
        }
        for f in futs {
            f.await.unwrap().unwrap();
        }
        assert_eq!(rt.calls()["x:Op"], 40);
        assert!(peak_total.load(Ordering::SeqCst) <= 6, "global bound exceeded");
        assert!(peak_a.load(Ordering::SeqCst) <= 4, "account bound exceeded");
        assert!(peak_leaf.load(Ordering::SeqCst) <= 2, "leaf share exceeded");
        assert!(peak_total.load(Ordering::SeqCst) >= 2, "no concurrency at all");
    }
}
