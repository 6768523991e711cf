//! `week`: what every session and project spent this week (local days, from Monday;
//! `sunday = true`: from Sunday), from the usage index:
//! `week $80.12 · 9.8M tok`.
//!
//! Figures come from the cache's usage summary, never from a directory scan in the frame.
//! After the frame, one detached `blinkline __refresh-usage` brings the index up to date
//! when the summary is older than `max_age` seconds or the session's transcript changed
//! since; until it is done the figures are shown stale. Costs are `blinkline usage`'s
//! `auto` mode with the built-in price table; tokens are input, output and cache tokens.
//!
//! ```toml
//! [widget.week]
//! cost = true
//! tokens = false
//! sunday = false
//! max_age = 60
//! ```
//!
//! Hides until the first summary exists (the first render starts it).

use crate::widgets::options::{Int, widget_options};
use crate::widgets::period::{Period, Span};
use crate::widgets::{OptionError, Options, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "week",
    summary: "cost and tokens of every session this week (usage index)",
    options: WeekOptions::SPECS,
    fields: &[],
    build,
};

widget_options! {
    struct WeekOptions {
        /// Show the cost.
        cost: bool = true,
        /// Show the tokens.
        tokens: bool = true,
        /// Weeks start on Sunday instead of Monday.
        sunday: bool = false,
        /// Seconds after which the summary is refreshed (other sessions' usage shows up
        /// within this time).
        max_age: Int<1, 86400> = 60,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = WeekOptions::parse(options)?;
    let span = Span::Week { sunday: o.sunday };
    Ok(Box::new(Period::new(span, o.cost, o.tokens, o.max_age)))
}

#[cfg(test)]
mod tests {
    use crate::usage::feed::test_env;
    use crate::usage::summary::{Figures, Summary};
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::{NOW, WidgetTester};

    #[test]
    fn the_week_sums_the_days_since_monday_or_sunday() {
        let offset = crate::sys::time::utc_offset(NOW);
        let today = (NOW + offset).div_euclid(86_400);
        let weekday = (today + 4).rem_euclid(7); // 0 = Sunday
        let monday = today - (weekday - 1).rem_euclid(7);
        let sunday = today - weekday;
        let mut s = Summary {
            computed_ms: NOW * 1000,
            utc_offset_s: offset,
            ..Summary::default()
        };
        // One dollar on each of the 9 days up to today.
        for day in today - 8..=today {
            let f = Figures {
                tokens: 1000,
                cost: 1.0,
                calls: 1,
            };
            s.days.push((day, f));
        }
        let (_dir, env) = test_env(&s);
        let t = WidgetTester::new("week").env(env);
        let from_monday = (today - monday + 1) as f64;
        assert_eq!(
            t.text("{}"),
            format!(
                "week ${from_monday:.2} \u{b7} {}.0k tok",
                from_monday as u64
            )
        );
        let from_sunday = (today - sunday + 1) as f64;
        let t = t.option("sunday", OptionValue::Bool(true));
        assert!(t.text("{}").starts_with(&format!("week ${from_sunday:.2}")));
    }
}
