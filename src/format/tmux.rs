//! tmux status-line output (`status-left`/`status-right` through `#(blinkline …)`, or
//! `watch --format tmux`): `#[fg=#rrggbb]text#[default]` per segment, a dim `│` between
//! segments, `#[align=right]` before the right-aligned group. Every `#` in text is doubled,
//! so a branch called `fix#12` cannot start a tmux format or style.
//!
//! With a theme in the powerline or capsule style, each segment is a block on its own
//! background (`#[fg=INK,bg=ACCENT] text `), and blocks sit side by side: readable on any
//! status bar, tmux's default green one included. A widget's `bg`/`fg` style colours its
//! segment in either mode.

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink, SegmentState};
use crate::engine::slots::Tone;
use crate::format::style::{
    SegmentStyle, style_at, text_color, tone_of, write_doubling, write_hex,
};
use crate::format::theme::{Style, Theme};
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

    /// Segments are drawn as blocks on their own background.
    fn blocks(&self) -> bool {
        matches!(self.theme.style, Style::Powerline | Style::Capsule)
    }

    /// One segment as a block: the accent (or the user's `bg`) behind ink (or the
    /// user's `fg`); warn and critical tones colour the block.
    fn block(
        &self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        style: Option<&SegmentStyle>,
        gap: usize,
    ) {
        if gap > 0 {
            out.push_str("#[align=right]");
        }
        let tone = tone_of(segment);
        let bg = match style.and_then(|s| s.bg) {
            Some(bg) if tone == Tone::Normal => bg.rgb(),
            _ => self.theme.color(segment.name, tone),
        };
        let fg = style.and_then(|s| s.fg).map_or(self.theme.ink, |c| c.rgb());
        out.push_str("#[fg=");
        write_hex(out, fg);
        out.push_str(",bg=");
        write_hex(out, bg);
        if let Some(style) = style {
            push_attributes(out, style);
        }
        if segment.state == SegmentState::Stale {
            out.push_str(",italics");
        }
        out.push_str("] ");
        write_doubling(out, segment.text(), '#');
        out.push_str(" #[default]");
    }
}

/// The user's attributes as tmux style words (`,bold,underscore`).
fn push_attributes(out: &mut FrameBuffer, style: &SegmentStyle) {
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

impl SegmentSink for TmuxSink {
    fn decoration_width(&self) -> usize {
        if self.blocks() {
            0
        } else {
            self.separator.chars().count()
        }
    }

    fn segment_extra_width(&self, _name: &str) -> usize {
        if self.blocks() { 2 } else { 0 }
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
        if self.blocks() {
            return self.block(out, segment, style, gap);
        }
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
            push_attributes(out, style);
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
    fn a_powerline_theme_draws_blocks_on_their_own_background() {
        let theme = crate::format::themes::builtin_theme("nord")
            .unwrap()
            .unwrap();
        let styles = vec![
            SegmentStyle::default(),
            SegmentStyle {
                bg: Some(crate::format::theme::Color::Index(22)),
                ..SegmentStyle::default()
            },
        ];
        let out = render_segments(
            Box::new(TmuxSink::new(theme, Charset::Unicode).with_styles(styles)),
            &[
                ("model", "Opus#1", Tone::Normal, false),
                ("cost", "$9", Tone::Normal, false),
                ("time", "14:05", Tone::Critical, true),
            ],
            Some(80),
        );
        assert_eq!(
            out,
            "#[fg=#2e3440,bg=#b48ead] Opus##1 #[default]#[fg=#2e3440,bg=#005f00] $9 #[default]\
             #[align=right]#[fg=#2e3440,bg=#bf616a] 14:05 #[default]\n"
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
