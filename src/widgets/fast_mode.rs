//! `fast_mode`: a marker while fast mode is on, from `fast_mode`.
//!
//! Shows `fast` (configurable) when `fast_mode` is true. Hides when it is false, absent or
//! null.
//!
//! ```toml
//! [widget.fast_mode]
//! text = "⚡"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::options::{Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "fast_mode",
    summary: "a marker while fast mode is on",
    options: FastModeOptions::SPECS,
    fields: &[],
    build,
};

struct FastMode {
    text: String,
}

widget_options! {
    struct FastModeOptions {
        /// The marker.
        text: Text = "fast",
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = FastModeOptions::parse(options)?;
    Ok(Box::new(FastMode { text: o.text }))
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
