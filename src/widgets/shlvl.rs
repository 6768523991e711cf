//! `shlvl`: how deeply shells are nested (`SHLVL`).
//!
//! Shows `↕ 3` (`^3` with the ASCII charset) when `SHLVL` is at least `threshold`: a
//! reminder that `exit` returns to another shell, not closes the terminal. Hides below the
//! threshold, when `SHLVL` is unset, and outside a shell prompt.
//!
//! ```toml
//! [widget.shlvl]
//! threshold = 3
//! ```

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "shlvl",
    summary: "nested shell level (SHLVL) above a threshold (prompts)",
    options: ShlvlOptions::SPECS,
    build,
};

struct Shlvl {
    threshold: u32,
}

widget_options! {
    struct ShlvlOptions {
        /// The lowest level that shows the widget.
        threshold: Int<1, 1000> = 2,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = ShlvlOptions::parse(options)?;
    Ok(Box::new(Shlvl {
        threshold: o.threshold as u32,
    }))
}

impl Widget for Shlvl {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(level) = ctx.shell.and_then(|s| s.shlvl) else {
            return Outcome::Hidden;
        };
        if level < self.threshold {
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
        let shell = ShellContext {
            shlvl,
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
}
