//! A temporary directory that removes itself.
//!
//! [`TempDir`] owns a fresh directory under the system temporary directory and deletes it,
//! with everything in it, when it is dropped: at the end of a scope, and also while a test
//! unwinds from a failed assertion. `blinkline bench` keeps its private cache home and its
//! payload file in one, and so do the unit tests, the integration tests and the criterion
//! benches, so that running them leaves nothing behind.
//!
//! Names are `blinkline-{tag}-{pid}-{n}`: the process id keeps processes apart and the
//! counter `n` keeps calls within one process apart, so tests running in parallel never
//! share a directory. The directory is created with mode 0700 (only its owner can look in).
//! A process killed outright (SIGKILL) cannot run its drops; a later process that gets the
//! same pid clears the old directory before using the name.

use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A directory under [`std::env::temp_dir`], removed recursively on drop.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `blinkline-{tag}-{pid}-{n}`, empty, mode 0700. The error names the path.
    pub fn new(tag: &str) -> io::Result<TempDir> {
        static SERIAL: AtomicUsize = AtomicUsize::new(0);
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        let name = format!("blinkline-{tag}-{}-{serial}", std::process::id());
        TempDir::create(std::env::temp_dir().join(name))
    }

    fn create(path: PathBuf) -> io::Result<TempDir> {
        // Left by an earlier process with this pid that was killed before its drops ran.
        let _ = std::fs::remove_dir_all(&path);
        match crate::sys::fs::private_dir(&mut std::fs::DirBuilder::new()).create(&path) {
            Ok(()) => Ok(TempDir { path }),
            Err(e) => {
                let message = format!("cannot create {}: {e}", path.display());
                Err(io::Error::new(e.kind(), message))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Already gone (a test may delete it on purpose) or not removable: nothing to do.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_gets_a_fresh_private_directory() {
        let (a, b) = (TempDir::new("t").unwrap(), TempDir::new("t").unwrap());
        assert_ne!(a.path(), b.path());
        assert!(a.starts_with(std::env::temp_dir()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&a).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        assert_eq!(std::fs::read_dir(&a).unwrap().count(), 0);
    }

    #[test]
    fn dropping_removes_the_directory_and_everything_in_it() {
        let dir = TempDir::new("drop").unwrap();
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join("a/b/f"), b"x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("a", dir.join("link")).unwrap();
        let path = dir.to_path_buf();
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn a_panicking_test_still_removes_its_directory() {
        let (sender, receiver) = std::sync::mpsc::channel();
        let outcome = std::thread::spawn(move || {
            let dir = TempDir::new("panic").unwrap();
            sender.send(dir.to_path_buf()).unwrap();
            panic!("a failed assertion");
        })
        .join();
        assert!(outcome.is_err());
        assert!(!receiver.recv().unwrap().exists());
    }

    #[test]
    fn a_failure_names_the_directory() {
        let dir = TempDir::new("names").unwrap();
        std::fs::write(dir.join("file"), b"").unwrap();
        let under_a_file = dir.join("file/sub");
        let err = TempDir::create(under_a_file.clone()).unwrap_err();
        // ENOTDIR; Windows says the path was not found.
        let code = if cfg!(windows) { 3 } else { 20 };
        let want = format!(
            "cannot create {}: {}",
            under_a_file.display(),
            io::Error::from_raw_os_error(code)
        );
        assert_eq!(err.to_string(), want);
    }

    #[test]
    fn a_directory_left_by_a_killed_process_is_cleared_first() {
        let dir = TempDir::new("stale").unwrap();
        let stale = dir.join("stale");
        std::fs::create_dir_all(stale.join("old")).unwrap();
        let fresh = TempDir::create(stale.clone()).unwrap();
        assert_eq!(std::fs::read_dir(&fresh).unwrap().count(), 0);
    }

    #[test]
    fn a_directory_removed_early_is_no_trouble() {
        let dir = TempDir::new("early").unwrap();
        std::fs::remove_dir(&dir).unwrap();
        drop(dir);
    }
}
