//! `cwd`: the directory the session works in.
//!
//! From `workspace.current_dir` (else `cwd`, else the process's own working directory;
//! a name that is not UTF-8 shows with U+FFFD for what cannot be read).
//! Shows the basename by default; `~` stands for the home directory. Hides when no
//! directory is known. Escape sequences and invisible characters in names are removed.
//!
//! ```toml
//! [widget.cwd]
//! style = "fish"
//! repo_relative = true
//! max_length = 40
//! ```

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::engine::slots::{Outcome, SlotContent};
use crate::input::repo_root::repo_root_len;
use crate::sanitize::{clean, push_clean};
use crate::widgets::options::{Int, option_enum, widget_options};
use crate::widgets::{Charset, FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "cwd",
    summary: "working directory (basename, full or shortened; ~ for home)",
    options: CwdOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "path",
            doc: "the whole path, `~` for home (`~/src/blinkline`), uncut",
        },
        FieldSpec {
            name: "base",
            doc: "the last part (`blinkline`; `/` for the root)",
        },
        FieldSpec {
            name: "parent",
            doc: "the directory it is in (`~/src`; empty for the root)",
        },
    ],
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
    repo_relative: bool,
    max_length: usize,
}

option_enum! {
    /// The `style` names; `fish` is another name for `short`.
    enum StyleName {
        Basename = "basename",
        Full = "full",
        Short = "short",
        Fish = "fish",
    }
}

