//! Reading a transcript file: its identity (`stat`), a non-blocking `open`, and the
//! sequential catch-up from the saved offset to the end, chunk by chunk, with the check that
//! the bytes before the offset are still the ones the state summarises.
//!
//! Lines are streamed through a fixed 256 KiB buffer (`pread`). A line longer than a chunk
//! is read whole up to [`MAX_LINE`]; a longer one is counted from its first chunk only.
//! Large backlogs go to `parallel.rs` (same rules, several threads).
//!
//! Read next: `parallel.rs`, `scan.rs`.

use std::fs::{File, OpenOptions};
use std::io;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

use crate::cache::fnv1a;
use crate::transcript::parallel::{self, Plan};
use crate::transcript::sink::Sink;
use crate::transcript::state::{self, FileId, State};
use crate::transcript::{Problem, scan};

/// Bytes read per `pread`: small enough that the buffer stays in a core's L2 cache while
/// it is scanned, large enough that syscalls cost nothing (200 for 50 MB).
pub const CHUNK: usize = 256 << 10;
/// The longest line held whole; longer ones are counted from their head only.
pub const MAX_LINE: usize = 16 << 20;

/// The file's identity, or why it cannot be a transcript.
pub fn stat(path: &str) -> Result<FileId, Problem> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => Problem::Missing,
        _ => Problem::Unreadable,
    })?;
    if !meta.is_file() {
        return Err(Problem::NotAFile);
    }
    let st = crate::sys::fs::stat_of(&meta);
    Ok(FileId {
        dev: st.dev,
        ino: st.ino,
        size: meta.len(),
        mtime_ns: st.mtime * 1_000_000_000 + st.mtime_nsec,
    })
}

pub enum Progress {
    Done,
    TooMuch,
}

/// Brings `state` up to the file described by `id`, reading at most `limit` new bytes
/// and starting no new chunk past `stop` (the refresher's checkpoints).
pub fn catch_up(
    path: &str,
    state: &mut State,
    buf: &mut Vec<u8>,
    id: FileId,
    (limit, stop): (u64, u64),
    plan: &Plan,
) -> Result<Progress, Problem> {
    let same_file = state.file.dev == id.dev && state.file.ino == id.ino;
    if !same_file || id.size < state.offset {
        *state = State::default();
    }
    let file = open(path)?;
    loop {
        if id.size - state.offset > limit {
            // A rewritten file shows nothing while it is rescanned, not the old figures.
            if state.offset > 0 && tail_hash(&file, state.offset) != Some(state.tail_hash) {
                *state = State::default();
            }
            return Ok(Progress::TooMuch);
        }
        let advanced = if plan.takes(id.size - state.offset) {
            parallel::advance(&file, state, buf, (id.size, stop), plan)
        } else {
            advance(&file, state, buf, id.size, stop)
        };
        match advanced.map_err(|_| Problem::Unreadable)? {
            Advance::Rewritten => *state = State::default(),
            Advance::Finished => {
                state.file = id;
                return Ok(Progress::Done);
            }
            Advance::Paused => return Ok(Progress::Done),
        }
    }
}

/// Opens without blocking (a FIFO swapped in after the stat must not hang us).
pub fn open(path: &str) -> Result<File, Problem> {
    let file = crate::sys::fs::open_flags(OpenOptions::new().read(true), false, true)
        .open(path)
        .map_err(|_| Problem::Unreadable)?;
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(file),
        Ok(_) => Err(Problem::NotAFile),
        Err(_) => Err(Problem::Unreadable),
    }
}

/// FNV-1a of the bytes just before `offset`.
pub fn tail_hash(file: &File, offset: u64) -> Option<u64> {
    let start = offset.saturating_sub(state::TAIL_LEN);
    let mut tail = [0u8; state::TAIL_LEN as usize];
    let want = (offset - start) as usize;
    let n = read_full_at(file, &mut tail[..want], start).ok()?;
    (n == want).then(|| fnv1a(&tail[..want]))
}

/// Transcript bytes this process has read (a statistic for `bench --cold`).
static BYTES_READ: AtomicU64 = AtomicU64::new(0);

/// How many transcript bytes this process has read, by renders and refreshers.
pub fn bytes_read() -> u64 {
    BYTES_READ.load(Relaxed)
}

