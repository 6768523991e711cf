//! `fast_mode`: a marker while fast mode is on, from `fast_mode`.
//!
//! Shows `fast` (configurable) when `fast_mode` is true. Hides when it is false, absent or
//! null.
//!
//! Options: `text` (string, default `"fast"`).
//!
//! ```toml
//! [widget.fast_mode]
//! text = "⚡"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "fast_mode",
    summary: "a marker while fast mode is on",
    options: &["text"],
    build,
};

struct FastMode {
    text: String,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    options.check_known(INFO.options)?;
    Ok(Box::new(FastMode {
        text: options.string("text", "fast")?,
    }))
}

impl Widget for FastMode {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        if ctx.session.fast_mode != Some(true) {
            return Outcome::Hidden;
        }
        push_clean(out, &self.text);
        out.source = "fast_mode";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn on_shows_the_marker() {
        let t = WidgetTester::new("fast_mode");
        assert_eq!(t.text(r#"{"fast_mode":true}"#), "fast");
        let custom = t.option("text", OptionValue::Str("\u{26a1}".into()));
        assert_eq!(custom.text(r#"{"fast_mode":"true"}"#), "\u{26a1}");
    }

    #[test]
    fn hides_when_off_absent_or_null() {
        let t = WidgetTester::new("fast_mode");
        for p in [
            "{}",
            r#"{"fast_mode":false}"#,
            r#"{"fast_mode":null}"#,
            r#"{"fast_mode":{}}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
