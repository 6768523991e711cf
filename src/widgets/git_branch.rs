//! `git_branch`: the branch of the repository the session works in.
//!
//! Shows the branch (`main`); a tag or the short commit id in parentheses when `HEAD` is
//! detached (`(v1.2.0)`, `(1a2b3c4)`); `main (no commits)` on a branch without commits;
//! the operation in progress as git's prompt shows it (`main|REBASE 2/5`, `|MERGING`,
//! `|CHERRY-PICKING`, `|REVERTING`, `|BISECTING`, `|AM`); and how far the branch is ahead
//! of and behind its upstream (`main ↑2 ↓1`; ASCII `^2 v1`). The short form is the name.
//!
//! The name, operation and upstream are read from `.git` on every render (no git process,
//! tens of microseconds: `Cost::Cheap`, rendered inline). Ahead/behind needs the commit
//! graph: it comes from the record kept in the cache (see `src/git/mod.rs`), keyed by the
//! two commits; when they moved since, the render walks the history itself within a
//! small budget (4,000 commits, 2 ms) and stores the result; past that budget the last
//! counts are shown marked stale and a refresher is started after the frame. Branch names are
//! sanitized (escape sequences and control characters removed, invalid UTF-8 shown as
//! `�`). Works in linked worktrees, submodules, bare repositories, with `GIT_DIR` and
//! `GIT_WORK_TREE`, and with only packed refs.
//!
//! ```toml
//! [widget.git_branch]
//! max_length = 24
//! ahead_behind = true
//! ```
//!
//! Hides outside a repository. A repository it cannot read (corrupt `HEAD`, garbage in
//! `packed-refs`, an unreadable directory) shows `⚠ git`; the detail is in `explain` and
//! on stderr.

use std::fmt::Write as _;

use arrayvec::ArrayString;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::git::probe::{Miss, Probe, View};
use crate::git::record::HeadKind;
use crate::git::refs::tag_for;
use crate::sanitize::push_clean;
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{Charset, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "git_branch",
    summary: "git branch, detached commit or tag, operation in progress, ahead/behind",
    options: GitBranchOptions::SPECS,
    build,
};

struct GitBranch {
    max_length: usize,
    ahead_behind: bool,
    operation: bool,
    probe: Probe,
}

widget_options! {
    struct GitBranchOptions {
        /// Characters; longer names end in `…`; `0` = no limit.
        max_length: Int<0, 255> = 32,
        /// Show commits ahead of and behind the upstream.
        ahead_behind: bool = true,
        /// Show an operation in progress (rebase, merge, …).
        operation: bool = true,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = GitBranchOptions::parse(options)?;
    Ok(Box::new(GitBranch {
        max_length: o.max_length as usize,
        ahead_behind: o.ahead_behind,
        operation: o.operation,
        probe: Probe::new(false, false, i64::MAX),
    }))
}

/// Writes the marker of a repository that cannot be read.
pub fn write_broken(out: &mut SlotContent, summary: &'static str) -> Outcome {
    out.push_str("\u{26a0} git");
    out.source = summary;
    out.tone = Tone::Critical;
    Outcome::Error
}

/// Appends `bytes` sanitized, invalid UTF-8 as U+FFFD.
pub fn push_clean_bytes(out: &mut impl std::fmt::Write, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        push_clean(out, chunk.valid());
        if !chunk.invalid().is_empty() {
            let _ = out.write_char('\u{FFFD}');
        }
    }
}

