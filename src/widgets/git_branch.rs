//! `git_branch`: the branch of the repository the session works in.
//!
//! Shows the branch (`main`; a branch that is a symbolic ref shows the branch it points
//! to, as git does); a tag or the short commit id in parentheses when `HEAD` is detached
//! (`(v1.2.0)`, `(release/v2)`, `(1a2b3c4)`: loose tags first, nested and annotated ones
//! included, then packed ones); `main (no commits)` on a branch without commits;
//! the operation in progress as git's prompt shows it (`main|REBASE 2/5`, `|MERGING`,
//! `|CHERRY-PICKING`, `|REVERTING`, `|BISECTING`, `|AM`); and how far the branch is ahead
//! of and behind its upstream (`main ↑2 ↓1`; ASCII `^2 v1`). The short form is the name.
//!
//! The name, operation and upstream are read from `.git` on every render (no git process,
//! tens of microseconds: `Cost::Cheap`, rendered inline). Ahead/behind needs the commit
//! graph: it comes from the record kept in the cache (see `src/git/mod.rs`), keyed by the
//! two commits; when they moved since, the render walks the history itself within a
//! small budget of commits and time and stores the result; past that budget the last
//! counts (or none, on a first render) are shown marked stale and a refresher is started
//! after the frame. Ahead/behind that nothing could compute is never left out silently:
//! the name is shown without arrows, marked stale. Branch names are
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
//! In a reftable repository only git reads the refs: the branch (or detached commit and
//! its tag) and ahead/behind are what the last `git status` of the refresher said, shown
//! marked stale; the first render there shows nothing (git has not answered yet), and
//! so does a bare reftable repository (`explain` says why).
//!
//! Hides outside a repository. A repository git refuses (another user's without
//! `safe.directory`, an unknown format extension) or one it cannot read (corrupt `HEAD`,
//! garbage in `packed-refs`, an unreadable directory) shows `⚠ git`; the detail is in
//! `explain` and on stderr.

use std::fmt::Write as _;

use arrayvec::ArrayString;
use unicode_segmentation::UnicodeSegmentation;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::git::probe::{Miss, Probe, View};
use crate::git::record::HeadKind;
use crate::git::refs::tag_for;
use crate::sanitize::push_clean;
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{Charset, FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "git_branch",
    summary: "git branch, detached commit or tag, operation in progress, ahead/behind",
    options: GitBranchOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "branch",
            doc: "the branch, or the tag or commit of a detached `HEAD` in parentheses, uncut",
        },
        FieldSpec {
            name: "ahead",
            doc: "commits ahead of the upstream (`2`; empty without an upstream or a count)",
        },
        FieldSpec {
            name: "behind",
            doc: "commits behind the upstream (`0`; empty without an upstream or a count)",
        },
        FieldSpec {
            name: "operation",
            doc: "the operation in progress (`REBASE 2/5`; empty when none)",
        },
        FieldSpec {
            name: "upstream",
            doc: "the upstream branch (`origin/main`; empty when none)",
        },
    ],
    build,
};

