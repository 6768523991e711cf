//! `cache_timer`: how long the prompt cache stays warm, counting down from the last
//! assistant reply in the transcript: `cache 3m` (then `cache cold` once it expired).
//!
//! Anthropic keeps a prompt cache entry for 5 minutes (or 1 hour with the extended TTL)
//! after it was last used; a prompt sent after that pays full input price again. Only
//! main-chain replies count (sub-agents have their own cache entries).
//!
//! ```toml
//! [widget.cache_timer]
//! ttl = "5m"
//! warn = 60
//! ```
//!
//! Hides when the payload names no transcript, there was no reply yet, or the cache is
//! cold and `show_cold` is off.

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::transcript;
use crate::widgets::options::{Number, option_enum, widget_options};
use crate::widgets::units::write_countdown;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "cache_timer",
    summary: "time left before the prompt cache expires (from the transcript)",
    options: CacheTimerOptions::SPECS,
    fields: &[],
    build,
};

struct CacheTimer {
    /// `None`: decided from the last reply.
    ttl_secs: Option<i64>,
    warn: f64,
    show_cold: bool,
}

option_enum! {
    enum Ttl {
        Auto = "auto",
        FiveMinutes = "5m",
        OneHour = "1h",
    }
}

widget_options! {
    struct CacheTimerOptions {
        /// The cache's lifetime; `auto`: 1 h when the last reply wrote to the 1-hour cache,
        /// else 5 min.
        ttl: Ttl = Ttl::Auto,
        /// Seconds left below which the tone turns to warn.
        warn: Number<0, 3600> = 60.0,
        /// Show `cache cold` after expiry instead of hiding.
        show_cold: bool = true,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = CacheTimerOptions::parse(options)?;
    let ttl_secs = match o.ttl {
        Ttl::Auto => None,
        Ttl::FiveMinutes => Some(300),
        Ttl::OneHour => Some(3600),
    };
    Ok(Box::new(CacheTimer {
        ttl_secs,
        warn: o.warn,
        show_cold: o.show_cold,
    }))
}

impl Widget for CacheTimer {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        transcript::with_view(ctx, |view| {
            let view = match view {
                Ok(v) => v,
                Err(problem) => return transcript::show_problem(problem, ctx.charset, out),
            };
            let s = view.state;
            let Some(last) = s.last_main.filter(|_| s.last_main_ms > 0) else {
                return Outcome::Hidden;
            };
            let ttl = self
                .ttl_secs
                .unwrap_or(if last.cache_write_1h > 0 { 3600 } else { 300 });
            let left = (s.last_main_ms + ttl * 1000 - ctx.now * 1000) as f64 / 1000.0;
            if left <= 0.0 && !self.show_cold {
                return Outcome::Hidden;
            }
            transcript::begin(&view, out);
            out.push_str("cache ");
            if left <= 0.0 {
                out.push_str("cold");
                out.tone = Tone::Muted;
                let _ = out.short.try_push_str("cold");
                return Outcome::Shown;
            }
            let mark = out.text.len();
            write_countdown(out, left.min(ttl as f64));
            let _ = out.short.try_push_str(&out.text[mark..]);
            if left < self.warn {
                out.tone = Tone::Warn;
            }
            Outcome::Shown
        })
        .unwrap_or(Outcome::Hidden)
    }

    fn after_frame(&self, frame: &crate::widgets::AfterFrame<'_>) {
        transcript::after_frame(frame.transcripts, frame.refresher);
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::transcript::testing::{TempTranscript, TranscriptBuilder, payload};
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    /// A transcript (removed when it drops) whose last reply was `ago` seconds ago, and a
    /// payload naming it.
    fn replied(ago: i64, tag: &str) -> (TempTranscript, String) {
        let transcript = TranscriptBuilder::new()
            .prompt(ago + 5)
            .call("m1", "claude-opus-4-6", (1, 1, 0, 0), 2, ago)
            .sidechain_call("s1", (1, 1, 0, 0), 1)
            .write(tag);
        let payload = payload(&transcript);
        (transcript, payload)
    }

    #[test]
    fn counts_down_from_the_last_main_chain_reply() {
        let (_transcript, p) = replied(60, "timer-1m");
        let r = WidgetTester::new("cache_timer").render(&p);
        assert_eq!((r.text.as_str(), r.tone), ("cache 4m", Tone::Normal));
        let (_transcript, p) = replied(250, "timer-4m");
        let r = WidgetTester::new("cache_timer").render(&p);
        assert_eq!((r.text.as_str(), r.tone), ("cache 50s", Tone::Warn));
    }

    #[test]
    fn an_expired_cache_is_cold_or_hidden() {
        let (_transcript, p) = replied(400, "timer-cold");
        assert_eq!(WidgetTester::new("cache_timer").text(&p), "cache cold");
        WidgetTester::new("cache_timer")
            .option("show_cold", OptionValue::Bool(false))
            .assert_hidden(&p);
        let hour = WidgetTester::new("cache_timer").option("ttl", OptionValue::Str("1h".into()));
        assert_eq!(hour.text(&p), "cache 53m");
    }

    #[test]
    fn a_bad_ttl_names_the_choices() {
        let info = crate::widgets::find("cache_timer").unwrap();
        let opts = crate::widgets::Options::new("cache_timer")
            .with("ttl", OptionValue::Str("5min".into()));
        let err = (info.build)(&opts).err().unwrap().to_string();
        assert_eq!(
            err,
            "widget `cache_timer` option `ttl`: must be one of auto, 5m, 1h, got \"5min\" (did you mean \"5m\"?)"
        );
    }
}