pub fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match crate::sys::fs::read_at(file, &mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => {
                done += n;
                BYTES_READ.fetch_add(n as u64, Relaxed);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Reads `len` bytes at `offset` into the start of `buf`; returns the count. The buffer
/// only grows (never re-zeroed per read).
pub fn fill(file: &File, buf: &mut Vec<u8>, len: usize, offset: u64) -> io::Result<usize> {
    if buf.len() < len {
        buf.resize(len, 0);
    }
    read_full_at(file, &mut buf[..len], offset)
}

/// How far [`advance`] got.
pub enum Advance {
    /// To the end (all but an incomplete last line).
    Finished,
    /// To a checkpoint before the end.
    Paused,
    /// Nowhere: the bytes before `state.offset` are not the ones it summarises.
    Rewritten,
}

/// Consumes the complete lines between `state.offset` and `end`, starting no chunk at or
/// past `stop`. The first read also takes the [`state::TAIL_LEN`] bytes before the offset
/// and checks them against `state.tail_hash`: one `pread` for both.
pub fn advance(
    file: &File,
    state: &mut State,
    buf: &mut Vec<u8>,
    end: u64,
    stop: u64,
) -> io::Result<Advance> {
    let mut outcome = Advance::Finished;
    // The bytes before the new offset, when the last chunk read still holds them.
    let mut tail = None;
    // Bytes before `state.offset` at the start of the next read (the tail to check).
    let mut lead = state.offset.min(state::TAIL_LEN) as usize;
    while state.offset < end {
        if state.offset >= stop {
            outcome = Advance::Paused;
            break;
        }
        let want = (end - state.offset).min(CHUNK as u64) as usize;
        let base = std::mem::take(&mut lead);
        let n = fill(file, buf, base + want, state.offset - base as u64)?;
        if base > 0 && (n < base || fnv1a(&buf[..base]) != state.tail_hash) {
            return Ok(Advance::Rewritten);
        }
        let n = n - base;
        if n == 0 {
            break;
        }
        let used = scan::scan(state, &buf[base..base + n]);
        if used > 0 {
            state.offset += used as u64;
            let through = base + used;
            tail = (through as u64 >= state::TAIL_LEN)
                .then(|| fnv1a(&buf[through - state::TAIL_LEN as usize..through]));
        } else if state.offset + (n as u64) >= end {
            break; // an incomplete last line: left for the next scan
        } else {
            buf.copy_within(base..base + n, 0);
            let start = state.offset;
            match long_line(file, state, buf, (start, n), end)? {
                Some(next) => state.offset = next,
                None => break,
            }
            tail = None;
        }
    }
    if buf.capacity() > 2 * CHUNK {
        *buf = Vec::new();
    }
    state.tail_hash = match tail {
        Some(hash) => hash,
        None => tail_hash(file, state.offset).unwrap_or(0),
    };
    Ok(outcome)
}

/// Consumes the line at `start`, longer than a chunk, whose first `searched` bytes are at
/// the start of `buf`; returns the offset after it, `None` if it is not complete yet.
pub fn long_line(
    file: &File,
    sink: &mut dyn Sink,
    buf: &mut Vec<u8>,
    (start, mut searched): (u64, usize),
    end: u64,
) -> io::Result<Option<u64>> {
    loop {
        let at = start + searched as u64;
        if at >= end {
            return Ok(None);
        }
        if searched < MAX_LINE {
            let more = ((end - at) as usize).min(CHUNK).min(MAX_LINE - searched);
            buf.resize(searched + more, 0);
            let n = read_full_at(file, &mut buf[searched..], at)?;
            buf.truncate(searched + n);
            if let Some(nl) = memchr::memchr(b'\n', &buf[searched..]) {
                let line_end = searched + nl + 1;
                scan::scan(sink, &buf[..line_end]);
                return Ok(Some(start + line_end as u64));
            }
            if n == 0 {
                return Ok(None);
            }
            searched += n;
        } else {
            // Too long to hold: keep its head, find its end chunk by chunk.
            buf.truncate(CHUNK);
            let mut chunk = vec![0u8; CHUNK.min((end - at) as usize)];
            let n = read_full_at(file, &mut chunk, at)?;
            if let Some(nl) = memchr::memchr(b'\n', &chunk[..n]) {
                scan::skipped_line(sink, buf);
                return Ok(Some(at + nl as u64 + 1));
            }
            if n == 0 {
                return Ok(None);
            }
            searched += n;
        }
    }
}
