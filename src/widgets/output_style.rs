//! `output_style`: the active output style, from `output_style.name`.
//!
//! Shows the style's name (`Explanatory`, `Learning`, …), sanitized. Hides when the name is
//! absent, blank or `default` (case-insensitive) unless `show_default = true`.
//!
//! ```toml
//! [widget.output_style]
//! show_default = true
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo, show_clean};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "output_style",
    summary: "the output style's name, hidden while it is `default`",
    options: OutputStyleOptions::SPECS,
    fields: &[],
    build,
};

struct OutputStyle {
    show_default: bool,
}

widget_options! {
    struct OutputStyleOptions {
        /// Show the style while it is `default` too.
        show_default: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = OutputStyleOptions::parse(options)?;
    Ok(Box::new(OutputStyle {
        show_default: o.show_default,
    }))
}

impl Widget for OutputStyle {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let name = ctx
            .session
            .output_style
            .as_ref()
            .and_then(|s| s.name.as_deref());
        if !self.show_default && name.is_some_and(|n| n.trim().eq_ignore_ascii_case("default")) {
            return Outcome::Hidden;
        }
        show_clean(out, name, "output_style.name")
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_a_chosen_style() {
        let t = WidgetTester::new("output_style");
        assert_eq!(
            t.text(r#"{"output_style":{"name":"Explanatory"}}"#),
            "Explanatory"
        );
    }

    #[test]
    fn default_style_hides_unless_asked() {
        let t = WidgetTester::new("output_style");
        t.assert_hidden(r#"{"output_style":{"name":"default"}}"#);
        let shown = t.option("show_default", OptionValue::Bool(true));
        assert_eq!(
            shown.text(r#"{"output_style":{"name":"default"}}"#),
            "default"
        );
    }

    #[test]
    fn escapes_are_removed_and_absent_names_hide() {
        let t = WidgetTester::new("output_style");
        assert_eq!(
            t.text(r#"{"output_style":{"name":"Lea\u001b]0;x\u0007rning"}}"#),
            "Learning"
        );
        for p in [
            "{}",
            r#"{"output_style":null}"#,
            r#"{"output_style":{"name":null}}"#,
            r#"{"output_style":{"name":["x"]}}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
