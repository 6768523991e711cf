//! The integration tests, one crate (one link of the library, one binary to run): each
//! module was a test file of its own and keeps its tests' names under its module path
//! (`cargo test --test it git_watch::`). `support/` is what they share: a sandbox with a
//! clean environment, git run through one helper, generated transcripts.
//!
//! Separate binaries remain only where the process itself matters: the loom models
//! (`tests/loom_*.rs`, built with `--cfg crossbeam_loom`) and the allocation-counting
//! tests that install a global allocator (`tests/alloc.rs`, `tests/watch_alloc.rs`).
//!
//! Modules that need git, bash, tmux, signals or Unix file modes are `#[cfg(unix)]`: on
//! Windows (built for `x86_64-pc-windows-gnu` and run under wine by `make cross`) only
//! the platform-free ones are compiled and run.

mod bench_cold;
#[cfg(unix)]
mod claude_harness;
mod cli;
#[cfg(unix)]
mod configure;
mod docs;
#[cfg(unix)]
mod doctor;
#[cfg(unix)]
mod faults;
#[cfg(unix)]
mod git;
#[cfg(unix)]
mod git_differential_refs;
#[cfg(unix)]
mod git_differential_status;
#[cfg(unix)]
mod git_engine_wiring;
#[cfg(unix)]
mod git_objects;
#[cfg(unix)]
mod git_status_engine;
#[cfg(unix)]
mod git_untracked;
#[cfg(unix)]
mod git_watch;
mod hostile;
#[cfg(unix)]
mod install;
mod module_cycles;
#[cfg(unix)]
mod never_blank;
#[cfg(unix)]
mod packaging;
mod queue_stress;
#[cfg(unix)]
mod recipes;
#[cfg(unix)]
mod sessions;
#[cfg(unix)]
mod shell;
#[cfg(unix)]
mod soak;
#[cfg(unix)]
mod styles;
#[cfg(unix)]
mod subagents;
mod support;
mod themes;
mod transcript;
#[cfg(unix)]
mod usage;
mod watch;
