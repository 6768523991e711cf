//! `text`: a fixed piece of text from the config: a label, a separator, an icon.
//!
//! Shows the `text` option as written, with control characters and escape sequences
//! removed (styling is the theme's job). Never hides.
//!
//! ```toml
//! [widget.text]
//! text = "dev box"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::clean;
use crate::widgets::options::{OptionKind, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "text",
    summary: "fixed text from the config",
    options: TextOptions::SPECS,
    fields: &[],
    build,
};

struct Text {
    text: String,
}

/// Required text, kept clean of control characters and escape sequences; blank is missing.
struct CleanText;

impl OptionKind for CleanText {
    type Value = String;
    fn describe() -> String {
        "string".into()
    }
    fn read(options: &Options, key: &str, _: String) -> Result<String, OptionError> {
        let text: String = clean(&options.string(key, "")?).collect();
        if text.trim().is_empty() {
            return Err(options.invalid(
                key,
                format!("is required: set the text to show, e.g. {key} = \"dev box\""),
            ));
        }
        Ok(text)
    }
    fn show(_: &String) -> String {
        String::new()
    }
}

widget_options! {
    struct TextOptions {
        /// The text to show (not blank).
        text: CleanText = String::new(),
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = TextOptions::parse(options)?;
    Ok(Box::new(Text { text: o.text }))
}

impl Widget for Text {
    fn render(&self, _ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        out.push_str(&self.text);
        out.source = "config";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::Options;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_the_configured_text_for_any_payload() {
        let t = WidgetTester::new("text").option("text", OptionValue::Str("dev box".into()));
        assert_eq!(t.text("{}"), "dev box");
        assert_eq!(t.text(r#"{"model":null}"#), "dev box");
    }

    #[test]
    fn escapes_in_the_text_are_removed() {
        let t = WidgetTester::new("text").option(
            "text",
            OptionValue::Str("a\u{1b}]52;c;eA==\u{7}b\u{1b}[31m".into()),
        );
        assert_eq!(t.text("{}"), "ab");
    }

    #[test]
    fn missing_or_blank_text_is_an_error_with_an_example() {
        for options in [
            Options::new("text"),
            Options::new("text").with("text", OptionValue::Str("\u{1b}[0m ".into())),
        ] {
            let err = (super::INFO.build)(&options).err().map(|e| e.to_string());
            assert_eq!(
                err.as_deref(),
                Some(
                    "widget `text` option `text`: is required: set the text to show, e.g. text = \"dev box\""
                )
            );
        }
        let wrong = Options::new("text").with("text", OptionValue::Int(3));
        assert!((super::INFO.build)(&wrong).is_err());
    }
}
