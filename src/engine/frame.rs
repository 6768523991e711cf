//! The zero-allocation frame assembler.
//!
//! A frame is built in a [`FrameBuffer`]: a fixed byte array allocated once. The assembler
//! reads each widget's slot once, in layout order, and keeps what it read (the content, its
//! state, its render time): a straggler that publishes while the frame is assembled cannot
//! make it emit text other than what it measured. It decides each state (fresh, late,
//! hidden, error), fits the visible segments to the width (dropping the lowest priority first), and
//! hands each one to a [`SegmentSink`] (an output format) that writes bytes into the buffer.
//! The finished frame leaves with a single `write(2)`: a reader of a pipe never sees half a
//! frame, since frames stay under `PIPE_BUF` (4096 bytes) in every normal configuration.
//!
//! A segment that does not fit the buffer is rolled back whole, so the output never ends in
//! half an escape sequence.
//!
//! Read next: `format/mod.rs` for the sinks, `render.rs` for who drives a frame.

use arrayvec::ArrayVec;

use crate::engine::slots::{Outcome, SlotContent, SlotTable, SlotView};
use crate::width::WidthRules;

/// Bytes in one frame (all lines together).
pub const FRAME_CAPACITY: usize = 8192;
/// The most widgets one layout may hold.
pub const MAX_WIDGETS: usize = 64;

/// A fixed-capacity output buffer.
pub struct FrameBuffer {
    bytes: Box<ArrayVec<u8, FRAME_CAPACITY>>,
    overflowed: bool,
}

impl Default for FrameBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameBuffer {
    pub fn new() -> Self {
        FrameBuffer {
            bytes: Box::new(ArrayVec::new()),
            overflowed: false,
        }
    }

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.overflowed = false;
    }

    /// Appends bytes; on overflow nothing is appended and the buffer remembers it.
    pub fn push_bytes(&mut self, data: &[u8]) {
        if self.bytes.try_extend_from_slice(data).is_err() {
            self.overflowed = true;
        }
    }

    pub fn push_str(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    pub fn push_byte(&mut self, b: u8) {
        if self.bytes.try_push(b).is_err() {
            self.overflowed = true;
        }
    }

    /// A position to roll back to.
    pub fn mark(&self) -> usize {
        self.bytes.len()
    }

    /// Drops everything written after `mark` and forgets an overflow that happened there.
    pub fn rollback(&mut self, mark: usize) {
        self.bytes.truncate(mark);
        self.overflowed = false;
    }

    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Writes the whole frame to `fd` with one `write(2)` (looping only on a short write or
    /// EINTR). A closed pipe (EPIPE) is returned as an error for the caller to treat quietly.
    pub fn write_to_fd(&self, fd: i32) -> std::io::Result<()> {
        crate::sys::os::write_all_fd(fd, &self.bytes)
    }
}

impl core::fmt::Write for FrameBuffer {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

/// A widget's state in one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentState {
    Ok,
    Hidden,
    /// Not ready by the deadline; nothing shown.
    Late,
    /// Not ready by the deadline; its last value is shown.
    Stale,
    Error,
}

impl SegmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentState::Ok => "ok",
            SegmentState::Hidden => "hidden",
            SegmentState::Late => "late",
            SegmentState::Stale => "stale",
            SegmentState::Error => "error",
        }
    }

    pub fn is_visible(self) -> bool {
        matches!(
            self,
            SegmentState::Ok | SegmentState::Stale | SegmentState::Error
        )
    }
}

/// Where a widget sits in the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Which line (0-based).
    pub line: u8,
    /// Right-aligned group instead of left.
    pub right: bool,
    /// Higher stays longer when the line is too narrow.
    pub priority: u8,
    /// Show the last value marked stale when late (else leave it out).
    pub keep_stale: bool,
}

/// One segment handed to a sink.
pub struct Segment<'a> {
    /// Position in the layout (index of the widget and its slot).
    pub index: usize,
    pub name: &'static str,
    /// The name the layout asked for it by: `name`, or `NAME#INSTANCE` (`text#left`).
    pub id: &'a str,
    pub content: &'a SlotContent,
    pub state: SegmentState,
    pub nanos: u64,
    /// Use the short form of the content.
    pub short: bool,
    pub placement: Placement,
}

impl Segment<'_> {
    /// The text to display (short form when asked and available).
    pub fn text(&self) -> &str {
        if self.short && !self.content.short.is_empty() {
            &self.content.short
        } else {
            &self.content.text
        }
    }
}

