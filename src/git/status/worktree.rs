//! The working-tree side of status (the `Y` column): each stage-0 index entry compared
//! with the file on disk, with the rules of git's `ie_match_stat` / `ie_modified`
//! (read-cache.c) and `check_removed` (diff-lib.c):
//!
//! - missing file, or a leading directory that is a symlink or not a directory: `D`;
//!   a plain directory where a file was: `D` (a nested repository there: unsupported);
//! - assume-valid entries are not looked at (clean), nor are skip-worktree ones unless
//!   sparse checkout is on and their path exists (git drops the bit then);
//! - intent-to-add entries are "new" (`A`, counted nowhere) unless missing (`D`);
//! - type (file vs symlink) and, with `core.fileMode`, the owner's executable bit;
//! - stat data: mtime seconds, with `core.checkStat` (not `minimal`) ctime (only with
//!   `core.trustCtime`), uid, gid and inode; size. git as built by default ignores
//!   sub-second times (`USE_NSEC` off) and `st_dev` (`USE_STDEV` off), and so does this;
//! - a size change is a change, except for entries recorded with size 0 (and not the
//!   empty blob) which, like "racily clean" entries (mtime at or after the index file's),
//!   are decided by hashing the content (`content.rs`), within the caller's hashing
//!   budget when it has one (an inline render: past it the status gives up with
//!   `GitError::TooCostly` and the refresher computes it).
//!
//! Files are looked up directory-relative (`sys::fsat`): each directory is opened
//! once with `O_NOFOLLOW` and its files are `fstatat`ed by name. The entries are split
//! into contiguous chunks run on the engine's pool of pinned workers (`engine::batch`), the
//! calling thread taking chunks too.
//!
//! Read next: `dirs.rs`, `content.rs`.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use super::config::StatusConfig;
use super::content::{self, EMPTY_BLOB, Hashed, Hashing};
use super::dirs::{DirStack, corrupt_path, is_missing, valid_component};
use super::index::{Entry, Index};
use super::{StatusError, Unsupported};
use crate::git::GitError;
use crate::sys::fsat::FileStat;

/// What the working tree shows for one entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Change {
    #[default]
    Clean,
    /// Content or executable bit differs (`M`).
    Modified,
    /// File became symlink or the other way round (`T`).
    TypeChanged,
    /// Missing (`D`).
    Deleted,
    /// An intent-to-add entry whose file exists (`A`).
    New,
}

const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFLNK: u32 = 0o120000;
const S_IFDIR: u32 = 0o040000;
const S_IFGITLINK: u32 = 0o160000;

/// Entries below which one thread does all the work (waking workers costs more, see mod.rs).
const PARALLEL_MIN_ENTRIES: usize = 2048;
/// Entries per pool item: small enough that two to sixteen workers share the work evenly,
/// large enough that opening the chunk's directories again is noise.
const CHUNK_ENTRIES: usize = 512;

/// Everything a worker needs, shared read-only.
pub struct Inputs<'a> {
    pub index: &'a Index,
    pub root: &'a Path,
    pub config: &'a StatusConfig,
    /// The index file's mtime seconds (the "racy" threshold).
    pub index_mtime: i64,
    /// Content conversion could apply anywhere (see `content::needs_filters`).
    pub filters_everywhere: bool,
    /// What hashing may still cost (`None`: unbounded).
    pub hashing: Option<&'a Hashing>,
}

/// The change of every entry (same order as `index.entries`; `Clean` for entries not
/// compared: conflicted stages, skip-worktree, assume-valid). `threads` = 1 compares on the
/// calling thread alone; any other value splits a large index into chunks of
/// [`CHUNK_ENTRIES`] run on the engine's pool (`engine::batch`), the caller included.
pub fn compare(inputs: &Inputs<'_>, threads: usize) -> Result<Vec<Change>, StatusError> {
    let entries = &inputs.index.entries;
    let mut changes = vec![Change::Clean; entries.len()];
    if threads == 1 || entries.len() < PARALLEL_MIN_ENTRIES {
        return compare_range(inputs, 0, &mut changes).map(|()| changes);
    }
    let chunks: Vec<Mutex<ChunkOut<'_>>> = changes
        .chunks_mut(CHUNK_ENTRIES)
        .map(|out| Mutex::new((out, Ok(()))))
        .collect();
    crate::engine::batch::for_each(chunks.len(), |i| {
        // Each chunk is locked by its one item only: the lock is never contended.
        let mut chunk = chunks[i].lock().unwrap_or_else(PoisonError::into_inner);
        let (out, result) = &mut *chunk;
        *result = compare_range(inputs, i * CHUNK_ENTRIES, out);
    });
    // The first failing chunk in index order decides, as a serial compare would.
    for chunk in chunks {
        chunk
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .1?;
    }
    Ok(changes)
}

