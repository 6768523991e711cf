//! The shared-state primitives of the watch frame ring (`watch/ring.rs`), the pool's
//! parking (`pool.rs`) and the frame owner's wait for its pool widgets (`render.rs`):
//! atomics, a futex word and a bounded queue, each swapped for a loom-checked twin under
//! `--cfg crossbeam_loom` so `tests/loom_ring.rs` and `tests/loom_pool.rs` explore every
//! interleaving of those protocols. In normal builds they are the plain types (a
//! `#[repr(transparent)]` wrapper for the futex word), so they cost nothing.
//!
//! - [`Parking`]: the pool's park/wake protocol (see `pool.rs`'s module doc).
//! - [`Handshake`]: a worker's "published" signal to the frame owner, which sleeps on it
//!   until its deadline; the futex wake is issued only when the owner says it is waiting.
//!
//! - [`WaitWord`]: an `AtomicU32` that a thread can sleep on while it holds an expected
//!   value (`sys::futex`). Under loom, the sleep is a `Mutex` + `Condvar`: the
//!   value is checked under the mutex and a wake takes the mutex before it notifies, which
//!   is the futex contract (a wake after the value changed never misses a sleeper that saw
//!   the old value). A lost wake-up in the ring leaves the writer asleep forever, which
//!   loom reports as a deadlock.
//! - [`BoundedQueue`]: crossbeam's `ArrayQueue`. Its atomics are not loom's, so under loom
//!   it is a mutex-guarded `VecDeque` of the same capacity, with the same linearizable
//!   push/pop and full/empty results: the models check the ring's protocol over the
//!   queues, not the queue itself (crossbeam's own suite does that).
//!
//! Read next: `watch/ring.rs`, the user.

use core::sync::atomic::Ordering::{Acquire, Relaxed, SeqCst};
use std::time::Duration;

use crate::engine::metrics::Counter;

#[cfg(not(crossbeam_loom))]
pub use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, fence};
#[cfg(crossbeam_loom)]
pub use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, fence};

pub use self::imp::{BoundedQueue, WaitWord};

/// Where idle workers sleep until work is published (the wake protocol of `pool.rs`):
/// worker: read `wake_seq` → re-check for work → `sleepers += 1` → sleep while `wake_seq`
/// is unchanged; publisher: publish → `wake_seq += 1` → wake one if `sleepers > 0`. Each
/// side's increment and the load that follows it are separated by a SeqCst fence (the
/// store-buffering pattern: SeqCst accesses alone are not enough for loom, which models
/// them as AcqRel, and the fence costs nothing next to a futex call): either the publisher
/// sees the sleeper, or the sleeper sees the new `wake_seq`.
pub struct Parking {
    wake_seq: WaitWord,
    sleepers: AtomicU32,
}

impl Default for Parking {
    fn default() -> Self {
        Self::new()
    }
}

impl Parking {
    pub fn new() -> Self {
        Parking {
            wake_seq: WaitWord::new(0),
            sleepers: AtomicU32::new(0),
        }
    }

    /// The next item `take` finds, sleeping while there is none; `None` once `stopped` says
    /// so and `take` finds nothing. Counts each sleep in `parks`.
    pub fn next<T>(
        &self,
        mut take: impl FnMut() -> Option<T>,
        stopped: impl Fn() -> bool,
        parks: &Counter,
    ) -> Option<T> {
        loop {
            if let Some(item) = take() {
                return Some(item);
            }
            // SeqCst: pairs with the increment in `notify_one`/`notify_all` (protocol above).
            let seen = self.wake_seq.load(SeqCst);
            if let Some(item) = take() {
                return Some(item);
            }
            if stopped() {
                return None;
            }
            // SeqCst: pairs with the load of `sleepers` in `notify_one`.
            self.sleepers.fetch_add(1, SeqCst);
            // SeqCst fence: pairs with the fence in `notify_one` (store buffering).
            fence(SeqCst);
            parks.add(1);
            self.wake_seq.wait(seen);
            self.sleepers.fetch_sub(1, Relaxed);
        }
    }

    /// After publishing work: wakes one sleeper if there is one; whether it issued a wake.
    pub fn notify_one(&self) -> bool {
        // SeqCst: orders the publish before the sleeper check (protocol above).
        self.wake_seq.fetch_add(1, SeqCst);
        // SeqCst fence: pairs with the fence in `next` before the worker sleeps.
        fence(SeqCst);
        if self.sleepers.load(SeqCst) > 0 {
            self.wake_seq.wake_one();
            return true;
        }
        false
    }

    /// Wakes every sleeper (shutdown).
    pub fn notify_all(&self) {
        self.wake_seq.fetch_add(1, SeqCst);
        self.wake_seq.wake_all();
    }
}

/// A worker's "published" signal to the frame owner waiting for its pool widgets.
///
/// Owner: `seen()` → check the slots → `wait(seen, timeout)` (sets `owner_waiting`, sleeps
/// while `done == seen`). Worker, after publishing its slot: `published()` (`done += 1`,
/// then a futex wake only when `owner_waiting`). Each side's store and the load after it
/// are separated by a SeqCst fence (as in [`Parking`]), so either the worker sees the owner
/// waiting and wakes it, or the owner's futex check sees the new `done` and does not sleep.
pub struct Handshake {
    done: WaitWord,
    owner_waiting: AtomicU32,
}

impl Default for Handshake {
    fn default() -> Self {
        Self::new()
    }
}

impl Handshake {
    pub fn new() -> Self {
        Handshake {
            done: WaitWord::new(0),
            owner_waiting: AtomicU32::new(0),
        }
    }

