//! `blinkline configure`: a terminal UI that edits the config file with a live preview.
//!
//! Parts: `model.rs` (the document, every change checked by `config check`'s validation,
//! the save), `state.rs` (selection, dialogs, preview width), `keys.rs` (key and mouse
//! handling), `draw.rs` (the screen), `preview.rs` (the line through the real renderer).
//! This file owns the terminal: raw mode, the alternate screen and mouse capture, restored
//! on every way out.

mod draw;
mod import;
mod keys;
pub mod model;
pub mod preview;
mod state;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::cli::RenderArgs;
use crate::error::Error;
use crate::input::env::Environment;

/// Runs the configurator on `--config FILE` or the default config file.
pub fn command(args: &RenderArgs) -> Result<ExitCode, Error> {
    let env = Environment::capture();
    let path = args
        .config
        .clone()
        .or_else(|| crate::config::default_path(&env))
        .ok_or(Error::NoConfigLocation)?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::Io(std::io::Error::other(
            "configure needs a terminal (stdin and stdout)",
        )));
    }
    let model = model::Model::open(&path).map_err(|e| Error::Io(std::io::Error::other(e)))?;
    let (payload, label) = payload(args, &env);
    let mut app = state::App::new(model, label);
    let _guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    while !app.quit {
        if app.stale {
            let width = match app.preview_width() {
                Some(w) => w,
                None => terminal.size()?.width.saturating_sub(2) as usize,
            };
            let source = app.model.source();
            app.preview = preview::render(&source, &app.model.path, &payload, width, &env)
                .unwrap_or_else(|err| vec![format!("cannot render: {err}").into()]);
            app.stale = false;
        }
        terminal.draw(|frame| draw::draw(frame, &mut app))?;
        match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => keys::key(&mut app, key),
            Event::Mouse(mouse) => keys::mouse(&mut app, mouse),
            Event::Resize(..) => app.stale = true,
            _ => {}
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The payload the preview shows: the built-in sample (`--sample`), else the latest
/// recorded Claude Code session, else the sample.
fn payload(args: &RenderArgs, env: &Environment) -> (Vec<u8>, String) {
    let sample = || {
        let now = crate::engine::clock::unix_now();
        crate::setup::sample_payload(now).into_bytes()
    };
    if args.sample {
        return (sample(), "sample".into());
    }
    let pick = args
        .session
        .clone()
        .unwrap_or(crate::cache::sessions::SessionPick::Latest);
    let cwd = std::env::current_dir().ok();
    match crate::cache::sessions::SessionStore::existing(env)
        .and_then(|store| store.find(&pick, cwd.as_deref()))
    {
        Some(found) => {
            let id: String = crate::sanitize::clean(&found.id).collect();
            let short: String = id.chars().take(8).collect();
            (found.payload, format!("session {short}"))
        }
        None => (sample(), "sample".into()),
    }
}

/// Raw mode, the alternate screen and mouse capture, undone when dropped (also on a panic).
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> std::io::Result<TerminalGuard> {
        enable_raw_mode()?;
        let guard = TerminalGuard;
        execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(std::io::stdout(), DisableMouseCapture, LeaveAlternateScreen);
        let _ = disable_raw_mode();
    }
}
