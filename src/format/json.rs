//! JSON output for scripts and tests: one array per line, every widget of the layout in
//! order, hidden and late ones included:
//! `[{"widget":"model","text":"Opus 4.6","style":"normal","state":"ok","micros":3}, …]`.
//! `widget` is the name the layout asked for (`text#left` for an instance of `text`).
//! A widget that links somewhere adds `"link":"https://…"` after its text. `style` is the
//! tone the text is drawn in (`normal`, `good`, `warn`, `critical`, `muted`); `state` is
//! one of `ok`, `hidden`, `late`, `stale`, `error`; `micros` is the widget's render time.

use std::fmt::Write as _;

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink, SegmentState};

/// Writes segments as JSON objects.
pub struct JsonSink;

/// Writes `s` as a JSON string literal (quotes included).
pub fn write_json_string(out: &mut impl std::fmt::Write, s: &str) {
    let _ = out.write_char('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        let _ = out.write_str(&s[start..i]);
        let _ = match escape {
            Some(e) => out.write_str(e),
            None => write!(out, "\\u{:04x}", c as u32),
        };
        start = i + c.len_utf8();
    }
    let _ = out.write_str(&s[start..]);
    let _ = out.write_char('"');
}

impl SegmentSink for JsonSink {
    fn wants_all_segments(&self) -> bool {
        true
    }

    fn begin_frame(&mut self, _out: &mut FrameBuffer) {}

    fn begin_line(&mut self, out: &mut FrameBuffer, _line: u8) {
        out.push_byte(b'[');
    }

    fn segment(
        &mut self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        _position: usize,
        _gap: usize,
    ) {
        if out.as_bytes().last() != Some(&b'[') {
            out.push_byte(b',');
        }
        out.push_str("{\"widget\":");
        write_json_string(out, segment.id);
        out.push_str(",\"text\":");
        let text = match segment.state {
            SegmentState::Hidden | SegmentState::Late => "",
            _ => segment.text(),
        };
        write_json_string(out, text);
        if !segment.content.link.is_empty() && !text.is_empty() {
            out.push_str(",\"link\":");
            write_json_string(out, &segment.content.link);
        }
        out.push_str(",\"style\":\"");
        out.push_str(crate::format::style::tone_name(
            crate::format::style::tone_of(segment),
        ));
        out.push_str("\",\"state\":\"");
        out.push_str(segment.state.as_str());
        let _ = write!(out, "\",\"micros\":{}}}", segment.nanos / 1000);
    }

    fn end_line(&mut self, out: &mut FrameBuffer, _line: u8, _last: bool) {
        out.push_str("]\n");
    }

    fn end_frame(&mut self, _out: &mut FrameBuffer) {}
}
