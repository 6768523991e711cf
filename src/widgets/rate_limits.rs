//! `rate_limits`: subscription usage windows (Pro/Max plans).
//!
//! Shows each window's used percentage and the time until it resets:
//! `5h 20% (2h13m) · 7d 45% (3d4h)`. From `rate_limits.five_hour` and
//! `rate_limits.seven_day` (`used_percentage`, `resets_at` in epoch seconds). A window that
//! is absent is left out; a reset time in the past shows no countdown. The tone follows the
//! fuller window. Short form: `5h 20% 7d 45%`. Hides when neither window is present.
//!
//! Options: `warn` (percent, default `70`), `critical` (percent, default `90`),
//! `countdown` (bool, default `true`).

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::input::payload::RateWindow;
use crate::widgets::units::write_countdown;
use crate::widgets::{Charset, OptionError, Options, RenderContext, Widget, WidgetInfo, tone_for};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "rate_limits",
    summary: "5-hour and 7-day usage % with reset countdowns",
    options: &["warn", "critical", "countdown"],
    build,
};

struct RateLimits {
    warn: f64,
    critical: f64,
    countdown: bool,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    options.check_known(INFO.options)?;
    Ok(Box::new(RateLimits {
        warn: options.percent("warn", 70.0)?,
        critical: options.percent("critical", 90.0)?,
        countdown: options.bool("countdown", true)?,
    }))
}

fn severity(tone: Tone) -> u8 {
    match tone {
        Tone::Critical => 2,
        Tone::Warn => 1,
        _ => 0,
    }
}

impl RateLimits {
    fn window(&self, out: &mut SlotContent, label: &str, window: &RateWindow<'_>, now: i64) -> Option<Tone> {
        let used = window.used_percentage?.clamp(0.0, 100.0);
        let _ = write!(out, "{label} {used:.0}%");
        let _ = write!(out.short, "{}{label} {used:.0}%", if out.short.is_empty() { "" } else { " " });
        if let Some(resets_at) = window.resets_at.filter(|_| self.countdown) {
            let left = resets_at - now as f64;
            if left > 0.0 {
                out.push_str(" (");
                write_countdown(out, left);
                out.push(')');
            }
        }
        Some(tone_for(used, self.warn, self.critical))
    }
}

impl Widget for RateLimits {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(limits) = ctx.session.rate_limits.as_ref() else {
            return Outcome::Hidden;
        };
        let separator = if ctx.charset == Charset::Ascii { " | " } else { " \u{b7} " };
        let mut tone = None;
        for (label, window) in [("5h", &limits.five_hour), ("7d", &limits.seven_day)] {
            let Some(window) = window.as_ref() else { continue };
            let mark = out.text.len();
            if tone.is_some() {
                out.push_str(separator);
            }
            match self.window(out, label, window, ctx.now) {
                Some(t) => {
                    tone = Some(tone.map_or(t, |old: Tone| if severity(t) > severity(old) { t } else { old }))
                }
                None => out.text.truncate(mark),
            }
        }
        let Some(tone) = tone else {
            return Outcome::Hidden;
        };
        out.tone = tone;
        out.source = "rate_limits";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::{NOW, WidgetTester};

    fn payload(five: &str, seven: &str) -> String {
        format!(r#"{{"rate_limits":{{"five_hour":{five},"seven_day":{seven}}}}}"#)
    }

    #[test]
    fn shows_both_windows_with_countdowns() {
        let five = format!(r#"{{"used_percentage":20,"resets_at":{}}}"#, NOW + 2 * 3600 + 13 * 60);
        let seven = format!(r#"{{"used_percentage":45.4,"resets_at":{}}}"#, NOW + 3 * 86400 + 4 * 3600);
        let r = WidgetTester::new("rate_limits").render(&payload(&five, &seven));
        assert_eq!(r.text, "5h 20% (2h13m) · 7d 45% (3d4h)");
        assert_eq!(r.short, "5h 20% 7d 45%");
        assert_eq!(r.tone, Tone::Normal);
    }

    #[test]
    fn reset_in_the_past_or_as_text_shows_no_countdown() {
        let t = WidgetTester::new("rate_limits");
        let past = format!(r#"{{"used_percentage":20,"resets_at":{}}}"#, NOW - 10);
        assert_eq!(t.text(&payload(&past, "null")), "5h 20%");
        assert_eq!(t.text(&payload(r#"{"used_percentage":20,"resets_at":"soon"}"#, "null")), "5h 20%");
    }

    #[test]
    fn the_fuller_window_sets_the_tone() {
        let t = WidgetTester::new("rate_limits").option("countdown", OptionValue::Bool(false));
        let r = t.render(&payload(r#"{"used_percentage":95}"#, r#"{"used_percentage":75}"#));
        assert_eq!(r.text, "5h 95% · 7d 75%");
        assert_eq!(r.tone, Tone::Critical);
    }

    #[test]
    fn a_window_without_percentage_is_left_out() {
        let t = WidgetTester::new("rate_limits").option("countdown", OptionValue::Bool(false));
        assert_eq!(t.text(&payload(r#"{"resets_at":1}"#, r#"{"used_percentage":3}"#)), "7d 3%");
    }

    #[test]
    fn hides_without_rate_limits() {
        let t = WidgetTester::new("rate_limits");
        t.assert_hidden("{}");
        t.assert_hidden(&payload("null", "null"));
    }
}
