//! `rate_5h`: the 5-hour usage window alone, with its pace.
//!
//! Shows `5h 40% ▼40 (1h00m)`: used %, pace in points against elapsed time (▲ ahead,
//! ▼ behind; `+`/`-` in ASCII) and the countdown to the reset, from
//! `rate_limits.five_hour`. Tones and options as in `rate_limits` (see its module doc),
//! except that `pace` defaults to `true`. Shows `5h reset` once `resets_at` has passed.
//! Hides when the window or its percentage is absent.
//!
//! ```toml
//! [widget.rate_5h]
//! pace_margin = 15
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::rate_limits::{FIVE_HOURS, WINDOW_FIELDS, WindowFormat, WindowOptions};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "rate_5h",
    summary: "5-hour usage %, pace against elapsed time, reset countdown",
    options: WindowOptions::<true>::SPECS,
    fields: WINDOW_FIELDS,
    build,
};

struct Rate5h(WindowFormat);

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    Ok(Box::new(Rate5h(WindowFormat::from_options::<true>(
        options,
    )?)))
}

impl Widget for Rate5h {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let window = ctx
            .session
            .rate_limits
            .as_ref()
            .and_then(|l| l.five_hour.as_ref());
        let Some(tone) = window.and_then(|w| self.0.write(out, "5h", w, FIVE_HOURS, ctx)) else {
            return Outcome::Hidden;
        };
        if let Some(window) = window {
            WindowFormat::write_fields(out, window, FIVE_HOURS, ctx.now);
        }
        out.tone = tone;
        out.source = "rate_limits.five_hour";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::Charset;
    use crate::widgets::testing::{NOW, WidgetTester};

    #[test]
    fn shows_usage_pace_and_countdown() {
        let payload = format!(
            r#"{{"rate_limits":{{"five_hour":{{"used_percentage":40,"resets_at":{}}}}}}}"#,
            NOW + 3600
        );
        let r = WidgetTester::new("rate_5h").render(&payload);
        assert_eq!(
            (r.text.as_str(), r.short.as_str(), r.tone),
            ("5h 40% \u{25bc}40 (1h0m)", "5h 40%", Tone::Good)
        );
        let ascii = WidgetTester::new("rate_5h").charset(Charset::Ascii);
        assert_eq!(ascii.text(&payload), "5h 40% -40 (1h0m)");
    }

    #[test]
    fn fields_give_percent_pace_and_reset_countdown() {
        use crate::widgets::options::OptionValue;
        let payload = format!(
            r#"{{"rate_limits":{{"five_hour":{{"used_percentage":40,"resets_at":{}}}}}}}"#,
            NOW + 3600
        );
        let t = WidgetTester::new("rate_5h").option(
            "format",
            OptionValue::Str("{percent} {pace} in {resets}".into()),
        );
        assert_eq!(t.text(&payload), "40% -40 in 1h0m");
        let no_reset = r#"{"rate_limits":{"five_hour":{"used_percentage":7.6}}}"#;
        let t = t.option(
            "format",
            OptionValue::Str("{percent}[{pace}][{resets}]".into()),
        );
        assert_eq!(t.text(no_reset), "8%[][]");
    }

    #[test]
    fn hides_without_the_five_hour_window() {
        let t = WidgetTester::new("rate_5h");
        for p in [
            "{}",
            r#"{"rate_limits":{"seven_day":{"used_percentage":3}}}"#,
            r#"{"rate_limits":{"five_hour":null}}"#,
            r#"{"rate_limits":{"five_hour":{"used_percentage":"x"}}}"#,
        ] {
            t.assert_hidden(p);
        }
    }

    #[test]
    fn expired_window_shows_as_reset_not_critical() {
        let payload = format!(
            r#"{{"rate_limits":{{"five_hour":{{"used_percentage":97,"resets_at":{}}}}}}}"#,
            NOW - 60
        );
        let r = WidgetTester::new("rate_5h").render(&payload);
        assert_eq!(
            (r.text.as_str(), r.short.as_str(), r.tone),
            ("5h reset", "5h reset", crate::engine::slots::Tone::Normal)
        );
    }
}
