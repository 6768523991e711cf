//! `rate_limits`: subscription usage windows (Pro/Max plans).
//!
//! Shows each window's used percentage and the time until it resets:
//! `5h 20% (2h13m) · 7d 45% (3d4h)`. From `rate_limits.five_hour` and
//! `rate_limits.seven_day` (`used_percentage`, `resets_at` in epoch seconds). A window that
//! is absent is left out. A window whose `resets_at` is in the past has already reset: its
//! used % belongs to the window that ended, so it shows `5h reset` in the normal tone, with
//! no countdown or pace. The tone follows the fuller window. Short form: `5h 20% 7d 45%`.
//! Hides when neither window is present.
//!
//! Pace (`pace = true`): compares each window's used % with the share of the window that
//! has elapsed (5h = 18000 s, 7d = 604800 s; elapsed = window − (resets_at − now)) and
//! shows the difference in points after the percentage: `5h 40% ▲15` runs 15 points ahead
//! of time, `▼33` runs behind (`+15`/`-33` in ASCII). Ahead by more than `pace_margin`
//! turns the tone to warn, by more than `pace_critical` to critical; behind by more than
//! `pace_margin` to good. The warn/critical thresholds on the used % still apply, and the
//! worse tone wins. A window without a future `resets_at` has no pace.
//!
//! ```toml
//! [widget.rate_limits]
//! pace = true
//! pace_margin = 10
//! ```
//!
//! `rate_5h` and `rate_7d` show one window each, with pace on by default.

use crate::fixed::fixed;
use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::input::payload::RateWindow;
use crate::widgets::options::{Number, Percent, widget_options};
use crate::widgets::units::write_countdown;
use crate::widgets::{Charset, OptionError, Options, RenderContext, Widget, WidgetInfo, tone_for};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "rate_limits",
    summary: "5-hour and 7-day usage % with reset countdowns and optional pace",
    options: WindowOptions::<false>::SPECS,
    fields: &[],
    build,
};

widget_options! {
    /// The options shared by `rate_limits`, `rate_5h` and `rate_7d`; `PACE` is the default
    /// of `pace`.
    pub(crate) struct WindowOptions<const PACE: bool> {
        /// Used percent at which the tone turns to warn.
        warn: Percent = 70.0,
        /// Used percent at which the tone turns to critical.
        critical: Percent = 90.0,
        /// Show the time until the window resets.
        countdown: bool = true,
        /// Show the pace: points ahead of or behind the elapsed share of the window.
        pace: bool = PACE,
        /// Points ahead that turn the tone to warn (behind: to good).
        pace_margin: Number<0, 100> = 10.0,
        /// Points ahead that turn the tone to critical.
        pace_critical: Number<0, 100> = 25.0,
    }
}

/// Window lengths in seconds.
pub(crate) const FIVE_HOURS: f64 = 5.0 * 3600.0;
pub(crate) const SEVEN_DAYS: f64 = 7.0 * 86_400.0;

/// How one window is written.
pub(crate) struct WindowFormat {
    warn: f64,
    critical: f64,
    countdown: bool,
    pace: bool,
    pace_margin: f64,
    pace_critical: f64,
}

/// The fields of `rate_5h` and `rate_7d`.
pub(crate) const WINDOW_FIELDS: &[crate::widgets::FieldSpec] = &[
    crate::widgets::FieldSpec {
        name: "percent",
        doc: "used percentage (`40%`)",
    },
    crate::widgets::FieldSpec {
        name: "pace",
        doc: "points used ahead of (`+12`) or behind (`-40`) the time elapsed; empty without a reset time",
    },
    crate::widgets::FieldSpec {
        name: "resets",
        doc: "time until the window resets (`1h0m`); empty once passed or unknown",
    },
];

impl WindowFormat {
    /// Reads [`WindowOptions`]; `PACE` is the default of `pace`.
    pub(crate) fn from_options<const PACE: bool>(options: &Options) -> Result<Self, OptionError> {
        let o = WindowOptions::<PACE>::parse(options)?;
        Ok(WindowFormat {
            warn: o.warn,
            critical: o.critical,
            countdown: o.countdown,
            pace: o.pace,
            pace_margin: o.pace_margin,
            pace_critical: o.pace_critical,
        })
    }

