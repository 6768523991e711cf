//! Loom models of the pool's park/wake protocol and of the frame owner's wait for its pool
//! widgets (`blinkline::testing::engine::sync::{Parking, Handshake}`, used by `engine/pool.rs` and
//! `render.rs`).
//!
//! Under loom a futex word sleeps on loom's condvar and a timed wait is untimed, so a lost
//! wake-up leaves a thread asleep with nobody left to wake it, and loom fails the model as
//! a deadlock. The search is bounded by [`PREEMPTIONS`] preemptions per thread (override
//! with `LOOM_MAX_PREEMPTIONS`), as in `loom_queue.rs`.
//!
//! Run: `RUSTFLAGS="--cfg crossbeam_loom" cargo test --release --test loom_pool`
//! (use a separate target directory: the cfg rebuilds every crate).
#![cfg(crossbeam_loom)]

use std::time::Duration;

use blinkline::testing::engine::metrics::Counter;
use blinkline::testing::engine::sync::{AtomicBool, BoundedQueue, Handshake, Parking, WaitWord};
use loom::sync::Arc;
use loom::sync::atomic::Ordering::{Acquire, Release, SeqCst};
use loom::thread;

/// Default preemption bound of the models (see the module doc).
const PREEMPTIONS: usize = 3;

fn check(model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(PREEMPTIONS);
    builder.check(model);
}

/// The pool's shared state, as `pool.rs` holds it.
struct Pool {
    jobs: BoundedQueue<u8>,
    parking: Parking,
    shutdown: AtomicBool,
    parks: Counter,
    /// Jobs run so far; the submitter sleeps on it until its job has run.
    ran: WaitWord,
}

/// A worker runs `Parking::next` as `pool.rs`'s `worker_loop` does while the submitter
/// pushes one job, then sleeps until the job has run, then shuts the pool down. The job
/// can only run if the worker, parked or about to park, is woken for it.
///
/// Catches (each applied alone, the model deadlocks: the worker sleeps with the job queued
/// and the submitter sleeps waiting for it):
/// - `Parking::next` without its re-check of the queue after reading `wake_seq`;
/// - either SeqCst fence of the protocol deleted (in `Parking::next` before the worker
///   sleeps, or in `Parking::notify_one` before it reads `sleepers`).
#[test]
fn a_parking_worker_is_woken_for_a_submitted_job() {
    check(|| {
        let pool = Arc::new(Pool {
            jobs: BoundedQueue::new(2),
            parking: Parking::new(),
            shutdown: AtomicBool::new(false),
            parks: Counter::default(),
            ran: WaitWord::new(0),
        });
        let worker = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                let stopped = || pool.shutdown.load(SeqCst);
                let mut seen = Vec::new();
                while let Some(job) = pool.parking.next(|| pool.jobs.pop(), stopped, &pool.parks) {
                    seen.push(job);
                    pool.ran.fetch_add(1, SeqCst);
                    pool.ran.wake_all();
                }
                seen
            })
        };
        pool.jobs.push(7).unwrap();
        pool.parking.notify_one();
        while pool.ran.load(SeqCst) == 0 {
            pool.ran.wait(0);
        }
        pool.shutdown.store(true, SeqCst);
        pool.parking.notify_all();
        assert_eq!(worker.join().unwrap(), [7]);
    });
}

/// A worker publishes its widget's value and signals; the frame owner checks for the value
/// and sleeps on the handshake until it is there, as `render.rs`'s `wait_for_pool` does
/// (the deadline left out: under loom the timed wait never times out).
///
/// Catches (each applied alone, the model deadlocks: the owner sleeps with the value
/// published and nobody left to wake it):
/// - the SeqCst fence in `Handshake::published` deleted (between `done += 1` and the read
///   of `owner_waiting`);
/// - the SeqCst fence in `Handshake::wait` deleted (between setting `owner_waiting` and the
///   futex check of `done`).
#[test]
fn the_frame_owner_is_woken_when_its_pool_widget_publishes() {
    check(|| {
        let handshake = Arc::new(Handshake::new());
        let value = Arc::new(AtomicBool::new(false));
        let worker = {
            let (handshake, value) = (Arc::clone(&handshake), Arc::clone(&value));
            thread::spawn(move || {
                // Release: pairs with the owner's Acquire check (the slot's publish).
                value.store(true, Release);
                handshake.published()
            })
        };
        loop {
            let seen = handshake.seen();
            if value.load(Acquire) {
                break;
            }
            // Returns at once if `done` moved past `seen`; else sleeps until woken.
            handshake.wait(seen, Duration::from_secs(3600));
        }
        worker.join().unwrap();
    });
}
