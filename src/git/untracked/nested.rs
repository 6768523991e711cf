//! Is a directory another repository? git's `is_nonbare_repository_dir`: its `.git` is a
//! git directory (`HEAD` that reads as a ref or an object id, `objects/` and `refs/` in
//! its common directory, which a linked worktree's git directory names in `commondir`), or
//! a file `gitdir: PATH` naming one (relative to the directory): a linked worktree placed
//! inside the work tree is a nested repository, one untracked entry even with `-uall`. A `.git` file git cannot
//! open or read also counts, as in git. A directory whose `.git` is this repository's own
//! git directory (a work tree configured around it) is not nested.

use std::io::Read;
use std::path::Path;

/// The most of a `.git` file git reads (larger is not a gitfile).
const MAX_GITFILE: u64 = 1 << 20;

/// Is `dir` a nested repository of the one whose git directory is `own_git_dir`?
pub fn is_nested_repo(dir: &Path, own_git_dir: &Path) -> bool {
    let dot_git = dir.join(".git");
    let Ok(meta) = std::fs::metadata(&dot_git) else {
        return false;
    };
    let nested = if meta.is_file() {
        gitfile_names_repository(&dot_git, dir, meta.len())
    } else {
        meta.is_dir() && is_git_directory(&dot_git)
    };
    nested && !same_file(&dot_git, own_git_dir)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A `.git` file: `gitdir: PATH` naming a git directory; true as well when it cannot be
/// opened or read.
fn gitfile_names_repository(file: &Path, dir: &Path, len: u64) -> bool {
    if len > MAX_GITFILE {
        return false;
    }
    let mut content = Vec::new();
    let read =
        std::fs::File::open(file).and_then(|f| f.take(MAX_GITFILE).read_to_end(&mut content));
    if read.is_err() {
        return true;
    }
    let Some(rest) = content.strip_prefix(b"gitdir: ") else {
        return false;
    };
    let mut end = rest.len();
    while end > 0 && matches!(rest[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let target = &rest[..end];
    if target.is_empty() || target.contains(&0) {
        return false;
    }
    is_git_directory(&dir.join(&*crate::sys::fs::os_str(target)))
}

/// git's `is_git_directory`: a valid `HEAD`, and `objects/` and `refs/` present in the
/// common directory, which is the directory itself unless a `commondir` file names
/// another (a linked worktree's git directory, `.git/worktrees/NAME`).
pub fn is_git_directory(path: &Path) -> bool {
    if !valid_head(&path.join("HEAD")) {
        return false;
    }
    let common = common_dir(path);
    common.join("objects").is_dir() && common.join("refs").is_dir()
}

/// git's `get_common_dir_noenv`: the first line of `PATH/commondir` (relative to `path`
/// unless absolute), else `path`.
fn common_dir(path: &Path) -> std::path::PathBuf {
    let mut content = Vec::new();
    let read = std::fs::File::open(path.join("commondir"))
        .and_then(|f| f.take(MAX_GITFILE).read_to_end(&mut content));
    if read.is_err() {
        return path.to_owned();
    }
    let line = content.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() || line.contains(&0) {
        return path.to_owned();
    }
    path.join(&*crate::sys::fs::os_str(line))
}

/// git's `validate_headref`: a symlink into `refs/`, `ref: refs/...`, or an object id.
fn valid_head(head: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(head) else {
        return false;
    };
    if meta.file_type().is_symlink() {
        return std::fs::read_link(head)
            .is_ok_and(|t| t.as_os_str().as_encoded_bytes().starts_with(b"refs/"));
    }
    if !meta.is_file() {
        return false;
    }
    let mut buf = Vec::with_capacity(256);
    let Ok(file) = std::fs::File::open(head) else {
        return false;
    };
    if file.take(255).read_to_end(&mut buf).is_err() {
        return false;
    }
    if let Some(rest) = buf.strip_prefix(b"ref:") {
        let rest = rest.trim_ascii_start();
        if rest.starts_with(b"refs/") {
            return true;
        }
    }
    buf.len() >= 40 && buf[..40].iter().all(u8::is_ascii_hexdigit)
}
