//! The own status engine's entry point: everything `git status --porcelain=v2 --branch
//! --show-stash` reports that the git widgets count, computed without a git process.
//!
//! [`status`] puts the parts together:
//! - HEAD's tree: the commit is read loose when it is (right after a commit it is), else
//!   from the object store (commit-graph or pack); an unborn branch has none;
//! - the tracked side (`status/`): index against HEAD and against the working tree;
//! - untracked files (`untracked/`) in the mode `status.showUntrackedFiles` sets, with an
//!   optional per-directory listing cache kept in the cross-process cache;
//! - the stash count: the entries of `logs/refs/stash` in the common directory (what
//!   `--show-stash` counts: one reflog line per stash);
//! - ahead/behind of HEAD against its upstream (`object/ahead_behind.rs`), bounded.
//!
//! The object store is opened lazily ([`LazyStore`]): a clean repository whose
//! cache-tree matches HEAD and whose HEAD commit is loose reads no pack at all.
//!
//! Settings given in the environment (`GIT_CONFIG_PARAMETERS` from `git -c`,
//! `GIT_CONFIG_COUNT`, `GIT_CONFIG_SYSTEM`) are left to git; `GIT_INDEX_FILE` is ignored,
//! as the git fallback ignores it (the record is keyed on `GIT_DIR/index`).
//!
//! [`StatusError::Unsupported`] means "ask git": the caller (`refresh.rs`) then runs
//! `git status`. A [`StatusError::Git`] also goes to git, which gives the authoritative
//! answer or error. Read next: `refresh.rs`, `probe.rs`.

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::path::Path;

use crate::cache::{Cache, MAX_RECORD};
use crate::git::discover::Repo;
use crate::git::object::loose::read_loose;
use crate::git::object::parse::parse_commit;
use crate::git::object::{ObjectKind, ObjectStore, WalkBudget, ahead_behind_within};
use crate::git::porcelain::{Counts, Porcelain};
use crate::git::record::Snapshot;
use crate::git::refs::has_replace_refs;
use crate::git::status::content::HashBudget;
use crate::git::status::{self, StatusError, TreeEntry, TreeSource, Unsupported};
use crate::git::untracked::{self, TrackedPaths, UntrackedCache};
use crate::git::{GitError, Oid, RawOid, read_into};

impl TreeSource for ObjectStore {
    fn tree(&self, oid: &RawOid) -> Result<Vec<TreeEntry>, GitError> {
        ObjectStore::tree(self, oid)
    }
}

/// An object store opened on first use (opening reads every pack index).
pub struct LazyStore<'a> {
    common_dir: &'a Path,
    store: OnceCell<ObjectStore>,
}

impl<'a> LazyStore<'a> {
    pub fn new(common_dir: &'a Path) -> LazyStore<'a> {
        LazyStore {
            common_dir,
            store: OnceCell::new(),
        }
    }

    /// The store, opened now if it was not yet.
    pub fn get(&self) -> Result<&ObjectStore, GitError> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = ObjectStore::open(self.common_dir)?;
        Ok(self.store.get_or_init(|| store))
    }

    /// Whether the store was opened.
    pub fn opened(&self) -> bool {
        self.store.get().is_some()
    }

    /// The root tree of commit `oid`: from its loose object when there is one (no pack
    /// index read), else from the store.
    pub fn commit_tree(&self, oid: &RawOid) -> Result<RawOid, GitError> {
        let objects = self.common_dir.join("objects");
        let (mut file, mut data) = (Vec::new(), Vec::new());
        if let Some(ObjectKind::Commit) = read_loose(&objects, oid, &mut file, &mut data)? {
            return parse_commit(&data)
                .map(|c| c.tree)
                .map_err(|what| GitError::Corrupt {
                    path: objects,
                    what,
                });
        }
        let store = self.get()?;
        store.commit_tree(&store.peel_to_commit(oid)?)
    }
}

