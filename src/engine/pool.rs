//! A fixed pool of pinned OS threads that pull jobs from the Michael–Scott queue.
//!
//! No async runtime: `Pool::start` spawns N threads once, each pinned to one allowed core
//! with `sys::affinity::pin_to` (`sched_setaffinity`). A worker pops jobs until the queue
//! is empty, then parks on a futex word (`sys::futex`) and is woken by `submit`, which
//! only issues the wake syscall when a worker is actually asleep.
//!
//! # Wake protocol (no lost wake-ups)
//! worker: read `wake_seq` → re-check the queue → `sleepers += 1` → `wait(wake_seq, seen)`.
//! submitter: push → `wake_seq += 1` → if `sleepers > 0` wake one.
//! All four steps are SeqCst, so either the submitter sees the sleeper and wakes it, or the
//! worker's `wait` sees `wake_seq != seen` and returns at once. The protocol lives in
//! `sync.rs` ([`Parking`]), where `tests/loom_pool.rs` checks it under loom.
//!
//! # When the pool is used
//! A one-shot Claude Code render does a few µs of widget work in total, while spawning
//! threads and a cross-core futex wake each cost tens to hundreds of µs on a small VM: a
//! pool for cheap widgets costs more than the work it spreads (figures in BENCHMARKS.md,
//! "Engine", from `blinkline bench --all-on-pool --threads N`). The renderer therefore
//! renders *cheap* widgets inline on the main thread and submits only *slow* widgets (I/O
//! that may take milliseconds) to the pool, which it starts lazily the first time a slow
//! widget is in the layout. Long-running modes start the pool once and reuse it for every
//! frame; `--threads N` sets its size and `--threads 0` renders everything inline.
//!
//! Dropping the pool tells the workers to stop but never joins them: the process must not
//! wait for a straggling widget. `Pool::join` exists for tests and orderly shutdown.

use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::thread::JoinHandle;

use crate::engine::metrics::Counter;
use crate::engine::queue::Queue;
use crate::engine::sync::{AtomicBool, Parking};

/// Runs the jobs of a pool. Implemented by the renderer for widget jobs.
pub trait JobRunner: Send + Sync + 'static {
    type Job: Send + 'static;
    fn run(&self, job: Self::Job);
}

/// Counters of the pool's activity (Relaxed, see `metrics.rs`).
#[derive(Default)]
pub struct PoolStats {
    pub submitted: Counter,
    /// Jobs taken off the queue (counted before each runs, so a job's own effects
    /// happen after its count).
    pub executed: Counter,
    pub parks: Counter,
    pub wakes_sent: Counter,
}

struct Shared<R: JobRunner> {
    queue: Queue<R::Job>,
    parking: Parking,
    shutdown: AtomicBool,
    runner: R,
    stats: PoolStats,
}

/// A started set of worker threads.
pub struct Pool<R: JobRunner> {
    shared: Arc<Shared<R>>,
    workers: Vec<JoinHandle<()>>,
}

/// How many workers `--threads auto` gives: one per allowed core, at most `cap`.
pub fn default_threads(cap: usize) -> usize {
    allowed_cpus().len().clamp(1, cap.max(1))
}

