//! The operation in progress (rebase, merge, cherry-pick, revert, bisect, am; a
//! cherry-pick or revert sequence between two commits is named from `sequencer/todo`), the
//! repository's format, and the branch's upstream, read from the git directory's marker
//! files and git's config files.
//!
//! Config text is read with `config_syntax.rs` (git's own syntax, quoting, continuations
//! and old-style sections included). The files are git's, in git's order: system, global
//! (`GIT_CONFIG_GLOBAL`, `$XDG_CONFIG_HOME/git/config`, `~/.gitconfig`), the repository's,
//! `config.worktree`. A file with `[include]`/`[includeIf]` sections is read with its
//! includes (`config_include.rs`), so an upstream set in an included file is seen as git
//! sees it; only such files pay for it (the plain path reads each file into a reused
//! buffer and allocates nothing). The upstream is the merge ref mapped through the
//! remote's fetch refspecs, as git maps it.
//!
//! Read next: `record.rs`.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use memchr::memchr;

use crate::git::config_include::{IncludeContext, IncludeError, read_config_file};
use crate::git::config_syntax::{Item, items};
use crate::git::discover::Repo;
use crate::git::refs::Scratch;
use crate::git::status::config::{ConfigEnv, git_bool};
use crate::git::{GitError, join_into, read_into};

/// A multi-step operation the user is in the middle of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A rebase at step `step` of `total` (0 when unknown).
    Rebase {
        step: u32,
        total: u32,
    },
    /// `git am` applying patches.
    Am {
        step: u32,
        total: u32,
    },
    Merge,
    CherryPick,
    Revert,
    Bisect,
}

impl Operation {
    /// The label shells have shown since git's own `__git_ps1`.
    pub fn label(self) -> &'static str {
        match self {
            Operation::Rebase { .. } => "REBASE",
            Operation::Am { .. } => "AM",
            Operation::Merge => "MERGING",
            Operation::CherryPick => "CHERRY-PICKING",
            Operation::Revert => "REVERTING",
            Operation::Bisect => "BISECTING",
        }
    }

    /// `(step, total)` for operations that have them.
    pub fn progress(self) -> Option<(u32, u32)> {
        match self {
            Operation::Rebase { step, total } | Operation::Am { step, total } if total > 0 => {
                Some((step, total))
            }
            _ => None,
        }
    }
}

fn exists(s: &mut Scratch, repo: &Repo, rel: &str) -> bool {
    std::fs::symlink_metadata(join_into(&mut s.path, &repo.git_dir, rel)).is_ok()
}

fn read_number(s: &mut Scratch, repo: &Repo, rel: &str) -> u32 {
    let path = join_into(&mut s.path, &repo.git_dir, rel);
    match read_into(path, &mut s.data) {
        Ok(true) => std::str::from_utf8(s.data.trim_ascii())
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0),
        _ => 0,
    }
}

/// The operation in progress, if any. During a rebase the name of the branch being
/// rebased is left in `s.head_ref` (HEAD itself is detached then).
pub fn operation(repo: &Repo, s: &mut Scratch) -> Option<Operation> {
    if exists(s, repo, "rebase-merge") {
        let step = read_number(s, repo, "rebase-merge/msgnum");
        let total = read_number(s, repo, "rebase-merge/end");
        load_head_name(s, repo, "rebase-merge/head-name");
        return Some(Operation::Rebase { step, total });
    }
    if exists(s, repo, "rebase-apply") {
        let step = read_number(s, repo, "rebase-apply/next");
        let total = read_number(s, repo, "rebase-apply/last");
        if exists(s, repo, "rebase-apply/applying") {
            return Some(Operation::Am { step, total });
        }
        load_head_name(s, repo, "rebase-apply/head-name");
        return Some(Operation::Rebase { step, total });
    }
    [
        ("MERGE_HEAD", Operation::Merge),
        ("CHERRY_PICK_HEAD", Operation::CherryPick),
        ("REVERT_HEAD", Operation::Revert),
    ]
    .into_iter()
    .find(|(file, _)| exists(s, repo, file))
    .map(|(_, op)| op)
    .or_else(|| sequencer(repo, s))
    .or_else(|| exists(s, repo, "BISECT_LOG").then_some(Operation::Bisect))
}

