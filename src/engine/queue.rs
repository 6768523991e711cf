//! A Michael–Scott lock-free MPMC queue on crossbeam-epoch's public API.
//!
//! The algorithm is the one of M. M. Michael and M. L. Scott, "Simple, Fast, and Practical
//! Non-Blocking and Blocking Concurrent Queue Algorithms" (PODC 1996): a singly linked list
//! with a *sentinel* node at `head`; `tail` points at the last node or lags behind it by
//! one, and every thread that sees it lag helps swing it forward with a CAS before going on.
//! Memory reclamation is epoch-based (crossbeam-epoch): a popped sentinel is handed to
//! `defer_destroy`, so it is freed only once no pinned thread can still hold a pointer to it.
//!
//! # Invariants
//! 1. `head` always points at the sentinel: a node whose value was already taken (or the
//!    initial node, which never had one). The queue's values live in the nodes after it.
//! 2. `tail` points at the last node or at its predecessor (it lags by at most one node
//!    between a successful link CAS and the tail CAS that follows it).
//! 3. A node's `next` goes from null to non-null exactly once and never changes again.
//! 4. `tail` is never behind `head`: `pop` swings a lagging `tail` forward *before* it
//!    retires the old sentinel, so `tail` never points at a retired node (the bug class of
//!    crossbeam issue #238, fixed in crossbeam PR #466).
//! 5. Exactly one thread takes each value: the thread whose CAS moves `head` from `h` to
//!    `h.next` owns `h.next.data` and reads it out; the node stays as the new sentinel and
//!    its (moved-out) data is never dropped again (`MaybeUninit` has no drop glue).
//!
//! # Orderings
//! Linking a node (`next` CAS, Release) pairs with the Acquire loads of `next` in `push`
//! and `pop`, which makes the node's `data` visible to the popping thread. `head` and
//! `tail` CASes are Release and their loads Acquire for the same reason.
//!
//! Read next: `pool.rs`, the only user on the render path.

use core::mem::MaybeUninit;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crossbeam_epoch::{self as epoch, Atomic, Guard, Owned, Shared};
use crossbeam_utils::CachePadded;

/// A lock-free, unbounded, multi-producer multi-consumer FIFO queue.
pub struct Queue<T> {
    head: CachePadded<Atomic<Node<T>>>,
    tail: CachePadded<Atomic<Node<T>>>,
}

struct Node<T> {
    /// Initialised for every node after the sentinel; moved out by the popping thread.
    data: MaybeUninit<T>,
    next: Atomic<Node<T>>,
}

// SAFETY: values of `T` move between threads through the queue, so `T: Send` is needed and
// enough; the queue shares no `&T` between threads.
unsafe impl<T: Send> Sync for Queue<T> {}
// SAFETY: as above; owning the queue owns the `T`s in it.
unsafe impl<T: Send> Send for Queue<T> {}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Queue<T> {
    /// Creates an empty queue (one sentinel node).
    pub fn new() -> Self {
        let queue = Queue {
            head: CachePadded::new(Atomic::null()),
            tail: CachePadded::new(Atomic::null()),
        };
        let sentinel = Owned::new(Node {
            data: MaybeUninit::uninit(),
            next: Atomic::null(),
        });
        // SAFETY: the queue is not shared yet, so no other thread can observe the sentinel;
        // an unprotected guard is enough to turn the fresh allocation into a `Shared`.
        let sentinel = sentinel.into_shared(unsafe { epoch::unprotected() });
        queue.head.store(sentinel, Relaxed);
        queue.tail.store(sentinel, Relaxed);
        queue
    }

    /// Appends `value` at the tail. Pins the current thread for the call.
    pub fn push(&self, value: T) {
        let guard = epoch::pin();
        self.push_with(value, &guard);
    }

    /// Removes the value at the head, if any. Pins the current thread for the call.
    pub fn pop(&self) -> Option<T> {
        let guard = epoch::pin();
        self.pop_with(&guard)
    }

