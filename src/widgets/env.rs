//! `env`: the value of an environment variable, read once when blinkline starts.
//!
//! Shows the variable named by `name` (e.g. `AWS_PROFILE`), after an optional `prefix`,
//! with control characters and escape sequences removed. The environment is captured once
//! per process (`input::env::Environment::vars`), never per frame. Hides when the variable
//! is unset, empty or not UTF-8.
//!
//! ```toml
//! [widget.env]
//! name = "AWS_PROFILE"
//! prefix = "aws:"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::options::{OptionKind, Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "env",
    summary: "an environment variable's value (captured once at start)",
    options: EnvOptions::SPECS,
    fields: &[],
    build,
};

struct Env {
    name: String,
    prefix: String,
}

/// A required variable name: letters, digits and `_`.
struct VariableName;

impl OptionKind for VariableName {
    type Value = String;
    fn describe() -> String {
        "variable name".into()
    }
    fn read(options: &Options, key: &str, _: String) -> Result<String, OptionError> {
        read_variable(options, key)
    }
    fn show(_: &String) -> String {
        String::new()
    }
}

widget_options! {
    struct EnvOptions {
        /// The variable to show: letters, digits and `_`.
        name: VariableName = String::new(),
        /// Written before the value.
        prefix: Text = "",
    }
}

/// The variable an `env` widget reads, validated; used by the app to capture it once.
pub fn variable_name(options: &Options) -> Result<String, OptionError> {
    read_variable(options, "name")
}

fn read_variable(options: &Options, key: &str) -> Result<String, OptionError> {
    let name = options.string(key, "")?;
    let valid = !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(name)
    } else {
        Err(options.invalid(
            key,
            format!(
                "must name a variable (letters, digits, `_`), e.g. {key} = \"AWS_PROFILE\"; got \"{name}\""
            ),
        ))
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = EnvOptions::parse(options)?;
    Ok(Box::new(Env {
        name: o.name,
        prefix: o.prefix,
    }))
}

impl Widget for Env {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(value) = ctx
            .env
            .var(&self.name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
        else {
            return Outcome::Hidden;
        };
        push_clean(&mut out.short, value);
        if out.short.is_empty() {
            return Outcome::Hidden;
        }
        push_clean(out, &self.prefix);
        push_clean(out, value);
        out.source = "environment";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::input::env::Environment;
    use crate::widgets::Options;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn tester(value: Option<&str>) -> WidgetTester {
        let env = Environment {
            vars: vec![("AWS_PROFILE".into(), value.map(str::to_owned))],
            ..Environment::default()
        };
        WidgetTester::new("env")
            .option("name", OptionValue::Str("AWS_PROFILE".into()))
            .env(env)
    }

    #[test]
    fn shows_the_captured_value_with_its_prefix() {
        assert_eq!(tester(Some("prod")).text("{}"), "prod");
        let prefixed = tester(Some("prod")).option("prefix", OptionValue::Str("aws:".into()));
        let r = prefixed.render("{}");
        assert_eq!((r.text.as_str(), r.short.as_str()), ("aws:prod", "prod"));
    }

    #[test]
    fn escapes_in_the_value_are_removed() {
        assert_eq!(tester(Some("pr\u{1b}[2Jod\u{7}")).text("{}"), "prod");
    }

    #[test]
    fn hides_when_unset_or_empty() {
        tester(None).assert_hidden("{}");
        tester(Some("  ")).assert_hidden("{}");
        tester(Some("\u{1b}[0m")).assert_hidden("{}");
    }

    #[test]
    fn a_bad_or_missing_name_is_an_error_with_an_example() {
        let bad = Options::new("env").with("name", OptionValue::Str("A=B".into()));
        let err = (super::INFO.build)(&bad).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "widget `env` option `name`: must name a variable (letters, digits, `_`), e.g. name = \"AWS_PROFILE\"; got \"A=B\""
            )
        );
        assert!((super::INFO.build)(&Options::new("env")).is_err());
    }
}
