//! `today`: what every session and project spent today (local day), from the usage index:
//! `today $12.34 · 1.2M tok`.
//!
//! Figures come from the cache's usage summary, never from a directory scan in the frame.
//! After the frame, one detached `blinkline __refresh-usage` brings the index up to date
//! when the summary is older than `max_age` seconds or the session's transcript changed
//! since; until it is done the figures are shown stale. Costs are `blinkline usage`'s
//! `auto` mode with the built-in price table; tokens are input, output and cache tokens.
//!
//! ```toml
//! [widget.today]
//! cost = true
//! tokens = false
//! max_age = 60
//! ```
//!
//! Hides until the first summary exists (the first render starts it).

use crate::widgets::options::{Int, widget_options};
use crate::widgets::period::{Period, Span};
use crate::widgets::{OptionError, Options, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "today",
    summary: "cost and tokens of every session today (usage index)",
    options: TodayOptions::SPECS,
    fields: &[],
    build,
};

widget_options! {
    struct TodayOptions {
        /// Show the cost.
        cost: bool = true,
        /// Show the tokens.
        tokens: bool = true,
        /// Seconds after which the summary is refreshed (other sessions' usage shows up
        /// within this time).
        max_age: Int<1, 86400> = 60,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = TodayOptions::parse(options)?;
    Ok(Box::new(Period::new(
        Span::Today,
        o.cost,
        o.tokens,
        o.max_age,
    )))
}

#[cfg(test)]
mod tests {
    use crate::usage::feed::test_env;
    use crate::usage::summary::{Figures, Summary};
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::{NOW, WidgetTester};

    /// A fresh summary whose local day `today + k` has `tokens` and `cost`, per entry.
    pub fn summary(days: &[(i64, u64, f64)]) -> Summary {
        let offset = crate::sys::time::utc_offset(NOW);
        let today = (NOW + offset).div_euclid(86_400);
        let mut s = Summary {
            computed_ms: NOW * 1000,
            utc_offset_s: offset,
            ..Summary::default()
        };
        for &(k, tokens, cost) in days {
            s.days.push((
                today + k,
                Figures {
                    tokens,
                    cost,
                    calls: 1,
                },
            ));
        }
        s
    }

    #[test]
    fn today_shows_only_todays_figures() {
        let (_dir, env) = test_env(&summary(&[(-1, 5, 1.0), (0, 1_234_567, 12.34)]));
        let t = WidgetTester::new("today").env(env);
        let r = t.render("{}");
        assert_eq!(r.text, "today $12.34 \u{b7} 1.2M tok");
        assert_eq!(r.short, "$12.34");
        let tokens_only = t.option("cost", OptionValue::Bool(false));
        assert_eq!(tokens_only.text("{}"), "today 1.2M tok");
    }

    #[test]
    fn nothing_used_today_is_zero_and_no_summary_hides() {
        let (_dir, env) = test_env(&summary(&[(-1, 5, 1.0)]));
        assert_eq!(
            WidgetTester::new("today").env(env).text("{}"),
            "today $0.00 \u{b7} 0 tok"
        );
        let (dir, env) = test_env(&summary(&[]));
        std::fs::remove_dir_all(dir.path().join("cache")).unwrap();
        WidgetTester::new("today").env(env).assert_hidden("{}");
    }
}
