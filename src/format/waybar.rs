//! waybar output (a `custom` module with `"return-type": "json"` running `blinkline watch
//! --format waybar`): one JSON object per frame and line:
//! `{"text":"…","tooltip":"…","class":"warn","percentage":42}`.
//!
//! - `text`: the segments joined by ` │ ` (` | ` with `--charset ascii`), as Pango markup
//!   (waybar renders `text` as markup): every text escaped (`&`, `<`, `>`, quotes), and a
//!   widget the user styled (`fg`, `bg`, `bold`, `italic`, `dim`, `underline`, a `separator`)
//!   in a `<span>` of its style (`format/pango.rs`); a widget without a style stays plain
//!   text, coloured by waybar's CSS;
//! - `tooltip`: one `widget: text` line per segment;
//! - `class`: the worst tone of the frame (`normal`, `good`, `warn`, `critical`, `muted`),
//!   for CSS;
//! - `percentage`: the used share of the context window, from the `context` widget (the
//!   number before the `%` of its short form, else of its text); left out when the line
//!   has no `context` segment. Other segments are never read for it: a directory named
//!   `50% off` or a rate-limit window must not pose as the context.

use arrayvec::ArrayString;
use std::fmt::Write as _;

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink};
use crate::engine::slots::Tone;
use crate::format::json::write_json_string;
use crate::format::pango;
use crate::format::style::{
    SegmentStyle, severity, style_at, text_color, thin_separator, tone_name, tone_of,
};
use crate::format::theme::{DEFAULT_THEME, Theme};
use crate::widgets::Charset;

const TEXT_CAPACITY: usize = 2048;

/// The widget whose value is waybar's `percentage`.
const PERCENTAGE_OWNER: &str = "context";

/// The `context` widget's value: its short form (`42%`, whatever the style) when it has one.
fn context_value<'s>(segment: &'s Segment<'_>) -> &'s str {
    if segment.content.short.is_empty() {
        &segment.content.text
    } else {
        &segment.content.short
    }
}

/// JSON objects for waybar.
pub struct WaybarSink {
    separator: &'static str,
    theme: Theme,
    /// The user's style of each widget, in layout order.
    styles: Vec<SegmentStyle>,
    text: ArrayString<TEXT_CAPACITY>,
    tooltip: ArrayString<TEXT_CAPACITY>,
    worst: Option<Tone>,
    percentage: Option<u32>,
}

impl Default for WaybarSink {
    fn default() -> Self {
        WaybarSink::new(Charset::Unicode)
    }
}

impl WaybarSink {
    /// A sink whose separator between segments suits `charset`.
    pub fn new(charset: Charset) -> Self {
        WaybarSink {
            separator: thin_separator(charset),
            theme: DEFAULT_THEME,
            styles: Vec::new(),
            text: ArrayString::new(),
            tooltip: ArrayString::new(),
            worst: None,
            percentage: None,
        }
    }

    /// With the theme and the user's style of each widget (layout order): a styled widget's
    /// text goes in a Pango span (its `fg` in the normal tone, the theme's colour of a warn
    /// or critical tone), its `separator` replaces the thin one.
    pub fn with_styles(mut self, theme: Theme, styles: Vec<SegmentStyle>) -> Self {
        self.theme = theme;
        self.styles = styles;
        self
    }
}

/// Appends `s` escaped for Pango markup, as much as fits.
fn push_markup(out: &mut ArrayString<TEXT_CAPACITY>, s: &str) {
    pango::push_escaped(&mut pango::Cut(out), s);
}

/// The number just before the first `%` of `text` (`38% ▰▰` → 38).
fn percent_in(text: &str) -> Option<u32> {
    let head = &text[..text.find('%')?];
    let digits = head.len()
        - head
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .len();
    head[head.len() - digits..]
        .parse::<f64>()
        .ok()
        .map(|p| p.round().clamp(0.0, 100.0) as u32)
}

impl SegmentSink for WaybarSink {
    fn begin_frame(&mut self, _out: &mut FrameBuffer) {}

    fn begin_line(&mut self, _out: &mut FrameBuffer, _line: u8) {
        self.text.clear();
        self.tooltip.clear();
        self.worst = None;
        self.percentage = None;
    }

    fn segment(
        &mut self,
        _out: &mut FrameBuffer,
        segment: &Segment<'_>,
        _position: usize,
        _gap: usize,
    ) {
        let style = style_at(&self.styles, segment.index);
        if !self.text.is_empty() {
            let separator = style.and_then(|s| s.separator).unwrap_or(self.separator);
            push_markup(&mut self.text, separator);
            let _ = self.tooltip.try_push('\n');
        }
        let fg = style
            .and_then(|s| s.fg)
            .map(|_| text_color(&self.theme, &self.styles, segment));
        pango::push_styled(&mut pango::Cut(&mut self.text), segment.text(), style, fg);
        push_markup(&mut self.tooltip, segment.name);
        let _ = self.tooltip.try_push_str(": ");
        push_markup(&mut self.tooltip, &segment.content.text);
        let tone = tone_of(segment);
        if self.worst.is_none_or(|w| severity(tone) > severity(w)) {
            self.worst = Some(tone);
        }
        if self.percentage.is_none() && segment.name == PERCENTAGE_OWNER {
            self.percentage = percent_in(context_value(segment));
        }
    }

