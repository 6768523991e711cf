//! The configuration the untracked walk depends on: `core.excludesFile` and
//! `status.showUntrackedFiles`, read from git's configuration files in git's order
//! (system, then global — `$GIT_CONFIG_GLOBAL`, or `$XDG_CONFIG_HOME/git/config` and
//! `~/.gitconfig` — then the repository's `config`; the last value wins).
//!
//! `include.path` and `includeIf` are followed as git follows them
//! (`../config_include.rs`); a `hasconfig:` condition is an error here, and the status
//! engine, which reads the same files first, leaves such a repository to git.
//! Read next: `walk.rs`.

use std::path::{Path, PathBuf};

use crate::git::GitError;
use crate::git::config_include::{IncludeContext, IncludeError, read_config_file};
use crate::git::discover::Repo;
use crate::git::state::config_value;
use crate::git::status::ConfigEnv;
use crate::git::untracked::UntrackedMode;

/// What the configuration says about untracked files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UntrackedSettings {
    /// The global ignore file (`core.excludesFile`, or its XDG default), resolved.
    pub excludes_file: Option<PathBuf>,
    /// `status.showUntrackedFiles`, when set to a value git accepts.
    pub show_untracked: Option<UntrackedMode>,
    /// `core.ignoreCase`: names are matched against the index and ignore patterns
    /// without regard to (ASCII) case, as git does on macOS and Windows.
    pub ignore_case: bool,
}

impl UntrackedSettings {
    /// Reads the configuration chain of `repo`. Missing files are skipped; an unreadable
    /// one is an error (git refuses to run then too).
    pub fn load(repo: &Repo, home: &ConfigEnv) -> Result<UntrackedSettings, GitError> {
        let ctx = IncludeContext {
            git_dir: &repo.git_dir,
            home: home.home.as_deref(),
        };
        let mut texts = Vec::new();
        let mut files = home.outer_files();
        files.push(repo.common_dir.join("config"));
        for file in files {
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
        Ok(UntrackedSettings::from_texts(&texts, repo, home))
    }

    /// The settings in config texts already read, in git's order (the last value wins).
    pub fn from_texts(texts: &[Vec<u8>], repo: &Repo, home: &ConfigEnv) -> UntrackedSettings {
        let mut excludes: Option<Vec<u8>> = None;
        let mut show = None;
        let mut ignore_case = false;
        for text in texts {
            if let Some(v) = config_value(text, b"core", None, b"ignorecase") {
                ignore_case = crate::git::status::config::git_bool(&v).unwrap_or(false);
            }
            if let Some(v) = config_value(text, b"core", None, b"excludesfile") {
                excludes = Some(v.to_vec());
            }
            if let Some(v) = config_value(text, b"status", None, b"showuntrackedfiles") {
                show = UntrackedMode::from_config(&v);
            }
        }
        let excludes_file = match excludes {
            Some(value) => expand_path(&value, home, repo.work_tree.as_deref()),
            None => home.xdg_git_file("ignore"),
        };
        UntrackedSettings {
            excludes_file,
            show_untracked: show,
            ignore_case,
        }
    }
}

/// A path-valued config entry: `~/` is the home directory; relative paths are taken from
/// the top of the work tree (where git runs `status` from).
fn expand_path(value: &[u8], home: &ConfigEnv, work_tree: Option<&Path>) -> Option<PathBuf> {
    if value.is_empty() {
        return None;
    }
    let path = crate::sys::fs::os_str(value);
    let path = Path::new(&*path);
    if let Some(rest) = value.strip_prefix(b"~/") {
        return home
            .home
            .as_ref()
            .map(|h| h.join(&*crate::sys::fs::os_str(rest)));
    }
    if path.is_absolute() {
        return Some(path.to_owned());
    }
    Some(work_tree.map_or_else(|| path.to_owned(), |top| top.join(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilde_path_is_below_home_and_a_relative_one_below_the_work_tree() {
        let home = ConfigEnv {
            home: Some(PathBuf::from("/h")),
            ..ConfigEnv::default()
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
    #[cfg_attr(not(unix), ignore = "Unix paths")]
    fn dev_null_as_the_global_config_reads_as_empty() {
        let repo = Repo {
            git_dir: PathBuf::from("/nonexistent/.git"),
            common_dir: PathBuf::from("/nonexistent/.git"),
            work_tree: Some(PathBuf::from("/nonexistent")),
        };
        let home = ConfigEnv {
            global_override: Some(PathBuf::from("/dev/null")),
            no_system: true,
            ..ConfigEnv::default()
        };
        let settings = UntrackedSettings::load(&repo, &home).unwrap();
        assert_eq!(settings, UntrackedSettings::default());
    }

    #[test]
    fn the_xdg_ignore_file_is_the_default() {
        let home = ConfigEnv {
            home: Some(PathBuf::from("/h")),
            ..ConfigEnv::default()
        };
        assert_eq!(
            home.xdg_git_file("ignore"),
            Some(PathBuf::from("/h/.config/git/ignore"))
        );
        let xdg = ConfigEnv {
            xdg_config_home: Some(PathBuf::from("/x")),
            ..home
        };
        assert_eq!(
            xdg.xdg_git_file("ignore"),
            Some(PathBuf::from("/x/git/ignore"))
        );
    }
}
