//! The working-tree side of status (the `Y` column): each stage-0 index entry compared
//! with the file on disk, with the rules of git's `ie_match_stat` / `ie_modified`
//! (read-cache.c) and `check_removed` (diff-lib.c):
//!
//! - missing file, or a leading directory that is a symlink or not a directory: `D`;
//!   a plain directory where a file was: `D` (a nested repository there: unsupported);
//! - skip-worktree and assume-valid entries are not looked at (clean);
//! - intent-to-add entries are "new" (`A`, counted nowhere) unless missing (`D`);
//! - type (file vs symlink) and, with `core.fileMode`, the owner's executable bit;
//! - stat data: mtime seconds, with `core.checkStat` (not `minimal`) ctime (only with
//!   `core.trustCtime`), uid, gid and inode; size. git as built by default ignores
//!   sub-second times (`USE_NSEC` off) and `st_dev` (`USE_STDEV` off), and so does this;
//! - a size change is a change, except for entries recorded with size 0 (and not the
//!   empty blob) which, like "racily clean" entries (mtime at or after the index file's),
//!   are decided by hashing the content (`content.rs`).
//!
//! Files are looked up directory-relative (`engine::fsat`): each directory is opened
//! once with `O_NOFOLLOW` and its files are `fstatat`ed by name. The entries are split
//! into one contiguous chunk per allowed CPU, run on `std::thread::scope` threads (the
//! engine's pinned pool takes only `'static` jobs and has no "wait for this batch").
//!
//! Read next: `content.rs`.

use std::ffi::CStr;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use super::config::StatusConfig;
use super::content::{self, EMPTY_BLOB, Hashed};
use super::index::{Entry, Index};
use super::{StatusError, Unsupported};
use crate::engine::fsat::{self, FileStat};
use crate::git::GitError;

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

/// Entries below which one thread does all the work (spawning costs more, see mod.rs).
const PARALLEL_MIN_ENTRIES: usize = 2048;
/// Deepest directory nesting handled.
const MAX_DEPTH: usize = 256;

/// Everything a worker needs, shared read-only.
pub struct Inputs<'a> {
    pub index: &'a Index,
    pub root: &'a Path,
    pub config: &'a StatusConfig,
    /// The index file's mtime seconds (the "racy" threshold).
    pub index_mtime: i64,
    /// Content conversion could apply anywhere (see `content::needs_filters`).
    pub filters_everywhere: bool,
}

/// The change of every entry (same order as `index.entries`; `Clean` for entries not
/// compared: conflicted stages, skip-worktree, assume-valid). `threads` = 0 picks one
/// per allowed CPU when the index is large enough to pay for the threads.
pub fn compare(inputs: &Inputs<'_>, threads: usize) -> Result<Vec<Change>, StatusError> {
    let entries = &inputs.index.entries;
    let mut changes = vec![Change::Clean; entries.len()];
    let threads = match threads {
        0 if entries.len() < PARALLEL_MIN_ENTRIES => 1,
        0 => crate::engine::pool::allowed_cpus().len().max(1),
        n => n.min(entries.len().max(1)),
    };
    if threads == 1 {
        return compare_range(inputs, 0, &mut changes).map(|()| changes);
    }
    let chunk = entries.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let jobs: Vec<_> = changes
            .chunks_mut(chunk)
            .enumerate()
            .map(|(i, out)| scope.spawn(move || compare_range(inputs, i * chunk, out)))
            .collect();
        jobs.into_iter().try_for_each(|job| {
            job.join()
                .unwrap_or(Err(StatusError::Unsupported(Unsupported::WorkerFailed)))
        })
    })?;
    Ok(changes)
}

/// Compares the entries starting at `first` into `out`.
fn compare_range(inputs: &Inputs<'_>, first: usize, out: &mut [Change]) -> Result<(), StatusError> {
    let mut dirs = DirStack::open(inputs.root)?;
    let entries = &inputs.index.entries[first..first + out.len()];
    for (entry, change) in entries.iter().zip(out.iter_mut()) {
        if entry.stage() != 0 || entry.skip_worktree() || entry.assume_valid() {
            continue;
        }
        if entry.mode & S_IFMT == S_IFGITLINK {
            return Err(StatusError::Unsupported(Unsupported::Gitlink));
        }
        let path = inputs.index.path(entry);
        *change = compare_entry(inputs, &mut dirs, entry, path)?;
    }
    Ok(())
}

