//! `added_dirs`: how many extra directories the session may use (`/add-dir`,
//! `--add-dir`), from `workspace.added_dirs`.
//!
//! Shows `+2 dirs` (`+1 dir`). Hides when the list is absent, null, not a list, or empty.
//!
//! ```toml
//! [widget.added_dirs]
//! ```

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "added_dirs",
    summary: "how many directories were added to the session (+2 dirs)",
    options: &[],
    fields: &[],
    build,
};

struct AddedDirs;

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    options.check_known(INFO.options)?;
    Ok(Box::new(AddedDirs))
}

impl Widget for AddedDirs {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let count = ctx
            .session
            .workspace
            .as_ref()
            .and_then(|w| w.added_dirs)
            .map_or(0, |c| c.0);
        if count == 0 {
            return Outcome::Hidden;
        }
        let _ = write!(out, "+{count} {}", if count == 1 { "dir" } else { "dirs" });
        let _ = write!(out.short, "+{count}");
        out.source = "workspace.added_dirs";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn counts_the_added_directories() {
        let t = WidgetTester::new("added_dirs");
        assert_eq!(
            t.text(r#"{"workspace":{"added_dirs":["/a","/b"]}}"#),
            "+2 dirs"
        );
        let r = t.render(r#"{"workspace":{"added_dirs":["/a"]}}"#);
        assert_eq!((r.text.as_str(), r.short.as_str()), ("+1 dir", "+1"));
    }

    #[test]
    fn hides_when_empty_absent_or_not_a_list() {
        let t = WidgetTester::new("added_dirs");
        for p in [
            "{}",
            r#"{"workspace":{"added_dirs":[]}}"#,
            r#"{"workspace":{"added_dirs":null}}"#,
            r#"{"workspace":{"added_dirs":"/a"}}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
