//! `burn_rate`: how fast the session spends money, in dollars per hour.
//!
//! Shows `$2.60/h`: `cost.total_cost_usd` over `cost.total_duration_ms` (wall-clock session
//! time, so idle time lowers the rate). The tone turns to warn and critical at the
//! thresholds. Hides when either figure is absent or the session is younger than
//! `min_duration` (early rates swing wildly).
//!
//! ```toml
//! [widget.burn_rate]
//! min_duration = 120
//! warn = "$10"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::options::{Dollars, Number, widget_options};
use crate::widgets::units::write_dollars;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo, tone_for};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "burn_rate",
    summary: "spending rate in dollars per hour ($2.60/h)",
    options: BurnRateOptions::SPECS,
    fields: &[],
    build,
};

struct BurnRate {
    min_seconds: f64,
    warn: f64,
    critical: f64,
}

widget_options! {
    struct BurnRateOptions {
        /// Seconds the session must have run before a rate is shown.
        min_duration: Number<1, 86_400> = 60.0,
        /// Dollars per hour at which the tone turns to warn.
        warn: Dollars = 10.0,
        /// Dollars per hour at which the tone turns to critical.
        critical: Dollars = 30.0,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = BurnRateOptions::parse(options)?;
    Ok(Box::new(BurnRate {
        min_seconds: o.min_duration,
        warn: o.warn,
        critical: o.critical,
    }))
}

impl Widget for BurnRate {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(cost) = ctx.session.cost.as_ref() else {
            return Outcome::Hidden;
        };
        let (Some(usd), Some(millis)) = (cost.total_cost_usd, cost.total_duration_ms) else {
            return Outcome::Hidden;
        };
        let seconds = millis / 1000.0;
        if seconds < self.min_seconds {
            return Outcome::Hidden;
        }
        let per_hour = usd.max(0.0) / seconds * 3600.0;
        write_dollars(out, per_hour);
        out.push_str("/h");
        out.tone = tone_for(per_hour, self.warn, self.critical);
        out.source = "cost.total_cost_usd / cost.total_duration_ms";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn cost_over_duration_is_dollars_per_hour() {
        let r = WidgetTester::new("burn_rate")
            .render(r#"{"cost":{"total_cost_usd":1.3,"total_duration_ms":1800000}}"#);
        assert_eq!((r.text.as_str(), r.tone), ("$2.60/h", Tone::Normal));
    }

    #[test]
    fn thresholds_color_the_rate() {
        let t = WidgetTester::new("burn_rate").option("warn", OptionValue::Str("$2".into()));
        assert_eq!(
            t.render(r#"{"cost":{"total_cost_usd":"3","total_duration_ms":3600000}}"#)
                .tone,
            Tone::Warn
        );
        assert_eq!(
            t.render(r#"{"cost":{"total_cost_usd":40,"total_duration_ms":3600000}}"#)
                .tone,
            Tone::Critical
        );
    }

    #[test]
    fn hides_below_the_minimum_duration() {
        let t = WidgetTester::new("burn_rate");
        t.assert_hidden(r#"{"cost":{"total_cost_usd":0.2,"total_duration_ms":59000}}"#);
        let longer = t.option("min_duration", OptionValue::Int(30));
        assert_eq!(
            longer.text(r#"{"cost":{"total_cost_usd":0.2,"total_duration_ms":59000}}"#),
            "$12.20/h"
        );
    }

    #[test]
    fn hides_when_a_figure_is_missing_or_mistyped() {
        let t = WidgetTester::new("burn_rate");
        t.assert_hidden("{}");
        t.assert_hidden(r#"{"cost":{"total_cost_usd":1}}"#);
        t.assert_hidden(r#"{"cost":{"total_cost_usd":null,"total_duration_ms":600000}}"#);
        t.assert_hidden(r#"{"cost":{"total_cost_usd":1,"total_duration_ms":true}}"#);
    }
}
