//! Refreshers: the detached `blinkline __refresh-…` processes that compute slow figures
//! into the cache after a render's frame is out. A render hands one a typed [`Refresh`]
//! job through its [`Refresher`]; only here is a job turned into a command line.
//! `bench --cold` gives its renderer an inline refresher instead, so a cold frame pays for
//! what it sets off.

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
    /// `__refresh-usage [--locked]`: bring the usage index and its summary up to date.
    Usage {
        /// Stdin is the index's lock file, already locked by the render.
        locked: bool,
    },
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
                // `--`: a directory starting with `-` is not a flag.
                args.extend([OsStr::new("--"), dir.as_os_str()]);
                args
            }
            Refresh::Usage { locked } => {
                let mut args = vec![OsStr::new("__refresh-usage")];
                if locked {
                    args.push(OsStr::new("--locked"));
                }
                args
            }
            Refresh::Transcript { path } => {
                // `--`: a path starting with `-` is not a flag.
                vec![
                    OsStr::new("__refresh-transcript"),
                    OsStr::new("--"),
                    OsStr::new(path),
                ]
            }
        }
    }
}

/// Runs a refresher's work in this process.
pub type InlineRefresher = Box<dyn Fn(&Refresh<'_>) + Send + Sync>;

/// How a renderer starts the refreshers its widgets set off. Each renderer owns one and
/// hands it to its widgets after the frame ([`crate::widgets::Widget::after_frame`]).
#[derive(Default)]
pub enum Refresher {
    /// Detached `blinkline __refresh-…` processes, never waited for: every normal run.
    #[default]
    Detached,
    /// In the calling thread, before `start` returns: `bench --cold` only, so that a cold
    /// frame pays for everything it sets off. A render must never wait for a refresher.
    Inline(InlineRefresher),
}

impl Refresher {
    /// Starts `job`: detached in its own process group, stdio on /dev/null (so Claude Code,
    /// tmux or `$(…)` never wait for it), or inline.
    pub fn start(&self, job: &Refresh<'_>) -> io::Result<()> {
        match self {
            Refresher::Inline(run) => {
                run(job);
                Ok(())
            }
            Refresher::Detached => spawn(job, std::process::Stdio::null()),
        }
    }

    /// Like [`Refresher::start`], but the refresher inherits `lock`: a detached one gets
    /// its file as stdin, so the single-flight lock stays held, without a gap, until it
    /// exits; an inline one runs while `lock` is held here.
    pub fn start_holding(&self, lock: FlightLock, job: &Refresh<'_>) -> io::Result<()> {
        match self {
            Refresher::Inline(run) => {
                run(job);
                drop(lock);
                Ok(())
            }
            Refresher::Detached => spawn(job, std::process::Stdio::from(lock._file)),
        }
    }
}

/// `blinkline ARGS…` with `stdin`, its own process group, stdout and stderr on /dev/null.
fn spawn(job: &Refresh<'_>, stdin: std::process::Stdio) -> io::Result<()> {
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    command
        .args(job.args())
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    crate::sys::os::own_process_group(&mut command);
    command.spawn().map(drop)
}
