//! `git_status`: what is changed in the repository the session works in.
//!
//! Shows counts, each only when non-zero: staged `+3`, modified `!2`, deleted `✘1`,
//! renamed `»1`, untracked `?4`, conflicted `=1`, stashes `$2`; `✔` when nothing is
//! changed; optionally the lines added and removed against `HEAD`, `(+12 −3)`. ASCII:
//! `x` for deleted, `>` for renamed, `ok` for clean. Short form: `!N` (all changes) or
//! `✔`. The tone is critical with conflicts, warn when changed, good when clean.
//!
//! How entries count follows `git status --porcelain=v2` (see `src/git/porcelain.rs`):
//! a rename git detects in the index counts as renamed, not also as staged; a file both
//! staged and modified counts in both.
//!
//! The counts come from the own status engine (see `src/git/mod.rs`; no git process
//! except where the engine leaves a repository to `git status`) and are kept in the
//! cache: rendering reads `.git` and one cache record (`Cost::Cheap`, inline). Counts are
//! shown fresh only when they are exact as of the render: a small repository (index file
//! up to 32 KiB, about 350 files) is counted in the render itself, unless a file must
//! be hashed that does not fit the frame's deadline; the render stores the counts with
//! the witness of what they were computed from, and a later render shows them without
//! counting again only while every file, directory and ignore or config file of that
//! witness is as it was. A larger one, or one
//! with such a file, shows the last counts marked stale and one detached refresher
//! starts after the frame (when `HEAD`, the index or the stash changed, or the counts
//! are older than `refresh_ms`). `lines` always goes through the refresher (it runs
//! `git diff --shortstat`). Nothing is shown in a large repository until its first
//! refresh has finished. The refresher then stays on as the repository's git watcher
//! (inotify, `src/git/watch/`): it rewrites the record within about a millisecond of
//! each change and vouches for it, so its counts are shown fresh whatever their age;
//! `explain` names it as the source. In a reftable repository (refs only git reads) the
//! counts always come from the refresher's `git status`, marked stale (no watcher runs
//! there), and nothing is shown until its first answer.
//!
//! ```toml
//! [widget.git_status]
//! untracked = false
//! lines = true
//! refresh_ms = 1000
//! ```
//!
//! Hides outside a repository, in a bare repository (no working tree), and until the
//! first refresh of a large repository. An unreadable repository shows `⚠ git`, a failed `git status` `git ?`;
//! the details are in `explain` and on stderr.

use std::fmt::Write as _;

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::git::porcelain::Counts;
use crate::git::probe::{Miss, Probe, View};
use crate::git::record::StatusSource;
use crate::widgets::git_branch::write_broken;
use crate::widgets::options::{Int, widget_options};
use crate::widgets::{Charset, FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "git_status",
    summary: "git staged/modified/deleted/renamed/untracked/conflicted counts, stashes",
    options: GitStatusOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "staged",
            doc: "files staged (`1`; every count is a number, `0` included)",
        },
        FieldSpec {
            name: "modified",
            doc: "files modified in the working tree",
        },
        FieldSpec {
            name: "deleted",
            doc: "files deleted",
        },
        FieldSpec {
            name: "renamed",
            doc: "files renamed",
        },
        FieldSpec {
            name: "untracked",
            doc: "untracked files",
        },
        FieldSpec {
            name: "conflicted",
            doc: "files with conflicts",
        },
        FieldSpec {
            name: "stashed",
            doc: "stash entries",
        },
        FieldSpec {
            name: "changes",
            doc: "all changes together (staged, modified, deleted, renamed, untracked, conflicted)",
        },
    ],
    build,
};

/// Which parts are shown, in display order.
struct Parts {
    staged: bool,
    modified: bool,
    deleted: bool,
    renamed: bool,
    untracked: bool,
    conflicted: bool,
    stash: bool,
    clean: bool,
}

