//! ANSI output: each segment in its theme colour, joined by a dim separator.
//!
//! The frame starts with `ESC[0m`, which undoes the dimming Claude Code applies to the
//! status row. Right-aligned segments are pushed to the edge with U+00A0 (no-break space),
//! because Claude Code strips ordinary leading spaces. Every segment ends with a reset, so
//! a cut frame never leaves a colour on. A segment with a link (`SlotContent::link`, a
//! validated http(s) URL) is wrapped in an OSC 8 hyperlink; unstyled output has no links.

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink, SegmentState};
use crate::engine::slots::Tone;
use crate::format::theme::{ColorDepth, Theme, write_fg};
use crate::widgets::Charset;

const RESET: &str = "\x1b[0m";
const NBSP: &str = "\u{a0}";

/// Styled terminal output.
pub struct AnsiSink {
    theme: Theme,
    depth: ColorDepth,
    separator: &'static str,
}

impl AnsiSink {
    pub fn new(theme: Theme, depth: ColorDepth, charset: Charset) -> Self {
        AnsiSink {
            theme,
            depth,
            separator: charset.pick(" \u{2502} ", " \u{2502} ", " | "),
        }
    }

    pub(crate) fn with_separator(theme: Theme, depth: ColorDepth, separator: &'static str) -> Self {
        AnsiSink {
            theme,
            depth,
            separator,
        }
    }

    fn styled(&self) -> bool {
        self.depth != ColorDepth::None
    }
}

impl SegmentSink for AnsiSink {
    fn decoration_width(&self) -> usize {
        self.separator.chars().count()
    }

    fn begin_frame(&mut self, _out: &mut FrameBuffer) {}

    fn begin_line(&mut self, out: &mut FrameBuffer, _line: u8) {
        if self.styled() {
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
        if gap > 0 {
            for _ in 0..gap {
                out.push_str(NBSP);
            }
        } else if position > 0 {
            if self.styled() {
                write_fg(out, self.theme.separator, self.depth);
                out.push_str(self.separator);
                out.push_str(RESET);
            } else {
                out.push_str(self.separator);
            }
        }
        let tone = match segment.state {
            SegmentState::Stale => Tone::Muted,
            SegmentState::Error => Tone::Critical,
            _ => segment.content.tone,
        };
        if self.styled() {
            write_fg(out, self.theme.color(segment.name, tone), self.depth);
            if segment.state == SegmentState::Stale {
                out.push_str("\x1b[3m");
            }
        }
        let link = if self.styled() {
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
        if self.styled() {
            out.push_str(RESET);
        }
    }

    fn end_line(&mut self, out: &mut FrameBuffer, _line: u8, _last: bool) {
        out.push_byte(b'\n');
    }

    fn end_frame(&mut self, _out: &mut FrameBuffer) {}
}
