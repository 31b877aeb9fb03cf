//! Progress of a collection on stderr: a bar on a terminal (accounts done / total, calls,
//! errors); nothing at all when stderr is not a terminal or with `--quiet` (the closing summary
//! line says it all there).

use crate::aws::Runtime;
use crate::inventory::AccountDone;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    rt: Runtime,
    /// Accounts whose role could not be assumed, so far.
    failed: std::sync::atomic::AtomicUsize,
}

impl Progress {
    /// A bar for `total` accounts when stderr is a terminal and not `quiet`.
    pub fn new(total: usize, rt: &Runtime, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{spinner} {pos}/{len} accounts {wide_bar} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            b.set_style(style);
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        Progress { bar, rt: rt.clone(), failed: Default::default() }
    }

    pub(crate) fn account_done(&self, d: AccountDone) {
        use std::sync::atomic::Ordering;
        if d.failed {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(b) = &self.bar {
            let (calls, errors) = self.rt.counters();
            let failed = self.failed.load(Ordering::Relaxed);
            let failed = if failed > 0 { format!(", {failed} account(s) unreadable") } else { String::new() };
            b.set_message(format!("{calls} calls, {errors} errors{failed} — last: {}", d.account));
            b.inc(1);
        }
    }

    /// Removes the bar (before the report is printed).
    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