impl TreeSource for LazyStore<'_> {
    fn tree(&self, oid: &RawOid) -> Result<Vec<TreeEntry>, GitError> {
        TreeSource::tree(self.get()?, oid)
    }
}

/// How the engine runs.
#[derive(Default)]
pub struct EngineOptions<'c> {
    /// 1: the working-tree compare and the untracked walk on the calling thread alone;
    /// otherwise both run on the engine's pool for large work trees.
    pub threads: usize,
    /// Where the untracked listing cache lives (the cache and the record name), if kept.
    pub untracked_cache: Option<(&'c Cache, &'c str)>,
    /// The most an ahead/behind walk may cost.
    pub ab_budget: WalkBudget,
    /// Leave ahead/behind out (`None`): the caller computes it on its own terms.
    pub skip_ahead_behind: bool,
    /// What hashing files may cost (`None`: no limit); past it the status fails with
    /// `GitError::TooCostly` (a render computing inline, see `inline.rs`).
    pub hash_budget: Option<HashBudget>,
}

/// The record name of the untracked listing cache that goes with status record `record`.
pub fn untracked_cache_name(record: &str) -> String {
    crate::cache::record_name("untracked", &[record.as_bytes()])
}

/// The binary form of a commit id; a SHA-256 id is left to git.
fn raw(oid: &Oid) -> Result<RawOid, StatusError> {
    RawOid::from_hex(oid).ok_or(StatusError::Unsupported(Unsupported::Sha256))
}

/// What `git status --porcelain=v2 --branch --show-stash` would report, counted, for the
/// repository `repo` whose state `snap` was read just before.
pub fn status(
    repo: &Repo,
    snap: &Snapshot,
    options: &EngineOptions<'_>,
) -> Result<Porcelain, StatusError> {
    let listing = options
        .untracked_cache
        .map(|(cache, record)| load_listing(repo, cache, record));
    let parts = status_parts(repo, snap, options, listing)?;
    if let (Some((cache, record)), Some(listing)) = (options.untracked_cache, &parts.listing) {
        store_listing(cache, record, listing);
    }
    Ok(parts.porcelain())
}

/// A computed status in the parts a watcher (`git/watch/`) recomputes one by one: the
/// tracked side with what re-comparing single entries needs, the untracked listing cache,
/// the stash count and ahead/behind.
pub struct StatusParts {
    pub tracked: status::Tracked,
    /// The untracked listing cache the walk used and refreshed (`None`: walked without).
    pub listing: Option<UntrackedCache>,
    pub untracked: u32,
    pub stash: u32,
    pub ahead_behind: Option<(u32, u32)>,
    /// As [`EngineOptions::threads`], for the untracked walk.
    pub threads: usize,
}

impl StatusParts {
    /// The counts and ahead/behind, as [`status`] returns them.
    pub fn porcelain(&self) -> Porcelain {
        Porcelain {
            counts: Counts {
                untracked: self.untracked,
                stash: self.stash,
                ..self.tracked.counts
            },
            ahead_behind: self.ahead_behind,
        }
    }

    /// Counts the untracked files again (names appeared or vanished in the work tree, or
    /// an ignore file changed), reusing the listings of unchanged directories.
    pub fn recount_untracked(&mut self, repo: &Repo) -> Result<(), StatusError> {
        let paths: Vec<&[u8]> = self.tracked.paths().collect();
        let settings = &self.tracked.untracked_settings;
        let listing = self.listing.as_mut();
        self.untracked = untracked::count_untracked_with(
            repo,
            &TrackedPaths::new(&paths),
            None,
            settings,
            listing,
            self.threads,
        )
        .map_err(StatusError::Git)?;
        Ok(())
    }
}

/// What a watcher saw between two computations of [`StatusParts`].
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeenChanges {
    /// Work-tree paths whose files changed.
    pub paths: BTreeSet<Vec<u8>>,
    /// Directories where names appeared or vanished (`""` or `"dir/sub/"`).
    pub dirs: BTreeSet<Vec<u8>>,
    /// An ignore file changed (`.gitignore`, `info/exclude`) or the config did.
    pub ignores: bool,
}

