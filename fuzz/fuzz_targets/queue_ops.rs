//! Fuzz target: byte-driven operation sequences on `blinkline::testing::engine::queue::Queue`.
//!
//! The first byte picks the mode:
//! - even: one thread applies the ops to the queue and to a `VecDeque` model and compares
//!   every result; values carry an `Rc` token, so a value dropped twice or never shows up in
//!   the token's count once both are gone;
//! - odd: the rest of the input is split between two threads that push and pop at once;
//!   afterwards what they popped plus what is left must be exactly what they pushed, and each
//!   thread must have seen each producer's values in push order.
#![no_main]

use std::collections::VecDeque;
use std::rc::Rc;
use std::thread;

use blinkline::testing::engine::queue::Queue;
use crossbeam_epoch as epoch;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, ops)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        single_thread(ops);
    } else {
        two_threads(ops);
    }
});

/// A value with a drop witness.
type Item = (u8, Rc<()>);

fn single_thread(ops: &[u8]) {
    let token = Rc::new(());
    {
        let q: Queue<Item> = Queue::new();
        let mut model: VecDeque<Item> = VecDeque::new();
        let mut bytes = ops.iter().copied();
        while let Some(op) = bytes.next() {
            let arg = bytes.next().unwrap_or(0);
            match op % 5 {
                0 => {
                    q.push((arg, Rc::clone(&token)));
                    model.push_back((arg, Rc::clone(&token)));
                }
                1 => assert_eq!(q.pop().map(|v| v.0), model.pop_front().map(|v| v.0)),
                2 => {
                    // Up to 15 pops under one guard.
                    let guard = epoch::pin();
                    for _ in 0..arg % 16 {
                        let got = q.pop_with(&guard).map(|v| v.0);
                        assert_eq!(got, model.pop_front().map(|v| v.0));
                    }
                }
                3 => {
                    let n = arg % 16;
                    q.push_batch((0..n).map(|i| (arg.wrapping_add(i), Rc::clone(&token))));
                    model.extend((0..n).map(|i| (arg.wrapping_add(i), Rc::clone(&token))));
                }
                _ => assert_eq!(q.is_empty(), model.is_empty()),
            }
        }
        assert_eq!(Rc::strong_count(&token), 1 + 2 * model.len());
    }
    assert_eq!(
        Rc::strong_count(&token),
        1,
        "a value was leaked or dropped twice"
    );
}

/// Packs a thread id and its sequence number into one value.
fn encode(thread: usize, seq: u32) -> u64 {
    ((thread as u64) << 32) | u64::from(seq)
}

fn decode(value: u64) -> (usize, u32) {
    ((value >> 32) as usize, value as u32)
}

/// One thread's share: even bytes push, odd bytes pop (`byte / 2` times, capped).
/// Returns how many it pushed and what it popped, checking each producer's order.
fn worker(q: &Queue<u64>, id: usize, ops: &[u8]) -> (u32, Vec<u64>) {
    let mut pushed = 0;
    let mut popped = Vec::new();
    let mut next_seq = [0u32; 2];
    for &op in ops {
        let count = u32::from(op / 2 % 8) + 1;
        if op % 2 == 0 {
            for _ in 0..count {
                q.push(encode(id, pushed));
                pushed += 1;
            }
        } else {
            let guard = epoch::pin();
            for _ in 0..count {
                let Some(value) = q.pop_with(&guard) else {
                    break;
                };
                let (producer, seq) = decode(value);
                assert!(
                    seq >= next_seq[producer],
                    "producer {producer} out of order"
                );
                next_seq[producer] = seq + 1;
                popped.push(value);
            }
        }
    }
    (pushed, popped)
}

fn two_threads(ops: &[u8]) {
    let q = Queue::new();
    let (left, right) = ops.split_at(ops.len() / 2);
    let results: Vec<(u32, Vec<u64>)> = thread::scope(|s| {
        let a = s.spawn(|| worker(&q, 0, left));
        let b = s.spawn(|| worker(&q, 1, right));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    let mut seen: Vec<Vec<bool>> = results
        .iter()
        .map(|(pushed, _)| vec![false; *pushed as usize])
        .collect();
    let rest: Vec<u64> = std::iter::from_fn(|| q.pop()).collect();
    for value in results
        .into_iter()
        .flat_map(|(_, popped)| popped)
        .chain(rest)
    {
        let (producer, seq) = decode(value);
        let slot = &mut seen[producer][seq as usize];
        assert!(!*slot, "value {producer}/{seq} popped twice");
        *slot = true;
    }
    assert!(seen.iter().flatten().all(|&s| s), "a value was lost");
}
