//! `compactions`: how many times the conversation was compacted (`/compact` or automatic),
//! counted from the transcript's `compact_boundary` lines: `⟳ 3` (ASCII: `compacted 3`).
//!
//! ```toml
//! [widget.compactions]
//! show_zero = true
//! ```
//!
//! Hides when the payload names no transcript, the transcript does not exist yet, or there
//! was no compaction (unless `show_zero`).

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::transcript;
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "compactions",
    summary: "how many times the conversation was compacted (from the transcript)",
    options: CompactionsOptions::SPECS,
    fields: &[],
    build,
};

struct Compactions {
    show_zero: bool,
}

widget_options! {
    struct CompactionsOptions {
        /// Show `⟳ 0` before the first compaction.
        show_zero: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = CompactionsOptions::parse(options)?;
    Ok(Box::new(Compactions {
        show_zero: o.show_zero,
    }))
}

impl Widget for Compactions {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        transcript::with_view(ctx, |view| {
            let view = match view {
                Ok(v) => v,
                Err(problem) => return transcript::show_problem(problem, ctx.charset, out),
            };
            let n = view.state.compactions;
            if n == 0 && !self.show_zero {
                return Outcome::Hidden;
            }
            transcript::begin(&view, out);
            out.push_str(ctx.charset.pick("\u{f021} ", "\u{27f3} ", "compacted "));
            let _ = write!(out, "{n}");
            let _ = write!(out.short, "{n}");
            Outcome::Shown
        })
        .unwrap_or(Outcome::Hidden)
    }

    fn after_frame(&self, frame: &crate::widgets::AfterFrame<'_>) {
        transcript::after_frame(frame.transcripts, frame.refresher);
    }
}

#[cfg(test)]
mod tests {
    use crate::transcript::testing::{TranscriptBuilder, payload};
    use crate::widgets::Charset;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn compaction_markers_are_counted() {
        let path = TranscriptBuilder::new()
            .prompt(300)
            .compact(200)
            .raw("{\"type\":\"user\",\"message\":{\"content\":\"\\\"compact_boundary\\\"\"}}\n")
            .compact(100)
            .write("compactions");
        let t = WidgetTester::new("compactions");
        assert_eq!(t.text(&payload(&path)), "\u{27f3} 2");
        let ascii = WidgetTester::new("compactions").charset(Charset::Ascii);
        assert_eq!(ascii.text(&payload(&path)), "compacted 2");
    }

    #[test]
    fn no_compaction_hides_unless_zero_is_asked_for() {
        let path = TranscriptBuilder::new()
            .prompt(10)
            .write("compactions-none");
        WidgetTester::new("compactions").assert_hidden(&payload(&path));
        let t = WidgetTester::new("compactions").option("show_zero", OptionValue::Bool(true));
        assert_eq!(t.text(&payload(&path)), "\u{27f3} 0");
    }
}