impl StatusParts {
    /// Computes everything again after a git directory changed (index, `HEAD`, refs,
    /// stash, config), reusing what `seen` proves unchanged: the working-tree verdicts of
    /// entries whose index data and file are as before (`status::Since`), and the
    /// untracked counts of subtrees where neither a tracked path nor a name changed.
    pub fn recompute_after(
        &mut self,
        repo: &Repo,
        snap: &Snapshot,
        options: &EngineOptions<'_>,
        seen: &SeenChanges,
    ) -> Result<(), StatusError> {
        let store = LazyStore::new(&repo.common_dir);
        let head_tree = head_tree(&store, snap)?;
        let since = status::Since {
            previous: &self.tracked,
            changed: &seen.paths,
        };
        let tracked = status::tracked_status_since(
            repo,
            head_tree,
            &store,
            &status_options(options),
            Some(since),
        )?;
        let mut dirs = status::changed_directories(&self.tracked, &tracked);
        dirs.extend(seen.dirs.iter().cloned());
        let same_settings = tracked.untracked_settings == self.tracked.untracked_settings;
        if let Some(listing) = self.listing.as_mut() {
            if seen.ignores || !same_settings {
                listing.forget_subtotals();
            } else {
                listing.reuse_subtotals(dirs.into_iter().collect());
            }
        }
        self.tracked = tracked;
        self.recount_untracked(repo)?;
        self.stash = stash_count(&repo.common_dir).map_err(StatusError::Git)?;
        self.ahead_behind = ahead_behind_of(&store, snap, options)?;
        Ok(())
    }
}

/// The tree of the commit `HEAD` points to (`None` on an unborn branch). Settings given
/// in the environment are checked first: only git applies them.
fn head_tree(store: &LazyStore<'_>, snap: &Snapshot) -> Result<Option<RawOid>, StatusError> {
    if config_in_environment() {
        return Err(StatusError::Unsupported(Unsupported::ConfigEnvironment));
    }
    if has_replace_refs(store.common_dir) {
        return Err(StatusError::Unsupported(Unsupported::ReplaceRefs));
    }
    match &snap.oid {
        Some(oid) => Ok(Some(
            store.commit_tree(&raw(oid)?).map_err(StatusError::Git)?,
        )),
        None => Ok(None),
    }
}

/// The tracked side's options: the record's key is the stat data of `GIT_DIR/index`, so
/// that is the index read (the git fallback drops `GIT_INDEX_FILE` too).
fn status_options(options: &EngineOptions<'_>) -> status::Options {
    status::Options {
        threads: options.threads,
        index_file: None,
        ..status::Options::from_process()
    }
}

/// Ahead/behind of HEAD against its upstream within the budget, unless left out.
fn ahead_behind_of(
    store: &LazyStore<'_>,
    snap: &Snapshot,
    options: &EngineOptions<'_>,
) -> Result<Option<(u32, u32)>, StatusError> {
    match (&snap.oid, &snap.upstream) {
        (Some(head), Some(up)) if !options.skip_ahead_behind => {
            let store = store.get().map_err(StatusError::Git)?;
            let ab = ahead_behind_within(store, &raw(head)?, &raw(up)?, options.ab_budget);
            Ok(Some(ab.map_err(StatusError::Git)?))
        }
        _ => Ok(None),
    }
}

/// [`status`] in parts, walking with `listing` when given (and keeping it refreshed).
pub fn status_parts(
    repo: &Repo,
    snap: &Snapshot,
    options: &EngineOptions<'_>,
    listing: Option<UntrackedCache>,
) -> Result<StatusParts, StatusError> {
    let store = LazyStore::new(&repo.common_dir);
    let head_tree = head_tree(&store, snap)?;
    let status_options = status_options(options);
    let tracked = match options.hash_budget {
        Some(budget) => {
            status::tracked_status_within(repo, head_tree, &store, &status_options, budget)?
        }
        None => status::tracked_status_with(repo, head_tree, &store, &status_options)?,
    };
    let mut parts = StatusParts {
        tracked,
        listing,
        untracked: 0,
        stash: stash_count(&repo.common_dir).map_err(StatusError::Git)?,
        ahead_behind: None,
        threads: options.threads,
    };
    parts.recount_untracked(repo)?;
    parts.ahead_behind = ahead_behind_of(&store, snap, options)?;
    Ok(parts)
}

