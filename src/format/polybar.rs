//! polybar output (a `custom/script` module with `tail = true` running `blinkline watch
//! --format polybar`): `%{F#rrggbb}text%{F-}` per segment, `%{r}` before the right-aligned
//! group, and every `%` in text doubled so it cannot open a polybar tag.

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink};
use crate::format::style::{SegmentStyle, style_at, text_color, write_doubling, write_hex};
use crate::format::theme::Theme;
use crate::widgets::Charset;

/// Styled output for polybar.
pub struct PolybarSink {
    theme: Theme,
    separator: &'static str,
    /// The user's style of each widget, in layout order.
    styles: Vec<SegmentStyle>,
}

impl PolybarSink {
    pub fn new(theme: Theme, charset: Charset) -> Self {
        PolybarSink {
            theme,
            separator: crate::format::style::thin_separator(charset),
            styles: Vec::new(),
        }
    }

    /// With the user's style of each widget (layout order). Polybar has no bold or
    /// italic tags (those are fonts): `fg`, `bg` and `underline` are drawn.
    pub fn with_styles(mut self, styles: Vec<SegmentStyle>) -> Self {
        self.styles = styles;
        self
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
            let style = style_at(&self.styles, segment.index);
            write_doubling(
                out,
                style.and_then(|s| s.separator).unwrap_or(self.separator),
                '%',
            );
            out.push_str("%{F-}");
        }
        let style = style_at(&self.styles, segment.index);
        let bg = style.and_then(|s| s.bg);
        let underline = style.is_some_and(|s| s.underline);
        out.push_str("%{F");
        write_hex(out, text_color(&self.theme, &self.styles, segment));
        out.push_byte(b'}');
        if let Some(bg) = bg {
            out.push_str("%{B");
            write_hex(out, bg.rgb());
            out.push_byte(b'}');
        }
        if underline {
            out.push_str("%{+u}");
        }
        write_doubling(out, segment.text(), '%');
        if underline {
            out.push_str("%{-u}");
        }
        if bg.is_some() {
            out.push_str("%{B-}");
        }
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
    fn a_styled_widget_gets_background_underline_and_its_separator() {
        use crate::format::theme::Color;
        let styles = vec![
            SegmentStyle::default(),
            SegmentStyle {
                fg: Some(Color::Index(1)),
                bg: Some(Color::parse("#101010").unwrap()),
                underline: true,
                separator: Some(" 100% "),
                ..SegmentStyle::default()
            },
        ];
        let out = render_segments(
            Box::new(PolybarSink::new(DEFAULT_THEME, Charset::Ascii).with_styles(styles)),
            &[
                ("model", "Opus", Tone::Normal, false),
                ("cost", "$9", Tone::Warn, false),
            ],
            Some(80),
        );
        // A warn tone keeps its colour over the user's `fg`.
        assert_eq!(
            out,
            "%{F#c69cf2}Opus%{F-}%{F#565f89} 100%% %{F-}\
             %{F#e0af68}%{B#101010}%{+u}$9%{-u}%{B-}%{F-}\n"
        );
    }

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
