//! The zero-allocation promise in watch mode: after warm-up, 10,000 frames through the
//! renderer, the dedup check, the frame ring and the writer thread allocate nothing, and
//! so does the watch loop itself (`Watcher::run`: signal flags, timing, the futex sleep)
//! in its steady state.
//!
//! One test in this file on purpose, run without libtest (`harness = false`): the counting
//! allocator is process-wide, and libtest's own thread allocates while a test runs.

#[cfg(unix)]
use blinkline::testing::cli::Cli;
use blinkline::testing::engine::alloc::CountingAllocator;
#[cfg(unix)]
use blinkline::testing::engine::alloc::allocation_counts;
#[cfg(unix)]
use blinkline::testing::input::env::Environment;
#[cfg(unix)]
use blinkline::testing::setup::{build_renderer, sample_payload};
#[cfg(unix)]
use blinkline::testing::watch::Watcher;
#[cfg(unix)]
use clap::Parser;
#[cfg(unix)]
use std::os::fd::AsRawFd;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[cfg(not(unix))]
fn main() {
    println!("watch_alloc: skipped: the watch loop writes to a file descriptor (Unix only)");
}

#[cfg(unix)]
fn main() {
    ten_thousand_watch_frames_allocate_nothing_after_warm_up();
    println!("watch_alloc: 10,000 watch frames allocate nothing after warm-up: ok");
    the_watch_loop_allocates_nothing_in_its_steady_state();
    println!("watch_alloc: the watch loop allocates nothing in its steady state: ok");
}

#[cfg(unix)]
fn the_watch_loop_allocates_nothing_in_its_steady_state() {
    use blinkline::testing::watch::Ending;
    use std::time::Duration;
    let cli = Cli::try_parse_from(["blinkline", "--format", "i3bar"]).unwrap();
    let env = Environment {
        home: Some("/home/user".into()),
        columns: Some(120),
        ..Environment::default()
    };
    let renderer = build_renderer(&cli.render, env).unwrap();
    let sink = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .unwrap();
    let mut watcher = Watcher::new(renderer, sink.as_raw_fd(), false).unwrap();
    // Warm-up through the loop itself: the first frame written directly, then a changed
    // frame through the ring and the writer thread (as when the clock ticks).
    let a = sample_payload(1_800_000_000);
    let b = a.replace("Opus 4.6", "Sonnet 4.5");
    watcher.set_payload(b.as_bytes());
    let ending = watcher.run(Duration::ZERO, Some(100));
    assert!(matches!(ending, Ending::FrameLimit), "warm-up ended early");
    watcher.set_payload(a.as_bytes());
    let ending = watcher.run(Duration::ZERO, Some(200));
    assert!(matches!(ending, Ending::FrameLimit), "warm-up ended early");
    let (before, _) = allocation_counts();
    let ending = watcher.run(Duration::ZERO, Some(10_200));
    let (after, _) = allocation_counts();
    assert!(matches!(ending, Ending::FrameLimit), "the loop ended early");
    assert_eq!(
        after - before,
        0,
        "allocations in 10,000 frames of the watch loop"
    );
    // A 1 ms interval: the loop also sleeps on its futex between frames.
    let (before, _) = allocation_counts();
    let ending = watcher.run(Duration::from_millis(1), Some(10_250));
    let (after, _) = allocation_counts();
    assert!(matches!(ending, Ending::FrameLimit), "the loop ended early");
    assert_eq!(
        after - before,
        0,
        "allocations in 50 paced frames of the watch loop"
    );
    watcher.finish(Duration::from_secs(5));
}

#[cfg(unix)]
fn ten_thousand_watch_frames_allocate_nothing_after_warm_up() {
    let cli = Cli::try_parse_from(["blinkline", "--format", "i3bar"]).unwrap();
    let env = Environment {
        home: Some("/home/user".into()),
        columns: Some(120),
        ..Environment::default()
    };
    let renderer = build_renderer(&cli.render, env).unwrap();
    let sink = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .unwrap();
    let mut watcher = Watcher::new(renderer, sink.as_raw_fd(), false).unwrap();
    // Two payloads in turn, so that every frame differs and goes through the ring.
    let a = sample_payload(1_800_000_000);
    let b = a.replace("Opus 4.6", "Sonnet 4.5");
    for i in 0..200 {
        watcher.set_payload(if i % 2 == 0 {
            a.as_bytes()
        } else {
            b.as_bytes()
        });
        watcher.frame();
    }
    let (before, _) = allocation_counts();
    for i in 0..10_000 {
        watcher.set_payload(if i % 2 == 0 {
            a.as_bytes()
        } else {
            b.as_bytes()
        });
        watcher.frame();
    }
    let (after, _) = allocation_counts();
    assert_eq!(after - before, 0, "allocations in 10,000 warm watch frames");
    assert_eq!(watcher.unchanged, 0, "every frame differed and was queued");
    watcher.finish(std::time::Duration::from_secs(5));
}
