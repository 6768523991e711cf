//! polybar output (a `custom/script` module with `tail = true` running `blinkline watch
//! --format polybar`): `%{F#rrggbb}text%{F-}` per segment, `%{r}` before the right-aligned
//! group, and every `%` in text doubled so it cannot open a polybar tag.

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink};
use crate::format::style::{tone_of, write_doubling, write_hex};
use crate::format::theme::Theme;
use crate::widgets::Charset;

/// Styled output for polybar.
pub struct PolybarSink {
    theme: Theme,
    separator: &'static str,
}

impl PolybarSink {
    pub fn new(theme: Theme, charset: Charset) -> Self {
        PolybarSink {
            theme,
            separator: crate::format::style::thin_separator(charset),
        }
    }
}

impl SegmentSink for PolybarSink {
    fn decoration_width(&self) -> usize {
        self.separator.chars().count()
    }

    fn begin_frame(&mut self, _out: &mut FrameBuffer) {}

    fn begin_line(&mut self, _out: &mut FrameBuffer, _line: u8) {}

    fn segment(
        &mut self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        position: usize,
        gap: usize,
    ) {
        if gap > 0 {
            out.push_str("%{r}");
        } else if position > 0 {
            out.push_str("%{F");
            write_hex(out, self.theme.separator);
            out.push_byte(b'}');
            out.push_str(self.separator);
            out.push_str("%{F-}");
        }
        out.push_str("%{F");
        write_hex(out, self.theme.color(segment.name, tone_of(segment)));
        out.push_byte(b'}');
        write_doubling(out, segment.text(), '%');
        out.push_str("%{F-}");
    }

    fn end_line(&mut self, out: &mut FrameBuffer, _line: u8, _last: bool) {
        out.push_byte(b'\n');
    }

    fn end_frame(&mut self, _out: &mut FrameBuffer) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::slots::Tone;
    use crate::format::test_support::render_segments;
    use crate::format::theme::DEFAULT_THEME;

    #[test]
    fn colours_use_f_tags_and_percent_is_doubled() {
        let out = render_segments(
            Box::new(PolybarSink::new(DEFAULT_THEME, Charset::Ascii)),
            &[
                ("context", "42%", Tone::Warn, false),
                ("time", "14:05", Tone::Normal, true),
            ],
            Some(60),
        );
        assert_eq!(out, "%{F#e0af68}42%%%{F-}%{r}%{F#9aa5ce}14:05%{F-}\n");
    }
}