/// Are git settings given in the environment (`git -c`, `GIT_CONFIG_COUNT`, another
/// system file)? Only git applies them.
fn config_in_environment() -> bool {
    [
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_SYSTEM",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// The untracked listing cache kept in the cross-process cache for status record
/// `record`, or an empty one.
pub fn load_listing(repo: &Repo, cache: &Cache, record: &str) -> UntrackedCache {
    cache
        .read(&untracked_cache_name(record))
        .and_then(|bytes| UntrackedCache::decode(&bytes))
        .unwrap_or_else(|| UntrackedCache::new(repo.work_tree.as_deref().unwrap_or(Path::new(""))))
}

/// Stores the listing cache back, unless the last walk changed nothing in it or it is
/// past the cache's record limit. A cache that cannot be written costs the next walk its
/// speed, nothing else.
pub fn store_listing(cache: &Cache, record: &str, listing: &UntrackedCache) {
    if listing.unchanged_by_last_walk() {
        return;
    }
    let bytes = listing.encode();
    if bytes.len() <= MAX_RECORD {
        let _ = cache.write(&untracked_cache_name(record), &bytes);
    }
}

/// The number of stashes: entries of the `refs/stash` reflog (one line each).
pub fn stash_count(common_dir: &Path) -> Result<u32, GitError> {
    let mut log = Vec::new();
    if !read_into(&common_dir.join("logs/refs/stash"), &mut log)? {
        return Ok(0);
    }
    let lines = log.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
    Ok(u32::try_from(lines).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::discover::{GitEnv, discover};
    use crate::git::record::inspect;
    use crate::git::refs::Scratch;
    use crate::git::test_repo::{git, with_commit};

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn a_clean_repository_with_a_loose_head_opens_no_pack() {
        let repo = with_commit("engine-lazy");
        git(&repo.root, &["gc", "-q"]);
        std::fs::write(repo.root.join("b.txt"), "b\n").unwrap();
        git(&repo.root, &["add", "b.txt"]);
        git(&repo.root, &["commit", "-qm", "two"]);
        let found = discover(&repo.root, &GitEnv::default()).unwrap().unwrap();
        let snap = inspect(&found, &mut Scratch::default()).unwrap();
        let store = LazyStore::new(&found.common_dir);
        let tree = store
            .commit_tree(&raw(&snap.oid.unwrap()).unwrap())
            .unwrap();
        assert!(
            !store.opened(),
            "the loose HEAD commit was read without the store"
        );
        let full = ObjectStore::open(&found.common_dir).unwrap();
        assert_eq!(
            tree,
            full.commit_tree(&raw(&snap.oid.unwrap()).unwrap()).unwrap()
        );
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "needs git")]
    fn stashes_are_counted_as_git_counts_them() {
        let repo = with_commit("engine-stash");
        let found = discover(&repo.root, &GitEnv::default()).unwrap().unwrap();
        assert_eq!(stash_count(&found.common_dir).unwrap(), 0);
        for n in 1..=3 {
            std::fs::write(repo.root.join("a.txt"), format!("change {n}\n")).unwrap();
            git(&repo.root, &["stash", "-q"]);
        }
        let listed = std::process::Command::new("git")
            .args(["stash", "list"])
            .current_dir(&repo.root)
            .output()
            .unwrap();
        let expected = listed
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(stash_count(&found.common_dir).unwrap() as usize, expected);
        assert_eq!(expected, 3);
    }
}
