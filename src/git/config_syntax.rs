//! git's config file syntax, read as git's `config.c` reads it: what every config lookup
//! (`state::config_value`, the upstream, the status engine's settings, includes) stands on.
//!
//! - Section headers `[section]`, `[section "sub"]` (the subsection compares exactly, `\"`
//!   and `\\` unescaped) and the old `[section.sub]` (the subsection is lower-cased, as
//!   git does). Section and key names compare ASCII case-insensitively.
//! - A header may be followed by a key on the same line: `[core] filemode = false`.
//! - Values: leading and trailing whitespace dropped, inner whitespace kept, `"…"` quoting
//!   anywhere in the value, `;` and `#` comments outside quotes, the escapes `\\ \" \n \t
//!   \b`, and a backslash at the end of a line continuing the value on the next one. A key
//!   without `=` is a boolean true (its value is `None`).
//! - Anything git refuses (an unknown escape, an unclosed quote or header, a key that does
//!   not start with a letter) ends the reading with [`Item::Error`]: git then refuses the
//!   whole file, so callers must not use the values read before it as if they were all.
//!
//! Values without quotes or escapes are borrowed from the text: the common case allocates
//! nothing. Read next: `state.rs`, `config_include.rs`.

use std::borrow::Cow;
use std::ops::Range;

/// A subsection as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subsection<'c> {
    /// `[section "sub"]`: the text between the quotes, escapes still in it.
    Quoted(&'c [u8]),
    /// `[section.sub]`: compared lower-cased.
    Dotted(&'c [u8]),
}

impl Subsection<'_> {
    /// Does this subsection name `plain` as git compares it?
    pub fn is(&self, plain: &[u8]) -> bool {
        match *self {
            Subsection::Quoted(quoted) => unescaped_eq(quoted, plain),
            Subsection::Dotted(dotted) => {
                dotted.len() == plain.len()
                    && dotted
                        .iter()
                        .zip(plain)
                        .all(|(d, p)| d.to_ascii_lowercase() == *p)
            }
        }
    }
}

/// One `key = value` line with the section it stands in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'c> {
    pub section: &'c [u8],
    pub subsection: Option<Subsection<'c>>,
    pub key: &'c [u8],
    /// `None` for a key without `=` (git's boolean true).
    pub value: Option<Cow<'c, [u8]>>,
    /// Where the section's header is in the text (`[` to `]`).
    pub header: Range<usize>,
    /// The offset just past the entry's line (its newline included).
    pub end: usize,
}

impl Entry<'_> {
    /// Is this `section.subsection.key` (section and key ASCII case-insensitively)?
    pub fn is(&self, section: &[u8], subsection: Option<&[u8]>, key: &[u8]) -> bool {
        self.key.eq_ignore_ascii_case(key)
            && self.section.eq_ignore_ascii_case(section)
            && match (subsection, &self.subsection) {
                (None, None) => true,
                (Some(want), Some(sub)) => sub.is(want),
                _ => false,
            }
    }
}

/// What reading the text gives, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item<'c> {
    Entry(Entry<'c>),
    /// A section header, at this range of the text.
    Header(Range<usize>),
    /// git refuses the file from this line (1-based) on.
    Error {
        line: usize,
    },
}

/// The entries of config `text`, in order; the last item is an [`Item::Error`] when git
/// would refuse the file.
pub fn items(text: &[u8]) -> Items<'_> {
    let pos = if text.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    Items {
        text,
        pos,
        section: b"",
        subsection: None,
        header: 0..0,
        failed: false,
    }
}

/// The iterator [`items`] returns.
pub struct Items<'c> {
    text: &'c [u8],
    pos: usize,
    section: &'c [u8],
    subsection: Option<Subsection<'c>>,
    header: Range<usize>,
    failed: bool,
}

fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

impl<'c> Iterator for Items<'c> {
    type Item = Item<'c>;

    fn next(&mut self) -> Option<Item<'c>> {
        if self.failed {
            return None;
        }
        let item = self.step()?;
        self.failed = matches!(item, Item::Error { .. });
        Some(item)
    }
}

