//! `cost`: the session's cost so far, from `cost.total_cost_usd`.
//!
//! Shows `$0.58`; the tone turns to warn and critical at the thresholds. Hides when the
//! payload has no cost.
//!
//! ```toml
//! [widget.cost]
//! warn = "$5"
//! critical = "$20"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::options::{Dollars, widget_options};
use crate::widgets::units::write_dollars;
use std::fmt::Write as _;

use crate::widgets::{
    FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo, tone_for,
};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "cost",
    summary: "session cost in dollars, coloured by thresholds",
    options: CostOptions::SPECS,
    fields: &[FieldSpec {
        name: "usd",
        doc: "the session cost in dollars, without the sign (`1.83`)",
    }],
    build,
};

struct Cost {
    warn: f64,
    critical: f64,
}

widget_options! {
    struct CostOptions {
        /// Dollars at which the tone turns to warn.
        warn: Dollars = 5.0,
        /// Dollars at which the tone turns to critical.
        critical: Dollars = 20.0,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = CostOptions::parse(options)?;
    Ok(Box::new(Cost {
        warn: o.warn,
        critical: o.critical,
    }))
}

impl Widget for Cost {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(usd) = ctx.session.cost.as_ref().and_then(|c| c.total_cost_usd) else {
            return Outcome::Hidden;
        };
        write_dollars(out, usd);
        let _ = write!(
            out.fields.writer(0),
            "{}",
            crate::fixed::fixed(usd.max(0.0), 2)
        );
        out.tone = tone_for(usd, self.warn, self.critical);
        out.source = "cost.total_cost_usd";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_dollars_with_cents() {
        let r = WidgetTester::new("cost").render(r#"{"cost":{"total_cost_usd":0.5812}}"#);
        assert_eq!((r.text.as_str(), r.tone), ("$0.58", Tone::Normal));
    }

    #[test]
    fn thresholds_color_the_cost() {
        let t = WidgetTester::new("cost").option("warn", OptionValue::Str("$1".into()));
        assert_eq!(
            t.render(r#"{"cost":{"total_cost_usd":1.5}}"#).tone,
            Tone::Warn
        );
        assert_eq!(
            t.render(r#"{"cost":{"total_cost_usd":"25"}}"#).tone,
            Tone::Critical
        );
    }

    #[test]
    fn hides_without_cost() {
        WidgetTester::new("cost").assert_hidden(r#"{"cost":{"total_cost_usd":null}}"#);
    }
}