impl<R: JobRunner> Pool<R> {
    /// Spawns `threads` workers (at least one), each pinned to an allowed core.
    pub fn start(threads: usize, runner: R) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            queue: Queue::new(),
            parking: Parking::new(),
            shutdown: AtomicBool::new(false),
            runner,
            stats: PoolStats::default(),
        });
        let cpus = allowed_cpus();
        let mut workers = Vec::with_capacity(threads.max(1));
        for index in 0..threads.max(1) {
            let shared = Arc::clone(&shared);
            let cpu = cpus.get(index % cpus.len().max(1)).copied();
            let handle = std::thread::Builder::new()
                .name(format!("blinkline-w{index}"))
                .stack_size(256 * 1024)
                .spawn(move || {
                    if let Some(cpu) = cpu {
                        crate::sys::affinity::pin_to(cpu);
                    }
                    worker_loop(&shared);
                })?;
            workers.push(handle);
        }
        Ok(Pool { shared, workers })
    }

    /// Queues a job and wakes a sleeping worker if there is one.
    pub fn submit(&self, job: R::Job) {
        let shared = &*self.shared;
        shared.queue.push(job);
        shared.stats.submitted.add(1);
        if shared.parking.notify_one() {
            shared.stats.wakes_sent.add(1);
        }
    }

    pub fn threads(&self) -> usize {
        self.workers.len()
    }

    pub fn stats(&self) -> &PoolStats {
        &self.shared.stats
    }

    pub fn runner(&self) -> &R {
        &self.shared.runner
    }

    /// Stops the workers once the queue is drained and waits for them.
    pub fn join(mut self) {
        self.signal_shutdown();
        for handle in self.workers.drain(..) {
            let _ = handle.join();
        }
    }

    fn signal_shutdown(&self) {
        // SeqCst: read by the worker's `stopped` check before it parks (wake protocol).
        self.shared.shutdown.store(true, SeqCst);
        self.shared.parking.notify_all();
    }
}

impl<R: JobRunner> Drop for Pool<R> {
    fn drop(&mut self) {
        // Never join here: a straggling widget must not hold up the process.
        self.signal_shutdown();
    }
}

fn worker_loop<R: JobRunner>(shared: &Shared<R>) {
    let stopped = || shared.shutdown.load(SeqCst);
    while let Some(job) = shared
        .parking
        .next(|| shared.queue.pop(), stopped, &shared.stats.parks)
    {
        shared.stats.executed.add(1);
        shared.runner.run(job);
    }
}

/// The CPUs this process may run on (from `sched_getaffinity`), in ascending order; when
/// that is unknown, as many as the standard library counts, from 0.
pub fn allowed_cpus() -> Vec<usize> {
    crate::sys::affinity::allowed_cpus().unwrap_or_else(|| {
        (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect()
    })
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;
    use std::sync::mpsc;
    use std::time::Duration;

    /// How long a test waits for a job before calling it lost (a lost wake-up leaves the
    /// job in the queue with every worker asleep): far above any run time, far below a hang.
    const LOST: Duration = Duration::from_secs(30);

    struct Summer {
        total: AtomicU64,
        done: mpsc::SyncSender<()>,
    }

    impl JobRunner for Summer {
        type Job = u64;
        fn run(&self, job: u64) {
            self.total.fetch_add(job, SeqCst);
            let _ = self.done.send(());
        }
    }

    #[test]
    fn every_submitted_job_runs_exactly_once() {
        let (tx, rx) = mpsc::sync_channel(20_000);
        let pool = Pool::start(
            2,
            Summer {
                total: AtomicU64::new(0),
                done: tx,
            },
        )
        .unwrap();
        for i in 1..=10_000u64 {
            pool.submit(i);
        }
        for _ in 0..10_000 {
            rx.recv_timeout(LOST)
                .expect("a submitted job never ran (lost wake-up?)");
        }
        assert_eq!(pool.runner().total.load(SeqCst), 10_000 * 10_001 / 2);
        assert_eq!(pool.stats().executed.get(), 10_000);
        pool.join();
    }

    #[test]
    fn parked_workers_wake_for_each_burst() {
        let (tx, rx) = mpsc::sync_channel(100);
        let pool = Pool::start(
            2,
            Summer {
                total: AtomicU64::new(0),
                done: tx,
            },
        )
        .unwrap();
        for burst in 0..50u64 {
            pool.submit(burst);
            rx.recv_timeout(LOST)
                .expect("a parked worker was not woken for the burst");
        }
        assert_eq!(pool.runner().total.load(SeqCst), 49 * 50 / 2);
        pool.join();
    }

    #[test]
    fn allowed_cpus_is_never_empty() {
        assert!(!allowed_cpus().is_empty());
    }
}
