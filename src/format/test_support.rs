//! Renders hand-made segments through a sink, for the format tests.

use crate::engine::frame::{FrameBuffer, FrameSpec, Placement, SegmentSink, assemble};
use crate::engine::slots::{SlotTable, Tone};

/// One segment: widget name, text, tone, right-aligned.
pub type Seg<'a> = (&'static str, &'a str, Tone, bool);

/// Renders `segments` (one line) through `sink` and returns the bytes as a string.
pub fn render_segments(
    mut sink: Box<dyn SegmentSink>,
    segments: &[Seg<'_>],
    width: Option<usize>,
) -> String {
    let mut slots = SlotTable::new(segments.len());
    let claims = slots.claims();
    let mut names = Vec::new();
    let mut placements = Vec::new();
    for (i, (name, text, tone, right)) in segments.iter().enumerate() {
        slots.begin(i, 1);
        let mut writer = claims.claim(i, 1).expect("fresh slot");
        writer.content().push_str(text);
        writer.content().tone = *tone;
        drop(writer);
        names.push(*name);
        placements.push(Placement {
            line: 0,
            right: *right,
            priority: 100,
            keep_stale: false,
        });
    }
    let spec = FrameSpec {
        names: &names,
        ids: &[],
        placements: &placements,
        generation: 1,
        width,
        notice: None,
        rules: crate::width::WidthRules::default(),
    };
    let mut out = FrameBuffer::new();
    assemble(&spec, &slots, sink.as_mut(), &mut out);
    String::from_utf8(out.as_bytes().to_vec()).expect("utf-8 frame")
}

/// Renders a single `cwd` segment with `text`.
pub fn render_with(sink: Box<dyn SegmentSink>, text: &str) -> String {
    render_segments(sink, &[("cwd", text, Tone::Normal, false)], None)
}
