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

use crate::engine::slots::{Outcome, SlotContent};
use crate::usage::feed::{Feed, write_period};
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{AfterFrame, OptionError, Options, RenderContext, Widget, WidgetInfo};

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

struct Week {
    cost: bool,
    tokens: bool,
    sunday: bool,
    max_age: i64,
    feed: Feed,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = WeekOptions::parse(options)?;
    Ok(Box::new(Week {
        cost: o.cost,
        tokens: o.tokens,
        sunday: o.sunday,
        max_age: o.max_age,
        feed: Feed::default(),
    }))
}

impl Widget for Week {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        self.feed.read(ctx, self.max_age, |reading| {
            let Some(r) = reading else {
                return Outcome::Hidden;
            };
            // 1970-01-01 was a Thursday: weekday 0 is Sunday.
            let weekday = (r.today + 4).rem_euclid(7);
            let first = i64::from(!self.sunday);
            let start = r.today - (weekday - first).rem_euclid(7);
            let week = r.summary.days_between(start, r.today);
            write_period(out, ctx, "week", &week, (self.cost, self.tokens), r.stale);
            Outcome::Shown
        })
    }

    fn after_frame(&self, frame: &AfterFrame<'_>) {
        self.feed.after_frame(frame.refresher);
    }

    fn forget_cached(&self) {
        self.feed.forget();
    }
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
