//! The operating system's calls, behind small safe functions: everything above this
//! module is free of platform details. One back-end per platform, chosen at compile time;
//! today that is Linux (`linux/`).
//!
//! - `affinity`: the CPUs this process may run on, and pinning a worker thread to one;
//! - `fsat`: directory-relative `fstatat`/`openat`, for the git status engine;
//! - `inotify`: the git watcher's change notifications, decoded field by field;
//! - `futex`: a wait with a timeout, for the frame owner waiting on its slow widgets;
//! - `os`: processes (process groups, children's resource usage), users, file systems,
//!   the atomic exchange of two paths, a hung-up output, writing a whole buffer to a file
//!   descriptor;
//! - `time`: the local time of day (`localtime_r`);
//! - `tty`: a terminal's width.
//!
//! Every function here is safe to call from any safe code; every `unsafe` block carries a
//! `// SAFETY:` argument. Outside this module, `unsafe` is allowed only in `engine/`, and
//! only for its lock-free structures.
#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::{affinity, fsat, futex, inotify, os, time, tty};
