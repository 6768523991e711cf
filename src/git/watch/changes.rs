//! What the watcher makes of inotify events: which tracked paths to compare again,
//! whether the untracked files must be counted again, whether the whole status must be
//! recomputed, and whether the watcher should stop.
//!
//! The rules, by where the event happened:
//! - **a work-tree directory**, about a file `D/N`: any event compares `D/N` again if it
//!   is tracked (a name that is not tracked is skipped by the re-check); a name that
//!   appeared or vanished (create, delete, rename) also recounts the untracked files, as
//!   does any change to a `.gitignore`; a `.gitattributes` change recomputes everything
//!   (it decides which files git converts before hashing);
//! - **a work-tree directory**, about a subdirectory that appeared, vanished or was
//!   renamed: everything is recomputed and the watches set up again (the names under it
//!   changed wholesale, and watches follow directories, not paths);
//! - **a git directory** (`.git`, its `refs/` tree, `info/`, `logs/refs/`): everything is
//!   recomputed (the index, `HEAD`, a branch, the stash or the config changed), except
//!   for `*.lock` files, which git writes before renaming them into place;
//! - **the cache directory**: a render opening the status record counts as a use (the
//!   watcher stops after a while without one); the `.lines` marker asks for inserted and
//!   deleted lines;
//! - the top of the work tree, a git directory or the cache directory vanishing stops the
//!   watcher; an overflowed event queue recomputes everything.

use crate::git::engine::SeenChanges;
#[cfg(target_os = "linux")]
use crate::sys::inotify::{
    ATTRIB, CLOSE_WRITE, CREATE, DELETE, DELETE_SELF, Event, IGNORED, IS_DIR, MODIFY, MOVE_SELF,
    MOVED_FROM, MOVED_TO, OPEN, OVERFLOW,
};

/// Where a watch is.
#[cfg(target_os = "linux")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A directory of the work tree, relative to its top (`""` for the top itself, no
    /// trailing `/`).
    Work(Vec<u8>),
    /// A git directory or one below it; `top` for the git directory itself.
    Git { top: bool },
    /// The cache directory holding the status record.
    Cache,
}

/// What the events seen since the last update ask for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pending {
    /// The paths, directories and ignore files that changed in the work tree.
    pub seen: SeenChanges,
    /// Count the untracked files again.
    pub recount_untracked: bool,
    /// Recompute everything and set the watches up again.
    pub rebuild: bool,
    /// Recompute everything (a git directory changed).
    pub git_changed: bool,
    /// A render read the status record.
    pub used: bool,
    /// A render asked for inserted and deleted lines.
    pub wants_lines: bool,
    /// Something the watcher depends on vanished: stop.
    pub gone: bool,
}

impl Pending {
    /// Is there anything to recompute?
    pub fn has_work(&self) -> bool {
        !self.seen.paths.is_empty()
            || self.recount_untracked
            || self.rebuild
            || self.git_changed
            || self.wants_lines
    }

    /// Does everything have to be computed again?
    pub fn needs_recompute(&self) -> bool {
        self.rebuild || self.git_changed
    }
}

/// The names of the cache files the watcher listens for.
#[cfg(target_os = "linux")]
pub struct CacheNames<'a> {
    /// The status record renders read.
    pub record: &'a [u8],
    /// The marker a render creates to ask for inserted and deleted lines.
    pub lines_marker: &'a [u8],
}

#[cfg(target_os = "linux")]
/// Adds what `event`, seen on a watch at `place` (`None`: a watch that is no longer
/// known), asks for to `pending`.
pub fn note(
    pending: &mut Pending,
    event: &Event<'_>,
    place: Option<&Place>,
    cache: &CacheNames<'_>,
) {
    if event.mask & OVERFLOW != 0 {
        pending.rebuild = true;
        return;
    }
    let Some(place) = place else {
        return;
    };
    let gone_self = event.mask & (DELETE_SELF | MOVE_SELF) != 0;
    match place {
        Place::Cache => note_cache(pending, event, gone_self, cache),
        Place::Git { top } => note_git(pending, event, gone_self, *top),
        Place::Work(dir) => note_work(pending, event, gone_self, dir),
    }
}

