//! The i3bar / swaybar protocol (`status_command blinkline watch --format i3bar`).
//!
//! The stream starts with the header `{"version":1,"stop_signal":12,"cont_signal":18,
//! "click_events":true}` and `[`, then one array of blocks per frame, each followed by a
//! comma (the array never ends). A block: `full_text`, `short_text` (the widget's short
//! form, when it has one), `color` (`#rrggbb`), `name` (the widget), `instance` (its place
//! in the layout), `urgent` (critical tone), `separator` and `separator_block_width`.
//! A widget whose style asks for `bold`, `italic`, `dim` or `underline` gets
//! `"markup":"pango"` and its text in a Pango span (`format/pango.rs`), escaped; every
//! other block is plain text, which the bar shows as it is.
//! The bar stops us with SIGUSR2 (12) and resumes us with SIGCONT (18): `watch` pauses
//! rendering in between. Click events arrive on stdin; `watch` re-renders on each.
//!
//! Every frame lists all lines of the layout in one array: the bar is one line.

use std::fmt::Write as _;

use arrayvec::ArrayString;

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink};
use crate::engine::slots::Tone;
use crate::format::json::write_json_string;
use crate::format::pango;
use crate::format::style::{SegmentStyle, style_at, text_color, tone_of, write_hex};
use crate::format::theme::Theme;

/// The protocol header and the opening of the endless array.
pub const HEADER: &str =
    "{\"version\":1,\"stop_signal\":12,\"cont_signal\":18,\"click_events\":true}\n[\n";

/// Blocks for i3bar and swaybar.
pub struct I3barSink {
    theme: Theme,
    /// The user's style of each widget, in layout order.
    styles: Vec<SegmentStyle>,
    header_pending: bool,
    blocks: usize,
    /// A styled block's markup before it is written as a JSON string.
    markup: ArrayString<MARKUP_CAPACITY>,
}

/// Bytes of one block's markup (a slot's text escaped, in a span).
const MARKUP_CAPACITY: usize = 2048;

/// Fills `markup` with `text` in a span of `style`'s attributes (cut when full).
fn markup_of(markup: &mut ArrayString<MARKUP_CAPACITY>, text: &str, style: &SegmentStyle) {
    markup.clear();
    let attributes = SegmentStyle {
        fg: None,
        bg: None,
        ..style.clone()
    };
    let mut writer = pango::Cut(markup);
    pango::push_styled(&mut writer, text, Some(&attributes), None);
}

impl I3barSink {
    /// `header`: write [`HEADER`] before the first frame.
    pub fn new(theme: Theme, header: bool) -> Self {
        I3barSink {
            theme,
            styles: Vec::new(),
            header_pending: header,
            blocks: 0,
            markup: ArrayString::new(),
        }
    }

    /// With the user's style of each widget (layout order): `fg` is the block's `color`,
    /// `bg` its `background`; text attributes make a Pango markup block.
    pub fn with_styles(mut self, styles: Vec<SegmentStyle>) -> Self {
        self.styles = styles;
        self
    }
}

impl SegmentSink for I3barSink {
    fn begin_frame(&mut self, out: &mut FrameBuffer) {
        if self.header_pending {
            out.push_str(HEADER);
            self.header_pending = false;
        }
        out.push_byte(b'[');
        self.blocks = 0;
    }

    fn begin_line(&mut self, _out: &mut FrameBuffer, _line: u8) {}

