//! Shell prompt output (`zsh`, `bash`, `fish`): ANSI colours wrapped the way each shell's
//! line editor needs to measure the prompt, so the cursor lands in the right column.
//!
//! - zsh: every escape sequence inside `%{ … %}`; `%` in text doubled. The integration
//!   shows the result through `PROMPT='${…}'` with `prompt_subst`: the value of a
//!   parameter is not expanded again, so `$` and backquotes in text are never run, and it
//!   turns `prompt_bang` off, so `!` stays text. (Assigned directly, as in
//!   `PROMPT="$(blinkline prompt --shell zsh)"` with `prompt_subst` on, zsh would expand
//!   them: show the output through a parameter.)
//! - bash: every escape sequence inside raw `\x01 … \x02` (readline's
//!   `RL_PROMPT_START_IGNORE`/`RL_PROMPT_END_IGNORE`, what bash turns `\[ … \]` into); text
//!   as it is. The integration stores the output in a variable and sets
//!   `PS1='${_blinkline_ps1}'`: bash decodes backslash escapes (and, in POSIX mode, `!`) in
//!   `PS1` itself, then (`promptvars`) expands it once, and the value of a parameter is
//!   never decoded or expanded again. So `$`, backquotes, `\` and `!` in a name are only
//!   ever text, whatever the locale: no escaping is needed, and none could be trusted
//!   under GBK, BIG5 or Shift_JIS, where a backslash can be the second byte of a
//!   character. With `promptvars` off (and not in POSIX mode, which expands anyway) the
//!   reference would show as it is, so the integration assigns the output to `PS1` itself
//!   with `\` doubled: nothing is expanded then.
//!   Used directly, `blinkline prompt --shell bash` output is for such a variable or for
//!   printing; assigned as `PS1="$(blinkline prompt --shell bash)"` bash would expand
//!   `$(…)` and decode `\` escapes in names: show it through a variable reference.
//! - fish: the prompt is printed, not parsed: nothing to wrap or escape.
//!
//! Segments are joined by one space; the last line has no newline, and a left prompt ends
//! with one space so the command does not touch the prompt character.

use crate::engine::frame::{FrameBuffer, Segment, SegmentSink};
use crate::format::style::{SegmentStyle, style_at, tone_of, write_doubling};
use crate::format::theme::{ColorDepth, Theme, write_color, write_fg};
use crate::input::shell::ShellKind;

/// A prompt for one shell.
pub struct ShellSink {
    shell: ShellKind,
    theme: Theme,
    depth: ColorDepth,
    /// A right prompt: no trailing space.
    right: bool,
    shown: usize,
    /// The user's style of each widget, in layout order.
    styles: Vec<SegmentStyle>,
}

impl ShellSink {
    pub fn new(shell: ShellKind, theme: Theme, depth: ColorDepth, right: bool) -> Self {
        ShellSink {
            shell,
            theme,
            depth,
            right,
            shown: 0,
            styles: Vec::new(),
        }
    }

    /// With the user's style of each widget (layout order).
    pub fn with_styles(mut self, styles: Vec<SegmentStyle>) -> Self {
        self.styles = styles;
        self
    }

    fn wrap(&self) -> (&'static str, &'static str) {
        match self.shell {
            ShellKind::Zsh => ("%{", "%}"),
            ShellKind::Bash => ("\x01", "\x02"),
            ShellKind::Fish | ShellKind::Powershell => ("", ""),
        }
    }

    fn escape(&self, out: &mut FrameBuffer, esc: impl FnOnce(&mut FrameBuffer)) {
        if self.depth == ColorDepth::None {
            return;
        }
        let (open, close) = self.wrap();
        out.push_str(open);
        esc(out);
        out.push_str(close);
    }

    fn text(&self, out: &mut FrameBuffer, text: &str) {
        match self.shell {
            ShellKind::Zsh => write_doubling(out, text, '%'),
            ShellKind::Fish | ShellKind::Bash | ShellKind::Powershell => out.push_str(text),
        }
    }
}

impl SegmentSink for ShellSink {
    fn decoration_width(&self) -> usize {
        1
    }