/// An output format: turns segments into bytes.
pub trait SegmentSink {
    /// True if the sink wants every segment, hidden and late ones too (JSON, explain).
    fn wants_all_segments(&self) -> bool {
        false
    }
    /// Display columns the sink adds around a visible segment (separators, padding).
    fn decoration_width(&self) -> usize {
        0
    }
    /// Display columns the sink adds to the segment of widget `name` itself (its icon,
    /// padding, caps), on top of its text.
    fn segment_extra_width(&self, _name: &str) -> usize {
        0
    }
    /// Learns the layout (widget names in slot order) once, before the first frame, so the
    /// per-frame methods can look widgets up by index instead of by name.
    fn prepare(&mut self, _names: &[&'static str]) {}
    /// [`SegmentSink::segment_extra_width`] of the widget at layout position `index`; a
    /// prepared sink answers from its table.
    fn segment_extra_width_at(&self, _index: usize, name: &str) -> usize {
        self.segment_extra_width(name)
    }
    /// Display columns the sink adds once per non-empty group (e.g. a closing arrow).
    fn group_extra_width(&self) -> usize {
        0
    }
    fn begin_frame(&mut self, out: &mut FrameBuffer);
    fn begin_line(&mut self, out: &mut FrameBuffer, line: u8);
    /// `position` counts the visible segments of the group before this one; `gap` is the
    /// number of columns of padding to put before the first right-aligned segment.
    fn segment(
        &mut self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        position: usize,
        gap: usize,
    );
    fn end_line(&mut self, out: &mut FrameBuffer, line: u8, last: bool);
    fn end_frame(&mut self, out: &mut FrameBuffer);
}

/// Per-frame inputs of the assembler.
pub struct FrameSpec<'a> {
    pub names: &'a [&'static str],
    /// Each widget's instance name (`text#left`) by position; a missing or empty one is
    /// its registered name.
    pub ids: &'a [String],
    pub placements: &'a [Placement],
    pub generation: u64,
    /// Usable display columns; `None` = unlimited.
    pub width: Option<usize>,
    /// A marker shown first on the first line (e.g. `⚠ input`), not tied to a widget.
    pub notice: Option<&'a SlotContent>,
    /// How wide font-dependent characters are (see `width.rs`).
    pub rules: WidthRules,
}

/// What the assembler read from one slot, and how it lays it out.
#[derive(Clone, Copy)]
struct Visible<'a> {
    index: usize,
    /// The content read once from the slot: measured, then emitted.
    content: &'a SlotContent,
    /// The render time read with it.
    nanos: u64,
    state: SegmentState,
    width: usize,
    short_width: usize,
    /// Columns the sink adds to this segment (icon, padding, caps).
    extra: usize,
    short: bool,
    dropped: bool,
}

/// Reads the slots and writes one frame through `sink` into `out` (cleared first).
/// Returns the number of late widgets.
#[cfg(test)]
pub fn assemble(
    spec: &FrameSpec<'_>,
    slots: &SlotTable,
    sink: &mut dyn SegmentSink,
    out: &mut FrameBuffer,
) -> usize {
    let mut states = ArrayVec::new();
    assemble_with_states(spec, slots, sink, out, &mut states)
}

/// Like [`assemble`], and also records each widget's state (in layout order) in `states`.
pub fn assemble_with_states(
    spec: &FrameSpec<'_>,
    slots: &SlotTable,
    sink: &mut dyn SegmentSink,
    out: &mut FrameBuffer,
    states_out: &mut ArrayVec<SegmentState, MAX_WIDGETS>,
) -> usize {
    out.clear();
    states_out.clear();
    let mut late = 0;
    let mut states: ArrayVec<Visible, MAX_WIDGETS> = ArrayVec::new();
    let all = sink.wants_all_segments();
    for index in 0..spec.names.len().min(MAX_WIDGETS) {
        let late_now = slots.abandon(index, spec.generation);
        let (content, view) = slots.read(index, spec.generation);
        let nanos = slots.nanos(index);
        let state = segment_state(content, view, late_now, spec.placements[index]);
        if state == SegmentState::Late || state == SegmentState::Stale {
            late += 1;
        }
        // Only what can be laid out is measured (every segment for a sink that wants all).
        let measured = all || state.is_visible();
        let width = if measured {
            spec.rules.width(&content.text)
        } else {
            0
        };
        let short_width = if content.short.is_empty() || !measured {
            width
        } else {
            spec.rules.width(&content.short)
        };
        states.push(Visible {
            index,
            content,
            nanos,
            state,
            width,
            short_width,
            extra: sink.segment_extra_width_at(index, spec.names[index]),
            short: false,
            dropped: false,
        });
    }
    if let Some(width) = spec.width {
        fit_lines(spec, &mut states, width, sink);
    }
    emit(spec, &states, sink, out);
    states_out.extend(states.iter().map(|v| {
        if v.dropped {
            SegmentState::Hidden
        } else {
            v.state
        }
    }));
    late
}

