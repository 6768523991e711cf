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

use crate::engine::slots::{Outcome, SlotContent};
use crate::usage::feed::{Feed, write_period};
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{AfterFrame, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "today",
    summary: "cost and tokens of every session today (usage index)",
    options: TodayOptions::SPECS,
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

struct Today {
    cost: bool,
    tokens: bool,
    max_age: i64,
    feed: Feed,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = TodayOptions::parse(options)?;
    Ok(Box::new(Today {
        cost: o.cost,
        tokens: o.tokens,
        max_age: o.max_age,
        feed: Feed::default(),
    }))
}

impl Widget for Today {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        self.feed.read(ctx, self.max_age, |reading| {
            let Some(r) = reading else {
                return Outcome::Hidden;
            };
            let day = r.summary.day(r.today);
            write_period(out, ctx, "today", &day, (self.cost, self.tokens), r.stale);
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
