//! Loom models of the watch frame ring (`blinkline::testing::watch::ring`).
//!
//! Each model runs the interleavings of the render loop (`publish`, `close`) against the
//! writer thread, which runs the production loop itself ([`FrameRing::serve`]: read `seq`,
//! take the newest frame, write, recycle, sleep on the futex word). Under loom the ring's
//! futex word sleeps on loom's condvar, so a lost wake-up leaves the writer asleep with
//! nobody left to wake it, and loom fails the model as a deadlock. A frame is `N` repeated
//! [`FRAME_LEN`] times, so a torn or mixed frame shows as bytes that differ.
//!
//! The search is bounded by [`PREEMPTIONS`] preemptions per thread (override with
//! `LOOM_MAX_PREEMPTIONS`), as in `loom_queue.rs`.
//!
//! Run: `RUSTFLAGS="--cfg crossbeam_loom" cargo test --release --test loom_ring`
//! (use a separate target directory: the cfg rebuilds every crate).
#![cfg(crossbeam_loom)]

use blinkline::testing::engine::frame::FrameBuffer;
use blinkline::testing::watch::ring::{FrameRing, RING};
use loom::sync::Arc;
use loom::sync::atomic::Ordering::Relaxed;
use loom::thread;

/// Default preemption bound of the models (see the module doc).
const PREEMPTIONS: usize = 3;

/// Bytes of a model frame.
const FRAME_LEN: usize = 3;

fn check(model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(PREEMPTIONS);
    builder.check(model);
}

fn frame(n: u8) -> [u8; FRAME_LEN] {
    [n; FRAME_LEN]
}

/// The frame number of `buf`, asserting it is a whole frame.
fn frame_number(buf: &FrameBuffer) -> u8 {
    let bytes = buf.as_bytes();
    assert_eq!(
        bytes.len(),
        FRAME_LEN,
        "a frame of the wrong length: {bytes:?}"
    );
    assert!(
        bytes.iter().all(|&b| b == bytes[0]),
        "a torn frame: {bytes:?}"
    );
    bytes[0]
}

/// Starts a writer running `serve` until the ring closes or it has written `until`;
/// returns the frame numbers it wrote, in order.
fn spawn_writer(ring: &Arc<FrameRing>, until: Option<u8>) -> thread::JoinHandle<Vec<u8>> {
    let ring = Arc::clone(ring);
    thread::spawn(move || {
        let mut written = Vec::new();
        let _ = ring.serve(|buf| {
            let n = frame_number(buf);
            written.push(n);
            if Some(n) == until { Err(()) } else { Ok(()) }
        });
        written
    })
}

fn assert_strictly_newer(written: &[u8]) {
    assert!(
        written.windows(2).all(|w| w[0] < w[1]),
        "a frame older than one already written: {written:?}"
    );
}

#[test]
fn the_writer_gets_whole_frames_newest_last_and_never_an_older_one() {
    check(|| {
        let ring = Arc::new(FrameRing::new());
        let writer = spawn_writer(&ring, None);
        for n in 1..=3 {
            assert!(ring.publish(&frame(n)), "publish {n} failed");
        }
        ring.close();
        let written = writer.join().unwrap();
        assert_strictly_newer(&written);
        assert_eq!(
            written.last(),
            Some(&3),
            "the last frame was lost: {written:?}"
        );
        let dropped = ring.dropped.load(Relaxed);
        assert_eq!(
            written.len() as u64 + dropped,
            3,
            "every frame written or dropped"
        );
    });
}

#[test]
fn a_writer_that_stops_reading_never_blocks_the_producer() {
    check(|| {
        let ring = Arc::new(FrameRing::new());
        let stalled = {
            let ring = Arc::clone(&ring);
            // Takes at most one frame and holds its buffer: a consumer that stopped reading.
            thread::spawn(move || ring.take_newest().map(|buf| (frame_number(&buf), buf)))
        };
        let frames = RING as u8 + 2;
        for n in 1..=frames {
            assert!(ring.publish(&frame(n)), "publish {n} failed");
        }
        let held = stalled.join().unwrap();
        let waiting = ring.take_newest().map(|buf| (frame_number(&buf), buf));
        // The newest frame is the one the stalled writer took, or the one waiting for it.
        let newest = match (&held, &waiting) {
            (_, Some((n, _))) => *n,
            (Some((n, _)), None) => *n,
            (None, None) => panic!("every frame was lost"),
        };
        assert_eq!(newest, frames, "the newest frame overwrote the rest");
        let taken = u64::from(held.is_some()) + u64::from(waiting.is_some());
        assert_eq!(ring.dropped.load(Relaxed) + taken, u64::from(frames));
        assert_eq!(ring.published.load(Relaxed), u64::from(frames));
        for (_, buf) in held.into_iter().chain(waiting) {
            ring.recycle(buf);
        }
    });
}

#[test]
fn a_sleeping_writer_is_woken_by_every_publish() {
    check(|| {
        let ring = Arc::new(FrameRing::new());
        // No close: only the wake-ups of `publish` can get the writer to frame 2.
        let writer = spawn_writer(&ring, Some(2));
        assert!(ring.publish(&frame(1)));
        assert!(ring.publish(&frame(2)));
        let written = writer.join().unwrap();
        assert_strictly_newer(&written);
        assert_eq!(written.last(), Some(&2));
    });
}

#[test]
fn close_wakes_a_sleeping_writer_after_the_last_frame() {
    check(|| {
        let ring = Arc::new(FrameRing::new());
        let writer = spawn_writer(&ring, None);
        assert!(ring.publish(&frame(1)));
        ring.close();
        assert_eq!(writer.join().unwrap(), [1]);
        assert!(ring.take_newest().is_none());
    });
}

#[test]
fn close_with_nothing_published_ends_the_writer() {
    check(|| {
        let ring = Arc::new(FrameRing::new());
        let writer = spawn_writer(&ring, None);
        ring.close();
        assert!(writer.join().unwrap().is_empty());
    });
}