    /// Owner: the count to wait against, read before checking what the workers published.
    pub fn seen(&self) -> u32 {
        // Acquire: pairs with the increment in `published`, so the slots published before
        // it are visible to the check that follows.
        self.done.load(Acquire)
    }

    /// Owner: sleeps until a `published` after `seen`, at most `timeout` (may return early).
    pub fn wait(&self, seen: u32, timeout: Duration) {
        // SeqCst: pairs with the load of `owner_waiting` in `published` (see the type doc).
        self.owner_waiting.store(1, SeqCst);
        // SeqCst fence: pairs with the fence in `published` (store buffering).
        fence(SeqCst);
        self.done.wait_timeout(seen, timeout);
        self.owner_waiting.store(0, SeqCst);
    }

    /// Worker, after publishing: counts the publish and wakes the owner if it waits; whether
    /// it issued a wake.
    pub fn published(&self) -> bool {
        // SeqCst: the Release half pairs with the Acquire in `seen`; the store-load order
        // with `owner_waiting` is the handshake (see the type doc).
        self.done.fetch_add(1, SeqCst);
        // SeqCst fence: pairs with the fence in `wait`.
        fence(SeqCst);
        if self.owner_waiting.load(SeqCst) != 0 {
            self.done.wake_all();
            return true;
        }
        false
    }
}

#[cfg(not(crossbeam_loom))]
mod imp {
    use core::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    pub use crossbeam_queue::ArrayQueue as BoundedQueue;

    /// An `AtomicU32` a thread can sleep on (futex).
    #[repr(transparent)]
    pub struct WaitWord(AtomicU32);

    impl WaitWord {
        pub const fn new(value: u32) -> Self {
            WaitWord(AtomicU32::new(value))
        }

        #[inline]
        pub fn load(&self, order: Ordering) -> u32 {
            self.0.load(order)
        }

        #[inline]
        pub fn fetch_add(&self, n: u32, order: Ordering) -> u32 {
            self.0.fetch_add(n, order)
        }

        #[inline]
        pub fn fetch_sub(&self, n: u32, order: Ordering) -> u32 {
            self.0.fetch_sub(n, order)
        }

        /// Sleeps while the value is `expected` (it may return spuriously).
        #[inline]
        pub fn wait(&self, expected: u32) {
            crate::sys::futex::wait(&self.0, expected);
        }

        /// Sleeps while the value is `expected`, at most `timeout` (it may return early).
        #[inline]
        pub fn wait_timeout(&self, expected: u32, timeout: Duration) {
            crate::sys::futex::wait_timeout(&self.0, expected, timeout);
        }

        /// Wakes one sleeper, if any.
        #[inline]
        pub fn wake_one(&self) {
            crate::sys::futex::wake_one(&self.0);
        }

        /// Wakes every sleeper.
        #[inline]
        pub fn wake_all(&self) {
            crate::sys::futex::wake_all(&self.0);
        }
    }
}

#[cfg(crossbeam_loom)]
mod imp {
    use std::collections::VecDeque;

    use loom::sync::atomic::AtomicU32;
    use loom::sync::atomic::Ordering::{self, SeqCst};
    use loom::sync::{Condvar, Mutex};

    /// An `AtomicU32` a thread can sleep on; the futex contract on loom's mutex and condvar.
    pub struct WaitWord {
        value: AtomicU32,
        sleepers: Mutex<()>,
        wakes: Condvar,
    }

    impl WaitWord {
        pub fn new(value: u32) -> Self {
            WaitWord {
                value: AtomicU32::new(value),
                sleepers: Mutex::new(()),
                wakes: Condvar::new(),
            }
        }

        pub fn load(&self, order: Ordering) -> u32 {
            self.value.load(order)
        }

        pub fn fetch_add(&self, n: u32, order: Ordering) -> u32 {
            self.value.fetch_add(n, order)
        }

        pub fn fetch_sub(&self, n: u32, order: Ordering) -> u32 {
            self.value.fetch_sub(n, order)
        }

        /// Sleeps until woken if the value is `expected`, checked under the sleepers' lock
        /// (the kernel checks a futex word under its bucket lock, with a full barrier).
        pub fn wait(&self, expected: u32) {
            let guard = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
            if self.value.load(SeqCst) == expected {
                drop(self.wakes.wait(guard));
            }
        }

        /// Loom has no clock: the timed wait is the untimed one, so a wake-up the protocol
        /// loses shows as a deadlock instead of a wait until the deadline.
        pub fn wait_timeout(&self, expected: u32, _timeout: std::time::Duration) {
            self.wait(expected);
        }

        pub fn wake_one(&self) {
            let _guard = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
            self.wakes.notify_one();
        }

        pub fn wake_all(&self) {
            let _guard = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
            self.wakes.notify_all();
        }
    }

    /// `ArrayQueue`'s bounded, linearizable push and pop, on a loom mutex.
    pub struct BoundedQueue<T> {
        items: Mutex<VecDeque<T>>,
        capacity: usize,
    }

    impl<T> BoundedQueue<T> {
        pub fn new(capacity: usize) -> Self {
            BoundedQueue {
                items: Mutex::new(VecDeque::with_capacity(capacity)),
                capacity,
            }
        }

        /// Appends `value`, or gives it back when the queue is full.
        pub fn push(&self, value: T) -> Result<(), T> {
            let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
            if items.len() == self.capacity {
                return Err(value);
            }
            items.push_back(value);
            Ok(())
        }

        /// Takes the oldest value.
        pub fn pop(&self) -> Option<T> {
            self.items
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_front()
        }
    }
}
