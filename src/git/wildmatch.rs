//! Shell-style glob matching exactly as git's `wildmatch()` does it, for gitignore patterns.
//!
//! `?`, `*`, `[...]` classes (`!` or `^` negates, ranges, `[:alpha:]`-style names) and
//! backslash escapes. With [`PATHNAME`], `*`, `?` and classes never match `/`, and `**`
//! between slashes (or at either end) matches any number of directories. Without it,
//! `*` and `**` match anything, slashes included.
//!
//! Bounded work: the two abort results of git's matcher (`ABORT_ALL` when the text ran
//! out, `ABORT_TO_STARSTAR` when a single `*` met a slash) cut the retries of the outer
//! stars, so a pattern of `k` stars costs O(k·n) steps rather than O(n^k). Recursion goes
//! one level per star group; past [`MAX_STAR_GROUPS`] nested groups (no real ignore file
//! comes near) a pattern simply does not match, which keeps the stack bounded.
//!
//! Read next: `ignore.rs`, which decides which text a pattern is matched against.

/// `*`, `?` and classes do not match `/`; `**/` spans directories.
pub const PATHNAME: u32 = 1;

/// How deep star groups may nest before a pattern is declared not to match.
pub const MAX_STAR_GROUPS: u32 = 256;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Match,
    NoMatch,
    AbortAll,
    AbortToStarStar,
}

/// Does `pattern` match the whole of `text`?
pub fn wildmatch(pattern: &[u8], text: &[u8], flags: u32) -> bool {
    dowild(pattern, text, flags & PATHNAME != 0, 0) == Verdict::Match
}

/// The characters that make a pattern more than a literal (git's `is_glob_special`).
pub fn is_glob_special(c: u8) -> bool {
    matches!(c, b'*' | b'?' | b'[' | b'\\')
}

/// Byte `i` of `s`, or 0 past its end (the C strings' terminator).
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn dowild(pat: &[u8], text: &[u8], pathname: bool, depth: u32) -> Verdict {
    if depth > MAX_STAR_GROUPS {
        return Verdict::AbortAll;
    }
    let (mut p, mut t) = (0usize, 0usize);
    while at(pat, p) != 0 {
        let p_ch = at(pat, p);
        let t_ch = at(text, t);
        if t_ch == 0 && p_ch != b'*' {
            return Verdict::AbortAll;
        }
        match p_ch {
            b'\\' => {
                p += 1;
                if t_ch != at(pat, p) {
                    return Verdict::NoMatch;
                }
            }
            b'?' => {
                if pathname && t_ch == b'/' {
                    return Verdict::NoMatch;
                }
            }
            b'*' => return star(pat, p, text, t, pathname, depth),
            b'[' => match class(pat, &mut p, t_ch) {
                None => return Verdict::AbortAll,
                Some(false) => return Verdict::NoMatch,
                Some(true) if pathname && t_ch == b'/' => return Verdict::NoMatch,
                Some(true) => {}
            },
            _ => {
                if t_ch != p_ch {
                    return Verdict::NoMatch;
                }
            }
        }
        p += 1;
        t += 1;
    }
    if t < text.len() {
        Verdict::NoMatch
    } else {
        Verdict::Match
    }
}

