//! Directory-relative lookups for the working-tree compare: a stack of open descriptors
//! for the directories leading to the current one, so consecutive entries of one
//! directory cost one `fstatat` each and a directory is opened once per run of entries
//! (index order keeps a directory's files together, apart from its subdirectories).
//!
//! Directories are opened with `O_NOFOLLOW`: when a leading directory is a symlink, a
//! file or missing, every file under it is missing, which is git's
//! `has_symlink_leading_path` rule. Components git's `verify_path` refuses (empty, `.`,
//! `..`, `.git`) are damage, so a crafted index cannot make us look outside the tree.
//!
//! Read next: `content.rs`.

use std::ffi::CStr;
use std::path::Path;

use super::StatusError;
use super::Unsupported;
use crate::git::GitError;
use crate::sys::fsat::{self, Dir, FileStat};

/// Deepest directory nesting handled.
const MAX_DEPTH: usize = 256;

/// Missing as git's `is_missing_file_error` sees it (`ELOOP`: a symlink where a
/// directory was expected, opened with `O_NOFOLLOW`).
pub(super) fn is_missing(e: &std::io::Error) -> bool {
    crate::sys::fs::is_missing(e)
}

/// Open descriptors for the directories leading to the current one, so consecutive
/// entries of the same directory cost one `fstatat` each.
pub(super) struct DirStack {
    root: Dir,
    /// Descriptors of `current`'s components, outermost first.
    fds: Vec<Dir>,
    /// The directory the stack stands in (`a/b`), empty for the root.
    current: Vec<u8>,
    /// The last directory that could not be opened (its files are all missing).
    missing: Option<Vec<u8>>,
    name: Vec<u8>,
}

impl DirStack {
    pub(super) fn open(root: &Path) -> Result<DirStack, StatusError> {
        let dir = Dir::open(root).map_err(|source| {
            StatusError::Git(GitError::Io {
                path: root.to_owned(),
                source,
            })
        })?;
        Ok(DirStack {
            root: dir,
            fds: Vec::new(),
            current: Vec::new(),
            missing: None,
            name: Vec::new(),
        })
    }

    /// `lstat` of `name` in the directory last entered.
    pub(super) fn stat(&mut self, name: &[u8]) -> Result<std::io::Result<FileStat>, StatusError> {
        self.name.clear();
        self.name.extend_from_slice(name);
        self.name.push(0);
        // Index paths never hold NUL (checked when read); still an error, not a panic.
        let name =
            CStr::from_bytes_with_nul(&self.name).map_err(|_| StatusError::Git(corrupt_path()))?;
        let dir = self.fds.last().unwrap_or(&self.root);
        Ok(fsat::lstat_at(dir, name))
    }

    /// Stands in `dir` (`a/b`, empty for the root); false when it or a leading
    /// directory is missing, a symlink or not a directory.
    pub(super) fn enter(&mut self, dir: &[u8]) -> Result<bool, StatusError> {
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
            let parent = self.fds.last().unwrap_or(&self.root);
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
pub(super) fn valid_component(c: &[u8]) -> bool {
    !(c.is_empty() || c == b"." || c == b".." || c.eq_ignore_ascii_case(b".git"))
}

pub(super) fn corrupt_path() -> GitError {
    GitError::Corrupt {
        path: std::path::PathBuf::from("index"),
        what: "git index: a path with an empty, `.`, `..` or `.git` component",
    }
}

// The trees here hold symlinks, which Windows does not create without privileges.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A small tree with nested directories and a symlink, removed on drop.
    fn tree(tag: &str) -> crate::tempdir::TempDir {
        let root = crate::tempdir::TempDir::new(&format!("dirs-{tag}")).unwrap();
        for dir in ["a/b/c", "a/d", "e"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in ["top", "a/b/c/f", "a/b/g", "a/d/h", "e/i"] {
            std::fs::write(root.join(file), file).unwrap();
        }
        std::os::unix::fs::symlink("a", root.join("link")).unwrap();
        root
    }

    /// Stats `path` through the stack, as the working-tree compare does.
    fn size(stack: &mut DirStack, path: &str) -> Option<u64> {
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
        if !stack.enter(dir.as_bytes()).unwrap() {
            return None;
        }
        stack.stat(base.as_bytes()).unwrap().ok().map(|st| st.size)
    }

    #[test]
    fn moving_between_directories_finds_every_file() {
        let root = tree("walk");
        let mut stack = DirStack::open(&root).unwrap();
        for path in ["top", "a/b/c/f", "a/b/g", "a/d/h", "e/i", "top", "a/b/c/f"] {
            assert_eq!(size(&mut stack, path), Some(path.len() as u64), "{path}");
        }
    }

    #[test]
    fn files_under_a_symlink_or_a_missing_directory_are_missing() {
        let root = tree("missing");
        let mut stack = DirStack::open(&root).unwrap();
        assert_eq!(size(&mut stack, "link/d/h"), None);
        assert_eq!(size(&mut stack, "gone/x/y"), None);
        assert_eq!(size(&mut stack, "gone/x/z"), None);
        assert_eq!(size(&mut stack, "top/x"), None);
        assert_eq!(size(&mut stack, "a/d/h"), Some(5));
    }

    #[test]
    fn components_git_refuses_are_damage() {
        let root = tree("refused");
        let mut stack = DirStack::open(&root).unwrap();
        for dir in ["..", "a/../a", "a//b", ".git", "a/.GIT"] {
            assert!(stack.enter(dir.as_bytes()).is_err(), "{dir}");
        }
        assert!(!valid_component(b"..") && valid_component(b"..."));
    }
}
