//! `blinkline bench --compare queue|threads`: side-by-side runs of one workload.
//!
//! - `queue`: the same job stream through our Michael–Scott queue, crossbeam's `SegQueue`
//!   and a `Mutex<VecDeque>`: single-thread push+pop pairs, and a two-thread stream (one
//!   producer, one consumer, pinned to different cores when there are two).
//! - `threads`: the renderer with every widget inline, then on 1..N pool workers; frame
//!   latency percentiles and the ratio to inline.
//!
//! Both honour `--frames` (queue: 100 operations per frame, at least 100 000), `--warmup`
//! (queue: unmeasured push+pop pairs) and `--json` (one JSON object instead of the table).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use crossbeam_queue::SegQueue;

use crate::cli::{BenchArgs, Threads};
use crate::config::resolve::Settings;
use crate::engine::metrics::Histogram;
use crate::engine::queue::Queue;
use crate::error::Error;
use crate::input::env::Environment;
use crate::render::Offload;

/// A queue under comparison.
trait BenchQueue: Sync {
    fn push(&self, v: u64);
    fn pop(&self) -> Option<u64>;
}

impl BenchQueue for Queue<u64> {
    fn push(&self, v: u64) {
        Queue::push(self, v)
    }
    fn pop(&self) -> Option<u64> {
        Queue::pop(self)
    }
}

impl BenchQueue for SegQueue<u64> {
    fn push(&self, v: u64) {
        SegQueue::push(self, v)
    }
    fn pop(&self) -> Option<u64> {
        SegQueue::pop(self)
    }
}

impl BenchQueue for Mutex<VecDeque<u64>> {
    fn push(&self, v: u64) {
        if let Ok(mut q) = self.lock() {
            q.push_back(v);
        }
    }
    fn pop(&self) -> Option<u64> {
        self.lock().ok()?.pop_front()
    }
}

/// ns per push+pop pair on one thread.
fn single_thread(q: &dyn BenchQueue, ops: u64) -> f64 {
    let started = Instant::now();
    for i in 0..ops {
        q.push(i);
        std::hint::black_box(q.pop());
    }
    started.elapsed().as_nanos() as f64 / ops as f64
}

/// ns per item streamed from one producer thread to one consumer thread.
fn two_thread_stream(q: &dyn BenchQueue, items: u64) -> f64 {
    let started = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..items {
                q.push(i);
            }
        });
        s.spawn(|| {
            let mut seen = 0;
            while seen < items {
                if q.pop().is_some() {
                    seen += 1;
                } else {
                    std::hint::spin_loop();
                }
            }
        });
    });
    started.elapsed().as_nanos() as f64 / items as f64
}

/// Runs the queue comparison: `warmup` push+pop pairs per queue first, not measured, then
/// `ops` measured ones; returns the report as text, or as one JSON object with `json`.
pub fn queues(ops: u64, warmup: u64, json: bool) -> String {
    let ms = Queue::new();
    let seg = SegQueue::new();
    let mutex = Mutex::new(VecDeque::new());
    let rows: [(&str, &dyn BenchQueue); 3] = [
        ("ms-queue (ours)", &ms),
        ("SegQueue", &seg),
        ("Mutex<VecDeque>", &mutex),
    ];
    let results: Vec<(&str, f64, f64)> = rows
        .iter()
        .map(|(name, q)| {
            single_thread(*q, warmup);
            (*name, single_thread(*q, ops), two_thread_stream(*q, ops))
        })
        .collect();
    let (base_single, base_stream) = (results[1].1, results[1].2);
    let mut s = String::new();
    if json {
        let rows: Vec<String> = results
            .iter()
            .map(|(name, single, stream)| {
                format!(
                    "{{\"queue\":\"{name}\",\"single_thread_ns_per_pair\":{single:.1},\"single_thread_ratio\":{:.3},\"two_thread_ns_per_item\":{stream:.1},\"two_thread_ratio\":{:.3}}}",
                    single / base_single,
                    stream / base_stream
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "{{\"compare\":\"queue\",\"operations\":{ops},\"warmup\":{warmup},\"baseline\":\"SegQueue\",\"queues\":[{}]}}",
            rows.join(",")
        );
        return s;
    }
    let _ = writeln!(
        s,
        "queue comparison, {ops} operations each (ratios against SegQueue)"
    );
    let _ = writeln!(
        s,
        "{:<18} {:>16} {:>8} {:>18} {:>8}",
        "queue", "1-thread ns/pair", "ratio", "2-thread ns/item", "ratio"
    );
    for (name, single, stream) in &results {
        let _ = writeln!(
            s,
            "{name:<18} {single:>16.1} {:>7.2}× {stream:>18.1} {:>7.2}×",
            single / base_single,
            stream / base_stream
        );
    }
    s
}

/// Renders `frames` frames with every widget inline, then on 1..=max_threads workers;
/// the report as text, or as one JSON object with `--json`.
pub fn threads(
    settings: &Settings,
    bench: &BenchArgs,
    payload: &[u8],
    max_threads: usize,
) -> Result<String, Error> {
    let mut rows = Vec::new();
    for threads in 0..=max_threads {
        let mut settings = settings.clone();
        settings.threads = Threads::Count(threads);
        let mut renderer = crate::setup::builder(&settings, Environment::capture())?
            .offload(Offload::All)
            .build();
        for _ in 0..bench.warmup {
            renderer.render(payload);
        }
        let histogram = Histogram::new();
        for _ in 0..bench.frames() {
            histogram.record(renderer.render(payload).nanos);
        }
        rows.push((threads, histogram.summary()));
    }
    let inline = rows[0].1.p50.max(1) as f64;
    let mut s = String::new();
    if bench.json {
        let rows: Vec<String> = rows
            .iter()
            .map(|(threads, summary)| {
                format!(
                    "{{\"threads\":{threads},\"p50_ns\":{},\"p99_ns\":{},\"max_ns\":{},\"p50_ratio\":{:.3}}}",
                    summary.p50,
                    summary.p99,
                    summary.max,
                    summary.p50 as f64 / inline
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "{{\"compare\":\"threads\",\"frames\":{},\"warmup\":{},\"rows\":[{}]}}",
            bench.frames(),
            bench.warmup,
            rows.join(",")
        );
        return Ok(s);
    }
    let _ = writeln!(
        s,
        "inline vs pool workers, every widget on the pool, {} frames each",
        bench.frames()
    );
    let _ = writeln!(
        s,
        "{:<10} {:>10} {:>10} {:>10} {:>12}",
        "threads", "p50 µs", "p99 µs", "max µs", "p50 ÷ inline"
    );
    for (threads, summary) in rows {
        let label = if threads == 0 {
            "inline".to_owned()
        } else {
            threads.to_string()
        };
        let _ = writeln!(
            s,
            "{label:<10} {:>10.2} {:>10.2} {:>10.2} {:>11.2}×",
            summary.p50 as f64 / 1e3,
            summary.p99 as f64 / 1e3,
            summary.max as f64 / 1e3,
            summary.p50 as f64 / inline
        );
    }
    Ok(s)
}
