//! `cmd_duration`: how long the last shell command ran, when it took a while.
//!
//! Shows `took 12s`, `took 3m05s`, `took 1h02m` (from `blinkline prompt --duration`, which
//! the shell integration fills in). Hides below the threshold, and outside a shell prompt.
//! The tone turns to warn at `warn`.
//!
//! ```toml
//! [widget.cmd_duration]
//! threshold = "500ms"
//! prefix = ""
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::push_clean;
use crate::widgets::options::{OptionKind, Text, show_millis, widget_options};
use crate::widgets::units::write_duration;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "cmd_duration",
    summary: "how long the last command ran, above a threshold (prompts)",
    options: CmdDurationOptions::SPECS,
    fields: &[],
    build,
};

struct CmdDuration {
    threshold_ms: u64,
    warn_ms: u64,
    prefix: String,
}

/// A duration option: `"2s"`, `"500ms"`, or a bare number of milliseconds.
fn duration_option(options: &Options, key: &str, default: &str) -> Result<u64, OptionError> {
    let text = match options.string(key, default) {
        Ok(text) => text,
        Err(string_err) => {
            return options
                .number(key, 0.0)
                .map(|ms| ms.max(0.0) as u64)
                .map_err(|_| string_err);
        }
    };
    crate::cli::parse_duration(&text)
        .map(|d: Duration| d.as_millis() as u64)
        .map_err(|message| OptionError {
            widget: options.widget.clone(),
            key: key.to_owned(),
            message,
        })
}

/// A duration in milliseconds: `"2s"`, `"500ms"`, or a bare number of milliseconds.
struct Millis;

impl OptionKind for Millis {
    type Value = u64;
    fn describe() -> String {
        "duration".into()
    }
    fn read(options: &Options, key: &str, default: u64) -> Result<u64, OptionError> {
        if options.contains(key) {
            duration_option(options, key, "")
        } else {
            Ok(default)
        }
    }
    fn show(ms: &u64) -> String {
        show_millis(*ms)
    }
}

widget_options! {
    struct CmdDurationOptions {
        /// Commands that ran shorter hide; a bare number is milliseconds.
        threshold: Millis = 2000u64,
        /// The duration at which the tone turns to warn.
        warn: Millis = 300_000u64,
        /// Written before the duration.
        prefix: Text = "took ",
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = CmdDurationOptions::parse(options)?;
    Ok(Box::new(CmdDuration {
        threshold_ms: o.threshold,
        warn_ms: o.warn,
        prefix: o.prefix,
    }))
}

impl Widget for CmdDuration {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(ms) = ctx.shell.and_then(|s| s.duration_ms) else {
            return Outcome::Hidden;
        };
        if ms < self.threshold_ms {
            return Outcome::Hidden;
        }
        out.source = "--duration";
        out.tone = if ms >= self.warn_ms {
            Tone::Warn
        } else {
            Tone::Muted
        };
        push_clean(out, &self.prefix);
        if ms < 1000 {
            let _ = write!(out, "{ms}ms");
        } else {
            write_duration(out, ms as f64 / 1000.0);
        }
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::input::shell::ShellContext;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn took(ms: u64) -> WidgetTester {
        let shell = ShellContext {
            duration_ms: Some(ms),
            ..ShellContext::default()
        };
        WidgetTester::new("cmd_duration").shell(shell)
    }

    #[test]
    fn long_commands_show_their_duration() {
        assert_eq!(took(12_400).text("{}"), "took 12s");
        assert_eq!(took(185_000).text("{}"), "took 3m05s");
    }

    #[test]
    fn commands_below_the_threshold_hide() {
        took(1_999).assert_hidden("{}");
        let low = took(800).option("threshold", OptionValue::Str("500ms".into()));
        assert_eq!(low.text("{}"), "took 800ms");
        let bare = took(800).option("threshold", OptionValue::Int(100));
        assert_eq!(bare.text("{}"), "took 800ms");
    }

    #[test]
    fn very_long_commands_warn() {
        assert_eq!(took(301_000).render("{}").tone, Tone::Warn);
        assert_eq!(took(3_000).render("{}").tone, Tone::Muted);
    }

    #[test]
    fn a_bad_threshold_names_the_option_and_the_fix() {
        let info = crate::widgets::find("cmd_duration").unwrap();
        let options = crate::widgets::Options::new("cmd_duration")
            .with("threshold", OptionValue::Str("soon".into()));
        let err = (info.build)(&options).err().unwrap();
        assert_eq!(
            err.to_string(),
            "widget `cmd_duration` option `threshold`: `soon` is not a duration; write it like \"10ms\", \"300us\" or \"1s\""
        );
    }

    #[test]
    fn hides_without_a_shell() {
        WidgetTester::new("cmd_duration").assert_hidden("{}");
    }
}
