//! `session_tokens`: the tokens of the whole session, read from the transcript.
//!
//! Each API call is counted once, as Claude Code bills it: the lines of one call share
//! `message.id` + `requestId` and the last one carries the final usage. Sub-agent
//! (sidechain) calls are billed, so they are included. Styles:
//! - `total` (default): `1.2M tok`;
//! - `split`: `↑12.3k ↓4.5k ⟲1.1M ✎80.2k` (input, output, cache read, cache write; with
//!   `--charset ascii`: `in 12.3k out 4.5k read 1.1M write 80.2k`);
//! - `full`: `in 12.3k out 4.5k cache 1.1M/80.2k Σ1.2M` (`total 1.2M` in ASCII);
//! - `exact`: the total as a whole number, `1234567 tok` (for scripts).
//!
//! Short form: the total. A `≥` in front means some usage lines could not be read, so the
//! figures are a lower bound. While a long transcript is first scanned the widget shows
//! `…`, then the last known figures marked stale until the scan catches up.
//!
//! ```toml
//! [widget.session_tokens]
//! style = "split"
//! by_model = true
//! ```
//!
//! Hides when the payload names no transcript or the transcript does not exist yet.

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::transcript::prices::Prices;
use crate::transcript::{self, View};
use crate::widgets::options::{OptionKind, option_enum, widget_options};
use crate::widgets::units::{write_compact, write_dollars};
use crate::widgets::{Charset, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "session_tokens",
    summary: "session token totals from the transcript (deduplicated per API call)",
    options: SessionTokensOptions::SPECS,
    fields: &[],
    build,
};

option_enum! {
    enum Style {
        Total = "total",
        Split = "split",
        Full = "full",
        Exact = "exact",
    }
}

widget_options! {
    struct SessionTokensOptions {
        /// One of the styles above.
        style: Style = Style::Total,
        /// Each model's total after the figures.
        by_model: bool = false,
        /// A cost computed from the tokens and the price table (the `cost` widget shows the
        /// payload's own figure).
        cost: bool = false,
        /// Path of a JSON price table tried before the built-in one; empty: none. Read only
        /// with `cost`.
        prices: PriceTable = Ok(String::new()),
    }
}

struct SessionTokens {
    style: Style,
    by_model: bool,
    prices: Option<Prices>,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = SessionTokensOptions::parse(options)?;
    let prices = if o.cost {
        Some(load_prices(options, &o.prices)?)
    } else {
        None
    };
    Ok(Box::new(SessionTokens {
        style: o.style,
        by_model: o.by_model,
        prices,
    }))
}

/// The path of a price table, read only when a cost is computed: its value is kept with
/// its error, which counts only then.
pub struct PriceTable;

impl OptionKind for PriceTable {
    type Value = Result<String, OptionError>;
    fn describe() -> String {
        "path".into()
    }
    fn read(
        options: &Options,
        key: &str,
        default: Self::Value,
    ) -> Result<Self::Value, OptionError> {
        Ok(match options.contains(key) {
            true => options.string(key, ""),
            false => default,
        })
    }
    fn show(value: &Self::Value) -> String {
        value
            .as_ref()
            .map_or_else(|e| e.message.clone(), |path| format!("{path:?}"))
    }
}

/// The price table for a widget: the `prices` option's file (see [`PriceTable`]) over the
/// built-in table.
pub fn load_prices(
    options: &Options,
    path: &Result<String, OptionError>,
) -> Result<Prices, OptionError> {
    match path.clone()?.as_str() {
        "" => Ok(Prices::builtin()),
        path => Prices::from_file(path).map_err(|e| OptionError {
            widget: options.widget.clone(),
            key: "prices".into(),
            message: e.to_string(),
        }),
    }
}

impl SessionTokens {
    fn write(&self, view: &View<'_>, out: &mut SlotContent) {
        let s = view.state;
        let t = s.totals();
        transcript::begin(view, out);
        match self.style {
            Style::Total => {
                write_compact(out, t.total() as f64);
                out.push_str(" tok");
            }
            Style::Exact => {
                let _ = write!(out, "{} tok", t.total());
            }
            Style::Split => {
                let marks = match view.charset {
                    Charset::Ascii => ["in ", " out ", " read ", " write "],
                    _ => ["\u{2191}", " \u{2193}", " \u{27f2}", " \u{270e}"],
                };
                let values = [t.input, t.output, t.cache_read, t.cache_write()];
                for (mark, v) in marks.into_iter().zip(values) {
                    out.push_str(mark);
                    write_compact(out, v as f64);
                }
            }
            Style::Full => {
                for (label, v) in [
                    ("in ", t.input),
                    (" out ", t.output),
                    (" cache ", t.cache_read),
                ] {
                    out.push_str(label);
                    write_compact(out, v as f64);
                }
                out.push('/');
                write_compact(out, t.cache_write() as f64);
                out.push_str(view.charset.pick(" \u{3a3}", " \u{3a3}", " total "));
                write_compact(out, t.total() as f64);
            }
        }
        transcript::short_compact(out, t.total() as f64);
        if self.by_model {
            for (i, name) in s.models.iter().enumerate() {
                out.push_str(if i == 0 { " (" } else { ", " });
                push_clean(out, name.strip_prefix("claude-").unwrap_or(name));
                out.push(' ');
                write_compact(out, s.per_model[i].total() as f64);
            }
            if !s.models.is_empty() {
                out.push(')');
            }
        }
        if let Some(prices) = &self.prices {
            let mut cost = 0.0;
            let mut unpriced = false;
            for (i, name) in s.models.iter().enumerate() {
                match prices.cost(name, &s.per_model[i]) {
                    Some(c) => cost += c,
                    None => unpriced |= s.per_model[i].total() > 0,
                }
            }
            out.push(' ');
            write_dollars(out, cost);
            if unpriced {
                out.push('+');
            }
        }
    }
}

