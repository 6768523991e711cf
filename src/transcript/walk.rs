//! A structural walk over one JSON object: finds the byte range of each member without
//! decoding the values it passes over.
//!
//! An assistant line is mostly one long string (thinking or text) that a status line never
//! needs. serde_json decodes and validates it anyway; this walker jumps over strings with
//! `memchr` from quote to quote, so only the few small values read (`usage`, `message.id`, …)
//! go through serde_json. It is only a fast path: whatever it does not understand (escaped
//! keys, bad structure) makes it give up, and the caller parses the line with serde_json.

use memchr::memchr;

/// A cursor over JSON text.
pub struct Walk<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Walk<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        Walk { b, i: 0 }
    }

    #[inline]
    fn ws(&mut self) {
        // Compact JSON has no whitespace between tokens: one compare on the common path.
        if self.b.get(self.i).is_none_or(|&c| c > b' ') {
            return;
        }
        while self
            .b
            .get(self.i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// True when only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.b.len()
    }

    /// The next byte that is not whitespace, without consuming it.
    pub fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    /// Calls `member(key, value)` for each member of the object at the cursor; keys with
    /// escapes make it give up.
    pub fn object(&mut self, mut member: impl FnMut(&'a [u8], &'a [u8])) -> Option<()> {
        self.object_with(|key, w| {
            member(key, w.value()?);
            Some(())
        })
    }

    /// Like [`Walk::object`], but hands `member` the cursor at each value: it must consume
    /// exactly that value (skip it with [`Walk::value`] or walk into it), so a caller reads
    /// nested members in the same pass. `None` from `member` stops the walk.
    pub fn object_with(
        &mut self,
        mut member: impl FnMut(&'a [u8], &mut Walk<'a>) -> Option<()>,
    ) -> Option<()> {
        let b = self.b;
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let start = self.i;
            let end = string_end(b, start)?;
            let key = &b[start + 1..end - 1];
            if has_backslash(key) {
                return None;
            }
            self.i = end;
            self.eat(b':')?;
            member(key, self)?;
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
        }
    }

    /// Calls `element(value)` for each element of the array at the cursor.
    pub fn array(&mut self, mut element: impl FnMut(&'a [u8])) -> Option<()> {
        self.array_with(|w| {
            element(w.value()?);
            Some(())
        })
    }

    /// Like [`Walk::array`], with the cursor at each element (see [`Walk::object_with`]).
    pub fn array_with(
        &mut self,
        mut element: impl FnMut(&mut Walk<'a>) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            element(self)?;
            if self.eat(b',').is_none() {
                return self.eat(b']');
            }
        }
    }

    /// Skips one value and returns its bytes.
    pub fn value(&mut self) -> Option<&'a [u8]> {
        self.ws();
        let start = self.i;
        self.i = match *self.b.get(start)? {
            b'"' => string_end(self.b, start)?,
            b'{' | b'[' => container_end(self.b, start)?,
            _ => {
                let len = self.b[start..]
                    .iter()
                    .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                    .unwrap_or(self.b.len() - start);
                if len == 0 {
                    return None;
                }
                start + len
            }
        };
        Some(&self.b[start..self.i])
    }
}

/// The index just past the string starting (with its `"`) at `start`. Jumps from quote to
/// quote: escapes like `\n` cost nothing, and a quote is escaped when an odd number of
/// backslashes precede it (counted only when the byte before it is one).
// Always inlined: most strings are short keys and ids, and as a call it spent more on saving
// and restoring registers than on the search (callgrind, a 5 MB fixture scan: 9.5% fewer
// instructions with this and the whitespace fast path).
#[inline(always)]
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    if b.get(start) != Some(&b'"') {
        return None;
    }
    let mut i = start + 1;
    loop {
        i += find_quote(b.get(i..)?)?;
        if b[i - 1] != b'\\' || escaped_quote_ends(&b[start + 1..i]) {
            return Some(i + 1);
        }
        i += 1;
    }
}

/// True when the backslashes that end `before` (the text before a quote) come in pairs, so
/// the quote after them is not escaped.
#[cold]
fn escaped_quote_ends(before: &[u8]) -> bool {
    before.iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 0
}

