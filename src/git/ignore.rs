//! gitignore patterns, parsed and matched exactly as git's `dir.c` does.
//!
//! # The rules (see `gitignore(5)`)
//! - One pattern a line; blank lines and lines starting with `#` are skipped; a UTF-8 BOM
//!   at the start of the file and a `\r` before the `\n` are dropped; trailing spaces are
//!   cut unless escaped (`foo\ `); a NUL ends the line (git reads C strings).
//! - `!` negates (re-includes); `\!` and `\#` start a literal pattern.
//! - A trailing `/` matches directories only; it is removed before matching.
//! - A pattern without a `/` (after the trailing one is removed) matches the *name* of a
//!   path at any depth below the ignore file's directory; one with a `/` anywhere (leading
//!   or middle) is anchored to that directory and matched against the path below it with
//!   [`wildmatch::PATHNAME`], so `*` stops at `/` and `**/` spans directories.
//! - Within one file the last matching line wins. Between files: the `.gitignore` of the
//!   deepest directory first, then its parents', then `$GIT_DIR/info/exclude`, then
//!   `core.excludesFile`; the first file with a matching line decides.
//! - A path below an excluded directory is excluded whatever the patterns say about it
//!   (git never looks inside, so it cannot be re-included); the walk in
//!   `untracked/walk.rs` enforces this by not entering excluded directories.
//!
//! Patterns are matched case-sensitively (`core.ignoreCase = false`, the default on
//! Linux; with `true` the status engine leaves the repository to git). A per-directory `.gitignore` that is a symlink is not read (git opens it with
//! `O_NOFOLLOW`); one that is not a regular file gives no patterns.
//!
//! Read next: `wildmatch.rs` (the glob matcher), `untracked/walk.rs` (who asks).

use std::path::Path;

use crate::git::wildmatch::{self, PATHNAME, is_glob_special};
use crate::git::{GitError, MAX_INLINE_FILE};

const NEGATIVE: u8 = 1;
const MUST_BE_DIR: u8 = 2;
const NO_DIR: u8 = 4;
const ENDS_WITH: u8 = 8;

/// One line of an ignore file, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    /// Without its `!` and trailing `/`.
    text: Vec<u8>,
    flags: u8,
    /// How many leading bytes hold no glob character (compared literally first).
    literal_len: usize,
}

/// The patterns of one ignore file and the directory they apply below.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatternList {
    /// The directory of the file relative to the work tree, with a trailing `/`, or empty
    /// for the top and for `info/exclude` and `core.excludesFile`.
    base: Vec<u8>,
    patterns: Vec<Pattern>,
}

impl PatternList {
    /// Parses the text of an ignore file whose patterns apply below `base` (`""` or
    /// `"dir/sub/"`).
    pub fn parse(content: &[u8], base: &[u8]) -> PatternList {
        let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
        let mut patterns = Vec::new();
        for line in content.split(|&b| b == b'\n') {
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let line = match memchr::memchr(0, line) {
                Some(nul) => &line[..nul],
                None => line,
            };
            if let Some(pattern) = parse_pattern(trim_trailing_spaces(line)) {
                patterns.push(pattern);
            }
        }
        PatternList {
            base: base.to_vec(),
            patterns,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// What the last matching pattern says about `path` (relative to the work tree):
    /// `Some(true)` excluded, `Some(false)` re-included by a `!` line, `None` no match.
    pub fn decide(&self, path: &[u8], is_dir: bool) -> Option<bool> {
        let basename = match memchr::memrchr(b'/', path) {
            Some(slash) => &path[slash + 1..],
            None => path,
        };
        self.patterns
            .iter()
            .rev()
            .find(|p| {
                (is_dir || p.flags & MUST_BE_DIR == 0)
                    && if p.flags & NO_DIR != 0 {
                        match_basename(basename, p)
                    } else {
                        match_pathname(path, &self.base, p)
                    }
            })
            .map(|p| p.flags & NEGATIVE == 0)
    }
}

/// Cuts unescaped trailing spaces (not tabs), as git's `trim_trailing_spaces`.
fn trim_trailing_spaces(line: &[u8]) -> &[u8] {
    let mut last_space = None;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b' ' => {
                last_space.get_or_insert(i);
            }
            b'\\' => {
                i += 1;
                if i >= line.len() {
                    return line;
                }
                last_space = None;
            }
            _ => last_space = None,
        }
        i += 1;
    }
    &line[..last_space.unwrap_or(line.len())]
}

/// One line into a pattern (git's `parse_path_pattern`); `None` when nothing is left to
/// match (`!`, `/`, an empty line): such a pattern can never match a name.
fn parse_pattern(line: &[u8]) -> Option<Pattern> {
    let mut flags = 0;
    let mut text = line;
    if let Some(rest) = text.strip_prefix(b"!") {
        flags |= NEGATIVE;
        text = rest;
    }
    let literal_len = text
        .iter()
        .position(|&c| is_glob_special(c))
        .unwrap_or(text.len());
    if let Some(rest) = text.strip_suffix(b"/") {
        flags |= MUST_BE_DIR;
        text = rest;
    }
    if text.is_empty() {
        return None;
    }
    if !text.contains(&b'/') {
        flags |= NO_DIR;
    }
    if text[0] == b'*' && !text[1..].iter().any(|&c| is_glob_special(c)) {
        flags |= ENDS_WITH;
    }
    Some(Pattern {
        text: text.to_vec(),
        flags,
        literal_len: literal_len.min(text.len()),
    })
}

