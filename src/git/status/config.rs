//! The configuration the status engine depends on, read from the files git reads, in
//! git's order (a later file wins): the system file (`/etc/gitconfig`, skipped when
//! `GIT_CONFIG_NOSYSTEM` is set), the global files (`GIT_CONFIG_GLOBAL` when set, else
//! `$XDG_CONFIG_HOME/git/config` or `~/.config/git/config`, then `~/.gitconfig`), the
//! repository's `config`, and `config.worktree` when `extensions.worktreeConfig` is on.
//!
//! `include.path` and `includeIf` (`gitdir:`, `gitdir/i:`, `onbranch:`) are followed as
//! git follows them (`../config_include.rs`); `hasconfig:` conditions make the status
//! [`Unsupported`] rather than risk reading a setting wrong.
//!
//! Read next: `worktree.rs`.

use std::path::{Path, PathBuf};

use super::{StatusError, Unsupported};
use crate::git::GitError;
use crate::git::config_include::{IncludeContext, IncludeError, read_config_file};
use crate::git::discover::Repo;
use crate::git::state::config_value;
use crate::git::untracked::UntrackedSettings;

/// How `status.renames` / `diff.renames` ask for renames to be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renames {
    Off,
    On,
    Copies,
}

/// The settings that change what git status reports for tracked files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusConfig {
    /// `core.fileMode`: compare the owner's executable bit.
    pub file_mode: bool,
    /// `core.trustCtime`: compare ctime.
    pub trust_ctime: bool,
    /// `core.checkStat` is not `minimal`: compare ctime, uid, gid and inode too.
    pub check_stat: bool,
    /// `core.symlinks`.
    pub symlinks: bool,
    /// `core.ignoreCase`.
    pub ignore_case: bool,
    /// `core.autocrlf` is `true` or `input` (content is converted when hashed).
    pub autocrlf: bool,
    /// `core.attributesFile` is set, or the default global attributes file exists.
    pub global_attributes: bool,
    pub renames: Renames,
    /// `core.sparseCheckout` is on and `sparse.expectFilesOutsideOfPatterns` is not: git
    /// then drops the skip-worktree bit of every entry whose file is present and compares
    /// it as any other entry (`clear_skip_worktree_from_present_files`).
    pub sparse_present_files: bool,
    /// What the same files say about untracked files (for the untracked walk).
    pub untracked: UntrackedSettings,
}

impl Default for StatusConfig {
    fn default() -> Self {
        StatusConfig {
            file_mode: true,
            trust_ctime: true,
            check_stat: true,
            symlinks: true,
            ignore_case: false,
            autocrlf: false,
            global_attributes: false,
            renames: Renames::On,
            sparse_present_files: false,
            untracked: UntrackedSettings::default(),
        }
    }
}

/// Where git looks for the global and system files, from the environment.
#[derive(Clone, Debug, Default)]
pub struct ConfigEnv {
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    pub global_override: Option<PathBuf>,
    pub no_system: bool,
}

impl ConfigEnv {
    /// From this process's environment.
    pub fn from_process() -> ConfigEnv {
        let var = |name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        ConfigEnv {
            home: var("HOME"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            global_override: var("GIT_CONFIG_GLOBAL"),
            no_system: std::env::var_os("GIT_CONFIG_NOSYSTEM")
                .is_some_and(|v| git_bool(v.as_encoded_bytes()) != Some(false)),
        }
    }

    /// `$XDG_CONFIG_HOME/git/NAME`, else `~/.config/git/NAME`.
    pub(crate) fn xdg_git_file(&self, name: &str) -> Option<PathBuf> {
        match (&self.xdg_config_home, &self.home) {
            (Some(xdg), _) => Some(xdg.join("git").join(name)),
            (None, Some(home)) => Some(home.join(".config/git").join(name)),
            (None, None) => None,
        }
    }

    /// The global and system files, lowest precedence first.
    pub(crate) fn outer_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        if !self.no_system {
            files.push(PathBuf::from("/etc/gitconfig"));
        }
        if let Some(global) = &self.global_override {
            files.push(global.clone());
        } else {
            files.extend(self.xdg_git_file("config"));
            files.extend(self.home.as_ref().map(|h| h.join(".gitconfig")));
        }
        files
    }
}

