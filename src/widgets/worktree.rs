//! `worktree`: the worktree of a `claude --worktree` session, from `worktree`.
//!
//! Shows the worktree's name and, when it differs, its branch: `fix-login (wt/fix-login)`.
//! Falls back to the branch alone when the name is missing. Short form: the name. All
//! sanitized. Hides outside worktree sessions (`worktree` absent or without name and branch).
//!
//! ```toml
//! [widget.worktree]
//! show_branch = false
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "worktree",
    summary: "name and branch of a --worktree session",
    options: WorktreeOptions::SPECS,
    fields: &[],
    build,
};

struct Worktree {
    show_branch: bool,
}

widget_options! {
    struct WorktreeOptions {
        /// Show the worktree's branch after its name.
        show_branch: bool = true,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = WorktreeOptions::parse(options)?;
    Ok(Box::new(Worktree {
        show_branch: o.show_branch,
    }))
}

fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

impl Widget for Worktree {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(worktree) = ctx.session.worktree.as_ref() else {
            return Outcome::Hidden;
        };
        let name = present(worktree.name.as_deref());
        let branch = present(worktree.branch.as_deref());
        match (name, branch) {
            (Some(name), Some(branch)) if self.show_branch && name != branch => {
                push_clean(out, name);
                push_clean(&mut out.short, name);
                out.push_str(" (");
                push_clean(out, branch);
                out.push(')');
            }
            (Some(name), _) => push_clean(out, name),
            (None, Some(branch)) => push_clean(out, branch),
            (None, None) => return Outcome::Hidden,
        }
        out.source = "worktree";
        if out.text.is_empty() {
            Outcome::Hidden
        } else {
            Outcome::Shown
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_name_and_a_different_branch() {
        let r = WidgetTester::new("worktree")
            .render(r#"{"worktree":{"name":"fix","branch":"wt/fix","path":"/x"}}"#);
        assert_eq!((r.text.as_str(), r.short.as_str()), ("fix (wt/fix)", "fix"));
    }

    #[test]
    fn same_branch_or_show_branch_off_shows_the_name_only() {
        let t = WidgetTester::new("worktree");
        assert_eq!(
            t.text(r#"{"worktree":{"name":"fix","branch":"fix"}}"#),
            "fix"
        );
        let off = t.option("show_branch", OptionValue::Bool(false));
        assert_eq!(
            off.text(r#"{"worktree":{"name":"fix","branch":"wt/fix"}}"#),
            "fix"
        );
    }

    #[test]
    fn branch_alone_and_escapes() {
        let t = WidgetTester::new("worktree");
        assert_eq!(
            t.text(r#"{"worktree":{"name":null,"branch":"b\u001b[31mx"}}"#),
            "bx"
        );
    }

    #[test]
    fn hides_outside_worktree_sessions() {
        let t = WidgetTester::new("worktree");
        for p in [
            "{}",
            r#"{"worktree":null}"#,
            r#"{"worktree":{"path":"/x"}}"#,
            r#"{"worktree":"fix"}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
