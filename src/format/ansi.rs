//! ANSI output in four styles: `classic` (each segment in its colour, joined by a dim thin
//! separator), `powerline` (segments on coloured backgrounds joined by arrows), `capsule`
//! (rounded segments) and `plain` (no colour; also what every style becomes when the colour
//! depth is none).
//!
//! Each line starts with `ESC[0m`, which undoes the dimming Claude Code applies to the
//! status row. Right-aligned segments are pushed to the edge with U+00A0 (no-break space),
//! because Claude Code strips ordinary leading spaces. Every segment ends with a reset, so
//! a cut frame never leaves a colour on. A segment with a link (`SlotContent::link`, a
//! validated http(s) URL) is wrapped in an OSC 8 hyperlink; unstyled output has no links.
//! a cut frame never leaves a colour on. Icons (data: `icons.toml`) are put before a
//! segment's text here: widgets never draw them.
//!
//! The widths the sink adds (separators, padding, caps, icons) are reported to the frame
//! assembler through [`SegmentSink`]'s width methods, measured with the same
//! [`WidthRules`] as the text, so a line is fitted before it is styled.

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink, SegmentState};
use crate::engine::slots::Tone;
use crate::format::theme::{ColorDepth, Rgb, Style, Theme, write_bg, write_fg};
use crate::format::themes::IconTable;
use crate::widgets::Charset;
use crate::width::WidthRules;

const RESET: &str = "\x1b[0m";
const NBSP: &str = "\u{a0}";

/// Everything that decides how a frame looks.
#[derive(Clone, Debug)]
pub struct Look {
    pub theme: Theme,
    pub depth: ColorDepth,
    pub charset: Charset,
    /// Widget icons for the charset; empty when icons are off.
    pub icons: IconTable,
    pub rules: WidthRules,
}

impl Look {
    /// The classic theme without icons.
    pub fn classic(depth: ColorDepth, charset: Charset) -> Self {
        Look {
            theme: crate::format::theme::DEFAULT_THEME,
            depth,
            charset,
            icons: &[],
            rules: WidthRules::default(),
        }
    }
}

/// Styled terminal output.
pub struct AnsiSink {
    look: Look,
    style: Style,
    separator: &'static str,
    /// Powerline arrows or capsule caps: (left group / opening, right group / closing).
    glyphs: (&'static str, &'static str),
    /// Display widths of `separator` and of one glyph.
    separator_width: usize,
    glyph_width: usize,
    /// Background of the previous powerline segment of the group.
    prev_bg: Option<Rgb>,
    /// A powerline left group still waits for its closing arrow.
    left_open: bool,
}

impl AnsiSink {
    pub fn new(theme: Theme, depth: ColorDepth, charset: Charset) -> Self {
        Self::with_look(Look {
            theme,
            ..Look::classic(depth, charset)
        })
    }

    pub fn with_look(look: Look) -> Self {
        let style = if look.depth == ColorDepth::None {
            Style::Plain
        } else {
            look.theme.style
        };
        let pick = |nerd, unicode, ascii| look.charset.pick(nerd, unicode, ascii);
        let separator = pick(" \u{2502} ", " \u{2502} ", " | ");
        let glyphs = match style {
            Style::Capsule => (
                pick("\u{e0b6}", "\u{2590}", "["),
                pick("\u{e0b4}", "\u{258c}", "]"),
            ),
            _ => (
                pick("\u{e0b0}", "\u{25b6}", ">"),
                pick("\u{e0b2}", "\u{25c0}", "<"),
            ),
        };
        AnsiSink {
            separator_width: look.rules.width(separator),
            glyph_width: look.rules.width(glyphs.0),
            style,
            separator,
            glyphs,
            look,
            prev_bg: None,
            left_open: false,
        }
    }

    pub(crate) fn with_separator(theme: Theme, depth: ColorDepth, separator: &'static str) -> Self {
        let mut sink = Self::new(theme, depth, Charset::Unicode);
        sink.separator = separator;
        sink.separator_width = sink.look.rules.width(separator);
        sink
    }

