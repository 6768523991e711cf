//! Config files with their includes followed, as git reads them: `[include] path = FILE`
//! and `[includeIf "COND"] path = FILE` splice FILE's settings in at the place the `path`
//! line stands, so a later line of the including file still wins over the included one.
//!
//! Conditions (git's `include_condition_is_true`):
//! - `gitdir:PATTERN` / `gitdir/i:PATTERN`: the git directory (its real path, then as
//!   given) matches PATTERN as a wildmatch with `/` significant; `~/` is the home
//!   directory, `./` the including file's directory, a relative pattern gets `**/` in
//!   front and one ending in `/` gets `**` behind. `/i` compares ASCII case-insensitively.
//! - `onbranch:PATTERN`: HEAD is on a branch whose short name matches (`/` at the end adds
//!   `**`); a detached or unreadable HEAD matches nothing.
//! - `hasconfig:…` is left to git ([`Unsupported::ConfigInclude`]); unknown conditions are
//!   false, as in git.
//!
//! Include paths: `~/` is the home directory, relative paths are taken from the including
//! file's directory; a missing file is skipped, as git skips it. Nesting deeper than git's
//! limit (10) is left to git, which refuses it.
//!
//! The result is a list of text segments in reading order: a lookup takes the value of the
//! last segment that has one (`state::config_value` on each, from the end).

use std::path::{Path, PathBuf};

use crate::git::config_syntax::{Entry, Item, Subsection, first_error, items};
use crate::git::refs::{HeadTarget, parse_head};
use crate::git::status::Unsupported;
use crate::git::wildmatch::{PATHNAME, wildmatch};
use crate::git::{GitError, read_into};

/// git's `MAX_INCLUDE_DEPTH`.
const MAX_DEPTH: usize = 10;

/// What include conditions are evaluated against.
#[derive(Clone, Copy, Debug)]
pub struct IncludeContext<'a> {
    /// The repository's git directory (a linked worktree's own one).
    pub git_dir: &'a Path,
    /// `$HOME`, for `~/`.
    pub home: Option<&'a Path>,
}

/// Why a file could not be read with its includes.
#[derive(Debug)]
pub enum IncludeError {
    /// A case left to git (`hasconfig:`, nesting past git's limit).
    Unsupported(Unsupported),
    Git(GitError),
}

/// Reads config file `path` (missing or not a regular file: nothing) and the files it
/// includes, appending the text segments to `out` in the order git reads them.
pub fn read_config_file(
    path: &Path,
    ctx: &IncludeContext<'_>,
    out: &mut Vec<Vec<u8>>,
) -> Result<(), IncludeError> {
    read_at_depth(path, ctx, out, 0)
}

fn read_at_depth(
    path: &Path,
    ctx: &IncludeContext<'_>,
    out: &mut Vec<Vec<u8>>,
    depth: usize,
) -> Result<(), IncludeError> {
    if depth > MAX_DEPTH {
        return Err(IncludeError::Unsupported(Unsupported::ConfigInclude));
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Ok(());
    }
    let mut text = Vec::new();
    match read_into(path, &mut text) {
        Ok(true) => {}
        Ok(false) => return Ok(()),
        Err(e) => return Err(IncludeError::Git(e)),
    }
    if first_error(&text).is_some() {
        return Err(IncludeError::Git(GitError::Corrupt {
            path: path.to_owned(),
            what: "git: bad config line",
        }));
    }
    // Each include splits the text after its `path` line; the rest of the section goes
    // on under a copy of its header.
    let mut segment_start = 0;
    let mut prefix = Vec::new();
    for item in items(&text) {
        let Item::Entry(entry) = item else { continue };
        if !entry.key.eq_ignore_ascii_case(b"path") || !section_includes(&entry, path, ctx)? {
            continue;
        }
        let Some(value) = entry.value else { continue };
        let mut segment = std::mem::take(&mut prefix);
        segment.extend_from_slice(&text[segment_start..entry.end]);
        out.push(segment);
        if let Some(target) = include_target(&value, path, ctx.home) {
            read_at_depth(&target, ctx, out, depth + 1)?;
        }
        segment_start = entry.end;
        prefix.extend_from_slice(&text[entry.header.clone()]);
        prefix.push(b'\n');
    }
    prefix.extend_from_slice(&text[segment_start..]);
    out.push(prefix);
    Ok(())
}

/// Is the entry's section `[include]`, or an `[includeIf "COND"]` whose COND holds?
fn section_includes(
    entry: &Entry<'_>,
    file: &Path,
    ctx: &IncludeContext<'_>,
) -> Result<bool, IncludeError> {
    match entry.subsection {
        None => Ok(entry.section.eq_ignore_ascii_case(b"include")),
        Some(_) if !entry.section.eq_ignore_ascii_case(b"includeif") => Ok(false),
        Some(Subsection::Quoted(quoted)) => condition_holds(&unescape(quoted), file, ctx),
        Some(Subsection::Dotted(_)) => Ok(false),
    }
}

/// A quoted subsection without its `\"` and `\\` escapes.
fn unescape(quoted: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(quoted.len());
    let mut bytes = quoted.iter();
    while let Some(&b) = bytes.next() {
        out.push(if b == b'\\' {
            bytes.next().copied().unwrap_or(b'\\')
        } else {
            b
        });
    }
    out
}

