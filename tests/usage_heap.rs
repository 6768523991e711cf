//! The usage index's memory does not grow with the size of the transcripts it reads,
//! beyond its table of calls (40 bytes a call, the least exact deduplication across files
//! allows): a cold refresh over four copies of a session may peak at most 48 bytes a call
//! above one over a single copy. Read buffers, the call table's record (streamed into its
//! file) and the index's record are all bounded or small.
//!
//! Run without libtest (`harness = false`) because the counting allocator is
//! process-wide: libtest's own thread would add its allocations to the peak. The peak is
//! of the bytes live (`PeakAllocator`), not the process's RSS; at 1 GB (`scripts/
//! usage-fixture.py --copies 21`) the release binary's peak RSS is in BENCHMARKS.md.

use blinkline::testing::cache::Cache;
use blinkline::testing::engine::alloc::{PeakAllocator, heap_bytes, reset_peak};
use blinkline::testing::input::env::Environment;
use blinkline::testing::tempdir::TempDir;
use blinkline::testing::usage::{Lock, refresh};
use std::fmt::Write as _;

#[global_allocator]
static ALLOCATOR: PeakAllocator = PeakAllocator;

/// Calls in one copy of the session; each is written as two lines (a partial one with
/// fewer output tokens, then the final one), with a prompt line between calls.
const CALLS: usize = 6_000;

/// One copy of the session: its own message and request ids, the same times as the others.
fn session(copy: usize) -> String {
    let mut text = String::new();
    for call in 0..CALLS {
        let (min, sec) = (call / 3 % 60, call % 3 * 20);
        let hour = call / 180;
        let (day, hour) = (20 + hour / 24, hour % 24);
        let ts = format!("2026-11-{day:02}T{hour:02}:{min:02}:{sec:02}.000Z");
        let _ = writeln!(
            text,
            r#"{{"type":"user","timestamp":"{ts}","message":{{"role":"user","content":"{}"}}}}"#,
            "a prompt of some length ".repeat(8)
        );
        for output in [1, 100 + call % 50] {
            let _ = writeln!(
                text,
                r#"{{"type":"assistant","timestamp":"{ts}","requestId":"req_{copy:02}_{call}","message":{{"id":"msg_{copy:02}_{call}","model":"claude-opus-4-6","usage":{{"input_tokens":4,"output_tokens":{output},"cache_creation_input_tokens":1200,"cache_read_input_tokens":50000}}}}}}"#
            );
        }
    }
    text
}

/// The peak heap bytes of a cold refresh over `copies` copies of the session.
fn cold_refresh_peak(copies: usize) -> u64 {
    let dir = TempDir::new("usage-heap").unwrap();
    let project = dir.path().join("claude/projects/-home-u-big");
    std::fs::create_dir_all(&project).unwrap();
    for copy in 0..copies {
        std::fs::write(project.join(format!("s{copy:02}.jsonl")), session(copy)).unwrap();
    }
    let env = Environment {
        home: Some(dir.path().display().to_string()),
        xdg_cache_home: Some(dir.path().join("cache").display().to_string()),
        claude_config_dir: Some(dir.path().join("claude").display().to_string()),
        ..Environment::default()
    };
    let cache = Cache::open(&env).unwrap();
    let (before, _) = heap_bytes();
    reset_peak();
    let (index, updated) = refresh(Some(&cache), &env, Lock::Wait).unwrap().unwrap();
    let (_, peak) = heap_bytes();
    let calls: u64 = index.buckets.values().map(|s| s.calls).sum();
    assert_eq!((updated.scanned, calls), (copies, (copies * CALLS) as u64));
    drop(index);
    peak - before
}

fn main() {
    let one = cold_refresh_peak(1);
    let four = cold_refresh_peak(4);
    let per_call = (four.saturating_sub(one)) as f64 / (3 * CALLS) as f64;
    println!(
        "usage_heap: cold refresh peak {one} B over 1 copy, {four} B over 4 copies: {per_call:.1} B per added call (max 48)"
    );
    assert!(
        per_call <= 48.0,
        "the usage refresh's peak heap grows by {per_call:.1} B per call (1 copy: {one} B, 4 copies: {four} B)"
    );
}
