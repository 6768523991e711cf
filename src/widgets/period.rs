//! The one implementation behind the usage widgets `today`, `week` and `usage_block`: a
//! period of the usage summary (a local day, a local week, the active 5-hour block) drawn
//! from the record the cache keeps (`usage::feed`). Each of those widgets' files holds its
//! manual, its options and a [`Span`]; everything else (reading the summary, the refresh
//! after the frame, the figures and their short form, the stale mark) is here, once.
//!
//! Not a widget of its own: it is in no registry and has no manual.

use crate::engine::slots::{Outcome, SlotContent};
use crate::usage::feed::{Feed, Reading};
use crate::usage::report::BLOCK_MS;
use crate::usage::summary::Figures;
use crate::widgets::units::{write_compact, write_countdown, write_dollars};
use crate::widgets::{AfterFrame, RenderContext, Widget};

/// Which period a widget shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// The local day: `today $12.34 · 1.2M tok`.
    Today,
    /// The local week from Monday (or Sunday): `week $80.12 · 9.8M tok`.
    Week { sunday: bool },
    /// The active 5-hour block: `2h13m left · 1.2M tok · $4.56 · $2.10/h`.
    Block { burn: bool },
}

/// A usage widget: what it shows and its summary feed.
pub struct Period {
    pub span: Span,
    pub cost: bool,
    pub tokens: bool,
    /// Seconds after which the summary is refreshed.
    pub max_age: i64,
    pub feed: Feed,
}

impl Period {
    pub fn new(span: Span, cost: bool, tokens: bool, max_age: i64) -> Period {
        Period {
            span,
            cost,
            tokens,
            max_age,
            feed: Feed::default(),
        }
    }
}

impl Widget for Period {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        self.feed.read(ctx, self.max_age, |reading| {
            let Some(r) = reading else {
                return Outcome::Hidden;
            };
            let shown = match self.span {
                Span::Today => {
                    self.write_days(out, ctx, "today", &r.summary.day(r.today));
                    true
                }
                Span::Week { sunday } => {
                    let week = r.summary.days_between(week_start(r.today, sunday), r.today);
                    self.write_days(out, ctx, "week", &week);
                    true
                }
                Span::Block { burn } => self.write_block(out, ctx, &r, burn),
            };
            if !shown {
                return Outcome::Hidden;
            }
            out.stale = r.stale;
            out.source = if r.stale {
                "usage index (refreshing)"
            } else {
                "usage index"
            };
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

/// The first day of the week that holds local day `today` (1970-01-01 was a Thursday).
fn week_start(today: i64, sunday: bool) -> i64 {
    let weekday = (today + 4).rem_euclid(7); // 0 = Sunday
    let first = i64::from(!sunday);
    today - (weekday - first).rem_euclid(7)
}

impl Period {
    /// `LABEL $12.34 · 1.2M tok` (short form: the cost, else the tokens).
    fn write_days(&self, out: &mut SlotContent, ctx: &RenderContext<'_>, label: &str, f: &Figures) {
        out.push_str(label);
        if self.cost {
            out.push(' ');
            let mark = out.text.len();
            write_dollars(out, f.cost);
            let _ = out.short.try_push_str(&out.text[mark..]);
        }
        if self.tokens {
            out.push_str(if self.cost { ctx.charset.dot() } else { " " });
            let mark = out.text.len();
            write_compact(out, f.tokens as f64);
            if !self.cost {
                let _ = out.short.try_push_str(&out.text[mark..]);
            }
            out.push_str(" tok");
        }
    }

    /// `2h13m left · 1.2M tok · $4.56 · $2.10/h` (short form: the time left); false when
    /// no block is active.
    fn write_block(
        &self,
        out: &mut SlotContent,
        ctx: &RenderContext<'_>,
        r: &Reading<'_>,
        burn: bool,
    ) -> bool {
        let Some(b) = r.summary.block else {
            return false;
        };
        let left_ms = b.start_ms + BLOCK_MS - r.now_ms;
        if left_ms <= 0 || r.now_ms - b.last_ms >= BLOCK_MS {
            return false;
        }
        let mark = out.text.len();
        write_countdown(out, left_ms as f64 / 1000.0);
        let _ = out.short.try_push_str(&out.text[mark..]);
        out.push_str(" left");
        if self.tokens {
            out.push_str(ctx.charset.dot());
            write_compact(out, b.figures.tokens as f64);
            out.push_str(" tok");
        }
        if self.cost {
            out.push_str(ctx.charset.dot());
            write_dollars(out, b.figures.cost);
        }
        let hours = (b.last_ms - b.first_ms) as f64 / 3.6e6;
        if burn && hours > 0.0 {
            out.push_str(ctx.charset.dot());
            write_dollars(out, b.figures.cost / hours);
            out.push_str("/h");
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::week_start;

    #[test]
    fn weeks_start_on_monday_or_sunday() {
        // Local day 20_405 (1970 + 20,405 days) is a Thursday.
        assert_eq!(
            (week_start(20_405, false), week_start(20_405, true)),
            (20_402, 20_401)
        );
        for today in 20_400..20_420 {
            let monday = week_start(today, false);
            let sunday = week_start(today, true);
            assert_eq!((monday + 4).rem_euclid(7), 1);
            assert_eq!((sunday + 4).rem_euclid(7), 0);
            assert!((0..7).contains(&(today - monday)));
            assert!((0..7).contains(&(today - sunday)));
        }
    }
}