fn condition_holds(
    cond: &[u8],
    file: &Path,
    ctx: &IncludeContext<'_>,
) -> Result<bool, IncludeError> {
    if let Some(pattern) = cond.strip_prefix(b"gitdir:") {
        return Ok(gitdir_matches(pattern, false, file, ctx));
    }
    if let Some(pattern) = cond.strip_prefix(b"gitdir/i:") {
        return Ok(gitdir_matches(pattern, true, file, ctx));
    }
    if let Some(pattern) = cond.strip_prefix(b"onbranch:") {
        return Ok(branch_matches(pattern, ctx.git_dir));
    }
    if cond.starts_with(b"hasconfig:") {
        return Err(IncludeError::Unsupported(Unsupported::ConfigInclude));
    }
    Ok(false)
}

/// git's `prepare_include_condition_pattern` and `include_by_gitdir`.
fn gitdir_matches(pattern: &[u8], icase: bool, file: &Path, ctx: &IncludeContext<'_>) -> bool {
    let mut pat = if let Some(rest) = pattern.strip_prefix(b"~/") {
        let Some(home) = ctx.home else { return false };
        join_bytes(home, rest)
    } else if let Some(rest) = pattern.strip_prefix(b"./") {
        let Some(dir) = file
            .canonicalize()
            .ok()
            .and_then(|f| f.parent().map(Path::to_owned))
        else {
            return false;
        };
        join_bytes(&dir, rest)
    } else {
        pattern.to_vec()
    };
    if pat.first() != Some(&b'/') {
        pat.splice(0..0, *b"**/");
    }
    if pat.ends_with(b"/") {
        pat.extend_from_slice(b"**");
    }
    let matches = |text: &[u8]| match icase {
        false => wildmatch(&pat, text, PATHNAME),
        true => wildmatch(
            &pat.to_ascii_lowercase(),
            &text.to_ascii_lowercase(),
            PATHNAME,
        ),
    };
    let real = ctx.git_dir.canonicalize().ok();
    real.is_some_and(|r| matches(r.as_os_str().as_encoded_bytes()))
        || matches(ctx.git_dir.as_os_str().as_encoded_bytes())
}

/// `onbranch:`: the short name of HEAD's branch against the pattern.
fn branch_matches(pattern: &[u8], git_dir: &Path) -> bool {
    let mut head = Vec::new();
    if !matches!(read_into(&git_dir.join("HEAD"), &mut head), Ok(true)) {
        return false;
    }
    let Some(HeadTarget::Symbolic(name)) = parse_head(&head) else {
        return false;
    };
    let Some(branch) = name.strip_prefix(b"refs/heads/") else {
        return false;
    };
    let mut pat = pattern.to_vec();
    if pat.ends_with(b"/") {
        pat.extend_from_slice(b"**");
    }
    wildmatch(&pat, branch, PATHNAME)
}

/// Where an include path points: `~/` below home, relative to the including file.
fn include_target(value: &[u8], file: &Path, home: Option<&Path>) -> Option<PathBuf> {
    if value.is_empty() {
        return None;
    }
    if let Some(rest) = value.strip_prefix(b"~/") {
        return home.map(|h| h.join(&*crate::sys::fs::os_str(rest)));
    }
    let path = crate::sys::fs::os_str(value);
    let path = Path::new(&*path);
    if path.is_absolute() {
        return Some(path.to_owned());
    }
    Some(file.parent().unwrap_or(Path::new("")).join(path))
}

fn join_bytes(dir: &Path, rest: &[u8]) -> Vec<u8> {
    let mut out = dir.as_os_str().as_encoded_bytes().to_vec();
    if !out.ends_with(b"/") {
        out.push(b'/');
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::state::config_value;

    fn temp_dir(tag: &str) -> crate::tempdir::TempDir {
        crate::tempdir::TempDir::new(&format!("include-{tag}")).unwrap()
    }

    #[test]
    fn an_included_value_sits_where_its_path_line_stands() {
        let dir = temp_dir("order");
        std::fs::write(dir.join("inc"), "[core]\n\tx = included\n\ty = included\n").unwrap();
        std::fs::write(
            dir.join("config"),
            "[core]\n\tx = before\n[include]\n\tpath = inc\n\tpath = missing\n[core]\n\ty = after\n",
        )
        .unwrap();
        let ctx = IncludeContext {
            git_dir: &dir,
            home: None,
        };
        let mut texts = Vec::new();
        read_config_file(&dir.join("config"), &ctx, &mut texts).unwrap();
        let last = |key: &[u8]| {
            texts
                .iter()
                .rev()
                .find_map(|t| config_value(t, b"core", None, key).map(|v| v.into_owned()))
        };
        assert_eq!(last(b"x").as_deref(), Some(&b"included"[..]));
        assert_eq!(last(b"y").as_deref(), Some(&b"after"[..]));
    }

    #[test]
    fn a_file_that_includes_itself_stops_at_the_depth_limit() {
        let dir = temp_dir("loop");
        std::fs::write(dir.join("config"), "[include]\n\tpath = config\n").unwrap();
        let ctx = IncludeContext {
            git_dir: &dir,
            home: None,
        };
        let result = read_config_file(&dir.join("config"), &ctx, &mut Vec::new());
        assert!(matches!(
            result,
            Err(IncludeError::Unsupported(Unsupported::ConfigInclude))
        ));
    }
}
