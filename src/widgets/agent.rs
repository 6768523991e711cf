//! `agent`: the agent the session runs as, from `agent.name`.
//!
//! Shows the agent's name after a marker: `@reviewer` (the marker is configurable).
//! Sanitized. Short form: the name alone. Hides when the name is absent, null or blank.
//!
//! ```toml
//! [widget.agent]
//! prefix = "agent "
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::options::{Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "agent",
    summary: "the agent's name (@reviewer)",
    options: AgentOptions::SPECS,
    fields: &[],
    build,
};

struct Agent {
    prefix: String,
}

widget_options! {
    struct AgentOptions {
        /// Written before the name.
        prefix: Text = "@",
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = AgentOptions::parse(options)?;
    Ok(Box::new(Agent { prefix: o.prefix }))
}

impl Widget for Agent {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let name = ctx.session.agent.as_ref().and_then(|a| a.name.as_deref());
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return Outcome::Hidden;
        };
        push_clean(&mut out.short, name);
        if out.short.is_empty() {
            return Outcome::Hidden;
        }
        push_clean(out, &self.prefix);
        push_clean(out, name);
        out.source = "agent.name";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_the_agent_name_with_a_prefix() {
        let r = WidgetTester::new("agent").render(r#"{"agent":{"name":"reviewer"}}"#);
        assert_eq!(
            (r.text.as_str(), r.short.as_str()),
            ("@reviewer", "reviewer")
        );
        let t = WidgetTester::new("agent").option("prefix", OptionValue::Str("agent ".into()));
        assert_eq!(t.text(r#"{"agent":{"name":"reviewer"}}"#), "agent reviewer");
    }

    #[test]
    fn escapes_are_removed() {
        assert_eq!(
            WidgetTester::new("agent").text(r#"{"agent":{"name":"re\u202eviewer"}}"#),
            "@reviewer"
        );
    }

    #[test]
    fn hides_without_a_name() {
        let t = WidgetTester::new("agent");
        for p in [
            "{}",
            r#"{"agent":null}"#,
            r#"{"agent":{"name":""}}"#,
            r#"{"agent":{"name":{}}}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
