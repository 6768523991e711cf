//! `usage_block`: the current 5-hour billing block across every session and project, from
//! the usage index: `2h13m left · 1.2M tok · $4.56 · $2.10/h`.
//!
//! `block` shows the same window from this session's transcript alone; Anthropic's limit
//! counts every session, so this one sums them all (blocks as `blinkline usage blocks`
//! and ccusage count them: from the hour of the first call after a 5-hour gap, 5 hours
//! long). The burn rate is the block's cost per hour from its first call to its last.
//! Figures come from the cache's usage summary, refreshed after the frame as for `today`.
//!
//! ```toml
//! [widget.usage_block]
//! tokens = true
//! cost = true
//! burn = true
//! max_age = 60
//! ```
//!
//! Hides when no block is active (5 hours passed since it started or since its last call)
//! and until the first summary exists.

use crate::widgets::options::{Int, widget_options};
use crate::widgets::period::{Period, Span};
use crate::widgets::{OptionError, Options, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "usage_block",
    summary: "the 5-hour block of every session: time left, tokens, cost, burn rate (usage index)",
    options: UsageBlockOptions::SPECS,
    fields: &[],
    build,
};

widget_options! {
    struct UsageBlockOptions {
        /// Show the block's tokens.
        tokens: bool = true,
        /// Show the block's cost.
        cost: bool = true,
        /// Show the cost per hour.
        burn: bool = true,
        /// Seconds after which the summary is refreshed.
        max_age: Int<1, 86400> = 60,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = UsageBlockOptions::parse(options)?;
    let span = Span::Block { burn: o.burn };
    Ok(Box::new(Period::new(span, o.cost, o.tokens, o.max_age)))
}

#[cfg(test)]
mod tests {
    use crate::usage::feed::test_env;
    use crate::usage::summary::{BlockFigures, Figures, Summary};
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::{NOW, WidgetTester};

    fn with_block(start_ms: i64, first_ms: i64, last_ms: i64) -> Summary {
        Summary {
            computed_ms: NOW * 1000,
            utc_offset_s: crate::sys::time::utc_offset(NOW),
            block: Some(BlockFigures {
                start_ms,
                first_ms,
                last_ms,
                figures: Figures {
                    tokens: 2_000_000,
                    cost: 6.0,
                    calls: 9,
                },
            }),
            ..Summary::default()
        }
    }

    #[test]
    fn the_active_block_shows_time_left_tokens_cost_and_burn() {
        // NOW is 08:00 UTC; a block from 06:00 with calls 06:10-07:40 has 3 h left and
        // cost $6 over 1.5 h: $4.00/h.
        let now = NOW * 1000;
        let h = 3_600_000;
        let (_dir, env) = test_env(&with_block(now - 2 * h, now - 2 * h + h / 6, now - h / 3));
        let t = WidgetTester::new("usage_block").env(env);
        let r = t.render("{}");
        assert_eq!(
            r.text,
            "3h0m left \u{b7} 2.0M tok \u{b7} $6.00 \u{b7} $4.00/h"
        );
        assert_eq!(r.short, "3h0m");
        let t = t
            .option("burn", OptionValue::Bool(false))
            .option("tokens", OptionValue::Bool(false));
        assert_eq!(t.text("{}"), "3h0m left \u{b7} $6.00");
    }

    #[test]
    fn a_block_past_its_end_or_after_a_five_hour_gap_hides() {
        let now = NOW * 1000;
        let h = 3_600_000;
        let (_dir, env) = test_env(&with_block(now - 5 * h, now - 5 * h, now - h));
        WidgetTester::new("usage_block")
            .env(env)
            .assert_hidden("{}");
        let (_dir, env) = test_env(&with_block(now - 2 * h, now - 2 * h, now - 2 * h + 1));
        WidgetTester::new("usage_block").env(env).text("{}");
        let (_dir, env) = test_env(&Summary {
            computed_ms: now,
            ..Summary::default()
        });
        WidgetTester::new("usage_block")
            .env(env)
            .assert_hidden("{}");
    }
}
