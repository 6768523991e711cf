//! The child-process supervisor: one thread per process, started on the first
//! [`start`], runs every command a widget asks for and multiplexes all of them. Widgets
//! hand it a [`Spec`] through a channel and get a [`Run`] to wait on; no thread is started
//! per command, so a `watch` that renders a command widget a thousand times starts one
//! thread, not three thousand.
//!
//! For each child the supervisor writes the payload to its stdin as far as the child
//! reads it (a command that never reads stdin cannot block anything), reads at most
//! [`Spec::max_output`] bytes of its stdout, and kills its whole process group (SIGKILL)
//! when it runs past its deadline. On Unix one `poll(2)` waits on every pipe and the
//! supervisor's waker, with the nearest deadline as its timeout (`sys::poll`); on Windows,
//! where pipes cannot be polled, each child's pipes are served by two short-lived helper
//! threads and the supervisor keeps the deadlines.
//!
//! Nothing is left running: children are spawned from the supervisor thread, which lives
//! as long as the process, so on Linux each child gets SIGKILL when the process dies,
//! however it dies (`PR_SET_PDEATHSIG`, `sys::os::die_with_spawning_thread`). A one-shot
//! render also asks [`kill_children_on_signals`]: when the supervisor starts it then
//! catches SIGTERM, SIGINT and SIGHUP (how Claude Code cancels a render), kills the
//! process group of every child still running, and dies of the signal. Nothing is
//! installed in a process that never runs a command.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
#[cfg(unix)]
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use crate::sys::os::{die_with_spawning_thread, kill_process_group, own_process_group};

/// What to run.
pub struct Spec {
    /// The program and its arguments (not empty).
    pub argv: Vec<String>,
    /// The working directory; `None` keeps ours.
    pub dir: Option<PathBuf>,
    /// Written to the child's stdin, which is then closed.
    pub stdin: Vec<u8>,
    /// The child's process group is killed this long after the start.
    pub timeout: Duration,
    /// Stdout read past this is ignored (the pipe is closed).
    pub max_output: usize,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The child exited by itself; its stdout, up to the cap.
    Exited { success: bool, stdout: Vec<u8> },
    /// Killed at its deadline.
    TimedOut,
    /// It could not be started (no such program, no supervisor).
    NotStarted,
}

/// Runs on the supervisor thread when a run ends, before the [`Run`] hears of it.
pub type OnEnd = Box<dyn FnOnce(&Ended) + Send>;

/// A run in flight: how it ends comes once.
pub struct Run {
    ended: Receiver<Ended>,
}

impl Run {
    /// How the run ended, or `None` when it is still running after `wait`.
    pub fn wait_for(&self, wait: Duration) -> Option<Ended> {
        match self.ended.recv_timeout(wait) {
            Ok(ended) => Some(ended),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Ended::NotStarted),
        }
    }

    /// Waits for the end (each run ends by its deadline).
    pub fn wait(self) -> Ended {
        self.ended.recv().unwrap_or(Ended::NotStarted)
    }
}

struct Job {
    spec: Spec,
    on_end: OnEnd,
    reply: Sender<Ended>,
}

struct Supervisor {
    jobs: Sender<Job>,
    #[cfg(unix)]
    waker: Arc<crate::sys::poll::Waker>,
}

static SUPERVISOR: OnceLock<Option<Supervisor>> = OnceLock::new();
static KILL_ON_SIGNALS: AtomicBool = AtomicBool::new(false);

/// Asks that a supervisor started later in this process catch SIGTERM, SIGINT and SIGHUP,
/// kill its children's process groups and die of the signal. For one-shot renders; a
/// process with signal handling of its own (`watch`) does not ask. Installs nothing now.
pub fn kill_children_on_signals() {
    KILL_ON_SIGNALS.store(true, Relaxed);
}

/// Hands `spec` to the supervisor (started on first use). `on_end` runs on the supervisor
/// when the run ends: a late result is handled even when nobody waits for it.
pub fn start(spec: Spec, on_end: OnEnd) -> Run {
    let (reply, ended) = mpsc::channel();
    let job = Job {
        spec,
        on_end,
        reply,
    };
    match SUPERVISOR.get_or_init(Supervisor::spawn) {
        Some(supervisor) => {
            if let Err(mpsc::SendError(job)) = supervisor.jobs.send(job) {
                job.finish(Ended::NotStarted);
            }
            #[cfg(unix)]
            supervisor.waker.wake();
        }
        None => job.finish(Ended::NotStarted),
    }
    Run { ended }
}