    fn end_line(&mut self, out: &mut FrameBuffer, _line: u8, _last: bool) {
        out.push_str("{\"text\":");
        write_json_string(out, &self.text);
        out.push_str(",\"tooltip\":");
        write_json_string(out, &self.tooltip);
        out.push_str(",\"class\":\"");
        out.push_str(tone_name(self.worst.unwrap_or(Tone::Normal)));
        out.push_byte(b'"');
        if let Some(p) = self.percentage {
            let _ = write!(out, ",\"percentage\":{p}");
        }
        out.push_str("}\n");
    }

    fn end_frame(&mut self, _out: &mut FrameBuffer) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_support::render_segments;

    #[test]
    fn each_line_is_a_waybar_json_object() {
        let out = render_segments(
            Box::new(WaybarSink::default()),
            &[
                ("model", "Opus <4.6> & co", Tone::Normal, false),
                ("context", "38% \u{25b0}\u{25b1}", Tone::Warn, false),
            ],
            None,
        );
        let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert_eq!(
            v["text"],
            "Opus &lt;4.6&gt; &amp; co \u{2502} 38% \u{25b0}\u{25b1}"
        );
        assert_eq!(
            v["tooltip"],
            "model: Opus &lt;4.6&gt; &amp; co\ncontext: 38% \u{25b0}\u{25b1}"
        );
        assert_eq!(v["class"], "warn");
        assert_eq!(v["percentage"], 38);
        assert_eq!(out.lines().count(), 1);
    }

    #[test]
    fn a_styled_widget_is_a_pango_span_and_markup_in_text_stays_literal() {
        use crate::format::theme::Color;
        let styles = vec![
            SegmentStyle {
                fg: Some(Color::parse("#ff8700").unwrap()),
                bold: true,
                ..SegmentStyle::default()
            },
            SegmentStyle {
                bg: Some(Color::parse("#101010").unwrap()),
                italic: true,
                underline: true,
                separator: Some(" > "),
                ..SegmentStyle::default()
            },
            SegmentStyle::default(),
        ];
        let sink = WaybarSink::new(Charset::Unicode).with_styles(DEFAULT_THEME, styles);
        let out = render_segments(
            Box::new(sink),
            &[
                ("model", "Opus", Tone::Normal, false),
                (
                    "git_branch",
                    "<span foreground=\"red\">x</span>",
                    Tone::Normal,
                    false,
                ),
                ("cwd", "&amp; 'q'", Tone::Normal, false),
            ],
            None,
        );
        assert_eq!(
            out,
            "{\"text\":\"<span foreground=\\\"#ff8700\\\" weight=\\\"bold\\\">Opus</span> \
             &gt; <span background=\\\"#101010\\\" style=\\\"italic\\\" underline=\\\"single\\\">\
             &lt;span foreground=&quot;red&quot;&gt;x&lt;/span&gt;</span> \u{2502} \
             &amp;amp; &#39;q&#39;\",\
             \"tooltip\":\"model: Opus\\ngit_branch: &lt;span foreground=&quot;red&quot;&gt;x&lt;/span&gt;\\n\
             cwd: &amp;amp; &#39;q&#39;\",\"class\":\"normal\"}\n"
        );
    }

    #[test]
    fn a_warn_tone_keeps_the_themes_colour_over_the_users_fg() {
        use crate::format::theme::Color;
        let styles = vec![SegmentStyle {
            fg: Some(Color::parse("#ff8700").unwrap()),
            ..SegmentStyle::default()
        }];
        let sink = WaybarSink::new(Charset::Unicode).with_styles(DEFAULT_THEME, styles);
        let out = render_segments(Box::new(sink), &[("cost", "$9", Tone::Warn, false)], None);
        let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert_eq!(v["text"], "<span foreground=\"#e0af68\">$9</span>");
    }

    #[test]
    fn percentage_is_left_out_without_a_percent_sign() {
        let out = render_segments(
            Box::new(WaybarSink::default()),
            &[("time", "14:05", Tone::Normal, false)],
            None,
        );
        let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert!(v.get("percentage").is_none());
        assert_eq!(percent_in("5h 23.6% (2h)"), Some(24));
    }

    #[test]
    fn percentage_comes_from_context_not_a_directory_named_50_percent_off() {
        let out = render_segments(
            Box::new(WaybarSink::default()),
            &[
                ("cwd", "~/50% off", Tone::Normal, false),
                ("rate_5h", "5h 12%", Tone::Normal, false),
                ("context", "95% \u{25b0}\u{25b1}", Tone::Critical, false),
            ],
            None,
        );
        let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert_eq!(v["percentage"], 95);
    }

    #[test]
    fn percentage_is_left_out_without_a_context_segment() {
        let out = render_segments(
            Box::new(WaybarSink::default()),
            &[("cwd", "~/50% off", Tone::Normal, false)],
            None,
        );
        let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert!(v.get("percentage").is_none());
    }
}