#[cfg(target_os = "linux")]
fn note_cache(pending: &mut Pending, event: &Event<'_>, gone_self: bool, cache: &CacheNames<'_>) {
    if gone_self || event.mask & IGNORED != 0 {
        pending.gone = true;
    } else if event.name == cache.record && event.mask & OPEN != 0 {
        pending.used = true;
    } else if event.name == cache.lines_marker && event.mask & (CREATE | OPEN) != 0 {
        pending.wants_lines = true;
    }
}

#[cfg(target_os = "linux")]
fn note_git(pending: &mut Pending, event: &Event<'_>, gone_self: bool, top: bool) {
    if gone_self || event.mask & IGNORED != 0 {
        if top {
            pending.gone = true;
        } else {
            pending.rebuild = true;
        }
        return;
    }
    if event.name.ends_with(b".lock") {
        return;
    }
    if matches!(event.name, b"exclude" | b"config" | b"config.worktree") {
        // `info/exclude`, or settings that may name other ignore files.
        pending.seen.ignores = true;
    }
    if event.mask & IS_DIR != 0 && event.mask & (CREATE | MOVED_TO) != 0 {
        // A new directory under `refs/` needs a watch of its own.
        pending.rebuild = true;
    }
    pending.git_changed = true;
}

#[cfg(target_os = "linux")]
const NAME_EVENTS: u32 = CREATE | DELETE | MOVED_FROM | MOVED_TO;
#[cfg(target_os = "linux")]
const CONTENT_EVENTS: u32 = MODIFY | CLOSE_WRITE | ATTRIB;

