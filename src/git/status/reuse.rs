//! Status after an index change without comparing every file again: for the git watcher
//! (`git/watch/`), which knows from inotify which work-tree paths changed since its last
//! status.
//!
//! When `git add`, `git commit` or `git checkout` writes a new index, most entries carry
//! the same stat data and blob as before and their files did not change: their verdict
//! against the working tree (`worktree::Change`) is the one already computed. Only entries
//! that are new, whose index data differs, or whose file changed are compared again. The
//! rules themselves must be the same as before (same config, same content-filter
//! answer); otherwise, or when more than an eighth of the entries must be compared again
//! (a branch switch), every entry is compared as usual.
//!
//! A racily clean entry (file mtime at or after the old index's) was decided by hashing,
//! so its verdict holds under the new index too; when git finds such an entry's content
//! changed it writes it with size 0, which makes its data differ and compares it again.

use std::collections::BTreeSet;

use super::worktree::{self, Change, Inputs};
use super::{StatusError, Tracked};

/// What a watcher knows since its last status.
pub struct Since<'a> {
    /// That status.
    pub previous: &'a Tracked,
    /// The work-tree paths whose files changed since (created, written, removed).
    pub changed: &'a BTreeSet<Vec<u8>>,
}

/// Past one entry in this many compared again, one full pass is cheaper.
const MAX_SINGLE_SHARE: usize = 8;

/// The verdict of every entry of `inputs.index`, reused from `since` where it holds.
pub(super) fn compare_since(
    inputs: &Inputs<'_>,
    since: &Since<'_>,
    threads: usize,
) -> Result<Vec<Change>, StatusError> {
    let previous = &since.previous.worktree;
    let same_rules = previous.root == inputs.root
        && previous.config == *inputs.config
        && previous.filters_everywhere == inputs.filters_everywhere;
    if !same_rules {
        return worktree::compare(inputs, threads);
    }
    let reused = reused_verdicts(inputs, since);
    let misses = reused.iter().filter(|c| c.is_none()).count();
    if misses > inputs.index.entries.len() / MAX_SINGLE_SHARE + 64 {
        return worktree::compare(inputs, threads);
    }
    reused
        .into_iter()
        .enumerate()
        .map(|(i, verdict)| match verdict {
            Some(change) => Ok(change),
            None => worktree::compare_one(inputs, i),
        })
        .collect()
}

/// Per entry of the new index, the previous verdict when the same path and stage had the
/// same data and its file did not change; both indexes are sorted by path, then stage.
fn reused_verdicts(inputs: &Inputs<'_>, since: &Since<'_>) -> Vec<Option<Change>> {
    let old = &since.previous.index;
    let old_changes = &since.previous.worktree.changes;
    let mut j = 0;
    inputs
        .index
        .entries
        .iter()
        .map(|entry| {
            let path = inputs.index.path(entry);
            let key = (path, entry.stage());
            while let Some(o) = old.entries.get(j)
                && (old.path(o), o.stage()) < key
            {
                j += 1;
            }
            let o = old.entries.get(j)?;
            let same = (old.path(o), o.stage()) == key
                && o.same_data(entry)
                && !since.changed.contains(path);
            same.then(|| old_changes[j])
        })
        .collect()
}

/// The directories (`""` for the top, else `"dir/sub/"`) where a tracked path appeared
/// or vanished between `previous` and `current`: the untracked counts of the others still
/// hold.
pub fn changed_directories(previous: &Tracked, current: &Tracked) -> BTreeSet<Vec<u8>> {
    let mut dirs = BTreeSet::new();
    let mut note = |path: &[u8]| {
        let dir = match memchr::memrchr(b'/', path) {
            Some(slash) => &path[..=slash],
            None => &b""[..],
        };
        dirs.insert(dir.to_vec());
    };
    let (mut old, mut new) = (previous.paths().peekable(), current.paths().peekable());
    loop {
        match (old.peek(), new.peek()) {
            (Some(a), Some(b)) if a == b => {
                old.next();
                new.next();
            }
            (Some(a), Some(b)) if a < b => note(old.next().unwrap_or_default()),
            (Some(_), Some(_)) | (None, Some(_)) => note(new.next().unwrap_or_default()),
            (Some(_), None) => note(old.next().unwrap_or_default()),
            (None, None) => return dirs,
        }
    }
}