impl Job {
    fn finish(self, ended: Ended) {
        (self.on_end)(&ended);
        let _ = self.reply.send(ended);
    }

    /// Spawns the child with piped stdin and stdout, in a process group of its own.
    fn spawn(&self) -> std::io::Result<Child> {
        let argv = &self.spec.argv;
        let program = argv
            .first()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        let mut command = Command::new(program);
        command
            .args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        own_process_group(&mut command);
        die_with_spawning_thread(&mut command);
        if let Some(dir) = &self.spec.dir {
            command.current_dir(dir);
        }
        command.spawn()
    }
}

/// A child being supervised.
struct Running {
    job: Job,
    child: Child,
    deadline: Instant,
    timed_out: bool,
    io: io::Pipes,
    /// When its pipes were first seen done: from then on only its exit is awaited, which
    /// no pipe reports, so it is polled for, more slowly the longer it takes.
    quiet_since: Option<Instant>,
}

impl Running {
    fn start(mut job: Job) -> Option<Running> {
        match job.spawn() {
            Ok(mut child) => {
                let io = io::Pipes::new(&mut child, &mut job.spec);
                Some(Running {
                    deadline: Instant::now() + job.spec.timeout,
                    job,
                    child,
                    timed_out: false,
                    io,
                    quiet_since: None,
                })
            }
            Err(_) => {
                job.finish(Ended::NotStarted);
                None
            }
        }
    }

    /// Kills the group once its deadline has passed.
    fn enforce(&mut self, now: Instant) {
        if !self.timed_out && now >= self.deadline {
            kill_process_group(self.child.id());
            self.timed_out = true;
            self.io.close();
        }
    }

    /// The end, once the child has exited and its output is in (or it was killed).
    fn ended(&mut self) -> Option<Ended> {
        if !self.io.done() {
            return None;
        }
        let status = match self.child.try_wait() {
            Ok(Some(status)) => Some(status.success()),
            Ok(None) => return None,
            Err(_) => None,
        };
        Some(match status {
            _ if self.timed_out => Ended::TimedOut,
            Some(success) => Ended::Exited {
                success,
                stdout: self.io.take_output(),
            },
            None => Ended::Exited {
                success: false,
                stdout: Vec::new(),
            },
        })
    }
}

/// How long the supervisor waits: until the nearest deadline, and at most 1 ms while a
/// child whose pipes are done has not been reaped yet (exit is not a pipe event).
fn next_wake(running: &[Running], now: Instant) -> Option<Duration> {
    let deadline = running
        .iter()
        .filter(|r| !r.timed_out)
        .map(|r| r.deadline.saturating_duration_since(now))
        .min();
    let reap = running
        .iter()
        .filter_map(|r| r.quiet_since)
        .map(|since| reap_interval(now.saturating_duration_since(since)))
        .min();
    match (deadline, reap) {
        (Some(d), Some(r)) => Some(d.min(r)),
        (d, r) => d.or(r),
    }
}

/// How long to wait before looking again for the exit of a child whose pipes are done,
/// `quiet` after they were: 1 ms at first (most exit right after closing stdout), a
/// quarter of the time waited so far after that, at most 50 ms: a child that closed its
/// stdout and runs on is not polled a thousand times a second.
fn reap_interval(quiet: Duration) -> Duration {
    (quiet / 4).clamp(io::REAP_INTERVAL, MAX_REAP_INTERVAL)
}

/// The longest wait between two looks for a quiet child's exit.
const MAX_REAP_INTERVAL: Duration = Duration::from_millis(50);

/// One pass after a wait: deadlines, then the children that ended.
fn settle(running: &mut Vec<Running>) {
    let now = Instant::now();
    let mut i = 0;
    while i < running.len() {
        running[i].enforce(now);
        if running[i].quiet_since.is_none() && running[i].io.done() {
            running[i].quiet_since = Some(now);
        }
        match running[i].ended() {
            Some(ended) => running.swap_remove(i).job.finish(ended),
            None => i += 1,
        }
    }
}

