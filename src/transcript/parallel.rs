//! The first scan of a long transcript on every allowed core, with the same result as the
//! sequential scan (`file.rs`), field for field.
//!
//! The bytes to scan are cut into chunks of [`Plan::chunk`] bytes. Chunk `i` owns the
//! lines that *start* in it: its worker finds its first line just after the first `\n` at
//! or past the chunk's start − 1, then reads (`pread` into its own reused buffer) and parses
//! every complete line that starts before the chunk's end, however far past the end that
//! line runs. The lines of consecutive chunks therefore chain exactly: each chunk's first
//! line starts where the previous chunk's last line ended. A worker records what its lines
//! contribute in a compact [`Batch`] (`sink.rs`: order-free sums, plus usage rows and user
//! times in file order).
//!
//! A worker that is free takes the next chunk (`board.rs`), at most [`IN_FLIGHT`] chunks per
//! worker past the oldest batch not yet applied, so memory stays flat whatever the file
//! size, and a worker that loses its core for a while delays only its own chunk. The main
//! thread sleeps until the next batch in chunk order is posted and applies the batches
//! strictly in that order: deduplication by call, model slots, 5-hour blocks and the
//! recent-call ring all see the rows in file order, as in one sequential pass. If a batch
//! does not start where the state ends (the file changed under the scan), the rest is
//! scanned sequentially.
//!
//! Two chunks in flight per worker: four balanced no better on two cores and raised the
//! peak RSS (figures in BENCHMARKS.md, "Transcripts").
//!
//! Threads are scoped (`std::thread::scope`): the engine's pool runs `'static` widget jobs
//! and parks between frames, while this scan borrows the file for a few milliseconds once.
//!
//! Read next: `sink.rs` (batches), `file.rs` (the sequential scan it must equal).

use std::fs::File;
use std::io;

use memchr::memchr;

use crate::transcript::board::Board;
use crate::transcript::file::{self, Advance, CHUNK};
use crate::transcript::scan;
use crate::transcript::sink::Batch;
use crate::transcript::state::State;

/// Chunks per worker that may be handed out past the oldest batch not yet applied.
pub const IN_FLIGHT: usize = 2;
/// The default chunk: ~48 chunks for a 50 MB transcript, so the last chunk's imbalance
/// between two workers is under a millisecond and batches stay a few KiB.
const DEFAULT_CHUNK: u64 = 1 << 20;
/// The first read looking for a chunk's first line (most lines are shorter).
const PROBE: usize = 16 << 10;
/// More threads than this only add hand-offs: reading the file is then the limit.
const MAX_THREADS: usize = 16;

/// How a backlog is scanned: threads, chunk size, and the smallest backlog worth threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub threads: usize,
    pub chunk: u64,
    /// Backlogs smaller than this are scanned sequentially.
    pub min_bytes: u64,
}

impl Plan {
    /// One thread, whatever the backlog (renders: they read at most `INLINE_LIMIT`).
    pub fn sequential() -> Plan {
        Plan {
            threads: 1,
            chunk: DEFAULT_CHUNK,
            min_bytes: u64::MAX,
        }
    }

    /// One worker per allowed core for backlogs over `INLINE_LIMIT` (the refresher).
    pub fn for_this_machine() -> Plan {
        let threads = crate::engine::pool::allowed_cpus().len().min(MAX_THREADS);
        if threads < 2 {
            return Plan::sequential();
        }
        Plan {
            threads,
            chunk: DEFAULT_CHUNK,
            min_bytes: crate::transcript::INLINE_LIMIT,
        }
    }

    /// Whether a backlog of `bytes` goes to the workers.
    pub fn takes(&self, bytes: u64) -> bool {
        self.threads >= 1 && bytes >= self.min_bytes
    }
}

/// Consumes the complete lines between `state.offset` and `end` on `plan.threads` workers,
/// starting no line at or past `stop`; the same contract as [`file::advance`].
pub fn advance(
    file: &File,
    state: &mut State,
    buf: &mut Vec<u8>,
    (end, stop): (u64, u64),
    plan: &Plan,
) -> io::Result<Advance> {
    if state.offset > 0 && file::tail_hash(file, state.offset) != Some(state.tail_hash) {
        return Ok(Advance::Rewritten);
    }
    let range = Range {
        from: state.offset,
        to: end.min(stop),
        end,
        chunk: plan.chunk.max(1),
    };
    let chained = range.to <= range.from || run(file, state, range, plan.threads)?;
    state.tail_hash = file::tail_hash(file, state.offset).unwrap_or(0);
    if !chained {
        return file::advance(file, state, buf, end, stop);
    }
    Ok(if state.offset >= stop && state.offset < end {
        Advance::Paused
    } else {
        Advance::Finished
    })
}

