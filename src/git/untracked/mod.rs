//! Counting untracked files without running git: the number of `?` lines
//! `git status --porcelain=v2` prints, computed from the work tree, the index's paths and
//! the ignore files. Read-only; never spawns a process.
//!
//! - `mod.rs` (here): the entry point [`count_untracked`], the modes, the tracked paths.
//! - `settings.rs`: `core.excludesFile` and `status.showUntrackedFiles` from git's config.
//! - `walk.rs`: the rules, entry by entry (a port of git's `treat_path`).
//! - `listing.rs`: `readdir`, or the [`UntrackedCache`] of unchanged directories; for the
//!   git watcher it also keeps each subtree's count, so a walk after a change enters only
//!   the changed directories and their ancestors
//!   ([`UntrackedCache::reuse_subtotals`]).
//! - `nested.rs`: whether a directory is another repository.
//! - `../ignore.rs` and `../wildmatch.rs`: the patterns.
//!
//! # Where the time goes
//! Figures: BENCHMARKS.md, "Git" (`cargo bench --bench git_untracked`).
//!
//! Reading the directories is three quarters of the uncached walk. Two things cut it:
//! - the cache replaces `readdir` by one `lstat` per unchanged directory; what is left is
//!   mostly the index lookups (a binary search among the directory's own tracked paths)
//!   and the `lstat`s;
//! - without a usable cache (a first walk), the directories that hold tracked paths, which
//!   the index names before the walk starts, are read ahead on the engine's pool, one
//!   directory per item ([`read_ahead`]); the walk itself then runs over listings in
//!   memory and reads only the untracked directories it descends into. Each directory is
//!   opened relative to the work tree's descriptor and listed with `getdents64` and
//!   `d_type` (`sys::fsat::read_dir_at`): no `lstat` per entry, no full path resolved.
//!
//! # Case-insensitive names
//! With `core.ignoreCase = true` (git's default on macOS and Windows) a name on disk is
//! tracked when the index holds it in any ASCII case, and ignore patterns match without
//! regard to case, as git's `index_file_exists(…, ignore_case)` and `WM_CASEFOLD` do: the
//! walk runs over an ASCII-lowercased copy of the index's paths and lowercases each name
//! (and each pattern) before comparing.
//!
//! # Not covered
//! A skip-worktree
//! `.gitignore` missing from the work tree (git reads it from the index; also left to
//! git by the status engine), sparse index directory entries, `core.fsmonitor` and git's
//! own untracked cache (`UNTR`): the last three change how git finds the answer, not the
//! answer.

mod listing;
mod nested;
mod settings;
mod walk;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

pub use listing::UntrackedCache;
pub use settings::UntrackedSettings;

use crate::git::GitError;
use crate::git::discover::Repo;
use crate::git::ignore::{PatternList, read_ignore_file};
pub use crate::git::status::ConfigEnv;
use crate::git::status::config::git_bool;
use crate::git::status::directories_of;
use crate::sys::fsat::Dir;
use listing::{Listing, Stamp};
use walk::Walker;

/// Which untracked files are listed (`git status --untracked-files=MODE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UntrackedMode {
    /// `no`: none.
    No,
    /// `normal`: files, and wholly untracked directories as one `dir/` entry.
    #[default]
    Normal,
    /// `all`: every untracked file, one by one.
    All,
}

impl UntrackedMode {
    /// A `status.showUntrackedFiles` value; `None` when git would reject it.
    pub fn from_config(value: &[u8]) -> Option<UntrackedMode> {
        if value.eq_ignore_ascii_case(b"all") {
            Some(UntrackedMode::All)
        } else if value.eq_ignore_ascii_case(b"normal") {
            Some(UntrackedMode::Normal)
        } else {
            git_bool(value).map(|on| {
                if on {
                    UntrackedMode::Normal
                } else {
                    UntrackedMode::No
                }
            })
        }
    }
}

/// The index's paths, as the walk needs them.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrackedPaths<'a> {
    /// Every path in the index (any stage), sorted bytewise (git's index order), relative
    /// to the work tree with `/` separators.
    pub paths: &'a [&'a [u8]],
    /// The subset that are gitlinks (submodules), sorted the same way.
    pub gitlinks: &'a [&'a [u8]],
}

