//! The Linux back-end of [`crate::sys`]: direct system calls through `libc`.

pub mod fsat;
pub mod futex;
pub mod inotify;
pub mod os;
pub mod tty;
