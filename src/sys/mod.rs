//! The operating system's calls, behind small safe functions: everything above this
//! module is free of platform details. One back-end per platform, chosen at compile time;
//! today that is Linux (`linux/`).
//!
//! - `fsat`: directory-relative `fstatat`/`openat`, for the git status engine;
//! - `inotify`: the git watcher's change notifications, decoded field by field;
//! - `futex`: a wait with a timeout, for the frame owner waiting on its slow widgets;
//! - `os`: processes (process groups, children's resource usage), users, file systems,
//!   the atomic exchange of two paths, a hung-up output;
//! - `tty`: a terminal's width.
//!
//! Every function here is safe to call from any safe code; every `unsafe` block carries a
//! `// SAFETY:` argument.
#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::{fsat, futex, inotify, os, tty};