    fn begin_frame(&mut self, _out: &mut FrameBuffer) {
        self.shown = 0;
    }

    fn begin_line(&mut self, _out: &mut FrameBuffer, _line: u8) {}

    fn segment(
        &mut self,
        out: &mut FrameBuffer,
        segment: &Segment<'_>,
        position: usize,
        gap: usize,
    ) {
        if gap > 0 {
            (0..gap).for_each(|_| out.push_byte(b' '));
        } else if position > 0 {
            out.push_byte(b' ');
        }
        let tone = tone_of(segment);
        let color = self.theme.color(segment.name, tone);
        let depth = self.depth;
        let style = style_at(&self.styles, segment.index);
        self.escape(out, |out| {
            match style.and_then(|s| s.fg) {
                Some(fg) if tone == crate::engine::slots::Tone::Normal => {
                    write_color(out, fg, depth, false)
                }
                _ => write_fg(out, color, depth),
            }
            if let Some(style) = style {
                if let Some(bg) = style.bg {
                    write_color(out, bg, depth, true);
                }
                style.write_sgr_attributes(out);
            }
        });
        self.text(out, segment.text());
        self.escape(out, |out| out.push_str("\x1b[0m"));
        self.shown += 1;
    }

    fn end_line(&mut self, out: &mut FrameBuffer, _line: u8, last: bool) {
        if !last {
            out.push_byte(b'\n');
        }
    }

    fn end_frame(&mut self, out: &mut FrameBuffer) {
        if !self.right && self.shown > 0 {
            out.push_byte(b' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_support::render_with;
    use crate::format::theme::DEFAULT_THEME;

    fn prompt(shell: ShellKind, depth: ColorDepth, text: &str) -> String {
        render_with(
            Box::new(ShellSink::new(shell, DEFAULT_THEME, depth, false)),
            text,
        )
    }

    #[test]
    fn zsh_wraps_escapes_in_percent_braces_and_doubles_percent() {
        let out = prompt(ShellKind::Zsh, ColorDepth::Ansi16, "50% done");
        assert!(out.starts_with("%{\x1b["), "{out:?}");
        assert!(out.contains("%}50%% done%{\x1b[0m%}"), "{out:?}");
        assert!(out.ends_with(' '));
    }

    #[test]
    fn bash_wraps_escapes_in_readline_markers_and_leaves_text_as_it_is() {
        let out = prompt(ShellKind::Bash, ColorDepth::Ansi16, "$(rm) `x` a\\b!");
        assert!(out.starts_with("\x01\x1b["), "{out:?}");
        assert!(
            out.contains("\x02$(rm) `x` a\\b!\x01\x1b[0m\x02"),
            "{out:?}"
        );
    }

    #[test]
    fn a_styled_widget_keeps_its_escapes_wrapped_and_its_text_plain() {
        use crate::format::theme::Color;
        let style = SegmentStyle {
            fg: Some(Color::Index(2)),
            bg: Some(Color::Index(236)),
            bold: true,
            ..SegmentStyle::default()
        };
        let sink = |shell| {
            ShellSink::new(shell, DEFAULT_THEME, ColorDepth::Ansi256, false)
                .with_styles(vec![style.clone()])
        };
        assert_eq!(
            render_with(Box::new(sink(ShellKind::Zsh)), "50% $(x)"),
            "%{\x1b[32m\x1b[48;5;236m\x1b[1m%}50%% $(x)%{\x1b[0m%} "
        );
        assert_eq!(
            render_with(Box::new(sink(ShellKind::Bash)), "a\\w `b`"),
            "\x01\x1b[32m\x1b[48;5;236m\x1b[1m\x02a\\w `b`\x01\x1b[0m\x02 "
        );
    }

    #[test]
    fn fish_gets_raw_escapes_and_no_colour_gets_none() {
        let fish = prompt(ShellKind::Fish, ColorDepth::Ansi16, "~/src");
        assert!(
            fish.starts_with('\x1b') && fish.contains("~/src\x1b[0m"),
            "{fish:?}"
        );
        assert_eq!(prompt(ShellKind::Zsh, ColorDepth::None, "~/src"), "~/src ");
    }
}