#[cfg(unix)]
mod io {
    //! Unix: non-blocking pipes, served when `poll(2)` says they are ready.

    use std::io::{ErrorKind, Read, Write};
    use std::process::{Child, ChildStdin, ChildStdout};
    use std::time::Duration;

    use super::Spec;
    use crate::sys::poll::{Interest, set_nonblocking};

    pub const REAP_INTERVAL: Duration = Duration::from_millis(1);

    pub struct Pipes {
        stdin: Option<ChildStdin>,
        payload: Vec<u8>,
        written: usize,
        stdout: Option<ChildStdout>,
        output: Vec<u8>,
        max_output: usize,
    }

    impl Pipes {
        pub fn new(child: &mut Child, spec: &mut Spec) -> Pipes {
            let stdin = child.stdin.take().filter(|p| set_nonblocking(p).is_ok());
            let stdout = child.stdout.take().filter(|p| set_nonblocking(p).is_ok());
            Pipes {
                stdin,
                payload: std::mem::take(&mut spec.stdin),
                written: 0,
                stdout,
                output: Vec::new(),
                max_output: spec.max_output,
            }
        }

        pub fn interests(&self, out: &mut Vec<Interest>) {
            out.extend(self.stdin.as_ref().map(Interest::write));
            out.extend(self.stdout.as_ref().map(Interest::read));
        }

        /// Serves the pipes `ready` reported (in the order `interests` gave them) and
        /// returns how many of them were this child's.
        pub fn serve(&mut self, ready: &[Interest]) -> usize {
            let mut used = 0;
            if self.stdin.is_some() {
                if ready[used].ready {
                    self.write();
                }
                used += 1;
            }
            if self.stdout.is_some() {
                if ready[used].ready {
                    self.read();
                }
                used += 1;
            }
            used
        }

        fn write(&mut self) {
            let Some(stdin) = &mut self.stdin else { return };
            loop {
                if self.written == self.payload.len() {
                    self.stdin = None;
                    return;
                }
                match stdin.write(&self.payload[self.written..]) {
                    Ok(n) if n > 0 => self.written += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    // Closed by the child (EPIPE) or broken: it gets no more.
                    _ => {
                        self.stdin = None;
                        return;
                    }
                }
            }
        }

        fn read(&mut self) {
            let Some(stdout) = &mut self.stdout else {
                return;
            };
            let mut buf = [0u8; 8192];
            loop {
                let room = (self.max_output - self.output.len()).min(buf.len());
                if room == 0 {
                    self.stdout = None;
                    return;
                }
                match stdout.read(&mut buf[..room]) {
                    Ok(n) if n > 0 => self.output.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    // End of output, or an error: either way no more comes.
                    _ => {
                        self.stdout = None;
                        return;
                    }
                }
            }
        }

        pub fn close(&mut self) {
            self.stdin = None;
            self.stdout = None;
        }

        pub fn done(&self) -> bool {
            self.stdin.is_none() && self.stdout.is_none()
        }

        pub fn take_output(&mut self) -> Vec<u8> {
            std::mem::take(&mut self.output)
        }
    }
}

#[cfg(not(unix))]
mod io {
    //! Windows: anonymous pipes cannot be polled, so each child's stdin is written and its
    //! stdout read by two short-lived helper threads; the supervisor keeps the deadlines
    //! and the process handle.

    use std::io::{Read, Write};
    use std::process::Child;
    use std::sync::mpsc::{self, Receiver};
    use std::time::Duration;

    use super::Spec;

    /// How often the supervisor looks at its children while one runs.
    pub const REAP_INTERVAL: Duration = Duration::from_millis(1);

    pub struct Pipes {
        output: Option<Receiver<Vec<u8>>>,
        got: Option<Vec<u8>>,
    }

    impl Pipes {
        pub fn new(child: &mut Child, spec: &mut Spec) -> Pipes {
            if let Some(mut stdin) = child.stdin.take() {
                let payload = std::mem::take(&mut spec.stdin);
                let _ = std::thread::Builder::new()
                    .name("blinkline-stdin".into())
                    .spawn(move || drop(stdin.write_all(&payload)));
            }
            let (send, output) = mpsc::channel();
            let max = spec.max_output as u64;
            let started = child.stdout.take().map(|stdout| {
                std::thread::Builder::new()
                    .name("blinkline-stdout".into())
                    .spawn(move || {
                        let mut bytes = Vec::new();
                        let _ = stdout.take(max).read_to_end(&mut bytes);
                        let _ = send.send(bytes);
                    })
            });
            match started {
                Some(Ok(_)) => Pipes {
                    output: Some(output),
                    got: None,
                },
                _ => Pipes {
                    output: None,
                    got: Some(Vec::new()),
                },
            }
        }

