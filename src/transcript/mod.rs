//! Figures that only the session transcript holds (token totals, message and tool counts,
//! compactions, the time of the last reply, the 5-hour block), read incrementally.
//!
//! Each transcript has a small [`State`] in the cross-process cache (`crate::cache`), keyed
//! by its path: the file's device, inode, size and mtime, the offset of the last complete
//! line consumed, a hash of the bytes just before that offset, and the running figures. A
//! render stats the transcript and reads only the bytes appended since the saved offset
//! (at most [`INLINE_LIMIT`] of them); the updated state is written back after the frame
//! is out ([`after_frame`]) with `Cache::replace`: written in place into a spare file that
//! is then exchanged with the record in one atomic rename: a rename over the old record
//! would free an inode, which ext4 makes an order of magnitude dearer. The file is
//! rescanned from the start when it shrank, changed inode, or the bytes before the offset
//! no longer hash the same (rewritten, or swapped for another file).
//!
//! Lines are streamed through a fixed 256 KiB buffer (`pread`, `file.rs`), so memory stays
//! flat whatever the transcript size and the buffer stays in a core's L2 cache while it is
//! scanned. Files are not memory-mapped: a map would save the kernel's copy, but a transcript truncated under it kills the process with `SIGBUS`, its pages
//! count toward the peak RSS, and it needs `unsafe`.
//!
//! When more than [`INLINE_LIMIT`] bytes are new (the first look at a long session), the
//! render shows what the cache knows, marked stale, and starts one detached refresher
//! (`blinkline __refresh-transcript PATH`) that finishes the scan into the cache. The
//! refresher holds the record's single-flight lock: concurrent renders and sessions never
//! scan the same bytes twice at once. It scans on every allowed core (`parallel.rs`): 1 MiB
//! chunks parsed by workers into compact batches, applied in file order by the main
//! thread, with the same state as one sequential pass, field for field.
//!
//! Within one renderer every transcript widget reads the same tracked state ([`Transcripts`],
//! owned by the renderer and handed over in the render context): the first
//! widget of a frame that sees new bytes scans them; the others find nothing new. A frame
//! with nothing new costs one `stat` and allocates nothing. A frame with new lines costs
//! `stat`, `open`, `fstat`, one `pread` (the [`state::TAIL_LEN`] bytes before the offset,
//! checked against the saved hash, and the new bytes together) and `close`; the record it
//! reads and saves is ~1.9 KiB of varints (`record.rs`).
//!
//! What was tried and dropped (figures in BENCHMARKS.md, "Transcripts"): reads of other
//! sizes and `posix_fadvise`, which changed nothing; a fused newline-and-quote search,
//! which cost more than it saved. `make perf-check` bounds the extra CPU of a render that
//! reads ten new lines.
//!
//! Read next: `file.rs` (reading), `parallel.rs` (the first scan), `scan.rs`, `members.rs`
//! and `assistant.rs` (what a line contributes), `walk.rs` and `find.rs` (the JSON walker
//! and its string search), `sink.rs`, `state.rs` (dedupe, sums),
//! `record.rs` (the cache record), `prices.rs` (token prices for computed costs).

pub mod assistant;
pub mod board;
pub mod file;
pub mod find;
pub mod members;
pub mod parallel;
pub mod prices;
pub mod record;
pub mod scan;
pub mod sink;
pub mod state;
pub mod walk;

#[cfg(test)]
pub mod testing;

use std::sync::{Mutex, MutexGuard};

use crate::cache::{Cache, record_name};
use crate::engine::slots::{Outcome, Tone};
use crate::input::env::Environment;
use crate::widgets::{Charset, RenderContext};
pub use file::bytes_read;
use file::{CHUNK, Progress, catch_up, stat};
pub use parallel::Plan;
pub use state::State;

/// New bytes a render reads itself; more goes to a refresher.
pub const INLINE_LIMIT: u64 = 2 << 20;
/// The refresher saves its progress every this many bytes.
const CHECKPOINT: u64 = 256 << 20;

