//! `blinkline watch`: renders continuously for tmux, bars and scripts.
//!
//! One [`Renderer`] is reused for every frame (warm frames allocate nothing). The render
//! loop runs on the main thread at `--interval`; a frame that is byte-for-byte the last one
//! is not written. Changed frames go through the [`ring::FrameRing`] to a writer thread, so
//! a consumer that stops reading never stalls rendering: stale frames are dropped and the
//! newest is written when the consumer reads again. Each frame leaves in one `write(2)`.
//!
//! - In a terminal the line is rewritten in place (`\r`, clear, frame, cursor back up);
//!   in a pipe each frame is written as it is: one line per frame, or the i3bar stream.
//! - The payload comes from `--input FILE`, re-read when its size, inode or mtime changes;
//!   without it, from the Claude Code session `--session` picks (`session.rs`), followed
//!   as it is updated; with `--session none` (or no recent session) widgets see an empty
//!   payload (shell and clock widgets still show).
//! - Signals (signal-hook, on a thread of their own): SIGINT, SIGTERM and SIGHUP exit 0
//!   (with `--metrics`, the final metrics go to stderr); SIGWINCH re-lays out at the new
//!   width; SIGUSR1 prints the metrics to stderr; SIGUSR2 pauses and SIGCONT resumes (the
//!   stop and continue signals the i3bar header announces). A closed pipe exits 0 quietly,
//!   within one interval even when no frame changes (the output fd is polled for
//!   `POLLERR`/`POLLHUP` on every wake-up).
//! - With `--format i3bar`, each click event read from stdin renders a frame at once.
//!
//! When no `--format` is given: `ansi` on a terminal, `plain` on a pipe.
//!
//! Read next: `ring.rs`.

pub mod ring;
pub mod session;

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cache::sessions::SessionPick;
use crate::cli::{RenderArgs, WatchArgs};
use crate::config::resolve::{DEFAULT_MARGIN, Settings};
use crate::engine::frame::FrameBuffer;
use crate::error::Error;
use crate::format::OutputFormat;
use crate::format::i3bar::HEADER as I3BAR_HEADER;
use crate::input::env::Environment;
use crate::input::shell::ShellContext;
use crate::input::stdin::read_payload;
use crate::render::Renderer;
use crate::sys::{futex, tty};
use ring::FrameRing;

const EXIT: u32 = 1;
const DUMP: u32 = 1 << 1;
const RESIZE: u32 = 1 << 2;
const PAUSE: u32 = 1 << 3;
const RESUME: u32 = 1 << 4;
const REFRESH: u32 = 1 << 5;

/// What the render loop is told by the signal, click and writer threads.
#[derive(Default)]
pub struct Control {
    /// Bumped (Release) on every event; the loop sleeps on it (futex).
    wake: AtomicU32,
    flags: AtomicU32,
    pipe_closed: AtomicBool,
    writer_done: AtomicBool,
}

impl Control {
    /// Raises `flag` and wakes the render loop.
    pub fn raise(&self, flag: u32) {
        self.flags.fetch_or(flag, Release);
        self.bump();
    }

    fn bump(&self) {
        // Release: pairs with the Acquire load at the top of `Watcher::run`'s loop.
        self.wake.fetch_add(1, Release);
        futex::wake_all(&self.wake);
    }
}

/// Why the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Signal,
    PipeClosed,
    FrameLimit,
}

/// The payload file and the stat data it was last read with.
struct InputFile {
    path: std::path::PathBuf,
    stamp: Option<(u64, u64, u64, i64, i64)>,
}

/// The render loop's state.
pub struct Watcher {
    renderer: Renderer,
    ring: Arc<FrameRing>,
    control: Arc<Control>,
    writer: Option<JoinHandle<()>>,
    fd: i32,
    terminal: bool,
    margin: usize,
    compose: FrameBuffer,
    last: FrameBuffer,
    payload: Vec<u8>,
    payload_flagged: bool,
    input: Option<InputFile>,
    session: Option<session::SessionInput>,
    /// Lines of the last frame shown in the terminal.
    lines: usize,
    pub frames: u64,
    pub unchanged: u64,
}