        pub fn close(&mut self) {
            self.output = None;
            self.got.get_or_insert_with(Vec::new);
        }

        pub fn done(&self) -> bool {
            self.got.is_some()
        }

        /// Takes in the output when the reader has sent it.
        pub fn poll(&mut self) {
            if let Some(bytes) = self.output.as_ref().and_then(|rx| rx.try_recv().ok()) {
                self.got = Some(bytes);
                self.output = None;
            }
        }

        pub fn take_output(&mut self) -> Vec<u8> {
            self.got.take().unwrap_or_default()
        }
    }
}

impl Supervisor {
    fn spawn() -> Option<Supervisor> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        #[cfg(unix)]
        {
            let waker = Arc::new(crate::sys::poll::Waker::new().ok()?);
            let caught = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let (for_thread, seen) = (Arc::clone(&waker), Arc::clone(&caught));
            std::thread::Builder::new()
                .name("blinkline-children".into())
                .spawn(move || supervise(&inbox, &for_thread, &seen))
                .ok()?;
            // Only now: the handlers write into the waker's pipe, which the running
            // thread keeps open for the rest of the process.
            signals::install(&caught, &waker);
            Some(Supervisor { jobs, waker })
        }
        #[cfg(not(unix))]
        {
            std::thread::Builder::new()
                .name("blinkline-children".into())
                .spawn(move || supervise(&inbox))
                .ok()?;
            Some(Supervisor { jobs })
        }
    }
}

/// The supervisor's loop (Unix): take new jobs, wait on every pipe and the waker until
/// the nearest deadline, serve what is ready, settle deadlines and ends.
#[cfg(unix)]
fn supervise(
    inbox: &Receiver<Job>,
    waker: &crate::sys::poll::Waker,
    signal: &std::sync::atomic::AtomicUsize,
) {
    let mut running: Vec<Running> = Vec::new();
    let mut interests = Vec::new();
    loop {
        while let Ok(job) = inbox.try_recv() {
            running.extend(Running::start(job));
        }
        settle(&mut running);
        interests.clear();
        interests.push(waker.interest());
        for r in &running {
            r.io.interests(&mut interests);
        }
        if crate::sys::poll::poll(&mut interests, next_wake(&running, Instant::now())).is_err() {
            // Only a bad argument fails poll; avoid spinning on it.
            std::thread::sleep(io::REAP_INTERVAL);
        }
        if interests[0].ready {
            waker.drain();
            if let signal @ 1.. = signal.load(Relaxed) {
                for r in &running {
                    kill_process_group(r.child.id());
                }
                signals::die_of(signal);
            }
        }
        let mut at = 1;
        for r in &mut running {
            at += r.io.serve(&interests[at..]);
        }
        settle(&mut running);
    }
}

/// The supervisor's loop (Windows): new jobs come with the wait; children are looked at
/// every millisecond while one runs.
#[cfg(not(unix))]
fn supervise(inbox: &Receiver<Job>) {
    let mut running: Vec<Running> = Vec::new();
    loop {
        let job = match next_wake(&running, Instant::now()).map(|_| io::REAP_INTERVAL) {
            Some(wait) => match inbox.recv_timeout(wait) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            },
            None => match inbox.recv() {
                Ok(job) => Some(job),
                Err(_) => return,
            },
        };
        running.extend(job.and_then(Running::start));
        for r in &mut running {
            r.io.poll();
        }
        settle(&mut running);
    }
}

#[cfg(unix)]
mod signals {
    //! SIGTERM, SIGINT and SIGHUP, caught only when a one-shot render asked
    //! ([`super::kill_children_on_signals`]) and only once a command runs.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};

    use crate::sys::poll::Waker;