/// Why there are no figures to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The transcript does not exist (yet).
    Missing,
    /// The path is a directory, FIFO, device… anything but a regular file.
    NotAFile,
    /// It exists but cannot be read.
    Unreadable,
    /// Nothing is known yet: the first scan is running in a refresher.
    Scanning,
}

impl Problem {
    /// The words of the widget's marker, shown after [`Charset::warning`] (a `Scanning`
    /// widget shows [`Charset::ellipsis`] instead, see [`show_problem`]).
    pub fn marker(self) -> &'static str {
        match self {
            Problem::Missing => "no transcript",
            Problem::NotAFile => "transcript is not a file",
            Problem::Unreadable => "transcript unreadable",
            Problem::Scanning => "first scan running",
        }
    }
}

/// What transcript widgets read.
pub struct View<'a> {
    pub state: &'a State,
    /// The glyphs the widget may use.
    pub charset: Charset,
    /// The transcript has more bytes than `state` covers (a refresher is finishing them).
    pub stale: bool,
}

struct TrackedTranscript {
    path: String,
    record: String,
    state: State,
    /// The bytes past `state.offset` were too many to read in a frame.
    stale: bool,
    /// `state` advanced since it was last saved.
    dirty: bool,
    problem: Option<Problem>,
    buf: Vec<u8>,
}

#[derive(Default)]
struct Tracker {
    /// `None` until first needed; then the cache, or `None` if it cannot be used.
    cache: Option<Option<Cache>>,
    tracked: Option<TrackedTranscript>,
}

/// A renderer's transcript state: the transcript its widgets read and the cache handle.
/// Every transcript widget of one renderer reads the same state (the first widget of a
/// frame that sees new bytes scans them; the others find nothing new); each renderer owns
/// one and hands it to its widgets through the render context.
#[derive(Default)]
pub struct Transcripts(Mutex<Tracker>);

impl Transcripts {
    fn lock(&self) -> MutexGuard<'_, Tracker> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets the tracked transcript and the cache handle, so the next render starts as a
    /// new process would (`bench --cold`).
    pub fn forget(&self) {
        *self.lock() = Tracker::default();
    }
}

