//! ANSI output in four styles: `classic` (each segment in its colour, joined by a dim thin
//! separator), `powerline` (segments on coloured backgrounds joined by arrows), `capsule`
//! (rounded segments) and `plain` (no colour; also what every style becomes when the colour
//! depth is none).
//!
//! Each line starts with `ESC[0m`, which undoes the dimming Claude Code applies to the
//! status row. Right-aligned segments are pushed to the edge with U+00A0 (no-break space),
//! because Claude Code strips ordinary leading spaces. Every segment ends with a reset, so
//! a cut frame never leaves a colour on. A segment with a link (`SlotContent::link`, a
//! validated http(s) URL) is wrapped in an OSC 8 hyperlink; unstyled output has no links.
//! a cut frame never leaves a colour on. Icons (data: an icon set, `icon_sets.rs`) are put
//! before a segment's text here: widgets never draw them.
//!
//! The widths the sink adds (separators, padding, caps, icons) are reported to the frame
//! assembler through [`SegmentSink`]'s width methods, measured with the same
//! [`WidthRules`] as the text, so a line is fitted before it is styled.
//!
//! Colours, icons and added widths are prepared once per layout ([`SegmentSink::prepare`],
//! `paint.rs`): a frame copies ready-made SGR bytes and finds each widget by its position.

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink, SegmentState};
use crate::engine::slots::Tone;
use crate::format::paint::{Paint, TonePaints, WidgetLook};
use crate::format::style::SegmentStyle;
use crate::format::theme::{ColorDepth, Style, Theme};
use crate::format::themes::IconTable;
use crate::widgets::Charset;
use crate::width::WidthRules;

const RESET: &str = "\x1b[0m";
/// Fills the gap before right-aligned widgets: Claude Code strips a row's leading spaces,
/// not no-break spaces. With `--charset ascii` the gap is plain spaces.
const NBSP: &str = "\u{a0}";

/// Everything that decides how a frame looks.
#[derive(Clone, Debug)]
pub struct Look {
    pub theme: Theme,
    pub depth: ColorDepth,
    pub charset: Charset,
    /// Widget icons for the charset; empty when icons are off.
    pub icons: IconTable,
    pub rules: WidthRules,
    /// The user's style of each widget, in layout order (empty: none).
    pub styles: Vec<SegmentStyle>,
}

impl Look {
    /// The classic theme without icons.
    pub fn classic(depth: ColorDepth, charset: Charset) -> Self {
        Look {
            theme: crate::format::theme::DEFAULT_THEME,
            depth,
            charset,
            icons: &[],
            rules: WidthRules::default(),
            styles: Vec::new(),
        }
    }
}

/// Styled terminal output.
pub struct AnsiSink {
    look: Look,
    style: Style,
    separator: &'static str,
    /// Powerline arrows or capsule caps: (left group / opening, right group / closing).
    glyphs: (&'static str, &'static str),
    /// Display widths of `separator` and of one glyph.
    separator_width: usize,
    glyph_width: usize,
    /// The tones' and the theme's fixed colours, ready to write.
    tones: TonePaints,
    /// One entry per widget of the layout, in slot order (empty until `prepare`).
    widgets: Vec<WidgetLook>,
    /// Background of the previous powerline segment of the group.
    prev_bg: Option<Paint>,
    /// A powerline left group still waits for its closing arrow.
    left_open: bool,
}

impl AnsiSink {
    pub fn new(theme: Theme, depth: ColorDepth, charset: Charset) -> Self {
        Self::with_look(Look {
            theme,
            ..Look::classic(depth, charset)
        })
    }

    pub fn with_look(look: Look) -> Self {
        let style = if look.depth == ColorDepth::None {
            Style::Plain
        } else {
            look.theme.style
        };
        let pick = |nerd, unicode, ascii| look.charset.pick(nerd, unicode, ascii);
        let separator = crate::format::style::thin_separator(look.charset);
        let glyphs = match style {
            Style::Capsule => (
                pick("\u{e0b6}", "\u{2590}", "["),
                pick("\u{e0b4}", "\u{258c}", "]"),
            ),
            _ => (
                pick("\u{e0b0}", "\u{25b6}", ">"),
                pick("\u{e0b2}", "\u{25c0}", "<"),
            ),
        };
        let paint = |rgb| Paint::new(rgb, look.depth);
        let theme = &look.theme;
        let tones = TonePaints {
            good: paint(theme.good),
            warn: paint(theme.warn),
            critical: paint(theme.critical),
            muted: paint(theme.muted),
            ink: paint(theme.ink),
            separator: paint(theme.separator),
        };
        AnsiSink {
            tones,
            widgets: Vec::new(),
            separator_width: look.rules.width(separator),
            glyph_width: look.rules.width(glyphs.0),
            style,
            separator,
            glyphs,
            look,
            prev_bg: None,
            left_open: false,
        }
    }

