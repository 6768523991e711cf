//! The watcher's inotify watches and what each one is on ([`Place`]).
//!
//! Watched: every work-tree directory that holds tracked files (and their ancestors) or
//! that the untracked walk visits, each git directory (the worktree's own and the common
//! one) with its `refs/` tree, `info/` and `logs/refs/`, and the cache directory.
//! Ignored directories the walk never enters (build output, `node_modules`) are not
//! watched: nothing in them changes the status. Each watch costs the kernel about 1 KiB
//! and counts against the user's limit (`fs.inotify.max_user_watches`), which editors
//! and file managers share: a repository needing more than a quarter of that limit, or
//! more than [`MAX_WATCHES`] directories, is not watched at all (the one-shot refresher
//! serves it), and neither is one whose watches the kernel refuses, nor one on a network
//! or FUSE file system (inotify does not see changes another machine makes there).

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use super::changes::Place;
use crate::git::discover::Repo;
use crate::sys::inotify::{
    ATTRIB, CLOSE_WRITE, CREATE, DELETE, DELETE_SELF, DONT_FOLLOW, Inotify, MODIFY, MOVE_SELF,
    MOVED_FROM, MOVED_TO, ONLY_DIR, OPEN,
};

/// More directories than this are not watched (the one-shot refresher serves them).
pub const MAX_WATCHES: usize = 100_000;
/// The share of the user's inotify watch limit one repository may take (1/4).
const LIMIT_SHARE: usize = 4;

/// File systems whose changes inotify does not see when another machine makes them
/// (`statfs` magic numbers): NFS, SMB, CIFS, SMB2, FUSE, 9P, Ceph, AFS, Lustre, GPFS.
const REMOTE_FILE_SYSTEMS: [i64; 10] = [
    0x6969,
    0x517b,
    0xff53_4d42,
    0xfe53_4d42,
    0x6573_5546,
    0x0102_1997,
    0x00c3_6400,
    0x5346_414f,
    0x0bd0_0bd0,
    0x4750_4653,
];

const WORK_EVENTS: u32 = CREATE
    | DELETE
    | MOVED_FROM
    | MOVED_TO
    | MODIFY
    | CLOSE_WRITE
    | ATTRIB
    | DELETE_SELF
    | MOVE_SELF
    | ONLY_DIR
    | DONT_FOLLOW;
const GIT_EVENTS: u32 =
    CREATE | DELETE | MOVED_FROM | MOVED_TO | CLOSE_WRITE | DELETE_SELF | MOVE_SELF | ONLY_DIR;
const CACHE_EVENTS: u32 = OPEN | CREATE | DELETE_SELF | MOVE_SELF | ONLY_DIR;

/// The watches of one repository.
pub struct Watches {
    pub inotify: Inotify,
    places: HashMap<i32, Place>,
    /// The work-tree directories watched (relative, no trailing `/`).
    work: HashSet<Vec<u8>>,
    root: PathBuf,
    /// How many watches this repository may have.
    limit: usize,
}

/// [`MAX_WATCHES`], or a quarter of the user's limit when that is lower.
fn watch_limit() -> usize {
    std::fs::read_to_string("/proc/sys/fs/inotify/max_user_watches")
        .ok()
        .and_then(|text| text.trim().parse::<usize>().ok())
        .map_or(MAX_WATCHES, |limit| (limit / LIMIT_SHARE).min(MAX_WATCHES))
}

impl Watches {
    /// Watches the cache directory and the git directories of `repo` (whose work tree is
    /// `root`); the work-tree directories are added with [`Watches::add_work_dirs`].
    pub fn new(repo: &Repo, root: &Path, cache_dir: &Path) -> io::Result<Watches> {
        for dir in [root, repo.git_dir.as_path()] {
            if REMOTE_FILE_SYSTEMS.contains(&crate::sys::os::file_system_type(dir)?) {
                return Err(io::Error::other("a network or FUSE file system"));
            }
        }
        let mut watches = Watches {
            inotify: Inotify::new()?,
            places: HashMap::new(),
            work: HashSet::new(),
            root: root.to_owned(),
            limit: watch_limit(),
        };
        watches.add(cache_dir, CACHE_EVENTS, Place::Cache)?;
        let mut git_dirs = vec![repo.git_dir.clone()];
        if repo.common_dir != repo.git_dir {
            git_dirs.push(repo.common_dir.clone());
        }
        for dir in &git_dirs {
            watches.add(dir, GIT_EVENTS, Place::Git { top: true })?;
        }
        let common = &repo.common_dir;
        for sub in ["info", "logs/refs"] {
            watches.add_if_present(&common.join(sub), GIT_EVENTS, Place::Git { top: false })?;
        }
        watches.add_tree(&common.join("refs"))?;
        Ok(watches)
    }

    /// What watch `wd` is on.
    pub fn place(&self, wd: i32) -> Option<&Place> {
        self.places.get(&wd)
    }

    /// Watches the work-tree directories `dirs` (relative, with or without a trailing
    /// `/`); those already watched are skipped. Returns how many were new.
    pub fn add_work_dirs<'d>(
        &mut self,
        dirs: impl IntoIterator<Item = &'d [u8]>,
    ) -> io::Result<usize> {
        let mut added = 0;
        for dir in dirs {
            let dir = dir.strip_suffix(b"/").unwrap_or(dir);
            if !self.work.insert(dir.to_vec()) {
                continue;
            }
            let path = self.root.join(&*crate::sys::fs::os_str(dir));
            if self.add_if_present(&path, WORK_EVENTS, Place::Work(dir.to_vec()))? {
                added += 1;
            }
        }
        Ok(added)
    }

    /// Watches `path` (which must exist).
    fn add(&mut self, path: &Path, mask: u32, place: Place) -> io::Result<()> {
        if self.places.len() >= self.limit {
            return Err(io::Error::other("too many directories to watch"));
        }
        let wd = self.inotify.add_watch(path, mask)?;
        self.places.insert(wd, place);
        Ok(())
    }

    /// Watches `path` if it is a directory; whether it was. A directory that vanished
    /// or turned into something else is skipped (its parent reported it).
    fn add_if_present(&mut self, path: &Path, mask: u32, place: Place) -> io::Result<bool> {
        match self.add(path, mask, place) {
            Ok(()) => Ok(true),
            Err(e) if is_vanished(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Watches `top` and every directory below it (git's `refs/` tree).
    fn add_tree(&mut self, top: &Path) -> io::Result<()> {
        super::watch_tree(top, |dir| {
            self.add_if_present(dir, GIT_EVENTS, Place::Git { top: false })
        })
    }
}

/// A path that is missing, not a directory or a symlink (not watched through).
fn is_vanished(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOENT | libc::ENOTDIR | libc::ELOOP)
    )
}
