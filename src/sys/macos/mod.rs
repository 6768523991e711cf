//! The macOS back-end of [`crate::sys`]: what macOS does differently from Linux (the
//! futex is `__ulock_wait`, and there is no thread affinity). The POSIX calls it shares
//! with Linux are in `unix/`. There is no inotify: `dirwatch` wakes the git watcher and the
//! session follower with kqueue.

pub mod affinity;
pub mod dirwatch;
pub mod futex;
