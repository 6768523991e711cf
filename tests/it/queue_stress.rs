//! Stress tests of the Michael–Scott queue against simple models.
//!
//! - many producers and consumers: every value is popped exactly once, and each consumer
//!   sees each producer's values in the order they were pushed;
//! - one thread, random operations, compared step by step with a `VecDeque`;
//! - counted drops: every value pushed is dropped exactly once, popped or left behind.
//!
//! Op counts are scaled down in debug builds so `cargo test` stays quick on two cores;
//! `cargo test --release --test it queue_stress::` runs the full counts.
#![cfg(not(crossbeam_loom))]

use std::collections::VecDeque;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use std::thread;

use blinkline::testing::engine::queue::Queue;

const PRODUCERS: usize = 4;
const CONSUMERS: usize = 4;
/// Values pushed per producer: 4 × 500 000 pushes + as many pops = 4 M ops in release.
const PER_PRODUCER: u32 = if cfg!(debug_assertions) {
    100_000
} else {
    500_000
};
/// Values moved per pin by the producers and consumers that batch.
const BATCH: usize = 64;

/// Packs a producer id and its sequence number into one value.
fn encode(producer: usize, seq: u32) -> u64 {
    ((producer as u64) << 32) | u64::from(seq)
}

fn decode(value: u64) -> (usize, u32) {
    ((value >> 32) as usize, value as u32)
}

/// Pushes `0..PER_PRODUCER` tagged with `id`; odd producers pin once per `BATCH`.
fn produce(q: &Queue<u64>, id: usize) {
    if id.is_multiple_of(2) {
        for seq in 0..PER_PRODUCER {
            q.push(encode(id, seq));
        }
    } else {
        let mut seqs = 0..PER_PRODUCER;
        while !seqs.is_empty() {
            q.push_batch(seqs.by_ref().take(BATCH).map(|seq| encode(id, seq)));
        }
    }
}

/// Pops until `popped` reaches `total`, checking each producer's order; odd consumers pop in
/// batches. Returns what this consumer popped.
fn consume(q: &Queue<u64>, id: usize, popped: &AtomicUsize, total: usize) -> Vec<u64> {
    let mut mine = Vec::new();
    let mut next_seq = [0u32; PRODUCERS];
    let mut batch = Vec::with_capacity(BATCH);
    // Relaxed: the counter only says when to stop; the values themselves are checked after
    // the scope joins every thread.
    while popped.load(Relaxed) < total {
        batch.clear();
        let got = if id.is_multiple_of(2) {
            batch.extend(q.pop());
            batch.len()
        } else {
            q.pop_batch(BATCH, &mut batch)
        };
        if got == 0 {
            thread::yield_now();
            continue;
        }
        popped.fetch_add(got, Relaxed);
        for &value in &batch {
            let (producer, seq) = decode(value);
            assert!(
                seq >= next_seq[producer],
                "consumer {id}: producer {producer} gave {seq} after {}",
                next_seq[producer]
            );
            next_seq[producer] = seq + 1;
        }
        mine.extend_from_slice(&batch);
    }
    mine
}

#[test]
fn producers_and_consumers_see_every_value_once_in_producer_order() {
    let q = Queue::new();
    let total = PRODUCERS * PER_PRODUCER as usize;
    let popped = AtomicUsize::new(0);
    let per_consumer: Vec<Vec<u64>> = thread::scope(|s| {
        for id in 0..PRODUCERS {
            let q = &q;
            s.spawn(move || produce(q, id));
        }
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|id| {
                let (q, popped) = (&q, &popped);
                s.spawn(move || consume(q, id, popped, total))
            })
            .collect();
        consumers.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let mut seen = vec![false; total];
    for value in per_consumer.into_iter().flatten() {
        let (producer, seq) = decode(value);
        let slot = &mut seen[producer * PER_PRODUCER as usize + seq as usize];
        assert!(!*slot, "producer {producer} seq {seq} popped twice");
        *slot = true;
    }
    assert!(seen.iter().all(|&s| s), "some values were never popped");
    assert!(q.is_empty());
    assert_eq!(q.pop(), None);
}

/// xorshift64*: a deterministic generator, enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_single_thread_ops_match_vecdeque() {
    let steps = if cfg!(debug_assertions) {
        200_000
    } else {
        2_000_000
    };
    let q = Queue::new();
    let mut model = VecDeque::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut batch = Vec::new();
    for step in 0..steps {
        match rng.below(10) {
            // Pushes slightly outnumber pops so the queue grows and shrinks.
            0..=3 => {
                let value = rng.next();
                q.push(value);
                model.push_back(value);
            }
            4..=6 => assert_eq!(q.pop(), model.pop_front(), "step {step}: pop"),
            7 => {
                let n = rng.below(8) as usize;
                let values: Vec<u64> = (0..n).map(|_| rng.next()).collect();
                q.push_batch(values.iter().copied());
                model.extend(values);
            }
            8 => {
                let max = rng.below(8) as usize;
                batch.clear();
                let got = q.pop_batch(max, &mut batch);
                let expected: Vec<u64> = model.drain(..max.min(model.len())).collect();
                assert_eq!(got, expected.len(), "step {step}: pop_batch count");
                assert_eq!(batch, expected, "step {step}: pop_batch values");
            }
            _ => assert_eq!(q.is_empty(), model.is_empty(), "step {step}: is_empty"),
        }
    }
    while let Some(expected) = model.pop_front() {
        assert_eq!(q.pop(), Some(expected));
    }
    assert_eq!(q.pop(), None);
}

/// Counts its drops in the counter it points at.
struct Counted<'a>(&'a AtomicUsize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        // Relaxed: read after every thread has been joined.
        self.0.fetch_add(1, Relaxed);
    }
}

#[test]
fn every_value_is_dropped_exactly_once() {
    let per_thread = if cfg!(debug_assertions) {
        50_000
    } else {
        500_000
    };
    let drops = AtomicUsize::new(0);
    let q = Queue::new();
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..per_thread {
                    q.push(Counted(&drops));
                }
            });
        }
        // The consumers pop at most half, so values are left in the queue at the end.
        for _ in 0..2 {
            s.spawn(|| {
                let mut popped = 0;
                while popped < per_thread / 2 {
                    match q.pop() {
                        Some(value) => {
                            drop(value);
                            popped += 1;
                        }
                        None => thread::yield_now(),
                    }
                }
            });
        }
    });
    assert_eq!(drops.load(Relaxed), per_thread);
    drop(q);
    assert_eq!(drops.load(Relaxed), 2 * per_thread);
}
