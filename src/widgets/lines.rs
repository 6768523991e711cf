//! `lines`: lines added and removed in the session: `+120 −30`.
//!
//! From `cost.total_lines_added` and `cost.total_lines_removed`. Hides when both are absent
//! or, with `hide_zero = true` (the default), when both are zero.
//!

use crate::fixed::fixed;
use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::options::widget_options;
use crate::widgets::{Charset, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "lines",
    summary: "lines added and removed (+120 −30)",
    options: LinesOptions::SPECS,
    fields: &[],
    build,
};

struct Lines {
    hide_zero: bool,
}

widget_options! {
    struct LinesOptions {
        /// Hide while no line was added or removed.
        hide_zero: bool = true,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = LinesOptions::parse(options)?;
    Ok(Box::new(Lines {
        hide_zero: o.hide_zero,
    }))
}

impl Widget for Lines {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(cost) = ctx.session.cost.as_ref() else {
            return Outcome::Hidden;
        };
        if cost.total_lines_added.is_none() && cost.total_lines_removed.is_none() {
            return Outcome::Hidden;
        }
        let added = cost.total_lines_added.unwrap_or(0.0).max(0.0);
        let removed = cost.total_lines_removed.unwrap_or(0.0).max(0.0);
        if self.hide_zero && added == 0.0 && removed == 0.0 {
            return Outcome::Hidden;
        }
        let minus = if ctx.charset == Charset::Ascii {
            "-"
        } else {
            "\u{2212}"
        };
        let _ = write!(out, "+{} {minus}{}", fixed(added, 0), fixed(removed, 0));
        out.source = "cost.total_lines_added, cost.total_lines_removed";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::Charset;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_added_and_removed() {
        let t = WidgetTester::new("lines");
        assert_eq!(
            t.text(r#"{"cost":{"total_lines_added":120,"total_lines_removed":30}}"#),
            "+120 −30"
        );
    }

    #[test]
    fn ascii_uses_a_hyphen() {
        let t = WidgetTester::new("lines").charset(Charset::Ascii);
        assert_eq!(
            t.text(r#"{"cost":{"total_lines_added":1,"total_lines_removed":2}}"#),
            "+1 -2"
        );
    }

    #[test]
    fn zero_hides_unless_asked() {
        let payload = r#"{"cost":{"total_lines_added":0,"total_lines_removed":0}}"#;
        WidgetTester::new("lines").assert_hidden(payload);
        let t = WidgetTester::new("lines").option("hide_zero", OptionValue::Bool(false));
        assert_eq!(t.text(payload), "+0 −0");
    }

    #[test]
    fn hides_when_absent() {
        WidgetTester::new("lines").assert_hidden(r#"{"cost":{"total_cost_usd":1}}"#);
    }
}
