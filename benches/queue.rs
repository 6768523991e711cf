//! The engine's Michael–Scott queue against crossbeam's queues and a locked `VecDeque`.
//!
//! - `push_pop`: one thread, 64 push+pop pairs per iteration on an empty queue (divide the
//!   time by 64 for one pair); ours with a pin per op and with one guard per 64 ops.
//! - `stream`: one producer thread sends `STREAM` items to one consumer thread; a side that
//!   must wait (empty queue, full `ArrayQueue`) yields, so the rows stay meaningful on a
//!   machine with as few cores as threads.
//!
//! Run: `cargo bench --bench queue`. Measurement times are short on purpose: the point is
//! the ratio between rows of one run, not absolute numbers.

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use blinkline::testing::engine::queue::Queue;
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use crossbeam_epoch as epoch;
use crossbeam_queue::{ArrayQueue, SegQueue};

/// Push+pop pairs per iteration of `push_pop`, and ops per guard in the batched rows.
const PAIRS: u64 = 64;
/// Items per iteration of `stream`.
const STREAM: u64 = 100_000;
/// Capacity of the bounded `ArrayQueue`.
const CAPACITY: usize = 1024;

/// The operations both benchmarks need, one impl per queue under test.
trait BenchQueue: Sync {
    fn push(&self, value: u64);
    fn pop(&self) -> Option<u64>;
}

impl BenchQueue for Queue<u64> {
    fn push(&self, value: u64) {
        Queue::push(self, value);
    }
    fn pop(&self) -> Option<u64> {
        Queue::pop(self)
    }
}

impl BenchQueue for SegQueue<u64> {
    fn push(&self, value: u64) {
        SegQueue::push(self, value);
    }
    fn pop(&self) -> Option<u64> {
        SegQueue::pop(self)
    }
}

impl BenchQueue for ArrayQueue<u64> {
    fn push(&self, mut value: u64) {
        // Bounded: let the consumer run while the queue is full.
        while let Err(back) = ArrayQueue::push(self, value) {
            value = back;
            thread::yield_now();
        }
    }
    fn pop(&self) -> Option<u64> {
        ArrayQueue::pop(self)
    }
}

impl BenchQueue for Mutex<VecDeque<u64>> {
    fn push(&self, value: u64) {
        self.lock().unwrap().push_back(value);
    }
    fn pop(&self) -> Option<u64> {
        self.lock().unwrap().pop_front()
    }
}

fn pairs(q: &impl BenchQueue) {
    for i in 0..PAIRS {
        q.push(black_box(i));
        black_box(q.pop());
    }
}

fn pairs_one_guard(q: &Queue<u64>) {
    let guard = epoch::pin();
    for i in 0..PAIRS {
        q.push_with(black_box(i), &guard);
        black_box(q.pop_with(&guard));
    }
}

fn push_pop(c: &mut Criterion) {
    let mut group = c.benchmark_group("push_pop");
    group
        .throughput(Throughput::Elements(PAIRS))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let ours = Queue::new();
    group.bench_function("ms_queue_pin_per_op", |b| b.iter(|| pairs(&ours)));
    group.bench_function("ms_queue_guard_per_64", |b| {
        b.iter(|| pairs_one_guard(&ours))
    });
    let seg = SegQueue::new();
    group.bench_function("seg_queue", |b| b.iter(|| pairs(&seg)));
    let array = ArrayQueue::new(CAPACITY);
    group.bench_function("array_queue", |b| b.iter(|| pairs(&array)));
    let locked = Mutex::new(VecDeque::new());
    group.bench_function("mutex_vecdeque", |b| b.iter(|| pairs(&locked)));
    group.finish();
}

/// Sends `STREAM` items from a producer thread to a consumer thread.
fn stream(q: &impl BenchQueue) {
    thread::scope(|s| {
        s.spawn(|| {
            for i in 0..STREAM {
                q.push(i);
            }
        });
        let mut got = 0;
        while got < STREAM {
            match q.pop() {
                Some(value) => {
                    black_box(value);
                    got += 1;
                }
                None => thread::yield_now(),
            }
        }
    });
}

/// `stream` for our queue with one guard per `PAIRS` ops on both sides.
fn stream_batched(q: &Queue<u64>) {
    thread::scope(|s| {
        s.spawn(|| {
            let mut sent = 0;
            while sent < STREAM {
                let guard = epoch::pin();
                for i in sent..(sent + PAIRS).min(STREAM) {
                    q.push_with(i, &guard);
                }
                sent += PAIRS;
            }
        });
        let mut got = 0;
        while got < STREAM {
            let guard = epoch::pin();
            for _ in 0..PAIRS {
                match q.pop_with(&guard) {
                    Some(value) => {
                        black_box(value);
                        got += 1;
                    }
                    None => thread::yield_now(),
                }
            }
        }
    });
}

fn two_thread_stream(c: &mut Criterion) {
    let mut group = c.benchmark_group("stream");
    group
        .throughput(Throughput::Elements(STREAM))
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    let id = |name| BenchmarkId::new(name, STREAM);
    let ours = Queue::new();
    group.bench_function(id("ms_queue_pin_per_op"), |b| b.iter(|| stream(&ours)));
    group.bench_function(id("ms_queue_guard_per_64"), |b| {
        b.iter(|| stream_batched(&ours))
    });
    let seg = SegQueue::new();
    group.bench_function(id("seg_queue"), |b| b.iter(|| stream(&seg)));
    let array = ArrayQueue::new(CAPACITY);
    group.bench_function(id("array_queue"), |b| b.iter(|| stream(&array)));
    let locked = Mutex::new(VecDeque::new());
    group.bench_function(id("mutex_vecdeque"), |b| b.iter(|| stream(&locked)));
    group.finish();
}

criterion_group!(benches, push_pop, two_thread_stream);
criterion_main!(benches);
