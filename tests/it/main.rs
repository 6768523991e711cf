//! The integration tests, one crate (one link of the library, one binary to run): each
//! module was a test file of its own and keeps its tests' names under its module path
//! (`cargo test --test it git_watch::`). `support/` is what they share: a sandbox with a
//! clean environment, git run through one helper, generated transcripts.
//!
//! Separate binaries remain only where the process itself matters: the loom models
//! (`tests/loom_*.rs`, built with `--cfg crossbeam_loom`) and the allocation-counting
//! tests that install a global allocator (`tests/alloc.rs`, `tests/watch_alloc.rs`).

mod bench_cold;
mod claude_harness;
mod cli;
mod configure;
mod docs;
#[cfg(unix)]
mod doctor;
mod faults;
mod git;
mod git_differential_refs;
mod git_differential_status;
mod git_engine_wiring;
mod git_objects;
mod git_status_engine;
mod git_untracked;
mod git_watch;
mod hostile;
mod install;
mod never_blank;
mod packaging;
mod queue_stress;
mod recipes;
mod sessions;
mod shell;
mod soak;
mod styles;
mod subagents;
mod support;
mod themes;
mod transcript;
mod usage;
mod watch;
