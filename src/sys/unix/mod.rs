//! The POSIX part of [`crate::sys`], shared by Linux and macOS: direct calls through
//! `libc`. The few places where the two differ (`O_PATH`, `renameat2` against
//! `renamex_np`, the units of `ru_maxrss`) are marked with `cfg` inside the function.

pub mod fs;
pub mod fsat;
pub mod os;
pub mod poll;
pub mod time;
pub mod tty;