/// Writes `name` cut to `max` chars (0 = no limit) with an ellipsis.
fn push_limited(out: &mut SlotContent, name: &str, max: usize) {
    if max == 0 || name.chars().count() <= max {
        out.push_str(name);
        return;
    }
    let keep: usize = name
        .chars()
        .take(max.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    out.push_str(&name[..keep]);
    out.push('\u{2026}');
}

impl GitBranch {
    fn show(&self, view: View<'_>, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let mut name: ArrayString<1024> = ArrayString::new();
        let head_ref = &view.scratch.head_ref;
        match view.snap.kind {
            HeadKind::Branch | HeadKind::Unborn => {
                let short = head_ref.strip_prefix(b"refs/heads/").unwrap_or(head_ref);
                push_clean_bytes(&mut name, short);
            }
            HeadKind::Detached => {
                let Some(oid) = view.snap.oid else {
                    return Outcome::Hidden;
                };
                name.push('(');
                if tag_for(view.repo, &oid, view.scratch) {
                    push_clean_bytes(&mut name, &view.scratch.data);
                } else {
                    name.push_str(oid.short(7));
                }
                name.push(')');
            }
        }
        out.source = ".git/HEAD";
        push_limited(out, &name, self.max_length);
        let _ = out
            .short
            .try_push_str(crate::engine::slots::cut_at_char_boundary(&out.text, 64));
        if view.snap.kind == HeadKind::Unborn {
            out.push_str(" (no commits)");
            out.tone = Tone::Muted;
        }
        if let (true, Some(op)) = (self.operation, view.snap.operation) {
            out.push('|');
            out.push_str(op.label());
            if let Some((step, total)) = op.progress() {
                let _ = write!(out, " {step}/{total}");
            }
            out.tone = Tone::Warn;
        }
        if self.ahead_behind && view.snap.upstream.is_some() {
            self.write_ahead_behind(&view, ctx.charset, out);
        }
        Outcome::Shown
    }

    fn write_ahead_behind(&self, view: &View<'_>, charset: Charset, out: &mut SlotContent) {
        let Some((ahead, behind)) = view.record.and_then(|r| r.ahead_behind) else {
            return;
        };
        out.stale |= !view.ab_fresh;
        if ahead > 0 {
            let _ = write!(out, " {}{ahead}", charset.pick("\u{2191}", "\u{2191}", "^"));
        }
        if behind > 0 {
            let _ = write!(
                out,
                " {}{behind}",
                charset.pick("\u{2193}", "\u{2193}", "v")
            );
        }
    }
}

impl Widget for GitBranch {
    fn refresh_interval(&self) -> Option<std::time::Duration> {
        Some(crate::git::WATCH_REFRESH)
    }

    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        self.probe.with_view(ctx, |view| match view {
            Err(Miss::NotRepo) => Outcome::Hidden,
            Err(Miss::Broken(summary)) => write_broken(out, summary),
            Ok(view) => self.show(view, ctx, out),
        })
    }

    fn after_frame(&self) {
        self.probe.after_frame(INFO.name);
    }

    fn forget_cached(&self) {
        self.probe.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_repo::{git, payload, with_commit};
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_the_branch_of_the_session_directory() {
        let repo = with_commit("branch-name");
        git(&repo.root, &["checkout", "-qb", "feature/login-page"]);
        let t = WidgetTester::new("git_branch");
        assert_eq!(t.text(&payload(&repo.root)), "feature/login-page");
        let t = t.option("max_length", OptionValue::Int(8));
        let r = t.render(&payload(&repo.root));
        assert_eq!(
            (r.text.as_str(), r.short.as_str()),
            ("feature…", "feature…")
        );
    }

    #[test]
    fn hides_outside_a_repository() {
        let t = WidgetTester::new("git_branch");
        t.assert_hidden(r#"{"workspace":{"current_dir":"/"}}"#);
        t.assert_hidden("{}");
    }

    #[test]
    fn the_operation_can_be_switched_off() {
        let repo = with_commit("branch-op");
        std::fs::write(repo.root.join(".git/MERGE_HEAD"), "x").unwrap();
        let t = WidgetTester::new("git_branch");
        let r = t.render(&payload(&repo.root));
        assert_eq!((r.text.as_str(), r.tone), ("main|MERGING", Tone::Warn));
        let t = t.option("operation", OptionValue::Bool(false));
        assert_eq!(t.text(&payload(&repo.root)), "main");
    }

    #[test]
    fn a_corrupt_head_shows_the_marker() {
        let repo = with_commit("branch-corrupt");
        std::fs::write(repo.root.join(".git/HEAD"), "zzz").unwrap();
        let r = WidgetTester::new("git_branch").render(&payload(&repo.root));
        assert_eq!(
            (r.outcome, r.text.as_str()),
            (Outcome::Error, "\u{26a0} git")
        );
    }

    #[test]
    fn long_names_end_in_an_ellipsis() {
        let mut out = SlotContent::default();
        push_limited(&mut out, "feature/a-very-long-branch", 10);
        assert_eq!(out.text.as_str(), "feature/a…");
        let mut out = SlotContent::default();
        push_limited(&mut out, "main", 4);
        assert_eq!(out.text.as_str(), "main");
    }

    #[test]
    fn invalid_utf8_and_escapes_in_names_are_made_harmless() {
        let mut s = String::new();
        push_clean_bytes(&mut s, b"fix-\xff\x1b[31mred\x07");
        assert_eq!(s, "fix-\u{FFFD}red");
    }
}
