//! `repo`: the repository, from `workspace.repo`.
//!
//! Shows `owner/name` (`anthropics/claude-code`), or `host/owner/name` with `host = true`.
//! Shows the name alone when the owner is missing. Short form: the name. Sanitized. Hides
//! outside git or without an origin remote (`workspace.repo` absent), or without a name.
//!
//! ```toml
//! [widget.repo]
//! host = true
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::push_clean;
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "repo",
    summary: "the repository as owner/name",
    options: RepoOptions::SPECS,
    fields: &[],
    build,
};

struct Repo {
    host: bool,
}

widget_options! {
    struct RepoOptions {
        /// Write the host too: `github.com/owner/name`.
        host: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = RepoOptions::parse(options)?;
    Ok(Box::new(Repo { host: o.host }))
}

fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

impl Widget for Repo {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(repo) = ctx.session.workspace.as_ref().and_then(|w| w.repo.as_ref()) else {
            return Outcome::Hidden;
        };
        let Some(name) = present(repo.name.as_deref()) else {
            return Outcome::Hidden;
        };
        for part in [
            present(repo.host.as_deref()).filter(|_| self.host),
            present(repo.owner.as_deref()),
        ]
        .into_iter()
        .flatten()
        {
            push_clean(out, part);
            out.push('/');
        }
        push_clean(out, name);
        push_clean(&mut out.short, name);
        out.source = "workspace.repo";
        if out.short.is_empty() {
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

    const REPO: &str =
        r#"{"workspace":{"repo":{"host":"github.com","owner":"anthropics","name":"claude-code"}}}"#;

    #[test]
    fn shows_owner_and_name() {
        let r = WidgetTester::new("repo").render(REPO);
        assert_eq!(
            (r.text.as_str(), r.short.as_str()),
            ("anthropics/claude-code", "claude-code")
        );
    }

    #[test]
    fn host_option_prepends_the_host() {
        let t = WidgetTester::new("repo").option("host", OptionValue::Bool(true));
        assert_eq!(t.text(REPO), "github.com/anthropics/claude-code");
    }

    #[test]
    fn missing_owner_shows_the_name_and_escapes_are_removed() {
        let t = WidgetTester::new("repo");
        assert_eq!(
            t.text(r#"{"workspace":{"repo":{"owner":null,"name":"x\u001b[2Ky"}}}"#),
            "xy"
        );
    }

    #[test]
    fn hides_without_a_repo_name() {
        let t = WidgetTester::new("repo");
        for p in [
            "{}",
            r#"{"workspace":{"repo":null}}"#,
            r#"{"workspace":{"repo":{"owner":"o"}}}"#,
            r#"{"workspace":{"repo":"o/n"}}"#,
        ] {
            t.assert_hidden(p);
        }
    }
}
