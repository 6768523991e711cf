//! `duration`: how long the session has run, from `cost.total_duration_ms`.
//!
//! Shows `12m30s`, `1h02m`, `3d4h`. With `api = true` it shows the time spent waiting on the
//! API instead (`cost.total_api_duration_ms`). Hides when the figure is absent.
//!
//! ```toml
//! [widget.duration]
//! api = false
//! ```

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::options::widget_options;
use crate::widgets::units::write_duration;
use crate::widgets::{FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "duration",
    summary: "session (or API) duration",
    options: DurationOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "total_seconds",
            doc: "the whole duration in seconds (`750`)",
        },
        FieldSpec {
            name: "hours",
            doc: "whole hours (`0`)",
        },
        FieldSpec {
            name: "minutes",
            doc: "minutes past the hour, two digits (`12`)",
        },
        FieldSpec {
            name: "seconds",
            doc: "seconds past the minute, two digits (`30`)",
        },
    ],
    build,
};

struct Duration {
    api: bool,
}

widget_options! {
    struct DurationOptions {
        /// Show the time spent waiting for the API instead of the session's.
        api: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = DurationOptions::parse(options)?;
    Ok(Box::new(Duration { api: o.api }))
}

impl Widget for Duration {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let cost = ctx.session.cost.as_ref();
        let millis = if self.api {
            out.source = "cost.total_api_duration_ms";
            cost.and_then(|c| c.total_api_duration_ms)
        } else {
            out.source = "cost.total_duration_ms";
            cost.and_then(|c| c.total_duration_ms)
        };
        let Some(millis) = millis else {
            return Outcome::Hidden;
        };
        write_duration(out, millis / 1000.0);
        let total = (millis / 1000.0).max(0.0) as u64;
        let fields = &mut out.fields;
        let _ = write!(fields.writer(0), "{total}");
        let _ = write!(fields.writer(1), "{}", total / 3600);
        let _ = write!(fields.writer(2), "{:02}", total / 60 % 60);
        let _ = write!(fields.writer(3), "{:02}", total % 60);
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_session_duration() {
        let t = WidgetTester::new("duration");
        assert_eq!(t.text(r#"{"cost":{"total_duration_ms":750000}}"#), "12m30s");
    }

    #[test]
    fn api_option_reads_the_api_duration() {
        let t = WidgetTester::new("duration").option("api", OptionValue::Bool(true));
        assert_eq!(
            t.text(r#"{"cost":{"total_duration_ms":1,"total_api_duration_ms":45000}}"#),
            "45s"
        );
    }

    #[test]
    fn fields_split_the_duration_into_clock_parts() {
        let t = WidgetTester::new("duration").option(
            "format",
            OptionValue::Str("{hours}:{minutes}:{seconds} ({total_seconds}s)".into()),
        );
        assert_eq!(
            t.text(r#"{"cost":{"total_duration_ms":3750500}}"#),
            "1:02:30 (3750s)"
        );
    }

    #[test]
    fn hides_without_duration() {
        WidgetTester::new("duration").assert_hidden(r#"{"cost":{}}"#);
    }
}
