//! Finding the repository a directory belongs to, the way git does.
//!
//! From the start directory upwards: a `.git` directory, a `.git` file holding
//! `gitdir: PATH` (linked worktrees and submodules), or a directory that is itself a bare
//! repository (`HEAD`, `objects/`, `refs/`). `GIT_DIR` (with `GIT_WORK_TREE`) overrides
//! the search, as it does for git. A linked worktree's shared refs and config live in the
//! directory named by its `commondir` file.
//!
//! Read next: `refs.rs`.

use std::path::{Path, PathBuf};

use crate::git::{GitError, read_into};

/// Where a repository's files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repo {
    /// This worktree's git directory: `HEAD`, `index`, operation markers.
    pub git_dir: PathBuf,
    /// The shared directory: `refs/`, `packed-refs`, `config`, `logs/refs/stash`.
    pub common_dir: PathBuf,
    /// The checked-out tree; `None` for a bare repository.
    pub work_tree: Option<PathBuf>,
}

/// `GIT_DIR` and `GIT_WORK_TREE` as the process found them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GitEnv {
    pub git_dir: Option<PathBuf>,
    pub work_tree: Option<PathBuf>,
}

impl GitEnv {
    /// From the variables' values; relative paths are taken from `cwd`, as git does.
    pub fn from_vars(git_dir: Option<&str>, work_tree: Option<&str>, cwd: Option<&str>) -> Self {
        let resolve = |v: &str| match cwd {
            Some(cwd) => absolute(Path::new(cwd), Path::new(v)),
            None => PathBuf::from(v),
        };
        GitEnv {
            git_dir: git_dir.filter(|v| !v.is_empty()).map(resolve),
            work_tree: work_tree.filter(|v| !v.is_empty()).map(resolve),
        }
    }
}

/// How many parent directories the search climbs at most.
const MAX_DEPTH: usize = 256;

/// The repository containing `start`, `Ok(None)` when there is none.
pub fn discover(start: &Path, env: &GitEnv) -> Result<Option<Repo>, GitError> {
    let mut buf = Vec::new();
    if let Some(dir) = &env.git_dir {
        let git_dir = absolute(start, dir);
        if !git_dir.join("HEAD").is_file() {
            return Ok(None);
        }
        let work_tree = match &env.work_tree {
            Some(tree) => Some(absolute(start, tree)),
            None if is_bare(&git_dir, &mut buf) => None,
            None => Some(start.to_owned()),
        };
        return Ok(Some(finish(git_dir, work_tree, &mut buf)?));
    }
    let mut dir = Some(start);
    for _ in 0..MAX_DEPTH {
        let Some(here) = dir else { break };
        let dot_git = here.join(".git");
        match std::fs::metadata(&dot_git) {
            Ok(meta) if meta.is_dir() && dot_git.join("HEAD").is_file() => {
                check_ownership(None, Some(here), &dot_git)?;
                let work_tree = env.work_tree.as_ref().map(|t| absolute(start, t));
                return Ok(Some(finish(
                    dot_git,
                    work_tree.or_else(|| Some(here.to_owned())),
                    &mut buf,
                )?));
            }
            Ok(meta) if meta.is_file() => {
                let git_dir = read_gitdir_file(&dot_git, here, &mut buf)?;
                check_ownership(Some(&dot_git), Some(here), &git_dir)?;
                return Ok(Some(finish(git_dir, Some(here.to_owned()), &mut buf)?));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(GitError::Io {
                    path: dot_git,
                    source,
                });
            }
        }
        if looks_like_git_dir(here) && is_bare(here, &mut buf) {
            check_ownership(None, None, here)?;
            return Ok(Some(finish(here.to_owned(), None, &mut buf)?));
        }
        dir = here.parent();
    }
    Ok(None)
}

/// git's `ensure_valid_ownership`: a repository found by searching (not named by
/// `GIT_DIR`) whose `.git` file, work tree or git directory belongs to another user is
/// refused unless `safe.directory` (read from the system and global files only) allows
/// it, and git then refuses every command there: an error, as git shows it.
fn check_ownership(
    gitfile: Option<&Path>,
    work_tree: Option<&Path>,
    git_dir: &Path,
) -> Result<(), GitError> {
    let euid = crate::sys::os::effective_uid();
    let owned = |path: &Path| {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return false;
        };
        // Where files have no numeric owner (Windows) there is nothing to compare.
        let Some(owner) = crate::sys::fs::owner(&meta) else {
            return true;
        };
        let mut uid = euid;
        if euid == 0 {
            if owner == 0 {
                return true;
            }
            if let Some(sudo) = std::env::var("SUDO_UID").ok().and_then(|v| v.parse().ok()) {
                uid = sudo;
            }
        }
        owner == uid
    };
    if gitfile.is_none_or(owned) && work_tree.is_none_or(owned) && owned(git_dir) {
        return Ok(());
    }
    let checked = work_tree.unwrap_or(git_dir);
    if safe_directory_allows(checked) {
        return Ok(());
    }
    Err(GitError::Corrupt {
        path: checked.to_owned(),
        what: "git: dubious ownership (another user's repository; see safe.directory)",
    })
}

