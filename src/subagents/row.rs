//! One sub-agent row: the task's parts written into reused slot contents, fitted to the
//! width, and styled by the same output sink as the main line (so themes, charsets, icons
//! and colour depth look the same).
//!
//! Parts, in order: status (glyph and word; the glyph alone when narrow), name (`name`,
//! else `type`, else the id), label (`label`, else `description`), model (as the `model`
//! widget shows it), elapsed time since `startTime` (only while the task is not finished:
//! a finished task's end time is not sent), tokens (compact, as the token widgets write
//! them) and the context bar (`tokenCount` over `contextWindowSize`, the `context` widget's
//! bar; `42%` when narrow). When the row is too wide, short forms come first, then parts are
//! dropped lowest priority first (label, tokens, elapsed, model, context, status), then the
//! name is cut with `…`. Every string from the payload is sanitized.

use std::fmt::Write as _;

use unicode_segmentation::UnicodeSegmentation;

use crate::engine::frame::{FrameBuffer, Placement, Segment, SegmentSink, SegmentState};
use crate::engine::slots::{SlotContent, Tone};
use crate::fixed::fixed;
use crate::sanitize::push_clean;
use crate::subagents::task::Task;
use crate::widgets::units::{write_compact, write_duration};
use crate::widgets::{Charset, tone_for, write_bar};
use crate::width::WidthRules;

/// The parts of a row in display order, named after the widgets whose colours and icons
/// they take.
pub const PART_NAMES: [&str; PARTS] = [
    "status", "agent", "text", "model", "duration", "tokens", "context",
];
const PARTS: usize = 7;
const STATUS: usize = 0;
const NAME: usize = 1;
const LABEL: usize = 2;
const MODEL: usize = 3;
const ELAPSED: usize = 4;
const TOKENS: usize = 5;
const CONTEXT: usize = 6;
/// Higher stays longer; the name is never dropped, only cut.
const PRIORITY: [u8; PARTS] = [90, u8::MAX, 20, 60, 50, 40, 70];
/// Cells of the context bar.
const BAR_WIDTH: usize = 10;
/// The context percentages at which the bar turns to warn and critical (as `context`).
const WARN: f64 = 70.0;
const CRITICAL: f64 = 90.0;

/// A task's state as Claude Code names it, grouped by how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Running,
    Pending,
    Completed,
    Failed,
    Stopped,
    Other,
}

impl Status {
    /// The group of a status word (any case).
    pub fn of(word: &str) -> Status {
        const GROUPS: &[(Status, &[&str])] = &[
            (
                Status::Running,
                &["running", "in_progress", "in-progress", "active", "working"],
            ),
            (
                Status::Pending,
                &["pending", "queued", "waiting", "starting"],
            ),
            (
                Status::Completed,
                &[
                    "completed",
                    "complete",
                    "done",
                    "success",
                    "succeeded",
                    "finished",
                ],
            ),
            (Status::Failed, &["failed", "failure", "error", "errored"]),
            (
                Status::Stopped,
                &[
                    "killed",
                    "cancelled",
                    "canceled",
                    "stopped",
                    "aborted",
                    "interrupted",
                ],
            ),
        ];
        let word = word.trim();
        GROUPS
            .iter()
            .find(|(_, words)| words.iter().any(|w| w.eq_ignore_ascii_case(word)))
            .map_or(Status::Other, |(status, _)| *status)
    }

    fn glyph(self, charset: Charset) -> &'static str {
        match self {
            Status::Running => charset.pick("\u{f04b}", "\u{25b6}", ">"),
            Status::Pending => charset.pick("\u{f252}", "\u{25cb}", "."),
            Status::Completed => charset.pick("\u{f00c}", "\u{2713}", "+"),
            Status::Failed => charset.pick("\u{f00d}", "\u{2717}", "x"),
            Status::Stopped => charset.pick("\u{f04d}", "\u{25a0}", "-"),
            Status::Other => charset.pick("\u{f128}", "?", "?"),
        }
    }

    fn tone(self) -> Tone {
        match self {
            Status::Running => Tone::Warn,
            Status::Completed => Tone::Good,
            Status::Failed => Tone::Critical,
            Status::Pending | Status::Stopped | Status::Other => Tone::Muted,
        }
    }

    /// Still going: its elapsed time means something.
    fn is_live(self) -> bool {
        matches!(self, Status::Running | Status::Pending | Status::Other)
    }
}

/// What a row is drawn with; built once per run.
pub struct RowStyle {
    pub charset: Charset,
    pub rules: WidthRules,
    /// Unix time of the render, seconds.
    pub now: f64,
}

/// The reused buffers of the rows of one run.
pub struct RowBuilder {
    parts: [SlotContent; PARTS],
    short: [bool; PARTS],
    shown: [bool; PARTS],
    frame: FrameBuffer,
}

impl Default for RowBuilder {
    fn default() -> Self {
        RowBuilder {
            parts: Default::default(),
            short: [false; PARTS],
            shown: [false; PARTS],
            frame: FrameBuffer::new(),
        }
    }
}

