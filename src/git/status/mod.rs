//! Exact status of tracked files without running git: what
//! `git status --porcelain=v2` reports for the index against HEAD (`X`) and against the
//! working tree (`Y`), counted with the rules of `porcelain::parse`. Untracked files and
//! stashes are the caller's (the untracked walk takes [`Tracked::paths`]).
//!
//! Layout:
//! - `index.rs` reads `.git/index` (versions 2–4) and `cache_tree.rs` its `TREE`
//!   extension;
//! - `config.rs` the settings that change the answer, from the files git reads;
//! - `worktree.rs` compares each entry with its file (`lstat` rules of git's
//!   `ie_match_stat`, content hashing in `content.rs` where stat data cannot decide);
//! - `staged.rs` compares the index with HEAD's tree, skipping what the cache-tree
//!   proves unchanged, and pairs exact renames;
//! - `reuse.rs` keeps earlier working-tree verdicts across an index change, for the git
//!   watcher, which also re-compares single entries with [`Tracked::recheck`].
//!
//! Counting (as `porcelain::parse`): staged when `X` is not `.` (renames count as
//! renamed instead); modified when `Y` is `M` or `T`; deleted when `Y` is `D`; each
//! conflicted path once. Intent-to-add entries show `Y = A` (counted nowhere) unless
//! their file is missing (`D`).
//!
//! Everything is read-only: the index is read, never refreshed or written, and
//! `index.lock` is never taken.
//!
//! # What is left to git ([`Unsupported`])
//! Where this engine cannot be exact it says so and the caller runs `git status`: split
//! and sparse indexes, unknown required index extensions, SHA-256 repositories,
//! submodules (gitlinks), config files with includes, `status.renames = copies`,
//! renames that need similarity detection (in the index, or an intent-to-add file beside
//! a deleted one in the working tree), content that git would convert before hashing
//! (attributes, `core.autocrlf`) when a file must be hashed, a skip-worktree `.gitignore`
//! missing from the work tree (git reads it from the index), and `git replace` refs and
//! an fsmonitor (`core.fsmonitor`), which change what git reads or looks at.
//!
//! # Where the time goes
//! The work is the kernel's: a profile shows `fstatat` (path walk, `ext4_getattr`,
//! security hooks) and little of our own code. Directory-relative lookups make the whole
//! tracked status cheaper than bare full-path `lstat`s. On a loaded two-core machine extra
//! threads buy nothing; on an idle multi-core machine the chunks run side by side on the
//! engine's pool, as git's preload threads do. Figures: BENCHMARKS.md, "Git" (`cargo bench --bench
//! git_status`).

pub mod cache_tree;
pub mod config;
pub mod content;
mod dirs;
pub mod index;
mod reuse;
pub mod staged;
pub mod worktree;

use std::fmt;
use std::path::PathBuf;

use crate::git::discover::Repo;
pub use crate::git::object::TreeEntry;
use crate::git::porcelain::Counts;
use crate::git::untracked::UntrackedSettings;
use crate::git::{GitError, RawOid};
pub use config::ConfigEnv;
pub use reuse::{Since, changed_directories};
pub use staged::TreeSource;
use worktree::Change;