impl Watcher {
    /// Starts the writer thread on `fd`. `terminal`: rewrite the line in place.
    pub fn new(renderer: Renderer, fd: i32, terminal: bool) -> std::io::Result<Self> {
        let ring = Arc::new(FrameRing::new());
        let control = Arc::new(Control::default());
        let writer = {
            let (ring, control) = (Arc::clone(&ring), Arc::clone(&control));
            std::thread::Builder::new()
                .name("blinkline-writer".into())
                .spawn(move || write_frames(&ring, &control, fd))?
        };
        let mut payload = Vec::with_capacity(64 * 1024);
        payload.extend_from_slice(b"{}");
        Ok(Watcher {
            renderer,
            ring,
            control,
            writer: Some(writer),
            fd,
            terminal,
            margin: 0,
            compose: FrameBuffer::new(),
            last: FrameBuffer::new(),
            payload,
            payload_flagged: false,
            input: None,
            session: None,
            lines: 0,
            frames: 0,
            unchanged: 0,
        })
    }

    pub fn control(&self) -> Arc<Control> {
        Arc::clone(&self.control)
    }

    /// Replaces the payload (copied into the reused buffer).
    pub fn set_payload(&mut self, payload: &[u8]) {
        self.payload.clear();
        self.payload.extend_from_slice(payload);
        self.payload_flagged = false;
    }

    /// Reads the payload from `path` from now on, whenever it changes.
    pub fn watch_input(&mut self, path: std::path::PathBuf) {
        self.input = Some(InputFile { path, stamp: None });
    }

    /// Takes the payload from a recorded session from now on, whenever it changes.
    pub fn follow_session(&mut self, session: session::SessionInput) {
        self.session = Some(session);
    }

    /// Re-reads the followed session's record if it changed.
    fn reload_session(&mut self) {
        if let Some(session) = self.session.as_mut()
            && session.refresh(&mut self.payload)
        {
            self.payload_flagged = false;
        }
    }

    /// Re-reads the input file if its stat data changed.
    fn reload_input(&mut self) {
        let Some(input) = self.input.as_mut() else {
            return;
        };
        let stamp = std::fs::metadata(&input.path)
            .ok()
            .map(|m| crate::sys::fs::stat_of(&m))
            .map(|m| (m.dev, m.ino, m.size, m.mtime, m.mtime_nsec));
        if stamp.is_some() && stamp == input.stamp {
            return;
        }
        input.stamp = stamp;
        self.payload_flagged = match std::fs::File::open(&input.path) {
            Ok(mut file) => read_payload(&mut file, &mut self.payload).is_some(),
            Err(_) => {
                self.payload.clear();
                true
            }
        };
    }

    /// Renders one frame and queues it for the writer if it differs from the last one.
    pub fn frame(&mut self) {
        self.frames += 1;
        self.renderer
            .render_flagged(&self.payload, self.payload_flagged);
        self.compose_frame();
        self.queue_frame();
        // Deferred work (a cache refresher to start, a computed git status to store) runs
        // once the frame is on its way, as after a one-shot render's write.
        self.renderer.after_frame();
    }

    /// Hands the composed frame to the writer unless it equals the last one.
    fn queue_frame(&mut self) {
        // The i3bar header comes once, with the first frame: it is not part of the frame.
        let bytes = self.compose.as_bytes();
        let frame = bytes.strip_prefix(I3BAR_HEADER.as_bytes()).unwrap_or(bytes);
        if frame == self.last.as_bytes() {
            self.unchanged += 1;
            return;
        }
        self.last.clear();
        self.last.push_bytes(frame);
        if self.frames == 1 {
            // The first frame (with the i3bar header) is written before anything can be
            // dropped, so the stream always starts whole.
            self.write_direct();
        } else {
            self.ring.publish(self.compose.as_bytes());
        }
    }

    fn write_direct(&mut self) {
        if self.compose.write_to_fd(self.fd).is_err() {
            // EPIPE (the reader left) or a closed stdout (EBADF): nothing can be shown.
            self.control.pipe_closed.store(true, Release);
        }
    }

    /// The bytes to write for the rendered frame: as is in a pipe; in a terminal, drawn
    /// over the previous frame, with the cursor left at the start of its first line.
    fn compose_frame(&mut self) {
        self.compose.clear();
        let frame = self.renderer.frame().as_bytes();
        if !self.terminal {
            self.compose.push_bytes(frame);
            return;
        }
        let body = frame.strip_suffix(b"\n").unwrap_or(frame);
        let newlines = memchr::memchr_iter(b'\n', body).count();
        self.compose.push_str("\r\x1b[J");
        self.compose.push_bytes(body);
        if newlines > 0 {
            use std::fmt::Write as _;
            let _ = write!(self.compose, "\x1b[{newlines}A");
        }
        self.compose.push_byte(b'\r');
        self.lines = newlines + 1;
        if self.compose.overflowed() {
            // Never put half a frame (or half an escape) on screen: show the last one.
            self.compose.clear();
            self.compose.push_bytes(self.last.as_bytes());
        }
    }

