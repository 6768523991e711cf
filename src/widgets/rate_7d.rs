//! `rate_7d`: the 7-day usage window alone, with its pace.
//!
//! Shows `7d 41% ▲27 (6d0h)`: used %, pace in points against elapsed time (▲ ahead,
//! ▼ behind; `+`/`-` in ASCII) and the countdown to the reset, from
//! `rate_limits.seven_day`. Tones and options as in `rate_limits` (see its module doc),
//! except that `pace` defaults to `true`. Shows `7d reset` once `resets_at` has passed.
//! Hides when the window or its percentage is absent.
//!
//! ```toml
//! [widget.rate_7d]
//! pace_margin = 15
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::rate_limits::{SEVEN_DAYS, WINDOW_FIELDS, WindowFormat, WindowOptions};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "rate_7d",
    summary: "7-day usage %, pace against elapsed time, reset countdown",
    options: WindowOptions::<true>::SPECS,
    fields: WINDOW_FIELDS,
    build,
};

struct Rate7d(WindowFormat);

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    Ok(Box::new(Rate7d(WindowFormat::from_options::<true>(
        options,
    )?)))
}

impl Widget for Rate7d {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let window = ctx
            .session
            .rate_limits
            .as_ref()
            .and_then(|l| l.seven_day.as_ref());
        let Some(tone) = window.and_then(|w| self.0.write(out, "7d", w, SEVEN_DAYS, ctx)) else {
            return Outcome::Hidden;
        };
        if let Some(window) = window {
            WindowFormat::write_fields(out, window, SEVEN_DAYS, ctx.now);
        }
        out.tone = tone;
        out.source = "rate_limits.seven_day";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::{NOW, WidgetTester};

    #[test]
    fn shows_usage_pace_and_countdown() {
        let payload = format!(
            r#"{{"rate_limits":{{"seven_day":{{"used_percentage":41,"resets_at":{}}}}}}}"#,
            NOW + 6 * 86400
        );
        let r = WidgetTester::new("rate_7d").render(&payload);
        assert_eq!(
            (r.text.as_str(), r.tone),
            ("7d 41% \u{25b2}27 (6d0h)", Tone::Critical)
        );
        let plain = WidgetTester::new("rate_7d").option("pace", OptionValue::Bool(false));
        let r = plain.render(&payload);
        assert_eq!((r.text.as_str(), r.tone), ("7d 41% (6d0h)", Tone::Normal));
    }

    #[test]
    fn fields_give_percent_pace_and_reset_countdown() {
        use crate::widgets::options::OptionValue;
        // Half the week left with 41% used: 9 points behind the time elapsed.
        let payload = format!(
            r#"{{"rate_limits":{{"seven_day":{{"used_percentage":41,"resets_at":{}}}}}}}"#,
            NOW + 302_400
        );
        let t = WidgetTester::new("rate_7d").option(
            "format",
            OptionValue::Str("{percent}|{pace}|{resets}".into()),
        );
        assert_eq!(t.text(&payload), "41%|-9|3d12h");
    }

    #[test]
    fn hides_without_the_seven_day_window() {
        let t = WidgetTester::new("rate_7d");
        for p in [
            "{}",
            r#"{"rate_limits":{"five_hour":{"used_percentage":3}}}"#,
            r#"{"rate_limits":{"seven_day":null}}"#,
            r#"{"rate_limits":[]}"#,
        ] {
            t.assert_hidden(p);
        }
    }

    #[test]
    fn expired_window_shows_as_reset_not_critical() {
        let payload = format!(
            r#"{{"rate_limits":{{"seven_day":{{"used_percentage":97,"resets_at":{}}}}}}}"#,
            NOW - 60
        );
        let r = WidgetTester::new("rate_7d").render(&payload);
        assert_eq!(
            (r.text.as_str(), r.short.as_str(), r.tone),
            ("7d reset", "7d reset", crate::engine::slots::Tone::Normal)
        );
    }
}