/// Does `safe.directory` in the system or global config files allow `dir`? The last
/// empty value resets the list; `*` allows every directory, `PATH/*` every one below PATH.
fn safe_directory_allows(dir: &Path) -> bool {
    use crate::git::config_include::{IncludeContext, read_config_file};
    use crate::git::config_syntax::{Item, items};
    let env = crate::git::status::ConfigEnv::from_process();
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let ctx = IncludeContext {
        git_dir: dir,
        home: env.home.as_deref(),
    };
    let mut texts = Vec::new();
    for file in env.outer_files() {
        if read_config_file(&file, &ctx, &mut texts).is_err() {
            return false;
        }
    }
    let mut safe = false;
    for item in texts.iter().flat_map(|t| items(t)) {
        let Item::Entry(entry) = item else { continue };
        if !entry.is(b"safe", None, b"directory") {
            continue;
        }
        let value = entry.value.as_deref().unwrap_or(b"");
        safe = match value {
            b"" => false,
            b"*" => true,
            _ => safe || safe_entry_matches(value, &real, env.home.as_deref()),
        };
    }
    safe
}

fn safe_entry_matches(value: &[u8], real: &Path, home: Option<&Path>) -> bool {
    let allowed = match value.strip_prefix(b"~/") {
        Some(rest) => match home {
            Some(home) => home.join(&*crate::sys::fs::os_str(rest)),
            None => return false,
        },
        None => PathBuf::from(&*crate::sys::fs::os_str(value)),
    };
    if !allowed.is_absolute() {
        return false;
    }
    if let Some(prefix) = allowed.as_os_str().as_encoded_bytes().strip_suffix(b"/*") {
        let prefix = crate::sys::fs::os_str(prefix);
        let prefix = Path::new(&*prefix);
        let prefix = prefix.canonicalize().unwrap_or_else(|_| prefix.to_owned());
        return real.starts_with(prefix);
    }
    allowed.canonicalize().unwrap_or(allowed) == real
}

fn absolute(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        base.join(path)
    }
}

fn looks_like_git_dir(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir()
}

/// True when the repository's config says `core.bare = true`.
fn is_bare(git_dir: &Path, buf: &mut Vec<u8>) -> bool {
    matches!(read_into(&git_dir.join("config"), buf), Ok(true))
        && crate::git::state::config_value(buf, b"core", None, b"bare")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"true"))
}

/// Reads a `.git` file: `gitdir: PATH`, relative to the file's directory.
fn read_gitdir_file(file: &Path, base: &Path, buf: &mut Vec<u8>) -> Result<PathBuf, GitError> {
    read_into(file, buf)?;
    let target = parse_gitdir_file(buf).ok_or_else(|| GitError::Corrupt {
        path: file.to_owned(),
        what: "git: .git file without a `gitdir:` line",
    })?;
    Ok(absolute(base, Path::new(&*crate::sys::fs::os_str(target))))
}

/// The path in the content of a `.git` file (`gitdir: PATH`), trimmed; `None` when the
/// file does not start with `gitdir:` or names no path.
pub fn parse_gitdir_file(content: &[u8]) -> Option<&[u8]> {
    let target = content.strip_prefix(b"gitdir:")?.trim_ascii();
    (!target.is_empty()).then_some(target)
}

/// Completes a repository with its common directory (a linked worktree's `commondir`).
fn finish(
    git_dir: PathBuf,
    work_tree: Option<PathBuf>,
    buf: &mut Vec<u8>,
) -> Result<Repo, GitError> {
    let commondir = git_dir.join("commondir");
    let common_dir = if read_into(&commondir, buf)? {
        let target = buf.trim_ascii();
        if target.is_empty() {
            return Err(GitError::Corrupt {
                path: commondir,
                what: "git: empty commondir file",
            });
        }
        absolute(&git_dir, Path::new(&*crate::sys::fs::os_str(target)))
    } else {
        git_dir.clone()
    };
    Ok(Repo {
        git_dir,
        common_dir,
        work_tree,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gitdir_file_names_its_trimmed_path_or_nothing() {
        assert_eq!(
            parse_gitdir_file(b"gitdir: ../.git/worktrees/w \n"),
            Some(&b"../.git/worktrees/w"[..])
        );
        assert_eq!(parse_gitdir_file(b"gitdir:   \n"), None);
        assert_eq!(parse_gitdir_file(b"worktree: x"), None);
        assert_eq!(parse_gitdir_file(b""), None);
    }
}
