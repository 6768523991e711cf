//! `time`: the local wall-clock time.
//!
//! Shows `14:05` (24-hour) by default. Local time follows `TZ` and `/etc/localtime`.
//!

use std::fmt::Write as _;

use crate::engine::clock::local_time;
use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::widgets::options::{option_enum, widget_options};
use crate::widgets::{FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "time",
    summary: "local time (14:05)",
    options: TimeOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "hour",
            doc: "the hour as the clock shows it, two digits (`14`, `02` on a 12-hour clock)",
        },
        FieldSpec {
            name: "minute",
            doc: "the minute, two digits",
        },
        FieldSpec {
            name: "second",
            doc: "the second, two digits (with `seconds = false` too)",
        },
        FieldSpec {
            name: "ampm",
            doc: "`AM` or `PM`",
        },
    ],
    build,
};

struct Time {
    seconds: bool,
    twelve_hour: bool,
}

option_enum! {
    enum Clock {
        TwentyFour = "24h",
        Twelve = "12h",
    }
}

widget_options! {
    struct TimeOptions {
        /// Show seconds too.
        seconds: bool = false,
        /// 24-hour or 12-hour clock.
        clock: Clock = Clock::TwentyFour,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = TimeOptions::parse(options)?;
    Ok(Box::new(Time {
        seconds: o.seconds,
        twelve_hour: match o.clock {
            Clock::TwentyFour => false,
            Clock::Twelve => true,
        },
    }))
}

impl Widget for Time {
    /// The clock changes once a second at most.
    fn refresh_interval(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_secs(1))
    }

    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let t = local_time(ctx.now);
        let hour = if self.twelve_hour {
            match t.hour % 12 {
                0 => 12,
                h => h,
            }
        } else {
            t.hour
        };
        let _ = write!(out, "{hour:02}:{:02}", t.minute);
        let _ = write!(out.fields.writer(0), "{hour:02}");
        let _ = write!(out.fields.writer(1), "{:02}", t.minute);
        let _ = write!(out.fields.writer(2), "{:02}", t.second);
        out.fields.set(3, if t.hour < 12 { "AM" } else { "PM" });
        if self.seconds {
            let _ = write!(out, ":{:02}", t.second);
        }
        if self.twelve_hour {
            out.push_str(if t.hour < 12 { " AM" } else { " PM" });
        }
        out.tone = Tone::Muted;
        out.source = "clock";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn is_clock(text: &str, len: usize) -> bool {
        text.len() == len
            && text.bytes().enumerate().all(|(i, b)| {
                if i % 3 == 2 {
                    b == b':'
                } else {
                    b.is_ascii_digit()
                }
            })
    }

    #[test]
    fn shows_hours_and_minutes() {
        let text = WidgetTester::new("time").text("{}");
        assert!(is_clock(&text, 5), "{text}");
    }

    #[test]
    fn fields_give_the_clock_parts() {
        let t = WidgetTester::new("time").option("seconds", OptionValue::Bool(true));
        let text = t.text("{}");
        let hour: u8 = text[..2].parse().unwrap();
        let ampm = if hour < 12 { "AM" } else { "PM" };
        let parts = t.option(
            "format",
            OptionValue::Str("{hour}:{minute}:{second} {ampm}".into()),
        );
        assert_eq!(parts.text("{}"), format!("{text} {ampm}"));
    }

    #[test]
    fn seconds_and_twelve_hour_clock() {
        let t = WidgetTester::new("time").option("seconds", OptionValue::Bool(true));
        assert!(is_clock(&t.text("{}"), 8));
        let t = WidgetTester::new("time").option("clock", OptionValue::Str("12h".into()));
        let text = t.text("{}");
        assert!(text.ends_with(" AM") || text.ends_with(" PM"), "{text}");
        let hour: u8 = text[..2].parse().unwrap();
        assert!((1..=12).contains(&hour));
    }
}
