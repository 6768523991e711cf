//! Output formats: one file per target, each a [`SegmentSink`] that turns the frame's
//! segments into bytes. `theme.rs` holds colours and their reduction to the terminal's
//! depth.
//!
//! | format | for | file |
//! |---|---|---|
//! | `ansi` | Claude Code, terminals (the default) | `ansi.rs` |
//! | `plain` | scripts, logs: no escape sequences | `plain.rs` |
//! | `json` | scripts and tests: every segment with its state and time | `json.rs` |

pub mod ansi;
pub mod json;
pub mod plain;
pub mod theme;
pub mod themes;

use crate::engine::frame::SegmentSink;
use crate::format::theme::{ColorDepth, Theme};

/// The output format chosen with `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Styled text with ANSI colours (what Claude Code shows).
    Ansi,
    /// Text without any escape sequence.
    Plain,
    /// One JSON array of segments per line: widget, text, state, micros.
    Json,
}

/// Builds the sink for a format from a full [`ansi::Look`] (theme, style, icons, widths).
pub fn make_styled_sink(format: OutputFormat, look: ansi::Look) -> Box<dyn SegmentSink + Send> {
    match format {
        OutputFormat::Ansi => Box::new(ansi::AnsiSink::with_look(look)),
        OutputFormat::Plain => Box::new(ansi::AnsiSink::with_look(ansi::Look {
            depth: ColorDepth::None,
            ..look
        })),
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
    }
}