widget_options! {
    struct CwdOptions {
        /// `basename` (`blinkline`), `full` (`~/src/blinkline`), or `short` / `fish`
        /// (`~/s/blinkline`, every parent shortened to its first visible character once
        /// escapes and invisible characters are removed).
        style: StyleName = StyleName::Basename,
        /// Inside a repository (a parent holds `.git`), start the path at the repository's
        /// folder: `blinkline/src/widgets` (with `short`: `blinkline/s/widgets`; the
        /// repository name is never shortened).
        repo_relative: bool = false,
        /// Characters; a longer path keeps its end, after a `…` (`...` with
        /// `--charset ascii`), `max_length` characters in all; `0` = no limit. A character
        /// is a grapheme cluster: an emoji ZWJ sequence, a flag or a letter with combining
        /// accents counts as one and is never cut apart.
        max_length: Int<0, 300> = 0,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = CwdOptions::parse(options)?;
    let style = match o.style {
        StyleName::Basename => Style::Basename,
        StyleName::Full => Style::Full,
        StyleName::Short | StyleName::Fish => Style::Short,
    };
    Ok(Box::new(Cwd {
        style,
        repo_relative: o.repo_relative,
        max_length: o.max_length as usize,
    }))
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

/// The first grapheme cluster of `part` that shows something once it is sanitized: not an
/// escape sequence, not a bare combining mark.
fn first_visible(part: &str) -> Option<&str> {
    clean(part)
        .flat_map(|piece| piece.graphemes(true))
        .find(|g| g.width() > 0)
}

/// Writes `body` with every component but the last (and the first `keep_first`) shortened
/// to its first visible grapheme cluster (one character as a reader sees it).
fn write_short(out: &mut SlotContent, body: &str, keep_first: bool) {
    let mut parts = body.split('/').enumerate().peekable();
    while let Some((i, part)) = parts.next() {
        if parts.peek().is_none() || (keep_first && i == 0) {
            push_clean(out, part);
            if parts.peek().is_some() {
                out.push('/');
            }
        } else if let Some(first) = first_visible(part) {
            out.push_str(first);
            out.push('/');
        } else {
            out.push('/');
        }
    }
}

/// Keeps the end of the text after an ellipsis (`…`, `...` in ASCII), `max` characters in
/// all. A character is a grapheme cluster (what a reader sees as one: an emoji ZWJ
/// sequence, a flag, `e` + accent), so the cut never splits one.
fn limit_length(out: &mut SlotContent, max: usize, charset: Charset) {
    // Bytes bound clusters from above: a text of at most `max` bytes needs no counting.
    if max == 0 || out.text.len() <= max {
        return;
    }
    let count = out.text.graphemes(true).count();
    if count <= max {
        return;
    }
    let ellipsis = charset.ellipsis();
    let keep = max.saturating_sub(ellipsis.chars().count());
    let full = out.text;
    let skip = full
        .grapheme_indices(true)
        .nth(count - keep)
        .map_or(full.len(), |(i, _)| i);
    out.text.clear();
    out.push_str(ellipsis);
    out.push_str(&full[skip..]);
}

/// Writes `path` with `~` for the home directory, sanitized.
fn write_tilde(out: &mut impl std::fmt::Write, path: &str, home: Option<&str>) {
    match under_home(path, home) {
        Some(rest) => {
            let _ = out.write_char('~');
            push_clean(out, rest);
        }
        None => push_clean(out, path),
    }
}

/// Sets the `path`, `base` and `parent` fields of `path` (no trailing `/` but the root's).
fn write_path_fields(out: &mut SlotContent, path: &str, home: Option<&str>) {
    write_tilde(&mut out.fields.writer(0), path, home);
    let base = path.rsplit('/').next().filter(|b| !b.is_empty());
    out.fields.set_clean(1, base.unwrap_or("/"));
    if let Some(slash) = path.rfind('/').filter(|_| path != "/") {
        let parent = if slash == 0 { "/" } else { &path[..slash] };
        write_tilde(&mut out.fields.writer(2), parent, home);
    }
}

impl Widget for Cwd {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let (path, source) = match ctx.session.current_dir() {
            Some(p) => (p, "workspace.current_dir"),
            None => match ctx
                .env
                .process_cwd
                .as_deref()
                .or(ctx.env.process_cwd_lossy.as_deref())
            {
                Some(p) => (p, "process working directory"),
                None => return Outcome::Hidden,
            },
        };
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if path.is_empty() {
            return Outcome::Hidden;
        }
        out.source = source;
        write_path_fields(out, path, ctx.env.home.as_deref());
        let repo = if self.repo_relative && self.style != Style::Basename {
            repo_root_len(path)
                .and_then(|root| path[..root].rfind('/').map(|slash| &path[slash + 1..]))
        } else {
            None
        };
        let home_rest = under_home(path, ctx.env.home.as_deref());
        match (self.style, home_rest, repo) {
            (Style::Full, _, Some(in_repo)) => push_clean(out, in_repo),
            (Style::Short, _, Some(in_repo)) => write_short(out, in_repo, true),
            (_, Some(""), _) => out.push('~'),
            (Style::Basename, _, _) => push_clean(
                out,
                path.rsplit('/')
                    .next()
                    .filter(|b| !b.is_empty())
                    .unwrap_or("/"),
            ),
            (Style::Full, Some(rest), _) => {
                out.push('~');
                push_clean(out, rest);
            }
            (Style::Full, None, _) => push_clean(out, path),
            (Style::Short, Some(rest), _) => {
                out.push('~');
                write_short(out, rest, false);
            }
            (Style::Short, None, _) => write_short(out, path, false),
        }
        limit_length(out, self.max_length, ctx.charset);
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
    fn fields_give_the_path_its_base_and_its_parent() {
        let t = WidgetTester::new("cwd")
            .option("format", OptionValue::Str("{path}|{base}|{parent}".into()))
            .env(Environment {
                home: Some("/home/user".into()),
                ..Environment::default()
            });
        assert_eq!(t.text(DEEP), "~/src/blinkline|blinkline|~/src");
        assert_eq!(t.text(r#"{"cwd":"/home/user/x"}"#), "~/x|x|~");
        assert_eq!(t.text(r#"{"cwd":"/var/a\u001b[31mb"}"#), "/var/ab|ab|/var");
        assert_eq!(t.text(r#"{"cwd":"/"}"#), "/|/|");
        assert_eq!(t.text(r#"{"cwd":"/tmp"}"#), "/tmp|tmp|/");
    }

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
        assert_eq!(
            WidgetTester::new("cwd").text(r#"{"cwd":"/home/user/"}"#),
            "~"
        );
        assert_eq!(WidgetTester::new("cwd").text(r#"{"cwd":"/"}"#), "/");
        assert_eq!(
            style("full").text(r#"{"cwd":"/home/username"}"#),
            "/home/username"
        );
    }

    #[test]
    fn workspace_dir_wins_over_cwd() {
        let t = WidgetTester::new("cwd");
        assert_eq!(
            t.text(r#"{"cwd":"/a/old","workspace":{"current_dir":"/a/new"}}"#),
            "new"
        );
    }

    #[test]
    fn falls_back_to_the_process_directory_then_hides() {
        let env = Environment {
            process_cwd: Some("/srv/www".into()),
            ..Environment::default()
        };
        assert_eq!(WidgetTester::new("cwd").env(env).text("{}"), "www");
        WidgetTester::new("cwd")
            .env(Environment::default())
            .assert_hidden("{}");
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "a Unix path in the JSON payload")]
    fn repo_relative_paths_start_at_the_repository_folder() {
        let tmp = crate::tempdir::TempDir::new("cwd").unwrap();
        std::fs::create_dir_all(tmp.join("shop/.git")).unwrap();
        std::fs::create_dir_all(tmp.join("shop/src/widgets")).unwrap();
        let payload = format!(r#"{{"cwd":"{}"}}"#, tmp.join("shop/src/widgets").display());
        let full = style("full").option("repo_relative", OptionValue::Bool(true));
        assert_eq!(full.text(&payload), "shop/src/widgets");
        let fish = style("fish").option("repo_relative", OptionValue::Bool(true));
        assert_eq!(fish.text(&payload), "shop/s/widgets");
    }

    #[test]
    fn max_length_keeps_the_end_of_the_path() {
        let t = style("full").option("max_length", OptionValue::Int(10));
        assert_eq!(
            t.text(r#"{"cwd":"/var/lib/postgresql/data"}"#),
            "\u{2026}esql/data"
        );
        assert_eq!(t.text(r#"{"cwd":"/srv/app"}"#), "/srv/app");
    }

    #[test]
    fn max_length_does_not_cut_inside_a_zwj_emoji_sequence() {
        // 👩‍💻 is three chars (woman, ZWJ, laptop) and one grapheme cluster.
        let coder = "\u{1f469}\u{200d}\u{1f4bb}";
        let payload = format!(r#"{{"cwd":"/srv/{coder}{coder}/ab"}}"#);
        let t = style("full").option("max_length", OptionValue::Int(5));
        assert_eq!(t.text(&payload), format!("\u{2026}{coder}/ab"));
        let t = style("full").option("max_length", OptionValue::Int(4));
        assert_eq!(t.text(&payload), "\u{2026}/ab");
        let flag = "\u{1f1eb}\u{1f1f7}";
        let accented = "e\u{301}";
        let payload = format!(r#"{{"cwd":"/{flag}{accented}x"}}"#);
        let t = style("full").option("max_length", OptionValue::Int(3));
        assert_eq!(t.text(&payload), format!("\u{2026}{accented}x"));
        let t = style("full").option("max_length", OptionValue::Int(4));
        assert_eq!(
            t.text(&payload),
            format!("/{flag}{accented}x"),
            "4 clusters fit"
        );
    }

    #[test]
    fn max_length_in_ascii_ends_in_three_dots_within_the_limit() {
        let t = style("full")
            .option("max_length", OptionValue::Int(10))
            .charset(crate::widgets::Charset::Ascii);
        assert_eq!(
            t.text(r#"{"cwd":"/var/lib/postgresql/data"}"#),
            "...ql/data"
        );
    }

    #[test]
    fn short_style_keeps_a_whole_zwj_emoji_sequence() {
        let coder = "\u{1f469}\u{200d}\u{1f4bb}";
        let payload = format!(r#"{{"cwd":"/srv/{coder}work/app"}}"#);
        assert_eq!(style("short").text(&payload), format!("/s/{coder}/app"));
    }

    #[test]
    fn control_characters_in_paths_are_removed() {
        assert_eq!(
            WidgetTester::new("cwd").text(r#"{"cwd":"/tmp/e\u001b]0;pwned\u0007vil"}"#),
            "evil"
        );
    }

    #[test]
    fn fish_style_shortens_a_component_starting_with_an_escape_to_its_first_visible_character() {
        let payload = r#"{"cwd":"/srv/\u001b[31mred/\u001b]0;t\u0007x/app"}"#;
        assert_eq!(style("fish").text(payload), "/s/r/x/app");
    }

    #[test]
    fn fish_style_shortens_a_component_starting_with_a_combining_mark_to_a_visible_character() {
        let payload = "{\"cwd\":\"/srv/\u{301}\u{300}abc/\u{200b}zwsp/app\"}";
        assert_eq!(style("fish").text(payload), "/s/a/z/app");
    }

    #[test]
    fn a_working_directory_that_is_not_utf8_shows_lossily_instead_of_hiding() {
        let env = Environment {
            process_cwd_lossy: Some("/srv/caf\u{FFFD}".into()),
            ..Environment::default()
        };
        assert_eq!(WidgetTester::new("cwd").env(env).text("{}"), "caf\u{FFFD}");
    }
}
