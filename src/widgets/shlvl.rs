//! `shlvl`: how deeply shells are nested (`SHLVL`).
//!
//! Shows `↕ 3` (`^3` with the ASCII charset) when `SHLVL` is at least `threshold`: a
//! reminder that `exit` returns to another shell, not closes the terminal. Hides below the
//! threshold, when `SHLVL` is unset, inside tmux (every tmux pane starts a level deeper
//! than the shell that started tmux, so the count says nothing there) unless `in_tmux`
//! is set, and outside a shell prompt.
//!
//! ```toml
//! [widget.shlvl]
//! threshold = 3
//! in_tmux = true
//! ```

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "shlvl",
    summary: "nested shell level (SHLVL) above a threshold (prompts)",
    options: ShlvlOptions::SPECS,
    fields: &[],
    build,
};

struct Shlvl {
    threshold: u32,
    in_tmux: bool,
}

widget_options! {
    struct ShlvlOptions {
        /// The lowest level that shows the widget.
        threshold: Int<1, 1000> = 2,
        /// Show it inside tmux too, whose panes start one level deeper than the terminal's
        /// shell.
        in_tmux: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = ShlvlOptions::parse(options)?;
    Ok(Box::new(Shlvl {
        threshold: o.threshold as u32,
        in_tmux: o.in_tmux,
    }))
}

impl Widget for Shlvl {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(shell) = ctx.shell else {
            return Outcome::Hidden;
        };
        let Some(level) = shell.shlvl else {
            return Outcome::Hidden;
        };
        if level < self.threshold || (shell.tmux && !self.in_tmux) {
            return Outcome::Hidden;
        }
        out.source = "SHLVL";
        out.tone = Tone::Muted;
        out.push_str(ctx.charset.pick("\u{2195} ", "\u{2195} ", "^"));
        let _ = write!(out, "{level}");
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::input::shell::ShellContext;
    use crate::widgets::Charset;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn level(shlvl: Option<u32>) -> WidgetTester {
        in_tmux(shlvl, false)
    }

    fn in_tmux(shlvl: Option<u32>, tmux: bool) -> WidgetTester {
        let shell = ShellContext {
            shlvl,
            tmux,
            ..ShellContext::default()
        };
        WidgetTester::new("shlvl").shell(shell)
    }

    #[test]
    fn nested_shells_show_their_level() {
        assert_eq!(level(Some(3)).text("{}"), "\u{2195} 3");
        assert_eq!(level(Some(2)).charset(Charset::Ascii).text("{}"), "^2");
    }

    #[test]
    fn the_top_shell_and_an_unset_level_hide() {
        level(Some(1)).assert_hidden("{}");
        level(None).assert_hidden("{}");
        level(Some(2))
            .option("threshold", OptionValue::Int(3))
            .assert_hidden("{}");
    }

    #[test]
    fn shlvl_is_hidden_inside_tmux_unless_asked_for() {
        in_tmux(Some(3), true).assert_hidden("{}");
        assert_eq!(
            in_tmux(Some(3), true)
                .option("in_tmux", OptionValue::Bool(true))
                .text("{}"),
            "\u{2195} 3"
        );
        in_tmux(Some(1), true)
            .option("in_tmux", OptionValue::Bool(true))
            .assert_hidden("{}");
    }
}