/// Brings the session's transcript up to date (cheaply when nothing changed) and hands
/// `f` the result. `None` when the payload names no transcript.
pub fn with_view<R>(
    ctx: &RenderContext<'_>,
    f: impl FnOnce(Result<View<'_>, Problem>) -> R,
) -> Option<R> {
    let path = ctx.session.transcript_path.as_deref()?;
    let mut guard = ctx.transcripts.lock();
    let tracker = &mut *guard;
    let cache = tracker
        .cache
        .get_or_insert_with(|| {
            // Unit tests never touch the user's cache; the CLI tests cover it.
            if cfg!(test) {
                None
            } else {
                Cache::open(ctx.env).ok()
            }
        })
        .as_ref();
    if tracker.tracked.as_ref().is_none_or(|t| t.path != path) {
        tracker.tracked = Some(TrackedTranscript::load(path, cache));
    }
    let tracked = tracker.tracked.as_mut()?;
    tracked.update();
    Some(match tracked.problem {
        Some(p) => f(Err(p)),
        None if tracked.stale && tracked.state.offset == 0 => f(Err(Problem::Scanning)),
        None => f(Ok(View {
            state: &tracked.state,
            charset: ctx.charset,
            stale: tracked.stale,
        })),
    })
}

/// Deferred work once the frame is written: save the advanced state, or start a
/// refresher for a backlog too large for a frame (through `refresher`). Never blocks.
pub fn after_frame(transcripts: &Transcripts, refresher: &crate::cache::Refresher) {
    let mut guard = transcripts.lock();
    let tracker = &mut *guard;
    let (Some(Some(cache)), Some(t)) = (tracker.cache.as_ref(), tracker.tracked.as_mut()) else {
        return;
    };
    if t.dirty {
        t.dirty = false;
        // Every saved state is exact for its prefix: a race between two renders can only
        // save an older prefix, which the next render extends.
        let _ = cache.replace(&t.record, &record::encode(&t.state, &t.path));
    }
    if t.stale {
        // A refresher may have finished since: adopt its record.
        if let Some(saved) = load_record(cache, &t.record, &t.path)
            .filter(|s| s.file.ino == t.state.file.ino && s.offset > t.state.offset)
        {
            t.state = saved;
        }
        if !cache.is_locked(&t.record) {
            let job = crate::cache::Refresh::Transcript { path: &t.path };
            let _ = refresher.start(&job);
        }
    }
}

/// The cache record name of a transcript.
pub fn record_for(path: &str) -> String {
    record_name("transcript", &[path.as_bytes()])
}

fn load_record(cache: &Cache, name: &str, path: &str) -> Option<State> {
    record::decode(&cache.read(name)?, path)
}

impl TrackedTranscript {
    fn load(path: &str, cache: Option<&Cache>) -> TrackedTranscript {
        let record = record_for(path);
        let state = cache
            .and_then(|c| load_record(c, &record, path))
            .unwrap_or_default();
        TrackedTranscript {
            path: path.to_owned(),
            record,
            state,
            stale: false,
            dirty: false,
            problem: None,
            buf: Vec::new(),
        }
    }

    /// Stats the file and reads what was appended, if it fits the frame.
    fn update(&mut self) {
        let id = match stat(&self.path) {
            Ok(id) => id,
            Err(p) => {
                self.problem = Some(p);
                return;
            }
        };
        self.problem = None;
        if id == self.state.file && !self.stale {
            return;
        }
        let budget = (INLINE_LIMIT, u64::MAX);
        let plan = Plan::sequential();
        match catch_up(
            &self.path,
            &mut self.state,
            &mut self.buf,
            id,
            budget,
            &plan,
        ) {
            Ok(Progress::Done) => {
                self.stale = false;
                self.dirty = true;
            }
            Ok(Progress::TooMuch) => self.stale = true,
            Err(p) => self.problem = Some(p),
        }
    }
}

/// Why a transcript refresher stopped.
#[derive(Debug)]
pub enum RefreshError {
    /// The cache cannot be used.
    Cache(crate::cache::CacheError),
    /// The transcript at `path` cannot be scanned.
    Scan { path: String, problem: Problem },
}

impl std::fmt::Display for RefreshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefreshError::Cache(e) => e.fmt(f),
            RefreshError::Scan { path, problem } => {
                write!(
                    f,
                    "{path}: {}{}",
                    Charset::Unicode.warning(),
                    problem.marker()
                )
            }
        }
    }
}

impl std::error::Error for RefreshError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RefreshError::Cache(e) => Some(e),
            RefreshError::Scan { .. } => None,
        }
    }
}

/// The refresher: finishes the scan of `path` into the cache. Runs detached; returns
/// quietly when another refresher holds the lock.
pub fn refresh(path: &str, env: &Environment) -> Result<(), RefreshError> {
    let scan = |problem| RefreshError::Scan {
        path: path.to_owned(),
        problem,
    };
    let cache = Cache::open(env).map_err(RefreshError::Cache)?;
    let name = record_for(path);
    let Some(_lock) = cache.try_lock(&name) else {
        return Ok(());
    };
    cache.sweep_temporaries();
    let mut state = load_record(&cache, &name, path).unwrap_or_default();
    let mut buf = Vec::with_capacity(CHUNK);
    let id = stat(path).map_err(scan)?;
    let plan = Plan::for_this_machine();
    loop {
        let stop = state.offset.saturating_add(CHECKPOINT);
        catch_up(path, &mut state, &mut buf, id, (u64::MAX, stop), &plan).map_err(scan)?;
        cache
            .write(&name, &record::encode(&state, path))
            .map_err(RefreshError::Cache)?;
        if state.file == id {
            return Ok(());
        }
    }
}

