//! The process's one pool for parallel work outside the frame: fork-join batches run by
//! the pinned workers of `pool.rs`, fed through the Michael–Scott queue.
//!
//! [`for_each`]`(n, f)` calls `f(0..n)` once per item and returns when every call is done.
//! The caller queues up to one helper job per worker, then takes items itself; each helper
//! takes items from the same atomic counter until none is left. So a batch never waits for
//! a busy worker: if every worker is taken, the caller does all the items alone.
//!
//! # Why `f` may borrow the caller's stack
//! `f` is reached through a pointer whose lifetime is erased, so the batch must never touch
//! it once `for_each` has returned. A helper *enters* the batch (one atomic add on `state`)
//! before it looks at `f` and *leaves* after its last call. The caller, when the items are
//! gone, *closes* the batch (sets [`CLOSED`] in `state`) and waits until no helper is inside.
//! A helper that enters after the close sees the flag and leaves without touching `f`; the
//! batch's own fields live in an `Arc` the helper job holds, so a job still queued after the
//! caller returned only decrements a counter of memory it co-owns. This is the argument of
//! `std::thread::scope`, with the queue's jobs in place of spawned threads. A panic in `f`
//! is caught where it happens and raised again in the caller once the batch is closed.
//!
//! # Sizing
//! The pool starts on the first batch of two or more items, with [`set_threads`] workers
//! (default: one per allowed core, at most [`MAX_THREADS`]); 0 workers runs every batch on
//! the caller. [`stats`] counts jobs, queue operations and *steals* (items a worker took
//! from a batch instead of its caller) since the process started.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::{Arc, OnceLock};

use super::metrics::Counter;
use super::pool::{JobRunner, Pool, default_threads};
use super::sync::{AtomicBool, WaitWord};

/// Most workers the default size starts.
pub const MAX_THREADS: usize = 16;
/// The flag in `state` that says the caller has closed the batch.
const CLOSED: u32 = 1 << 31;
/// `set_threads` not called: one worker per allowed core.
const AUTO: usize = usize::MAX;

/// Workers the pool starts with (`AUTO` until `set_threads`).
static WANTED: AtomicUsize = AtomicUsize::new(AUTO);
/// The started pool (`None` inside when it could not start or was sized 0).
static POOL: OnceLock<Option<Pool<Helper>>> = OnceLock::new();

static BATCHES: Counter = Counter::new();
static STEALS: Counter = Counter::new();

/// What the engine's pool did since the process started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Workers started (0 before the first parallel batch).
    pub threads: usize,
    /// Batches run with more than one item.
    pub batches: u64,
    /// Helper jobs queued.
    pub jobs: u64,
    /// Queue operations: pushes plus pops.
    pub queue_ops: u64,
    /// Items run by a worker rather than by the batch's caller.
    pub steals: u64,
}

/// Sets how many workers the pool starts with; no effect once it has started (a call racing
/// with the start may or may not count). 0 runs every batch on its caller.
pub fn set_threads(threads: usize) {
    // Relaxed: read once by the thread that starts the pool; a call racing with that start
    // may or may not count, as documented.
    WANTED.store(threads, Relaxed);
}

/// The engine's counters so far.
pub fn stats() -> Stats {
    let pool = POOL.get().and_then(Option::as_ref);
    Stats {
        threads: pool.map_or(0, Pool::threads),
        batches: BATCHES.get(),
        jobs: pool.map_or(0, |p| p.stats().submitted.get()),
        queue_ops: pool.map_or(0, |p| p.stats().submitted.get() + p.stats().executed.get()),
        steals: STEALS.get(),
    }
}

fn pool() -> Option<&'static Pool<Helper>> {
    POOL.get_or_init(|| {
        let threads = match WANTED.load(Relaxed) {
            AUTO => default_threads(MAX_THREADS),
            n => n,
        };
        if threads == 0 {
            return None;
        }
        Pool::start(threads, Helper).ok()
    })
    .as_ref()
}

