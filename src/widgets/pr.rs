//! `pr`: the open pull (or merge) request of the branch, from `pr`.
//!
//! Shows `#123 approved`: the number and the review state (lower case, `_` shown as spaces), linked to
//! `pr.url` with an OSC 8 hyperlink in terminals that support it (only an `http(s)` URL
//! without spaces or control characters is linked; otherwise the text shows unlinked).
//! Merge requests (`pr.kind` = `mr`) show `!123`. The tone is good when approved and warn
//! when changes were requested. Short form: `#123`. Hides when there is no open PR
//! (`pr` absent) or it has no number.
//!
//! ```toml
//! [widget.pr]
//! review = true
//! link = true
//! ```

use crate::fixed::fixed;
use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::clean;
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "pr",
    summary: "the open PR's number and review state, linked to it (#123 approved)",
    options: PrOptions::SPECS,
    fields: &[],
    build,
};

struct Pr {
    review: bool,
    link: bool,
}

widget_options! {
    struct PrOptions {
        /// Show the review state.
        review: bool = true,
        /// Link to the PR.
        link: bool = true,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = PrOptions::parse(options)?;
    Ok(Box::new(Pr {
        review: o.review,
        link: o.link,
    }))
}

fn tone_of(state: &str) -> Tone {
    if state.eq_ignore_ascii_case("approved") {
        Tone::Good
    } else if state.eq_ignore_ascii_case("changes_requested") {
        Tone::Warn
    } else {
        Tone::Normal
    }
}

impl Widget for Pr {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(pr) = ctx.session.pr.as_ref() else {
            return Outcome::Hidden;
        };
        let Some(number) = pr.number.filter(|n| *n >= 0.0 && n.fract() == 0.0) else {
            return Outcome::Hidden;
        };
        let sigil = match pr.kind.as_deref() {
            Some(kind) if kind.eq_ignore_ascii_case("mr") => '!',
            _ => '#',
        };
        let _ = write!(out, "{sigil}{}", fixed(number, 0));
        let _ = write!(out.short, "{sigil}{}", fixed(number, 0));
        let state = pr
            .review_state
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(state) = state.filter(|_| self.review) {
            out.push(' ');
            for c in clean(state).flat_map(str::chars) {
                out.push(if c == '_' {
                    ' '
                } else {
                    c.to_ascii_lowercase()
                });
            }
            out.tone = tone_of(state);
        }
        if let Some(url) = pr.url.as_deref().filter(|_| self.link) {
            out.set_link(url.trim());
        }
        out.source = "pr";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    const PR: &str = r#"{"pr":{"number":123,"url":"https://github.com/o/r/pull/123","review_state":"APPROVED","kind":"pr"}}"#;

    /// The link the widget set, read through the widget itself (the tester shows text only).
    fn link_of(payload: &str) -> String {
        let widget = (super::INFO.build)(&crate::widgets::Options::new("pr")).unwrap();
        crate::widgets::testing::with_plain_context(payload, |ctx| {
            let mut out = crate::engine::slots::SlotContent::default();
            widget.render(ctx, &mut out);
            out.link.to_string()
        })
    }

    #[test]
    fn shows_number_and_review_state_linked_to_the_pr() {
        let r = WidgetTester::new("pr").render(PR);
        assert_eq!(
            (r.text.as_str(), r.short.as_str(), r.tone),
            ("#123 approved", "#123", Tone::Good)
        );
        assert_eq!(link_of(PR), "https://github.com/o/r/pull/123");
    }

    #[test]
    fn changes_requested_warns_and_merge_requests_use_a_bang() {
        let t = WidgetTester::new("pr");
        let r = t.render(r#"{"pr":{"number":"7","review_state":"changes_requested","kind":"mr"}}"#);
        assert_eq!(
            (r.text.as_str(), r.tone),
            ("!7 changes requested", Tone::Warn)
        );
    }

    #[test]
    fn unsafe_urls_are_not_linked() {
        for url in [
            "javascript:alert(1)",
            r"https://x.example/\u001b]8;;https://evil\u0007",
            "https://x.example/a b",
        ] {
            let payload = format!(r#"{{"pr":{{"number":1,"url":"{url}"}}}}"#);
            assert_eq!(link_of(&payload), "", "{url}");
            assert_eq!(WidgetTester::new("pr").text(&payload), "#1");
        }
    }

    #[test]
    fn escapes_in_the_review_state_are_removed_and_review_can_be_off() {
        let t = WidgetTester::new("pr");
        assert_eq!(
            t.text(r#"{"pr":{"number":5,"review_state":"pen\u001b[2Jding"}}"#),
            "#5 pending"
        );
        let off = t.option("review", OptionValue::Bool(false));
        assert_eq!(off.text(PR), "#123");
    }

    #[test]
    fn hides_without_an_open_pr_or_number() {
        let t = WidgetTester::new("pr");
        for p in [
            "{}",
            r#"{"pr":null}"#,
            r#"{"pr":{"url":"https://x.example"}}"#,
            r#"{"pr":{"number":-1}}"#,
            r#"{"pr":{"number":1.5}}"#,
            r#"{"pr":12}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