/// A slash-free pattern against the last component of a path (git's `match_basename`).
fn match_basename(basename: &[u8], p: &Pattern) -> bool {
    if p.literal_len == p.text.len() {
        basename == p.text.as_slice()
    } else if p.flags & ENDS_WITH != 0 {
        basename.ends_with(&p.text[1..])
    } else {
        wildmatch::wildmatch(&p.text, basename, 0)
    }
}

/// An anchored pattern against the path below `base` (git's `match_pathname`).
fn match_pathname(path: &[u8], base: &[u8], p: &Pattern) -> bool {
    let (mut pattern, mut literal) = (p.text.as_slice(), p.literal_len);
    if let Some(rest) = pattern.strip_prefix(b"/") {
        pattern = rest;
        literal = literal.saturating_sub(1);
    }
    let Some(mut name) = path.strip_prefix(base) else {
        return false;
    };
    if name.is_empty() {
        return false;
    }
    if literal > 0 {
        if literal > name.len() || pattern[..literal] != name[..literal] {
            return false;
        }
        pattern = &pattern[literal..];
        name = &name[literal..];
        if pattern.is_empty() && name.is_empty() {
            return true;
        }
    }
    wildmatch::wildmatch(pattern, name, PATHNAME)
}

/// Reads the ignore file at `path` into `buf`. `Ok(false)` (and no patterns) when it is
/// missing, unreadable, not a regular file, or a symlink and `follow` is false: git warns
/// about such files and goes on without them. Larger than [`MAX_INLINE_FILE`] is an
/// error: the walk could not be exact without it.
pub fn read_ignore_file(path: &Path, follow: bool, buf: &mut Vec<u8>) -> Result<bool, GitError> {
    use std::io::Read;
    buf.clear();
    let Ok(file) =
        crate::sys::fs::open_flags(std::fs::OpenOptions::new().read(true), !follow, true)
            .open(path)
    else {
        return Ok(false);
    };
    let Ok(meta) = file.metadata() else {
        return Ok(false);
    };
    if !meta.is_file() {
        return Ok(false);
    }
    if meta.len() > MAX_INLINE_FILE {
        return Err(GitError::Corrupt {
            path: path.to_owned(),
            what: "git: ignore file too large",
        });
    }
    Ok(file.take(MAX_INLINE_FILE).read_to_end(buf).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(content: &str, base: &str, path: &str, is_dir: bool) -> Option<bool> {
        PatternList::parse(content.as_bytes(), base.as_bytes()).decide(path.as_bytes(), is_dir)
    }

    #[test]
    fn a_slash_free_pattern_matches_the_name_at_any_depth() {
        assert_eq!(decide("*.log\n", "", "a/b/x.log", false), Some(true));
        assert_eq!(decide("x.log\n", "", "a/b/x.log", false), Some(true));
        assert_eq!(decide("x.log\n", "", "a/b/y.log", false), None);
    }

    #[test]
    fn the_last_matching_line_wins_and_negation_reincludes() {
        assert_eq!(
            decide("*.log\n!keep.log\n", "", "keep.log", false),
            Some(false)
        );
        assert_eq!(
            decide("!keep.log\n*.log\n", "", "keep.log", false),
            Some(true)
        );
    }

    #[test]
    fn a_trailing_slash_matches_directories_only() {
        assert_eq!(decide("build/\n", "", "build", false), None);
        assert_eq!(decide("build/\n", "", "src/build", true), Some(true));
    }

    #[test]
    fn a_leading_or_middle_slash_anchors_to_the_file_directory() {
        assert_eq!(decide("/top\n", "", "top", false), Some(true));
        assert_eq!(decide("/top\n", "", "a/top", false), None);
        assert_eq!(decide("a/b\n", "", "a/b", false), Some(true));
        assert_eq!(decide("a/b\n", "", "x/a/b", false), None);
        assert_eq!(decide("b/c\n", "a/", "a/b/c", false), Some(true));
        assert_eq!(decide("/c\n", "a/", "c", false), None);
        assert_eq!(decide("a/**/b\n", "", "a/x/y/b", false), Some(true));
        assert_eq!(decide("**/build/\n", "", "x/build", true), Some(true));
    }

    #[test]
    fn comments_blank_lines_escapes_and_trailing_spaces() {
        assert_eq!(decide("# c\n\n\\#x\n", "", "#x", false), Some(true));
        assert_eq!(decide("\\!x\n", "", "!x", false), Some(true));
        assert_eq!(decide("a  \n", "", "a", false), Some(true));
        assert_eq!(decide("a\\ \n", "", "a ", false), Some(true));
        assert_eq!(decide("a\t\n", "", "a", false), None);
        assert_eq!(decide("\u{feff}bom\r\n", "", "bom", false), Some(true));
        assert_eq!(decide("nul\0rest\n", "", "nul", false), Some(true));
    }

    #[test]
    fn patterns_that_leave_nothing_never_match() {
        for content in ["!\n", "/\n", " \n", "!/\n"] {
            assert_eq!(decide(content, "", "a", true), None, "{content:?}");
        }
    }

    #[test]
    fn a_literal_prefix_longer_than_the_name_fails_fast() {
        assert_eq!(decide("abc/def*\n", "", "abc/d", false), None);
        assert_eq!(decide("abc/def*\n", "", "abc/defg", false), Some(true));
    }
}
