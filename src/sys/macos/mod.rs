//! The macOS back-end of [`crate::sys`]: what macOS does differently from Linux (the
//! futex is `__ulock_wait`, and there is no thread affinity). The POSIX calls it shares
//! with Linux are in `unix/`. There is no inotify: the git watcher polls
//! (`crate::git::watch`).

pub mod affinity;
pub mod futex;
