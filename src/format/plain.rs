//! Plain output: the same line as `ansi` without a single escape sequence.

use crate::format::ansi::AnsiSink;
use crate::format::theme::{ColorDepth, DEFAULT_THEME};
use crate::widgets::Charset;

/// A sink that writes text and separators only.
pub fn plain_sink(charset: Charset) -> AnsiSink {
    AnsiSink::with_separator(
        DEFAULT_THEME,
        ColorDepth::None,
        crate::format::style::thin_separator(charset),
    )
}