impl<'a> TrackedPaths<'a> {
    /// TrackedPaths paths with no gitlinks among them.
    pub fn new(paths: &'a [&'a [u8]]) -> TrackedPaths<'a> {
        TrackedPaths {
            paths,
            gitlinks: &[],
        }
    }

    /// Is `path` in the index?
    pub fn contains(&self, path: &[u8]) -> bool {
        self.contains_in(0..self.paths.len(), 0, path)
    }

    /// Does the index hold a path below directory `dir` (that is, starting `dir/`)?
    pub fn has_paths_below(&self, dir: &[u8]) -> bool {
        !self.below(0..self.paths.len(), 0, dir).is_empty()
    }

    /// Is `name` one of `paths[within]`, all of which share a prefix of `skip` bytes that
    /// `name` is compared after? (The walk keeps the range of its directory, so a lookup
    /// compares names, not whole paths, among a few entries.)
    pub(crate) fn contains_in(&self, within: Range<usize>, skip: usize, name: &[u8]) -> bool {
        self.paths[within]
            .binary_search_by(|p| p[skip..].cmp(name))
            .is_ok()
    }

    /// The range of `paths[within]` (sharing a `skip`-byte prefix) that continue with
    /// `dir/`: the tracked paths below that directory.
    pub(crate) fn below(&self, within: Range<usize>, skip: usize, dir: &[u8]) -> Range<usize> {
        let slice = &self.paths[within.clone()];
        let lo = slice.partition_point(|p| before_dir(&p[skip..], dir));
        let len = slice[lo..].partition_point(|p| is_below(&p[skip..], dir));
        within.start + lo..within.start + lo + len
    }

    /// Is `path` a tracked gitlink?
    pub fn is_gitlink(&self, path: &[u8]) -> bool {
        self.gitlinks.binary_search(&path).is_ok()
    }
}

/// Does `path` start with `dir/`?
fn is_below(path: &[u8], dir: &[u8]) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path[dir.len()] == b'/'
}

/// Does `path` sort before every path starting with `dir/`?
fn before_dir(path: &[u8], dir: &[u8]) -> bool {
    let n = path.len().min(dir.len());
    match path[..n].cmp(&dir[..n]) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal if path.len() <= dir.len() => true,
        std::cmp::Ordering::Equal => path[dir.len()] < b'/',
    }
}

/// The number of `?` lines `git status --porcelain=v2` prints for `repo`.
///
/// `mode`: `None` takes `status.showUntrackedFiles` from `settings` (normal when unset).
/// `cache`: listings of unchanged directories are reused from it and it is updated (store
/// it with [`UntrackedCache::encode`]). A bare repository has none. An error only when
/// the work tree itself cannot be read or an ignore file is absurdly large.
pub fn count_untracked(
    repo: &Repo,
    tracked: &TrackedPaths<'_>,
    mode: Option<UntrackedMode>,
    settings: &UntrackedSettings,
    cache: Option<&mut UntrackedCache>,
) -> Result<u32, GitError> {
    count_untracked_with(repo, tracked, mode, settings, cache, 0)
}

/// [`count_untracked`] with `threads`: 1 reads every directory on the calling thread; any
/// other value first reads the directories that hold tracked paths on the engine's pool
/// ([`read_ahead`]), the caller included, when there are enough of them.
pub fn count_untracked_with(
    repo: &Repo,
    tracked: &TrackedPaths<'_>,
    mode: Option<UntrackedMode>,
    settings: &UntrackedSettings,
    mut cache: Option<&mut UntrackedCache>,
    threads: usize,
) -> Result<u32, GitError> {
    let Some(root) = repo.work_tree.as_deref() else {
        return Ok(0);
    };
    let mode = mode.or(settings.show_untracked).unwrap_or_default();
    if mode == UntrackedMode::No {
        return Ok(0);
    }
    let dir = Dir::open(root).map_err(|source| GitError::Io {
        path: root.to_owned(),
        source,
    })?;
    if let Some(cache) = cache.as_deref_mut() {
        cache.begin(root);
    }
    // The index's paths are spelled as on disk only when case matters.
    let ahead = if threads != 1 && !settings.ignore_case {
        read_ahead(&dir, tracked.paths, cache.as_deref())
    } else {
        HashMap::new()
    };
    // Case-insensitive lookups run over a lowercased, re-sorted copy of the index's paths.
    let owned = settings
        .ignore_case
        .then(|| (folded(tracked.paths), folded(tracked.gitlinks)));
    let refs = owned
        .as_ref()
        .map(|(paths, links)| (slices(paths), slices(links)));
    let view = refs
        .as_ref()
        .map(|(paths, gitlinks)| TrackedPaths { paths, gitlinks });
    let tracked = view.as_ref().unwrap_or(tracked);
    let mut walker = Walker::new(root, &dir, &repo.git_dir, tracked);
    walker.ahead = ahead;
    walker.excludes.fold = settings.ignore_case;
    walker.all_files = mode == UntrackedMode::All;
    walker.excludes.global = global_excludes(repo, settings)?;
    walker.cache = cache;
    walker.walk(&mut Vec::new(), 0..tracked.paths.len(), false)?;
    Ok(walker.count)
}

