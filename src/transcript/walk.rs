//! A structural walk over one JSON object: finds the byte range of each member without
//! decoding the values it passes over.
//!
//! An assistant line is mostly one long string (thinking or text) that a status line never
//! needs. serde_json decodes and validates it anyway; this walker jumps over strings from
//! quote to quote (`find.rs`), and the callers read the few small values they need
//! (`usage`, `message.id`, …) where they stand. It is only a fast path: whatever it does not
//! understand (escaped keys, bad structure, a scalar holding a bracket or quote) makes it
//! give up, and the caller parses the line with serde_json.
//!
//! Read next: `find.rs` (the string search), `assistant.rs` and `scan.rs` (its callers).

use crate::transcript::find::{find_quote, find_quote_or_backslash};

/// A cursor over JSON text; a copy is a saved position to come back to.
#[derive(Clone, Copy)]
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
        // Compact JSON: the byte is nearly always there, with no whitespace to skip first.
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            return Some(());
        }
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// True when only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.b.len()
    }

    /// The index of the cursor in the text.
    pub fn pos(&self) -> usize {
        self.i
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
            let end = key_end(b, start)?;
            let key = &b[start + 1..end - 1];
            self.i = end;
            self.eat(b':')?;
            member(key, self)?;
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
        }
    }

    /// Calls `element(value)` for each element of the array at the cursor.
    #[cfg(test)]
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
    #[inline(always)]
    pub fn value(&mut self) -> Option<&'a [u8]> {
        self.ws();
        let start = self.i;
        self.i = match *self.b.get(start)? {
            b'"' => string_end(self.b, start)?,
            b'{' | b'[' => container_end(self.b, start)?,
            _ => {
                let len = self.b[start..]
                    .iter()
                    .position(|&c| ENDS_SCALAR[usize::from(c)])
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

/// Bytes that end a scalar (number, `true`, `false`, `null`): the separators and
/// whitespace that may follow it, and the openers of strings and containers, which cannot
/// be part of one. A scalar therefore never hides a bracket, so a container the walker
/// reads member by member ends where [`container_end`] would have found its end.
const ENDS_SCALAR: [bool; 256] = {
    let mut table = [false; 256];
    let ends = b",:}]{[\" \n\r\t";
    let mut i = 0;
    while i < ends.len() {
        table[ends[i] as usize] = true;
        i += 1;
    }
    table
};

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

/// The index just past the key string starting (with its `"`) at `start`; `None` when it
/// holds a backslash (an escape the walker does not decode) or does not end.
#[inline(always)]
fn key_end(b: &[u8], start: usize) -> Option<usize> {
    if b.get(start) != Some(&b'"') {
        return None;
    }
    let end = start + 1 + find_quote_or_backslash(b.get(start + 1..)?)?;
    (b[end] == b'"').then_some(end + 1)
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
    fn escaped_quotes_past_the_word_searched_part_are_skipped() {
        for pad in [0, 7, 63, 64, 65, 200] {
            let text = format!(r#"{{"a":"{}\"x\\\"y\\","b":2}}"#, "p".repeat(pad));
            let got = members(&text).unwrap();
            assert_eq!(got.len(), 2, "pad {pad}");
            assert_eq!(got[1], ("b".into(), "2".into()), "pad {pad}");
        }
    }

    #[test]
    fn a_scalar_holding_a_bracket_a_colon_or_a_quote_gives_up() {
        assert_eq!(members(r#"{"a":1{"b":2}"#), None);
        assert_eq!(members(r#"{"a":1[2]}"#), None);
        assert_eq!(members(r#"{"a":tru"e"}"#), None);
        assert_eq!(members(r#"{"a":1:2}"#), None);
        assert_eq!(members(r#"{"a":1 ,"b":true	}"#).map(|m| m.len()), Some(2));
    }

    #[test]
    fn a_key_with_a_backslash_anywhere_gives_up() {
        for len in 1..80 {
            let key = "k".repeat(len);
            let got = members(&format!(r#"{{"{key}":1}}"#)).unwrap();
            assert_eq!(got[0].0, key);
            for at in 0..len {
                let mut escaped = key.clone().into_bytes();
                escaped[at] = b'\\';
                let text = format!(r#"{{"{}n":1}}"#, String::from_utf8(escaped).unwrap());
                assert_eq!(members(&text), None, "{text}");
            }
        }
    }

    /// A random JSON value: nested containers, strings with escapes and quotes, scalars,
    /// and optional whitespace between tokens.
    fn random_value(seed: &mut u64, depth: usize, out: &mut String) {
        fn next_of(seed: &mut u64, n: u64) -> u64 {
            *seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (*seed >> 33) % n
        }
        let space = |n: u64| [" ", "", "", "\t"][n as usize % 4];
        match if depth > 6 {
            next_of(seed, 4)
        } else {
            next_of(seed, 6)
        } {
            0 => out.push_str(["1", "-2.5e3", "true", "null"][next_of(seed, 4) as usize]),
            1 | 2 => {
                let pieces = ["a", "\\\"", "\\\\", "}", "[", "\\n", "é", "\\u0022"];
                out.push('"');
                for _ in 0..next_of(seed, 12) {
                    out.push_str(pieces[next_of(seed, 8) as usize]);
                }
                out.push_str(&"x".repeat(next_of(seed, 90) as usize));
                out.push('"');
            }
            3 => out.push_str(r#""usage""#),
            kind => {
                let (open, close) = if kind == 4 { ('{', '}') } else { ('[', ']') };
                out.push(open);
                for i in 0..next_of(seed, 4) {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(space(next_of(seed, 8)));
                    if open == '{' {
                        out.push_str(&format!(r#""k{i}"{}:"#, space(next_of(seed, 8))));
                    }
                    random_value(seed, depth + 1, out);
                    out.push_str(space(next_of(seed, 8)));
                }
                out.push(close);
            }
        }
    }

    /// Walks the value at the cursor member by member, element by element.
    fn walk_in_place(w: &mut Walk<'_>) -> Option<()> {
        match w.peek()? {
            b'{' => w.object_with(|_, w| walk_in_place(w)),
            b'[' => w.array_with(walk_in_place),
            _ => w.value().map(drop),
        }
    }

    #[test]
    fn walking_a_value_in_place_ends_where_skipping_it_ends() {
        let mut seed = 11;
        for _ in 0..3000 {
            let mut text = String::new();
            random_value(&mut seed, 0, &mut text);
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                "{text}"
            );
            let mut skipped = Walk::new(text.as_bytes());
            assert_eq!(skipped.value().map(<[u8]>::len), Some(text.len()), "{text}");
            let mut walked = Walk::new(text.as_bytes());
            assert!(walk_in_place(&mut walked).is_some(), "{text}");
            assert!(walked.at_end(), "{text}");
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