#[cfg(target_os = "linux")]
fn note_work(pending: &mut Pending, event: &Event<'_>, gone_self: bool, dir: &[u8]) {
    if gone_self || event.mask & IGNORED != 0 {
        if dir.is_empty() {
            pending.gone = true;
        } else {
            pending.rebuild = true;
        }
        return;
    }
    if event.name.is_empty() {
        return;
    }
    if event.mask & IS_DIR != 0 {
        if event.mask & NAME_EVENTS != 0 && !(dir.is_empty() && event.name == b".git") {
            pending.rebuild = true;
        }
        return;
    }
    if event.mask & (NAME_EVENTS | CONTENT_EVENTS) == 0 {
        return;
    }
    if dir.is_empty() && event.name == b".git" {
        // The `.git` file of a linked worktree: its git directory is watched itself.
        return;
    }
    match event.name {
        b".gitattributes" => pending.rebuild = true,
        b".gitignore" => {
            pending.recount_untracked = true;
            pending.seen.ignores = true;
        }
        _ => {}
    }
    if event.mask & NAME_EVENTS != 0 {
        pending.recount_untracked = true;
        let mut changed = dir.to_vec();
        if !changed.is_empty() {
            changed.push(b'/');
        }
        pending.seen.dirs.insert(changed);
    }
    let mut path = Vec::with_capacity(dir.len() + 1 + event.name.len());
    if !dir.is_empty() {
        path.extend_from_slice(dir);
        path.push(b'/');
    }
    path.extend_from_slice(event.name);
    pending.seen.paths.insert(path);
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    const NAMES: CacheNames<'static> = CacheNames {
        record: b"git-1234",
        lines_marker: b"git-1234.lines",
    };

    fn after(events: &[(u32, &[u8], Place)]) -> Pending {
        let mut pending = Pending::default();
        for (mask, name, place) in events {
            let event = Event {
                wd: 1,
                mask: *mask,
                name,
            };
            note(&mut pending, &event, Some(place), &NAMES);
        }
        pending
    }

    fn work(dir: &str) -> Place {
        Place::Work(dir.as_bytes().to_vec())
    }

    #[test]
    fn a_file_written_in_place_is_compared_again_without_a_walk() {
        let p = after(&[
            (MODIFY, b"main.rs", work("src")),
            (CLOSE_WRITE, b"main.rs", work("src")),
            (ATTRIB, b"README", work("")),
        ]);
        let paths: Vec<&[u8]> = p.seen.paths.iter().map(Vec::as_slice).collect();
        assert_eq!(paths, vec![&b"README"[..], b"src/main.rs"]);
        assert!(!p.needs_recompute() && !p.recount_untracked && p.has_work());
    }

    #[test]
    fn names_that_appear_or_vanish_recount_untracked_files() {
        for mask in [CREATE, DELETE, MOVED_FROM, MOVED_TO] {
            let p = after(&[(mask, b"new.txt", work("a/b"))]);
            assert!(p.recount_untracked && !p.rebuild, "mask {mask:#x}");
            assert!(p.seen.paths.contains(b"a/b/new.txt".as_slice()));
            assert!(p.seen.dirs.contains(b"a/b/".as_slice()) && !p.seen.ignores);
        }
        let top = after(&[(CREATE, b"new.txt", work(""))]);
        assert_eq!(
            top.seen.dirs.into_iter().collect::<Vec<_>>(),
            vec![Vec::<u8>::new()]
        );
        let p = after(&[(MODIFY, b".gitignore", work("a"))]);
        assert!(p.recount_untracked && p.seen.ignores && !p.rebuild);
        assert!(p.seen.dirs.is_empty());
        let p = after(&[(CLOSE_WRITE, b".gitattributes", work(""))]);
        assert!(p.rebuild);
    }

    #[test]
    fn directories_that_appear_vanish_or_move_rebuild_the_watches() {
        for mask in [CREATE, DELETE, MOVED_FROM, MOVED_TO] {
            assert!(after(&[(mask | IS_DIR, b"sub", work("a"))]).rebuild);
        }
        assert!(!after(&[(ATTRIB | IS_DIR, b"sub", work("a"))]).has_work());
        assert!(after(&[(DELETE_SELF, b"", work("a"))]).rebuild);
        let top = after(&[(DELETE_SELF, b"", work(""))]);
        assert!(top.gone);
        assert!(after(&[(OVERFLOW, b"", work("a"))]).rebuild);
    }

    #[test]
    fn git_directory_changes_recompute_except_lock_files() {
        let git = Place::Git { top: true };
        assert!(!after(&[(CREATE, b"index.lock", git.clone())]).has_work());
        assert!(after(&[(MOVED_TO, b"index", git.clone())]).git_changed);
        assert!(after(&[(MOVED_TO, b"HEAD", Place::Git { top: false })]).git_changed);
        assert!(after(&[(CREATE | IS_DIR, b"feature", Place::Git { top: false })]).rebuild);
        assert!(after(&[(DELETE_SELF, b"", git)]).gone);
        assert!(!after(&[(DELETE_SELF, b"", Place::Git { top: false })]).gone);
    }

    #[test]
    fn renders_reading_the_record_count_as_use_and_can_ask_for_lines() {
        let p = after(&[
            (OPEN, b"git-1234", Place::Cache),
            (OPEN, b"git-9999", Place::Cache),
        ]);
        assert!(p.used && !p.has_work());
        assert!(!after(&[(OPEN, b"git-9999", Place::Cache)]).used);
        assert!(after(&[(CREATE, b"git-1234.lines", Place::Cache)]).wants_lines);
        assert!(after(&[(DELETE_SELF, b"", Place::Cache)]).gone);
    }

    #[test]
    fn the_dot_git_entry_of_the_work_tree_is_not_a_work_tree_change() {
        assert!(!after(&[(ATTRIB | IS_DIR, b".git", work(""))]).has_work());
        assert!(!after(&[(MODIFY, b".git", work(""))]).has_work());
        assert!(after(&[(MODIFY, b".git", work("sub"))]).has_work());
    }
}