    /// Sets the width from the terminal (after SIGWINCH).
    fn resize(&mut self) {
        if self.terminal {
            let width = tty::columns(self.fd).map(|c| {
                c.saturating_sub(self.margin)
                    .clamp(1, crate::cli::MAX_WIDTH)
            });
            self.renderer.set_width(width);
            self.last.clear();
        }
    }

    /// Renders every `interval` until a signal, a closed pipe or `limit` frames.
    pub fn run(&mut self, interval: Duration, limit: Option<u64>) -> Ending {
        let mut next = Instant::now();
        let mut paused = false;
        loop {
            // Acquire: pairs with the Release bump in `Control::raise` / the writer.
            let seen = self.control.wake.load(Acquire);
            let flags = self.control.flags.swap(0, AcqRel);
            if flags & EXIT != 0 {
                return Ending::Signal;
            }
            // A reader that left is noticed by the writer's EPIPE, or, while frames are
            // unchanged and nothing is written, by polling the output fd once a wake-up.
            if self.control.pipe_closed.load(Acquire) || crate::sys::os::output_hung_up(self.fd) {
                return Ending::PipeClosed;
            }
            if flags & DUMP != 0 {
                self.print_metrics();
            }
            if flags & RESIZE != 0 {
                self.resize();
            }
            if flags & PAUSE != 0 {
                paused = true;
            }
            if flags & RESUME != 0 {
                paused = false;
            }
            if limit.is_some_and(|l| self.frames >= l) {
                return Ending::FrameLimit;
            }
            let now = Instant::now();
            let forced = flags & (REFRESH | RESIZE | RESUME) != 0;
            if !paused && (forced || now >= next) {
                self.reload_input();
                self.reload_session();
                self.frame();
                next = now + interval;
                continue;
            }
            let timeout = if paused {
                Duration::from_secs(3600)
            } else {
                next - now
            };
            futex::wait_timeout(&self.control.wake, seen, timeout);
        }
    }

    /// The metrics line printed on SIGUSR1 and at exit with `--metrics`.
    pub fn metrics_line(&self) -> String {
        let s = self.renderer.metrics().frame.summary();
        format!(
            "blinkline watch: {} frames, {} changed, {} dropped as stale; frame p50 {}µs p99 {}µs max {}µs",
            self.frames,
            self.frames - self.unchanged,
            self.ring.dropped.load(Relaxed),
            s.p50 / 1000,
            s.p99 / 1000,
            s.max / 1000
        )
    }

    fn print_metrics(&self) {
        let _ = writeln!(std::io::stderr(), "{}", self.metrics_line());
    }

    /// Lets the writer finish the queued frames, waiting at most `grace` (a consumer that
    /// stopped reading keeps the writer blocked: then we leave without it).
    pub fn finish(&mut self, grace: Duration) {
        self.ring.close();
        let deadline = Instant::now() + grace;
        while !self.control.writer_done.load(Acquire) {
            let seen = self.control.wake.load(Acquire);
            let now = Instant::now();
            if now >= deadline || self.control.writer_done.load(Acquire) {
                break;
            }
            futex::wait_timeout(&self.control.wake, seen, deadline - now);
        }
        if self.control.writer_done.load(Acquire) {
            if let Some(writer) = self.writer.take() {
                let _ = writer.join();
            }
            if self.terminal && self.lines > 0 {
                // Leave the cursor below the last frame.
                let mut end = FrameBuffer::new();
                (0..self.lines).for_each(|_| end.push_byte(b'\n'));
                let _ = end.write_to_fd(self.fd);
            }
        }
    }
}

/// The writer thread: writes the newest ready frame, until the ring closes or the pipe
/// does.
fn write_frames(ring: &FrameRing, control: &Control, fd: i32) {
    if ring.serve(|buf| buf.write_to_fd(fd)).is_err() {
        // EPIPE (the reader left) or a dead fd: nothing more can be shown.
        control.pipe_closed.store(true, Release);
    }
    control.writer_done.store(true, Release);
    control.bump();
}

