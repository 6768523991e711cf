//! `context_1m`: a marker shown when the session uses a 1M-token context window.
//!
//! Shows `1M` (configurable) when `context_window.context_window_size` is at least
//! 1,000,000 or the model id ends in `[1m]` (e.g. `claude-opus-4-6[1m]`). Hides otherwise,
//! including when both fields are absent.
//!
//! Hides as well when the model's display name already says it: a name with a `1M` word
//! (any case, e.g. `Opus 4.6 (1M context)`) would otherwise put the same fact on the line
//! twice, next to the model widget. The `context` widget's `bar` style also ends with the
//! window size (`5% ▰▱▱ 1M`): a layout that has it needs no `context_1m`, which is why the
//! default line leaves this widget out; it is meant for lines that show the context
//! without its size (`style = "percent"`, `show_size = false`) or not at all.
//!
//! ```toml
//! [widget.context_1m]
//! text = "1M ctx"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::options::{Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "context_1m",
    summary: "a marker when the 1M-token context window is in use",
    options: Context1mOptions::SPECS,
    fields: &[],
    build,
};

struct Context1m {
    text: String,
}

widget_options! {
    struct Context1mOptions {
        /// The marker.
        text: Text = "1M",
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = Context1mOptions::parse(options)?;
    Ok(Box::new(Context1m { text: o.text }))
}

impl Widget for Context1m {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let session = ctx.session;
        let by_size = session
            .context_window
            .as_ref()
            .and_then(|w| w.context_window_size)
            .is_some_and(|size| size >= 1_000_000.0);
        let by_id = session
            .model
            .as_ref()
            .and_then(|m| m.id.as_deref())
            .is_some_and(|id| ends_with_ignore_case(id.trim_end(), "[1m]"));
        if !(by_size || by_id) {
            return Outcome::Hidden;
        }
        let named = session
            .model
            .as_ref()
            .and_then(|m| m.display_name.as_deref())
            .is_some_and(says_1m);
        if named {
            return Outcome::Hidden;
        }
        out.source = if by_size {
            "context_window.context_window_size"
        } else {
            "model.id"
        };
        push_clean(out, &self.text);
        Outcome::Shown
    }
}

/// True when `name` has `1M` (any case) as a word of its own: `Opus 4.6 (1M context)`,
/// `opus[1m]`, but not `21M` or `1MB`.
fn says_1m(name: &str) -> bool {
    let bytes = name.as_bytes();
    let word = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
    (0..bytes.len().saturating_sub(1)).any(|i| {
        bytes[i] == b'1'
            && bytes[i + 1].eq_ignore_ascii_case(&b'm')
            && (i == 0 || !word(i - 1))
            && !word(i + 2)
    })
}

/// ASCII case-insensitive `ends_with`, without allocating.
fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    let Some(start) = s.len().checked_sub(suffix.len()) else {
        return false;
    };
    s.is_char_boundary(start) && s[start..].eq_ignore_ascii_case(suffix)
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn a_million_token_window_shows_the_marker() {
        let t = WidgetTester::new("context_1m");
        assert_eq!(
            t.text(r#"{"context_window":{"context_window_size":1000000}}"#),
            "1M"
        );
    }

    #[test]
    fn a_model_id_ending_in_1m_shows_the_marker() {
        let t = WidgetTester::new("context_1m").option("text", OptionValue::Str("1M ctx".into()));
        assert_eq!(
            t.text(r#"{"model":{"id":"claude-opus-4-6[1M]"}}"#),
            "1M ctx"
        );
    }

    #[test]
    fn hides_for_a_200k_window_and_when_absent() {
        let t = WidgetTester::new("context_1m");
        t.assert_hidden(
            r#"{"context_window":{"context_window_size":200000},"model":{"id":"claude-opus-4-6"}}"#,
        );
        t.assert_hidden(r#"{"context_window":{"context_window_size":null},"model":null}"#);
        t.assert_hidden(r#"{"context_window":{"context_window_size":"big"},"model":{"id":7}}"#);
    }

    #[test]
    fn marker_hides_when_the_model_name_already_says_1m_context() {
        let t = WidgetTester::new("context_1m");
        t.assert_hidden(
            r#"{"model":{"id":"claude-opus-4-6[1m]","display_name":"Opus 4.6 (1M context)"},
                "context_window":{"context_window_size":1000000}}"#,
        );
        t.assert_hidden(r#"{"model":{"id":"claude-opus-4-6[1m]","display_name":"opus [1m]"}}"#);
        for name in ["Opus 4.6", "Opus 21M", "Opus 1MB"] {
            let payload = format!(
                r#"{{"model":{{"display_name":"{name}"}},"context_window":{{"context_window_size":1000000}}}}"#
            );
            assert_eq!(t.text(&payload), "1M", "{name}");
        }
    }

    #[test]
    fn configured_text_is_sanitized() {
        let t =
            WidgetTester::new("context_1m").option("text", OptionValue::Str("\u{1b}[31m1M".into()));
        assert_eq!(
            t.text(r#"{"context_window":{"context_window_size":1000000}}"#),
            "1M"
        );
    }
}
