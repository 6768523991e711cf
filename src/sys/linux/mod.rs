//! The Linux back-end of [`crate::sys`]: direct system calls through `libc`.

pub mod affinity;
pub mod fsat;
pub mod futex;
pub mod inotify;
pub mod os;
pub mod time;
pub mod tty;