/// git's boolean spellings; `None` for anything else.
pub fn git_bool(value: &[u8]) -> Option<bool> {
    let lower = value.to_ascii_lowercase();
    match &lower[..] {
        b"true" | b"yes" | b"on" => Some(true),
        b"false" | b"no" | b"off" | b"" => Some(false),
        digits => std::str::from_utf8(digits)
            .ok()?
            .parse::<i64>()
            .ok()
            .map(|n| n != 0),
    }
}

/// Reads the settings for `repo`.
pub fn load(repo: &Repo, env: &ConfigEnv) -> Result<StatusConfig, StatusError> {
    let ctx = IncludeContext {
        git_dir: &repo.git_dir,
        home: env.home.as_deref(),
    };
    let mut texts = Vec::new();
    for path in env.outer_files() {
        read_config(&path, &ctx, &mut texts)?;
    }
    let mut local = Vec::new();
    read_config(&repo.common_dir.join("config"), &ctx, &mut local)?;
    let local_value = |key: &[u8]| {
        local
            .iter()
            .rev()
            .find_map(|t| config_value(t, b"extensions", None, key))
    };
    let worktree_config = local_value(b"worktreeconfig").and_then(|v| git_bool(&v)) == Some(true);
    let object_format = local_value(b"objectformat");
    if object_format.is_some_and(|f| !f.eq_ignore_ascii_case(b"sha1")) {
        return Err(StatusError::Unsupported(Unsupported::Sha256));
    }
    texts.append(&mut local);
    if worktree_config {
        read_config(&repo.git_dir.join("config.worktree"), &ctx, &mut texts)?;
    }
    let last = |section: &[u8], key: &[u8]| {
        texts
            .iter()
            .rev()
            .find_map(|t| config_value(t, section, None, key))
    };
    let flag = |section: &[u8], key: &[u8], default: bool| {
        last(section, key)
            .and_then(|v| git_bool(&v))
            .unwrap_or(default)
    };
    let renames_of = |v: &[u8]| match git_bool(v) {
        Some(true) => Renames::On,
        Some(false) => Renames::Off,
        None if v.eq_ignore_ascii_case(b"copies") || v.eq_ignore_ascii_case(b"copy") => {
            Renames::Copies
        }
        None => Renames::On,
    };
    // An fsmonitor (a hook or git's daemon) decides what git status looks at.
    if last(b"core", b"fsmonitor").is_some_and(|v| git_bool(&v) != Some(false)) {
        return Err(StatusError::Unsupported(Unsupported::Fsmonitor));
    }
    let attributes_file = last(b"core", b"attributesfile").is_some()
        || env.xdg_git_file("attributes").is_some_and(|f| f.exists());
    Ok(StatusConfig {
        file_mode: flag(b"core", b"filemode", true),
        trust_ctime: flag(b"core", b"trustctime", true),
        check_stat: !last(b"core", b"checkstat")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"minimal")),
        symlinks: flag(b"core", b"symlinks", true),
        ignore_case: flag(b"core", b"ignorecase", false),
        autocrlf: last(b"core", b"autocrlf")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"input") || git_bool(&v) == Some(true)),
        global_attributes: attributes_file,
        renames: last(b"status", b"renames")
            .or_else(|| last(b"diff", b"renames"))
            .map_or(Renames::On, |v| renames_of(&v)),
        sparse_present_files: flag(b"core", b"sparsecheckout", false)
            && !flag(b"sparse", b"expectfilesoutsideofpatterns", false),
        untracked: UntrackedSettings::from_texts(&texts, repo, env),
    })
}

/// One config file's text segments, includes followed, appended to `texts`; nothing when
/// it does not exist.
fn read_config(
    path: &Path,
    ctx: &IncludeContext<'_>,
    texts: &mut Vec<Vec<u8>>,
) -> Result<(), StatusError> {
    match read_config_file(path, ctx, texts) {
        Ok(()) => Ok(()),
        Err(IncludeError::Unsupported(why)) => Err(StatusError::Unsupported(why)),
        Err(IncludeError::Git(GitError::Io { source, .. }))
            if source.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            // git itself warns and goes on without an unreadable global file.
            Ok(())
        }
        Err(IncludeError::Git(e)) => Err(StatusError::Git(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_follow_git_spellings() {
        for (text, want) in [
            ("true", Some(true)),
            ("On", Some(true)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("", Some(false)),
            ("no", Some(false)),
            ("maybe", None),
        ] {
            assert_eq!(git_bool(text.as_bytes()), want, "{text}");
        }
    }
}
