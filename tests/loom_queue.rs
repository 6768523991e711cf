//! Loom models of the Michael–Scott queue (`blinkline::testing::engine::queue`).
//!
//! Each model runs the interleavings of two tiny threads (loom's scheduler, with
//! crossbeam-epoch's atomics routed through loom by its `loom` feature). Pinning and
//! registering in a collector are themselves dozens of atomic operations, so the search is
//! bounded the way crossbeam's and tokio's loom suites bound theirs: every interleaving with
//! at most [`PREEMPTIONS`] preemptions per thread (override with `LOOM_MAX_PREEMPTIONS`).
//! The models stay small on purpose: a third thread multiplies the state space past any
//! useful run time.
//!
//! Run: `RUSTFLAGS="--cfg crossbeam_loom" cargo test --release --test loom_queue`
//! (use a separate target directory: the cfg rebuilds every crate).
#![cfg(crossbeam_loom)]

use blinkline::testing::engine::queue::Queue;
use crossbeam_epoch::Collector;
use loom::sync::Arc;
use loom::sync::atomic::AtomicUsize;
use loom::sync::atomic::Ordering::Relaxed;
use loom::thread;

/// Default preemption bound of the models (see the module doc).
const PREEMPTIONS: usize = 2;

/// Runs `model` under loom with the preemption bound of [`PREEMPTIONS`], unless
/// `LOOM_MAX_PREEMPTIONS` sets another.
fn check(model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(PREEMPTIONS);
    builder.check(model);
}

/// Drains `q` through a fresh handle of `collector`.
fn drain<T>(q: &Queue<T>, collector: &Collector) -> Vec<T> {
    let handle = collector.register();
    let guard = handle.pin();
    std::iter::from_fn(|| q.pop_with(&guard)).collect()
}

#[test]
fn concurrent_pushes_keep_each_producers_order() {
    check(|| {
        let collector = Collector::new();
        let q = Arc::new(Queue::with_collector(&collector));
        let producers: Vec<_> = (0..2u8)
            .map(|id| {
                let (q, collector) = (Arc::clone(&q), collector.clone());
                thread::spawn(move || {
                    let handle = collector.register();
                    let guard = handle.pin();
                    q.push_with((id, 0u8), &guard);
                    q.push_with((id, 1u8), &guard);
                })
            })
            .collect();
        for producer in producers {
            producer.join().unwrap();
        }
        let popped = drain(&q, &collector);
        assert_eq!(popped.len(), 4);
        for id in 0..2 {
            let seqs: Vec<u8> = popped.iter().filter(|v| v.0 == id).map(|v| v.1).collect();
            assert_eq!(seqs, [0, 1], "producer {id} out of order in {popped:?}");
        }
    });
}

#[test]
fn push_against_pop_loses_and_duplicates_nothing() {
    check(|| {
        let collector = Collector::new();
        let q = Arc::new(Queue::with_collector(&collector));
        {
            let handle = collector.register();
            q.push_with(0u8, &handle.pin());
        }
        let pusher = {
            let (q, collector) = (Arc::clone(&q), collector.clone());
            thread::spawn(move || {
                let handle = collector.register();
                q.push_with(1u8, &handle.pin());
            })
        };
        let popper = {
            let (q, collector) = (Arc::clone(&q), collector.clone());
            thread::spawn(move || {
                let handle = collector.register();
                let guard = handle.pin();
                [q.pop_with(&guard), q.pop_with(&guard)]
            })
        };
        pusher.join().unwrap();
        let [first, second] = popper.join().unwrap();
        // The value pushed before the threads started is at the head: the first pop gets it.
        assert_eq!(first, Some(0));
        assert!(matches!(second, None | Some(1)), "second pop: {second:?}");
        let rest = drain(&q, &collector);
        let mut all: Vec<u8> = [first, second].into_iter().flatten().chain(rest).collect();
        all.sort_unstable();
        assert_eq!(all, [0, 1]);
    });
}

#[test]
fn two_pops_on_one_value_exactly_one_wins() {
    check(|| {
        let collector = Collector::new();
        let q = Arc::new(Queue::with_collector(&collector));
        {
            let handle = collector.register();
            q.push_with(7u8, &handle.pin());
        }
        let poppers: Vec<_> = (0..2)
            .map(|_| {
                let (q, collector) = (Arc::clone(&q), collector.clone());
                thread::spawn(move || {
                    let handle = collector.register();
                    q.pop_with(&handle.pin())
                })
            })
            .collect();
        let got: Vec<Option<u8>> = poppers.into_iter().map(|p| p.join().unwrap()).collect();
        assert_eq!(got.iter().flatten().count(), 1, "pops: {got:?}");
        assert!(got.contains(&Some(7)));
        assert!(q.is_empty());
    });
}

/// Counts its drops in a shared counter.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        // Relaxed: a plain counter, read after every thread has been joined.
        self.0.fetch_add(1, Relaxed);
    }
}

