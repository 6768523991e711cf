//! Output formats: one file per target, each a [`SegmentSink`] that turns the frame's
//! segments into bytes. `theme.rs` holds colours and their reduction to the terminal's
//! depth.
//!
//! | format | for | file |
//! |---|---|---|
//! | `ansi` | Claude Code, terminals (the default) | `ansi.rs` |
//! | `plain` | scripts, logs: no escape sequences | `plain.rs` |
//! | `json` | scripts and tests: every segment with its state and time | `json.rs` |
//! | `tmux` | tmux `status-left`/`status-right` (`#[fg=…]` styles) | `tmux.rs` |
//! | `i3bar` | i3bar and swaybar (`status_command`) | `i3bar.rs` |
//! | `waybar` | waybar `custom` modules (`return-type: json`) | `waybar.rs` |
//! | `polybar` | polybar `custom/script` modules (`%{F…}` tags) | `polybar.rs` |
//! | `zsh`, `bash`, `fish` | shell prompts (escapes wrapped for the line editor) | `shell.rs` |

pub mod ansi;
pub mod i3bar;
pub mod icon_sets;
pub mod json;
pub mod paint;
pub mod pango;
pub mod plain;
pub mod polybar;
pub mod shell;
pub mod style;
#[cfg(test)]
pub mod test_support;
pub mod theme;
pub mod themes;
pub mod tmux;
pub mod waybar;

use crate::engine::frame::SegmentSink;
use crate::format::theme::{ColorDepth, Theme};
use crate::input::shell::ShellKind;

/// The output format chosen with `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Styled text with ANSI colours (what Claude Code shows).
    Ansi,
    /// Text without any escape sequence.
    Plain,
    /// One JSON array of segments per line: widget, text, style, state, micros.
    Json,
    /// tmux status line: #[fg=…] styles, `#` doubled.
    Tmux,
    /// The i3bar/swaybar protocol: a header, then an endless JSON array of block arrays.
    I3bar,
    /// waybar custom module JSON: {"text","tooltip","class","percentage"} per line.
    Waybar,
    /// polybar %{F#…} tags.
    Polybar,
    /// A zsh prompt (escapes inside %{ %}).
    Zsh,
    /// A bash prompt (escapes inside \[ \]).
    Bash,
    /// A fish prompt.
    Fish,
}

/// Builds the sink for a format from a full [`ansi::Look`] (theme, style, icons, widths).
pub fn make_styled_sink(format: OutputFormat, look: ansi::Look) -> Box<dyn SegmentSink + Send> {
    match format {
        OutputFormat::Ansi => Box::new(ansi::AnsiSink::with_look(look)),
        OutputFormat::Plain => Box::new(ansi::AnsiSink::with_look(ansi::Look {
            depth: ColorDepth::None,
            ..look
        })),
        OutputFormat::Tmux => {
            Box::new(tmux::TmuxSink::new(look.theme, look.charset).with_styles(look.styles))
        }
        OutputFormat::I3bar => {
            Box::new(i3bar::I3barSink::new(look.theme, true).with_styles(look.styles))
        }
        OutputFormat::Waybar => {
            Box::new(waybar::WaybarSink::new(look.charset).with_styles(look.theme, look.styles))
        }
        OutputFormat::Polybar => {
            Box::new(polybar::PolybarSink::new(look.theme, look.charset).with_styles(look.styles))
        }
        OutputFormat::Zsh | OutputFormat::Bash | OutputFormat::Fish => {
            let shell = match format {
                OutputFormat::Zsh => ShellKind::Zsh,
                OutputFormat::Bash => ShellKind::Bash,
                _ => ShellKind::Fish,
            };
            Box::new(
                shell::ShellSink::new(shell, look.theme, look.depth, false)
                    .with_styles(look.styles),
            )
        }
        other => make_sink(other, look.theme, look.depth, look.charset),
    }
}

/// Builds the sink for a format, once per process.
pub fn make_sink(
    format: OutputFormat,
    theme: Theme,
    depth: ColorDepth,
    charset: crate::widgets::Charset,
) -> Box<dyn SegmentSink + Send> {
    match format {
        OutputFormat::Ansi => Box::new(ansi::AnsiSink::new(theme, depth, charset)),
        OutputFormat::Plain => Box::new(plain::plain_sink(charset)),
        OutputFormat::Json => Box::new(json::JsonSink),
        OutputFormat::Tmux => Box::new(tmux::TmuxSink::new(theme, charset)),
        OutputFormat::I3bar => Box::new(i3bar::I3barSink::new(theme, true)),
        OutputFormat::Waybar => Box::new(waybar::WaybarSink::new(charset)),
        OutputFormat::Polybar => Box::new(polybar::PolybarSink::new(theme, charset)),
        OutputFormat::Zsh => Box::new(shell::ShellSink::new(ShellKind::Zsh, theme, depth, false)),
        OutputFormat::Bash => Box::new(shell::ShellSink::new(ShellKind::Bash, theme, depth, false)),
        OutputFormat::Fish => Box::new(shell::ShellSink::new(ShellKind::Fish, theme, depth, false)),
    }
}
