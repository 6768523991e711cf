//! tmux status-line output (`status-left`/`status-right` through `#(blinkline …)`, or
//! `watch --format tmux`): `#[fg=#rrggbb]text#[default]` per segment, a dim `│` between
//! segments, `#[align=right]` before the right-aligned group. Every `#` in text is doubled,
//! so a branch called `fix#12` cannot start a tmux format or style.

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink, SegmentState};
use crate::format::style::{SegmentStyle, style_at, text_color, write_doubling, write_hex};
use crate::format::theme::Theme;
use crate::widgets::Charset;

/// Styled output for tmux.
pub struct TmuxSink {
    theme: Theme,
    separator: &'static str,
    /// The user's style of each widget, in layout order.
    styles: Vec<SegmentStyle>,
}

impl TmuxSink {
    pub fn new(theme: Theme, charset: Charset) -> Self {
        TmuxSink {
            theme,
            separator: crate::format::style::thin_separator(charset),
            styles: Vec::new(),
        }
    }

    /// With the user's style of each widget (layout order).
    pub fn with_styles(mut self, styles: Vec<SegmentStyle>) -> Self {
        self.styles = styles;
        self
    }
}

impl SegmentSink for TmuxSink {
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
        let style = style_at(&self.styles, segment.index);
        if gap > 0 {
            out.push_str("#[align=right]");
        } else if position > 0 {
            out.push_str("#[fg=");
            write_hex(out, self.theme.separator);
            out.push_byte(b']');
            write_doubling(
                out,
                style.and_then(|s| s.separator).unwrap_or(self.separator),
                '#',
            );
            out.push_str("#[default]");
        }
        out.push_str("#[fg=");
        write_hex(out, text_color(&self.theme, &self.styles, segment));
        if let Some(style) = style {
            if let Some(bg) = style.bg {
                out.push_str(",bg=");
                write_hex(out, bg.rgb());
            }
            for (on, name) in [
                (style.bold, ",bold"),
                (style.dim, ",dim"),
                (style.italic, ",italics"),
                (style.underline, ",underscore"),
            ] {
                if on {
                    out.push_str(name);
                }
            }
        }
        if segment.state == SegmentState::Stale {
            out.push_str(",italics");
        }
        out.push_byte(b']');
        write_doubling(out, segment.text(), '#');
        out.push_str("#[default]");
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

    fn tmux(segments: &[(&'static str, &str, Tone, bool)]) -> String {
        render_segments(
            Box::new(TmuxSink::new(DEFAULT_THEME, Charset::Unicode)),
            segments,
            Some(80),
        )
    }

    #[test]
    fn a_styled_widget_gets_its_colours_attributes_and_separator() {
        use crate::format::theme::Color;
        let styles = vec![
            SegmentStyle::default(),
            SegmentStyle {
                fg: Some(Color::Index(15)),
                bg: Some(Color::parse("#005f87").unwrap()),
                bold: true,
                separator: Some(" #> "),
                ..SegmentStyle::default()
            },
        ];
        let out = render_segments(
            Box::new(TmuxSink::new(DEFAULT_THEME, Charset::Unicode).with_styles(styles)),
            &[
                ("model", "Opus", Tone::Normal, false),
                ("cost", "$9", Tone::Normal, false),
            ],
            Some(80),
        );
        assert_eq!(
            out,
            "#[fg=#c69cf2]Opus#[default]#[fg=#565f89] ##> #[default]\
             #[fg=#ffffff,bg=#005f87,bold]$9#[default]\n"
        );
    }

    #[test]
    fn a_hash_in_a_branch_name_is_doubled() {
        let out = tmux(&[("branch", "fix#12 #[fg=red]", Tone::Normal, false)]);
        assert_eq!(out, "#[fg=#c0caf5]fix##12 ##[fg=red]#[default]\n");
    }

    #[test]
    fn segments_are_coloured_separated_and_right_aligned() {
        let out = tmux(&[
            ("model", "Opus", Tone::Normal, false),
            ("cost", "$9", Tone::Critical, false),
            ("time", "14:05", Tone::Normal, true),
        ]);
        assert_eq!(
            out,
            "#[fg=#c69cf2]Opus#[default]#[fg=#565f89] \u{2502} #[default]#[fg=#f7768e]$9#[default]\
             #[align=right]#[fg=#9aa5ce]14:05#[default]\n"
        );
    }
}