/// One chunk's changes and how its compare ended.
type ChunkOut<'a> = (&'a mut [Change], Result<(), StatusError>);

/// Compares the entries starting at `first` into `out`.
fn compare_range(inputs: &Inputs<'_>, first: usize, out: &mut [Change]) -> Result<(), StatusError> {
    let mut dirs = DirStack::open(inputs.root)?;
    let entries = &inputs.index.entries[first..first + out.len()];
    for (entry, change) in entries.iter().zip(out.iter_mut()) {
        let path = inputs.index.path(entry);
        if left_out(inputs, entry, path)? {
            continue;
        }
        if entry.mode & S_IFMT == S_IFGITLINK {
            return Err(StatusError::Unsupported(Unsupported::Gitlink));
        }
        *change = compare_entry(inputs, &mut dirs, entry, path)?;
    }
    Ok(())
}

/// Compares entry `i` alone (a watcher saw its file change); `Clean` for entries that are
/// not compared (conflict stages, skip-worktree, assume-valid).
pub fn compare_one(inputs: &Inputs<'_>, i: usize) -> Result<Change, StatusError> {
    let entry = &inputs.index.entries[i];
    let path = inputs.index.path(entry);
    if left_out(inputs, entry, path)? {
        return Ok(Change::Clean);
    }
    if entry.mode & S_IFMT == S_IFGITLINK {
        return Err(StatusError::Unsupported(Unsupported::Gitlink));
    }
    let mut dirs = DirStack::open(inputs.root)?;
    compare_entry(inputs, &mut dirs, entry, path)
}

/// Is the entry not compared (its change stays `Clean`)? Conflict stages and
/// assume-valid entries never are. Skip-worktree entries are not, unless sparse checkout
/// is on and something is at their path: git then drops the bit and compares them as any
/// other entry (`clear_skip_worktree_from_present_files`, which uses `lstat`).
///
/// A skip-worktree `.gitignore` that cannot be opened as a file is read by git from the
/// index (`read_skip_worktree_file_from_index` in dir.c); when its directory exists, the
/// untracked walk could read it, so the status is left to git.
fn left_out(inputs: &Inputs<'_>, entry: &Entry, path: &[u8]) -> Result<bool, StatusError> {
    if entry.stage() != 0 {
        return Ok(true);
    }
    if entry.skip_worktree() {
        let is_ignore_file = path == b".gitignore" || path.ends_with(b"/.gitignore");
        if !inputs.config.sparse_present_files && !is_ignore_file {
            return Ok(true);
        }
        let full = inputs.root.join(&*crate::sys::fs::os_str(path));
        let found = std::fs::symlink_metadata(&full);
        if is_ignore_file && !found.as_ref().is_ok_and(|m| m.is_file()) {
            let dir_exists = full
                .parent()
                .is_some_and(|dir| std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()));
            if dir_exists {
                return Err(StatusError::Unsupported(
                    Unsupported::SkipWorktreeIgnoreFile,
                ));
            }
        }
        if !(inputs.config.sparse_present_files && found.is_ok()) {
            return Ok(true);
        }
    }
    Ok(entry.assume_valid())
}

fn io_error(inputs: &Inputs<'_>, path: &[u8], source: std::io::Error) -> StatusError {
    StatusError::Git(GitError::Io {
        path: inputs.root.join(&*crate::sys::fs::os_str(path)),
        source,
    })
}

fn compare_entry(
    inputs: &Inputs<'_>,
    dirs: &mut DirStack,
    entry: &Entry,
    path: &[u8],
) -> Result<Change, StatusError> {
    let (dir, base) = match memchr::memrchr(b'/', path) {
        Some(slash) => (&path[..slash], &path[slash + 1..]),
        None => (&b""[..], path),
    };
    if !valid_component(base) {
        return Err(StatusError::Git(corrupt_path()));
    }
    if !dirs.enter(dir)? {
        return Ok(Change::Deleted);
    }
    let st = match dirs.stat(base)? {
        Ok(st) => st,
        Err(e) if is_missing(&e) => return Ok(Change::Deleted),
        Err(e) => return Err(io_error(inputs, path, e)),
    };
    if st.mode & S_IFMT == S_IFDIR {
        return directory_in_place_of_file(inputs, path);
    }
    if entry.intent_to_add() {
        return Ok(Change::New);
    }
    if entry.mode & S_IFMT == S_IFLNK && !inputs.config.symlinks {
        return Err(StatusError::Unsupported(Unsupported::SymlinksOff));
    }
    let changed = match_stat(entry, &st, inputs.config)?;
    if changed.type_or_mode() {
        return Ok(
            if (st.mode & S_IFMT == S_IFLNK) != (entry.mode & S_IFMT == S_IFLNK) {
                Change::TypeChanged
            } else {
                Change::Modified
            },
        );
    }
    let racy = !changed.any() && is_racy(inputs.index_mtime, entry);
    let undecided = changed.data && entry.size == 0;
    let stat_only = changed.any() && !changed.data;
    if changed.data && entry.size != 0 {
        return Ok(Change::Modified);
    }
    if !(racy || undecided || stat_only) {
        return Ok(Change::Clean);
    }
    compare_content(inputs, entry, path, &st)
}

