//! `version`: the Claude Code version, from `version`.
//!
//! Shows `v2.1.210` (the `v` is not doubled when the payload has one). Hides when the
//! version is absent, null or blank.
//!
//! ```toml
//! [widget.version]
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo, show_clean};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "version",
    summary: "the Claude Code version (v2.1.210)",
    options: &[],
    fields: &[],
    build,
};

struct Version;

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    options.check_known(INFO.options)?;
    Ok(Box::new(Version))
}

impl Widget for Version {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let version = ctx.session.version.as_deref().map(str::trim);
        if version.is_some_and(|v| !v.is_empty() && !v.starts_with(['v', 'V'])) {
            out.push('v');
        }
        let outcome = show_clean(out, version, "version");
        if outcome == Outcome::Hidden {
            out.text.clear();
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_the_version_with_a_v() {
        let t = WidgetTester::new("version");
        assert_eq!(t.text(r#"{"version":"2.1.210"}"#), "v2.1.210");
        assert_eq!(t.text(r#"{"version":"v2.0.1"}"#), "v2.0.1");
    }

    #[test]
    fn hides_when_absent_null_or_mistyped() {
        let t = WidgetTester::new("version");
        for p in [
            "{}",
            r#"{"version":null}"#,
            r#"{"version":""}"#,
            r#"{"version":2.1}"#,
        ] {
            t.assert_hidden(p);
        }
    }

    #[test]
    fn escapes_are_removed() {
        assert_eq!(
            WidgetTester::new("version").text(r#"{"version":"2.1\u001b[1m.0"}"#),
            "v2.1.0"
        );
    }
}
