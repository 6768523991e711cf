//! Where the watcher learns of changes: inotify on Linux (`watches.rs`, `changes.rs`),
//! polling everywhere else, and on Linux too when `BLINKLINE_WATCHER=poll` (so the
//! portable path runs in Linux tests, not only compiles).
//!
//! The polling watcher has no events to go by: at every heartbeat it computes the whole
//! status again (`Watcher::verify`) and rewrites the record when the counts changed, so
//! a change shows within a heartbeat plus one computation. It notices a render reading
//! the record by its access time passing its modification time (the record is rewritten
//! as a new file, so the first read after a rewrite moves the access time even on
//! `relatime` mounts); where access times are not kept (`noatime`, Windows by default) the
//! watcher stops at its idle limit and the next render starts another. The lines marker
//! and vanished directories are seen by looking for them.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::changes::Pending;
use crate::git::discover::Repo;

/// How the watcher learns of changes, from `BLINKLINE_WATCHER`: `poll` forces polling;
/// anything else (or unset) takes the platform's notifications where it has them.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn polling_forced() -> bool {
    std::env::var("BLINKLINE_WATCHER").is_ok_and(|v| v.trim().eq_ignore_ascii_case("poll"))
}

/// Where the watcher learns of changes.
pub enum Source {
    /// The kernel says which names changed.
    #[cfg(target_os = "linux")]
    Inotify(super::watches::Watches),
    /// The watcher looks again at every heartbeat.
    Poll(Poll),
}

impl Source {
    /// The platform's notifications, or polling (forced, or where there are none).
    pub fn new(repo: &Repo, root: &Path, cache_dir: &Path, record: &str) -> io::Result<Source> {
        #[cfg(target_os = "linux")]
        if !polling_forced() {
            return super::watches::Watches::new(repo, root, cache_dir).map(Source::Inotify);
        }
        Ok(Source::Poll(Poll::new(repo, root, cache_dir, record)))
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