/// A star group at `pat[p]`, with the text at `text[t]`: the rest of `dowild` from there.
fn star(
    pat: &[u8],
    mut p: usize,
    text: &[u8],
    mut t: usize,
    pathname: bool,
    depth: u32,
) -> Verdict {
    let match_slash;
    p += 1;
    if at(pat, p) == b'*' {
        let before = p.checked_sub(2);
        while at(pat, p) == b'*' {
            p += 1;
        }
        let at_segment_start = before.is_none_or(|b| pat[b] == b'/');
        let next = at(pat, p);
        if !pathname {
            match_slash = true;
        } else if at_segment_start
            && (next == 0 || next == b'/' || (next == b'\\' && at(pat, p + 1) == b'/'))
        {
            if next == b'/'
                && dowild(&pat[p + 1..], &text[t..], pathname, depth + 1) == Verdict::Match
            {
                return Verdict::Match;
            }
            match_slash = true;
        } else {
            match_slash = false;
        }
    } else {
        match_slash = !pathname;
    }
    let rest = &text[t..];
    if at(pat, p) == 0 {
        return if !match_slash && rest.contains(&b'/') {
            Verdict::NoMatch
        } else {
            Verdict::Match
        };
    }
    if !match_slash && at(pat, p) == b'/' {
        // One star before a slash matches the rest of this directory name.
        let Some(slash) = memchr::memchr(b'/', rest) else {
            return Verdict::NoMatch;
        };
        t += slash;
        // Both sides hold a '/' here: consume it and match the rest.
        return dowild(&pat[p + 1..], &text[t + 1..], pathname, depth + 1);
    }
    let mut t_ch = at(text, t);
    loop {
        if t_ch == 0 {
            break;
        }
        let literal = at(pat, p);
        if !is_glob_special(literal) {
            while t < text.len() && (match_slash || text[t] != b'/') {
                if text[t] == literal {
                    break;
                }
                t += 1;
            }
            t_ch = at(text, t);
            if t_ch != literal {
                return Verdict::NoMatch;
            }
        }
        let matched = dowild(&pat[p..], &text[t..], pathname, depth + 1);
        if matched != Verdict::NoMatch {
            if !match_slash || matched != Verdict::AbortToStarStar {
                return matched;
            }
        } else if !match_slash && t_ch == b'/' {
            return Verdict::AbortToStarStar;
        }
        t += 1;
        t_ch = at(text, t);
    }
    Verdict::AbortAll
}

/// A bracket class starting at `pat[*p] == '['`, tried on `t_ch`; leaves `*p` on its `]`.
/// `None` for a malformed class (git aborts the whole match), else whether it matched.
fn class(pat: &[u8], p: &mut usize, t_ch: u8) -> Option<bool> {
    *p += 1;
    let mut p_ch = at(pat, *p);
    if p_ch == b'^' {
        p_ch = b'!';
    }
    let negated = p_ch == b'!';
    if negated {
        *p += 1;
        p_ch = at(pat, *p);
    }
    let mut prev_ch = 0u8;
    let mut matched = false;
    loop {
        if p_ch == 0 {
            return None;
        }
        if p_ch == b'\\' {
            *p += 1;
            p_ch = at(pat, *p);
            if p_ch == 0 {
                return None;
            }
            matched |= t_ch == p_ch;
        } else if p_ch == b'-' && prev_ch != 0 && at(pat, *p + 1) != 0 && at(pat, *p + 1) != b']' {
            *p += 1;
            p_ch = at(pat, *p);
            if p_ch == b'\\' {
                *p += 1;
                p_ch = at(pat, *p);
                if p_ch == 0 {
                    return None;
                }
            }
            matched |= t_ch <= p_ch && t_ch >= prev_ch;
            p_ch = 0;
        } else if p_ch == b'[' && at(pat, *p + 1) == b':' {
            let start = *p + 2;
            let mut end = start;
            while at(pat, end) != 0 && at(pat, end) != b']' {
                end += 1;
            }
            if at(pat, end) == 0 {
                return None;
            }
            if end == start || pat[end - 1] != b':' {
                // No ":]": the '[' is an ordinary member.
                *p = start - 2;
                matched |= t_ch == b'[';
                prev_ch = b'[';
                *p += 1;
                p_ch = at(pat, *p);
                if p_ch == b']' {
                    break;
                }
                continue;
            }
            *p = end;
            matched |= named_class(&pat[start..end - 1], t_ch)?;
            p_ch = 0;
        } else {
            matched |= t_ch == p_ch;
        }
        prev_ch = p_ch;
        *p += 1;
        p_ch = at(pat, *p);
        if p_ch == b']' {
            break;
        }
    }
    Some(matched != negated)
}

