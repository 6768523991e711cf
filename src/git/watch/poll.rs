//! Where the watcher learns of changes: inotify on Linux (`watches.rs`, `changes.rs`),
//! directory wake-ups on macOS ([`Dirs`], kqueue), polling elsewhere. On Linux
//! `BLINKLINE_WATCHER=dirs` selects the wake-ups (over inotify, reporting no more than
//! kqueue does) and `BLINKLINE_WATCHER=poll` polling, so both portable paths run in Linux
//! tests, not only compile.
//!
//! The polling watcher has no events to go by: at every heartbeat it computes the whole
//! status again (`Watcher::verify`) and rewrites the record when the counts changed, so
//! a change shows within a heartbeat plus one computation. It notices a render reading
//! the record by its access time passing its modification time (the record is rewritten
//! as a new file, so the first read after a rewrite moves the access time even on
//! `relatime` mounts); where access times are not kept (`noatime`, Windows by default) the
//! watcher stops at its idle limit and the next render starts another. The lines marker
//! and vanished directories are seen by looking for them.
//!
//! The wake-up watcher ([`Dirs`]) polls the same way, and is also woken as soon as a name
//! is created, removed or renamed in a watched directory (the work tree's directories, the
//! git directories and their `refs/` tree): new and deleted files, editors that save by
//! renaming, and every git command (git replaces the index, `HEAD` and refs by renaming a
//! lock file) show within one computation instead of up to a heartbeat later. A file
//! written in place changes no directory, so it still waits for the heartbeat. The cache
//! directory is not watched: the watcher's own record rewrites would wake it.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::changes::Pending;
use crate::git::discover::Repo;

/// How the watcher learns of changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The platform's best: inotify on Linux, directory wake-ups on macOS, polling
    /// elsewhere.
    Native,
    /// Directory wake-ups plus polling (`BLINKLINE_WATCHER=dirs`).
    Dirs,
    /// Polling only (`BLINKLINE_WATCHER=poll`).
    Poll,
}

/// The mode `BLINKLINE_WATCHER` asks for: `poll`, `dirs`, anything else (or unset) the
/// platform's best.
pub fn mode() -> Mode {
    match std::env::var("BLINKLINE_WATCHER") {
        Ok(v) if v.trim().eq_ignore_ascii_case("poll") => Mode::Poll,
        Ok(v) if v.trim().eq_ignore_ascii_case("dirs") => Mode::Dirs,
        _ => Mode::Native,
    }
}

/// Where the watcher learns of changes.
pub enum Source {
    /// The kernel says which names changed.
    #[cfg(target_os = "linux")]
    Inotify(super::watches::Watches),
    /// The kernel says that a directory changed; the watcher looks again then and at
    /// every heartbeat.
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    Dirs(Dirs),
    /// The watcher looks again at every heartbeat.
    Poll(Poll),
}

impl Source {
    /// The platform's notifications, or polling (forced, or where there are none).
    pub fn new(repo: &Repo, root: &Path, cache_dir: &Path, record: &str) -> io::Result<Source> {
        let poll = Poll::new(repo, root, cache_dir, record);
        match mode() {
            Mode::Poll => Ok(Source::Poll(poll)),
            #[cfg(target_os = "linux")]
            Mode::Native => {
                super::watches::Watches::new(repo, root, cache_dir).map(Source::Inotify)
            }
            #[cfg(any(target_os = "linux", target_os = "macos"))]
            _ => Dirs::new(repo, root, poll).map(Source::Dirs),
            #[cfg(not(any(target_os = "linux", target_os = "macos")))]
            _ => Ok(Source::Poll(poll)),
        }
    }

    /// Watches the work-tree directories `dirs`; how many were new (none when polling:
    /// every look covers the whole tree).
    pub fn add_work_dirs<'d>(
        &mut self,
        dirs: impl IntoIterator<Item = &'d [u8]>,
    ) -> io::Result<usize> {
        match self {
            #[cfg(target_os = "linux")]
            Source::Inotify(watches) => watches.add_work_dirs(dirs),
            #[cfg(any(target_os = "linux", target_os = "macos"))]
            Source::Dirs(watch) => {
                watch.add_work_dirs(dirs);
                Ok(0)
            }
            Source::Poll(_) => {
                drop(dirs.into_iter());
                Ok(0)
            }
        }
    }
}

