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
    fields: &[],
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
                Err(problem) => return transcript::show_problem(problem, ctx.charset, out),
            };
            let s = view.state;
            if s.prompts == 0 && s.calls == 0 {
                return Outcome::Hidden;
            }
            transcript::begin(&view, out);
            let dot = ctx.charset.dot();
            let _ = write!(
                out,
                "{}{dot}{}{dot}{}",
                Count(s.prompts, "prompt", "prompts"),
                Count(s.calls, "reply", "replies"),
                Count(s.tool_uses, "tool", "tools"),
            );
            let _ = write!(out.short, "{}/{}/{}", s.prompts, s.calls, s.tool_uses);
            Outcome::Shown
        })
        .unwrap_or(Outcome::Hidden)
    }

    fn after_frame(&self, frame: &crate::widgets::AfterFrame<'_>) {
        transcript::after_frame(frame.transcripts, frame.refresher);
    }
}

/// A count and its noun, singular for exactly one: `1 prompt`, `2 prompts`, `0 tools`.
struct Count(u64, &'static str, &'static str);

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Count(n, one, many) = *self;
        write!(f, "{n} {}", if n == 1 { one } else { many })
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
    fn one_prompt_is_singular_not_1_prompts() {
        let path = TranscriptBuilder::new()
            .prompt(300)
            .call("m1", "claude-opus-4-6", (1, 1, 0, 0), 1, 290)
            .write("messages-one");
        let r = WidgetTester::new("messages").render(&payload(&path));
        assert_eq!(r.text, "1 prompt \u{b7} 1 reply \u{b7} 1 tool");
        assert_eq!(r.short, "1/1/1");
    }

    #[test]
    fn an_empty_transcript_hides() {
        let path = TranscriptBuilder::new().write("messages-empty");
        WidgetTester::new("messages").assert_hidden(&payload(&path));
    }
}