/// Field positions, as declared in [`INFO`].
const BRANCH: usize = 0;
const AHEAD: usize = 1;
const BEHIND: usize = 2;
const OPERATION: usize = 3;
const UPSTREAM: usize = 4;

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
pub fn write_broken(out: &mut SlotContent, summary: &'static str, charset: Charset) -> Outcome {
    out.push_str(charset.warning());
    out.push_str("git");
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

/// Writes `name` cut to `max` characters (0 = no limit), the ellipsis included. A character
/// is a grapheme cluster: an emoji ZWJ sequence or an accented letter is kept whole or left
/// out.
fn push_limited(out: &mut SlotContent, name: &str, max: usize, charset: Charset) {
    if max == 0 || name.len() <= max || name.graphemes(true).count() <= max {
        out.push_str(name);
        return;
    }
    let ellipsis = charset.ellipsis();
    let keep = name
        .grapheme_indices(true)
        .nth(max.saturating_sub(ellipsis.chars().count()))
        .map_or(name.len(), |(i, _)| i);
    out.push_str(&name[..keep]);
    out.push_str(ellipsis);
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
                    if view.snap.deferred {
                        out.source = "git: reftable refs, waiting for `git status`";
                    }
                    return Outcome::Hidden;
                };
                name.push('(');
                if view.snap.deferred {
                    if view.scratch.deferred_tag.is_empty() {
                        name.push_str(oid.short(7));
                    } else {
                        push_clean_bytes(&mut name, &view.scratch.deferred_tag);
                    }
                } else if tag_for(view.repo, &oid, view.scratch) {
                    push_clean_bytes(&mut name, &view.scratch.data);
                } else {
                    name.push_str(oid.short(7));
                }
                name.push(')');
            }
        }
        out.source = if view.snap.deferred {
            // Nothing here was read by this render: shown stale, as a record is.
            out.stale = true;
            "cache: git status (reftable refs are read by git)"
        } else {
            ".git/HEAD"
        };
        push_limited(out, &name, self.max_length, ctx.charset);
        out.fields.set(BRANCH, &name);
        let _ = out
            .short
            .try_push_str(crate::engine::slots::cut_at_char_boundary(&out.text, 64));
        if view.snap.kind == HeadKind::Unborn {
            out.push_str(" (no commits)");
            out.tone = Tone::Muted;
        }
        if let (true, Some(op)) = (self.operation, view.snap.operation) {
            out.push('|');
            let start = out.text.len();
            out.push_str(op.label());
            if let Some((step, total)) = op.progress() {
                let _ = write!(out, " {step}/{total}");
            }
            let label = crate::engine::slots::cut_at_char_boundary(&out.text[start..], 64);
            out.fields.set(OPERATION, label);
            out.tone = Tone::Warn;
        }
        if view.snap.upstream.is_some() {
            let up = &view.scratch.upstream_ref;
            let short = up.strip_prefix(b"refs/remotes/").unwrap_or(up);
            push_clean_bytes(&mut out.fields.writer(UPSTREAM), short);
        }
        if self.ahead_behind && view.snap.upstream.is_some() {
            self.write_ahead_behind(&view, ctx.charset, out);
        } else if self.ahead_behind
            && view.snap.deferred
            && view.record.is_some_and(|r| r.ahead_behind.is_some())
        {
            // git printed `# branch.ab`: there is an upstream and it was compared.
            self.write_ahead_behind(&view, ctx.charset, out);
        }
        Outcome::Shown
    }

    fn write_ahead_behind(&self, view: &View<'_>, charset: Charset, out: &mut SlotContent) {
        // Unknown (nothing computed yet, a walk over its budget, a refresher that
        // failed): no arrows, marked stale, never shown as if the branch were even.
        let Some((ahead, behind)) = view.record.and_then(|r| r.ahead_behind) else {
            out.stale = true;
            return;
        };
        out.stale |= !view.ab_fresh;
        let _ = write!(out.fields.writer(AHEAD), "{ahead}");
        let _ = write!(out.fields.writer(BEHIND), "{behind}");
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
        self.probe.with_view(&ctx.git_frame(), |view| match view {
            Err(Miss::NotRepo) => Outcome::Hidden,
            Err(Miss::Broken(summary)) => write_broken(out, summary, ctx.charset),
            Err(Miss::LeftToGit(why)) => {
                out.source = why;
                Outcome::Hidden
            }
            Ok(view) => self.show(view, ctx, out),
        })
    }

    fn after_frame(&self, frame: &crate::widgets::AfterFrame<'_>) {
        self.probe
            .after_frame(INFO.name, frame.refresher, frame.git);
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
    #[cfg_attr(not(unix), ignore = "needs git")]
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
    fn max_length_does_not_cut_a_branch_inside_a_zwj_emoji_sequence() {
        let coder = "\u{1f469}\u{200d}\u{1f4bb}";
        let cut = |name: &str, max: usize| {
            let mut out = crate::engine::slots::SlotContent::default();
            super::push_limited(&mut out, name, max, Charset::Unicode);
            out.text.to_string()
        };
        let name = format!("fix{coder}{coder}");
        assert_eq!(cut(&name, 5), name, "five clusters fit");
        assert_eq!(cut(&name, 4), format!("fix\u{2026}"));
        assert_eq!(cut(&format!("a{coder}bc"), 3), format!("a{coder}\u{2026}"));
    }

    #[test]
    fn hides_outside_a_repository() {
        let t = WidgetTester::new("git_branch");
        t.assert_hidden(r#"{"workspace":{"current_dir":"/"}}"#);
        t.assert_hidden("{}");
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
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
    #[cfg_attr(not(unix), ignore = "needs git")]
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
        push_limited(&mut out, "feature/a-very-long-branch", 10, Charset::Unicode);
        assert_eq!(out.text.as_str(), "feature/a…");
        let mut out = SlotContent::default();
        push_limited(&mut out, "main", 4, Charset::Unicode);
        assert_eq!(out.text.as_str(), "main");
    }

    #[test]
    fn invalid_utf8_and_escapes_in_names_are_made_harmless() {
        let mut s = String::new();
        push_clean_bytes(&mut s, b"fix-\xff\x1b[31mred\x07");
        assert_eq!(s, "fix-\u{FFFD}red");
    }
}
