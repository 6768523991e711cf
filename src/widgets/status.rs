//! `status`: the exit status of the last shell command, when it failed.
//!
//! Shows `✘ 1`, or `✘ 130 INT` when a signal ended the command (status above 128), or the
//! whole pipeline `✘ 0|1|0` when one member of a multi-command pipeline failed. The tone is
//! critical. Hides after a successful command, and outside a shell prompt.
//!
//! ```toml
//! [widget.status]
//! symbol = "!"
//! pipestatus = false
//! ```

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::input::shell::signal_name;
use crate::sanitize::push_clean;
use crate::widgets::options::{Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "status",
    summary: "exit status of the last command, with its signal name (prompts)",
    options: StatusOptions::SPECS,
    fields: &[],
    build,
};

struct Status {
    symbol: Option<String>,
    signal: bool,
    pipestatus: bool,
}

widget_options! {
    struct StatusOptions {
        /// Written before the status; empty: `✘` (`x` with the ASCII charset).
        symbol: Text = "",
        /// Add the signal name.
        signal: bool = true,
        /// Show every pipeline member when one failed.
        pipestatus: bool = true,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = StatusOptions::parse(options)?;
    Ok(Box::new(Status {
        symbol: (!o.symbol.is_empty()).then_some(o.symbol),
        signal: o.signal,
        pipestatus: o.pipestatus,
    }))
}

impl Widget for Status {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(shell) = ctx.shell else {
            return Outcome::Hidden;
        };
        let pipeline = &shell.pipestatus;
        let failed_pipe = self.pipestatus && pipeline.len() > 1 && pipeline.iter().any(|&s| s != 0);
        let status = shell.status.unwrap_or(0);
        if status == 0 && !failed_pipe {
            return Outcome::Hidden;
        }
        out.source = "--status";
        out.tone = Tone::Critical;
        match &self.symbol {
            Some(symbol) => push_clean(out, symbol),
            None => out.push_str(ctx.charset.pick("\u{2718}", "\u{2718}", "x")),
        }
        out.push(' ');
        if failed_pipe {
            out.source = "--pipestatus";
            for (i, code) in pipeline.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                let _ = write!(out, "{code}");
            }
        } else {
            let _ = write!(out, "{status}");
        }
        let _ = write!(out.short, "{status}");
        if let Some(name) = signal_name(status).filter(|_| self.signal) {
            out.push(' ');
            out.push_str(name);
        }
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::input::shell::ShellContext;
    use crate::widgets::Charset;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn after(status: i32, pipe: &[i32]) -> WidgetTester {
        let shell = ShellContext {
            status: Some(status),
            pipestatus: pipe.iter().copied().collect(),
            ..ShellContext::default()
        };
        WidgetTester::new("status").shell(shell)
    }

    #[test]
    fn a_failed_command_shows_its_status_in_critical() {
        let r = after(1, &[1]).render("{}");
        assert_eq!((r.text.as_str(), r.tone), ("\u{2718} 1", Tone::Critical));
    }

    #[test]
    fn a_signal_adds_its_name() {
        assert_eq!(after(130, &[]).text("{}"), "\u{2718} 130 INT");
        let quiet = after(130, &[]).option("signal", OptionValue::Bool(false));
        assert_eq!(quiet.text("{}"), "\u{2718} 130");
    }

    #[test]
    fn a_failed_pipeline_member_shows_the_whole_pipeline() {
        assert_eq!(after(0, &[0, 1, 0]).text("{}"), "\u{2718} 0|1|0");
        let off = after(0, &[0, 1, 0]).option("pipestatus", OptionValue::Bool(false));
        off.assert_hidden("{}");
    }

    #[test]
    fn success_and_claude_code_renders_hide() {
        after(0, &[0, 0]).assert_hidden("{}");
        WidgetTester::new("status").assert_hidden("{}");
    }

    #[test]
    fn symbol_follows_the_option_and_the_charset() {
        let ascii = after(2, &[]).charset(Charset::Ascii);
        assert_eq!(ascii.text("{}"), "x 2");
        let custom = after(2, &[]).option("symbol", OptionValue::Str("!\u{1b}[31m".into()));
        assert_eq!(custom.text("{}"), "! 2");
    }
}