/// Scans a whole file in one go (benchmarks and tests): the state a refresher would save.
pub fn scan_file(path: &str) -> Result<State, Problem> {
    scan_file_with(path, &Plan::for_this_machine())
}

/// Scans a whole file in one go with the given threads and chunk size.
pub fn scan_file_with(path: &str, plan: &Plan) -> Result<State, Problem> {
    let mut state = State::default();
    let id = stat(path)?;
    let mut buf = Vec::with_capacity(CHUNK);
    catch_up(path, &mut state, &mut buf, id, (u64::MAX, u64::MAX), plan)?;
    Ok(state)
}

/// What a transcript widget shows instead of figures: nothing while the transcript does
/// not exist yet, `…` (stale) while the first scan runs, a short marker otherwise.
pub fn show_problem(
    problem: Problem,
    charset: Charset,
    out: &mut crate::engine::slots::SlotContent,
) -> Outcome {
    match problem {
        Problem::Missing => Outcome::Hidden,
        Problem::Scanning => {
            out.push_str(charset.ellipsis());
            out.tone = Tone::Muted;
            out.stale = true;
            out.source = "transcript (first scan running)";
            Outcome::Shown
        }
        _ => {
            out.push_str(charset.warning());
            out.push_str(problem.marker());
            out.tone = Tone::Warn;
            out.source = "transcript";
            Outcome::Shown
        }
    }
}

/// Marks a widget's content from `view`: stale while a refresher catches up, and `≥` in
/// front when some usage lines could not be read (the totals are then a lower bound).
pub fn begin(view: &View<'_>, out: &mut crate::engine::slots::SlotContent) {
    out.stale = view.stale;
    out.source = if view.stale {
        "transcript (refreshing)"
    } else {
        "transcript"
    };
    if view.state.bad_lines > 0 {
        out.push_str(view.charset.pick("\u{2265}", "\u{2265}", ">="));
    }
}

/// Writes a compact count (`1.2M`) as the short form.
pub fn short_compact(out: &mut crate::engine::slots::SlotContent, value: f64) {
    let mut tmp = crate::engine::slots::SlotContent::default();
    crate::widgets::units::write_compact(&mut tmp, value);
    let _ = out.short.try_push_str(&tmp.text);
}

/// The context fallback for payloads without `context_window` (older Claude Code): a
/// window built from the last main-chain call's usage, sized 1M for a `[1m]` model id,
/// else 200k.
pub fn context_window_fallback(
    ctx: &RenderContext<'_>,
) -> Option<crate::input::payload::ContextWindow<'static>> {
    use crate::input::payload::{ContextWindow, Usage};
    let tokens = with_view(ctx, |view| view.ok()?.state.last_main).flatten()?;
    let one_million = ctx
        .session
        .model
        .as_ref()
        .and_then(|m| m.id.as_deref())
        .is_some_and(|id| id.contains("[1m]"));
    Some(ContextWindow {
        context_window_size: Some(if one_million { 1_000_000.0 } else { 200_000.0 }),
        current_usage: Some(Usage {
            input_tokens: Some(tokens.input as f64),
            output_tokens: Some(tokens.output as f64),
            cache_creation_input_tokens: Some(tokens.cache_write() as f64),
            cache_read_input_tokens: Some(tokens.cache_read as f64),
            ..Usage::default()
        }),
        ..ContextWindow::default()
    })
}

/// Brings `state` up to date with the file at `path`, however much is new (tests,
/// benchmarks and long-running tools; renders go through [`with_view`]).
pub fn catch_up_file(path: &str, state: &mut State, buf: &mut Vec<u8>) -> Result<(), Problem> {
    let id = stat(path)?;
    if id == state.file {
        return Ok(());
    }
    let plan = Plan::sequential();
    catch_up(path, state, buf, id, (u64::MAX, u64::MAX), &plan).map(drop)
}
