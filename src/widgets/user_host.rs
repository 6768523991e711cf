//! `user_host`: `user@host`, when it matters.
//!
//! Shown over ssh (`user@host`) or as root (`root`, plus `@host` over ssh); as root the tone
//! is critical. Hides in an ordinary local session unless `always` is set, and when neither
//! the user nor the host is known.
//!
//! ```toml
//! [widget.user_host]
//! always = true
//! show_host = "always"
//! ```

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::push_clean;
use crate::widgets::options::{option_enum, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "user_host",
    summary: "user@host, shown over ssh or as root (prompts)",
    options: UserHostOptions::SPECS,
    fields: &[],
    build,
};

option_enum! {
    enum ShowHost {
        Ssh = "ssh",
        Always = "always",
        Never = "never",
    }
}

struct UserHost {
    always: bool,
    show_host: ShowHost,
}

widget_options! {
    struct UserHostOptions {
        /// Show the widget outside ssh sessions and as a normal user too.
        always: bool = false,
        /// When the host is written: over ssh, always or never.
        show_host: ShowHost = ShowHost::Ssh,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = UserHostOptions::parse(options)?;
    Ok(Box::new(UserHost {
        always: o.always,
        show_host: o.show_host,
    }))
}

impl Widget for UserHost {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(shell) = ctx.shell else {
            return Outcome::Hidden;
        };
        if !(self.always || shell.ssh || shell.root) {
            return Outcome::Hidden;
        }
        let host = match self.show_host {
            ShowHost::Always => shell.host.as_deref(),
            ShowHost::Ssh if shell.ssh => shell.host.as_deref(),
            _ => None,
        };
        let user = shell.user.as_deref().or(shell.root.then_some("root"));
        if user.is_none() && host.is_none() {
            return Outcome::Hidden;
        }
        out.source = "USER, host name";
        out.tone = if shell.root {
            Tone::Critical
        } else {
            Tone::Normal
        };
        if let Some(user) = user {
            push_clean(out, user);
        }
        if let Some(host) = host {
            out.push('@');
            push_clean(out, host);
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

    fn session(ssh: bool, root: bool) -> WidgetTester {
        let shell = ShellContext {
            user: Some(if root { "root" } else { "ada" }.into()),
            host: Some("build-01".into()),
            ssh,
            root,
            ..ShellContext::default()
        };
        WidgetTester::new("user_host").shell(shell)
    }

    #[test]
    fn over_ssh_shows_user_at_host() {
        assert_eq!(session(true, false).text("{}"), "ada@build-01");
    }

    #[test]
    fn root_is_shown_locally_in_critical() {
        let r = session(false, true).render("{}");
        assert_eq!((r.text.as_str(), r.tone), ("root", Tone::Critical));
    }

    #[test]
    fn an_ordinary_local_session_hides_unless_always() {
        session(false, false).assert_hidden("{}");
        let always = session(false, false).option("always", OptionValue::Bool(true));
        assert_eq!(always.text("{}"), "ada");
        let host = always.option("show_host", OptionValue::Str("always".into()));
        assert_eq!(host.text("{}"), "ada@build-01");
    }

    #[test]
    fn host_can_be_left_out_over_ssh() {
        let t = session(true, false).option("show_host", OptionValue::Str("never".into()));
        assert_eq!(t.text("{}"), "ada");
    }
}