/// A repository state this engine does not compute; the caller asks git instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsupported {
    IndexVersion(u32),
    /// The index is split (`link` extension, `core.splitIndex`).
    SplitIndex,
    /// A sparse index (`sdir` extension) holds directories as entries.
    SparseIndex,
    /// A required (lowercase) index extension this reader does not know.
    RequiredExtension([u8; 4]),
    /// `extensions.objectFormat` is not SHA-1.
    Sha256,
    /// A submodule entry, or a nested repository where a file was.
    Gitlink,
    /// An index entry with a mode git does not write.
    EntryMode(u32),
    /// Content that git could convert before hashing (attributes, autocrlf).
    ContentFilters,
    /// `core.symlinks = false` with a symlink entry.
    SymlinksOff,
    /// A config file uses `include`/`includeIf`.
    ConfigInclude,
    /// Additions and deletions that only similarity detection could pair.
    InexactRenames,
    /// `status.renames = copies`.
    CopyDetection,
    /// Paths nested deeper than the walk handles.
    TooDeep,
    /// A file to hash is larger than `content::MAX_HASHED_FILE`.
    FileTooLarge,
    /// A bare repository has no working tree.
    Bare,
    /// A worker thread stopped without an answer.
    WorkerFailed,
    /// Settings given in the environment (`GIT_CONFIG_PARAMETERS`, `GIT_CONFIG_COUNT`,
    /// `GIT_CONFIG_SYSTEM`), which only git applies.
    ConfigEnvironment,
    /// A skip-worktree `.gitignore` missing from the work tree: git reads it from the
    /// index.
    SkipWorktreeIgnoreFile,
    /// An intent-to-add file and a deleted one that git may pair as a rename in the
    /// working-tree column (`2 .R`), which needs similarity detection.
    IntentToAddRename,
    /// `git replace` refs: git reads the replacement of each replaced object.
    ReplaceRefs,
    /// `core.fsmonitor`: a hook or daemon tells git what changed.
    Fsmonitor,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::IndexVersion(v) => write!(f, "index version {v}"),
            Unsupported::SplitIndex => f.write_str("split index"),
            Unsupported::SparseIndex => f.write_str("sparse index"),
            Unsupported::RequiredExtension(sig) => {
                write!(f, "index extension `{}`", String::from_utf8_lossy(sig))
            }
            Unsupported::Sha256 => f.write_str("SHA-256 repository"),
            Unsupported::Gitlink => f.write_str("submodule"),
            Unsupported::EntryMode(mode) => write!(f, "index entry mode {mode:o}"),
            Unsupported::ContentFilters => f.write_str("content filters may apply"),
            Unsupported::SymlinksOff => f.write_str("core.symlinks is false"),
            Unsupported::ConfigInclude => f.write_str("config includes"),
            Unsupported::InexactRenames => f.write_str("renames need similarity detection"),
            Unsupported::CopyDetection => f.write_str("status.renames = copies"),
            Unsupported::TooDeep => f.write_str("paths nested too deep"),
            Unsupported::FileTooLarge => f.write_str("file too large to hash"),
            Unsupported::Bare => f.write_str("bare repository"),
            Unsupported::WorkerFailed => f.write_str("a status worker failed"),
            Unsupported::ConfigEnvironment => f.write_str("git settings in the environment"),
            Unsupported::SkipWorktreeIgnoreFile => {
                f.write_str("a skip-worktree .gitignore is read from the index")
            }
            Unsupported::IntentToAddRename => {
                f.write_str("an intent-to-add file may be a rename of a deleted one")
            }
            Unsupported::ReplaceRefs => f.write_str("replace refs"),
            Unsupported::Fsmonitor => f.write_str("core.fsmonitor"),
        }
    }
}