/// The first `"` in `s`. Most strings of a transcript line are short (keys, ids, uuids,
/// timestamps): the first 64 bytes are searched a word at a time, which costs less than
/// setting up `memchr`; longer strings go to `memchr`.
#[inline]
fn find_quote(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = ONES * b'"' as u64;
    let mut i = 0;
    while i < 64 {
        let Some(word) = s.get(i..i + 8) else { break };
        let x = u64::from_le_bytes(word.try_into().ok()?) ^ QUOTES;
        // The lowest set bit marks the first zero byte of `x` (the first quote); borrows
        // can only set bits above it.
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(i + found.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    memchr(b'"', &s[i..]).map(|at| at + i)
}

/// True when `key` holds a backslash (an escape the walker does not decode). Keys are
/// short: a plain loop, no `memchr` call.
#[inline]
fn has_backslash(key: &[u8]) -> bool {
    key.iter().fold(false, |found, &c| found | (c == b'\\'))
}

/// The index just past the object or array starting at `start`.
fn container_end(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => {
                i = string_end(b, i)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(json: &str) -> Option<Vec<(String, String)>> {
        let mut out = Vec::new();
        Walk::new(json.as_bytes()).object(|k, v| {
            out.push((
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            ))
        })?;
        Some(out)
    }

    #[test]
    fn members_are_found_without_decoding_values() {
        let got = members(r#" { "a" : "x\"}{[" , "b":{"c":[1,{"d":"]"}]}, "e":-1.5e3,"f":null } "#)
            .unwrap();
        let want = [
            ("a", r#""x\"}{[""#),
            ("b", r#"{"c":[1,{"d":"]"}]}"#),
            ("e", "-1.5e3"),
            ("f", "null"),
        ];
        assert_eq!(got.len(), want.len());
        for ((k, v), (wk, wv)) in got.iter().zip(want) {
            assert_eq!((k.as_str(), v.as_str()), (wk, wv));
        }
    }

    #[test]
    fn a_quote_after_an_escaped_backslash_ends_the_string() {
        let got = members(r#"{"a":"x\\","b":"\\\"","c":1}"#).unwrap();
        assert_eq!(got[0].1, r#""x\\""#);
        assert_eq!(got[1].1, r#""\\\"""#);
        assert_eq!(got[2], ("c".into(), "1".into()));
    }

    #[test]
    fn broken_or_unusual_text_gives_up() {
        assert_eq!(members(r#"{"a":"unterminated}"#), None);
        assert_eq!(members(r#"{"a":{"b":1}"#), None);
        assert_eq!(members(r#"{"k\u0041":1}"#), None);
        assert_eq!(members(r#"{"a" 1}"#), None);
        assert_eq!(members(r#"[1]"#), None);
        assert_eq!(members(r#"{"a":}"#), None);
    }

    #[test]
    fn quotes_are_found_at_every_offset_and_length() {
        for len in 0..80 {
            let mut text = vec![b'a'; len];
            assert_eq!(find_quote(&text), None, "len {len}");
            for at in 0..len {
                text[at] = b'"';
                assert_eq!(find_quote(&text), Some(at), "len {len} at {at}");
                text[at] = 0xa2; // a byte whose low 7 bits are a quote's
            }
            assert_eq!(find_quote(&text), None, "len {len}");
        }
    }

    #[test]
    fn escaped_quotes_past_the_word_searched_part_are_skipped() {
        for pad in [0, 7, 63, 64, 65, 200] {
            let text = format!(r#"{{"a":"{}\"x\\\"y\\","b":2}}"#, "p".repeat(pad));
            let got = members(&text).unwrap();
            assert_eq!(got.len(), 2, "pad {pad}");
            assert_eq!(got[1], ("b".into(), "2".into()), "pad {pad}");
        }
    }

    #[test]
    fn arrays_yield_each_element() {
        let mut n = 0;
        Walk::new(br#"[{"type":"x"}, "s", [1,2], 3]"#)
            .array(|_| n += 1)
            .unwrap();
        assert_eq!(n, 4);
    }
}
