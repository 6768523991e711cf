//! `context`: how full the context window is.
//!
//! The percentage is `context_window.used_percentage`; when that is null (early in a
//! session, older versions) it is computed from `context_window.current_usage` (input +
//! cache creation + cache read tokens) over `context_window_size` (200k when absent). The
//! tone turns to warn and critical at the thresholds. Short form: `42%`. Without
//! `context_window` (older Claude Code versions) the last main-chain reply's usage in the
//! transcript gives the size (a 1M window for a `[1m]` model id). Hides when neither the
//! percentage nor the usage is known.
//!
//! Styles (`style`):
//! - `bar` (default): used %, a bar and the window size: `42% ▰▰▰▰▱▱▱▱▱▱ 200k`;
//! - `percent`: `42%`;
//! - `used_total`: tokens used over the window: `84k/200k`;
//! - `remaining`: `58% left` (`remaining_percentage`, else 100 − used);
//! - `usable`: used % of the part of the window usable before auto-compact, `54% of usable`.
//!   Claude Code does not send its compaction point; blinkline assumes auto-compact keeps a
//!   buffer of `compact_buffer` percent of the window free (default 22.5%, i.e. compaction
//!   near 77.5% of the window) — adjust it if your version compacts elsewhere.
//!
//! ```toml
//! [widget.context]
//! style = "usable"
//! compact_buffer = "22.5%"
//! warn = "70%"
//! critical = "90%"
//! ```

use crate::fixed::fixed;
use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::input::payload::ContextWindow;
use crate::widgets::options::{Int, Number, Percent, option_enum, widget_options};
use crate::widgets::units::write_window_size;
use crate::widgets::{
    FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo, tone_for, write_bar,
};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "context",
    summary: "context window used: %, bar, used/total, % left or % of the usable window",
    options: ContextOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "percent",
            doc: "used percentage (`38%`)",
        },
        FieldSpec {
            name: "used",
            doc: "tokens used (`76k`)",
        },
        FieldSpec {
            name: "size",
            doc: "the window's size (`200k`)",
        },
        FieldSpec {
            name: "bar",
            doc: "the bar, `bar_width` cells (`▰▰▰▰▱▱▱▱▱▱`)",
        },
    ],
    build,
};

/// The window size assumed when the payload does not give one.
const DEFAULT_WINDOW: f64 = 200_000.0;

option_enum! {
    enum Style {
        Bar = "bar",
        Percent = "percent",
        UsedTotal = "used_total",
        Remaining = "remaining",
        Usable = "usable",
    }
}

widget_options! {
    struct ContextOptions {
        /// One of the styles above.
        style: Style = Style::Bar,
        /// Percent at which the tone turns to warn: of the shown percentage (of the usable
        /// window with `usable`; of the used share with `remaining`).
        warn: Percent = 70.0,
        /// Percent at which the tone turns to critical (as `warn`).
        critical: Percent = 90.0,
        /// Cells of the `bar` style's bar; `0` hides the bar.
        bar_width: Int<0, 40> = 10,
        /// Show the window size in the `bar` style.
        show_size: bool = true,
        /// Percent of the window auto-compact keeps free, for the `usable` style.
        compact_buffer: Number<0, 90> = 22.5,
    }
}

struct Context {
    style: Style,
    warn: f64,
    critical: f64,
    bar_width: usize,
    show_size: bool,
    compact_buffer: f64,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = ContextOptions::parse(options)?;
    Ok(Box::new(Context {
        style: o.style,
        warn: o.warn,
        critical: o.critical,
        bar_width: o.bar_width as usize,
        show_size: o.show_size,
        compact_buffer: o.compact_buffer,
    }))
}

/// The used percentage and where it came from.
pub fn used_percent(window: &ContextWindow<'_>) -> Option<(f64, &'static str)> {
    if let Some(p) = window.used_percentage {
        return Some((p.clamp(0.0, 100.0), "context_window.used_percentage"));
    }
    let tokens = usage_tokens(window)?;
    let size = window_size(window);
    Some((
        (tokens / size * 100.0).clamp(0.0, 100.0),
        "context_window.current_usage",
    ))
}

/// Tokens in the context: input + cache creation + cache read of `current_usage`.
fn usage_tokens(window: &ContextWindow<'_>) -> Option<f64> {
    let usage = window.current_usage.as_ref()?;
    Some(
        usage.input_tokens.unwrap_or(0.0)
            + usage.cache_creation_input_tokens.unwrap_or(0.0)
            + usage.cache_read_input_tokens.unwrap_or(0.0),
    )
}

fn window_size(window: &ContextWindow<'_>) -> f64 {
    window
        .context_window_size
        .filter(|s| *s > 0.0)
        .unwrap_or(DEFAULT_WINDOW)
}

