//! `messages`: how many prompts, replies and tool calls the session had, from the
//! transcript: `12 prompts · 48 replies · 130 tools`.
//!
//! Prompts are user lines that are not tool results (meta lines excluded); replies are
//! distinct API calls (each counted once however many lines it spans); tools are
//! `tool_use` blocks. Sub-agent (sidechain) lines are left out of prompts and tools, but
//! their API calls count as replies. Short form: `12/48/130`.
//!
//! ```toml
//! [widget.messages]
//! ```
//!
//! Hides when the payload names no transcript, the transcript does not exist yet, or it
//! holds no prompt.

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::transcript;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "messages",
    summary: "prompts, replies and tool calls in the session (from the transcript)",
    options: &[],
    build,
};

struct Messages;

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    options.check_known(INFO.options)?;
    Ok(Box::new(Messages))
}

impl Widget for Messages {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        transcript::with_view(ctx, |view| {
            let view = match view {
                Ok(v) => v,
                Err(problem) => return transcript::show_problem(problem, out),
            };
            let s = view.state;
            if s.prompts == 0 && s.calls == 0 {
                return Outcome::Hidden;
            }
            transcript::begin(&view, out);
            let _ = write!(
                out,
                "{} prompts \u{b7} {} replies \u{b7} {} tools",
                s.prompts, s.calls, s.tool_uses
            );
            let _ = write!(out.short, "{}/{}/{}", s.prompts, s.calls, s.tool_uses);
            Outcome::Shown
        })
        .unwrap_or(Outcome::Hidden)
    }

    fn after_frame(&self) {
        transcript::after_frame();
    }
}

#[cfg(test)]
mod tests {
    use crate::transcript::testing::{TranscriptBuilder, payload};
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn prompts_replies_and_tools_are_counted_apart() {
        let path = TranscriptBuilder::new()
            .prompt(300)
            .call("m1", "claude-opus-4-6", (1, 1, 0, 0), 3, 290)
            .tool_result(280)
            .call("m2", "claude-opus-4-6", (1, 1, 0, 0), 1, 270)
            .prompt(100)
            .sidechain_call("s1", (1, 1, 0, 0), 90)
            .write("messages");
        let r = WidgetTester::new("messages").render(&payload(&path));
        assert_eq!(r.text, "2 prompts \u{b7} 3 replies \u{b7} 2 tools");
        assert_eq!(r.short, "2/3/2");
    }

    #[test]
    fn an_empty_transcript_hides() {
        let path = TranscriptBuilder::new().write("messages-empty");
        WidgetTester::new("messages").assert_hidden(&payload(&path));
    }
}