    pub(crate) fn with_separator(theme: Theme, depth: ColorDepth, separator: &'static str) -> Self {
        let mut sink = Self::new(theme, depth, Charset::Unicode);
        sink.separator = separator;
        sink.separator_width = sink.look.rules.width(separator);
        sink
    }

    fn icon(&self, name: &str) -> Option<&'static str> {
        self.look
            .icons
            .iter()
            .find(|(widget, _)| *widget == name)
            .map(|(_, icon)| *icon)
    }

    /// The prepared look of the widget at layout position `index`, if it is `name`.
    fn look_at(&self, index: usize, name: &str) -> Option<&WidgetLook> {
        // The layout's names are the same `&'static str`s as the segments': compare the
        // pointers first, the bytes only when they differ.
        self.widgets
            .get(index)
            .filter(|w| core::ptr::eq(w.name, name) || w.name == name)
    }

    /// The accent of a segment in `tone`.
    fn accent(&self, segment: &Segment<'_>, tone: Tone) -> Paint {
        match tone {
            Tone::Good => self.tones.good,
            Tone::Warn => self.tones.warn,
            Tone::Critical => self.tones.critical,
            Tone::Muted => self.tones.muted,
            Tone::Normal => match self.look_at(segment.index, segment.name) {
                // The user's colour: the text's in the classic style, the segment's in
                // powerline and capsule.
                Some(WidgetLook { fg: Some(fg), .. }) if self.is_classic() => *fg,
                Some(WidgetLook { bg: Some(bg), .. }) if !self.is_classic() => *bg,
                Some(look) => look.accent,
                None => Paint::new(
                    self.look.theme.color(segment.name, Tone::Normal),
                    self.look.depth,
                ),
            },
        }
    }

    fn text(&self, out: &mut FrameBuffer, segment: &Segment<'_>) {
        let icon = match self.look_at(segment.index, segment.name) {
            Some(look) => look.icon,
            None => self.icon(segment.name),
        };
        if let Some(icon) = icon {
            out.push_str(icon);
            out.push_byte(b' ');
        }
        let link = if self.look.depth != ColorDepth::None {
            segment.content.link.as_str()
        } else {
            ""
        };
        if !link.is_empty() {
            // OSC 8: ESC ] 8 ; ; URL ESC \ text ESC ] 8 ; ; ESC \ (the URL was validated).
            out.push_str("\x1b]8;;");
            out.push_str(link);
            out.push_str("\x1b\\");
        }
        out.push_str(segment.text());
        if !link.is_empty() {
            out.push_str("\x1b]8;;\x1b\\");
        }
    }

    fn is_classic(&self) -> bool {
        matches!(self.style, Style::Classic | Style::Plain)
    }

    /// The user's separator before the segment, else the sink's.
    fn separator_of(&self, segment: &Segment<'_>) -> &'static str {
        self.look_at(segment.index, segment.name)
            .and_then(|look| look.separator)
            .unwrap_or(self.separator)
    }

    /// The user's text colour on a coloured segment, else the theme's ink.
    fn ink_of(&self, segment: &Segment<'_>) -> &Paint {
        match self.look_at(segment.index, segment.name) {
            Some(WidgetLook { fg: Some(fg), .. }) => fg,
            _ => &self.tones.ink,
        }
    }

    /// The user's background (classic style) and attributes.
    fn decorate(&self, out: &mut FrameBuffer, segment: &Segment<'_>, background: bool) {
        if let Some(look) = self.look_at(segment.index, segment.name) {
            if let (true, Some(bg)) = (background, &look.bg) {
                out.push_str(&bg.bg);
            }
            out.push_str(&look.attributes);
        }
    }

    /// Ends a powerline left group with its arrow.
    fn close_left(&mut self, out: &mut FrameBuffer) {
        if let (true, Some(bg)) = (self.left_open, &self.prev_bg) {
            out.push_str(RESET);
            out.push_str(&bg.fg);
            out.push_str(self.glyphs.0);
            out.push_str(RESET);
        }
        self.left_open = false;
        self.prev_bg = None;
    }

    fn classic(&self, out: &mut FrameBuffer, segment: &Segment<'_>, accent: &Paint, first: bool) {
        let styled = self.style != Style::Plain;
        if !first {
            if styled {
                out.push_str(&self.tones.separator.fg);
                out.push_str(self.separator_of(segment));
                out.push_str(RESET);
            } else {
                out.push_str(self.separator_of(segment));
            }
        }
        if styled {
            out.push_str(&accent.fg);
            self.decorate(out, segment, true);
            if segment.state == SegmentState::Stale {
                out.push_str("\x1b[3m");
            }
        }
        self.text(out, segment);
        if styled {
            out.push_str(RESET);
        }
    }

    fn powerline(
        &mut self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        accent: Paint,
        gap: usize,
    ) {
        // A user's separator takes the place of the arrow drawn before the segment.
        let custom = self
            .look_at(segment.index, segment.name)
            .and_then(|look| look.separator);
        if segment.placement.right {
            if gap > 0 {
                self.close_left(out);
                push_gap(out, gap, self.look.charset);
            }
            out.push_str(&accent.fg);
            if let Some(prev) = &self.prev_bg {
                out.push_str(&prev.bg);
            }
            out.push_str(custom.unwrap_or(self.glyphs.1));
        } else if let Some(prev) = &self.prev_bg {
            out.push_str(&prev.fg);
            out.push_str(&accent.bg);
            out.push_str(custom.unwrap_or(self.glyphs.0));
        }
        self.left_open = !segment.placement.right;
        out.push_str(&accent.bg);
        out.push_str(&self.ink_of(segment).fg);
        self.decorate(out, segment, false);
        out.push_byte(b' ');
        self.text(out, segment);
        out.push_byte(b' ');
        out.push_str(RESET);
        self.prev_bg = Some(accent);
    }

    fn capsule(&self, out: &mut FrameBuffer, segment: &Segment<'_>, accent: &Paint, first: bool) {
        if !first {
            // A user's separator takes the place of the space between two capsules.
            match self
                .look_at(segment.index, segment.name)
                .and_then(|look| look.separator)
            {
                Some(separator) => {
                    out.push_str(&self.tones.separator.fg);
                    out.push_str(separator);
                    out.push_str(RESET);
                }
                None => out.push_byte(b' '),
            }
        }
        out.push_str(&accent.fg);
        out.push_str(self.glyphs.0);
        out.push_str(&accent.bg);
        out.push_str(&self.ink_of(segment).fg);
        self.decorate(out, segment, false);
        self.text(out, segment);
        out.push_str(RESET);
        out.push_str(&accent.fg);
        out.push_str(self.glyphs.1);
        out.push_str(RESET);
    }
}

