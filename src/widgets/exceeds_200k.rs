//! `exceeds_200k`: a warning when the conversation is past 200k tokens.
//!
//! Shows `>200k` in the warn tone when `exceeds_200k_tokens` is true (long-context pricing
//! applies past that point). Hides when the flag is false, absent or null.
//!
//! ```toml
//! [widget.exceeds_200k]
//! text = "long ctx"
//! ```

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::push_clean;
use crate::widgets::options::{Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "exceeds_200k",
    summary: "a warning once the conversation exceeds 200k tokens",
    options: Exceeds200kOptions::SPECS,
    fields: &[],
    build,
};

struct Exceeds200k {
    text: String,
}

widget_options! {
    struct Exceeds200kOptions {
        /// The marker.
        text: Text = ">200k",
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = Exceeds200kOptions::parse(options)?;
    Ok(Box::new(Exceeds200k { text: o.text }))
}

impl Widget for Exceeds200k {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        if ctx.session.exceeds_200k_tokens != Some(true) {
            return Outcome::Hidden;
        }
        push_clean(out, &self.text);
        out.tone = Tone::Warn;
        out.source = "exceeds_200k_tokens";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn true_flag_shows_a_warning() {
        let r = WidgetTester::new("exceeds_200k").render(r#"{"exceeds_200k_tokens":true}"#);
        assert_eq!((r.text.as_str(), r.tone), (">200k", Tone::Warn));
    }

    #[test]
    fn hides_when_false_absent_null_or_mistyped() {
        let t = WidgetTester::new("exceeds_200k");
        for payload in [
            "{}",
            r#"{"exceeds_200k_tokens":false}"#,
            r#"{"exceeds_200k_tokens":null}"#,
            r#"{"exceeds_200k_tokens":"yes"}"#,
        ] {
            t.assert_hidden(payload);
        }
    }
}
