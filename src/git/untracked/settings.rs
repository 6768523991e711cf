//! The configuration the untracked walk depends on: `core.excludesFile` and
//! `status.showUntrackedFiles`, read from git's configuration files in git's order
//! (system, then global — `$GIT_CONFIG_GLOBAL`, or `$XDG_CONFIG_HOME/git/config` and
//! `~/.gitconfig` — then the repository's `config`; the last value wins).
//!
//! `include.path` and `includeIf` are followed as git follows them
//! (`../config_include.rs`); a `hasconfig:` condition is an error here, and the status
//! engine, which reads the same files first, leaves such a repository to git.
//! Read next: `walk.rs`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::git::GitError;
use crate::git::config_include::{IncludeContext, IncludeError, read_config_file};
use crate::git::discover::Repo;
use crate::git::state::config_value;
use crate::git::untracked::UntrackedMode;

/// Where git finds its per-user and system configuration (from the environment).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GitHome {
    /// `$HOME`.
    pub home: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` when set and not empty.
    pub xdg_config_home: Option<PathBuf>,
    /// `$GIT_CONFIG_GLOBAL`: replaces the per-user files.
    pub config_global: Option<PathBuf>,
    /// `$GIT_CONFIG_NOSYSTEM`: skip `/etc/gitconfig`.
    pub no_system: bool,
}

impl GitHome {
    /// From this process's environment.
    pub fn from_process() -> GitHome {
        let var = |name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        GitHome {
            home: var("HOME"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            config_global: var("GIT_CONFIG_GLOBAL"),
            no_system: std::env::var_os("GIT_CONFIG_NOSYSTEM")
                .is_some_and(|v| is_true(v.as_bytes())),
        }
    }

    /// `$XDG_CONFIG_HOME/git/NAME`, else `~/.config/git/NAME`.
    fn xdg_git_file(&self, name: &str) -> Option<PathBuf> {
        match (&self.xdg_config_home, &self.home) {
            (Some(xdg), _) => Some(xdg.join("git").join(name)),
            (None, Some(home)) => Some(home.join(".config/git").join(name)),
            (None, None) => None,
        }
    }

    /// The configuration files in the order git reads them (later wins).
    fn config_files(&self, repo: &Repo) -> Vec<PathBuf> {
        let mut files = Vec::new();
        if !self.no_system {
            files.push(PathBuf::from("/etc/gitconfig"));
        }
        match &self.config_global {
            Some(global) => files.push(global.clone()),
            None => {
                files.extend(self.xdg_git_file("config"));
                files.extend(self.home.as_ref().map(|h| h.join(".gitconfig")));
            }
        }
        files.push(repo.common_dir.join("config"));
        files
    }
}

/// What the configuration says about untracked files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UntrackedSettings {
    /// The global ignore file (`core.excludesFile`, or its XDG default), resolved.
    pub excludes_file: Option<PathBuf>,
    /// `status.showUntrackedFiles`, when set to a value git accepts.
    pub show_untracked: Option<UntrackedMode>,
}

impl UntrackedSettings {
    /// Reads the configuration chain of `repo`. Missing files are skipped; an unreadable
    /// one is an error (git refuses to run then too).
    pub fn load(repo: &Repo, home: &GitHome) -> Result<UntrackedSettings, GitError> {
        let ctx = IncludeContext {
            git_dir: &repo.git_dir,
            home: home.home.as_deref(),
        };
        let mut texts = Vec::new();
        for file in home.config_files(repo) {
            match read_config_file(&file, &ctx, &mut texts) {
                Ok(()) => {}
                // Not a regular file (`GIT_CONFIG_GLOBAL=/dev/null`): empty.
                Err(IncludeError::Git(GitError::Corrupt { .. })) => continue,
                Err(IncludeError::Git(e)) => return Err(e),
                Err(IncludeError::Unsupported(_)) => {
                    return Err(GitError::Corrupt {
                        path: file,
                        what: "git: config include condition not understood",
                    });
                }
            }
        }
        let mut excludes: Option<Vec<u8>> = None;
        let mut show = None;
        for text in &texts {
            if let Some(v) = config_value(text, b"core", None, b"excludesfile") {
                excludes = Some(v.to_vec());
            }
            if let Some(v) = config_value(text, b"status", None, b"showuntrackedfiles") {
                show = UntrackedMode::from_config(v);
            }
        }
        let excludes_file = match excludes {
            Some(value) => expand_path(&value, home, repo.work_tree.as_deref()),
            None => home.xdg_git_file("ignore"),
        };
        Ok(UntrackedSettings {
            excludes_file,
            show_untracked: show,
        })
    }
}

/// A path-valued config entry: `~/` is the home directory; relative paths are taken from
/// the top of the work tree (where git runs `status` from).
fn expand_path(value: &[u8], home: &GitHome, work_tree: Option<&Path>) -> Option<PathBuf> {
    if value.is_empty() {
        return None;
    }
    let path = Path::new(OsStr::from_bytes(value));
    if let Some(rest) = value.strip_prefix(b"~/") {
        return home.home.as_ref().map(|h| h.join(OsStr::from_bytes(rest)));
    }
    if path.is_absolute() {
        return Some(path.to_owned());
    }
    Some(work_tree.map_or_else(|| path.to_owned(), |top| top.join(path)))
}

/// git's boolean spellings of true.
pub(crate) fn is_true(v: &[u8]) -> bool {
    [&b"true"[..], b"yes", b"on", b"1"]
        .iter()
        .any(|t| v.eq_ignore_ascii_case(t))
}

/// git's boolean spellings of false.
pub(crate) fn is_false(v: &[u8]) -> bool {
    [&b"false"[..], b"no", b"off", b"0", b""]
        .iter()
        .any(|t| v.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilde_path_is_below_home_and_a_relative_one_below_the_work_tree() {
        let home = GitHome {
            home: Some(PathBuf::from("/h")),
            ..GitHome::default()
        };
        assert_eq!(
            expand_path(b"~/ign", &home, None),
            Some(PathBuf::from("/h/ign"))
        );
        assert_eq!(
            expand_path(b"rel/ign", &home, Some(Path::new("/w"))),
            Some(PathBuf::from("/w/rel/ign"))
        );
        assert_eq!(
            expand_path(b"/abs", &home, None),
            Some(PathBuf::from("/abs"))
        );
        assert_eq!(expand_path(b"", &home, None), None);
    }

    #[test]
    fn dev_null_as_the_global_config_reads_as_empty() {
        let repo = Repo {
            git_dir: PathBuf::from("/nonexistent/.git"),
            common_dir: PathBuf::from("/nonexistent/.git"),
            work_tree: Some(PathBuf::from("/nonexistent")),
        };
        let home = GitHome {
            config_global: Some(PathBuf::from("/dev/null")),
            no_system: true,
            ..GitHome::default()
        };
        let settings = UntrackedSettings::load(&repo, &home).unwrap();
        assert_eq!(settings, UntrackedSettings::default());
    }

    #[test]
    fn the_xdg_ignore_file_is_the_default() {
        let home = GitHome {
            home: Some(PathBuf::from("/h")),
            ..GitHome::default()
        };
        assert_eq!(
            home.xdg_git_file("ignore"),
            Some(PathBuf::from("/h/.config/git/ignore"))
        );
        let xdg = GitHome {
            xdg_config_home: Some(PathBuf::from("/x")),
            ..home
        };
        assert_eq!(
            xdg.xdg_git_file("ignore"),
            Some(PathBuf::from("/x/git/ignore"))
        );
    }
}