    /// Appends `value` under a guard the caller already holds (pin once per batch).
    pub fn push_with(&self, value: T, guard: &Guard) {
        let new = Owned::new(Node {
            data: MaybeUninit::new(value),
            next: Atomic::null(),
        })
        .into_shared(guard);
        loop {
            // Acquire: pairs with the Release tail CASes below, so the node we read is live.
            let tail = self.tail.load(Acquire, guard);
            // SAFETY: (1) `tail` is never null (invariant 1 and 2: it points at a node in the
            // list); (2) it is never retired while reachable from `tail` (invariant 4), and
            // our guard keeps any node we loaded alive until the guard is dropped.
            let tail_ref = unsafe { tail.deref() };
            // Acquire: pairs with the Release link CAS of the pusher that set `next`.
            let next = tail_ref.next.load(Acquire, guard);
            if !next.is_null() {
                // Tail lags: help swing it forward, then retry (invariant 2).
                // Release: pairs with the Acquire loads of `tail`.
                let _ = self
                    .tail
                    .compare_exchange(tail, next, Release, Relaxed, guard);
                continue;
            }
            // Release: publishes `new.data`; pairs with the Acquire `next` loads in pop/push.
            if tail_ref
                .next
                .compare_exchange(Shared::null(), new, Release, Relaxed, guard)
                .is_ok()
            {
                // Best effort: a failure means another thread already helped.
                let _ = self
                    .tail
                    .compare_exchange(tail, new, Release, Relaxed, guard);
                return;
            }
        }
    }

    /// Removes the value at the head under a guard the caller already holds.
    pub fn pop_with(&self, guard: &Guard) -> Option<T> {
        loop {
            // Acquire: pairs with the Release head CAS of the previous popper.
            let head = self.head.load(Acquire, guard);
            // SAFETY: `head` is never null (invariant 1), and the guard keeps the node alive
            // even if another popper retires it after our load.
            let head_ref = unsafe { head.deref() };
            // Acquire: pairs with the Release link CAS in push_with, making `data` visible.
            let next = head_ref.next.load(Acquire, guard);
            // SAFETY: a non-null `next` is a node linked by push_with and kept alive by the
            // guard (it cannot be retired before it has been the sentinel, i.e. after us).
            let next_ref = unsafe { next.as_ref() }?;
            // Invariant 4: never retire a node `tail` still points at.
            let tail = self.tail.load(Acquire, guard);
            if tail == head {
                // Release: pairs with the Acquire loads of `tail`.
                let _ = self
                    .tail
                    .compare_exchange(tail, next, Release, Relaxed, guard);
            }
            // Release: pairs with the Acquire load of `head` above in other poppers.
            if self
                .head
                .compare_exchange(head, next, Release, Relaxed, guard)
                .is_ok()
            {
                // SAFETY: (1) our CAS made `next` the sentinel, so this thread alone owns its
                // value (invariant 5); (2) the value was initialised by push_with before the
                // Release link CAS that our Acquire load of `next` synchronised with; (3) the
                // node is never read as a value again, so reading it out moves it exactly once.
                let value = unsafe { next_ref.data.assume_init_read() };
                // SAFETY: `head` is unlinked (no longer reachable from `head` or `tail`), so no
                // new reference to it can be made; threads still holding one are pinned, and
                // the collector frees it only after they unpin.
                unsafe { guard.defer_destroy(head) };
                return Some(value);
            }
        }
    }

    /// True when the queue held no value at the moment of the check.
    pub fn is_empty(&self) -> bool {
        let guard = epoch::pin();
        let head = self.head.load(Acquire, &guard);
        // SAFETY: as in pop_with: `head` is non-null and protected by the guard.
        unsafe { head.deref() }.next.load(Acquire, &guard).is_null()
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self` proves no other thread can touch the queue any more, so an
        // unprotected guard is enough, and nodes can be freed at once rather than deferred.
        unsafe {
            let guard = epoch::unprotected();
            while self.pop_with(guard).is_some() {}
            let sentinel = self.head.load(Relaxed, guard);
            drop(sentinel.into_owned());
        }
    }
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;

    #[test]
    fn pops_in_push_order() {
        let q = Queue::new();
        for i in 0..100 {
            q.push(i);
        }
        for i in 0..100 {
            assert_eq!(q.pop(), Some(i));
        }
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
    }

    #[test]
    fn drop_frees_remaining_values() {
        use std::sync::Arc;
        let token = Arc::new(());
        {
            let q = Queue::new();
            for _ in 0..10 {
                q.push(Arc::clone(&token));
            }
            drop(q.pop());
        }
        assert_eq!(Arc::strong_count(&token), 1);
    }
}
