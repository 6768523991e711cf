//! The Windows back-end of [`crate::sys`]: Win32 through `windows-sys`, and std where it
//! already covers a call (`File::lock` is `LockFileEx`, `fs::rename` is `MoveFileExW` with
//! `MOVEFILE_REPLACE_EXISTING`).
//!
//! What Windows does differently, and what the rest of the crate sees of it:
//! - no directory descriptors: `fsat` looks names up by path (`symlink_metadata`);
//! - no owners or permission bits: `fs::owner` is `None` and the owner checks of the
//!   cache and config files are skipped (a user's `%LOCALAPPDATA%` and `%APPDATA%` are
//!   private by their ACLs);
//! - no process groups: a detached child is started with `DETACHED_PROCESS |
//!   CREATE_NO_WINDOW | CREATE_NEW_PROCESS_GROUP`, and a command past its deadline is ended
//!   with `TerminateProcess` (what it started itself runs on);
//! - no inotify: the git watcher polls;
//! - the console needs `ENABLE_VIRTUAL_TERMINAL_PROCESSING` for colours (`tty::prepare_output`).

pub mod affinity;
pub mod fs;
pub mod fsat;
pub mod futex;
pub mod os;
pub mod time;
pub mod tty;
