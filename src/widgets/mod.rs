//! Widgets: one file per widget behind the small [`Widget`] trait, listed in [`REGISTRY`].
//!
//! A widget reads the session (and the environment snapshot) from its [`RenderContext`] and
//! writes plain visible text into the slot content it is handed. It never allocates in
//! `render`, never writes escape sequences (styling is the format's job), and passes every
//! piece of untrusted text through [`crate::sanitize`]. Each file's `//!` doc is the
//! widget's user manual: what it shows, an example config, when it hides. Its options are
//! declared once with [`options::widget_options!`] (key, kind, default, doc comment), which
//! gives `build` its typed values and `INFO.options` the list that config checking,
//! `blinkline widgets` and docs/widgets.md use.
//!
//! Adding a widget: write `src/widgets/NAME.rs` with `pub const INFO: WidgetInfo`, then add
//! `pub mod NAME;` and `NAME::INFO` to [`REGISTRY`] below.

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::input::Session;
use crate::input::env::Environment;
use crate::input::shell::ShellContext;

pub mod options;
pub mod period;
pub mod style;
pub mod units;

// The widgets, one file each. Declared here rather than inside a macro so that `cargo fmt`
// formats them; `REGISTRY` below lists each once more, and a test checks the two agree.
pub mod added_dirs;
pub mod agent;
pub mod block;
pub mod burn_rate;
pub mod cache_timer;
pub mod char;
pub mod cmd_duration;
pub mod command;
pub mod compactions;
pub mod context;
pub mod context_1m;
pub mod cost;
pub mod cwd;
pub mod duration;
pub mod effort;
pub mod env;
pub mod exceeds_200k;
pub mod fast_mode;
pub mod git_branch;
pub mod git_status;
pub mod git_worktree;
pub mod jobs;
pub mod lines;
pub mod link;
pub mod messages;
pub mod model;
pub mod output_style;
pub mod pr;
pub mod project_dir;
pub mod rate_5h;
pub mod rate_7d;
pub mod rate_limits;
pub mod repo;
pub mod session;
pub mod session_tokens;
pub mod shlvl;
pub mod status;
pub mod text;
pub mod thinking;
pub mod time;
pub mod today;
pub mod token_speed;
pub mod tokens;
pub mod usage_block;
pub mod user_host;
pub mod venv;
pub mod version;
pub mod vim;
pub mod week;
pub mod worktree;

pub use options::{OptionError, Options};

/// How expensive a widget is to render, which decides where it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
    /// Microseconds: rendered inline by the frame owner.
    Cheap,
    /// May take milliseconds (I/O): rendered on a pool worker under a deadline.
    Slow,
}

/// Which glyphs widgets may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Charset {
    /// Nerd Font icons (private-use glyphs).
    NerdFont,
    /// Unicode symbols found in every modern font.
    #[default]
    Unicode,
    /// 7-bit ASCII only.
    Ascii,
}

impl Charset {
    /// Picks the glyph for this charset.
    pub fn pick<'g>(self, nerd: &'g str, unicode: &'g str, ascii: &'g str) -> &'g str {
        match self {
            Charset::NerdFont => nerd,
            Charset::Unicode => unicode,
            Charset::Ascii => ascii,
        }
    }

    /// The start of a warning marker: `⚠ ` (`! ` in ASCII).
    pub fn warning(self) -> &'static str {
        self.pick("\u{26a0} ", "\u{26a0} ", "! ")
    }

    /// What stands for text left out: `…` (`...` in ASCII).
    pub fn ellipsis(self) -> &'static str {
        self.pick("\u{2026}", "\u{2026}", "...")
    }

    /// Between the parts of one widget: ` · ` (` | ` in ASCII).
    pub fn dot(self) -> &'static str {
        self.pick(" \u{b7} ", " \u{b7} ", " | ")
    }
}