fn segment_state(
    content: &SlotContent,
    view: SlotView,
    late: bool,
    placement: Placement,
) -> SegmentState {
    if view == SlotView::Late || late {
        let has_old_value = !content.text.is_empty() && content.outcome == Outcome::Shown;
        return if placement.keep_stale && has_old_value {
            SegmentState::Stale
        } else {
            SegmentState::Late
        };
    }
    match content.outcome {
        Outcome::Shown if content.text.is_empty() => SegmentState::Hidden,
        Outcome::Shown if content.stale => SegmentState::Stale,
        Outcome::Shown => SegmentState::Ok,
        Outcome::Hidden => SegmentState::Hidden,
        Outcome::Error => SegmentState::Error,
    }
}

/// Display columns a line takes: each group's segments plus the separators between them,
/// plus at least one column between the groups when both are present.
fn line_width(
    spec: &FrameSpec<'_>,
    states: &[Visible<'_>],
    line: u8,
    sink: &dyn SegmentSink,
    all: bool,
) -> usize {
    let decoration = sink.decoration_width();
    let mut total = 0;
    let mut groups = 0;
    for right in [false, true] {
        let mut count = 0;
        for v in states.iter().filter(|v| {
            let p = spec.placements[v.index];
            p.line == line && p.right == right && (all || (v.state.is_visible() && !v.dropped))
        }) {
            total += (if v.short { v.short_width } else { v.width }) + v.extra;
            count += 1;
        }
        if let (false, 0, Some(notice)) = (right, line, spec.notice) {
            total += spec.rules.width(&notice.text) + sink.segment_extra_width("notice");
            count += 1;
        }
        if count > 0 {
            total += decoration * (count - 1) + sink.group_extra_width();
            groups += 1;
        }
    }
    total + usize::from(groups == 2)
}

/// Shrinks, then drops, the lowest-priority segments of each line until it fits `width`.
fn fit_lines(
    spec: &FrameSpec<'_>,
    states: &mut [Visible<'_>],
    width: usize,
    sink: &dyn SegmentSink,
) {
    let lines = states
        .iter()
        .map(|v| spec.placements[v.index].line)
        .max()
        .unwrap_or(0);
    for line in 0..=lines {
        if line_width(spec, states, line, sink, false) <= width {
            continue;
        }
        let on_line =
            |v: &Visible<'_>| spec.placements[v.index].line == line && v.state.is_visible();
        // First pass: short forms, lowest priority first; second pass: drop.
        for pass in 0..2 {
            while line_width(spec, states, line, sink, false) > width {
                let candidate = states
                    .iter_mut()
                    .filter(|v| on_line(v) && !v.dropped && (pass == 1 || !v.short))
                    .filter(|v| pass == 1 || v.short_width < v.width)
                    .min_by_key(|v| (spec.placements[v.index].priority, usize::MAX - v.index));
                match candidate {
                    Some(v) if pass == 0 => v.short = true,
                    Some(v) => v.dropped = true,
                    None => break,
                }
            }
        }
    }
}

fn emit(
    spec: &FrameSpec<'_>,
    states: &[Visible<'_>],
    sink: &mut dyn SegmentSink,
    out: &mut FrameBuffer,
) {
    let all = sink.wants_all_segments();
    let last_line = states
        .iter()
        .map(|v| spec.placements[v.index].line)
        .max()
        .unwrap_or(0);
    sink.begin_frame(out);
    for line in 0..=last_line {
        sink.begin_line(out, line);
        let shown = |v: &&Visible<'_>| {
            spec.placements[v.index].line == line && (all || (v.state.is_visible() && !v.dropped))
        };
        let notice = spec.notice.filter(|_| line == 0);
        // The gap is whatever the groups leave free (at least the one column counted in).
        let used = line_width(spec, states, line, sink, all);
        let gap = spec.width.map_or(1, |w| w.saturating_sub(used) + 1);
        // With no width to align to, the right group follows the left one as if it were
        // part of it, so the sink draws its separator between them.
        let mut left_shown = 0;
        for right in [false, true] {
            let mut position = if right && spec.width.is_none() {
                left_shown
            } else {
                0
            };
            if let (Some(content), false) = (notice, right) {
                let segment = Segment {
                    index: usize::MAX,
                    name: "notice",
                    id: "notice",
                    content,
                    state: SegmentState::Error,
                    nanos: 0,
                    short: false,
                    placement: Placement {
                        line: 0,
                        right: false,
                        priority: u8::MAX,
                        keep_stale: false,
                    },
                };
                sink.segment(out, &segment, 0, 0);
                position = 1;
            }
            for v in states.iter().filter(shown) {
                if spec.placements[v.index].right != right {
                    continue;
                }
                let segment = Segment {
                    index: v.index,
                    name: spec.names[v.index],
                    id: spec
                        .ids
                        .get(v.index)
                        .filter(|id| !id.is_empty())
                        .map_or(spec.names[v.index], String::as_str),
                    content: v.content,
                    state: if v.dropped {
                        SegmentState::Hidden
                    } else {
                        v.state
                    },
                    nanos: v.nanos,
                    short: v.short,
                    placement: spec.placements[v.index],
                };
                let mark = out.mark();
                sink.segment(
                    out,
                    &segment,
                    position,
                    if right && position == 0 { gap } else { 0 },
                );
                if out.overflowed() {
                    out.rollback(mark);
                    break;
                }
                if segment.state.is_visible() {
                    position += 1;
                }
            }
            left_shown = position;
        }
        sink.end_line(out, line, line == last_line);
    }
    sink.end_frame(out);
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;
    use crate::engine::slots::{SlotWriter, Tone};

    /// Records what it is handed; publishes a straggler's writer when the frame starts being
    /// written, i.e. after the slots were measured.
    struct PublishingSink<'a> {
        straggler: Option<SlotWriter<'a>>,
        seen: Vec<(String, SegmentState)>,
    }

    impl SegmentSink for PublishingSink<'_> {
        fn begin_frame(&mut self, _: &mut FrameBuffer) {
            drop(self.straggler.take());
        }
        fn begin_line(&mut self, _: &mut FrameBuffer, _: u8) {}
        fn segment(&mut self, out: &mut FrameBuffer, segment: &Segment<'_>, _: usize, _: usize) {
            out.push_str(segment.text());
            self.seen.push((segment.text().to_owned(), segment.state));
        }
        fn end_line(&mut self, _: &mut FrameBuffer, _: u8, _: bool) {}
        fn end_frame(&mut self, _: &mut FrameBuffer) {}
    }

    #[test]
    fn a_straggler_publishing_between_measure_and_emit_does_not_change_the_frame() {
        let mut slots = SlotTable::new(1);
        let claims = slots.claims();
        assert!(slots.begin(0, 1));
        claims.claim(0, 1).expect("pending").push_str("one");
        assert!(slots.begin(0, 2));
        let mut straggler = claims.claim(0, 2).expect("pending");
        straggler.push_str("a much longer value");
        straggler.tone = Tone::Critical;
        let placements = [Placement {
            line: 0,
            right: false,
            priority: 1,
            keep_stale: true,
        }];
        let spec = FrameSpec {
            names: &["w"],
            ids: &[],
            placements: &placements,
            generation: 2,
            width: Some(10),
            notice: None,
            rules: WidthRules::default(),
        };
        let mut sink = PublishingSink {
            straggler: Some(straggler),
            seen: Vec::new(),
        };
        let mut out = FrameBuffer::new();
        let late = assemble(&spec, &slots, &mut sink, &mut out);
        assert!(
            sink.straggler.is_none(),
            "the straggler published mid-frame"
        );
        assert_eq!(late, 1);
        assert_eq!(
            sink.seen,
            [("one".to_owned(), SegmentState::Stale)],
            "the frame shows the value it measured, in the state it decided"
        );
        assert_eq!(out.as_bytes(), b"one");
        // The straggler's value is there for the next frame.
        assert_eq!(slots.read(0, 2).0.text.as_str(), "a much longer value");
    }
}
