//! `context`: how full the context window is.
//!
//! Shows the used percentage, a bar and the window size: `42% ▰▰▰▰▱▱▱▱▱▱ 200k`. The
//! percentage is `context_window.used_percentage`; when that is null (early in a session,
//! older versions) it is computed from `context_window.current_usage` (input + cache
//! creation + cache read tokens) over `context_window_size` (200k when absent). Without
//! `context_window` (older Claude Code versions) the last main-chain reply's usage in the
//! transcript gives the size (1M for a `[1m]` model id). The tone
//! turns to warn and critical at the thresholds. Short form: `42%`. Hides when neither the
//! percentage nor the usage is known.
//!
//! Options:
//! - `warn` (percent, default `70`), `critical` (percent, default `90`);
//! - `bar_width` (cells, default `10`; `0` hides the bar);
//! - `show_size` (bool, default `true`): the window size after the bar.
//!
//! ```toml
//! [widget.context]
//! warn = "70%"
//! critical = "90%"
//! bar_width = 10
//! ```

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::input::payload::ContextWindow;
use crate::widgets::units::write_window_size;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo, tone_for, write_bar};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "context",
    summary: "context window used %, a bar and the window size",
    options: &["warn", "critical", "bar_width", "show_size"],
    build,
};

/// The window size assumed when the payload does not give one.
const DEFAULT_WINDOW: f64 = 200_000.0;

struct Context {
    warn: f64,
    critical: f64,
    bar_width: usize,
    show_size: bool,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    options.check_known(INFO.options)?;
    Ok(Box::new(Context {
        warn: options.percent("warn", 70.0)?,
        critical: options.percent("critical", 90.0)?,
        bar_width: options.integer("bar_width", 10, 0, 40)? as usize,
        show_size: options.bool("show_size", true)?,
    }))
}

/// The used percentage and where it came from.
pub fn used_percent(window: &ContextWindow<'_>) -> Option<(f64, &'static str)> {
    if let Some(p) = window.used_percentage {
        return Some((p.clamp(0.0, 100.0), "context_window.used_percentage"));
    }
    let usage = window.current_usage.as_ref()?;
    let tokens = usage.input_tokens.unwrap_or(0.0)
        + usage.cache_creation_input_tokens.unwrap_or(0.0)
        + usage.cache_read_input_tokens.unwrap_or(0.0);
    let size = window.context_window_size.filter(|s| *s > 0.0).unwrap_or(DEFAULT_WINDOW);
    Some(((tokens / size * 100.0).clamp(0.0, 100.0), "context_window.current_usage"))
}

impl Widget for Context {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let window = ctx.session.context_window.as_ref();
        let Some((percent, source, size)) = window.map_or_else(
            || crate::transcript::context_fallback(ctx, DEFAULT_WINDOW),
            |w| used_percent(w).map(|(p, s)| (p, s, w.context_window_size.filter(|s| *s > 0.0).unwrap_or(DEFAULT_WINDOW))),
        ) else {
            return Outcome::Hidden;
        };
        out.source = source;
        out.tone = tone_for(percent, self.warn, self.critical);
        let _ = write!(out, "{percent:.0}%");
        let _ = write!(out.short, "{percent:.0}%");
        if self.bar_width > 0 {
            out.push(' ');
            write_bar(out, percent, self.bar_width, ctx.charset);
        }
        if self.show_size {
            out.push(' ');
            write_window_size(out, size);
        }
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
    fn thresholds_set_the_tone() {
        let t = WidgetTester::new("context");
        let warn = t.render(r#"{"context_window":{"used_percentage":75}}"#);
        let crit = t.render(r#"{"context_window":{"used_percentage":95}}"#);
        assert_eq!((warn.tone, crit.tone), (Tone::Warn, Tone::Critical));
    }

    #[test]
    fn ascii_charset_draws_an_ascii_bar() {
        let t = WidgetTester::new("context").charset(Charset::Ascii);
        assert_eq!(t.text(r#"{"context_window":{"used_percentage":50}}"#), "50% #####----- 200k");
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
        assert_eq!(t.text(r#"{"context_window":{"used_percentage":250}}"#), "100% 200k");
        assert_eq!(t.text(r#"{"context_window":{"used_percentage":-3}}"#), "0% 200k");
    }
}
