//! `block`: the current 5-hour usage block of this session, from the transcript:
//! `2h13m left · 1.2M tok · $4.56`.
//!
//! A block starts at the hour of the first call after a gap (its start is floored to the
//! hour, as Anthropic's usage windows and ccusage count them) and lasts 5 hours; a call 5
//! hours after the block start or after the previous call starts a new block. Figures are
//! this session's only (other sessions in the same window are not in its transcript). The
//! cost is computed from the tokens with the price table (see `src/transcript/prices.rs`);
//! a `+` after it means some model had no price.
//!
//! ```toml
//! [widget.block]
//! cost = true
//! prices = "my-prices.json"
//! ```
//!
//! Hides when the payload names no transcript or no block is active (5 hours passed since
//! it started, or no call yet).

use crate::engine::slots::{Outcome, SlotContent};
use crate::transcript::prices::Prices;
use crate::transcript::state::{BLOCK_MS, Tokens};
use crate::transcript::{self, View};
use crate::widgets::options::widget_options;
use crate::widgets::session_tokens::PriceTable;
use crate::widgets::units::{write_compact, write_countdown, write_dollars};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "block",
    summary: "the 5-hour usage block: time left, tokens and cost (from the transcript)",
    options: BlockOptions::SPECS,
    fields: &[],
    build,
};

struct Block {
    prices: Option<Prices>,
    tokens: bool,
}

widget_options! {
    struct BlockOptions {
        /// Show the computed cost.
        cost: bool = true,
        /// Show the block's tokens.
        tokens: bool = true,
        /// Path of a JSON price table tried before the built-in one; empty: none. Read only
        /// with `cost`.
        prices: PriceTable = Ok(String::new()),
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = BlockOptions::parse(options)?;
    let prices = if o.cost {
        Some(crate::widgets::session_tokens::load_prices(
            options, &o.prices,
        )?)
    } else {
        None
    };
    Ok(Box::new(Block {
        prices,
        tokens: o.tokens,
    }))
}

impl Block {
    fn write(&self, view: &View<'_>, left_ms: i64, out: &mut SlotContent) {
        let s = view.state;
        transcript::begin(view, out);
        let mark = out.text.len();
        write_countdown(out, left_ms.min(BLOCK_MS) as f64 / 1000.0);
        let _ = out.short.try_push_str(&out.text[mark..]);
        out.push_str(" left");
        if self.tokens {
            let total: u64 = s.block.per_model.iter().map(Tokens::total).sum();
            out.push_str(view.charset.dot());
            write_compact(out, total as f64);
            out.push_str(" tok");
        }
        if let Some(prices) = &self.prices {
            let mut cost = 0.0;
            let mut unpriced = false;
            for (i, name) in s.models.iter().enumerate() {
                match prices.cost(name, &s.block.per_model[i]) {
                    Some(c) => cost += c,
                    None => unpriced |= s.block.per_model[i].total() > 0,
                }
            }
            out.push_str(view.charset.dot());
            write_dollars(out, cost);
            if unpriced {
                out.push('+');
            }
        }
    }
}

impl Widget for Block {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        transcript::with_view(ctx, |view| {
            let view = match view {
                Ok(v) => v,
                Err(problem) => return transcript::show_problem(problem, ctx.charset, out),
            };
            let b = &view.state.block;
            let left_ms = b.start_ms + BLOCK_MS - ctx.now * 1000;
            if b.seq == 0 || b.start_ms <= 0 || left_ms <= 0 {
                return Outcome::Hidden;
            }
            self.write(&view, left_ms, out);
            Outcome::Shown
        })
        .unwrap_or(Outcome::Hidden)
    }

    fn after_frame(&self, frame: &crate::widgets::AfterFrame<'_>) {
        transcript::after_frame(frame.transcripts, frame.refresher);
    }
}

#[cfg(test)]
mod tests {
    use crate::transcript::testing::{TranscriptBuilder, payload};
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn the_block_runs_five_hours_from_the_hour_of_its_first_call() {
        // NOW is 08:00:00 UTC: a call at 06:50 opens the 06:00 block, 3 h left.
        let path = TranscriptBuilder::new()
            .call("old", "claude-opus-4-6", (1, 1, 0, 0), 1, 12 * 3600)
            .call("m1", "claude-opus-4-6", (1_000_000, 0, 0, 0), 1, 70 * 60)
            .call("m2", "claude-opus-4-6", (0, 1_000_000, 0, 0), 2, 60)
            .write("block");
        let r = WidgetTester::new("block").render(&payload(&path));
        assert_eq!(r.text, "3h0m left \u{b7} 2.0M tok \u{b7} $30.00");
        assert_eq!(r.short, "3h0m");
        let plain = WidgetTester::new("block").option("cost", OptionValue::Bool(false));
        assert_eq!(plain.text(&payload(&path)), "3h0m left \u{b7} 2.0M tok");
    }

    #[test]
    fn an_expired_block_hides() {
        let path = TranscriptBuilder::new()
            .call("m1", "claude-opus-4-6", (1, 1, 0, 0), 1, 6 * 3600)
            .write("block-old");
        WidgetTester::new("block").assert_hidden(&payload(&path));
    }
}
