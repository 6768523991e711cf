//! The frame ring between the render loop and the writer thread.
//!
//! A fixed set of [`RING`] frame buffers, allocated once, moves between two bounded
//! lock-free queues: `free` (buffers nobody uses) and `ready` (frames waiting to be
//! written, oldest first). The render loop never blocks: when no buffer is free, it takes
//! the oldest ready frame back (that frame is dropped as stale) and reuses it. The writer
//! takes every ready frame, keeps only the newest, and returns the others. So a consumer
//! that stops reading stalls only the writer; the newest frame is always the one written
//! next, and nothing is allocated after start-up.
//!
//! Wake-ups: the render loop bumps `seq` after each publish (Release) and wakes the writer,
//! which reads it (Acquire) before it looks at the queue, then sleeps on it (futex) only if
//! it has not moved. Counters are Relaxed: they are statistics.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};

use crossbeam_queue::ArrayQueue;

use crate::engine::frame::FrameBuffer;

/// Frame buffers in the ring.
pub const RING: usize = 4;

/// Buffers and the two queues they move between.
pub struct FrameRing {
    free: ArrayQueue<FrameBuffer>,
    ready: ArrayQueue<FrameBuffer>,
    seq: AtomicU32,
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
        let free = ArrayQueue::new(RING);
        for _ in 0..RING {
            let _ = free.push(FrameBuffer::new());
        }
        FrameRing {
            free,
            ready: ArrayQueue::new(RING),
            seq: AtomicU32::new(0),
            closed: AtomicBool::new(false),
            published: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    /// Queues a copy of `frame` for the writer, dropping the oldest waiting frame when no
    /// buffer is free. Never blocks. Returns false only if the writer holds every buffer.
    pub fn publish(&self, frame: &[u8]) -> bool {
        let mut buf = match self.free.pop() {
            Some(buf) => buf,
            None => match self.ready.pop() {
                Some(stale) => {
                    self.dropped.fetch_add(1, Relaxed);
                    stale
                }
                None => return false,
            },
        };
        buf.clear();
        buf.push_bytes(frame);
        if let Err(buf) = self.ready.push(buf) {
            let _ = self.free.push(buf);
            return false;
        }
        self.published.fetch_add(1, Relaxed);
        // Release: pairs with the Acquire in `take_newest`'s caller (`wait_seq`).
        self.seq.fetch_add(1, Release);
        atomic_wait::wake_one(&self.seq);
        true
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
            atomic_wait::wait(&self.seq, seen);
        }
    }

    /// Tells the writer to finish after the frames already queued.
    pub fn close(&self) {
        self.closed.store(true, Release);
        // Release + bump: a writer asleep in `wait` wakes and sees `closed` (Acquire).
        self.seq.fetch_add(1, Release);
        atomic_wait::wake_all(&self.seq);
    }

    pub fn is_closed(&self) -> bool {
        // Acquire: pairs with the Release store in `close`.
        self.closed.load(Acquire)
    }
}

#[cfg(test)]
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
    fn a_closed_ring_does_not_put_the_writer_to_sleep() {
        let ring = FrameRing::new();
        let seen = ring.seq();
        ring.close();
        ring.wait(seen);
        assert!(ring.is_closed());
    }
}