/// The bytes to scan: lines starting in `from..to`, reading nothing at or past `end`.
#[derive(Clone, Copy)]
struct Range {
    from: u64,
    to: u64,
    end: u64,
    chunk: u64,
}

impl Range {
    fn chunks(&self) -> usize {
        (self.to - self.from).div_ceil(self.chunk) as usize
    }

    /// The nominal bytes of chunk `i`.
    fn chunk_bounds(&self, i: usize) -> (u64, u64) {
        let lo = self.from + i as u64 * self.chunk;
        (lo, (lo + self.chunk).min(self.to))
    }
}

/// Starts the workers and applies their batches in chunk order; false when the batches
/// stopped chaining (or no thread could start) before the range was done.
fn run(file: &File, state: &mut State, range: Range, threads: usize) -> io::Result<bool> {
    let workers = threads.clamp(1, range.chunks());
    let board = Board::new(range.chunks(), IN_FLIGHT * workers);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let shift = board.join();
            let board = &board;
            let started = std::thread::Builder::new()
                .name("transcript-scan".into())
                .spawn_scoped(scope, move || {
                    let _shift = shift;
                    worker(file, board, range);
                });
            if started.is_err() {
                // The workers already running take every chunk.
                break;
            }
        }
        let applied = apply_in_order(state, |i| board.take(i), range.chunks());
        // Workers waiting for room see the stop and end.
        board.stop();
        applied
    })
}

/// The main thread's side: `take(i)` waits for the batch of chunk `i` (`None`: no worker
/// is left to scan it).
fn apply_in_order(
    state: &mut State,
    mut take: impl FnMut(usize) -> Option<io::Result<Batch>>,
    chunks: usize,
) -> io::Result<bool> {
    for i in 0..chunks {
        let Some(batch) = take(i) else {
            return Ok(false);
        };
        let batch = batch?;
        let Some((start, stop)) = batch.span else {
            continue; // no line starts in this chunk
        };
        if start != state.offset {
            return Ok(false);
        }
        batch.apply_to(state);
        state.offset = stop;
    }
    Ok(true)
}

/// A worker: scans the chunks the board hands it and posts each batch.
fn worker(file: &File, board: &Board, range: Range) {
    let mut buf = Vec::with_capacity(CHUNK);
    while let Some(i) = board.claim() {
        let batch = scan_chunk(file, &mut buf, range.chunk_bounds(i), range);
        let failed = batch.is_err();
        board.post(i, batch);
        if failed {
            return;
        }
        if buf.capacity() > 2 * CHUNK {
            buf = Vec::with_capacity(CHUNK);
        }
    }
}

/// The complete lines that start in `lo..hi`, read as the sequential scan reads them: from
/// each line's start, [`CHUNK`] bytes at a time, long lines through [`file::long_line`].
fn scan_chunk(
    file: &File,
    buf: &mut Vec<u8>,
    (lo, hi): (u64, u64),
    range: Range,
) -> io::Result<Batch> {
    let mut batch = Batch::default();
    let first = if lo == range.from {
        Some(lo)
    } else {
        first_line_start(file, buf, (lo, hi), range.end)?
    };
    let Some(first) = first else {
        return Ok(batch);
    };
    let mut pos = first;
    while pos < hi {
        let want = ((range.end - pos) as usize).min(CHUNK);
        let n = file::fill(file, buf, want, pos)?;
        let used = scan::scan_until(&mut batch, &buf[..n], (hi - pos) as usize);
        if used > 0 {
            pos += used as u64;
            continue;
        }
        if n == 0 || pos + n as u64 >= range.end {
            break; // an incomplete last line: left for the next scan
        }
        match file::long_line(file, &mut batch, buf, (pos, n), range.end)? {
            Some(next) => pos = next,
            None => break,
        }
    }
    batch.span = Some((first, pos));
    Ok(batch)
}