impl RowBuilder {
    /// Draws `task` through `sink` (prepared with [`PART_NAMES`]) fitted to `width`
    /// columns; returns the styled row without its newline (empty when nothing fits).
    pub fn row(
        &mut self,
        task: &Task<'_>,
        style: &RowStyle,
        sink: &mut dyn SegmentSink,
        width: Option<usize>,
    ) -> &str {
        self.fill(task, style);
        self.show_all();
        if let Some(width) = width {
            self.fit(style, sink, width);
        }
        self.emit(sink);
        let bytes = self.frame.as_bytes();
        let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        // The sink writes whole UTF-8 strings and rolls back a segment that overflows.
        std::str::from_utf8(bytes).unwrap_or("")
    }

    fn fill(&mut self, task: &Task<'_>, style: &RowStyle) {
        for part in &mut self.parts {
            part.text.clear();
            part.short.clear();
            part.tone = Tone::Normal;
        }
        self.short = [false; PARTS];
        let charset = style.charset;
        let mut word = SlotContent::default();
        if let Some(raw) = task.status.as_deref() {
            push_clean(&mut word, raw);
        }
        let word = word.text.trim();
        let status = (!word.is_empty()).then(|| Status::of(word));
        if let Some(status) = status {
            let out = &mut self.parts[STATUS];
            let glyph = status.glyph(charset);
            out.push_str(glyph);
            out.push(' ');
            out.push_str(word);
            let _ = out.short.try_push_str(glyph);
            out.tone = status.tone();
        }
        let name = [&task.name, &task.kind, &task.id]
            .into_iter()
            .filter_map(|t| t.as_deref())
            .find(|t| !t.trim().is_empty());
        if let Some(name) = name {
            push_clean(&mut self.parts[NAME], name.trim());
        }
        let label = [&task.label, &task.description]
            .into_iter()
            .filter_map(|t| t.as_deref())
            .find(|t| !t.trim().is_empty() && Some(*t) != name);
        if let Some(label) = label {
            push_clean(&mut self.parts[LABEL], label.trim());
            self.parts[LABEL].tone = Tone::Muted;
        }
        self.fill_model(task);
        if let Some(start) = task
            .start_time
            .filter(|_| status.is_none_or(Status::is_live))
        {
            write_duration(&mut self.parts[ELAPSED], style.now - start.0);
        }
        self.fill_usage(task, charset);
        for part in &mut self.parts {
            if part.text.trim().is_empty() {
                part.text.clear();
            }
        }
    }

    fn fill_model(&mut self, task: &Task<'_>) {
        let Some(model) = task.model.as_ref() else {
            return;
        };
        let Some(name) = [&model.display_name, &model.id]
            .into_iter()
            .filter_map(|t| t.as_deref())
            .find(|t| !t.trim().is_empty())
        else {
            return;
        };
        let out = &mut self.parts[MODEL];
        push_clean(out, name.trim());
        if let Some(cut) = out.text.find(" (") {
            let short = crate::engine::slots::cut_at_char_boundary(&out.text[..cut], 64);
            let _ = out.short.try_push_str(short);
        }
    }

    fn fill_usage(&mut self, task: &Task<'_>, charset: Charset) {
        let Some(tokens) = task.token_count.filter(|t| *t >= 0.0) else {
            return;
        };
        let out = &mut self.parts[TOKENS];
        write_compact(out, tokens);
        write_compact(&mut out.short, tokens);
        out.push_str(" tok");
        let Some(size) = task.context_window_size.filter(|s| *s > 0.0) else {
            return;
        };
        let percent = (tokens / size * 100.0).clamp(0.0, 100.0);
        let out = &mut self.parts[CONTEXT];
        let _ = write!(out, "{}%", fixed(percent, 0));
        let _ = write!(out.short, "{}%", fixed(percent, 0));
        out.push(' ');
        write_bar(out, percent, BAR_WIDTH, charset);
        out.tone = tone_for(percent, WARN, CRITICAL);
    }

    fn part_width(&self, index: usize, rules: &WidthRules, sink: &dyn SegmentSink) -> usize {
        let part = &self.parts[index];
        let text = if self.short[index] && !part.short.is_empty() {
            part.short.as_str()
        } else {
            part.text.as_str()
        };
        rules.width(text) + sink.segment_extra_width_at(index, PART_NAMES[index])
    }

    fn row_width(&self, rules: &WidthRules, sink: &dyn SegmentSink) -> usize {
        let mut total = 0;
        let mut count = 0;
        for index in (0..PARTS).filter(|&i| self.shown[i]) {
            total += self.part_width(index, rules, sink);
            count += 1;
        }
        if count == 0 {
            return 0;
        }
        total + sink.decoration_width() * (count - 1) + sink.group_extra_width()
    }

