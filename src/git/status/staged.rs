//! The staged side of status (the `X` column): the index's stage-0 entries against
//! HEAD's tree, as `git diff-index --cached HEAD` with status's rename detection.
//!
//! A merge walk over the sorted index and the tree, one directory at a time. Where the
//! cache-tree has a valid node for a directory whose id equals HEAD's tree id for it and
//! whose entry count equals the index range under it, the whole range is unchanged and
//! skipped without reading any object (after a commit that is the root: no object is
//! read at all). Elsewhere trees are read through [`TreeSource`].
//!
//! Per path: in both with another mode or id: `M`/`T` (both count as staged); only in
//! the index: `A`; only in HEAD: `D`. Conflicted paths (stages 1–3) are skipped here
//! (they count as conflicted). Intent-to-add entries are invisible, as status sets
//! `ita_invisible_in_index`. Renames: an added and a deleted path with the same blob id
//! are paired (git's exact renames, each source used once); when unpaired additions and
//! deletions both remain and rename detection is on, only a similarity search could
//! pair them, which is not done here: [`Unsupported::InexactRenames`].
//!
//! Read next: `mod.rs`.

use std::ops::Range;

use super::cache_tree::NodeRef;
use super::config::Renames;
use super::index::Index;
use super::{StatusError, Unsupported};
use crate::git::object::TreeEntry;
use crate::git::{GitError, RawOid};

/// Where tree objects come from (the object store; the git CLI in tests).
pub trait TreeSource {
    /// The entries of tree `oid`, in the tree's order.
    fn tree(&self, oid: &RawOid) -> Result<Vec<TreeEntry>, GitError>;
}

/// What the staged comparison found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Staged {
    /// Paths added, deleted, modified or type-changed in the index (renames excluded).
    pub changed: u32,
    /// Exact renames.
    pub renamed: u32,
    /// Trees read from the object store (0 when the cache-tree covered everything).
    pub trees_read: u32,
}

const S_IFMT: u32 = 0o170000;
const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;
const S_IFGITLINK: u32 = 0o160000;
/// Deepest directory nesting walked.
const MAX_DEPTH: usize = 256;

/// git's `canon_mode`: regular files are 644 or 755, nothing else keeps permission bits.
fn canonical_mode(mode: u32) -> u32 {
    match mode & S_IFMT {
        S_IFREG if mode & 0o100 != 0 => 0o100755,
        S_IFREG => 0o100644,
        kind => kind,
    }
}

/// Compares the index with HEAD's tree (`None`: unborn branch, everything is added).
pub fn compare(
    index: &Index,
    head_tree: Option<RawOid>,
    trees: &dyn TreeSource,
    renames: Renames,
) -> Result<Staged, StatusError> {
    let mut walk = Walk {
        index,
        trees,
        prefix: Vec::new(),
        modified: 0,
        added: Vec::new(),
        deleted: Vec::new(),
        trees_read: 0,
    };
    let cache = index.cache_tree.as_ref().and_then(|t| t.root());
    walk.dir(head_tree.as_ref(), 0..index.entries.len(), cache, 0)?;
    let (unpaired, renamed) = pair_renames(&mut walk.added, &mut walk.deleted, renames)?;
    Ok(Staged {
        changed: walk.modified + unpaired,
        renamed,
        trees_read: walk.trees_read,
    })
}

struct Walk<'a> {
    index: &'a Index,
    trees: &'a dyn TreeSource,
    /// The directory being walked, with a trailing `/` (empty at the root).
    prefix: Vec<u8>,
    modified: u32,
    added: Vec<Side>,
    deleted: Vec<Side>,
    trees_read: u32,
}

/// An added or deleted path as rename pairing sees it: its file type, then its blob.
/// git pairs exact renames only between paths of the same type (a symlink that became a
/// file with the same bytes is a deletion and an addition).
type Side = (u32, RawOid);

fn side(mode: u32, oid: RawOid) -> Side {
    (mode & S_IFMT, oid)
}

