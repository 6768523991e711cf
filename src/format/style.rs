//! Small pieces the non-ANSI formats share: the tone a segment is drawn in, tone names and
//! `#rrggbb` colours.

use std::fmt::Write as _;

use crate::engine::frame::{FrameBuffer, Segment, SegmentState};
use crate::engine::slots::Tone;
use crate::format::theme::{Color, Rgb};
use crate::widgets::Charset;
use crate::widgets::style::WidgetStyle;

/// What a user's style (`[widget.NAME]` `fg`, `bold`, `icon`, `separator`, …) asks of an
/// output format for one widget of the layout. Formats keep one per widget, in layout
/// order, and find it by the segment's index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SegmentStyle {
    pub fg: Option<Color>,
    pub bg: Option<Color>,
    pub bold: bool,
    pub italic: bool,
    pub dim: bool,
    pub underline: bool,
    /// Drawn instead of the icon set's icon (`Some("")`: no icon, the format places it).
    pub icon: Option<&'static str>,
    /// Drawn before the segment instead of the format's own separator.
    pub separator: Option<&'static str>,
}

impl SegmentStyle {
    /// The sink's part of `style`, its texts leaked once for the process (as themes are).
    pub fn of(style: &WidgetStyle, charset: Charset) -> SegmentStyle {
        let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
        let icon = if style.format.as_ref().is_some_and(|f| f.has_icon()) {
            Some("")
        } else {
            style.icon.clone().map(leak)
        };
        SegmentStyle {
            fg: style.fg,
            bg: style.bg,
            bold: style.bold,
            italic: style.italic,
            dim: style.dim,
            underline: style.underline,
            icon,
            separator: style.separator.as_ref().map(|s| leak(s.glyph(charset))),
        }
    }

    /// Whether any text attribute is set.
    pub fn has_attributes(&self) -> bool {
        self.bold || self.italic || self.dim || self.underline
    }

    /// The SGR sequence of the attributes (`ESC[1;4m`), empty when none is set.
    pub fn write_sgr_attributes(&self, out: &mut impl std::fmt::Write) {
        if !self.has_attributes() {
            return;
        }
        let codes = [
            (self.bold, "1"),
            (self.dim, "2"),
            (self.italic, "3"),
            (self.underline, "4"),
        ];
        let _ = out.write_str("\x1b[");
        let mut first = true;
        for (_, code) in codes.iter().filter(|(on, _)| *on) {
            if !first {
                let _ = out.write_char(';');
            }
            let _ = out.write_str(code);
            first = false;
        }
        let _ = out.write_char('m');
    }
}

/// The user's style of the segment at `index`, if any (none for the notice).
pub fn style_at(styles: &[SegmentStyle], index: usize) -> Option<&SegmentStyle> {
    styles.get(index)
}

/// A segment's text colour: the user's `fg` in the normal tone, else the theme's.
pub fn text_color(
    theme: &crate::format::theme::Theme,
    styles: &[SegmentStyle],
    segment: &Segment<'_>,
) -> Rgb {
    let tone = tone_of(segment);
    match style_at(styles, segment.index).and_then(|s| s.fg) {
        Some(fg) if tone == Tone::Normal => fg.rgb(),
        _ => theme.color(segment.name, tone),
    }
}

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