struct GitStatus {
    parts: Parts,
    lines: bool,
    probe: Probe,
}

widget_options! {
    struct GitStatusOptions {
        /// Show the staged count.
        staged: bool = true,
        /// Show the modified count.
        modified: bool = true,
        /// Show the deleted count.
        deleted: bool = true,
        /// Show the renamed count.
        renamed: bool = true,
        /// Show the untracked count.
        untracked: bool = true,
        /// Show the conflicted count.
        conflicted: bool = true,
        /// Show the stash count.
        stash: bool = true,
        /// Show the clean mark.
        clean: bool = true,
        /// Show the lines added and removed against `HEAD`.
        lines: bool = false,
        /// Milliseconds: how old counts that are neither counted inline nor kept by the
        /// watcher may be before a refresher computes them again (they are shown marked
        /// stale meanwhile).
        refresh_ms: Int<0, 3_600_000> = 2000,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = GitStatusOptions::parse(options)?;
    let parts = Parts {
        staged: o.staged,
        modified: o.modified,
        deleted: o.deleted,
        renamed: o.renamed,
        untracked: o.untracked,
        conflicted: o.conflicted,
        stash: o.stash,
        clean: o.clean,
    };
    Ok(Box::new(GitStatus {
        parts,
        lines: o.lines,
        probe: Probe::new(true, o.lines, o.refresh_ms),
    }))
}

fn part(out: &mut SlotContent, on: bool, symbol: &str, n: u32) {
    if on && n > 0 {
        if !out.text.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{symbol}{n}");
    }
}

impl GitStatus {
    fn write_counts(&self, c: &Counts, charset: Charset, out: &mut SlotContent) {
        let p = &self.parts;
        part(out, p.staged, "+", c.staged);
        part(out, p.modified, "!", c.modified);
        part(
            out,
            p.deleted,
            charset.pick("\u{2718}", "\u{2718}", "x"),
            c.deleted,
        );
        part(
            out,
            p.renamed,
            charset.pick("\u{bb}", "\u{bb}", ">"),
            c.renamed,
        );
        part(out, p.untracked, "?", c.untracked);
        part(out, p.conflicted, "=", c.conflicted);
        let changes = c.staged + c.modified + c.deleted + c.renamed + c.untracked + c.conflicted;
        let counts = [
            c.staged,
            c.modified,
            c.deleted,
            c.renamed,
            c.untracked,
            c.conflicted,
            c.stash,
            changes,
        ];
        for (index, count) in counts.into_iter().enumerate() {
            let _ = write!(out.fields.writer(index), "{count}");
        }
        let clean_mark = charset.pick("\u{2714}", "\u{2714}", "ok");
        if changes == 0 && p.clean {
            out.push_str(clean_mark);
        }
        part(out, p.stash, "$", c.stash);
        out.tone = if c.conflicted > 0 {
            Tone::Critical
        } else if changes > 0 {
            Tone::Warn
        } else {
            Tone::Good
        };
        if changes > 0 {
            let _ = write!(out.short, "!{changes}");
        } else {
            let _ = out.short.try_push_str(clean_mark);
        }
    }

    fn show(&self, view: View<'_>, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        if view.repo.work_tree.is_none() {
            return Outcome::Hidden;
        }
        let Some(record) = view.record else {
            out.source = "git: first status is being computed";
            return Outcome::Hidden;
        };
        if record.failed {
            out.push_str("git ?");
            out.source = "git: `git status` failed (see stderr of `blinkline __refresh-git`)";
            out.tone = Tone::Warn;
            return Outcome::Error;
        }
        let Some(counts) = record.counts else {
            return Outcome::Hidden;
        };
        out.source = match record.source {
            StatusSource::Inline => "git: own status engine, inline",
            StatusSource::Engine if record.watched_until_ms > 0 => {
                "cache: own status engine, kept current by the git watcher"
            }
            StatusSource::Engine => "cache: own status engine",
            StatusSource::Git => "cache: git status (left to git by the own engine)",
            StatusSource::None => "cache: git status",
        };
        out.stale = !view.status_fresh;
        self.write_counts(&counts, ctx.charset, out);
        if let (true, Some((ins, del))) = (self.lines, record.lines)
            && ins + del > 0
        {
            let minus = ctx.charset.pick("\u{2212}", "\u{2212}", "-");
            let _ = write!(out, " (+{ins} {minus}{del})");
        }
        if out.text.is_empty() {
            return Outcome::Hidden;
        }
        Outcome::Shown
    }
}