#[test]
fn every_value_is_dropped_exactly_once() {
    check(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let collector = Collector::new();
        let q = Arc::new(Queue::with_collector(&collector));
        {
            let handle = collector.register();
            let guard = handle.pin();
            q.push_with(Counted(Arc::clone(&drops)), &guard);
            q.push_with(Counted(Arc::clone(&drops)), &guard);
        }
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (q, collector, drops) = (Arc::clone(&q), collector.clone(), Arc::clone(&drops));
                thread::spawn(move || {
                    let handle = collector.register();
                    let guard = handle.pin();
                    q.push_with(Counted(drops), &guard);
                    drop(q.pop_with(&guard));
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        // Four pushed, two popped and dropped by the workers: two are left in the queue.
        assert_eq!(drops.load(Relaxed), 2);
        let Ok(q) = Arc::try_unwrap(q) else {
            panic!("the workers were joined, so the queue has one owner")
        };
        drop(q);
        assert_eq!(drops.load(Relaxed), 4);
    });
}

#[test]
fn plain_methods_work_in_the_default_collector() {
    check(|| {
        let q = Arc::new(Queue::new());
        let pusher = {
            let q = Arc::clone(&q);
            thread::spawn(move || q.push(1u8))
        };
        let popped = q.pop();
        pusher.join().unwrap();
        let rest = q.pop();
        assert_eq!(popped.into_iter().chain(rest).collect::<Vec<_>>(), [1]);
        assert!(q.is_empty());
    });
}

/// A pusher links a node and may be preempted before it swings `tail`; the popper takes the
/// value, retires the old sentinel and flushes, so the collector really reclaims it (the
/// other models never collect: too few pins reach crossbeam-epoch's collection), then
/// pushes again, loading `tail`.
///
/// Catches: deleting the tail swing in `pop_with` (`if tail == head { tail CAS }`): the
/// popper then retires the node `tail` still points at (crossbeam issue #238) and the
/// loom-only invariant-4 check fails the model.
#[test]
fn a_pop_never_retires_the_node_tail_points_at() {
    check(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let collector = Collector::new();
        let q = Arc::new(Queue::with_collector(&collector));
        let pusher = {
            let (q, collector, drops) = (Arc::clone(&q), collector.clone(), Arc::clone(&drops));
            thread::spawn(move || {
                let handle = collector.register();
                q.push_with(Counted(drops), &handle.pin());
            })
        };
        let handle = collector.register();
        let popped = loop {
            let guard = handle.pin();
            if let Some(value) = q.pop_with(&guard) {
                guard.flush();
                break value;
            }
            drop(guard);
            thread::yield_now();
        };
        drop(popped);
        {
            let guard = handle.pin();
            q.push_with(Counted(Arc::clone(&drops)), &guard);
            guard.flush();
        }
        pusher.join().unwrap();
        assert_eq!(drops.load(Relaxed), 1, "the popped value, dropped once");
        assert_eq!(drain(&q, &collector).len(), 1);
        assert_eq!(drops.load(Relaxed), 2);
    });
}

/// Pins `handle` and flushes a few times, so the collector advances the epoch and runs the
/// deferred closures it may run: recycled blocks really come back (the other models rarely
/// collect).
fn collect(handle: &crossbeam_epoch::LocalHandle) {
    for _ in 0..3 {
        handle.pin().flush();
    }
}

/// A popper loads `head` and its successor and may be preempted before its head CAS; the
/// other thread meanwhile pops that value, collects, pushes (in a recycled block when one is
/// free), pops again and collects, so the old sentinel and the popped node can come back as
/// new nodes while the first popper still holds pointers to them.
///
/// Catches: handing a node's block back without deferring through the epoch (recycling it
/// at once in `Node::retire`): the old sentinel returns as the next node, `head` comes back
/// to it, the stalled popper's CAS succeeds (ABA) and takes the first value a second time.
#[test]
fn a_recycled_node_never_returns_while_a_popper_can_see_it() {
    check(|| {
        let collector = Collector::new();
        let q = Arc::new(Queue::with_collector(&collector));
        {
            let handle = collector.register();
            q.push_with(1u8, &handle.pin());
        }
        let popper = {
            let (q, collector) = (Arc::clone(&q), collector.clone());
            thread::spawn(move || {
                let handle = collector.register();
                q.pop_with(&handle.pin())
            })
        };
        let handle = collector.register();
        let mut mine = Vec::new();
        mine.extend(q.pop_with(&handle.pin()));
        collect(&handle);
        q.push_with(2u8, &handle.pin());
        mine.extend(q.pop_with(&handle.pin()));
        collect(&handle);
        let theirs = popper.join().unwrap();
        let rest = drain(&q, &collector);
        let mut all: Vec<u8> = mine.iter().copied().chain(theirs).chain(rest).collect();
        all.sort_unstable();
        assert_eq!(all, [1, 2], "mine {mine:?}, theirs {theirs:?}");
    });
}