    /// Writes `label used% [pace] [(countdown)]`, or `label reset` when `resets_at` has
    /// passed; `None` (nothing written to the short form) when the window has no usable
    /// percentage.
    pub(crate) fn write(
        &self,
        out: &mut SlotContent,
        label: &str,
        window: &RateWindow<'_>,
        length: f64,
        ctx: &RenderContext<'_>,
    ) -> Option<Tone> {
        let used = window.used_percentage?.clamp(0.0, 100.0);
        let gap = if out.short.is_empty() { "" } else { " " };
        if window.resets_at.is_some_and(|r| r <= ctx.now as f64) {
            let _ = write!(out, "{label} reset");
            let _ = write!(out.short, "{gap}{label} reset");
            return Some(Tone::Normal);
        }
        let _ = write!(out, "{label} {}%", fixed(used, 0));
        let _ = write!(out.short, "{gap}{label} {}%", fixed(used, 0));
        let left = window
            .resets_at
            .map(|r| r - ctx.now as f64)
            .filter(|l| *l > 0.0);
        let mut tone = tone_for(used, self.warn, self.critical);
        if let Some(left) = left.filter(|_| self.pace) {
            let elapsed = ((length - left) / length * 100.0).clamp(0.0, 100.0);
            let ahead = used - elapsed;
            let (up, down) = match ctx.charset {
                Charset::Ascii => ("+", "-"),
                _ => ("\u{25b2}", "\u{25bc}"),
            };
            let _ = write!(
                out,
                " {}{}",
                if ahead >= 0.0 { up } else { down },
                fixed(ahead.abs(), 0)
            );
            let pace = self.pace_tone(ahead);
            tone = if tone == Tone::Normal {
                pace
            } else {
                worse(tone, pace)
            };
        }
        if let Some(left) = left.filter(|_| self.countdown) {
            out.push_str(" (");
            write_countdown(out, left);
            out.push(')');
        }
        Some(tone)
    }

    /// Sets the [`WINDOW_FIELDS`] of a window `length` seconds long.
    pub(crate) fn write_fields(
        out: &mut SlotContent,
        window: &RateWindow<'_>,
        length: f64,
        now: i64,
    ) {
        let Some(used) = window.used_percentage.map(|u| u.clamp(0.0, 100.0)) else {
            return;
        };
        let _ = write!(out.fields.writer(0), "{}%", fixed(used, 0));
        let Some(left) = window
            .resets_at
            .map(|r| r - now as f64)
            .filter(|l| *l > 0.0)
        else {
            return;
        };
        let elapsed = ((length - left) / length * 100.0).clamp(0.0, 100.0);
        let ahead = used - elapsed;
        let sign = if ahead >= 0.0 { "+" } else { "-" };
        let _ = write!(out.fields.writer(1), "{sign}{}", fixed(ahead.abs(), 0));
        write_countdown(&mut out.fields.writer(2), left);
    }

    fn pace_tone(&self, ahead: f64) -> Tone {
        if ahead > self.pace_critical {
            Tone::Critical
        } else if ahead > self.pace_margin {
            Tone::Warn
        } else if ahead < -self.pace_margin {
            Tone::Good
        } else {
            Tone::Normal
        }
    }
}

struct RateLimits {
    format: WindowFormat,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    Ok(Box::new(RateLimits {
        format: WindowFormat::from_options::<false>(options)?,
    }))
}

/// The worse of two tones: critical > warn > normal > good.
pub(crate) fn worse(a: Tone, b: Tone) -> Tone {
    let rank = |t: Tone| match t {
        Tone::Critical => 3,
        Tone::Warn => 2,
        Tone::Good => 0,
        _ => 1,
    };
    if rank(b) > rank(a) { b } else { a }
}

