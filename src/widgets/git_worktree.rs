//! `git_worktree`: the linked git worktree the session is in, from `workspace.git_worktree`.
//!
//! Shows the worktree's last path component (`feature-x` for `/src/app-wt/feature-x`),
//! sanitized, or the whole value with `full = true`. Hides in a main checkout (the field is
//! only sent inside a linked worktree) and when it is null or blank.
//!
//! ```toml
//! [widget.git_worktree]
//! full = false
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo, show_clean};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "git_worktree",
    summary: "the linked git worktree's name",
    options: GitWorktreeOptions::SPECS,
    fields: &[],
    build,
};

struct GitWorktree {
    full: bool,
}

widget_options! {
    struct GitWorktreeOptions {
        /// Show the whole `workspace.git_worktree` value instead of its last path component.
        full: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = GitWorktreeOptions::parse(options)?;
    Ok(Box::new(GitWorktree { full: o.full }))
}

impl Widget for GitWorktree {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let value = ctx
            .session
            .workspace
            .as_ref()
            .and_then(|w| w.git_worktree.as_deref());
        let shown = if self.full {
            value
        } else {
            value.map(|v| {
                let v = v.trim().trim_end_matches('/');
                v.rsplit('/').next().unwrap_or(v)
            })
        };
        show_clean(out, shown, "workspace.git_worktree")
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    const PAYLOAD: &str = r#"{"workspace":{"git_worktree":"/src/app-wt/feature-x/"}}"#;

    #[test]
    fn shows_the_last_path_component() {
        assert_eq!(WidgetTester::new("git_worktree").text(PAYLOAD), "feature-x");
        assert_eq!(
            WidgetTester::new("git_worktree").text(r#"{"workspace":{"git_worktree":"feature-y"}}"#),
            "feature-y"
        );
    }

    #[test]
    fn full_shows_the_whole_value() {
        let t = WidgetTester::new("git_worktree").option("full", OptionValue::Bool(true));
        assert_eq!(t.text(PAYLOAD), "/src/app-wt/feature-x/");
    }

    #[test]
    fn escapes_are_removed_and_absence_hides() {
        let t = WidgetTester::new("git_worktree");
        assert_eq!(t.text(r#"{"workspace":{"git_worktree":"a\u0007b"}}"#), "ab");
        for p in [
            "{}",
            r#"{"workspace":{"git_worktree":null}}"#,
            r#"{"workspace":{"git_worktree":"/"}}"#,
            r#"{"workspace":{"git_worktree":true}}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
