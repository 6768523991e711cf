//! `thinking`: whether extended thinking is on, from `thinking.enabled`.
//!
//! Shows `thinking` when enabled. With `show_off = true` it shows `thinking off` (muted)
//! when disabled. Hides when the flag is absent or null (and when off, by default).
//!
//! ```toml
//! [widget.thinking]
//! show_off = true
//! ```

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "thinking",
    summary: "shows `thinking` while extended thinking is enabled",
    options: ThinkingOptions::SPECS,
    fields: &[],
    build,
};

struct Thinking {
    show_off: bool,
}

widget_options! {
    struct ThinkingOptions {
        /// Show `thinking off` while it is disabled instead of hiding.
        show_off: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = ThinkingOptions::parse(options)?;
    Ok(Box::new(Thinking {
        show_off: o.show_off,
    }))
}

impl Widget for Thinking {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        match ctx.session.thinking.as_ref().and_then(|t| t.enabled) {
            Some(true) => out.push_str("thinking"),
            Some(false) if self.show_off => {
                out.push_str("thinking off");
                out.tone = Tone::Muted;
            }
            _ => return Outcome::Hidden,
        }
        out.source = "thinking.enabled";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn enabled_shows_thinking() {
        assert_eq!(
            WidgetTester::new("thinking").text(r#"{"thinking":{"enabled":true}}"#),
            "thinking"
        );
    }

    #[test]
    fn disabled_hides_unless_show_off() {
        let t = WidgetTester::new("thinking");
        t.assert_hidden(r#"{"thinking":{"enabled":false}}"#);
        let r = t
            .option("show_off", OptionValue::Bool(true))
            .render(r#"{"thinking":{"enabled":false}}"#);
        assert_eq!((r.text.as_str(), r.tone), ("thinking off", Tone::Muted));
    }

    #[test]
    fn hides_when_absent_null_or_mistyped() {
        let t = WidgetTester::new("thinking").option("show_off", OptionValue::Bool(true));
        for p in [
            "{}",
            r#"{"thinking":null}"#,
            r#"{"thinking":{"enabled":null}}"#,
            r#"{"thinking":{"enabled":"on"}}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