impl<'c> Items<'c> {
    fn line_at(&self, pos: usize) -> usize {
        1 + self.text[..pos.min(self.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    fn error(&self, pos: usize) -> Option<Item<'c>> {
        Some(Item::Error {
            line: self.line_at(pos),
        })
    }

    fn step(&mut self) -> Option<Item<'c>> {
        let text = self.text;
        loop {
            let &c = text.get(self.pos)?;
            match c {
                b'#' | b';' => {
                    self.pos = memchr::memchr(b'\n', &text[self.pos..])
                        .map_or(text.len(), |n| self.pos + n + 1);
                }
                _ if is_space(c) => self.pos += 1,
                b'[' => return self.header(),
                _ if c.is_ascii_alphabetic() => return self.entry(),
                _ => return self.error(self.pos),
            }
        }
    }

    /// `[section]`, `[section "sub"]` or `[section.sub]`.
    fn header(&mut self) -> Option<Item<'c>> {
        let text = self.text;
        let start = self.pos;
        let mut i = start + 1;
        let name_start = i;
        while let Some(&c) = text.get(i) {
            if c == b']' || is_space(c) || !(is_key_char(c) || c == b'.') {
                break;
            }
            i += 1;
        }
        let name = &text[name_start..i];
        let (section, mut subsection) = match name.iter().position(|&b| b == b'.') {
            Some(dot) => (&name[..dot], Some(Subsection::Dotted(&name[dot + 1..]))),
            None => (name, None),
        };
        match text.get(i) {
            Some(b']') => i += 1,
            Some(&c) if is_space(c) && c != b'\n' && subsection.is_none() => {
                while text.get(i).is_some_and(|&c| is_space(c) && c != b'\n') {
                    i += 1;
                }
                if text.get(i) != Some(&b'"') {
                    return self.error(i);
                }
                i += 1;
                let quoted_start = i;
                loop {
                    match text.get(i) {
                        None | Some(b'\n') => return self.error(i),
                        Some(b'"') => break,
                        Some(b'\\') if matches!(text.get(i + 1), None | Some(b'\n')) => {
                            return self.error(i);
                        }
                        Some(b'\\') => i += 2,
                        Some(_) => i += 1,
                    }
                }
                subsection = Some(Subsection::Quoted(&text[quoted_start..i]));
                if text.get(i + 1) != Some(&b']') {
                    return self.error(i);
                }
                i += 2;
            }
            _ => return self.error(i),
        }
        self.section = section;
        self.subsection = subsection;
        self.header = start..i;
        self.pos = i;
        Some(Item::Header(start..i))
    }

    /// `key`, `key = value` up to the end of its (continued) line.
    fn entry(&mut self) -> Option<Item<'c>> {
        let text = self.text;
        let key_start = self.pos;
        let mut i = key_start;
        while text.get(i).is_some_and(|&c| is_key_char(c)) {
            i += 1;
        }
        let key = &text[key_start..i];
        while matches!(text.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let value = match text.get(i) {
            None => {
                self.pos = i;
                None
            }
            Some(b'\n') => {
                self.pos = i + 1;
                None
            }
            Some(b'\r') if text.get(i + 1) == Some(&b'\n') => {
                self.pos = i + 2;
                None
            }
            Some(b'=') => match parse_value(text, i + 1) {
                Ok((value, end)) => {
                    self.pos = end;
                    Some(value)
                }
                Err(at) => return self.error(at),
            },
            Some(_) => return self.error(i),
        };
        Some(Item::Entry(Entry {
            section: self.section,
            subsection: self.subsection,
            key,
            value,
            header: self.header.clone(),
            end: self.pos,
        }))
    }
}

/// The value starting at `start` (just past `=`) and the offset past its line; `Err`
/// with the offset of what git refuses.
fn parse_value(text: &[u8], start: usize) -> Result<(Cow<'_, [u8]>, usize), usize> {
    // The common case: no quote, no backslash before the end of the line or a comment.
    let line_end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |n| start + n);
    let line = &text[start..line_end];
    let stop = line
        .iter()
        .position(|&b| matches!(b, b'"' | b'\\' | b';' | b'#'))
        .unwrap_or(line.len());
    if line.get(stop).is_none_or(|&b| b == b';' || b == b'#') {
        let value = trim_space(&line[..stop]);
        let end = (line_end + 1).min(text.len());
        return Ok((Cow::Borrowed(value), end));
    }
    parse_value_owned(text, start).map(|(value, end)| (Cow::Owned(value), end))
}

/// git's `parse_value`, one byte at a time (a `\r\n` reads as `\n`).
fn parse_value_owned(text: &[u8], start: usize) -> Result<(Vec<u8>, usize), usize> {
    let mut out = Vec::new();
    let mut quote = false;
    let mut comment = false;
    // The length of `out` before a run of unquoted whitespace (dropped at the end).
    let mut trim_len = None;
    let mut i = start;
    loop {
        let c = match text.get(i) {
            None => b'\n',
            Some(b'\r') if text.get(i + 1) == Some(&b'\n') => {
                i += 1;
                b'\n'
            }
            Some(&c) => c,
        };
        i += 1;
        if c == b'\n' {
            if quote {
                return Err(i - 1);
            }
            if let Some(len) = trim_len {
                out.truncate(len);
            }
            return Ok((out, i.min(text.len())));
        }
        if comment {
            continue;
        }
        if is_space(c) && !quote {
            trim_len.get_or_insert(out.len());
            if !out.is_empty() {
                out.push(c);
            }
            continue;
        }
        if !quote && (c == b';' || c == b'#') {
            comment = true;
            continue;
        }
        trim_len = None;
        match c {
            b'\\' => {
                let (escaped, next) = escape(text, i)?;
                out.extend(escaped);
                i = next;
            }
            b'"' => quote = !quote,
            _ => out.push(c),
        }
    }
}

