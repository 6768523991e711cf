//! Refreshers: the detached `blinkline __refresh-…` processes that compute slow figures
//! into the cache after a render's frame is out. A render hands one a typed [`Refresh`]
//! job; only here is it turned into a command line. `bench --cold` installs an inline
//! runner instead ([`run_refreshers_inline`]), so a cold frame pays for what it sets off.

use std::io;
use std::path::Path;

use super::FlightLock;

/// A refresher's work: what a render hands to a detached `blinkline __refresh-…` process,
/// or, under `bench --cold`, to the inline refresher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh<'a> {
    /// `__refresh-git [--locked] [--diffstat] DIR`: a repository's status into its record.
    Git {
        dir: &'a Path,
        diffstat: bool,
        /// Stdin is the record's lock file, already locked by the render.
        locked: bool,
    },
    /// `__refresh-transcript PATH`: finish a transcript's scan into its record.
    Transcript { path: &'a str },
}

impl Refresh<'_> {
    /// The refresher's command line, after the program name.
    pub fn args(&self) -> Vec<&std::ffi::OsStr> {
        use std::ffi::OsStr;
        match *self {
            Refresh::Git {
                dir,
                diffstat,
                locked,
            } => {
                let mut args = vec![OsStr::new("__refresh-git")];
                if locked {
                    args.push(OsStr::new("--locked"));
                }
                if diffstat {
                    args.push(OsStr::new("--diffstat"));
                }
                args.push(dir.as_os_str());
                args
            }
            Refresh::Transcript { path } => {
                vec![OsStr::new("__refresh-transcript"), OsStr::new(path)]
            }
        }
    }
}

/// Runs a refresher's work in this process.
pub type InlineRefresher = Box<dyn Fn(&Refresh<'_>) + Send + Sync>;

static INLINE_REFRESHER: std::sync::Mutex<Option<InlineRefresher>> = std::sync::Mutex::new(None);

/// From now on (until called with `None`), refreshers run through `runner` in the calling
/// thread instead of as detached processes. For `bench --cold` only: a render must never
/// wait for a refresher.
pub fn run_refreshers_inline(runner: Option<InlineRefresher>) {
    *INLINE_REFRESHER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = runner;
}

/// Runs `job` through the inline refresher, if one is installed; whether it ran.
fn ran_inline(job: &Refresh<'_>) -> bool {
    let runner = INLINE_REFRESHER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match runner.as_ref() {
        Some(run) => {
            run(job);
            true
        }
        None => false,
    }
}

/// Starts `job` as a detached refresher (`blinkline ARGS…`): its own process group, stdio
/// on /dev/null (so Claude Code, tmux or `$(…)` never wait for it), never waited for.
pub fn spawn_refresher(job: &Refresh<'_>) -> io::Result<()> {
    use std::os::unix::process::CommandExt;
    if ran_inline(job) {
        return Ok(());
    }
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe()?;
    Command::new(exe)
        .args(job.args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map(drop)
}

/// Like [`spawn_refresher`], but the child gets `lock`'s file as its stdin, so the
/// single-flight lock stays held, without a gap, until the refresher exits.
pub fn spawn_refresher_holding(lock: FlightLock, job: &Refresh<'_>) -> io::Result<()> {
    use std::os::unix::process::CommandExt;
    // Inline, `lock` stays held here until the refresher (told `--locked`) is done.
    if ran_inline(job) {
        drop(lock);
        return Ok(());
    }
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe()?;
    Command::new(exe)
        .args(job.args())
        .stdin(Stdio::from(lock._file))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map(drop)
}
