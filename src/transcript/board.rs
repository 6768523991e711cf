//! The hand-over between the first scan's workers and the thread that applies their
//! batches in chunk order (`parallel.rs`).
//!
//! Chunks go to whichever worker asks next, but never more than `window` chunks past the
//! oldest batch not yet taken, so the batches waiting stay few whatever the file size. A
//! fixed split (worker `w` scanning chunks `w`, `w + n`, …, each with its own queue) made a
//! scan as slow as its slowest worker: on a machine shared with other work, a worker that
//! lost its core for a few milliseconds left the other one idle once its queue was full.
//!
//! One mutex guards the counters and the slots: workers wait on `room` for the window to
//! move, the applying thread on `posted` for the next batch. A worker counts itself in
//! before it starts ([`Board::join`]) and out when its [`Shift`] drops, however it ends
//! (done, failed, unwinding), so the applying thread never waits for a batch that no one
//! is left to post.
//!
//! Read next: `parallel.rs`.

use std::io;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::transcript::sink::Batch;

/// Where chunks are handed out and their batches wait to be applied.
pub struct Board {
    chunks: usize,
    window: usize,
    inner: Mutex<Inner>,
    posted: Condvar,
    room: Condvar,
}

struct Inner {
    /// The next chunk to hand out.
    next: usize,
    /// Batches taken by the applying thread (chunks `0..taken`).
    taken: usize,
    /// The batch of chunk `c` waits in slot `c % window`.
    slots: Vec<Option<io::Result<Batch>>>,
    /// Workers that may still post.
    workers: usize,
    stopped: bool,
}

/// A worker's membership: dropping it counts the worker out.
pub struct Shift<'b>(&'b Board);

impl Drop for Shift<'_> {
    fn drop(&mut self) {
        self.0.lock().workers -= 1;
        self.0.posted.notify_one();
    }
}

impl Board {
    /// A board for `chunks` chunks with at most `window` (≥ 1) handed out past the oldest
    /// batch not yet taken.
    pub fn new(chunks: usize, window: usize) -> Board {
        let window = window.max(1);
        let mut slots = Vec::with_capacity(window);
        slots.resize_with(window, || None);
        Board {
            chunks,
            window,
            inner: Mutex::new(Inner {
                next: 0,
                taken: 0,
                slots,
                workers: 0,
                stopped: false,
            }),
            posted: Condvar::new(),
            room: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a worker in, before it starts.
    pub fn join(&self) -> Shift<'_> {
        self.lock().workers += 1;
        Shift(self)
    }

    /// The next chunk to scan, once it is within the window; `None` when all are handed
    /// out or the scan stopped.
    pub fn claim(&self) -> Option<usize> {
        let mut inner = self.lock();
        loop {
            if inner.stopped || inner.next >= self.chunks {
                return None;
            }
            if inner.next < inner.taken + self.window {
                inner.next += 1;
                return Some(inner.next - 1);
            }
            inner = self
                .room
                .wait(inner)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Leaves the batch of a claimed chunk for the applying thread.
    pub fn post(&self, chunk: usize, batch: io::Result<Batch>) {
        self.lock().slots[chunk % self.window] = Some(batch);
        self.posted.notify_one();
    }

    /// The batch of `chunk`, the next one in order, once it is posted; `None` when no
    /// worker is left to post it.
    pub fn take(&self, chunk: usize) -> Option<io::Result<Batch>> {
        let mut inner = self.lock();
        loop {
            if let Some(batch) = inner.slots[chunk % self.window].take() {
                inner.taken = chunk + 1;
                drop(inner);
                self.room.notify_all();
                return Some(batch);
            }
            if inner.workers == 0 {
                return None;
            }
            inner = self
                .posted
                .wait(inner)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Hands out no more chunks (the applying thread is done or gave up).
    pub fn stop(&self) {
        self.lock().stopped = true;
        self.room.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(start: u64) -> io::Result<Batch> {
        let mut batch = Batch::default();
        batch.span = Some((start, start + 1));
        Ok(batch)
    }

    fn span(taken: Option<io::Result<Batch>>) -> Option<(u64, u64)> {
        taken.and_then(|b| b.ok()).and_then(|b| b.span)
    }

    #[test]
    fn chunks_are_handed_out_in_order_within_the_window() {
        let board = Board::new(5, 2);
        let shift = board.join();
        assert_eq!((board.claim(), board.claim()), (Some(0), Some(1)));
        // Chunk 2 would be 2 past the oldest untaken batch: posting 1 does not make room.
        board.post(1, batch(1));
        board.post(0, batch(0));
        assert_eq!(span(board.take(0)), Some((0, 1)));
        assert_eq!(board.claim(), Some(2));
        assert_eq!(span(board.take(1)), Some((1, 2)));
        assert_eq!(board.claim(), Some(3));
        board.post(2, batch(2));
        assert_eq!(span(board.take(2)), Some((2, 3)));
        board.stop();
        assert_eq!(board.claim(), None, "stopped");
        // Chunk 3 was claimed but never posted: once its worker is gone, nothing waits.
        drop(shift);
        assert!(board.take(3).is_none());
    }

    #[test]
    fn every_chunk_is_claimed_once_and_taken_in_order_by_many_workers() {
        let board = Board::new(500, 3);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                let shift = board.join();
                let board = &board;
                scope.spawn(move || {
                    let _shift = shift;
                    while let Some(chunk) = board.claim() {
                        board.post(chunk, batch(chunk as u64));
                    }
                });
            }
            for chunk in 0..500 {
                assert_eq!(
                    span(board.take(chunk)),
                    Some((chunk as u64, chunk as u64 + 1))
                );
            }
            board.stop();
        });
        assert_eq!(board.claim(), None);
    }
}
