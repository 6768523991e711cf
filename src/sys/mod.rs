//! The operating system's calls, behind small safe functions: everything above this
//! module is free of platform details. One back-end per platform, chosen at compile time:
//!
//! - `unix/`: what Linux and macOS share (POSIX calls through `libc`);
//! - `linux/`: CPU affinity, the futex, inotify;
//! - `macos/`: the futex (`__ulock_wait`), kqueue directory watches; no affinity (Apple
//!   silicon has no API to pin a thread), no inotify;
//! - `windows/`: Win32 through `windows-sys`: `WaitOnAddress`, affinity masks, the console,
//!   paths looked up by name instead of through directory descriptors.
//!
//! The modules, the same on every platform:
//! - `affinity`: the CPUs this process may run on, and pinning a worker thread to one
//!   ([`affinity::SUPPORTED`] says whether pinning does anything here);
//! - `fs`: path bytes, stat fields, open flags, private modes and positional reads (what
//!   `std::os::unix`'s extension traits give, on every platform);
//! - `fsat`: directory-relative `lstat` and directory reads (`d_type`, no `lstat` per
//!   entry), for the git status engine and the untracked walk;
//! - `inotify` (Linux only): the git watcher's change notifications;
//! - `dirwatch` (Linux and macOS): wake-ups when a name in a watched directory is
//!   created, removed or renamed (kqueue on macOS, inotify on Linux, reporting no more
//!   than kqueue does);
//! - `futex`: sleeping on an `AtomicU32` (with and without a timeout) and waking sleepers;
//! - `os`: processes (process groups, a child's death with the thread that spawned it,
//!   children's resource usage), users, file systems,
//!   the atomic exchange of two paths, a hung-up output, writing a whole buffer to an
//!   output, file identities and private files;
//! - `poll` (Unix only): waiting on several pipes at once, non-blocking pipes, and a
//!   self-pipe waker (Windows pipes cannot be polled; the child supervisor uses helper
//!   threads there);
//! - `time`: the local time of day;
//! - `tty`: a terminal's width.
//!
//! What a platform cannot do is reported (an `io::ErrorKind::Unsupported` error, `None`,
//! or a `SUPPORTED` constant), never faked. Every function here is safe to call from any
//! safe code; every `unsafe` block carries a `// SAFETY:` argument. Outside this module,
//! `unsafe` is allowed only in `engine/`, and only for its lock-free structures.
#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(target_os = "linux")]
pub use linux::{affinity, dirwatch, futex, inotify};
#[cfg(target_os = "macos")]
pub use macos::{affinity, dirwatch, futex};
#[cfg(unix)]
pub use unix::{fs, fsat, os, poll, time, tty};
#[cfg(windows)]
pub use windows::{affinity, fs, fsat, futex, os, time, tty};