impl Walk<'_> {
    fn path(&self, i: usize) -> &[u8] {
        self.index.path(&self.index.entries[i])
    }

    /// Walks one directory: `tree` is HEAD's tree for it, `range` the index entries
    /// under it, `cache` its cache-tree node.
    fn dir(
        &mut self,
        tree: Option<&RawOid>,
        range: Range<usize>,
        cache: Option<NodeRef<'_>>,
        depth: usize,
    ) -> Result<(), StatusError> {
        if depth > MAX_DEPTH {
            return Err(StatusError::Unsupported(Unsupported::TooDeep));
        }
        let unchanged = cache
            .and_then(|c| c.node().valid)
            .is_some_and(|(oid, count)| Some(&oid) == tree && count as usize == range.len());
        if unchanged {
            return Ok(());
        }
        let entries = match tree {
            Some(oid) => {
                self.trees_read += 1;
                self.trees.tree(oid).map_err(StatusError::Git)?
            }
            None => Vec::new(),
        };
        let mut i = range.start;
        for entry in &entries {
            let is_dir = entry.mode & S_IFMT == S_IFDIR;
            let base = self.prefix.len();
            self.prefix.extend_from_slice(&entry.name);
            if is_dir {
                self.prefix.push(b'/');
            }
            while i < range.end && self.path(i) < &self.prefix[..] {
                i = self.index_only(i);
            }
            if is_dir {
                // `i <= range.end` always (a path's stages share its prefix); `min`
                // keeps a damaged tree from turning that into a panic.
                i = i.min(range.end);
                let end = i + self.index.entries[i..range.end]
                    .partition_point(|e| self.index.path(e).starts_with(&self.prefix));
                let child = cache.and_then(|c| c.child(&entry.name));
                self.dir(Some(&entry.oid), i..end, child, depth + 1)?;
                i = end;
            } else if i < range.end && self.path(i) == &self.prefix[..] {
                i = self.in_both(i, entry);
            } else {
                self.deleted.push(side(entry.mode, entry.oid));
            }
            self.prefix.truncate(base);
        }
        while i < range.end {
            i = self.index_only(i);
        }
        Ok(())
    }

    /// Past the entries (all stages) of the path at `i`.
    fn skip_path(&self, i: usize) -> usize {
        let path = self.path(i);
        i + self.index.entries[i..]
            .iter()
            .take_while(|e| self.index.path(e) == path)
            .count()
    }

    /// A path the tree does not have: added, unless conflicted or intent-to-add.
    fn index_only(&mut self, i: usize) -> usize {
        let entry = &self.index.entries[i];
        if entry.stage() == 0 && !entry.intent_to_add() {
            self.added.push(side(entry.mode, entry.oid));
        }
        self.skip_path(i)
    }

    /// A path both sides have.
    fn in_both(&mut self, i: usize, tree_entry: &TreeEntry) -> usize {
        let entry = &self.index.entries[i];
        if entry.stage() != 0 {
            return self.skip_path(i);
        }
        if entry.intent_to_add() {
            self.deleted.push(side(tree_entry.mode, tree_entry.oid));
        } else if entry.oid != tree_entry.oid
            || canonical_mode(entry.mode) != canonical_mode(tree_entry.mode)
        {
            self.modified += 1;
        }
        i + 1
    }
}

/// Pairs exact renames; returns (unpaired additions + deletions, renames).
fn pair_renames(
    added: &mut [Side],
    deleted: &mut [Side],
    renames: Renames,
) -> Result<(u32, u32), StatusError> {
    let total = (added.len() + deleted.len()) as u32;
    if renames == Renames::Copies && !added.is_empty() {
        return Err(StatusError::Unsupported(Unsupported::CopyDetection));
    }
    if renames == Renames::Off || added.is_empty() || deleted.is_empty() {
        return Ok((total, 0));
    }
    let gitlink = |s: &Side| s.0 == S_IFGITLINK;
    if added.iter().chain(deleted.iter()).any(gitlink) {
        return Err(StatusError::Unsupported(Unsupported::Gitlink));
    }
    added.sort_unstable();
    deleted.sort_unstable();
    let (mut a, mut d, mut pairs) = (0, 0, 0u32);
    while a < added.len() && d < deleted.len() {
        match added[a].cmp(&deleted[d]) {
            std::cmp::Ordering::Less => a += 1,
            std::cmp::Ordering::Greater => d += 1,
            std::cmp::Ordering::Equal => {
                pairs += 1;
                a += 1;
                d += 1;
            }
        }
    }
    let (left_added, left_deleted) = (added.len() as u32 - pairs, deleted.len() as u32 - pairs);
    if left_added > 0 && left_deleted > 0 {
        return Err(StatusError::Unsupported(Unsupported::InexactRenames));
    }
    Ok((left_added + left_deleted, pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S_IFLNK: u32 = 0o120000;

    #[test]
    fn exact_renames_pair_each_source_once_and_only_within_a_type() {
        let (x, y) = (
            side(S_IFREG, RawOid([1; 20])),
            side(S_IFREG, RawOid([2; 20])),
        );
        let link = side(S_IFLNK, RawOid([1; 20]));
        assert!(pair_renames(&mut [link], &mut [x], Renames::On).is_err());
        let got = pair_renames(&mut [x, x, y], &mut [x, y], Renames::On).unwrap();
        assert_eq!(got, (1, 2));
        let got = pair_renames(&mut [x], &mut [x, y], Renames::Off).unwrap();
        assert_eq!(got, (3, 0));
        assert!(matches!(
            pair_renames(&mut [x], &mut [y], Renames::On),
            Err(StatusError::Unsupported(Unsupported::InexactRenames))
        ));
    }

    #[test]
    fn modes_compare_as_git_canonicalises_them() {
        assert_eq!(canonical_mode(0o100664), 0o100644);
        assert_eq!(canonical_mode(0o100775), 0o100755);
        assert_eq!(canonical_mode(0o120000), 0o120000);
    }
}
