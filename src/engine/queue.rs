//! A Michael–Scott lock-free MPMC queue on crossbeam-epoch's public API.
//!
//! The algorithm is the one of M. M. Michael and M. L. Scott, "Simple, Fast, and Practical
//! Non-Blocking and Blocking Concurrent Queue Algorithms" (PODC 1996): a singly linked list
//! with a *sentinel* node at `head`; `tail` points at the last node or lags behind it by
//! one, and every thread that sees it lag helps swing it forward with a CAS before going on.
//! Memory reclamation is epoch-based (crossbeam-epoch): a popped sentinel is retired
//! through the epoch, so its memory is touched again only once no pinned thread can still
//! hold a pointer to it. It is then recycled, not freed: the deferred closure hands the
//! block to `recycle.rs`'s free lists, where the next push takes it, so a warm queue
//! allocates no nodes. Reuse only after the epoch is also what keeps the `head` and `tail`
//! CASes free of ABA (a pointer a pinned thread loaded cannot come back as a new node).
//! Nodes too large for a recycling class (over 128 bytes) are boxed and freed as before.
//!
//! A queue on the default collector retires its popped sentinels `recycle::HELD` (16) at a
//! time: `recycle::hold` keeps their addresses on a per-thread list and hands back a chain
//! of 16, deferred as one closure (`recycle.rs`, "Retiring many at a time"). One closure per
//! pop, and a sealed bag per 64 pops, cost the single-thread push+pop pair a third of its
//! instructions. A queue on another collector defers each node on its own.
//!
//! crossbeam-epoch collects garbage on pins (a few bags every 128 pins), but moves a
//! thread's garbage to where it can be collected only when its bag is full (64 closures,
//! 1024 nodes when they are chained) or flushed. So each thread flushes its garbage (and
//! collects) every `FLUSH_EVERY` (1024) nodes it retires, whatever guard it pops under:
//! garbage stays bounded, and a one-way stream gets its blocks back to the producer while
//! they still fit the exchange. Each flush seals a 2 KiB bag (an allocation and a copy):
//! flushing every 256 nodes cost the static musl build 12% of its single-thread time.
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
//! 6. Every guard used on a queue belongs to the queue's collector (the default one unless
//!    built with [`Queue::with_collector`]). A node retired into one collector is freed when
//!    that collector's participants have moved on; a thread pinned only in another collector
//!    would not hold it back, and could read freed memory. `push_with` and `pop_with` check
//!    this and panic on a foreign guard.
//!
//! # Orderings
//! Linking a node (`next` CAS, Release) pairs with the Acquire loads of `next` in `push`
//! and `pop`, which makes the node's `data` visible to the popping thread. `head` and
//! `tail` CASes are Release and their loads Acquire for the same reason. CAS failure
//! orderings are Relaxed: a failed CAS only sends the loop round again, and the next
//! iteration reloads with Acquire.
//!
//! Under `--cfg crossbeam_loom` a node's value sits in loom's `UnsafeCell`, so the loom
//! models in `tests/loom_queue.rs` also check that every read of a value happens after its
//! write, not only the atomics around it; and `pop_with` asserts invariant 4 before it
//! retires a node, since loom cannot see a read of memory the collector freed.
//!
//! Read next: `pool.rs`, the only user on the render path.

use core::alloc::Layout;
use core::mem::MaybeUninit;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crossbeam_epoch::{self as epoch, Atomic, Collector, Guard, Owned, Shared};
use crossbeam_utils::CachePadded;

use super::cell::UnsafeCell;
use super::recycle;

/// Nodes a thread retires between two flushes of its garbage.
#[cfg(not(crossbeam_loom))]
const FLUSH_EVERY: u32 = 1024;

#[cfg(not(crossbeam_loom))]
std::thread_local! {
    /// Nodes this thread retired since it last flushed its garbage.
    static RETIRED_SINCE_FLUSH: core::cell::Cell<u32> = const { core::cell::Cell::new(0) };
}