/// Calls `f(i)` for every `i` in `0..n`, on the caller and the engine's workers; returns
/// when every call has returned. A panic in any call is raised here once all are done.
pub fn for_each<F: Fn(usize) + Sync>(n: usize, f: F) {
    let pool = if n > 1 { pool() } else { None };
    let Some(pool) = pool else {
        (0..n).for_each(f);
        return;
    };
    BATCHES.add(1);
    let work: &(dyn Fn(usize) + Sync) = &f;
    // SAFETY: only the lifetime is erased. The pointer is dereferenced only by a helper
    // inside the batch (entered, not yet left) or by this thread, and `Closer` below does
    // not let this function return or unwind before the batch is closed and empty: no
    // dereference can happen after `f` is gone (module doc).
    let work: *const (dyn Fn(usize) + Sync + 'static) = unsafe { core::mem::transmute(work) };
    let batch = Arc::new(Batch {
        work,
        items: n,
        next: AtomicUsize::new(0),
        state: WaitWord::new(0),
        panicked: AtomicBool::new(false),
    });
    let closer = Closer(&batch);
    for _ in 0..pool.threads().min(n - 1) {
        pool.submit(Arc::clone(&batch));
    }
    batch.take_items(false);
    drop(closer);
    if batch.panicked.load(SeqCst) {
        resume_unwind(Box::new("a parallel batch item panicked"));
    }
}

/// One batch, shared by its caller and the helper jobs queued for it.
struct Batch {
    /// The caller's closure, lifetime erased (module doc).
    work: *const (dyn Fn(usize) + Sync + 'static),
    items: usize,
    /// The next item to take.
    next: AtomicUsize,
    /// Helpers inside the batch, plus [`CLOSED`] once the caller closed it.
    state: WaitWord,
    panicked: AtomicBool,
}

// SAFETY: `work` points at an `Fn + Sync` closure, callable from any thread; it is only
// called while the batch is open (module doc). The other fields are atomics.
unsafe impl Send for Batch {}
// SAFETY: as above.
unsafe impl Sync for Batch {}

impl Batch {
    /// Runs items until none is left; `helper` counts them as steals.
    fn take_items(&self, helper: bool) {
        loop {
            // Relaxed: the counter only hands out indices; `f`'s effects are published to
            // the caller by the SeqCst leave/close on `state`.
            let item = self.next.fetch_add(1, Relaxed);
            if item >= self.items {
                return;
            }
            // SAFETY: the caller is inside `for_each` (it has not closed the batch, or it
            // is this thread), so the closure is alive (module doc).
            let work = unsafe { &*self.work };
            if catch_unwind(AssertUnwindSafe(|| work(item))).is_err() {
                self.panicked.store(true, SeqCst);
            }
            if helper {
                STEALS.add(1);
            }
        }
    }

    /// A helper's turn: enter, take items, leave.
    fn help(&self) {
        // SeqCst: pairs with the caller's close in `Closer::drop`: either the caller sees
        // this helper inside and waits for it, or this helper sees the batch closed.
        let state = self.state.fetch_add(1, SeqCst);
        if state & CLOSED == 0 {
            self.take_items(true);
        }
        // SeqCst: publishes the helper's calls to the caller's wait below.
        let before = self.state.fetch_sub(1, SeqCst);
        if before == CLOSED | 1 {
            self.state.wake_all();
        }
    }
}

/// Closes the batch and waits for the helpers inside it, also when the caller unwinds.
struct Closer<'a>(&'a Batch);

impl Drop for Closer<'_> {
    fn drop(&mut self) {
        let batch = self.0;
        // The caller may be unwinding with items left: none may start after the close.
        batch.next.store(batch.items, SeqCst);
        // SeqCst: pairs with the helpers' enter in `Batch::help`.
        let mut state = batch.state.fetch_add(CLOSED, SeqCst) | CLOSED;
        while state != CLOSED {
            batch.state.wait(state);
            state = batch.state.load(SeqCst);
        }
    }
}

/// The pool's job runner: each job is one helper turn of a batch.
struct Helper;

impl JobRunner for Helper {
    type Job = Arc<Batch>;
    fn run(&self, batch: Arc<Batch>) {
        batch.help();
    }
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn every_item_runs_exactly_once_with_borrowed_state() {
        let hits: Vec<AtomicU64> = (0..10_000).map(|_| AtomicU64::new(0)).collect();
        for_each(hits.len(), |i| {
            hits[i].fetch_add(1, Relaxed);
        });
        assert!(hits.iter().all(|h| h.load(Relaxed) == 1));
    }

    #[test]
    fn a_panicking_item_reaches_the_caller_after_the_others_ran() {
        let ran = AtomicU64::new(0);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            for_each(64, |i| {
                ran.fetch_add(1, Relaxed);
                assert!(i != 7, "item 7 fails");
            })
        }));
        assert!(outcome.is_err());
        assert!(ran.load(Relaxed) >= 1);
    }

    #[test]
    fn many_small_batches_leave_no_helper_behind() {
        for round in 0..500u64 {
            let sum = AtomicU64::new(0);
            let values: Vec<u64> = (0..4).map(|i| i + round).collect();
            for_each(values.len(), |i| {
                sum.fetch_add(values[i], Relaxed);
            });
            assert_eq!(sum.load(Relaxed), 6 + 4 * round);
        }
    }
}
