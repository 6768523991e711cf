//! The operation in progress (rebase, merge, cherry-pick, revert, bisect, am) and the
//! branch's upstream, read from the git directory's marker files and `config`.
//!
//! The config reader understands sections, quoted subsections, quoted values and comments.
//! A config file with `[include]`/`[includeIf]` sections is read with its includes
//! (`config_include.rs`), so an upstream set in an included file is seen as git sees it;
//! only such files pay for it (the plain path reads one file into a reused buffer and
//! allocates nothing).
//!
//! Read next: `record.rs`.

use memchr::memchr;

use crate::git::config_include::{IncludeContext, read_config_file};
use crate::git::discover::Repo;
use crate::git::refs::Scratch;
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
        ("BISECT_LOG", Operation::Bisect),
    ]
    .into_iter()
    .find(|(file, _)| exists(s, repo, file))
    .map(|(_, op)| op)
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

/// The value of `section.subsection.key` in config text (the last one wins, as in git).
/// Section and key compare case-insensitively, the subsection exactly.
pub fn config_value<'c>(
    config: &'c [u8],
    section: &[u8],
    subsection: Option<&[u8]>,
    key: &[u8],
) -> Option<&'c [u8]> {
    let mut in_section = false;
    let mut found = None;
    let mut rest = config;
    while !rest.is_empty() {
        let end = memchr(b'\n', rest).unwrap_or(rest.len());
        let line = rest[..end].trim_ascii();
        rest = rest.get(end + 1..).unwrap_or(&[]);
        if line.first() == Some(&b'[') {
            in_section = header_matches(line, section, subsection);
            continue;
        }
        if !in_section || line.is_empty() || matches!(line[0], b'#' | b';') {
            continue;
        }
        let (name, value) = match memchr(b'=', line) {
            Some(eq) => (line[..eq].trim_ascii(), line[eq + 1..].trim_ascii()),
            None => (line, &b"true"[..]),
        };
        if name.eq_ignore_ascii_case(key) {
            found = Some(unquote(value));
        }
    }
    found
}

/// Does `[section "subsection"]` (or `[section]`) match?
fn header_matches(line: &[u8], section: &[u8], subsection: Option<&[u8]>) -> bool {
    let Some(close) = memchr::memrchr(b']', line) else {
        return false;
    };
    let inner = &line[1..close];
    match memchr(b'"', inner) {
        None => subsection.is_none() && inner.trim_ascii().eq_ignore_ascii_case(section),
        Some(quote) => {
            let Some(sub) = subsection else { return false };
            if !inner[..quote].trim_ascii().eq_ignore_ascii_case(section) {
                return false;
            }
            let quoted = inner[quote + 1..]
                .strip_suffix(b"\"")
                .unwrap_or(&inner[quote + 1..]);
            unescaped_eq(quoted, sub)
        }
    }
}

/// Compares a quoted config subsection (with `\"` and `\\` escapes) to `plain`.
fn unescaped_eq(quoted: &[u8], plain: &[u8]) -> bool {
    let mut chars = quoted.iter();
    let mut expected = plain.iter();
    while let Some(&c) = chars.next() {
        let c = if c == b'\\' {
            chars.next().copied().unwrap_or(b'\\')
        } else {
            c
        };
        if expected.next() != Some(&c) {
            return false;
        }
    }
    expected.next().is_none()
}

/// A value without its surrounding quotes and trailing comment.
pub(crate) fn unquote(value: &[u8]) -> &[u8] {
    if let Some(inner) = value.strip_prefix(b"\"") {
        return match memchr(b'"', inner) {
            Some(end) => &inner[..end],
            None => inner,
        };
    }
    let cut = value
        .iter()
        .position(|&b| b == b'#' || b == b';')
        .unwrap_or(value.len());
    value[..cut].trim_ascii()
}

/// The upstream of branch `head_ref` (`refs/heads/NAME`) from config text:
/// `refs/remotes/REMOTE/BRANCH`, or the merge ref itself for `remote = .`. Written to
/// `out`; `false` when the branch has no upstream.
pub fn parse_config_upstream(config: &[u8], head_ref: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let Some(branch) = head_ref.strip_prefix(b"refs/heads/") else {
        return false;
    };
    let (Some(remote), Some(merge)) = (
        config_value(config, b"branch", Some(branch), b"remote"),
        config_value(config, b"branch", Some(branch), b"merge"),
    ) else {
        return false;
    };
    upstream_ref(remote, merge, out)
}

/// The ref `branch.NAME.remote` and `.merge` point at: the merge ref itself for the
/// remote `.`, else the remote-tracking ref.
fn upstream_ref(remote: &[u8], merge: &[u8], out: &mut Vec<u8>) -> bool {
    if remote == b"." {
        out.extend_from_slice(merge);
        return true;
    }
    let Some(merged) = merge.strip_prefix(b"refs/heads/") else {
        return false;
    };
    out.extend_from_slice(b"refs/remotes/");
    out.extend_from_slice(remote);
    out.push(b'/');
    out.extend_from_slice(merged);
    true
}

/// Finds the upstream of `s.head_ref` into `s.upstream_ref`. A config file with
/// `[include]` or `[includeIf]` sections is read with its includes, as git reads it
/// (`config_include.rs`; this allocates, so it is done only for such files).
pub fn upstream(repo: &Repo, s: &mut Scratch) -> Result<bool, GitError> {
    let path = join_into(&mut s.path, &repo.common_dir, "config");
    if !read_into(path, &mut s.data)? {
        s.upstream_ref.clear();
        return Ok(false);
    }
    if has_include_section(&s.data)
        && let Some(segments) = config_with_includes(repo)
    {
        return Ok(upstream_in_segments(
            &segments,
            &s.head_ref,
            &mut s.upstream_ref,
        ));
    }
    Ok(parse_config_upstream(
        &s.data,
        &s.head_ref,
        &mut s.upstream_ref,
    ))
}

/// Does the config text have an `[include]` or `[includeIf …]` section header?
fn has_include_section(config: &[u8]) -> bool {
    config.split(|&b| b == b'\n').any(|line| {
        let line = line.trim_ascii_start();
        line.first() == Some(&b'[')
            && line
                .get(1..8)
                .is_some_and(|name| name.eq_ignore_ascii_case(b"include"))
    })
}

/// The repository's config file with its includes followed, as text segments in git's
/// reading order; `None` when the includes are left to git (`hasconfig:`, too deep) or
/// cannot be read (the file's own text is then used).
fn config_with_includes(repo: &Repo) -> Option<Vec<Vec<u8>>> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let ctx = IncludeContext {
        git_dir: &repo.git_dir,
        home: home.as_deref(),
    };
    let mut segments = Vec::new();
    read_config_file(&repo.common_dir.join("config"), &ctx, &mut segments).ok()?;
    Some(segments)
}

/// [`parse_config_upstream`] over segments read in order: each key's value is the one
/// in the last segment that sets it.
fn upstream_in_segments(segments: &[Vec<u8>], head_ref: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let Some(branch) = head_ref.strip_prefix(b"refs/heads/") else {
        return false;
    };
    let last = |key: &[u8]| {
        segments
            .iter()
            .rev()
            .find_map(|text| config_value(text, b"branch", Some(branch), key))
    };
    let (Some(remote), Some(merge)) = (last(b"remote"), last(b"merge")) else {
        return false;
    };
    upstream_ref(remote, merge, out)
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
    fn section_and_key_names_ignore_case() {
        assert_eq!(
            config_value(b"[Core]\nBare = true\n", b"core", None, b"bare"),
            Some(&b"true"[..])
        );
    }
}