/// Everything a widget may read while rendering one frame.
pub struct RenderContext<'a> {
    pub session: &'a Session<'a>,
    /// The raw payload bytes the session was decoded from (for widgets that pass it on,
    /// like `command`).
    pub payload: &'a [u8],
    pub env: &'a Environment,
    /// Wall-clock time of the frame, seconds since the Unix epoch.
    pub now: i64,
    /// When the frame goes out. A widget whose work could run past it (hashing files
    /// for `git_status`) leaves that work to its refresher and shows its last value.
    pub deadline: std::time::Instant,
    pub charset: Charset,
    /// The renderer's transcript state, which transcript widgets share.
    pub transcripts: &'a crate::transcript::Transcripts,
    /// The renderer's git state, which git widgets share.
    pub git: &'a crate::git::probe::GitState,
    /// The shell's state when rendering a prompt (`blinkline prompt`, `watch`); `None` for
    /// a Claude Code render.
    pub shell: Option<&'a ShellContext>,
}

impl RenderContext<'_> {
    /// What the git probe reads of this frame.
    pub fn git_frame(&self) -> crate::git::probe::Frame<'_> {
        crate::git::probe::Frame {
            dir: self
                .session
                .current_dir()
                .or(self.env.process_cwd.as_deref()),
            env: self.env,
            now: self.now,
            deadline: self.deadline,
            git: self.git,
        }
    }
}

/// What a widget's deferred work may use once the frame is written.
pub struct AfterFrame<'a> {
    /// How to start the refreshers it sets off.
    pub refresher: &'a crate::cache::Refresher,
    /// The renderer's transcript state.
    pub transcripts: &'a crate::transcript::Transcripts,
    /// The renderer's git state.
    pub git: &'a crate::git::probe::GitState,
}

/// A status line widget.
pub trait Widget: Send + Sync {
    /// Renders into `out` (already empty). Returns `Hidden` when its data is absent.
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome;

    /// Where it runs; cheap widgets render inline.
    fn cost(&self) -> Cost {
        Cost::Cheap
    }

    /// How often the widget needs rendering in long-running modes (`watch`): `None` means
    /// every frame. Between refreshes its last value is shown as it is. One-shot renders
    /// always render every widget.
    fn refresh_interval(&self) -> Option<std::time::Duration> {
        None
    }

    /// Runs once the frame has been written (and between frames in long-running modes):
    /// the place for deferred work, such as starting a detached cache refresher after a
    /// render that had to show a stale value. Must not block.
    fn after_frame(&self, frame: &AfterFrame<'_>) {
        let _ = frame;
    }

    /// Forgets what the widget keeps between frames of what caches told it (a discovered
    /// repository, records read), so the next frame starts as a new process would. Used by
    /// `bench --cold`.
    fn forget_cached(&self) {}
}

/// A registry entry: how to find, document and build a widget.
pub struct WidgetInfo {
    pub name: &'static str,
    /// One line for `blinkline widgets` and `--help`.
    pub summary: &'static str,
    /// The options it accepts, declared with [`options::widget_options!`] (for config
    /// checking, did-you-mean, `blinkline widgets` and the widget reference).
    pub options: &'static [options::OptionSpec],
    /// The parts of its value a `format` string may name, beside the common `value` and
    /// `icon`, in the order the widget sets them ([`SlotContent::fields`]).
    pub fields: &'static [FieldSpec],
    pub build: fn(&Options) -> Result<Box<dyn Widget>, OptionError>,
}

/// One format field a widget declares: its name in a `format` string and what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub doc: &'static str,
}

/// Every widget, in the order `blinkline widgets` lists them.
pub const REGISTRY: &[WidgetInfo] = &[
    model::INFO,
    context::INFO,
    cost::INFO,
    duration::INFO,
    lines::INFO,
    rate_limits::INFO,
    cwd::INFO,
    time::INFO,
    tokens::INFO,
    context_1m::INFO,
    exceeds_200k::INFO,
    burn_rate::INFO,
    rate_5h::INFO,
    rate_7d::INFO,
    effort::INFO,
    thinking::INFO,
    fast_mode::INFO,
    output_style::INFO,
    version::INFO,
    session::INFO,
    vim::INFO,
    agent::INFO,
    worktree::INFO,
    git_worktree::INFO,
    pr::INFO,
    repo::INFO,
    added_dirs::INFO,
    project_dir::INFO,
    text::INFO,
    env::INFO,
    link::INFO,
    command::INFO,
    session_tokens::INFO,
    messages::INFO,
    compactions::INFO,
    cache_timer::INFO,
    token_speed::INFO,
    block::INFO,
    today::INFO,
    week::INFO,
    usage_block::INFO,
    git_branch::INFO,
    git_status::INFO,
    status::INFO,
    cmd_duration::INFO,
    jobs::INFO,
    user_host::INFO,
    shlvl::INFO,
    venv::INFO,
    char::INFO,
];