/// `[:name:]` inside a class, in the C locale; `None` for an unknown name.
fn named_class(name: &[u8], c: u8) -> Option<bool> {
    Some(match name {
        b"alnum" => c.is_ascii_alphanumeric(),
        b"alpha" => c.is_ascii_alphabetic(),
        b"blank" => c == b' ' || c == b'\t',
        b"cntrl" => c.is_ascii_control(),
        b"digit" => c.is_ascii_digit(),
        b"graph" => c.is_ascii_graphic(),
        b"lower" => c.is_ascii_lowercase(),
        b"print" => c.is_ascii_graphic() || c == b' ',
        b"punct" => c.is_ascii_punctuation(),
        b"space" => matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
        b"upper" => c.is_ascii_uppercase(),
        b"xdigit" => c.is_ascii_hexdigit(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        wildmatch(p.as_bytes(), t.as_bytes(), PATHNAME)
    }

    fn plain(p: &str, t: &str) -> bool {
        wildmatch(p.as_bytes(), t.as_bytes(), 0)
    }

    // Cases from git's t/t3070-wildmatch.sh (pathname mode unless marked).
    #[test]
    fn literal_question_mark_and_star_follow_git() {
        assert!(m("foo", "foo"));
        assert!(!m("foo", "bar"));
        assert!(m("", "") && !m("", "a"));
        assert!(m("???", "foo") && !m("??", "foo"));
        assert!(m("*", "foo") && m("f*", "foo") && !m("*f", "foo"));
        assert!(m("*foo*", "foo") && m("*ob*a*r*", "foobar") && m("*ab", "aaaaaaabababab"));
        assert!(m("foo\\*", "foo*") && !m("foo\\*bar", "foobar") && m("f\\\\oo", "f\\oo"));
        assert!(!m("*/foo", "foo") && !m("foo*", "foo/bar") && plain("foo*", "foo/bar"));
        assert!(!m("\\", "\\") && !m("foo\\", "foo\\"));
    }

    #[test]
    fn double_star_spans_directories_only_as_a_whole_segment() {
        assert!(m("**/foo", "foo") && m("**/foo", "a/b/foo") && m("foo/**", "foo/a/b"));
        assert!(m("a/**/b", "a/b") && m("a/**/b", "a/x/y/b") && !m("a/**/b", "a/xb"));
        assert!(!m("foo/**", "foo") && m("**", "a/b/c"));
        assert!(!m("a**/b", "ax/y/b") && m("a**/b", "ax/b"));
        assert!(!m("**/bar*", "deep/foo/bar/baz"));
        assert!(m("**/bar/*", "deep/foo/bar/baz") && !m("**/bar/*", "deep/foo/bar/baz/"));
        assert!(m("**/bar/**", "deep/foo/bar/baz/") && m("*/bar/**", "foo/bar/baz/x"));
        assert!(!m("*/bar/**", "deep/foo/bar/baz/x") && m("**/bar/*/*", "deep/foo/bar/baz/x"));
        assert!(m("**/foo", "XXX/foo") && m("*/foo", "bar/foo") && !m("*/foo", "a/bar/foo"));
    }

    #[test]
    fn classes_ranges_negation_and_names() {
        assert!(m("[a-c]at", "bat") && !m("[a-c]at", "dat") && m("[!a-c]at", "dat"));
        assert!(m("[^a-c]at", "dat") && !m("[!a-c]at", "bat"));
        assert!(m("[]]", "]") && m("[]-]", "-") && m("[a-]", "-") && m("[\\]]", "]"));
        assert!(m("[[:digit:]]x", "7x") && !m("[[:digit:]]x", "ax"));
        assert!(m("[[:alpha:][:digit:]]", "a") && m("[[:upper:]]", "Q") && !m("[[:upper:]]", "q"));
        assert!(!m("[[:nope:]]", "a") && !m("[abc", "a") && m("[[]", "["));
        assert!(m("[[:x]", "x") && m("[[:x]", ":") && !m("[[:x]", "y"));
        assert!(!m("a[/]b", "a/b") && plain("a[/]b", "a/b") && !m("a?b", "a/b"));
    }

    #[test]
    fn pathological_patterns_finish() {
        let text = "a".repeat(2000);
        let pattern = "*a".repeat(300) + "b";
        assert!(!m(&pattern, &text));
        // Past MAX_STAR_GROUPS nested star groups a pattern does not match (git would
        // recurse on): the stack stays bounded.
        let nested = "*a".repeat(3000);
        assert!(m(&"*a".repeat(200), &"a".repeat(200)));
        assert!(!m(&nested, &"a".repeat(3000)));
        let deep = "*a".repeat(5000);
        assert!(!m(&deep, &"a".repeat(100)));
        assert!(m(
            "-*-*-*-*-*-*-12-*-*-*-m-*-*-*",
            "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1"
        ));
    }
}
