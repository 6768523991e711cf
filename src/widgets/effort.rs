//! `effort`: the reasoning effort level, from `effort.level`.
//!
//! Shows `effort high` (`low`, `medium`, `high`, `xhigh`, `max`; other levels are shown as
//! sent, sanitized). Short form: the level alone. `max` and `xhigh` use the warn tone (they
//! spend tokens fastest). Hides when the level is absent, null or blank.
//!
//! ```toml
//! [widget.effort]
//! label = ""
//! ```

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::push_clean;
use crate::widgets::options::{Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "effort",
    summary: "reasoning effort level (effort high)",
    options: EffortOptions::SPECS,
    fields: &[],
    build,
};

struct Effort {
    label: String,
}

widget_options! {
    struct EffortOptions {
        /// Written before the level.
        label: Text = "effort ",
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = EffortOptions::parse(options)?;
    Ok(Box::new(Effort { label: o.label }))
}

impl Widget for Effort {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let level = ctx.session.effort.as_ref().and_then(|e| e.level.as_deref());
        let Some(level) = level.map(str::trim).filter(|l| !l.is_empty()) else {
            return Outcome::Hidden;
        };
        push_clean(out, &self.label);
        push_clean(out, level);
        push_clean(&mut out.short, level);
        if out.short.trim().is_empty() {
            return Outcome::Hidden;
        }
        out.tone = match level {
            "max" | "xhigh" => Tone::Warn,
            _ => Tone::Normal,
        };
        out.source = "effort.level";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_the_level_with_its_label() {
        let r = WidgetTester::new("effort").render(r#"{"effort":{"level":"high"}}"#);
        assert_eq!(
            (r.text.as_str(), r.short.as_str(), r.tone),
            ("effort high", "high", Tone::Normal)
        );
    }

    #[test]
    fn max_effort_is_a_warning_and_the_label_can_go() {
        let t = WidgetTester::new("effort").option("label", OptionValue::Str(String::new()));
        let r = t.render(r#"{"effort":{"level":"max"}}"#);
        assert_eq!((r.text.as_str(), r.tone), ("max", Tone::Warn));
    }

    #[test]
    fn escapes_in_the_level_are_removed() {
        let t = WidgetTester::new("effort");
        assert_eq!(
            t.text(r#"{"effort":{"level":"lo\u001b[2Jw"}}"#),
            "effort low"
        );
    }

    #[test]
    fn hides_when_absent_null_blank_or_mistyped() {
        let t = WidgetTester::new("effort");
        for p in [
            "{}",
            r#"{"effort":null}"#,
            r#"{"effort":{"level":" "}}"#,
            r#"{"effort":{"level":3}}"#,
            r#"{"effort":"high"}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
