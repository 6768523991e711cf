//! `jobs`: the shell's background jobs.
//!
//! Shows `✦ 2` (`&2` with the ASCII charset) when the shell has at least `threshold`
//! background jobs. Hides below it, and outside a shell prompt.
//!
//! ```toml
//! [widget.jobs]
//! threshold = 2
//! ```

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::push_clean;
use crate::widgets::options::{Int, Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "jobs",
    summary: "number of background jobs (prompts)",
    options: JobsOptions::SPECS,
    fields: &[],
    build,
};

struct Jobs {
    threshold: u32,
    symbol: String,
}

widget_options! {
    struct JobsOptions {
        /// The fewest jobs that show the widget.
        threshold: Int<1, 10_000> = 1,
        /// Written before the count; empty: `✦` (`&` with the ASCII charset).
        symbol: Text = "",
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = JobsOptions::parse(options)?;
    Ok(Box::new(Jobs {
        threshold: o.threshold as u32,
        symbol: o.symbol,
    }))
}

impl Widget for Jobs {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let jobs = ctx.shell.map_or(0, |s| s.jobs);
        if jobs < self.threshold {
            return Outcome::Hidden;
        }
        out.source = "--jobs";
        out.tone = Tone::Warn;
        if self.symbol.is_empty() {
            out.push_str(ctx.charset.pick("\u{2726} ", "\u{2726} ", "&"));
        } else {
            push_clean(out, &self.symbol);
        }
        let _ = write!(out, "{jobs}");
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::input::shell::ShellContext;
    use crate::widgets::Charset;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn with_jobs(jobs: u32) -> WidgetTester {
        let shell = ShellContext {
            jobs,
            ..ShellContext::default()
        };
        WidgetTester::new("jobs").shell(shell)
    }

    #[test]
    fn background_jobs_are_counted() {
        assert_eq!(with_jobs(2).text("{}"), "\u{2726} 2");
        assert_eq!(with_jobs(3).charset(Charset::Ascii).text("{}"), "&3");
    }

    #[test]
    fn no_jobs_or_fewer_than_the_threshold_hide() {
        with_jobs(0).assert_hidden("{}");
        with_jobs(1)
            .option("threshold", OptionValue::Int(2))
            .assert_hidden("{}");
        WidgetTester::new("jobs").assert_hidden("{}");
    }
}
