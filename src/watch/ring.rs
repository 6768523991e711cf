//! The frame ring between the render loop and the writer thread.
//!
//! A fixed set of [`RING`] frame buffers, allocated once, moves between two bounded
//! lock-free queues: `free` (buffers nobody uses) and `ready` (frames waiting to be
//! written, oldest first). The render loop never blocks: when no buffer is free, it takes
//! the oldest ready frame back (that frame is dropped as stale) and reuses it. The writer
//! ([`FrameRing::serve`]) takes every ready frame, keeps only the newest, and returns the
//! others. So a consumer that stops reading stalls only the writer; the newest frame is
//! always the one written next, and nothing is allocated after start-up.
//!
//! Wake-ups: the render loop bumps `seq` after each publish (Release) and wakes the writer,
//! which reads it (Acquire) before it looks at the queue, then sleeps on it (futex) only if
//! it has not moved. Counters are Relaxed: they are statistics.
//!
//! # Loom
//! The atomics, the futex word and the queues come from `engine::sync`, which swaps them
//! for loom-checked twins under `--cfg crossbeam_loom`. `tests/loom_ring.rs` checks the
//! protocol: whole frames only, never one older than a frame already written, the last
//! frame written once the producer stops, publish never blocking on a stalled writer, and
//! no lost wake-up.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::engine::frame::FrameBuffer;
use crate::engine::sync::{AtomicBool, AtomicU64, BoundedQueue, WaitWord};

/// Frame buffers in the ring (at least three: see `take_buffer`).
pub const RING: usize = 4;

/// Buffers and the two queues they move between.
pub struct FrameRing {
    free: BoundedQueue<FrameBuffer>,
    ready: BoundedQueue<FrameBuffer>,
    seq: WaitWord,
    closed: AtomicBool,
    pub published: AtomicU64,
    pub dropped: AtomicU64,
}