/// Looks a widget up by name.
pub fn find(name: &str) -> Option<&'static WidgetInfo> {
    REGISTRY.iter().find(|info| info.name == name)
}

/// The registered name closest to `name`, for did-you-mean hints.
pub fn closest(name: &str) -> Option<&'static str> {
    crate::util::closest(name, REGISTRY.iter().map(|i| i.name))
}

/// Sets the tone from a value and its warn/critical thresholds.
pub fn tone_for(value: f64, warn: f64, critical: f64) -> Tone {
    if value >= critical {
        Tone::Critical
    } else if value >= warn {
        Tone::Warn
    } else {
        Tone::Normal
    }
}

/// Writes a `[▰▰▰▱▱]`-style bar of `width` cells filled to `percent`.
pub fn write_bar(out: &mut impl core::fmt::Write, percent: f64, width: usize, charset: Charset) {
    let filled = ((percent.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize;
    let (full, empty) = match charset {
        Charset::Ascii => ("#", "-"),
        _ => ("\u{25B0}", "\u{25B1}"),
    };
    for cell in 0..width {
        let _ = out.write_str(if cell < filled { full } else { empty });
    }
}

/// Writes the clean form of an untrusted payload string and names its source; `Hidden`
/// when the string is absent or blank.
pub fn show_clean(out: &mut SlotContent, text: Option<&str>, source: &'static str) -> Outcome {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Outcome::Hidden;
    };
    crate::sanitize::push_clean(out, text);
    out.source = source;
    if out.text.trim().is_empty() {
        return Outcome::Hidden;
    }
    Outcome::Shown
}

#[cfg(test)]
pub mod testing;

#[cfg(test)]
mod ascii_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_widget_file_is_in_the_registry_under_its_file_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/widgets");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| {
                std::fs::read_to_string(path).is_ok_and(|text| {
                    text.starts_with("//!") && text.contains("\npub const INFO: WidgetInfo")
                })
            })
            .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut registered: Vec<String> = REGISTRY.iter().map(|i| i.name.to_owned()).collect();
        registered.sort();
        assert_eq!(files, registered);
    }

    #[test]
    fn every_option_of_every_widget_is_declared_once_with_a_doc() {
        for info in REGISTRY {
            let mut keys: Vec<&str> = info.options.iter().map(|o| o.key).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(
                keys.len(),
                info.options.len(),
                "{} repeats a key",
                info.name
            );
            for spec in info.options {
                assert!(
                    !spec.doc_line().is_empty() && !(spec.kind)().is_empty(),
                    "{}.{} has no doc or kind",
                    info.name,
                    spec.key
                );
            }
        }
    }

    #[test]
    fn an_unknown_key_is_rejected_with_the_declared_keys() {
        for info in REGISTRY {
            let options = Options::new(info.name).with("zzz", options::OptionValue::Int(1));
            let err = (info.build)(&options).err().expect("an unknown key fails");
            let keys: Vec<&str> = info.options.iter().map(|o| o.key).collect();
            let known = if keys.is_empty() {
                "none".to_owned()
            } else {
                keys.join(", ")
            };
            assert_eq!(
                (err.key.as_str(), err.message.ends_with(&known)),
                ("zzz", true)
            );
        }
    }

    #[test]
    fn every_declared_default_is_accepted_as_a_written_value() {
        for info in REGISTRY {
            let mut options = Options::new(info.name);
            for spec in info.options {
                let value = match spec.default_value() {
                    Some(default) => options::OptionValue::parse_cli(default.trim_matches('"')),
                    None => continue,
                };
                options.set(spec.key, value);
            }
            let required = info.options.iter().any(|o| o.default_value().is_none());
            let built = (info.build)(&options);
            assert!(
                required || built.is_ok(),
                "{}: its declared defaults are rejected: {:?}",
                info.name,
                built.err()
            );
        }
    }
}
