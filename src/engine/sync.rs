//! The shared-state primitives of the watch frame ring (`watch/ring.rs`): atomics, a
//! futex word and a bounded queue, each swapped for a loom-checked twin under
//! `--cfg crossbeam_loom` so `tests/loom_ring.rs` explores every interleaving of the ring's
//! protocol. In normal builds they are the plain types (a `#[repr(transparent)]` wrapper
//! for the futex word), so they cost nothing.
//!
//! - [`WaitWord`]: an `AtomicU32` that a thread can sleep on while it holds an expected
//!   value (`atomic-wait`'s futex). Under loom, the sleep is a `Mutex` + `Condvar`: the
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

#[cfg(not(crossbeam_loom))]
pub use core::sync::atomic::{AtomicBool, AtomicU64};
#[cfg(crossbeam_loom)]
pub use loom::sync::atomic::{AtomicBool, AtomicU64};

pub use self::imp::{BoundedQueue, WaitWord};

#[cfg(not(crossbeam_loom))]
mod imp {
    use core::sync::atomic::{AtomicU32, Ordering};

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

        /// Sleeps while the value is `expected` (it may return spuriously).
        #[inline]
        pub fn wait(&self, expected: u32) {
            atomic_wait::wait(&self.0, expected);
        }

        /// Wakes one sleeper, if any.
        #[inline]
        pub fn wake_one(&self) {
            atomic_wait::wake_one(&self.0);
        }

        /// Wakes every sleeper.
        #[inline]
        pub fn wake_all(&self) {
            atomic_wait::wake_all(&self.0);
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

        /// Sleeps until woken if the value is `expected`, checked under the sleepers' lock
        /// (the kernel checks a futex word under its bucket lock, with a full barrier).
        pub fn wait(&self, expected: u32) {
            let guard = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
            if self.value.load(SeqCst) == expected {
                drop(self.wakes.wait(guard));
            }
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