/// Where the first line starting in `lo..hi` starts (`lo > 0`): just after the first
/// `\n` at or past `lo - 1`. `None` when a line that started earlier runs through `hi`.
fn first_line_start(
    file: &File,
    buf: &mut Vec<u8>,
    (lo, hi): (u64, u64),
    end: u64,
) -> io::Result<Option<u64>> {
    let mut at = lo - 1;
    let mut want = PROBE;
    while at + 1 < hi && at < end {
        let n = file::fill(file, buf, ((end - at) as usize).min(want), at)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr(b'\n', &buf[..n]) {
            let start = at + i as u64 + 1;
            return Ok((start < hi).then_some(start));
        }
        at += n as u64;
        want = (want * 2).min(CHUNK);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::testing::{TempTranscript, TranscriptBuilder};

    fn plan(threads: usize, chunk: u64) -> Plan {
        Plan {
            threads,
            chunk,
            min_bytes: 0,
        }
    }

    fn sample(tag: &str) -> TempTranscript {
        TranscriptBuilder::new()
            .prompt(600)
            .call("m1", "claude-opus-4-6", (3, 40, 900, 20), 3, 590)
            .raw("\n\r\n{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tok\n")
            .tool_result(580)
            .sidechain_call("s1", (1, 2, 3, 4), 570)
            .call("m2", "claude-sonnet-4-5", (5, 6, 7, 8), 2, 560)
            .compact(550)
            .call("m3", "claude-opus-4-6", (9, 9, 9, 9), 1, 540)
            .raw("{\"type\":\"user\",\"message\":{\"content\":\"no end yet")
            .write(&format!("parallel-{tag}"))
    }

    fn sequential(path: &std::path::Path) -> State {
        crate::transcript::scan_file_with(path.to_str().unwrap(), &Plan::sequential()).unwrap()
    }

    #[test]
    fn every_chunk_size_and_thread_count_gives_the_sequential_state() {
        let path = sample("sizes");
        let want = sequential(&path);
        assert_eq!((want.calls, want.bad_lines, want.compactions), (4, 1, 1));
        for threads in 1..=3 {
            for chunk in (1..=40).chain([97, 512, 4096, 1 << 20]) {
                let got = crate::transcript::scan_file_with(
                    path.to_str().unwrap(),
                    &plan(threads, chunk),
                )
                .unwrap();
                assert_eq!(got, want, "{threads} threads, chunks of {chunk} bytes");
            }
        }
    }

    #[test]
    fn pausing_at_checkpoints_and_resuming_gives_the_sequential_state() {
        let path = sample("pauses");
        let want = sequential(&path);
        let file = file::open(path.to_str().unwrap()).unwrap();
        let end = file.metadata().unwrap().len();
        let (mut state, mut buf) = (State::default(), Vec::new());
        let mut pauses = 0;
        loop {
            let stop = state.offset + 300;
            match advance(&file, &mut state, &mut buf, (end, stop), &plan(2, 64)).unwrap() {
                Advance::Paused => pauses += 1,
                Advance::Finished => break,
                Advance::Rewritten => panic!("the file did not change"),
            }
        }
        assert!(pauses > 3);
        state.file = want.file;
        assert_eq!(state, want);
    }

    #[test]
    fn a_batch_that_does_not_chain_hands_the_rest_to_the_sequential_scan() {
        let path = sample("chain");
        let want = sequential(&path);
        let file = file::open(path.to_str().unwrap()).unwrap();
        let end = file.metadata().unwrap().len();
        let range = Range {
            from: 0,
            to: end,
            end,
            chunk: 100,
        };
        let mut state = State::default();
        let mut buf = Vec::new();
        let mut batches: Vec<_> = (0..range.chunks())
            .map(|i| Some(scan_chunk(&file, &mut buf, range.chunk_bounds(i), range)))
            .collect();
        // As if the bytes had moved under the scan.
        let mut moved = Batch::default();
        moved.span = Some((1, 2));
        batches[2] = Some(Ok(moved));
        let take = |i: usize| batches[i].take();
        assert!(!apply_in_order(&mut state, take, range.chunks()).unwrap());
        assert!(state.offset > 0 && state.offset < end);
        state.tail_hash = file::tail_hash(&file, state.offset).unwrap();
        file::advance(&file, &mut state, &mut buf, end, u64::MAX).unwrap();
        state.file = want.file;
        assert_eq!(state, want);
    }

    #[test]
    fn a_rewritten_prefix_is_reported_before_any_thread_starts() {
        let path = sample("rewritten");
        let file = file::open(path.to_str().unwrap()).unwrap();
        let end = file.metadata().unwrap().len();
        let mut state = sequential(&path);
        state.offset = 100;
        state.tail_hash ^= 1;
        let got = advance(&file, &mut state, &mut Vec::new(), (end, end), &plan(2, 8));
        assert!(matches!(got, Ok(Advance::Rewritten)));
    }
}