/// A token count rounded for the `used_total` style: `950`, `84k`, `1.2M`.
fn write_tokens(out: &mut impl std::fmt::Write, tokens: f64) {
    let t = tokens.max(0.0);
    let _ = if t >= 999_500.0 {
        write!(out, "{}M", fixed(t / 1_000_000.0, 1))
    } else if t >= 1_000.0 {
        write!(out, "{}k", fixed(t / 1_000.0, 0))
    } else {
        write!(out, "{}", fixed(t, 0))
    };
}

impl Context {
    /// Writes the chosen style; returns the percentage that sets the tone.
    fn write_style(
        &self,
        out: &mut SlotContent,
        window: &ContextWindow<'_>,
        used: f64,
        ctx: &RenderContext<'_>,
    ) -> f64 {
        let size = window_size(window);
        let tokens = || usage_tokens(window).unwrap_or(used / 100.0 * size);
        match self.style {
            Style::Percent => {
                let _ = write!(out, "{}%", fixed(used, 0));
                used
            }
            Style::Bar => {
                let _ = write!(out, "{}%", fixed(used, 0));
                if self.bar_width > 0 {
                    out.push(' ');
                    write_bar(out, used, self.bar_width, ctx.charset);
                }
                if self.show_size {
                    out.push(' ');
                    write_window_size(out, size);
                }
                used
            }
            Style::UsedTotal => {
                write_tokens(out, tokens());
                out.push('/');
                write_window_size(out, size);
                used
            }
            Style::Remaining => {
                let left = window
                    .remaining_percentage
                    .map_or(100.0 - used, |r| r.clamp(0.0, 100.0));
                let _ = write!(out, "{}% left", fixed(left, 0));
                used
            }
            Style::Usable => {
                let usable = size * (1.0 - self.compact_buffer / 100.0);
                let percent = (tokens() / usable * 100.0).clamp(0.0, 100.0);
                let _ = write!(out, "{}% of usable", fixed(percent, 0));
                out.short.clear();
                let _ = write!(out.short, "{}%", fixed(percent, 0));
                percent
            }
        }
    }
}

impl Widget for Context {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let fallback;
        let window = match ctx.session.context_window.as_ref() {
            Some(window) => window,
            None => match crate::transcript::context_window_fallback(ctx) {
                Some(window) => {
                    fallback = window;
                    &fallback
                }
                None => return Outcome::Hidden,
            },
        };
        let Some((used, source)) = used_percent(window) else {
            return Outcome::Hidden;
        };
        out.source = if ctx.session.context_window.is_some() {
            source
        } else {
            "transcript (last reply's usage)"
        };
        let _ = write!(out.short, "{}%", fixed(used, 0));
        let toned = self.write_style(out, window, used, ctx);
        out.tone = tone_for(toned, self.warn, self.critical);
        let size = window_size(window);
        let _ = write!(out.fields.writer(0), "{}%", fixed(used, 0));
        write_tokens(
            &mut out.fields.writer(1),
            usage_tokens(window).unwrap_or(used / 100.0 * size),
        );
        write_window_size(&mut out.fields.writer(2), size);
        write_bar(&mut out.fields.writer(3), used, self.bar_width, ctx.charset);
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::Charset;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_percent_bar_and_size() {
        let r = WidgetTester::new("context")
            .render(r#"{"context_window":{"used_percentage":42,"context_window_size":200000}}"#);
        assert_eq!(r.text, "42% ▰▰▰▰▱▱▱▱▱▱ 200k");
        assert_eq!(r.short, "42%");
        assert_eq!(r.tone, Tone::Normal);
    }

    #[test]
    fn one_million_window_is_shown_as_1m() {
        let t = WidgetTester::new("context").option("bar_width", OptionValue::Int(0));
        assert_eq!(
            t.text(r#"{"context_window":{"used_percentage":5.4,"context_window_size":1000000}}"#),
            "5% 1M"
        );
    }

    #[test]
    fn null_percentage_falls_back_to_current_usage() {
        let t = WidgetTester::new("context").option("show_size", OptionValue::Bool(false));
        let text = t.text(
            r#"{"context_window":{"used_percentage":null,"context_window_size":200000,
                "current_usage":{"input_tokens":1000,"cache_creation_input_tokens":9000,"cache_read_input_tokens":40000}}}"#,
        );
        assert_eq!(text, "25% ▰▰▰▱▱▱▱▱▱▱");
    }

