//! `session`: which session this is: its name, or a short id.
//!
//! Shows `session_name` when the session was named, else the first `id_length` characters
//! of `session_id` (`9f1c2d7e`). Both are sanitized. Hides when neither is present.
//!
//! ```toml
//! [widget.session]
//! id_length = 8
//! ```

use crate::engine::slots::{Outcome, SlotContent, cut_at_char_boundary};
use crate::sanitize::push_clean;
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{
    FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo, show_clean,
};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "session",
    summary: "the session's name, or the first 8 characters of its id",
    options: SessionOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "id",
            doc: "the whole session id",
        },
        FieldSpec {
            name: "name",
            doc: "the session's name (empty when it has none)",
        },
    ],
    build,
};

struct Session {
    id_length: usize,
}

widget_options! {
    struct SessionOptions {
        /// Characters of the session id shown when the session has no name.
        id_length: Int<1, 64> = 8,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = SessionOptions::parse(options)?;
    Ok(Box::new(Session {
        id_length: o.id_length as usize,
    }))
}

impl Widget for Session {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let session = ctx.session;
        let id = session.session_id.as_deref().map(str::trim).unwrap_or("");
        out.fields.set_clean(0, id);
        out.fields
            .set_clean(1, session.session_name.as_deref().map_or("", str::trim));
        if show_clean(out, session.session_name.as_deref(), "session_name") == Outcome::Shown {
            return Outcome::Shown;
        }
        out.text.clear();
        let Some(id) = session
            .session_id
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
        else {
            return Outcome::Hidden;
        };
        let end = id
            .char_indices()
            .nth(self.id_length)
            .map_or(id.len(), |(i, _)| i);
        push_clean(out, cut_at_char_boundary(id, end));
        out.source = "session_id";
        if out.text.is_empty() {
            Outcome::Hidden
        } else {
            Outcome::Shown
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn a_named_session_shows_its_name() {
        let t = WidgetTester::new("session");
        assert_eq!(
            t.text(r#"{"session_name":"refactor","session_id":"9f1c2d7e-4b8a"}"#),
            "refactor"
        );
    }

    #[test]
    fn an_unnamed_session_shows_a_short_id() {
        let t = WidgetTester::new("session");
        assert_eq!(
            t.text(r#"{"session_name":null,"session_id":"9f1c2d7e-4b8a-4c61"}"#),
            "9f1c2d7e"
        );
        let longer = t.option("id_length", OptionValue::Int(13));
        assert_eq!(
            longer.text(r#"{"session_id":"9f1c2d7e-4b8a-4c61"}"#),
            "9f1c2d7e-4b8a"
        );
        assert_eq!(
            WidgetTester::new("session").text(r#"{"session_id":"ab"}"#),
            "ab"
        );
    }

    #[test]
    fn fields_give_the_whole_id_and_the_name() {
        let t =
            WidgetTester::new("session").option("format", OptionValue::Str("{name}@{id}".into()));
        assert_eq!(
            t.text(r#"{"session_name":"fix\u001b[2J","session_id":"9f1c2d7e-4b8a-4c61"}"#),
            "fix@9f1c2d7e-4b8a-4c61"
        );
        assert_eq!(
            t.text(r#"{"session_id":"9f1c2d7e-4b8a-4c61"}"#),
            "@9f1c2d7e-4b8a-4c61"
        );
    }

    #[test]
    fn escapes_are_removed_from_names() {
        let t = WidgetTester::new("session");
        assert_eq!(
            t.text(r#"{"session_name":"a\u001b]52;c;eA==\u0007b"}"#),
            "ab"
        );
    }

    #[test]
    fn hides_without_name_or_id() {
        let t = WidgetTester::new("session");
        for p in [
            "{}",
            r#"{"session_name":"  ","session_id":null}"#,
            r#"{"session_id":42}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
