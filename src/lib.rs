//! blinkline: the fastest, most dependable status line renderer.
//!
//! Where things live:
//! - `cli.rs` declares the command line; `config/resolve.rs` resolves flags and config file
//!   into `Settings`; `setup.rs` builds the renderer from them; `commands.rs` (with
//!   `bench/`, `shell/`, `watch/`) runs the commands; `error.rs` is the error they return;
//!   `app.rs` only dispatches, for the binary;
//! - `input/` reads the Claude Code payload and the environment;
//! - `render.rs` drives a frame over the `engine/` (queue, pool, slots, frame, metrics);
//! - `widgets/` one file per widget; `layout.rs` turns a widget list into a layout;
//! - `transcript/` incremental transcript figures (token totals, counts, blocks);
//! - `format/` output formats and themes; `sanitize.rs` keeps untrusted text harmless;
//! - `shell/` serves shell prompts (`prompt`, `init`); `watch/` renders continuously;
//! - `bench.rs` is the in-process benchmark harness behind `blinkline bench`;
//! - `tempdir.rs` a temporary directory removed on drop (bench, tests, benches).
#![deny(unsafe_code)]

pub mod app;
pub mod bench;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod engine;
pub mod error;
pub mod fixed;
pub mod format;
pub mod git;
pub mod input;
pub mod layout;
pub mod render;
pub mod sanitize;
pub mod setup;
pub mod shell;
pub mod sys;
pub mod tempdir;
pub mod transcript;
pub mod util;
pub mod watch;
pub mod widgets;
pub mod width;