impl Widget for GitStatus {
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
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn counts() -> Counts {
        Counts {
            staged: 1,
            modified: 2,
            deleted: 3,
            renamed: 4,
            untracked: 5,
            conflicted: 0,
            stash: 6,
        }
    }

    #[test]
    fn every_count_is_a_field_and_changes_sums_them() {
        let mut out = SlotContent::default();
        widget(Options::new("git_status")).write_counts(&counts(), Charset::Unicode, &mut out);
        let fields: Vec<&str> = (0..8).map(|i| out.fields.get(i)).collect();
        assert_eq!(fields, ["1", "2", "3", "4", "5", "0", "6", "15"]);
    }

    fn written(widget: &GitStatus, c: &Counts, charset: Charset) -> (String, String, Tone) {
        let mut out = SlotContent::default();
        widget.write_counts(c, charset, &mut out);
        (out.text.to_string(), out.short.to_string(), out.tone)
    }

    fn widget(options: Options) -> GitStatus {
        let parts = Parts {
            staged: options.bool("staged", true).unwrap(),
            modified: true,
            deleted: true,
            renamed: true,
            untracked: options.bool("untracked", true).unwrap(),
            conflicted: true,
            stash: true,
            clean: true,
        };
        GitStatus {
            parts,
            lines: false,
            probe: Probe::new(true, false, 0),
        }
    }

    #[test]
    fn counts_are_shown_in_order_with_their_symbols() {
        let w = widget(Options::new("git_status"));
        let (text, short, tone) = written(&w, &counts(), Charset::Unicode);
        assert_eq!(text, "+1 !2 \u{2718}3 \u{bb}4 ?5 $6");
        assert_eq!((short.as_str(), tone), ("!15", Tone::Warn));
        let (ascii, _, _) = written(&w, &counts(), Charset::Ascii);
        assert_eq!(ascii, "+1 !2 x3 >4 ?5 $6");
    }

    #[test]
    fn switched_off_parts_are_left_out() {
        let options = Options::new("git_status")
            .with("untracked", OptionValue::Bool(false))
            .with("staged", OptionValue::Bool(false));
        let (text, _, _) = written(&widget(options), &counts(), Charset::Unicode);
        assert_eq!(text, "!2 \u{2718}3 \u{bb}4 $6");
    }

    #[test]
    fn a_clean_tree_shows_the_clean_mark_and_conflicts_are_critical() {
        let w = widget(Options::new("git_status"));
        let (text, _, tone) = written(&w, &Counts::default(), Charset::Ascii);
        assert_eq!((text.as_str(), tone), ("ok", Tone::Good));
        let conflicted = Counts {
            conflicted: 2,
            ..Counts::default()
        };
        assert_eq!(written(&w, &conflicted, Charset::Unicode).2, Tone::Critical);
    }

    #[test]
    fn hides_outside_a_repository() {
        WidgetTester::new("git_status").assert_hidden(r#"{"workspace":{"current_dir":"/"}}"#);
    }

    #[test]
    fn a_bad_option_names_the_field() {
        let options = Options::new("git_status").with("refresh_ms", OptionValue::Int(-1));
        let err = build(&options).err().unwrap();
        assert_eq!(
            err.to_string(),
            "widget `git_status` option `refresh_ms`: must be a whole number from 0 to 3600000, got -1"
        );
    }
}
