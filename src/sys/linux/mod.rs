//! The Linux back-end of [`crate::sys`]: what only Linux has (CPU affinity masks, the
//! futex system call, inotify; `dirwatch` is inotify kept to what macOS's kqueue
//! reports). The POSIX calls Linux shares with macOS are in `unix/`.

pub mod affinity;
pub mod dirwatch;
pub mod futex;
pub mod inotify;