    #[test]
    fn a_format_places_percent_used_size_and_bar() {
        let t = WidgetTester::new("context")
            .option(
                "format",
                OptionValue::Str("{used}/{size} {bar} {percent}".into()),
            )
            .option("bar_width", OptionValue::Int(4));
        assert_eq!(
            t.text(r#"{"context_window":{"used_percentage":50,"context_window_size":200000}}"#),
            "100k/200k ▰▰▱▱ 50%"
        );
    }

    #[test]
    fn thresholds_set_the_tone() {
        let t = WidgetTester::new("context");
        let warn = t.render(r#"{"context_window":{"used_percentage":75}}"#);
        let crit = t.render(r#"{"context_window":{"used_percentage":95}}"#);
        assert_eq!((warn.tone, crit.tone), (Tone::Warn, Tone::Critical));
    }

    #[test]
    fn ascii_charset_draws_an_ascii_bar() {
        let t = WidgetTester::new("context").charset(Charset::Ascii);
        assert_eq!(
            t.text(r#"{"context_window":{"used_percentage":50}}"#),
            "50% #####----- 200k"
        );
    }

    #[test]
    fn without_context_window_the_last_reply_in_the_transcript_gives_the_size() {
        use crate::transcript::testing::{TranscriptBuilder, payload};
        let path = TranscriptBuilder::new()
            .call("m1", "claude-opus-4-6", (10, 500, 80_000, 9_990), 2, 30)
            .sidechain_call("s1", (190_000, 1, 0, 0), 10)
            .write("context-fallback");
        let r = WidgetTester::new("context").render(&payload(&path));
        assert_eq!(
            r.text,
            "45% \u{25b0}\u{25b0}\u{25b0}\u{25b0}\u{25b0}\u{25b1}\u{25b1}\u{25b1}\u{25b1}\u{25b1} 200k"
        );
    }

    #[test]
    fn hides_early_in_a_session() {
        let t = WidgetTester::new("context");
        t.assert_hidden("{}");
        t.assert_hidden(r#"{"context_window":{"used_percentage":null,"current_usage":null}}"#);
    }

    #[test]
    fn out_of_range_percentages_are_clamped() {
        let t = WidgetTester::new("context").option("bar_width", OptionValue::Int(0));
        assert_eq!(
            t.text(r#"{"context_window":{"used_percentage":250}}"#),
            "100% 200k"
        );
        assert_eq!(
            t.text(r#"{"context_window":{"used_percentage":-3}}"#),
            "0% 200k"
        );
    }

    #[test]
    fn percent_style_shows_the_number_only() {
        let t = WidgetTester::new("context").option("style", OptionValue::Str("percent".into()));
        assert_eq!(
            t.text(r#"{"context_window":{"used_percentage":38.4}}"#),
            "38%"
        );
    }

    #[test]
    fn used_total_style_shows_tokens_over_the_window() {
        let t = WidgetTester::new("context").option("style", OptionValue::Str("used_total".into()));
        let usage = r#"{"context_window":{"context_window_size":200000,"used_percentage":38,
            "current_usage":{"input_tokens":4,"cache_creation_input_tokens":2211,"cache_read_input_tokens":73785}}}"#;
        assert_eq!(t.text(usage), "76k/200k");
        assert_eq!(
            t.text(r#"{"context_window":{"used_percentage":12.5,"context_window_size":1000000}}"#),
            "125k/1M"
        );
    }

    #[test]
    fn remaining_style_prefers_the_payload_figure() {
        let t = WidgetTester::new("context").option("style", OptionValue::Str("remaining".into()));
        assert_eq!(
            t.text(r#"{"context_window":{"used_percentage":38,"remaining_percentage":62}}"#),
            "62% left"
        );
        let r =
            t.render(r#"{"context_window":{"used_percentage":91,"remaining_percentage":null}}"#);
        assert_eq!((r.text.as_str(), r.tone), ("9% left", Tone::Critical));
    }

    #[test]
    fn usable_style_measures_against_the_window_before_auto_compact() {
        let t = WidgetTester::new("context").option("style", OptionValue::Str("usable".into()));
        // 77.5k of a 200k window with the default 22.5% buffer: 77.5k / 155k = 50%.
        let half = r#"{"context_window":{"context_window_size":200000,"current_usage":{"input_tokens":77500}}}"#;
        let r = t.render(half);
        assert_eq!(
            (r.text.as_str(), r.short.as_str(), r.tone),
            ("50% of usable", "50%", Tone::Normal)
        );
        // 60% used with the buffer: 120k / 155k = 77% of usable: warn.
        assert_eq!(
            t.render(r#"{"context_window":{"used_percentage":60}}"#)
                .tone,
            Tone::Warn
        );
        let no_buffer = t.option("compact_buffer", OptionValue::Int(0));
        assert_eq!(no_buffer.text(half), "39% of usable");
    }

    #[test]
    fn an_unknown_style_is_an_error_with_a_hint() {
        let options = crate::widgets::Options::new("context")
            .with("style", OptionValue::Str("usabel".into()));
        let err = (super::INFO.build)(&options).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "widget `context` option `style`: must be one of bar, percent, used_total, remaining, usable, got \"usabel\" (did you mean \"usable\"?)"
            )
        );
    }
}