fn io_error(inputs: &Inputs<'_>, path: &[u8], source: std::io::Error) -> StatusError {
    use std::os::unix::ffi::OsStrExt;
    StatusError::Git(GitError::Io {
        path: inputs.root.join(std::ffi::OsStr::from_bytes(path)),
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
    use std::os::unix::ffi::OsStrExt;
    if st.mode & S_IFMT == S_IFREG
        && content::needs_filters(inputs.filters_everywhere, inputs.root, path)
    {
        return Err(StatusError::Unsupported(Unsupported::ContentFilters));
    }
    let full = inputs.root.join(std::ffi::OsStr::from_bytes(path));
    let hashed = match st.mode & S_IFMT {
        S_IFREG => content::compare_file(&full, st.size, &entry.oid),
        S_IFLNK => content::compare_link(&full, &entry.oid),
        _ => return Ok(Change::Modified),
    };
    match hashed {
        Ok(Hashed::Same) => Ok(Change::Clean),
        Ok(Hashed::Different) => Ok(Change::Modified),
        Ok(Hashed::TooLarge) => Err(StatusError::Unsupported(Unsupported::FileTooLarge)),
        Err(e) if is_missing(&e) => Ok(Change::Deleted),
        Err(e) => Err(io_error(inputs, path, e)),
    }
}

/// git's `check_removed`: a directory where a file was is a removal, unless it is the
/// top of another repository (then git compares it as a submodule; left to git).
fn directory_in_place_of_file(inputs: &Inputs<'_>, path: &[u8]) -> Result<Change, StatusError> {
    use std::os::unix::ffi::OsStrExt;
    let dot_git = inputs
        .root
        .join(std::ffi::OsStr::from_bytes(path))
        .join(".git");
    if std::fs::symlink_metadata(dot_git).is_ok() {
        return Err(StatusError::Unsupported(Unsupported::Gitlink));
    }
    Ok(Change::Deleted)
}

fn is_missing(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOENT | libc::ENOTDIR | libc::ELOOP)
    )
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

/// Open descriptors for the directories leading to the current one, so consecutive
/// entries of the same directory cost one `fstatat` each.
struct DirStack {
    root: OwnedFd,
    /// Descriptors of `current`'s components, outermost first.
    fds: Vec<OwnedFd>,
    /// The directory the stack stands in (`a/b`), empty for the root.
    current: Vec<u8>,
    /// The last directory that could not be opened (its files are all missing).
    missing: Option<Vec<u8>>,
    name: Vec<u8>,
}

impl DirStack {
    fn open(root: &Path) -> Result<DirStack, StatusError> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(root)
            .map_err(|source| {
                StatusError::Git(GitError::Io {
                    path: root.to_owned(),
                    source,
                })
            })?;
        Ok(DirStack {
            root: OwnedFd::from(file),
            fds: Vec::new(),
            current: Vec::new(),
            missing: None,
            name: Vec::new(),
        })
    }

    /// `lstat` of `name` in the directory last entered.
    fn stat(&mut self, name: &[u8]) -> Result<std::io::Result<FileStat>, StatusError> {
        self.name.clear();
        self.name.extend_from_slice(name);
        self.name.push(0);
        // Index paths never hold NUL (checked when read); still an error, not a panic.
        let name =
            CStr::from_bytes_with_nul(&self.name).map_err(|_| StatusError::Git(corrupt_path()))?;
        let dir = self.fds.last().map_or(self.root.as_fd(), |fd| fd.as_fd());
        Ok(fsat::lstat_at(dir, name))
    }

    /// Stands in `dir` (`a/b`, empty for the root); false when it or a leading
    /// directory is missing, a symlink or not a directory.
    fn enter(&mut self, dir: &[u8]) -> Result<bool, StatusError> {
        if self
            .missing
            .as_deref()
            .is_some_and(|m| dir == m || dir.starts_with(m) && dir.get(m.len()) == Some(&b'/'))
        {
            return Ok(false);
        }
        if dir != self.current {
            self.missing = None;
            let keep = self.common_levels(dir);
            self.fds.truncate(keep);
            self.current.truncate(prefix_len(&self.current, keep));
            return self.descend(dir);
        }
        Ok(true)
    }

    /// How many leading components of `current` `dir` shares.
    fn common_levels(&self, dir: &[u8]) -> usize {
        let mut levels = 0;
        let (mut a, mut b) = (
            self.current.split(|&c| c == b'/'),
            dir.split(|&c| c == b'/'),
        );
        while let (Some(x), Some(y)) = (a.next(), b.next()) {
            if x != y || x.is_empty() {
                break;
            }
            levels += 1;
        }
        levels.min(self.fds.len())
    }

    /// Opens `dir`'s components below the current level; false when one cannot be.
    fn descend(&mut self, dir: &[u8]) -> Result<bool, StatusError> {
        if dir.is_empty() {
            return Ok(true);
        }
        let have = self.fds.len();
        for component in dir.split(|&c| c == b'/').skip(have) {
            if !valid_component(component) {
                return Err(StatusError::Git(corrupt_path()));
            }
            if self.fds.len() >= MAX_DEPTH {
                return Err(StatusError::Unsupported(Unsupported::TooDeep));
            }
            self.name.clear();
            self.name.extend_from_slice(component);
            self.name.push(0);
            let name = CStr::from_bytes_with_nul(&self.name)
                .map_err(|_| StatusError::Git(corrupt_path()))?;
            let parent = self.fds.last().map_or(self.root.as_fd(), |fd| fd.as_fd());
            let opened = fsat::open_subdir(parent, name);
            match opened {
                Ok(fd) => {
                    if !self.current.is_empty() {
                        self.current.push(b'/');
                    }
                    self.current.extend_from_slice(component);
                    self.fds.push(fd);
                }
                Err(e) if is_missing(&e) => {
                    let end = prefix_len(dir, self.fds.len() + 1);
                    self.missing = Some(dir[..end].to_vec());
                    return Ok(false);
                }
                Err(e) => {
                    return Err(StatusError::Git(GitError::Io {
                        path: std::path::PathBuf::from(String::from_utf8_lossy(dir).into_owned()),
                        source: e,
                    }));
                }
            }
        }
        Ok(true)
    }
}

/// Length of the first `levels` components of `path`.
fn prefix_len(path: &[u8], levels: usize) -> usize {
    if levels == 0 {
        return 0;
    }
    path.iter()
        .enumerate()
        .filter(|&(_, &c)| c == b'/')
        .nth(levels - 1)
        .map_or(path.len(), |(i, _)| i)
}

/// git's `verify_path` refuses these components; an index holding them is damaged.
fn valid_component(c: &[u8]) -> bool {
    !(c.is_empty() || c == b"." || c == b".." || c.eq_ignore_ascii_case(b".git"))
}

fn corrupt_path() -> GitError {
    GitError::Corrupt {
        path: std::path::PathBuf::from("index"),
        what: "git index: a path with an empty, `.`, `..` or `.git` component",
    }
}