/// A cherry-pick or revert of several commits between two of them (`sequencer/todo`
/// without `CHERRY_PICK_HEAD`): named by the first command of the todo list, as git's
/// `sequencer_get_last_command` and its prompt read it.
fn sequencer(repo: &Repo, s: &mut Scratch) -> Option<Operation> {
    let path = join_into(&mut s.path, &repo.git_dir, "sequencer/todo");
    if !matches!(read_into(path, &mut s.data), Ok(true)) {
        return None;
    }
    let first = s.data.split(|&b| b == b'\n').next()?.trim_ascii_start();
    let command = first
        .split(|b| b.is_ascii_whitespace())
        .next()
        .unwrap_or(b"");
    match command {
        b"p" | b"pick" => Some(Operation::CherryPick),
        b"revert" => Some(Operation::Revert),
        _ => None,
    }
}

fn load_head_name(s: &mut Scratch, repo: &Repo, rel: &str) {
    let path = join_into(&mut s.path, &repo.git_dir, rel);
    if let Ok(true) = read_into(path, &mut s.data) {
        let name = s.data.trim_ascii();
        if crate::git::refs::valid_ref_name(name) {
            s.head_ref.clear();
            s.head_ref.extend_from_slice(name);
        }
    }
}

/// The value of `section.subsection.key` in config text (the last one wins, as in git;
/// a key without `=` reads `true`). Section and key compare case-insensitively, the
/// subsection as git compares it (`config_syntax.rs`). Text from a line git refuses on
/// is not read.
pub fn config_value<'c>(
    config: &'c [u8],
    section: &[u8],
    subsection: Option<&[u8]>,
    key: &[u8],
) -> Option<Cow<'c, [u8]>> {
    let mut found = None;
    for item in items(config) {
        if let Item::Entry(entry) = item
            && entry.is(section, subsection, key)
        {
            found = Some(entry.value.unwrap_or(Cow::Borrowed(b"true")));
        }
    }
    found
}

/// The upstream of branch `head_ref` (`refs/heads/NAME`) from config text, as
/// [`upstream_in_texts`] finds it. Written to `out`; `false` when the branch has none or
/// git would refuse the text.
pub fn parse_config_upstream(config: &[u8], head_ref: &[u8], out: &mut Vec<u8>) -> bool {
    upstream_in_texts(&[config], head_ref, out).unwrap_or(false)
}

/// The upstream of `head_ref` from config texts in git's reading order, as git's
/// `branch_get_upstream` finds it: `branch.NAME.remote` (the last one set) and
/// `branch.NAME.merge` (the first one set); for the remote `.` the merge ref itself, else
/// the merge ref mapped through the remote's fetch refspecs (`remote.R.fetch`, the first
/// that matches; negative `^` refspecs do not count). A remote with a section
/// but no fetch refspec gets the default `refs/remotes/R/BRANCH`. `Err(line)` when a
/// text has a line git refuses.
pub fn upstream_in_texts<T: AsRef<[u8]>>(
    texts: &[T],
    head_ref: &[u8],
    out: &mut Vec<u8>,
) -> Result<bool, usize> {
    out.clear();
    let Some(branch) = head_ref.strip_prefix(b"refs/heads/") else {
        return Ok(false);
    };
    let mut remote: Option<Cow<'_, [u8]>> = None;
    let mut merge: Option<Cow<'_, [u8]>> = None;
    for item in texts.iter().flat_map(|t| items(t.as_ref())) {
        let entry = match item {
            Item::Entry(entry) => entry,
            Item::Header(_) => continue,
            Item::Error { line } => return Err(line),
        };
        if entry.is(b"branch", Some(branch), b"remote") {
            remote = entry.value;
        } else if merge.is_none() && entry.is(b"branch", Some(branch), b"merge") {
            merge = entry.value;
        }
    }
    let (Some(remote), Some(merge)) = (remote, merge) else {
        return Ok(false);
    };
    let found = if &*remote == b"." {
        out.extend_from_slice(&merge);
        true
    } else {
        tracking_ref(texts, &remote, &merge, out)
    };
    if !(found && crate::git::refs::valid_ref_name(out)) {
        out.clear();
        return Ok(false);
    }
    Ok(true)
}