    /// Short forms, then dropping, lowest priority first; then the name is cut.
    fn fit(&mut self, style: &RowStyle, sink: &dyn SegmentSink, width: usize) {
        let rules = &style.rules;
        for pass in 0..2 {
            while self.row_width(rules, sink) > width {
                let candidate = (0..PARTS)
                    .filter(|&i| self.shown[i] && i != NAME)
                    .filter(|&i| pass == 1 || (!self.short[i] && !self.parts[i].short.is_empty()))
                    .min_by_key(|&i| PRIORITY[i]);
                match candidate {
                    Some(i) if pass == 0 => self.short[i] = true,
                    Some(i) => self.shown[i] = false,
                    None => break,
                }
            }
        }
        let over = self.row_width(rules, sink).saturating_sub(width);
        if over > 0 && self.shown[NAME] {
            let name_width = rules.width(&self.parts[NAME].text);
            let room = name_width.saturating_sub(over);
            cut_to_width(&mut self.parts[NAME], room, style.charset, rules);
            if self.parts[NAME].text.is_empty() {
                self.shown[NAME] = false;
            }
        }
        if self.row_width(rules, sink) > width {
            self.shown = [false; PARTS];
        }
    }

    fn emit(&mut self, sink: &mut dyn SegmentSink) {
        let out = &mut self.frame;
        out.clear();
        sink.begin_frame(out);
        sink.begin_line(out, 0);
        let mut position = 0;
        for index in (0..PARTS).filter(|&i| self.shown[i]) {
            let segment = Segment {
                index,
                name: PART_NAMES[index],
                id: PART_NAMES[index],
                content: &self.parts[index],
                state: SegmentState::Ok,
                nanos: 0,
                short: self.short[index],
                placement: Placement {
                    line: 0,
                    right: false,
                    priority: PRIORITY[index],
                    keep_stale: false,
                },
            };
            let mark = out.mark();
            sink.segment(out, &segment, position, 0);
            if out.overflowed() {
                out.rollback(mark);
                break;
            }
            position += 1;
        }
        if position == 0 {
            // Nothing to show: an empty row hides the task.
            out.clear();
            return;
        }
        sink.end_line(out, 0, true);
        sink.end_frame(out);
    }

    /// Marks every non-empty part as shown (no width to fit).
    fn show_all(&mut self) {
        for i in 0..PARTS {
            self.shown[i] = !self.parts[i].text.is_empty();
        }
    }
}

/// Cuts `part`'s text to at most `room` columns by grapheme cluster, ending in the
/// charset's ellipsis; clears it when not even the ellipsis fits.
fn cut_to_width(part: &mut SlotContent, room: usize, charset: Charset, rules: &WidthRules) {
    let ellipsis = charset.ellipsis();
    let ellipsis_width = rules.width(ellipsis);
    if room < ellipsis_width {
        part.text.clear();
        return;
    }
    let budget = room - ellipsis_width;
    let mut used = 0;
    let mut end = 0;
    for (at, cluster) in part.text.grapheme_indices(true) {
        let w = rules.cluster_width(cluster);
        if used + w > budget {
            break;
        }
        used += w;
        end = at + cluster.len();
    }
    part.text.truncate(end);
    let trimmed = part.text.trim_end().len();
    part.text.truncate(trimmed);
    part.push_str(ellipsis);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_group_in_any_case_and_unknown_ones_are_other() {
        assert_eq!(Status::of("Running"), Status::Running);
        assert_eq!(Status::of(" in_progress "), Status::Running);
        assert_eq!(Status::of("COMPLETED"), Status::Completed);
        assert_eq!(Status::of("error"), Status::Failed);
        assert_eq!(Status::of("killed"), Status::Stopped);
        assert_eq!(Status::of("queued"), Status::Pending);
        assert_eq!(Status::of("thinking hard"), Status::Other);
    }

    fn cut(text: &str, room: usize, charset: Charset) -> String {
        let mut part = SlotContent::default();
        part.push_str(text);
        cut_to_width(&mut part, room, charset, &WidthRules::default());
        part.text.to_string()
    }

    #[test]
    fn a_name_is_cut_by_grapheme_and_display_width_with_an_ellipsis() {
        assert_eq!(cut("explorer", 5, Charset::Unicode), "expl…");
        assert_eq!(cut("explorer", 5, Charset::Ascii), "ex...");
        // Wide characters take two columns; a ZWJ family and a flag stay whole.
        assert_eq!(cut("日本語のエージェント", 6, Charset::Unicode), "日本…");
        assert_eq!(cut("👨‍👩‍👧 team", 4, Charset::Unicode), "👨‍👩‍👧…");
        assert_eq!(cut("🇯🇵🇫🇷", 4, Charset::Unicode), "🇯🇵…");
        assert_eq!(
            cut("e\u{301}e\u{301}e\u{301}", 3, Charset::Unicode),
            "e\u{301}e\u{301}…"
        );
        assert_eq!(cut("abc", 0, Charset::Unicode), "");
        // A space left before the ellipsis is trimmed.
        assert_eq!(cut("ab cd", 4, Charset::Unicode), "ab…");
    }
}
