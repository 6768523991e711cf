//! Small pieces the non-ANSI formats share: the tone a segment is drawn in, tone names and
//! `#rrggbb` colours.

use std::fmt::Write as _;

use crate::engine::frame::{FrameBuffer, Segment, SegmentState};
use crate::engine::slots::Tone;
use crate::format::theme::Rgb;

/// The thin separator between segments: `│`, or `|` in ASCII.
pub fn thin_separator(charset: crate::widgets::Charset) -> &'static str {
    charset.pick(" \u{2502} ", " \u{2502} ", " | ")
}

/// The tone a segment is drawn in: stale values are muted, errors critical.
pub fn tone_of(segment: &Segment<'_>) -> Tone {
    match segment.state {
        SegmentState::Stale => Tone::Muted,
        SegmentState::Error => Tone::Critical,
        _ => segment.content.tone,
    }
}

/// The tone's name in JSON output and waybar classes.
pub fn tone_name(tone: Tone) -> &'static str {
    match tone {
        Tone::Normal => "normal",
        Tone::Good => "good",
        Tone::Warn => "warn",
        Tone::Critical => "critical",
        Tone::Muted => "muted",
    }
}

/// How bad a tone is, for picking the worst of a frame.
pub fn severity(tone: Tone) -> u8 {
    match tone {
        Tone::Critical => 3,
        Tone::Warn => 2,
        Tone::Normal | Tone::Good => 1,
        Tone::Muted => 0,
    }
}

/// Writes `#rrggbb`.
pub fn write_hex(out: &mut FrameBuffer, Rgb(r, g, b): Rgb) {
    let _ = write!(out, "#{r:02x}{g:02x}{b:02x}");
}

/// Writes `text` with every `ch` doubled (tmux `#`, polybar and zsh `%`).
pub fn write_doubling(out: &mut FrameBuffer, text: &str, ch: char) {
    let mut rest = text;
    while let Some(at) = rest.find(ch) {
        let end = at + ch.len_utf8();
        out.push_str(&rest[..end]);
        out.push_str(&rest[at..end]);
        rest = &rest[end..];
    }
    out.push_str(rest);
}