impl Widget for RateLimits {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(limits) = ctx.session.rate_limits.as_ref() else {
            return Outcome::Hidden;
        };
        let separator = ctx.charset.dot();
        let mut tone = None;
        let windows = [
            ("5h", &limits.five_hour, FIVE_HOURS),
            ("7d", &limits.seven_day, SEVEN_DAYS),
        ];
        for (label, window, length) in windows {
            let Some(window) = window.as_ref() else {
                continue;
            };
            let mark = out.text.len();
            if tone.is_some() {
                out.push_str(separator);
            }
            match self.format.write(out, label, window, length, ctx) {
                Some(t) => tone = Some(tone.map_or(t, |old| worse(old, t))),
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
        let five = format!(
            r#"{{"used_percentage":20,"resets_at":{}}}"#,
            NOW + 2 * 3600 + 13 * 60
        );
        let seven = format!(
            r#"{{"used_percentage":45.4,"resets_at":{}}}"#,
            NOW + 3 * 86400 + 4 * 3600
        );
        let r = WidgetTester::new("rate_limits").render(&payload(&five, &seven));
        assert_eq!(r.text, "5h 20% (2h13m) · 7d 45% (3d4h)");
        assert_eq!(r.short, "5h 20% 7d 45%");
        assert_eq!(r.tone, Tone::Normal);
    }

    #[test]
    fn reset_in_the_past_or_as_text_shows_no_countdown() {
        let t = WidgetTester::new("rate_limits");
        assert_eq!(
            t.text(&payload(
                r#"{"used_percentage":20,"resets_at":"soon"}"#,
                "null"
            )),
            "5h 20%"
        );
    }

    #[test]
    fn the_fuller_window_sets_the_tone() {
        let t = WidgetTester::new("rate_limits").option("countdown", OptionValue::Bool(false));
        let r = t.render(&payload(
            r#"{"used_percentage":95}"#,
            r#"{"used_percentage":75}"#,
        ));
        assert_eq!(r.text, "5h 95% · 7d 75%");
        assert_eq!(r.tone, Tone::Critical);
    }

    #[test]
    fn a_window_without_percentage_is_left_out() {
        let t = WidgetTester::new("rate_limits").option("countdown", OptionValue::Bool(false));
        assert_eq!(
            t.text(&payload(r#"{"resets_at":1}"#, r#"{"used_percentage":3}"#)),
            "7d 3%"
        );
    }

    #[test]
    fn hides_without_rate_limits() {
        let t = WidgetTester::new("rate_limits");
        t.assert_hidden("{}");
        t.assert_hidden(&payload("null", "null"));
    }

    #[test]
    fn pace_compares_usage_with_elapsed_time() {
        let t = WidgetTester::new("rate_limits")
            .option("pace", OptionValue::Bool(true))
            .option("countdown", OptionValue::Bool(false));
        // 1h of 5h left: 80% of the window elapsed; 40% used is 40 points behind.
        let five = format!(r#"{{"used_percentage":40,"resets_at":{}}}"#, NOW + 3600);
        // 6 of 7 days left: ~14% elapsed; 41% used is 27 points ahead.
        let seven = format!(
            r#"{{"used_percentage":41,"resets_at":{}}}"#,
            NOW + 6 * 86400
        );
        let r = t.render(&payload(&five, "null"));
        assert_eq!((r.text.as_str(), r.tone), ("5h 40% \u{25bc}40", Tone::Good));
        let r = t.render(&payload(&five, &seven));
        assert_eq!(
            (r.text.as_str(), r.tone),
            ("5h 40% \u{25bc}40 · 7d 41% \u{25b2}27", Tone::Critical)
        );
    }

    #[test]
    fn pace_margins_set_warn_and_good() {
        let t = WidgetTester::new("rate_limits")
            .option("pace", OptionValue::Bool(true))
            .option("countdown", OptionValue::Bool(false))
            .option("pace_margin", OptionValue::Int(5));
        // 2.5h of 5h left: 50% elapsed.
        let at = |used: u32| {
            payload(
                &format!(r#"{{"used_percentage":{used},"resets_at":{}}}"#, NOW + 9000),
                "null",
            )
        };
        assert_eq!(t.render(&at(62)).tone, Tone::Warn);
        assert_eq!(t.render(&at(52)).tone, Tone::Normal);
        assert_eq!(t.render(&at(40)).tone, Tone::Good);
        assert_eq!(t.render(&at(80)).tone, Tone::Critical);
    }

    #[test]
    fn pace_needs_a_future_reset_time() {
        let t = WidgetTester::new("rate_limits").option("pace", OptionValue::Bool(true));
        let r = t.render(&payload(
            r#"{"used_percentage":20}"#,
            r#"{"used_percentage":3,"resets_at":null}"#,
        ));
        assert_eq!((r.text.as_str(), r.tone), ("5h 20% · 7d 3%", Tone::Normal));
    }

    #[test]
    fn expired_window_shows_as_reset_not_critical() {
        let t = WidgetTester::new("rate_limits").option("pace", OptionValue::Bool(true));
        let expired = format!(r#"{{"used_percentage":97,"resets_at":{}}}"#, NOW - 10);
        let at_now = format!(r#"{{"used_percentage":97,"resets_at":{NOW}}}"#);
        let seven = format!(
            r#"{{"used_percentage":20,"resets_at":{}}}"#,
            NOW + 6 * 86400
        );
        let r = t.render(&payload(&expired, "null"));
        assert_eq!(
            (r.text.as_str(), r.short.as_str(), r.tone),
            ("5h reset", "5h reset", Tone::Normal)
        );
        assert_eq!(t.text(&payload(&at_now, "null")), "5h reset");
        let r = t.render(&payload(&expired, &seven));
        assert_eq!(r.text, "5h reset · 7d 20% \u{25b2}6 (6d0h)");
        assert_eq!(r.short, "5h reset 7d 20%");
        assert_eq!(r.tone, Tone::Normal);
    }
}
