//! `vim`: the prompt's vim mode, from `vim.mode`.
//!
//! Shows `NORMAL`, `INSERT`, `VISUAL` or `VISUAL LINE`; with `short = true` (and always as
//! the short form) `N`, `I`, `V`, `VL`. Insert mode uses the good tone, visual modes warn.
//! Other modes are shown as sent, sanitized. Hides when vim mode is off (`vim` absent) or
//! the mode is null or blank.
//!
//! ```toml
//! [widget.vim]
//! short = true
//! ```

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::push_clean;
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "vim",
    summary: "vim mode: NORMAL/INSERT/VISUAL/VISUAL LINE or N/I/V/VL",
    options: VimOptions::SPECS,
    fields: &[],
    build,
};

/// Known modes: payload name, short form, tone.
const MODES: &[(&str, &str, Tone)] = &[
    ("NORMAL", "N", Tone::Normal),
    ("INSERT", "I", Tone::Good),
    ("VISUAL", "V", Tone::Warn),
    ("VISUAL LINE", "VL", Tone::Warn),
];

struct Vim {
    short: bool,
}

widget_options! {
    struct VimOptions {
        /// Write `N`/`I`/`V`/`VL` instead of the mode's name.
        short: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = VimOptions::parse(options)?;
    Ok(Box::new(Vim { short: o.short }))
}

impl Widget for Vim {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let mode = ctx.session.vim.as_ref().and_then(|v| v.mode.as_deref());
        let Some(mode) = mode.map(str::trim).filter(|m| !m.is_empty()) else {
            return Outcome::Hidden;
        };
        out.source = "vim.mode";
        match MODES
            .iter()
            .find(|(name, _, _)| name.eq_ignore_ascii_case(mode))
        {
            Some(&(name, short, tone)) => {
                out.push_str(if self.short { short } else { name });
                let _ = out.short.try_push_str(short);
                out.tone = tone;
            }
            None => push_clean(out, mode),
        }
        if out.text.is_empty() {
            Outcome::Hidden
        } else {
            Outcome::Shown
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn each_mode_has_a_long_and_a_short_form() {
        let t = WidgetTester::new("vim");
        let short = WidgetTester::new("vim").option("short", OptionValue::Bool(true));
        for (mode, long_text, short_text) in [
            ("NORMAL", "NORMAL", "N"),
            ("insert", "INSERT", "I"),
            ("VISUAL", "VISUAL", "V"),
            ("VISUAL LINE", "VISUAL LINE", "VL"),
        ] {
            let payload = format!(r#"{{"vim":{{"mode":"{mode}"}}}}"#);
            let r = t.render(&payload);
            assert_eq!((r.text.as_str(), r.short.as_str()), (long_text, short_text));
            assert_eq!(short.text(&payload), short_text);
        }
    }

    #[test]
    fn insert_is_good_and_visual_warns() {
        let t = WidgetTester::new("vim");
        assert_eq!(t.render(r#"{"vim":{"mode":"INSERT"}}"#).tone, Tone::Good);
        assert_eq!(
            t.render(r#"{"vim":{"mode":"VISUAL LINE"}}"#).tone,
            Tone::Warn
        );
    }

    #[test]
    fn unknown_modes_are_shown_sanitized() {
        let t = WidgetTester::new("vim");
        assert_eq!(t.text(r#"{"vim":{"mode":"REPLACE\u001b[5m"}}"#), "REPLACE");
    }

    #[test]
    fn hides_when_vim_is_off() {
        let t = WidgetTester::new("vim");
        for p in [
            "{}",
            r#"{"vim":null}"#,
            r#"{"vim":{"mode":null}}"#,
            r#"{"vim":{"mode":1}}"#,
            r#"{"vim":{"mode":"\u001b[0m"}}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
