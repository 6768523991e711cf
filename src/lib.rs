//! blinkline: the fastest, most dependable status line renderer.
//!
//! Where things live:
//! - `cli.rs` declares the command line; `config/resolve.rs` resolves flags and config file
//!   into `Settings`; `setup.rs` builds the renderer from them; `commands.rs` (with
//!   `bench/`, `shell/`, `watch/`) runs the commands; `error.rs` is the error they return;
//!   `app.rs` only dispatches, for the binary;
//! - `input/` reads the Claude Code payload and the environment;
//! - `render.rs` drives a frame over the `engine/` (queue, pool, slots, frame, metrics);
//!   `sys/` wraps the operating system's calls (with `engine/`, the only place for `unsafe`);
//! - `cache/` the cross-process records and the refreshers that fill them;
//! - `widgets/` one file per widget; `layout.rs` turns a widget list into a layout;
//! - `transcript/` incremental transcript figures (token totals, counts, blocks);
//! - `format/` output formats and themes; `sanitize.rs` keeps untrusted text harmless;
//! - `shell/` serves shell prompts (`prompt`, `init`); `watch/` renders continuously;
//! - `install/` puts blinkline into Claude Code's settings and shells' rc files (and out);
//!   `doctor/` checks a setup; `subagents/` draws the rows of Claude Code's `subagentStatusLine`;
//! - `bench/` is the in-process benchmark harness behind `blinkline bench`;
//! - `tempdir.rs` a temporary directory removed on drop (bench, tests, benches);
//! - `testing.rs` what the integration tests, benches and fuzz targets reach inside.
//!
//! The binary needs only [`main`] and [`CountingAllocator`]; every module is private.
#![deny(unsafe_code)]

mod app;
mod bench;
mod cache;
mod cli;
mod commands;
mod config;
mod configure;
mod doctor;
mod engine;
mod error;
mod fixed;
mod format;
mod git;
mod input;
mod install;
mod layout;
mod recover;
mod render;
mod sanitize;
mod setup;
mod shell;
mod subagents;
mod sys;
mod tempdir;
mod transcript;
mod usage;
mod util;
mod watch;
mod widgets;
mod width;

#[doc(hidden)]
pub mod testing;

pub use app::main;
pub use engine::alloc::CountingAllocator;