/// Counts `nodes` retired by this thread and flushes its garbage once [`FLUSH_EVERY`] are,
/// so collection keeps pace with pops made under a long-held guard.
#[inline]
fn count_retired(guard: &Guard, nodes: u32) {
    // Loom runs its threads as coroutines on one OS thread: a real thread-local would leak
    // between its executions and make the models non-deterministic. No flush under loom.
    #[cfg(not(crossbeam_loom))]
    {
        // `try_with`: the queue may be used from another thread-local's destructor.
        let due = RETIRED_SINCE_FLUSH
            .try_with(|retired| {
                let n = retired.get() + nodes;
                let due = n >= FLUSH_EVERY;
                retired.set(if due { 0 } else { n });
                due
            })
            .unwrap_or(false);
        if due {
            guard.flush();
        }
    }
    #[cfg(crossbeam_loom)]
    let _ = (guard, nodes);
}

/// A lock-free, unbounded, multi-producer multi-consumer FIFO queue.
pub struct Queue<T> {
    head: CachePadded<Atomic<Node<T>>>,
    tail: CachePadded<Atomic<Node<T>>>,
    /// The collector that retired nodes go to; every guard must come from it (invariant 6).
    collector: Collector,
    /// `collector` is the default collector: pin with `epoch::pin()`.
    default_collector: bool,
}

struct Node<T> {
    /// Initialised for every node after the sentinel; moved out by the popping thread.
    data: UnsafeCell<MaybeUninit<T>>,
    next: Atomic<Node<T>>,
}

impl<T> Node<T> {
    /// The recycling class of this node type (`recycle.rs`), `None` when it is too large.
    const CLASS: Option<usize> = recycle::class_of(Layout::new::<Node<T>>());

