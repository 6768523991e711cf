//! `token_speed`: output tokens per second over the recent API calls, from the
//! transcript: `42 tok/s`.
//!
//! A call's time runs from the user line that sent the request (a prompt or a tool
//! result) to the call's last transcript line; the speed is the output tokens of the calls
//! that ended within the window divided by their summed times. Only the last 64 calls are
//! remembered, sub-agent calls included.
//!
//! ```toml
//! [widget.token_speed]
//! window = 600
//! ```
//!
//! Hides when the payload names no transcript or no call ended within the window.

use crate::fixed::fixed;
use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::transcript;
use crate::transcript::state::State;
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "token_speed",
    summary: "output tokens per second over recent API calls (from the transcript)",
    options: TokenSpeedOptions::SPECS,
    fields: &[],
    build,
};

struct TokenSpeed {
    window_ms: i64,
}

widget_options! {
    struct TokenSpeedOptions {
        /// Seconds: how far back calls count.
        window: Int<1, 86_400> = 300,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = TokenSpeedOptions::parse(options)?;
    Ok(Box::new(TokenSpeed {
        window_ms: o.window * 1000,
    }))
}

/// Output tokens per second of the calls that ended after `since_ms`.
pub fn speed(state: &State, since_ms: i64) -> Option<f64> {
    let (mut tokens, mut ms) = (0u64, 0i64);
    for call in state.recent_calls().filter(|c| c.end_ms > since_ms) {
        tokens += call.tokens.output;
        ms += (call.end_ms - call.start_ms).max(0);
    }
    (ms > 0).then(|| tokens as f64 * 1000.0 / ms as f64)
}

impl Widget for TokenSpeed {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        transcript::with_view(ctx, |view| {
            let view = match view {
                Ok(v) => v,
                Err(problem) => return transcript::show_problem(problem, ctx.charset, out),
            };
            let Some(rate) = speed(view.state, ctx.now * 1000 - self.window_ms) else {
                return Outcome::Hidden;
            };
            transcript::begin(&view, out);
            let _ = write!(out, "{} tok/s", fixed(rate, 0));
            let _ = write!(out.short, "{}/s", fixed(rate, 0));
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
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn output_tokens_are_divided_by_the_request_times() {
        // 1000 tokens in 10 s, then 500 tokens in 15 s (from the tool result).
        let path = TranscriptBuilder::new()
            .prompt(100)
            .call("m1", "claude-opus-4-6", (1, 1_000, 0, 0), 2, 90)
            .tool_result(60)
            .call("m2", "claude-opus-4-6", (1, 500, 0, 0), 1, 45)
            .write("speed");
        let r = WidgetTester::new("token_speed").render(&payload(&path));
        assert_eq!((r.text.as_str(), r.short.as_str()), ("60 tok/s", "60/s"));
        let recent = WidgetTester::new("token_speed").option("window", OptionValue::Int(60));
        assert_eq!(recent.text(&payload(&path)), "33 tok/s");
    }

    #[test]
    fn no_call_in_the_window_hides() {
        let path = TranscriptBuilder::new()
            .prompt(4000)
            .call("m1", "claude-opus-4-6", (1, 1_000, 0, 0), 1, 3990)
            .write("speed-old");
        WidgetTester::new("token_speed").assert_hidden(&payload(&path));
    }
}