/// Fewest directories worth reading on the pool (waking workers costs tens of µs).
const READ_AHEAD_MIN_DIRS: usize = 16;

/// Reads, on the engine's pool (`engine::batch`, one directory per item), every directory
/// that holds tracked paths and that `cache` would not reuse: the walk enters each of
/// them unless an ignore rule excludes it, and then takes its listing from here instead
/// of reading it on its own thread. Each listing's stamp is taken before its entries, as
/// a read in the walk would. Keyed as the walk names directories (`""`, `"dir/sub/"`).
fn read_ahead(
    root: &Dir,
    paths: &[&[u8]],
    cache: Option<&UntrackedCache>,
) -> HashMap<Vec<u8>, (Stamp, Listing)> {
    let dirs: Vec<Vec<u8>> = directories_of(paths.iter().copied())
        .into_iter()
        .map(|dir| {
            let mut rel = dir.to_vec();
            if !rel.is_empty() {
                rel.push(b'/');
            }
            rel
        })
        .filter(|rel| cache.is_none_or(|c| c.wants_read_ahead(rel)))
        .collect();
    if dirs.len() < READ_AHEAD_MIN_DIRS {
        return HashMap::new();
    }
    let read: Vec<OnceLock<(Stamp, Listing)>> = dirs.iter().map(|_| OnceLock::new()).collect();
    crate::engine::batch::for_each(dirs.len(), |i| {
        if let Some(listing) = Listing::read(root, &dirs[i]) {
            let _ = read[i].set(listing);
        }
    });
    dirs.into_iter()
        .zip(read)
        .filter_map(|(rel, slot)| Some((rel, slot.into_inner()?)))
        .collect()
}

fn slices(list: &[Vec<u8>]) -> Vec<&[u8]> {
    list.iter().map(Vec::as_slice).collect()
}

/// `list` ASCII-lowercased, sorted and without repeats (for `core.ignoreCase`).
fn folded(list: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = list.iter().map(|p| p.to_ascii_lowercase()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// `info/exclude` of the common git directory, then `core.excludesFile`.
fn global_excludes(
    repo: &Repo,
    settings: &UntrackedSettings,
) -> Result<Vec<PatternList>, GitError> {
    let mut lists = Vec::new();
    let mut buf = Vec::new();
    let info = repo.common_dir.join("info/exclude");
    let files = [Some(info.as_path()), settings.excludes_file.as_deref()];
    for file in files.into_iter().flatten() {
        if read_ignore_file(file, true, &mut buf)? {
            if settings.ignore_case {
                buf.make_ascii_lowercase();
            }
            lists.push(PatternList::parse(&buf, b""));
        }
    }
    Ok(lists)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_below_a_directory_are_found_past_siblings_that_sort_between() {
        let paths: Vec<&[u8]> = vec![b"a-b", b"a.c", b"a/x", b"ab", b"b"];
        let t = TrackedPaths::new(&paths);
        assert!(t.has_paths_below(b"a"));
        assert!(!t.has_paths_below(b"a-b") && !t.has_paths_below(b"ab"));
        assert!(!t.has_paths_below(b"b") && !t.has_paths_below(b"0"));
        assert!(t.contains(b"a.c") && !t.contains(b"a"));
    }

    #[test]
    fn lookups_within_a_directory_range_compare_names_only() {
        let paths: Vec<&[u8]> = vec![b"a/b", b"a/c-d", b"a/c/e", b"a/c/f/g", b"a/d", b"b"];
        let t = TrackedPaths::new(&paths);
        let a = t.below(0..paths.len(), 0, b"a");
        assert_eq!(a, 0..5);
        assert_eq!(t.below(a.clone(), 2, b"c"), 2..4);
        assert!(t.below(a.clone(), 2, b"b").is_empty());
        assert!(t.contains_in(a.clone(), 2, b"c-d") && !t.contains_in(a.clone(), 2, b"c"));
        assert!(t.contains_in(2..4, 4, b"e") && !t.contains_in(2..4, 4, b"f"));
    }

    #[test]
    fn config_values_for_show_untracked() {
        assert_eq!(UntrackedMode::from_config(b"all"), Some(UntrackedMode::All));
        assert_eq!(UntrackedMode::from_config(b"no"), Some(UntrackedMode::No));
        assert_eq!(
            UntrackedMode::from_config(b"false"),
            Some(UntrackedMode::No)
        );
        assert_eq!(
            UntrackedMode::from_config(b"normal"),
            Some(UntrackedMode::Normal)
        );
        assert_eq!(UntrackedMode::from_config(b"weird"), None);
    }
}