    /// Installs the handlers when a render asked: each records its signal in `caught` and
    /// wakes the supervisor. All or none: if one cannot be installed, those installed
    /// before it are removed, and every signal keeps its default action.
    pub fn install(caught: &Arc<AtomicUsize>, waker: &Waker) {
        if !super::KILL_ON_SIGNALS.load(Relaxed) {
            return;
        }
        let mut installed = Vec::with_capacity(6);
        for signal in [SIGTERM, SIGINT, SIGHUP] {
            let flag =
                signal_hook::flag::register_usize(signal, Arc::clone(caught), signal as usize);
            let wake = signal_hook::low_level::pipe::register_raw(signal, waker.write_fd());
            let failed = flag.is_err() || wake.is_err();
            installed.extend(flag.ok());
            installed.extend(wake.ok());
            if failed {
                for id in installed {
                    signal_hook::low_level::unregister(id);
                }
                return;
            }
        }
    }

    /// Ends the process as `signal` would have without our handler.
    pub fn die_of(signal: usize) -> ! {
        let signal = i32::try_from(signal).unwrap_or(SIGTERM);
        let _ = signal_hook::low_level::emulate_default_handler(signal);
        std::process::exit(128 + signal)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{Ended, Spec, start};

    #[test]
    fn a_quiet_child_is_looked_at_more_slowly_the_longer_it_runs() {
        let ms = Duration::from_millis;
        assert_eq!(super::reap_interval(ms(0)), ms(1));
        assert_eq!(super::reap_interval(ms(40)), ms(10));
        assert_eq!(super::reap_interval(Duration::from_secs(9)), ms(50));
    }

    fn sh(script: &str, timeout_ms: u64) -> Spec {
        Spec {
            argv: vec!["sh".into(), "-c".into(), script.into()],
            dir: None,
            stdin: b"payload".to_vec(),
            timeout: Duration::from_millis(timeout_ms),
            max_output: 16,
        }
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "runs sh")]
    fn output_is_read_and_capped_and_stdin_is_given() {
        let run = start(
            sh("cat; printf 0123456789abcdefXYZ", 5000),
            Box::new(|_| {}),
        );
        assert_eq!(
            run.wait(),
            Ended::Exited {
                success: true,
                stdout: b"payload012345678".to_vec()
            }
        );
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "runs sh")]
    fn a_command_that_never_reads_a_large_payload_blocks_nothing() {
        let mut spec = sh("sleep 30", 2000);
        spec.stdin = vec![b'x'; 4 << 20];
        let started = Instant::now();
        let stuck = start(spec, Box::new(|_| {}));
        let other = start(sh("echo other", 5000), Box::new(|_| {}));
        assert!(matches!(other.wait(), Ended::Exited { success: true, .. }));
        assert_eq!(stuck.wait_for(Duration::ZERO), None, "still running");
        assert_eq!(stuck.wait(), Ended::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    /// The deadline's SIGKILL goes to the child's whole process group: what the command
    /// started in the background dies with it.
    #[test]
    #[cfg(target_os = "linux")]
    fn the_timeout_kills_the_whole_process_group() {
        let dir = crate::tempdir::TempDir::new("children-group").unwrap();
        let pid_file = dir.join("pid");
        let script = format!("sleep 30 & echo $! > '{}'; wait", pid_file.display());
        assert_eq!(
            start(sh(&script, 300), Box::new(|_| {})).wait(),
            Ended::TimedOut
        );
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let stat = format!("/proc/{}/stat", pid.trim());
        let alive = || {
            std::fs::read_to_string(&stat).is_ok_and(|s| {
                // The state follows the command name in parentheses; a zombie is dead.
                s.rsplit_once(") ")
                    .is_some_and(|(_, rest)| !rest.starts_with('Z'))
            })
        };
        let until = Instant::now() + Duration::from_secs(5);
        while alive() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(!alive(), "the background sleep {} was killed", pid.trim());
    }

    #[test]
    fn a_missing_program_is_not_started_and_on_end_hears_of_it() {
        let (tell, heard) = std::sync::mpsc::channel();
        let mut spec = sh("", 5000);
        spec.argv = vec!["/nonexistent/blinkline-test-program".into()];
        let run = start(spec, Box::new(move |e| drop(tell.send(e.clone()))));
        assert_eq!(run.wait(), Ended::NotStarted);
        assert_eq!(heard.recv().unwrap(), Ended::NotStarted);
    }
}
