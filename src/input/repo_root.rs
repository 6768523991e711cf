//! Finds the root of the repository a directory is in, by walking up and looking for a
//! `.git` entry (a directory, or a file in a linked worktree or submodule): one `stat` per
//! level, no git process and no allocation.
//!
//! Paths too long for std's on-stack path conversion (384 bytes) are not searched, so the
//! lookup never allocates; such a directory is shown as if it were outside a repository.

use arrayvec::ArrayString;

/// Longest path searched (std converts shorter paths to C strings on the stack).
const MAX_PATH: usize = 370;

/// The length of the prefix of `dir` that is a repository root (`/home/a/repo` for
/// `/home/a/repo/src`), or `None` outside a repository.
pub fn repo_root_len(dir: &str) -> Option<usize> {
    if !is_absolute(dir) || dir.len() > MAX_PATH {
        return None;
    }
    let mut end = dir.trim_end_matches(is_separator).len();
    let mut probe: ArrayString<{ MAX_PATH + 8 }> = ArrayString::new();
    loop {
        probe.clear();
        probe.push_str(&dir[..end]);
        probe.push_str("/.git");
        if std::fs::symlink_metadata(probe.as_str()).is_ok() {
            return Some(end.max(1));
        }
        if end == 0 {
            return None;
        }
        end = dir[..end].rfind(is_separator)?;
    }
}

/// A path separator: `/`, and on Windows `\` too.
fn is_separator(c: char) -> bool {
    c == '/' || (cfg!(windows) && c == '\\')
}

/// Absolute: from `/` on Unix, with a drive or a UNC prefix on Windows (`C:\`, `\\srv\`).
fn is_absolute(dir: &str) -> bool {
    if cfg!(windows) {
        std::path::Path::new(dir).is_absolute()
    } else {
        dir.starts_with('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_dot_git_above_a_directory() {
        let tmp = crate::tempdir::TempDir::new("root").unwrap();
        let deep = tmp.join("repo/src/deep");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(tmp.join("repo/.git")).unwrap();
        let deep = deep.to_str().unwrap();
        let root = tmp.join("repo");
        assert_eq!(repo_root_len(deep), Some(root.to_str().unwrap().len()));
        assert_eq!(
            repo_root_len(root.to_str().unwrap()),
            Some(root.to_str().unwrap().len())
        );
    }

    #[test]
    fn relative_and_overlong_paths_are_not_searched() {
        assert_eq!(repo_root_len("relative/dir"), None);
        assert_eq!(repo_root_len(&format!("/{}", "a".repeat(400))), None);
    }

    #[test]
    #[cfg(windows)]
    fn a_windows_path_with_backslashes_finds_its_repository_root() {
        let tmp = crate::tempdir::TempDir::new("root-windows").unwrap();
        let deep = tmp.join("repo").join("src");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(tmp.join("repo").join(".git")).unwrap();
        let (deep, root) = (deep.to_str().unwrap(), tmp.join("repo"));
        assert!(deep.contains('\\'), "{deep}");
        assert_eq!(repo_root_len(deep), Some(root.to_str().unwrap().len()));
    }
}