fn push_gap(out: &mut FrameBuffer, gap: usize, charset: Charset) {
    let fill = if charset == Charset::Ascii { " " } else { NBSP };
    for _ in 0..gap {
        out.push_str(fill);
    }
}

impl SegmentSink for AnsiSink {
    fn decoration_width(&self) -> usize {
        match self.style {
            Style::Classic | Style::Plain => self.separator_width,
            Style::Powerline => self.glyph_width,
            Style::Capsule => 1,
        }
    }

    fn segment_extra_width(&self, name: &str) -> usize {
        let icon = self
            .icon(name)
            .map_or(0, |icon| self.look.rules.width(icon) + 1);
        icon + match self.style {
            Style::Classic | Style::Plain => 0,
            Style::Powerline => 2,
            Style::Capsule => 2 * self.glyph_width,
        }
    }

    fn prepare(&mut self, names: &[&'static str]) {
        let no_style = SegmentStyle::default();
        let widgets = names
            .iter()
            .enumerate()
            .map(|(index, &name)| {
                let style = self.look.styles.get(index).unwrap_or(&no_style);
                let icon = style
                    .icon
                    .or_else(|| self.icon(name))
                    .filter(|i| !i.is_empty());
                let depth = self.look.depth;
                let mut attributes = arrayvec::ArrayString::new();
                if depth != ColorDepth::None {
                    style.write_sgr_attributes(&mut attributes);
                }
                // A user's separator wider than what it replaces (the thin separator,
                // the powerline arrow, the space between capsules) adds the difference.
                let separator = style.separator;
                let replaced = match self.style {
                    Style::Classic | Style::Plain => self.separator_width,
                    Style::Powerline => self.glyph_width,
                    Style::Capsule => 1,
                };
                let wider = separator.map_or(0, |text| {
                    self.look.rules.width(text).saturating_sub(replaced)
                });
                let style_extra = match self.style {
                    Style::Classic | Style::Plain => 0,
                    Style::Powerline => 2,
                    Style::Capsule => 2 * self.glyph_width,
                };
                WidgetLook {
                    name,
                    accent: Paint::new(self.look.theme.color(name, Tone::Normal), depth),
                    icon,
                    extra_width: icon.map_or(0, |i| self.look.rules.width(i) + 1)
                        + style_extra
                        + wider,
                    fg: style.fg.map(|c| Paint::of(c, depth)),
                    bg: style.bg.map(|c| Paint::of(c, depth)),
                    attributes,
                    separator,
                }
            })
            .collect();
        self.widgets = widgets;
    }

    fn segment_extra_width_at(&self, index: usize, name: &str) -> usize {
        match self.look_at(index, name) {
            Some(look) => look.extra_width,
            None => self.segment_extra_width(name),
        }
    }

    fn group_extra_width(&self) -> usize {
        if self.style == Style::Powerline {
            self.glyph_width
        } else {
            0
        }
    }

    fn begin_frame(&mut self, _out: &mut FrameBuffer) {}

    fn begin_line(&mut self, out: &mut FrameBuffer, _line: u8) {
        self.prev_bg = None;
        self.left_open = false;
        if self.style != Style::Plain {
            out.push_str(RESET);
        }
    }

    fn segment(
        &mut self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        position: usize,
        gap: usize,
    ) {
        let tone = match segment.state {
            SegmentState::Stale => Tone::Muted,
            SegmentState::Error => Tone::Critical,
            _ => segment.content.tone,
        };
        let accent = self.accent(segment, tone);
        if self.style == Style::Powerline {
            return self.powerline(out, segment, accent, gap);
        }
        if gap > 0 {
            push_gap(out, gap, self.look.charset);
        }
        let first = gap > 0 || position == 0;
        match self.style {
            Style::Capsule => self.capsule(out, segment, &accent, first),
            _ => self.classic(out, segment, &accent, first),
        }
    }

    fn end_line(&mut self, out: &mut FrameBuffer, _line: u8, _last: bool) {
        if self.style == Style::Powerline {
            self.close_left(out);
        }
        out.push_byte(b'\n');
    }

    fn end_frame(&mut self, _out: &mut FrameBuffer) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::frame::{FrameSpec, Placement, assemble};
    use crate::engine::slots::{SlotContent, SlotTable};
    use crate::format::theme::DEFAULT_THEME;

    const NAMES: &[&str] = &["model", "context", "cost", "unthemed", "time"];
    const ICONS: IconTable = &[("model", "\u{e26d}"), ("cost", "$"), ("time", "\u{f017}")];

    /// One frame of five widgets (one warn, one stale) on two lines, 40 columns wide.
    fn frame(sink: &mut AnsiSink) -> Vec<u8> {
        let mut slots = SlotTable::new(NAMES.len());
        let claims = slots.claims();
        for (index, text) in ["Opus 4.6", "38% ▰▰▰▱▱", "$1.83", "x", "14:26"]
            .iter()
            .enumerate()
        {
            slots.begin(index, 1);
            let mut writer = claims.claim(index, 1).expect("pending");
            writer.push_str(text);
            writer.tone = if index == 1 { Tone::Warn } else { Tone::Normal };
            writer.stale = index == 2;
        }
        let placement = |line, right| Placement {
            line,
            right,
            priority: 1,
            keep_stale: true,
        };
        let placements = [
            placement(0, false),
            placement(0, false),
            placement(0, true),
            placement(1, false),
            placement(1, true),
        ];
        let mut notice = SlotContent::default();
        notice.push_str("\u{26a0} input");
        let spec = FrameSpec {
            names: NAMES,
            ids: &[],
            placements: &placements,
            generation: 1,
            width: Some(40),
            notice: Some(&notice),
            rules: WidthRules::default(),
        };
        let mut out = FrameBuffer::new();
        assemble(&spec, &slots, sink, &mut out);
        out.as_bytes().to_vec()
    }

    #[test]
    fn a_prepared_sink_writes_the_same_bytes_as_one_that_looks_everything_up() {
        for style in [
            Style::Classic,
            Style::Powerline,
            Style::Capsule,
            Style::Plain,
        ] {
            for depth in [
                ColorDepth::TrueColor,
                ColorDepth::Ansi256,
                ColorDepth::Ansi16,
                ColorDepth::None,
            ] {
                let look = Look {
                    theme: Theme {
                        style,
                        ..DEFAULT_THEME
                    },
                    icons: ICONS,
                    ..Look::classic(depth, Charset::NerdFont)
                };
                let mut plain = AnsiSink::with_look(look.clone());
                let mut prepared = AnsiSink::with_look(look);
                prepared.prepare(NAMES);
                let expected = frame(&mut plain);
                assert!(expected.len() > 40, "{style:?} {depth:?}");
                assert_eq!(frame(&mut prepared), expected, "{style:?} {depth:?}");
            }
        }
    }

    #[test]
    fn a_users_style_colours_decorates_and_separates_its_widget() {
        use crate::format::theme::Color;
        let styled = SegmentStyle {
            fg: Some(Color::Index(208)),
            bg: Some(Color::Index(236)),
            bold: true,
            underline: true,
            icon: Some("*"),
            separator: Some(" / "),
            ..SegmentStyle::default()
        };
        let styles = vec![SegmentStyle::default(), styled];
        let render = |style: Style| {
            let look = Look {
                theme: Theme {
                    style,
                    ..DEFAULT_THEME
                },
                styles: styles.clone(),
                ..Look::classic(ColorDepth::Ansi256, Charset::Unicode)
            };
            let mut sink = AnsiSink::with_look(look);
            sink.prepare(&["model", "context"]);
            crate::format::test_support::render_segments(
                Box::new(sink),
                &[
                    ("model", "Opus", Tone::Normal, false),
                    ("context", "38%", Tone::Normal, false),
                ],
                Some(80),
            )
        };
        assert_eq!(
            render(Style::Classic),
            "\x1b[0m\x1b[38;5;183mOpus\x1b[0m\x1b[38;5;60m / \x1b[0m\
             \x1b[38;5;208m\x1b[48;5;236m\x1b[1;4m* 38%\x1b[0m\n"
        );
        // Powerline: the user's bg is the segment's colour, the fg its text.
        let powerline = render(Style::Powerline);
        assert!(
            powerline.contains("\x1b[48;5;236m\x1b[38;5;208m\x1b[1;4m * 38% \x1b[0m"),
            "{powerline:?}"
        );
    }

    /// Two widgets in `style`, the second with the user's separator `" / "`.
    fn with_separator(style: Style, right: bool) -> String {
        let styles = vec![
            SegmentStyle::default(),
            SegmentStyle {
                separator: Some(" / "),
                ..SegmentStyle::default()
            },
        ];
        let look = Look {
            theme: Theme {
                style,
                ..DEFAULT_THEME
            },
            styles,
            ..Look::classic(ColorDepth::Ansi256, Charset::Unicode)
        };
        let mut sink = AnsiSink::with_look(look);
        sink.prepare(&["model", "context"]);
        crate::format::test_support::render_segments(
            Box::new(sink),
            &[
                ("model", "Opus", Tone::Normal, right),
                ("context", "38%", Tone::Normal, right),
            ],
            Some(80),
        )
    }

    #[test]
    fn a_custom_separator_replaces_the_powerline_arrow() {
        let left = with_separator(Style::Powerline, false);
        assert_eq!(
            left,
            "\x1b[0m\x1b[48;5;183m\x1b[38;5;234m Opus \x1b[0m\x1b[38;5;183m\x1b[48;5;117m / \
             \x1b[48;5;117m\x1b[38;5;234m 38% \x1b[0m\x1b[0m\x1b[38;5;117m\u{25b6}\x1b[0m\n"
        );
        let right = with_separator(Style::Powerline, true);
        assert!(
            right.contains("\x1b[38;5;117m\x1b[48;5;183m / "),
            "{right:?}"
        );
        assert_eq!(right.matches('\u{25c0}').count(), 1, "{right:?}");
    }

    #[test]
    fn a_custom_separator_replaces_the_space_between_capsules() {
        let out = with_separator(Style::Capsule, false);
        assert_eq!(
            out,
            "\x1b[0m\x1b[38;5;183m\u{2590}\x1b[48;5;183m\x1b[38;5;234mOpus\x1b[0m\x1b[38;5;183m\u{258c}\x1b[0m\
             \x1b[38;5;60m / \x1b[0m\
             \x1b[38;5;117m\u{2590}\x1b[48;5;117m\x1b[38;5;234m38%\x1b[0m\x1b[38;5;117m\u{258c}\x1b[0m\n"
        );
    }

    #[test]
    fn a_prepared_sink_falls_back_to_names_for_another_layout() {
        let look = Look {
            icons: ICONS,
            ..Look::classic(ColorDepth::TrueColor, Charset::NerdFont)
        };
        let mut plain = AnsiSink::with_look(look.clone());
        let mut other = AnsiSink::with_look(look);
        other.prepare(&["cost", "model"]);
        assert_eq!(frame(&mut other), frame(&mut plain));
        assert_eq!(other.segment_extra_width_at(0, "cost"), 2);
        assert_eq!(other.segment_extra_width_at(0, "model"), 2);
        assert_eq!(other.segment_extra_width_at(1, "context"), 0);
    }
}