/// The remote-tracking ref (into `out`) of `merge` on remote `remote`: through the first
/// of the remote's fetch refspecs that matches; the default `refs/remotes/R/BRANCH` for a
/// remote with a section but no fetch refspec.
fn tracking_ref<T: AsRef<[u8]>>(
    texts: &[T],
    remote: &[u8],
    merge: &[u8],
    out: &mut Vec<u8>,
) -> bool {
    let mut has_section = false;
    let mut has_fetch = false;
    for item in texts.iter().flat_map(|t| items(t.as_ref())) {
        let Item::Entry(entry) = item else { continue };
        if !entry.section.eq_ignore_ascii_case(b"remote")
            || !entry.subsection.is_some_and(|sub| sub.is(remote))
        {
            continue;
        }
        has_section = true;
        let Some(spec) = entry
            .value
            .filter(|_| entry.key.eq_ignore_ascii_case(b"fetch"))
        else {
            continue;
        };
        has_fetch = true;
        // A negative refspec limits what is fetched, not the tracking ref.
        if !spec.starts_with(b"^") && map_through_refspec(&spec, merge, out) {
            return true;
        }
    }
    let Some(merged) = merge.strip_prefix(b"refs/heads/") else {
        return false;
    };
    if has_fetch || !has_section {
        return false;
    }
    out.extend_from_slice(b"refs/remotes/");
    out.extend_from_slice(remote);
    out.push(b'/');
    out.extend_from_slice(merged);
    true
}

/// What `name` matches in one side of a refspec: `Some(middle)` (the text a `*` stands
/// for, empty without one).
fn refspec_side_matches<'n>(side: &[u8], name: &'n [u8]) -> Option<&'n [u8]> {
    match memchr(b'*', side) {
        None => (side == name).then_some(&name[..0]),
        Some(star) => {
            let (prefix, suffix) = (&side[..star], &side[star + 1..]);
            (name.len() >= prefix.len() + suffix.len()
                && name.starts_with(prefix)
                && name.ends_with(suffix))
            .then(|| &name[prefix.len()..name.len() - suffix.len()])
        }
    }
}

/// Writes to `out` (empty before) the remote-tracking ref a fetch refspec
/// (`+refs/heads/*:refs/remotes/o/*`) maps `name` to; `false` when it does not match or
/// names no destination.
fn map_through_refspec(spec: &[u8], name: &[u8], out: &mut Vec<u8>) -> bool {
    let spec = spec.strip_prefix(b"+").unwrap_or(spec);
    let Some(colon) = memchr(b':', spec) else {
        return false;
    };
    let (src, dst) = (&spec[..colon], &spec[colon + 1..]);
    if dst.is_empty() || src.contains(&b'*') != dst.contains(&b'*') {
        return false;
    }
    let Some(middle) = refspec_side_matches(src, name) else {
        return false;
    };
    match memchr(b'*', dst) {
        Some(star) => {
            out.extend_from_slice(&dst[..star]);
            out.extend_from_slice(middle);
            out.extend_from_slice(&dst[star + 1..]);
        }
        None => out.extend_from_slice(dst),
    }
    true
}

/// git's config files as the upstream lookup reads them, kept from render to render:
/// the global files' paths (found once) and the buffers the files are read into.
#[derive(Default)]
pub struct ConfigFiles {
    outer: Option<Vec<PathBuf>>,
    texts: Vec<Vec<u8>>,
    used: usize,
}

impl ConfigFiles {
    /// A cleared buffer for the next text, its capacity reused.
    fn next_buffer(&mut self) -> &mut Vec<u8> {
        if self.used == self.texts.len() {
            self.texts.push(Vec::new());
        }
        self.used += 1;
        let buf = &mut self.texts[self.used - 1];
        buf.clear();
        buf
    }

