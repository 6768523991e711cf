//! `model`: the Claude model of the session.
//!
//! Shows `model.display_name` (e.g. `Opus 4.6 (1M context)`), or `model.id` when there is
//! no display name; a plain-string `model` from older Claude Code versions works too. The
//! short form (used when the line is narrow) drops a parenthesised suffix: `Opus 4.6`.
//! Hides when the payload has no model.
//!
//! ```toml
//! [widget.model]
//! prefer_id = false
//! ```

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::push_clean;
use crate::widgets::options::widget_options;
use crate::widgets::{FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "model",
    summary: "the model's display name (Opus 4.6)",
    options: ModelOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "name",
            doc: "the display name (`Opus 4.6 (1M context)`)",
        },
        FieldSpec {
            name: "short",
            doc: "the name without its parenthesised suffix (`Opus 4.6`)",
        },
        FieldSpec {
            name: "id",
            doc: "the model id (`claude-opus-4-6[1m]`)",
        },
    ],
    build,
};

struct Model {
    prefer_id: bool,
}

widget_options! {
    struct ModelOptions {
        /// Show `model.id` instead of the display name.
        prefer_id: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = ModelOptions::parse(options)?;
    Ok(Box::new(Model {
        prefer_id: o.prefer_id,
    }))
}

impl Widget for Model {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(model) = ctx.session.model.as_ref() else {
            return Outcome::Hidden;
        };
        let (first, second) = if self.prefer_id {
            (&model.id, &model.display_name)
        } else {
            (&model.display_name, &model.id)
        };
        let Some(name) = first
            .as_deref()
            .or(second.as_deref())
            .filter(|n| !n.trim().is_empty())
        else {
            return Outcome::Hidden;
        };
        push_clean(out, name.trim());
        out.source = if self.prefer_id {
            "model.id"
        } else {
            "model.display_name"
        };
        if let Some(cut) = out.text.find(" (") {
            let short =
                crate::engine::slots::cut_at_char_boundary(&out.text[..cut], out.short.capacity());
            let _ = out.short.try_push_str(short);
        }
        out.tone = Tone::Normal;
        let name = model.display_name.as_deref().unwrap_or(name).trim();
        out.fields.set_clean(0, name);
        let short = name.find(" (").map_or(name, |cut| &name[..cut]);
        out.fields.set_clean(1, short);
        out.fields
            .set_clean(2, model.id.as_deref().unwrap_or("").trim());
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_display_name_with_a_short_form() {
        let r = WidgetTester::new("model").render(
            r#"{"model":{"id":"claude-opus-4-6[1m]","display_name":"Opus 4.6 (1M context)"}}"#,
        );
        assert_eq!(r.text, "Opus 4.6 (1M context)");
        assert_eq!(r.short, "Opus 4.6");
    }

    #[test]
    fn falls_back_to_id_and_accepts_a_plain_string() {
        let t = WidgetTester::new("model");
        assert_eq!(t.text(r#"{"model":{"id":"claude-x"}}"#), "claude-x");
        assert_eq!(t.text(r#"{"model":"claude-sonnet-4"}"#), "claude-sonnet-4");
    }

    #[test]
    fn prefer_id_shows_the_id() {
        let t = WidgetTester::new("model").option("prefer_id", OptionValue::Bool(true));
        assert_eq!(
            t.text(r#"{"model":{"id":"claude-x","display_name":"X"}}"#),
            "claude-x"
        );
    }

    #[test]
    fn escape_sequences_in_the_name_are_removed() {
        let t = WidgetTester::new("model");
        assert_eq!(
            t.text(r#"{"model":{"display_name":"Op\u001b[2Jus\u001b]52;c;eA==\u0007"}}"#),
            "Opus"
        );
    }

    #[test]
    fn a_format_shows_name_short_and_id() {
        let t = WidgetTester::new("model")
            .option("format", OptionValue::Str("{short} [{id}] {name}".into()));
        assert_eq!(
            t.text(r#"{"model":{"id":"claude-x[1m]","display_name":"Opus 4.6 (1M context)"}}"#),
            "Opus 4.6 [claude-x[1m]] Opus 4.6 (1M context)"
        );
    }

    #[test]
    fn hides_without_a_model() {
        let t = WidgetTester::new("model");
        t.assert_hidden("{}");
        t.assert_hidden(r#"{"model":null}"#);
        t.assert_hidden(r#"{"model":{"display_name":"  "}}"#);
    }
}