    fn segment(
        &mut self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        _position: usize,
        _gap: usize,
    ) {
        if self.blocks > 0 {
            out.push_byte(b',');
        }
        let tone = tone_of(segment);
        let marked = style_at(&self.styles, segment.index).filter(|s| s.has_attributes());
        out.push_str("{\"full_text\":");
        match marked {
            Some(style) => {
                markup_of(&mut self.markup, segment.text(), style);
                write_json_string(out, &self.markup);
            }
            None => write_json_string(out, segment.text()),
        }
        if !segment.content.short.is_empty() {
            out.push_str(",\"short_text\":");
            match marked {
                Some(style) => {
                    markup_of(&mut self.markup, &segment.content.short, style);
                    write_json_string(out, &self.markup);
                }
                None => write_json_string(out, &segment.content.short),
            }
        }
        if marked.is_some() {
            out.push_str(",\"markup\":\"pango\"");
        }
        out.push_str(",\"color\":\"");
        write_hex(out, text_color(&self.theme, &self.styles, segment));
        if let Some(bg) = style_at(&self.styles, segment.index).and_then(|s| s.bg) {
            out.push_str("\",\"background\":\"");
            write_hex(out, bg.rgb());
        }
        out.push_str("\",\"name\":");
        write_json_string(out, segment.name);
        let _ = write!(
            out,
            ",\"instance\":\"{}\",\"urgent\":{},\"separator\":true,\"separator_block_width\":15}}",
            segment.index,
            tone == Tone::Critical
        );
        // A segment rolled back for lack of room must not leave its comma behind: the
        // assembler rolls back to before the comma, and the count only moves on success.
        if !out.overflowed() {
            self.blocks += 1;
        }
    }

    fn end_line(&mut self, _out: &mut FrameBuffer, _line: u8, _last: bool) {}

    fn end_frame(&mut self, out: &mut FrameBuffer) {
        out.push_str("],\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_support::render_segments;
    use crate::format::theme::DEFAULT_THEME;

    #[test]
    fn the_stream_is_a_header_then_arrays_of_blocks_that_parse_as_json() {
        let out = render_segments(
            Box::new(I3barSink::new(DEFAULT_THEME, true)),
            &[
                ("model", "Opus \"4.6\"", Tone::Normal, false),
                ("cost", "$9", Tone::Critical, false),
            ],
            None,
        );
        let mut lines = out.lines();
        let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert_eq!(header["version"], 1);
        assert_eq!(header["click_events"], true);
        assert_eq!(lines.next(), Some("["));
        let frame = lines.next().unwrap();
        let blocks: serde_json::Value = serde_json::from_str(frame.trim_end_matches(',')).unwrap();
        assert_eq!(blocks[0]["full_text"], "Opus \"4.6\"");
        assert_eq!(blocks[0]["name"], "model");
        assert_eq!(blocks[0]["urgent"], false);
        assert_eq!(blocks[1]["urgent"], true);
        assert_eq!(blocks[1]["color"], "#f7768e");
        assert_eq!(blocks[1]["instance"], "1");
        assert!(blocks[0].get("markup").is_none());
    }

    #[test]
    fn bold_asks_for_pango_markup_and_untrusted_markup_stays_literal() {
        let styles = vec![
            SegmentStyle {
                bold: true,
                underline: true,
                ..SegmentStyle::default()
            },
            SegmentStyle::default(),
        ];
        let out = render_segments(
            Box::new(I3barSink::new(DEFAULT_THEME, false).with_styles(styles)),
            &[
                ("git_branch", "<b>x</b> &amp;", Tone::Normal, false),
                ("cwd", "<i>y</i>", Tone::Normal, false),
            ],
            None,
        );
        assert_eq!(
            out,
            "[{\"full_text\":\"<span weight=\\\"bold\\\" underline=\\\"single\\\">\
             &lt;b&gt;x&lt;/b&gt; &amp;amp;</span>\",\"markup\":\"pango\",\"color\":\"#bb9af7\",\
             \"name\":\"git_branch\",\"instance\":\"0\",\"urgent\":false,\"separator\":true,\
             \"separator_block_width\":15},\
             {\"full_text\":\"<i>y</i>\",\"color\":\"#7aa2f7\",\"name\":\"cwd\",\"instance\":\"1\",\
             \"urgent\":false,\"separator\":true,\"separator_block_width\":15}],\n"
        );
    }
}