    /// Appends file `path` (nothing when it is missing), with its includes when it has
    /// include sections. Returns whether it was there.
    fn read(&mut self, path: &Path, repo: &Repo) -> Result<bool, GitError> {
        let buf = self.next_buffer();
        if !read_into(path, buf)? {
            self.used -= 1;
            return Ok(false);
        }
        if has_include_section(buf)
            && let Some(segments) = config_with_includes(repo, path)?
        {
            self.used -= 1;
            for segment in segments {
                *self.next_buffer() = segment;
            }
        }
        Ok(true)
    }

    fn texts(&self) -> &[Vec<u8>] {
        &self.texts[..self.used]
    }
}

/// Reads git's config files into `s.config`, in git's order: the system file (unless
/// `GIT_CONFIG_NOSYSTEM`), the global ones (`GIT_CONFIG_GLOBAL`, else
/// `$XDG_CONFIG_HOME/git/config` and `~/.gitconfig`), the repository's `config` and,
/// with `extensions.worktreeConfig`, `config.worktree`. Files with `[include]`/
/// `[includeIf]` sections are read with their includes (`config_include.rs`; this
/// allocates, so only for such files). Then checks the repository's format as git does:
/// a format git refuses (`core.repositoryFormatVersion` above 1, an unknown
/// `extensions.*` in a version 1 repository) is an error, and reftable refs are
/// [`GitError::LeftToGit`].
pub fn load_config(repo: &Repo, s: &mut Scratch) -> Result<(), GitError> {
    let files = &mut s.config;
    files.used = 0;
    let outer = files
        .outer
        .take()
        .unwrap_or_else(|| ConfigEnv::from_process().outer_files());
    let mut result = Ok(());
    for path in &outer {
        if let Err(e) = files.read(path, repo) {
            result = Err(e);
            break;
        }
    }
    files.outer = Some(outer);
    result?;
    let path = join_into(&mut s.path, &repo.common_dir, "config");
    let local_start = files.used;
    files.read(path, repo)?;
    let local = &files.texts()[local_start..];
    check_format(local, &repo.common_dir)?;
    let worktree_config = local.iter().rev().find_map(|t| {
        config_value(t, b"extensions", None, b"worktreeconfig").map(|v| git_bool(&v))
    });
    if worktree_config == Some(Some(true)) {
        let path = join_into(&mut s.path, &repo.git_dir, "config.worktree");
        files.read(path, repo)?;
    }
    Ok(())
}

/// The `extensions.*` git 2.47 and later know.
const KNOWN_EXTENSIONS: &[&[u8]] = &[
    b"noop",
    b"noop-v1",
    b"preciousobjects",
    b"partialclone",
    b"worktreeconfig",
    b"objectformat",
    b"compatobjectformat",
    b"refstorage",
    b"relativeworktrees",
];

/// git's `check_repository_format`, on the repository's own config texts.
fn check_format(local: &[Vec<u8>], common_dir: &Path) -> Result<(), GitError> {
    let refused = |what| {
        Err(GitError::Corrupt {
            path: common_dir.join("config"),
            what,
        })
    };
    let mut version = 0i64;
    let mut unknown = false;
    let mut reftable = false;
    for item in local.iter().flat_map(|t| items(t)) {
        let Item::Entry(entry) = item else { continue };
        if entry.is(b"core", None, b"repositoryformatversion") {
            version = entry
                .value
                .as_deref()
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(i64::MAX);
        } else if entry.section.eq_ignore_ascii_case(b"extensions") && entry.subsection.is_none() {
            let known = KNOWN_EXTENSIONS
                .iter()
                .any(|k| entry.key.eq_ignore_ascii_case(k));
            unknown |= !known;
            if entry.key.eq_ignore_ascii_case(b"refstorage") {
                reftable = entry
                    .value
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case(b"reftable"));
            }
        }
    }
    if !(0..=1).contains(&version) {
        return refused("git: repository format version git does not know");
    }
    if version == 1 && unknown {
        return refused("git: unknown repository extension");
    }
    if version == 1 && reftable {
        return Err(GitError::LeftToGit {
            what: "git: reftable refs are left to git",
        });
    }
    Ok(())
}