/// The escape whose backslash ends just before `i`: the byte it stands for (`None` for a
/// line continuation) and the offset after it; `Err` for one git refuses.
fn escape(text: &[u8], i: usize) -> Result<(Option<u8>, usize), usize> {
    let escaped = match text.get(i) {
        None => return Err(i),
        Some(b'\r') if text.get(i + 1) == Some(&b'\n') => return Ok((None, i + 2)),
        Some(b'\n') => return Ok((None, i + 1)),
        Some(b't') => b'\t',
        Some(b'b') => b'\x08',
        Some(b'n') => b'\n',
        Some(&b @ (b'\\' | b'"')) => b,
        Some(_) => return Err(i),
    };
    Ok((Some(escaped), i + 1))
}

fn trim_space(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s
        && is_space(*first)
    {
        s = rest;
    }
    while let [rest @ .., last] = s
        && is_space(*last)
    {
        s = rest;
    }
    s
}

/// Compares a quoted config subsection (with `\"` and `\\` escapes) to `plain`.
pub fn unescaped_eq(quoted: &[u8], plain: &[u8]) -> bool {
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

/// The line of the first thing git refuses in `text`, if any.
pub fn first_error(text: &[u8]) -> Option<usize> {
    items(text).find_map(|item| match item {
        Item::Error { line } => Some(line),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(text: &[u8], section: &[u8], sub: Option<&[u8]>, key: &[u8]) -> Vec<Vec<u8>> {
        items(text)
            .filter_map(|item| match item {
                Item::Entry(e) if e.is(section, sub, key) => {
                    Some(e.value.map_or(b"(true)".to_vec(), |v| v.into_owned()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_key_may_follow_its_header_on_the_same_line() {
        let text = b"[core] filemode = false\n[branch \"main\"] remote = origin\n";
        assert_eq!(get(text, b"core", None, b"filemode"), [b"false".to_vec()]);
        assert_eq!(
            get(text, b"branch", Some(b"main"), b"remote"),
            [b"origin".to_vec()]
        );
    }

    #[test]
    fn values_continue_after_a_trailing_backslash_and_unquote() {
        let text =
            b"[a]\n\tx = one \\\n  two ; comment\n\ty = \"q;#\\\" \" tail # c\n\tz = a\\tb\\\\\n";
        assert_eq!(get(text, b"a", None, b"x"), [b"one   two".to_vec()]);
        assert_eq!(get(text, b"a", None, b"y"), [b"q;#\"  tail".to_vec()]);
        assert_eq!(get(text, b"a", None, b"z"), [b"a\tb\\".to_vec()]);
    }

    #[test]
    fn old_style_subsections_are_lower_cased_and_names_ignore_case() {
        let text = b"[Branch.Main]\n\tREMOTE = up\n[BRANCH \"Main\"]\n\tMerge = refs/heads/x\n";
        assert_eq!(
            get(text, b"branch", Some(b"main"), b"remote"),
            [b"up".to_vec()]
        );
        assert!(get(text, b"branch", Some(b"Main"), b"remote").is_empty());
        assert_eq!(
            get(text, b"branch", Some(b"Main"), b"merge"),
            [b"refs/heads/x".to_vec()]
        );
        assert!(get(text, b"branch", Some(b"main"), b"merge").is_empty());
    }

    #[test]
    fn a_key_without_a_value_is_true_and_comments_are_skipped() {
        let text = b"; top\n# also\n[core]\n\tbare\n\tx = 1 # c\n";
        assert_eq!(get(text, b"core", None, b"bare"), [b"(true)".to_vec()]);
        assert_eq!(get(text, b"core", None, b"x"), [b"1".to_vec()]);
        assert_eq!(first_error(text), None);
    }

    #[test]
    fn what_git_refuses_is_an_error_with_its_line() {
        for (text, line) in [
            (&b"[core]\n\tx = \"open\n"[..], 2),
            (b"[core]\n\tx = \\q\n", 2),
            (b"[core\n", 1),
            (b"[core]\n\t1x = 2\n", 2),
            (b"[core]\n\tx y\n", 2),
            (b"[a \"b\n", 1),
        ] {
            assert_eq!(
                first_error(text),
                Some(line),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        assert_eq!(first_error(b"\xff[[[\n=\n"), Some(1));
    }

    #[test]
    fn plain_values_are_borrowed() {
        let text = b"[core]\n\tx =  spaced  value  \n";
        let Some(Item::Entry(entry)) = items(text).nth(1) else {
            panic!("no entry");
        };
        assert!(matches!(entry.value, Some(Cow::Borrowed(b"spaced  value"))));
        assert_eq!(entry.end, text.len());
    }
}