    /// A new unlinked node holding `value`, in a recycled block when there is one.
    #[inline]
    fn alloc<'g>(value: T, guard: &'g Guard) -> Shared<'g, Node<T>> {
        Self::place(MaybeUninit::new(value), guard)
    }

    /// A new sentinel: a node without a value.
    fn alloc_sentinel(guard: &Guard) -> Shared<'_, Node<T>> {
        Self::place(MaybeUninit::uninit(), guard)
    }

    #[inline]
    fn place(data: MaybeUninit<T>, guard: &Guard) -> Shared<'_, Node<T>> {
        let node = Node {
            data: UnsafeCell::new(data),
            next: Atomic::null(),
        };
        let Some(class) = Self::CLASS else {
            return Owned::new(node).into_shared(guard);
        };
        let block = recycle::take(class).cast::<Node<T>>();
        // SAFETY: (1) `take` returns a block of the class's layout, which is at least as
        // large and as aligned as `Node<T>` (`class_of`); (2) the block is free: no one
        // else can read or write it (recycle.rs: it came back only after the epoch).
        unsafe { block.write(node) };
        Shared::from(block.cast_const())
    }

    /// Frees `node` or hands its block back for reuse, once no thread pinned in `guard`'s
    /// collector can hold a pointer to it (at once under an unprotected guard). With
    /// `hold`, the block may wait on this thread's list and be deferred with the next ones.
    ///
    /// # Safety
    /// (1) `node` came from [`Node::alloc`] or [`Node::alloc_sentinel`] and is unlinked: no
    /// new pointer to it can be made; (2) its `data` is uninitialised or moved out; (3) every
    /// thread that may still hold a pointer to it is pinned in `guard`'s collector; (4) with
    /// `hold`, that collector is the default one and `guard` is not unprotected.
    #[inline]
    unsafe fn retire(node: Shared<'_, Node<T>>, guard: &Guard, hold: bool) {
        let Some(class) = Self::CLASS else {
            // SAFETY: (1)–(3) are `defer_destroy`'s contract; the node came from
            // `Owned::new` since its type has no class.
            unsafe { guard.defer_destroy(node) };
            count_retired(guard, 1);
            return;
        };
        if hold {
            // SAFETY: the block came from `take(class)` (`place`), is unlinked with its value
            // gone (1, 2), and only threads pinned in the default collector can read it (3, 4).
            match unsafe { recycle::hold(node.as_raw() as *mut u8, class) } {
                recycle::Hold::Kept => return,
                recycle::Hold::Full(chain) => {
                    // SAFETY: the closure runs once no thread pinned in the default collector
                    // (`guard`'s, 4) can read any block of the chain: each was unlinked before
                    // this defer, and a later defer is only reclaimed later (recycle.rs).
                    unsafe { guard.defer_unchecked(move || chain.give()) };
                    count_retired(guard, recycle::HELD as u32);
                    return;
                }
                recycle::Hold::Refused => {}
            }
        }
        let block = node.as_raw() as usize;
        // SAFETY: the closure runs once no thread pinned in the collector can read the node
        // (contract 3), its value is gone (2) and `Node` has no drop glue beyond `data`
        // (`MaybeUninit`) and `next` (an `Atomic`, no drop): handing the block back is all
        // that is left to do, and `recycle::give` gets the block and class `take` gave out.
        unsafe { guard.defer_unchecked(move || recycle::give(block as *mut u8, class)) };
        count_retired(guard, 1);
    }
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
    /// Creates an empty queue (one sentinel node) that reclaims through the default
    /// collector, the one `epoch::pin()` pins in.
    pub fn new() -> Self {
        Self::with_collector(epoch::default_collector())
    }

    /// Creates an empty queue that reclaims through `collector`.
    ///
    /// Pin through a handle of that collector (`collector.register().pin()`) and use the
    /// `*_with` methods. The plain methods work too, but register a short-lived handle on
    /// every call, which is far slower than pinning in the default collector.
    pub fn with_collector(collector: &Collector) -> Self {
        let queue = Queue {
            head: CachePadded::new(Atomic::null()),
            tail: CachePadded::new(Atomic::null()),
            collector: collector.clone(),
            default_collector: collector == epoch::default_collector(),
        };
        // SAFETY: the queue is not shared yet, so no other thread can observe the sentinel;
        // an unprotected guard is enough to turn the fresh allocation into a `Shared`.
        let sentinel = Node::alloc_sentinel(unsafe { epoch::unprotected() });
        queue.head.store(sentinel, Relaxed);
        queue.tail.store(sentinel, Relaxed);
        queue
    }

    /// Whether popped nodes may wait on this thread's list before they are deferred
    /// (`recycle::hold`): only in the default collector, and not under an unprotected guard,
    /// which reclaims at once.
    #[inline]
    fn holds(&self, guard: &Guard) -> bool {
        self.default_collector && guard.collector().is_some()
    }

    /// Pins the current thread in this queue's collector.
    fn pin(&self) -> Guard {
        if self.default_collector {
            epoch::pin()
        } else {
            self.collector.register().pin()
        }
    }

    /// Panics unless `guard` may protect this queue's nodes (invariant 6).
    ///
    /// An unprotected guard passes: obtaining one is `unsafe`, and its contract already
    /// promises that no other thread touches the queue meanwhile.
    #[inline]
    fn check_guard(&self, guard: &Guard) {
        if let Some(collector) = guard.collector() {
            assert!(
                *collector == self.collector,
                "blinkline Queue: guard pinned in a different collector than the queue's"
            );
        }
    }

    /// Appends `value` at the tail. Pins the current thread for the call.
    pub fn push(&self, value: T) {
        let guard = self.pin();
        self.push_with(value, &guard);
    }

    /// Removes the value at the head, if any. Pins the current thread for the call.
    pub fn pop(&self) -> Option<T> {
        let guard = self.pin();
        self.pop_with(&guard)
    }

    /// Appends every value of `values`, in order, under one pin.
    ///
    /// Values from other producers may land between them.
    pub fn push_batch(&self, values: impl IntoIterator<Item = T>) {
        let guard = self.pin();
        for value in values {
            self.push_with(value, &guard);
        }
    }

    /// Pops up to `max` values into `out` under one pin; returns how many it moved.
    ///
    /// Stops early when the queue is found empty.
    pub fn pop_batch(&self, max: usize, out: &mut impl Extend<T>) -> usize {
        let guard = self.pin();
        let mut moved = 0;
        while moved < max {
            let Some(value) = self.pop_with(&guard) else {
                break;
            };
            out.extend(Some(value));
            moved += 1;
        }
        moved
    }

    /// Appends `value` under a guard the caller already holds (pin once per batch).
    ///
    /// # Panics
    /// If `guard` is pinned in another collector than the queue's (invariant 6).
    pub fn push_with(&self, value: T, guard: &Guard) {
        self.check_guard(guard);
        let new = Node::alloc(value, guard);
        loop {
            // Acquire: pairs with the Release tail CASes in push_with and pop_with, so the node
            // we read (and its initialisation) is visible.
            let tail = self.tail.load(Acquire, guard);
            // SAFETY: (1) `tail` is never null (invariant 1 and 2: it points at a node in the
            // list); (2) it is never retired while reachable from `tail` (invariant 4), and
            // our guard, from the queue's collector (invariant 6), keeps any node we loaded
            // alive until the guard is dropped.
            let tail_ref = unsafe { tail.deref() };
            // Acquire: pairs with the Release link CAS of the pusher that set `next`.
            let next = tail_ref.next.load(Acquire, guard);
            if !next.is_null() {
                // Tail lags: help swing it forward, then retry (invariant 2).
                // Release: pairs with the Acquire loads of `tail` in push_with.
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
                // Release: pairs with the Acquire loads of `tail` in push_with.
                let _ = self
                    .tail
                    .compare_exchange(tail, new, Release, Relaxed, guard);
                return;
            }
        }
    }

    /// Removes the value at the head under a guard the caller already holds.
    ///
    /// # Panics
    /// If `guard` is pinned in another collector than the queue's (invariant 6).
    pub fn pop_with(&self, guard: &Guard) -> Option<T> {
        self.check_guard(guard);
        loop {
            // Acquire: pairs with the Release head CAS of the previous popper.
            let head = self.head.load(Acquire, guard);
            // SAFETY: (1) `head` is never null (invariant 1); (2) the guard, from the queue's
            // collector (invariant 6), keeps the node alive even if another popper retires it
            // after our load.
            let head_ref = unsafe { head.deref() };
            // Acquire: pairs with the Release link CAS in push_with, making `data` visible.
            let next = head_ref.next.load(Acquire, guard);
            // SAFETY: a non-null `next` is a node linked by push_with and kept alive by the
            // guard (it cannot be retired before it has been the sentinel, i.e. after us).
            let next_ref = unsafe { next.as_ref() }?;
            // Invariant 4: never retire a node `tail` still points at. When `next` has a
            // successor, `tail` is already past `head`: the pusher that linked it loaded `tail`
            // as `next` first (nodes are linked only at the node `tail` points at), and our
            // Acquire load pairs with its Release link CAS, so by coherence no later load of
            // `tail` on this thread can return `head`. Then `tail` is not read at all: in a
            // stream it is the producer's hottest cache line.
            // Acquire: pairs with the Release link CAS in push_with (the argument above).
            if next_ref.next.load(Acquire, guard).is_null() {
                // Relaxed is enough: the value is only compared, and our Acquire load of
                // `head` saw the previous popper's head CAS, so coherence gives us a `tail`
                // no older than the one it checked.
                let tail = self.tail.load(Relaxed, guard);
                if tail == head {
                    // Release: pairs with the Acquire loads of `tail` in push_with; publishes
                    // `next` (acquired above) to the pushers that will dereference it.
                    let _ = self
                        .tail
                        .compare_exchange(tail, next, Release, Relaxed, guard);
                }
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
                // node is never read as a value again, so reading it out moves it exactly once;
                // (4) no thread writes the cell after push_with created it.
                let value = next_ref
                    .data
                    .with(|data| unsafe { (*data).assume_init_read() });
                // Under loom, check the precondition of `defer_destroy` below (invariant 4):
                // epoch reclamation frees `head` once every thread pinned now has unpinned,
                // and loom cannot see a later read of freed memory, so a `tail` left
                // pointing at it must fail the model here. Coherence: this thread's earlier
                // load or CAS of `tail` already saw it past `head`, so no older value shows.
                #[cfg(crossbeam_loom)]
                assert!(
                    self.tail.load(Relaxed, guard) != head,
                    "invariant 4: retiring the node `tail` points at"
                );
                // SAFETY: (1) `head` is unlinked (no longer reachable from `head` or `tail`), so
                // no new reference to it can be made; (2) threads still holding one are pinned
                // in the queue's collector (invariant 6), which frees or recycles it only after
                // they unpin; (3) its value was moved out when it became the sentinel.
                unsafe { Node::retire(head, guard, self.holds(guard)) };
                return Some(value);
            }
        }
    }

    /// True when the queue held no value at the moment of the check.
    pub fn is_empty(&self) -> bool {
        let guard = self.pin();
        // Acquire: pairs with the Release head CAS in pop_with, so the node is visible.
        let head = self.head.load(Acquire, &guard);
        // SAFETY: as in pop_with: (1) `head` is non-null; (2) our guard is pinned in the
        // queue's collector and keeps it alive.
        let head_ref = unsafe { head.deref() };
        // Acquire: pairs with the Release link CAS in push_with (same as in pop_with).
        head_ref.next.load(Acquire, &guard).is_null()
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        // SAFETY: (1) `&mut self` proves no other thread can touch the queue any more, so an
        // unprotected guard is enough; (2) no pointer to a node ever leaves the queue's
        // methods, so nodes can be recycled at once (pop_with's retire runs immediately
        // under this guard) rather than deferred.
        let guard = unsafe { epoch::unprotected() };
        while self.pop_with(guard).is_some() {}
        let sentinel = self.head.load(Relaxed, guard);
        // SAFETY: (1) the loop above emptied the queue, so `head` is the only node left and
        // nothing else points at it (the unprotected guard hands it back at once); (2) it is
        // non-null (invariant 1) and its `data` is moved-out or uninitialised.
        unsafe { Node::retire(sentinel, guard, false) };
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

    #[test]
    fn two_threads_pass_every_value_once_in_order() {
        // Small under miri, which checks this run for data races and weak-memory reads.
        let n: u32 = if cfg!(miri) { 300 } else { 20_000 };
        let q = Queue::new();
        std::thread::scope(|s| {
            s.spawn(|| q.push_batch(0..n));
            let mut expected = 0;
            while expected < n {
                match q.pop() {
                    Some(value) => {
                        assert_eq!(value, expected);
                        expected += 1;
                    }
                    None => std::thread::yield_now(),
                }
            }
        });
        assert!(q.is_empty());
    }

    #[test]
    fn batches_keep_push_order() {
        let q = Queue::new();
        q.push_batch(0..10);
        let mut out = Vec::new();
        assert_eq!(q.pop_batch(4, &mut out), 4);
        assert_eq!(q.pop_batch(100, &mut out), 6);
        assert_eq!(q.pop_batch(1, &mut out), 0);
        assert_eq!(out, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn custom_collector_queue_works_through_its_own_handle() {
        let collector = Collector::new();
        let handle = collector.register();
        let q = Queue::with_collector(&collector);
        let guard = handle.pin();
        q.push_with(1, &guard);
        q.push(2);
        assert_eq!(q.pop_with(&guard), Some(1));
        assert_eq!(q.pop(), Some(2));
        assert!(q.is_empty());
    }

    #[test]
    #[should_panic(expected = "different collector")]
    fn guard_from_another_collector_is_refused() {
        let other = Collector::new();
        let handle = other.register();
        let q = Queue::<u32>::new();
        q.push_with(1, &handle.pin());
    }
}
