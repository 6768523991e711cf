//! `project_dir`: where the session has moved to, relative to its project.
//!
//! Shown only when the current directory (`workspace.current_dir`, else `cwd`) differs from
//! `workspace.project_dir`: inside the project it shows the relative path, `⤷ sub/dir`
//! (`> sub/dir` in ASCII); outside it the full current path with `~` for home. Short form:
//! the path without the marker. Sanitized. Hides when the two are the same or either is
//! absent.
//!
//! ```toml
//! [widget.project_dir]
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "project_dir",
    summary: "the current dir relative to the project dir (⤷ sub/dir) when they differ",
    options: &[],
    fields: &[],
    build,
};

struct ProjectDir;

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    options.check_known(INFO.options)?;
    Ok(Box::new(ProjectDir))
}

fn trim_dir(path: &str) -> &str {
    let path = path.trim();
    if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    }
}

/// `path` below `base`, without the separating slash; `None` when not strictly inside.
fn strictly_under<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    let rest = path
        .strip_prefix(base.trim_end_matches('/'))?
        .strip_prefix('/')?;
    (!rest.is_empty()).then_some(rest)
}

impl Widget for ProjectDir {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let project = ctx
            .session
            .workspace
            .as_ref()
            .and_then(|w| w.project_dir.as_deref());
        let (Some(current), Some(project)) = (ctx.session.current_dir(), project) else {
            return Outcome::Hidden;
        };
        let (current, project) = (trim_dir(current), trim_dir(project));
        if current.is_empty() || project.is_empty() || current == project {
            return Outcome::Hidden;
        }
        out.push_str(ctx.charset.pick("\u{2937} ", "\u{2937} ", "> "));
        let mark = out.text.len();
        match strictly_under(current, project) {
            Some(relative) => push_clean(out, relative),
            None => match ctx
                .env
                .home
                .as_deref()
                .and_then(|h| strictly_under(current, h))
            {
                Some(rest) => {
                    out.push_str("~/");
                    push_clean(out, rest);
                }
                None => push_clean(out, current),
            },
        }
        let shown =
            crate::engine::slots::cut_at_char_boundary(&out.text[mark..], out.short.capacity());
        let _ = out.short.try_push_str(shown);
        out.source = "workspace.current_dir, workspace.project_dir";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::Charset;
    use crate::widgets::testing::WidgetTester;

    fn payload(current: &str, project: &str) -> String {
        format!(r#"{{"workspace":{{"current_dir":{current},"project_dir":{project}}}}}"#)
    }

    #[test]
    fn a_subdirectory_is_shown_relative_to_the_project() {
        let r =
            WidgetTester::new("project_dir").render(&payload(r#""/w/app/src/ui/""#, r#""/w/app""#));
        assert_eq!(
            (r.text.as_str(), r.short.as_str()),
            ("\u{2937} src/ui", "src/ui")
        );
        let ascii = WidgetTester::new("project_dir").charset(Charset::Ascii);
        assert_eq!(
            ascii.text(&payload(r#""/w/app/src""#, r#""/w/app/""#)),
            "> src"
        );
    }

    #[test]
    fn a_directory_outside_the_project_is_shown_in_full() {
        let t = WidgetTester::new("project_dir");
        assert_eq!(
            t.text(&payload(r#""/home/user/other""#, r#""/w/app""#)),
            "\u{2937} ~/other"
        );
        assert_eq!(
            t.text(&payload(r#""/w/application""#, r#""/w/app""#)),
            "\u{2937} /w/application"
        );
    }

    #[test]
    fn escapes_in_paths_are_removed() {
        let t = WidgetTester::new("project_dir");
        assert_eq!(
            t.text(&payload(r#""/w/app/a\u001b]0;t\u0007b""#, r#""/w/app""#)),
            "\u{2937} ab"
        );
    }

    #[test]
    fn hides_at_the_project_root_and_without_either_dir() {
        let t = WidgetTester::new("project_dir");
        t.assert_hidden(&payload(r#""/w/app/""#, r#""/w/app""#));
        t.assert_hidden(&payload(r#""/w/app""#, "null"));
        t.assert_hidden(&payload("null", r#""/w/app""#));
        t.assert_hidden(&payload("3", "[]"));
        t.assert_hidden("{}");
    }
}
