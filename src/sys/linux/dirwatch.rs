//! Directory change wake-ups on Linux, over inotify: the same contract as the macOS
//! back-end (kqueue), so what is built on it runs in Linux tests too.
//!
//! A [`DirWatch`] says *that* a name in a watched directory was created, removed or
//! renamed (or that the directory itself went), never which name, and never that a
//! file's contents were written in place: kqueue's `EVFILT_VNODE` on a directory reports
//! no more than that, and this back-end keeps to it on purpose. Callers look for what
//! changed themselves (the git watcher computes the status again, the session follower
//! `stat`s its records).

use std::io;
use std::path::Path;
use std::time::Duration;

use super::inotify::{
    CREATE, DELETE, DELETE_SELF, DONT_FOLLOW, Inotify, MOVE_SELF, MOVED_FROM, MOVED_TO, ONLY_DIR,
};

/// What a directory's watch reports: names appearing, vanishing or renamed, and the
/// directory itself removed or renamed.
const NAME_EVENTS: u32 =
    CREATE | DELETE | MOVED_FROM | MOVED_TO | DELETE_SELF | MOVE_SELF | ONLY_DIR | DONT_FOLLOW;

/// A set of watched directories and the queue of their changes.
pub struct DirWatch {
    inotify: Inotify,
    buf: Vec<u8>,
}

impl DirWatch {
    pub fn new() -> io::Result<DirWatch> {
        Ok(DirWatch {
            inotify: Inotify::new()?,
            buf: Vec::new(),
        })
    }

    /// Watches the directory `path` (not through a symlink). `ENOENT`/`ENOTDIR` when it
    /// is not a directory; `ENOSPC` at the user's watch limit.
    pub fn add(&mut self, path: &Path) -> io::Result<()> {
        self.inotify.add_watch(path, NAME_EVENTS).map(drop)
    }

    /// Waits until a watched directory changed or `timeout` passed (`None`: no limit),
    /// then empties the queue; whether anything changed. A signal ends the wait early
    /// with `false`.
    pub fn wait(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        if !self.inotify.wait(timeout)? {
            return Ok(false);
        }
        let mut any = false;
        while self.inotify.read_into(&mut self.buf)? > 0 {
            any = true;
        }
        Ok(any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_created_renamed_and_removed_wake_a_write_in_place_does_not() {
        let dir = crate::tempdir::TempDir::new("dirwatch").unwrap();
        std::fs::write(dir.join("a"), "a").unwrap();
        let mut watch = DirWatch::new().unwrap();
        watch.add(&dir).unwrap();
        let quiet = Some(Duration::from_millis(50));
        assert!(!watch.wait(quiet).unwrap(), "nothing happened yet");
        std::fs::write(dir.join("a"), "rewritten").unwrap();
        assert!(
            !watch.wait(quiet).unwrap(),
            "kqueue would not see this either"
        );
        std::fs::write(dir.join("b"), "b").unwrap();
        assert!(watch.wait(quiet).unwrap(), "a new name");
        assert!(!watch.wait(quiet).unwrap(), "the queue was emptied");
        std::fs::rename(dir.join("b"), dir.join("c")).unwrap();
        assert!(watch.wait(quiet).unwrap(), "a rename");
        std::fs::remove_file(dir.join("c")).unwrap();
        assert!(watch.wait(quiet).unwrap(), "a removal");
    }

    #[test]
    fn a_file_or_a_missing_path_is_refused() {
        let dir = crate::tempdir::TempDir::new("dirwatch-refused").unwrap();
        std::fs::write(dir.join("f"), "f").unwrap();
        let mut watch = DirWatch::new().unwrap();
        assert!(watch.add(&dir.join("f")).is_err());
        assert!(watch.add(&dir.join("missing")).is_err());
    }
}
