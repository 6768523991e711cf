//! `char`: the prompt character, coloured by the last command's status.
//!
//! Shows `❯` (`>` with the ASCII charset) in the good tone after a successful command and
//! the critical tone after a failure; in vi command mode (`--keymap vicmd`) it shows `❮`
//! (`<`). Outside a shell prompt it shows the success form. Never hides.
//!
//! ```toml
//! [widget.char]
//! symbol = "$"
//! vicmd_symbol = ":"
//! ```

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::input::shell::Keymap;
use crate::sanitize::push_clean;
use crate::widgets::options::{Text, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "char",
    summary: "prompt character coloured by the last status; vi mode aware (prompts)",
    options: CharOptions::SPECS,
    fields: &[],
    build,
};

struct Char {
    symbol: String,
    vicmd_symbol: String,
}

widget_options! {
    struct CharOptions {
        /// The prompt character; empty: `❯` (`>` with the ASCII charset).
        symbol: Text = "",
        /// The character in vi command mode; empty: `❮` (`<` with the ASCII charset).
        vicmd_symbol: Text = "",
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = CharOptions::parse(options)?;
    Ok(Box::new(Char {
        symbol: o.symbol,
        vicmd_symbol: o.vicmd_symbol,
    }))
}

impl Widget for Char {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let failed = ctx.shell.and_then(|s| s.status).is_some_and(|s| s != 0);
        let normal = ctx.shell.is_some_and(|s| s.keymap == Keymap::Normal);
        let (custom, default) = if normal {
            (
                &self.vicmd_symbol,
                ctx.charset.pick("\u{276e}", "\u{276e}", "<"),
            )
        } else {
            (&self.symbol, ctx.charset.pick("\u{276f}", "\u{276f}", ">"))
        };
        if custom.is_empty() {
            out.push_str(default);
        } else {
            push_clean(out, custom);
        }
        out.source = "--status, --keymap";
        out.tone = if failed { Tone::Critical } else { Tone::Good };
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::slots::Tone;
    use crate::input::shell::{Keymap, ShellContext};
    use crate::widgets::Charset;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn after(status: i32, keymap: Keymap) -> WidgetTester {
        let shell = ShellContext {
            status: Some(status),
            keymap,
            ..ShellContext::default()
        };
        WidgetTester::new("char").shell(shell)
    }

    #[test]
    fn success_is_good_and_failure_is_critical() {
        let ok = after(0, Keymap::Insert).render("{}");
        let bad = after(1, Keymap::Insert).render("{}");
        assert_eq!((ok.text.as_str(), ok.tone), ("\u{276f}", Tone::Good));
        assert_eq!((bad.text.as_str(), bad.tone), ("\u{276f}", Tone::Critical));
    }

    #[test]
    fn vi_command_mode_flips_the_character() {
        assert_eq!(after(0, Keymap::Normal).text("{}"), "\u{276e}");
        assert_eq!(
            after(0, Keymap::Normal).charset(Charset::Ascii).text("{}"),
            "<"
        );
    }

    #[test]
    fn custom_symbols_are_used() {
        let t = after(0, Keymap::Insert).option("symbol", OptionValue::Str("$".into()));
        assert_eq!(t.text("{}"), "$");
    }
}