/// Finds the upstream of `s.head_ref` into `s.upstream_ref` from the config files
/// [`load_config`] read (as [`upstream_in_texts`] does). A file git would refuse is an
/// error, as it is for git.
pub fn upstream(repo: &Repo, s: &mut Scratch) -> Result<bool, GitError> {
    s.upstream_ref.clear();
    if !s.head_ref.starts_with(b"refs/heads/") {
        return Ok(false);
    }
    upstream_in_texts(s.config.texts(), &s.head_ref, &mut s.upstream_ref).map_err(|_| {
        GitError::Corrupt {
            path: repo.common_dir.join("config"),
            what: "git: bad config line",
        }
    })
}

/// Does the config text have an `[include]` or `[includeIf …]` section header?
fn has_include_section(config: &[u8]) -> bool {
    memchr::memmem::find_iter(config, b"[").any(|at| {
        config
            .get(at + 1..at + 8)
            .is_some_and(|name| name.eq_ignore_ascii_case(b"include"))
    })
}

/// Config file `path` with its includes followed, as text segments in git's reading
/// order; `None` when the includes are left to git (`hasconfig:`, too deep: the file's
/// own text is used).
fn config_with_includes(repo: &Repo, path: &Path) -> Result<Option<Vec<Vec<u8>>>, GitError> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let ctx = IncludeContext {
        git_dir: &repo.git_dir,
        home: home.as_deref(),
    };
    let mut segments = Vec::new();
    match read_config_file(path, &ctx, &mut segments) {
        Ok(()) => Ok(Some(segments)),
        Err(IncludeError::Git(e)) => Err(e),
        Err(IncludeError::Unsupported(_)) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &[u8] = b"[core]\n\tbare = false\n[remote \"origin\"]\n\turl = x\n[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main ; tracked\n[branch \"we\\\"ird\"]\n\tremote = \".\"\n\tmerge = refs/heads/main\n";

    #[test]
    fn upstream_is_the_remote_tracking_ref() {
        let mut out = Vec::new();
        assert!(parse_config_upstream(CONFIG, b"refs/heads/main", &mut out));
        assert_eq!(out, b"refs/remotes/origin/main");
    }

    #[test]
    fn a_local_upstream_is_the_merge_ref_and_quoted_subsections_unescape() {
        let mut out = Vec::new();
        assert!(parse_config_upstream(
            CONFIG,
            b"refs/heads/we\"ird",
            &mut out
        ));
        assert_eq!(out, b"refs/heads/main");
    }

    #[test]
    fn a_branch_without_config_has_no_upstream() {
        let mut out = Vec::new();
        assert!(!parse_config_upstream(
            CONFIG,
            b"refs/heads/topic",
            &mut out
        ));
        assert!(!parse_config_upstream(
            b"\xff[[[\n=\n",
            b"refs/heads/main",
            &mut out
        ));
        assert!(out.is_empty());
    }

    #[test]
    fn an_upstream_git_would_not_accept_leaves_the_output_empty() {
        let mut out = Vec::new();
        let dot = b"[branch \"main\"]\n\tremote = .\n\tmerge = refs/../x\n";
        assert!(!parse_config_upstream(dot, b"refs/heads/main", &mut out));
        assert!(out.is_empty());
        let spec = b"[remote \"o\"]\n\tfetch = refs/heads/*:refs/x//*\n[branch \"main\"]\n\tremote = o\n\tmerge = refs/heads/main\n";
        assert!(!parse_config_upstream(spec, b"refs/heads/main", &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn section_and_key_names_ignore_case() {
        assert_eq!(
            config_value(b"[Core]\nBare = true\n", b"core", None, b"bare").as_deref(),
            Some(&b"true"[..])
        );
    }
}