/// Why no counts came back.
#[derive(Debug)]
pub enum StatusError {
    /// Not an error: a state left to `git status`.
    Unsupported(Unsupported),
    /// A file could not be read or is damaged.
    Git(GitError),
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusError::Unsupported(why) => write!(f, "left to git status: {why}"),
            StatusError::Git(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StatusError {}

/// How to run (defaults: the process environment, one thread per allowed CPU).
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub config_env: ConfigEnv,
    /// 1: the working-tree compare runs on the calling thread alone; any other value runs a
    /// large index's compare in chunks on the engine's pool (`engine::batch`).
    pub threads: usize,
    /// The index file instead of `GIT_DIR/index` (git's `GIT_INDEX_FILE`).
    pub index_file: Option<PathBuf>,
}

impl Options {
    /// From this process's environment (`GIT_INDEX_FILE`, the config locations).
    pub fn from_process() -> Options {
        Options {
            config_env: ConfigEnv::from_process(),
            threads: 0,
            index_file: std::env::var_os("GIT_INDEX_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// The tracked-file status of a repository.
#[derive(Debug)]
pub struct Tracked {
    /// Counts with `untracked` and `stash` left at 0 for the caller.
    pub counts: Counts,
    /// Trees read from the object store by the staged comparison.
    pub trees_read: u32,
    /// The untracked walk's settings, from the config files read for this status.
    pub untracked_settings: UntrackedSettings,
    index: index::Index,
    /// What comparing entries with their files again needs ([`Tracked::recheck`]).
    worktree: Retained,
}

/// The working-tree side of a computed status, kept so a watcher can re-compare the few
/// entries whose files changed instead of all of them.
#[derive(Debug)]
struct Retained {
    root: PathBuf,
    config: config::StatusConfig,
    index_mtime: i64,
    filters_everywhere: bool,
    changes: Vec<Change>,
}

impl Tracked {
    /// Every tracked path once, sorted bytewise (the order git's untracked walk needs).
    pub fn paths(&self) -> impl Iterator<Item = &[u8]> {
        let mut last: Option<&[u8]> = None;
        self.index.entries.iter().filter_map(move |e| {
            let path = self.index.path(e);
            (last != Some(path)).then(|| {
                last = Some(path);
                path
            })
        })
    }

    /// Every directory holding tracked files, and each of its ancestors, once (`""` for
    /// the top of the work tree, no trailing `/`): the directories a watcher must watch.
    pub fn directories(&self) -> Vec<&[u8]> {
        directories_of(self.paths())
    }

    /// Compares the entries at `paths` (work-tree relative; names that are not tracked
    /// are skipped) with their files again, as [`tracked_status_with`] did, and updates the
    /// modified and deleted counts. For a caller that knows nothing else changed: the
    /// index, HEAD and every other file are as they were.
    pub fn recheck<'p>(
        &mut self,
        paths: impl IntoIterator<Item = &'p [u8]>,
    ) -> Result<(), StatusError> {
        let r = &self.worktree;
        let inputs = worktree::Inputs {
            index: &self.index,
            root: &r.root,
            config: &r.config,
            index_mtime: r.index_mtime,
            filters_everywhere: r.filters_everywhere,
            hashing: None,
        };
        let mut updates = Vec::new();
        for path in paths {
            let first = self
                .index
                .entries
                .partition_point(|e| self.index.path(e) < path);
            let same = self.index.entries[first..]
                .iter()
                .take_while(|e| self.index.path(e) == path)
                .count();
            for i in first..first + same {
                updates.push((i, worktree::compare_one(&inputs, i)?));
            }
        }
        for (i, change) in updates {
            self.worktree.changes[i] = change;
        }
        worktree_renames(
            &self.index,
            &self.worktree.changes,
            self.worktree.config.renames,
            &self.worktree.root,
        )?;
        let (modified, deleted) = worktree_counts(&self.worktree.changes);
        self.counts.modified = modified;
        self.counts.deleted = deleted;
        Ok(())
    }
}

/// The directories holding `paths` (work-tree relative, `/`-separated, sorted bytewise as
/// in the index), and each of their ancestors, once (`""` for the top, no trailing `/`),
/// in order of first appearance. The paths below a directory form one run of the sorted
/// list, so a directory is new exactly when the previous path's directory is not inside
/// it: one pass, no sort of every ancestor of every path.
pub fn directories_of<'p>(paths: impl Iterator<Item = &'p [u8]>) -> Vec<&'p [u8]> {
    let mut dirs: Vec<&[u8]> = vec![b""];
    let mut last: &[u8] = b"";
    for path in paths {
        let dir = memchr::memrchr(b'/', path).map_or(&b""[..], |slash| &path[..slash]);
        if dir == last {
            continue;
        }
        let mut end = 0;
        while let Some(slash) = memchr::memchr(b'/', &path[end..]) {
            end += slash;
            let ancestor = &path[..end];
            let shared =
                last.starts_with(ancestor) && last.get(ancestor.len()).is_none_or(|&b| b == b'/');
            if !shared {
                dirs.push(ancestor);
            }
            end += 1;
        }
        last = dir;
    }
    dirs
}

/// git's working-tree diff treats intent-to-add files as new and, with renames on, pairs
/// them with deleted files (`2 .R`, counted as renamed, not deleted): that needs
/// similarity detection, so such a state is left to git. Only a deleted entry with
/// content can pair with a non-empty file (git rejects a size change from 0 before
/// comparing), so deleted empty entries (intent-to-add ones among them) beside non-empty
/// new files are counted here.
fn worktree_renames(
    index: &index::Index,
    changes: &[Change],
    renames: config::Renames,
    root: &std::path::Path,
) -> Result<(), StatusError> {
    if renames == config::Renames::Off || !changes.contains(&Change::New) {
        return Ok(());
    }
    let defer = Err(StatusError::Unsupported(Unsupported::IntentToAddRename));
    let mut empty_source = false;
    for (entry, change) in index.entries.iter().zip(changes) {
        if *change == Change::Deleted {
            if entry.oid != content::EMPTY_BLOB {
                return defer;
            }
            empty_source = true;
        }
    }
    if !empty_source {
        return Ok(());
    }
    for (entry, change) in index.entries.iter().zip(changes) {
        if *change == Change::New {
            let path = root.join(&*crate::sys::fs::os_str(index.path(entry)));
            if std::fs::symlink_metadata(path).map_or(true, |m| m.len() == 0) {
                return defer;
            }
        }
    }
    Ok(())
}

/// The modified (`M` or `T`) and deleted (`D`) counts of the working-tree column.
fn worktree_counts(changes: &[Change]) -> (u32, u32) {
    let mut counts = (0, 0);
    for change in changes {
        counts.0 += u32::from(matches!(change, Change::Modified | Change::TypeChanged));
        counts.1 += u32::from(*change == Change::Deleted);
    }
    counts
}

/// The tracked status of `repo` under `options`; `head_tree` is the tree of the commit
/// HEAD points to (`None` on an unborn branch), `trees` reads tree objects.
pub fn tracked_status_with(
    repo: &Repo,
    head_tree: Option<RawOid>,
    trees: &dyn TreeSource,
    options: &Options,
) -> Result<Tracked, StatusError> {
    tracked_status_since(repo, head_tree, trees, options, None)
}

/// [`tracked_status_with`] for a caller that watched the work tree since an earlier
/// status (`since`): entries whose index data is unchanged and whose path did not change
/// keep their working-tree verdict instead of being compared again (`reuse.rs`).
pub fn tracked_status_since(
    repo: &Repo,
    head_tree: Option<RawOid>,
    trees: &dyn TreeSource,
    options: &Options,
    since: Option<Since<'_>>,
) -> Result<Tracked, StatusError> {
    tracked(repo, head_tree, trees, options, since, None)
}

/// [`tracked_status_with`] hashing no more than `budget` allows (`content::HashBudget`):
/// for a render computing the status inline. Past the budget it gives up with
/// [`GitError::TooCostly`] rather than run past the frame's deadline.
pub fn tracked_status_within(
    repo: &Repo,
    head_tree: Option<RawOid>,
    trees: &dyn TreeSource,
    options: &Options,
    budget: content::HashBudget,
) -> Result<Tracked, StatusError> {
    tracked(repo, head_tree, trees, options, None, Some(budget))
}

fn tracked(
    repo: &Repo,
    head_tree: Option<RawOid>,
    trees: &dyn TreeSource,
    options: &Options,
    since: Option<Since<'_>>,
    budget: Option<content::HashBudget>,
) -> Result<Tracked, StatusError> {
    let root = repo
        .work_tree
        .as_deref()
        .ok_or(StatusError::Unsupported(Unsupported::Bare))?;
    let config = config::load(repo, &options.config_env)?;
    let index_path = match &options.index_file {
        Some(path) => path.clone(),
        None => repo.git_dir.join("index"),
    };
    let (index, index_mtime) = index::read(&index_path)?;
    let hashing = budget.map(content::Hashing::new);
    let inputs = worktree::Inputs {
        index: &index,
        root,
        config: &config,
        index_mtime: index_mtime.0,
        filters_everywhere: filters_everywhere(repo, &config, &index),
        hashing: hashing.as_ref(),
    };
    let changes = match since {
        Some(since) => reuse::compare_since(&inputs, &since, options.threads)?,
        None => worktree::compare(&inputs, options.threads)?,
    };
    worktree_renames(&index, &changes, config.renames, root)?;
    let filters_everywhere = inputs.filters_everywhere;
    let staged = staged::compare(&index, head_tree, trees, config.renames)?;
    let (modified, deleted) = worktree_counts(&changes);
    let counts = Counts {
        staged: staged.changed,
        renamed: staged.renamed,
        modified,
        deleted,
        conflicted: conflicted_paths(&index),
        ..Counts::default()
    };
    Ok(Tracked {
        counts,
        trees_read: staged.trees_read,
        untracked_settings: config.untracked.clone(),
        index,
        worktree: Retained {
            root: root.to_owned(),
            config,
            index_mtime: index_mtime.0,
            filters_everywhere,
            changes,
        },
    })
}

/// Paths with conflict stages, each once.
fn conflicted_paths(index: &index::Index) -> u32 {
    let mut count = 0;
    let mut last: Option<&[u8]> = None;
    for entry in index.entries.iter().filter(|e| e.stage() != 0) {
        let path = index.path(entry);
        if last != Some(path) {
            count += 1;
            last = Some(path);
        }
    }
    count
}

/// Could content conversion apply to any file (so a file that must be hashed is left
/// to git)? Per-directory `.gitattributes` on disk are checked per file in `content.rs`.
fn filters_everywhere(repo: &Repo, config: &config::StatusConfig, index: &index::Index) -> bool {
    let info_attributes: PathBuf = repo.common_dir.join("info/attributes");
    config.autocrlf
        || config.global_attributes
        || info_attributes.exists()
        || index.entries.iter().any(|e| {
            let path = index.path(e);
            path == b".gitattributes" || path.ends_with(b"/.gitattributes")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ancestor of every path, sorted and deduplicated: the plain answer.
    fn reference<'p>(paths: &[&'p [u8]]) -> Vec<&'p [u8]> {
        let mut dirs: Vec<&[u8]> = vec![b""];
        for path in paths {
            for (i, &b) in path.iter().enumerate() {
                if b == b'/' {
                    dirs.push(&path[..i]);
                }
            }
        }
        dirs.sort_unstable();
        dirs.dedup();
        dirs
    }

    #[test]
    fn directories_of_sorted_paths_are_each_directory_once() {
        let names: [&[u8]; 6] = [b"a", b"a-x", b"a.c", b"b", b"ab", b"a/b-c"];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..300 {
            let mut owned: Vec<Vec<u8>> = (0..next(40))
                .map(|_| {
                    let depth = next(4) + 1;
                    let parts: Vec<&[u8]> = (0..depth).map(|_| names[next(names.len())]).collect();
                    parts.join(&b'/')
                })
                .collect();
            owned.sort();
            owned.dedup();
            let paths: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
            let mut got = directories_of(paths.iter().copied());
            let count = got.len();
            got.sort_unstable();
            got.dedup();
            assert_eq!(count, got.len(), "a directory twice for {paths:?}");
            assert_eq!(got, reference(&paths), "for {paths:?}");
        }
    }
}