impl Default for FrameRing {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameRing {
    pub fn new() -> Self {
        let free = BoundedQueue::new(RING);
        for _ in 0..RING {
            let _ = free.push(FrameBuffer::new());
        }
        FrameRing {
            free,
            ready: BoundedQueue::new(RING),
            seq: WaitWord::new(0),
            closed: AtomicBool::new(false),
            published: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    /// Queues a copy of `frame` for the writer, dropping the oldest waiting frame when no
    /// buffer is free. Never blocks. Returns false only if the writer holds every buffer,
    /// which [`RING`] (at least three, see `take_buffer`) rules out.
    pub fn publish(&self, frame: &[u8]) -> bool {
        let Some(mut buf) = self.take_buffer() else {
            return false;
        };
        buf.clear();
        buf.push_bytes(frame);
        if let Err(buf) = self.ready.push(buf) {
            let _ = self.free.push(buf);
            return false;
        }
        self.published.fetch_add(1, Relaxed);
        // Release: pairs with the Acquire in `seq` (read by `serve` before it looks).
        self.seq.fetch_add(1, Release);
        self.seq.wake_one();
        true
    }

    /// A buffer to fill: a free one, else the oldest waiting frame's (dropped as stale).
    ///
    /// The writer holds at most two buffers (the newest frame and, inside `take_newest`,
    /// the one it just popped) and the publisher none while it looks, so with three or
    /// more one is always in a queue, but it can move between the two looks: `free` is
    /// empty, then the writer drains `ready` into `free` before we look at `ready` (a
    /// frame lost; the loom model `a_writer_that_stops_reading_never_blocks_the_producer`
    /// found it). So we look twice: only the publisher fills `ready`, so once the writer
    /// has drained it, `ready` stays empty and the second look finds a buffer in `free`.
    fn take_buffer(&self) -> Option<FrameBuffer> {
        for _ in 0..2 {
            if let Some(buf) = self.free.pop() {
                return Some(buf);
            }
            if let Some(stale) = self.ready.pop() {
                self.dropped.fetch_add(1, Relaxed);
                return Some(stale);
            }
        }
        None
    }

    /// The current publish count, read before looking for frames (Acquire: pairs with the
    /// Release in `publish`).
    pub fn seq(&self) -> u32 {
        self.seq.load(Acquire)
    }

    /// Takes the newest ready frame, returning older ones to the free list (stale).
    pub fn take_newest(&self) -> Option<FrameBuffer> {
        let mut newest = None;
        while let Some(buf) = self.ready.pop() {
            if let Some(old) = newest.replace(buf) {
                self.dropped.fetch_add(1, Relaxed);
                let _ = self.free.push(old);
            }
        }
        newest
    }

    /// Gives a written buffer back.
    pub fn recycle(&self, buf: FrameBuffer) {
        let _ = self.free.push(buf);
    }

    /// Sleeps until a frame is published after `seen` was read, or the ring is closed.
    pub fn wait(&self, seen: u32) {
        if !self.is_closed() {
            self.seq.wait(seen);
        }
    }

    /// Tells the writer to finish after the frames already queued.
    pub fn close(&self) {
        self.closed.store(true, Release);
        // Release + bump: a writer asleep in `wait` wakes and sees `closed` (Acquire).
        self.seq.fetch_add(1, Release);
        self.seq.wake_all();
    }

    pub fn is_closed(&self) -> bool {
        // Acquire: pairs with the Release store in `close`.
        self.closed.load(Acquire)
    }

    /// The writer's loop: hands the newest ready frame to `write`, sleeping while there is
    /// none, until the ring is closed and drained or `write` fails (its error is returned).
    pub fn serve<E>(&self, mut write: impl FnMut(&FrameBuffer) -> Result<(), E>) -> Result<(), E> {
        loop {
            // Both read before looking at the queue. `seq`: a frame published after this
            // read moves it, so the `wait` below returns at once instead of sleeping past
            // the frame. `closed`: every frame published before `close` is then in the
            // queue when we look, so the last frame is written before the loop ends
            // (checked after the look, a frame published between the look and `close`
            // was lost: the loom model `close_wakes_a_sleeping_writer_after_the_last_frame`
            // found it).
            let seen = self.seq();
            let closed = self.is_closed();
            if let Some(buf) = self.take_newest() {
                let result = write(&buf);
                self.recycle(buf);
                result?;
                continue;
            }
            if closed {
                return Ok(());
            }
            self.wait(seen);
        }
    }
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_slow_writer_gets_the_newest_frame_and_the_rest_are_dropped() {
        let ring = FrameRing::new();
        for i in 0..10u8 {
            assert!(ring.publish(&[i]));
        }
        let newest = ring.take_newest().unwrap();
        assert_eq!(newest.as_bytes(), [9]);
        assert_eq!(ring.dropped.load(Relaxed), 9);
        assert!(ring.take_newest().is_none());
        ring.recycle(newest);
    }

    #[test]
    fn publishing_never_blocks_while_the_writer_holds_a_buffer() {
        let ring = FrameRing::new();
        ring.publish(b"a");
        let held = ring.take_newest().unwrap();
        for _ in 0..100 {
            assert!(ring.publish(b"b"));
        }
        assert_eq!(ring.take_newest().unwrap().as_bytes(), b"b");
        ring.recycle(held);
    }

    #[test]
    fn serve_writes_the_newest_frame_and_ends_once_closed_and_drained() {
        let ring = FrameRing::new();
        for frame in [b"a", b"b", b"c"] {
            assert!(ring.publish(frame));
        }
        ring.close();
        let mut written = Vec::new();
        let result: Result<(), ()> = ring.serve(|buf| {
            written.push(buf.as_bytes().to_vec());
            Ok(())
        });
        assert_eq!(result, Ok(()));
        assert_eq!(written, [b"c".to_vec()]);
        assert_eq!(ring.dropped.load(Relaxed), 2);
    }

    #[test]
    fn serve_stops_at_the_first_failed_write_and_returns_its_error() {
        let ring = FrameRing::new();
        ring.publish(b"a");
        let mut calls = 0;
        let result = ring.serve(|_| {
            calls += 1;
            Err("closed pipe")
        });
        assert_eq!((result, calls), (Err("closed pipe"), 1));
    }

    #[test]
    fn a_closed_ring_does_not_put_the_writer_to_sleep() {
        let ring = FrameRing::new();
        let seen = ring.seq();
        ring.close();
        ring.wait(seen);
        assert!(ring.is_closed());
    }
}