/// Starts the thread that turns signals into flags for the render loop.
#[cfg(unix)]
fn spawn_signal_thread(control: Arc<Control>) -> std::io::Result<()> {
    use signal_hook::consts::signal::{
        SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
    };
    let mut signals = signal_hook::iterator::Signals::new([
        SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGUSR1, SIGUSR2, SIGCONT,
    ])?;
    std::thread::Builder::new()
        .name("blinkline-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                control.raise(match signal {
                    SIGWINCH => RESIZE,
                    SIGUSR1 => DUMP,
                    SIGUSR2 => PAUSE,
                    SIGCONT => RESUME,
                    _ => EXIT,
                });
            }
        })?;
    Ok(())
}

/// Windows has none of these signals: Ctrl-C ends `watch` the console's default way,
/// and a resize shows at the next frame's width check.
#[cfg(not(unix))]
fn spawn_signal_thread(_control: Arc<Control>) -> std::io::Result<()> {
    Ok(())
}

/// Starts the thread that reads i3bar click events from stdin; each one forces a frame.
fn spawn_click_reader(control: Arc<Control>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("blinkline-clicks".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut line = String::new();
            while stdin.lock().read_line(&mut line).is_ok_and(|n| n > 0) {
                if line.contains('{') {
                    control.raise(REFRESH);
                }
                line.clear();
            }
        })?;
    Ok(())
}

/// Has a directory watch (inotify, kqueue) force a frame when a session record changes
/// (unless polling is asked for). Without a watch (no cache, the user's watch or
/// open-file limit reached) the `--interval` tick still picks changes up.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn notify_sessions(
    mut follow: session::SessionInput,
    control: Arc<Control>,
) -> session::SessionInput {
    if !session::poll_only()
        && let Some(dir) = follow.open_dir()
    {
        let _ = session::spawn_notifier(dir, move || control.raise(REFRESH));
    }
    follow
}

/// `blinkline watch`.
pub fn watch_command(render: &RenderArgs, args: &WatchArgs) -> Result<ExitCode, Error> {
    let terminal = std::io::stdout().is_terminal();
    let mut render = render.clone();
    if render.format.is_none() {
        render.format = Some(if terminal {
            OutputFormat::Ansi
        } else {
            OutputFormat::Plain
        });
    }
    let input = match render.input.take() {
        Some(path) if path.as_os_str() == "-" => return Err(Error::WatchStdin),
        other => other,
    };
    let env = Environment::capture();
    // The terminal's width is taken before the settings are resolved: the margin kept
    // free is the flag's (or the default), not the config file's.
    let margin = render.margin.unwrap_or(DEFAULT_MARGIN);
    if terminal && render.width.is_none() {
        render.width =
            tty::columns(1).map(|c| c.saturating_sub(margin).clamp(1, crate::cli::MAX_WIDTH));
    }
    let sample = render
        .sample
        .then(|| crate::setup::sample_payload(crate::engine::clock::unix_now()));
    let settings = Settings::resolve(&render, &env)?;
    let follow = (input.is_none() && sample.is_none() && settings.session != SessionPick::None)
        .then(|| {
            session::SessionInput::new(
                env.clone(),
                settings.session.clone(),
                settings.session_max_age,
            )
        });
    let renderer = crate::setup::builder(&settings, env)?
        .shell(ShellContext::capture())
        .refresh_by_interval(true)
        .build();
    let in_place = terminal && matches!(settings.format, OutputFormat::Ansi | OutputFormat::Plain);
    let mut watcher = Watcher::new(renderer, 1, in_place)
        .map_err(Error::io_at("cannot start the writer thread"))?;
    watcher.margin = margin;
    if let Some(sample) = sample {
        watcher.set_payload(sample.as_bytes());
    }
    if let Some(path) = input {
        watcher.watch_input(path);
    }
    if let Some(follow) = follow {
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        let follow = notify_sessions(follow, watcher.control());
        watcher.follow_session(follow);
    }
    spawn_signal_thread(watcher.control())
        .map_err(Error::io_at("cannot install signal handlers"))?;
    if settings.format == OutputFormat::I3bar {
        spawn_click_reader(watcher.control()).map_err(Error::io_at("cannot read click events"))?;
    }
    // Every ending is a clean one: a signal, the frame limit, or a reader that left.
    watcher.run(args.interval, args.frames);
    watcher.finish(Duration::from_millis(200));
    if args.metrics {
        watcher.print_metrics();
    }
    Ok(ExitCode::SUCCESS)
}
