//! `cwd`: the directory the session works in.
//!
//! From `workspace.current_dir` (else `cwd`, else the process's own working directory).
//! Shows the basename by default; `~` stands for the home directory. Hides when no
//! directory is known.
//!
//! Options:
//! - `style` (default `"basename"`): `basename` (`blinkline`), `full` (`~/src/blinkline`),
//!   or `short` (`~/s/blinkline`, every parent shortened to one character).
//!
//! ```toml
//! [widget.cwd]
//! style = "short"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "cwd",
    summary: "working directory (basename, full or shortened; ~ for home)",
    options: &["style"],
    build,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Basename,
    Full,
    Short,
}

struct Cwd {
    style: Style,
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    options.check_known(INFO.options)?;
    let style = match options.choice("style", "basename", &["basename", "full", "short"])? {
        "full" => Style::Full,
        "short" => Style::Short,
        _ => Style::Basename,
    };
    Ok(Box::new(Cwd { style }))
}

/// `path` relative to `home` as `~/…`, or `None` if it is not inside it.
fn under_home<'p>(path: &'p str, home: Option<&str>) -> Option<&'p str> {
    let home = home?.trim_end_matches('/');
    if home.is_empty() {
        return None;
    }
    let rest = path.strip_prefix(home)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

impl Widget for Cwd {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let (path, source) = match ctx.session.current_dir() {
            Some(p) => (p, "workspace.current_dir"),
            None => match ctx.env.process_cwd.as_deref() {
                Some(p) => (p, "process working directory"),
                None => return Outcome::Hidden,
            },
        };
        let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
        if path.is_empty() {
            return Outcome::Hidden;
        }
        out.source = source;
        let home_rest = under_home(path, ctx.env.home.as_deref());
        match (self.style, home_rest) {
            (_, Some("")) => out.push('~'),
            (Style::Basename, _) => push_clean(out, path.rsplit('/').next().filter(|b| !b.is_empty()).unwrap_or("/")),
            (Style::Full, Some(rest)) => {
                out.push('~');
                push_clean(out, rest);
            }
            (Style::Full, None) => push_clean(out, path),
            (Style::Short, rest) => {
                let (prefix, body) = match rest {
                    Some(rest) => ("~", rest),
                    None => ("", path),
                };
                out.push_str(prefix);
                let mut parts = body.split('/').peekable();
                while let Some(part) = parts.next() {
                    if parts.peek().is_none() {
                        push_clean(out, part);
                    } else if let Some(first) = part.chars().next() {
                        let mut buf = [0u8; 4];
                        push_clean(out, first.encode_utf8(&mut buf));
                        out.push('/');
                    } else {
                        out.push('/');
                    }
                }
            }
        }
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::input::env::Environment;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn style(s: &str) -> WidgetTester {
        WidgetTester::new("cwd").option("style", OptionValue::Str(s.into()))
    }

    const DEEP: &str = r#"{"workspace":{"current_dir":"/home/user/src/blinkline"}}"#;

    #[test]
    fn basename_by_default() {
        assert_eq!(WidgetTester::new("cwd").text(DEEP), "blinkline");
    }

    #[test]
    fn full_and_short_styles_use_tilde() {
        assert_eq!(style("full").text(DEEP), "~/src/blinkline");
        assert_eq!(style("short").text(DEEP), "~/s/blinkline");
        assert_eq!(style("short").text(r#"{"cwd":"/var/lib/app"}"#), "/v/l/app");
    }

    #[test]
    fn home_itself_is_a_tilde_and_root_is_a_slash() {
        assert_eq!(WidgetTester::new("cwd").text(r#"{"cwd":"/home/user/"}"#), "~");
        assert_eq!(WidgetTester::new("cwd").text(r#"{"cwd":"/"}"#), "/");
        assert_eq!(style("full").text(r#"{"cwd":"/home/username"}"#), "/home/username");
    }

    #[test]
    fn workspace_dir_wins_over_cwd() {
        let t = WidgetTester::new("cwd");
        assert_eq!(t.text(r#"{"cwd":"/a/old","workspace":{"current_dir":"/a/new"}}"#), "new");
    }

    #[test]
    fn falls_back_to_the_process_directory_then_hides() {
        let env = Environment {
            process_cwd: Some("/srv/www".into()),
            ..Environment::default()
        };
        assert_eq!(WidgetTester::new("cwd").env(env).text("{}"), "www");
        WidgetTester::new("cwd").env(Environment::default()).assert_hidden("{}");
    }

    #[test]
    fn control_characters_in_paths_are_removed() {
        assert_eq!(WidgetTester::new("cwd").text(r#"{"cwd":"/tmp/e\u001b]0;pwned\u0007vil"}"#), "evil");
    }
}