/// The polling watcher's view of the directories it depends on and the cache files
/// renders touch.
pub struct Poll {
    /// The work tree, the git directories and the cache directory: one vanishing stops
    /// the watcher.
    needed: Vec<PathBuf>,
    record: PathBuf,
    lines_marker: PathBuf,
}

impl Poll {
    fn new(repo: &Repo, root: &Path, cache_dir: &Path, record: &str) -> Poll {
        let mut needed = vec![root.to_owned(), repo.git_dir.clone(), cache_dir.to_owned()];
        if repo.common_dir != repo.git_dir {
            needed.push(repo.common_dir.clone());
        }
        Poll {
            needed,
            record: cache_dir.join(record),
            lines_marker: cache_dir.join(super::lines_marker(record)),
        }
    }

    /// Sleeps for `wait`, then notes in `pending` what a look finds: something needed
    /// vanished, a render read the record, a render asked for lines.
    pub fn poll(&self, wait: Duration, pending: &mut Pending) {
        std::thread::sleep(wait);
        self.look(pending);
    }

    /// Notes in `pending` what a look finds now.
    fn look(&self, pending: &mut Pending) {
        if self.needed.iter().any(|dir| !dir.is_dir()) {
            pending.gone = true;
            return;
        }
        if let Some((read, written)) = std::fs::metadata(&self.record)
            .ok()
            .and_then(|meta| Some((meta.accessed().ok()?, meta.modified().ok()?)))
        {
            pending.used |= read > written;
        }
        pending.wants_lines |= self.lines_marker.exists();
    }
}

/// Directories whose names are watched (`sys::dirwatch`), and the polling look.
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub struct Dirs {
    watch: crate::sys::dirwatch::DirWatch,
    poll: Poll,
    root: PathBuf,
    /// The work-tree directories watched (relative, no trailing `/`) and their inode: a
    /// directory removed and made again under the same name is watched again.
    work: std::collections::HashMap<Vec<u8>, u64>,
    /// No more watches could be added (the open-file or watch limit): the directories
    /// left out are seen at the heartbeat only.
    full: bool,
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
impl Dirs {
    /// Watches the git directories (the worktree's, the common one and its `refs/` tree,
    /// so a commit, a checkout or a branch update wakes the watcher); the work tree's
    /// directories come with [`Source::add_work_dirs`].
    fn new(repo: &Repo, root: &Path, poll: Poll) -> io::Result<Dirs> {
        let mut dirs = Dirs {
            watch: crate::sys::dirwatch::DirWatch::new()?,
            poll,
            root: root.to_owned(),
            work: std::collections::HashMap::new(),
            full: false,
        };
        dirs.watch.add(&repo.git_dir)?;
        if repo.common_dir != repo.git_dir {
            dirs.watch.add(&repo.common_dir)?;
        }
        super::watch_tree(&repo.common_dir.join("refs"), |dir| Ok(dirs.add(dir)))?;
        Ok(dirs)
    }

    /// Watches `path`; whether it is watched. A directory that is gone is skipped; any
    /// other refusal (a limit) stops adding watches.
    fn add(&mut self, path: &Path) -> bool {
        if self.full {
            return false;
        }
        match self.watch.add(path) {
            Ok(()) => true,
            Err(e)
                if e.kind() == io::ErrorKind::NotFound
                    || e.kind() == io::ErrorKind::NotADirectory =>
            {
                false
            }
            Err(_) => {
                self.full = true;
                false
            }
        }
    }

    fn add_work_dirs<'d>(&mut self, dirs: impl IntoIterator<Item = &'d [u8]>) {
        for dir in dirs {
            if self.full {
                return;
            }
            let dir = dir.strip_suffix(b"/").unwrap_or(dir);
            let path = self.root.join(&*crate::sys::fs::os_str(dir));
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let ino = crate::sys::fs::stat_of(&meta).ino;
            if self.work.get(dir) != Some(&ino) && self.add(&path) {
                self.work.insert(dir.to_vec(), ino);
            }
        }
    }

    /// Waits up to `wait` for a watched directory to change, then notes in `pending`
    /// what a look finds. Either way the caller computes the status again.
    pub fn wait(&mut self, wait: Duration, pending: &mut Pending) {
        if self.watch.wait(Some(wait)).is_err() {
            // A broken queue: fall back to the heartbeat.
            std::thread::sleep(wait);
        }
        self.poll.look(pending);
    }
}