/// Hashes the file (or symlink target) and compares it with the entry's blob.
fn compare_content(
    inputs: &Inputs<'_>,
    entry: &Entry,
    path: &[u8],
    st: &FileStat,
) -> Result<Change, StatusError> {
    if st.mode & S_IFMT == S_IFREG
        && content::needs_filters(inputs.filters_everywhere, inputs.root, path)
    {
        return Err(StatusError::Unsupported(Unsupported::ContentFilters));
    }
    let full = inputs.root.join(&*crate::sys::fs::os_str(path));
    let hashed = match st.mode & S_IFMT {
        S_IFREG => content::compare_file(&full, st.size, &entry.oid, inputs.hashing),
        S_IFLNK => content::compare_link(&full, &entry.oid),
        _ => return Ok(Change::Modified),
    };
    match hashed {
        Ok(Hashed::Same) => Ok(Change::Clean),
        Ok(Hashed::Different) => Ok(Change::Modified),
        Ok(Hashed::TooLarge) => Err(StatusError::Unsupported(Unsupported::FileTooLarge)),
        Ok(Hashed::OverBudget) => Err(StatusError::Git(GitError::TooCostly {
            what: "git: hashing a file would pass the render's budget",
        })),
        Err(e) if is_missing(&e) => Ok(Change::Deleted),
        Err(e) => Err(io_error(inputs, path, e)),
    }
}

/// git's `check_removed`: a directory where a file was is a removal, unless it is the
/// top of another repository (then git compares it as a submodule; left to git).
fn directory_in_place_of_file(inputs: &Inputs<'_>, path: &[u8]) -> Result<Change, StatusError> {
    let dot_git = inputs
        .root
        .join(&*crate::sys::fs::os_str(path))
        .join(".git");
    if std::fs::symlink_metadata(dot_git).is_ok() {
        return Err(StatusError::Unsupported(Unsupported::Gitlink));
    }
    Ok(Change::Deleted)
}

/// Which kinds of stat difference `match_stat` found.
#[derive(Clone, Copy, Default)]
struct Changed {
    type_changed: bool,
    mode: bool,
    stat: bool,
    data: bool,
}

impl Changed {
    fn type_or_mode(self) -> bool {
        self.type_changed || self.mode
    }
    fn any(self) -> bool {
        self.type_changed || self.mode || self.stat || self.data
    }
}

/// git's `ce_match_stat_basic` + `match_stat_data` (without `USE_NSEC`/`USE_STDEV`).
fn match_stat(entry: &Entry, st: &FileStat, config: &StatusConfig) -> Result<Changed, StatusError> {
    let mut changed = Changed::default();
    let file_type = st.mode & S_IFMT;
    match entry.mode & S_IFMT {
        S_IFREG => {
            changed.type_changed = file_type != S_IFREG;
            changed.mode = config.file_mode && (entry.mode ^ st.mode) & 0o100 != 0;
        }
        S_IFLNK => {
            changed.type_changed =
                file_type != S_IFLNK && (config.symlinks || file_type != S_IFREG);
        }
        _ => return Err(StatusError::Unsupported(Unsupported::EntryMode(entry.mode))),
    }
    // git compares the low 32 bits of every field (its index stores 32-bit values).
    let check = config.check_stat;
    changed.stat = entry.mtime.0 != st.mtime as u32
        || (config.trust_ctime && check && entry.ctime.0 != st.ctime as u32)
        || (check && (entry.uid != st.uid || entry.gid != st.gid || entry.ino != st.ino as u32));
    changed.data = entry.size != st.size as u32 || (entry.size == 0 && entry.oid != EMPTY_BLOB);
    Ok(changed)
}

/// git's `is_racy_stat` (seconds only): the entry was written no earlier than the index.
fn is_racy(index_mtime: i64, entry: &Entry) -> bool {
    index_mtime != 0 && (index_mtime as u32) <= entry.mtime.0
}