impl Widget for SessionTokens {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        transcript::with_view(ctx, |view| match view {
            Ok(view) if view.state.calls == 0 && !view.stale => Outcome::Hidden,
            Ok(view) => {
                self.write(&view, out);
                Outcome::Shown
            }
            Err(problem) => transcript::show_problem(problem, ctx.charset, out),
        })
        .unwrap_or(Outcome::Hidden)
    }

    fn after_frame(&self, frame: &crate::widgets::AfterFrame<'_>) {
        transcript::after_frame(frame.transcripts, frame.refresher);
    }
}

#[cfg(test)]
mod tests {
    use crate::transcript::testing::{TempTranscript, TranscriptBuilder, payload};
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    /// The transcript (removed when it drops) and a payload naming it.
    fn session() -> (TempTranscript, String) {
        let transcript = TranscriptBuilder::new()
            .prompt(600)
            .call(
                "m1",
                "claude-opus-4-6",
                (10, 2_000, 300_000, 40_000),
                3,
                590,
            )
            .tool_result(580)
            .call("m2", "claude-opus-4-6", (5, 1_000, 340_000, 2_000), 2, 570)
            .sidechain_call("s1", (100, 50, 0, 0), 560)
            .write("session-tokens");
        let payload = payload(&transcript);
        (transcript, payload)
    }

    #[test]
    fn each_api_call_is_counted_once_however_many_lines_it_spans() {
        let (_transcript, session) = session();
        let r = WidgetTester::new("session_tokens")
            .option("style", OptionValue::Str("full".into()))
            .render(&session);
        assert_eq!(r.text, "in 115 out 3.0k cache 640.0k/42.0k \u{3a3}685.2k");
        assert_eq!(r.short, "685.2k");
    }

    #[test]
    fn split_by_model_and_computed_cost_are_shown_on_request() {
        let t = WidgetTester::new("session_tokens")
            .option("by_model", OptionValue::Bool(true))
            .option("cost", OptionValue::Bool(true));
        let (_transcript, session) = session();
        assert_eq!(
            t.text(&session),
            "685.2k tok (opus-4-6 685.0k, haiku-4-5 150) $0.66"
        );
    }

    #[test]
    fn unreadable_usage_lines_mark_the_totals_as_a_lower_bound() {
        let path = TranscriptBuilder::new()
            .call("m1", "claude-opus-4-6", (1, 2, 3, 4), 1, 60)
            .raw("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":\n")
            .write("session-tokens-bad");
        assert_eq!(
            WidgetTester::new("session_tokens").text(&payload(&path)),
            "\u{2265}10 tok"
        );
    }

    #[test]
    fn a_missing_transcript_hides_and_a_directory_shows_a_marker() {
        let t = WidgetTester::new("session_tokens");
        t.assert_hidden(r#"{"transcript_path":"/nonexistent/blinkline/t.jsonl"}"#);
        t.assert_hidden("{}");
        let dir = std::env::temp_dir();
        let r = t.render(&payload(&dir));
        assert_eq!(r.text, "\u{26a0} transcript is not a file");
    }

    #[test]
    fn a_bad_style_or_price_file_is_refused_with_the_fix() {
        let info = crate::widgets::find("session_tokens").unwrap();
        let opts = crate::widgets::Options::new("session_tokens")
            .with("cost", OptionValue::Bool(true))
            .with("prices", OptionValue::Str("/nonexistent/p.json".into()));
        let err = (info.build)(&opts).err().unwrap().to_string();
        assert!(
            err.starts_with(
                "widget `session_tokens` option `prices`: price table /nonexistent/p.json:"
            ) && err.ends_with("give the path of a JSON file"),
            "{err}"
        );
    }

    #[test]
    fn the_prices_option_is_read_only_when_a_cost_is_computed() {
        let info = crate::widgets::find("session_tokens").unwrap();
        let opts =
            crate::widgets::Options::new("session_tokens").with("prices", OptionValue::Int(5));
        assert!((info.build)(&opts).is_ok());
        let costed = opts.with("cost", OptionValue::Bool(true));
        assert_eq!(
            (info.build)(&costed)
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("widget `session_tokens` option `prices`: must be a string, got 5")
        );
    }

    #[test]
    fn an_unknown_key_lists_the_options_in_their_documented_order() {
        let info = crate::widgets::find("session_tokens").unwrap();
        let opts =
            crate::widgets::Options::new("session_tokens").with("by_mode", OptionValue::Int(1));
        assert_eq!(
            (info.build)(&opts).err().map(|e| e.message).as_deref(),
            Some("unknown option (did you mean `by_model`?); known: style, by_model, cost, prices")
        );
    }
}