    fn icon(&self, name: &str) -> Option<&'static str> {
        self.look
            .icons
            .iter()
            .find(|(widget, _)| *widget == name)
            .map(|(_, icon)| *icon)
    }

    fn fg(&self, out: &mut FrameBuffer, rgb: Rgb) {
        write_fg(out, rgb, self.look.depth);
    }

    fn bg(&self, out: &mut FrameBuffer, rgb: Rgb) {
        write_bg(out, rgb, self.look.depth);
    }

    fn text(&self, out: &mut FrameBuffer, segment: &Segment<'_>) {
        if let Some(icon) = self.icon(segment.name) {
            out.push_str(icon);
            out.push_byte(b' ');
        }
        let link = if self.look.depth != ColorDepth::None {
            segment.content.link.as_str()
        } else {
            ""
        };
        if !link.is_empty() {
            // OSC 8: ESC ] 8 ; ; URL ESC \ text ESC ] 8 ; ; ESC \ (the URL was validated).
            out.push_str("\x1b]8;;");
            out.push_str(link);
            out.push_str("\x1b\\");
        }
        out.push_str(segment.text());
        if !link.is_empty() {
            out.push_str("\x1b]8;;\x1b\\");
        }
    }

    /// Ends a powerline left group with its arrow.
    fn close_left(&mut self, out: &mut FrameBuffer) {
        if let (true, Some(bg)) = (self.left_open, self.prev_bg) {
            out.push_str(RESET);
            self.fg(out, bg);
            out.push_str(self.glyphs.0);
            out.push_str(RESET);
        }
        self.left_open = false;
        self.prev_bg = None;
    }

    fn classic(&self, out: &mut FrameBuffer, segment: &Segment<'_>, accent: Rgb, first: bool) {
        let styled = self.style != Style::Plain;
        if !first {
            if styled {
                self.fg(out, self.look.theme.separator);
                out.push_str(self.separator);
                out.push_str(RESET);
            } else {
                out.push_str(self.separator);
            }
        }
        if styled {
            self.fg(out, accent);
            if segment.state == SegmentState::Stale {
                out.push_str("\x1b[3m");
            }
        }
        self.text(out, segment);
        if styled {
            out.push_str(RESET);
        }
    }

    fn powerline(&mut self, out: &mut FrameBuffer, segment: &Segment<'_>, accent: Rgb, gap: usize) {
        if segment.placement.right {
            if gap > 0 {
                self.close_left(out);
                push_gap(out, gap);
            }
            self.fg(out, accent);
            if let Some(prev) = self.prev_bg {
                self.bg(out, prev);
            }
            out.push_str(self.glyphs.1);
        } else if let Some(prev) = self.prev_bg {
            self.fg(out, prev);
            self.bg(out, accent);
            out.push_str(self.glyphs.0);
        }
        self.left_open = !segment.placement.right;
        self.bg(out, accent);
        self.fg(out, self.look.theme.ink);
        out.push_byte(b' ');
        self.text(out, segment);
        out.push_byte(b' ');
        out.push_str(RESET);
        self.prev_bg = Some(accent);
    }

    fn capsule(&self, out: &mut FrameBuffer, segment: &Segment<'_>, accent: Rgb, first: bool) {
        if !first {
            out.push_byte(b' ');
        }
        self.fg(out, accent);
        out.push_str(self.glyphs.0);
        self.bg(out, accent);
        self.fg(out, self.look.theme.ink);
        self.text(out, segment);
        out.push_str(RESET);
        self.fg(out, accent);
        out.push_str(self.glyphs.1);
        out.push_str(RESET);
    }
}

fn push_gap(out: &mut FrameBuffer, gap: usize) {
    for _ in 0..gap {
        out.push_str(NBSP);
    }
}

impl SegmentSink for AnsiSink {
    fn decoration_width(&self) -> usize {
        match self.style {
            Style::Classic | Style::Plain => self.separator_width,
            Style::Powerline => self.glyph_width,
            Style::Capsule => 1,
        }
    }

    fn segment_extra_width(&self, name: &str) -> usize {
        let icon = self
            .icon(name)
            .map_or(0, |icon| self.look.rules.width(icon) + 1);
        icon + match self.style {
            Style::Classic | Style::Plain => 0,
            Style::Powerline => 2,
            Style::Capsule => 2 * self.glyph_width,
        }
    }

    fn group_extra_width(&self) -> usize {
        if self.style == Style::Powerline {
            self.glyph_width
        } else {
            0
        }
    }

    fn begin_frame(&mut self, _out: &mut FrameBuffer) {}

    fn begin_line(&mut self, out: &mut FrameBuffer, _line: u8) {
        self.prev_bg = None;
        self.left_open = false;
        if self.style != Style::Plain {
            out.push_str(RESET);
        }
    }

    fn segment(
        &mut self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        position: usize,
        gap: usize,
    ) {
        let tone = match segment.state {
            SegmentState::Stale => Tone::Muted,
            SegmentState::Error => Tone::Critical,
            _ => segment.content.tone,
        };
        let accent = self.look.theme.color(segment.name, tone);
        if self.style == Style::Powerline {
            return self.powerline(out, segment, accent, gap);
        }
        if gap > 0 {
            push_gap(out, gap);
        }
        let first = gap > 0 || position == 0;
        match self.style {
            Style::Capsule => self.capsule(out, segment, accent, first),
            _ => self.classic(out, segment, accent, first),
        }
    }

    fn end_line(&mut self, out: &mut FrameBuffer, _line: u8, _last: bool) {
        if self.style == Style::Powerline {
            self.close_left(out);
        }
        out.push_byte(b'\n');
    }

    fn end_frame(&mut self, _out: &mut FrameBuffer) {}
}
