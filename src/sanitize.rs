//! Neutralises untrusted text before it can reach a terminal.
//!
//! Branch names, paths, model names, transcript text and command output may carry escape
//! sequences (cursor movement, OSC 52 clipboard writes, OSC 8 links, title changes) or
//! control characters. [`clean`] yields the text in pieces with all of them removed:
//! - C0 controls (U+0000–U+001F) and DEL; tab and newline become a space;
//! - C1 controls (U+0080–U+009F), including the 8-bit CSI/OSC/DCS introducers, together
//!   with the sequence they introduce;
//! - ESC sequences: CSI (`ESC [` … final byte), OSC (`ESC ]` … BEL or ST), DCS/SOS/PM/APC
//!   strings (`ESC P`, `ESC X`, `ESC ^`, `ESC _` … ST), and two-byte escapes;
//! - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make
//!   text display in a different order than it is stored (trojan-source style).
//!
//! Text with none of these passes through as one borrowed piece (the common case costs one
//! scan and no allocation).

/// True for characters that are dropped (or replaced) outright.
fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Fast check: does `s` contain anything [`clean`] would change?
#[cfg(test)]
pub fn needs_cleaning(s: &str) -> bool {
    s.bytes()
        .any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2)
        && s.chars().any(is_unsafe_char)
}

/// The kind of escape string being skipped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    None,
    /// After ESC: the next char decides.
    Escape,
    /// CSI: parameters until a final byte in 0x40..=0x7E.
    Csi,
    /// OSC, DCS, SOS, PM, APC: until BEL (OSC only) or ST (ESC \ or U+009C).
    Str,
    /// ESC seen inside a string: `\` ends it.
    StrEscape,
}

/// Iterator over the clean pieces of a string.
pub struct Clean<'a> {
    rest: &'a str,
    skip: Skip,
}

/// Returns the safe pieces of `s`; concatenated, they are `s` without control characters,
/// escape sequences or bidi overrides.
pub fn clean(s: &str) -> Clean<'_> {
    Clean {
        rest: s,
        skip: Skip::None,
    }
}

impl<'a> Iterator for Clean<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            if self.skip == Skip::None {
                let safe_len = self
                    .rest
                    .char_indices()
                    .find(|&(_, c)| is_unsafe_char(c))
                    .map_or(self.rest.len(), |(i, _)| i);
                if safe_len > 0 {
                    let (piece, rest) = self.rest.split_at(safe_len);
                    self.rest = rest;
                    return Some(piece);
                }
            }
            let c = self.rest.chars().next()?;
            self.rest = &self.rest[c.len_utf8()..];
            if let Some(piece) = self.step(c) {
                return Some(piece);
            }
        }
    }
}

impl Clean<'_> {
    /// Advances the escape-skipping state by one char; returns a replacement piece if any.
    fn step(&mut self, c: char) -> Option<&'static str> {
        self.skip = match (self.skip, c) {
            (Skip::None, '\u{1b}') => Skip::Escape,
            (Skip::None, '\u{9b}') => Skip::Csi,
            (Skip::None, '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}') => Skip::Str,
            (Skip::None, '\t' | '\n') => return Some(" "),
            (Skip::None, _) => Skip::None,
            (Skip::Escape, '[') => Skip::Csi,
            (Skip::Escape, ']' | 'P' | 'X' | '^' | '_') => Skip::Str,
            // `ESC (`, `ESC #` and friends take one more byte; treat it as a final byte.
            (Skip::Escape, ' '..='/') => Skip::Escape,
            (Skip::Escape, _) => Skip::None,
            (Skip::Csi, '\u{40}'..='\u{7e}') => Skip::None,
            (Skip::Csi, _) => Skip::Csi,
            (Skip::Str, '\u{7}' | '\u{9c}') => Skip::None,
            (Skip::Str, '\u{1b}') => Skip::StrEscape,
            (Skip::Str, _) => Skip::Str,
            (Skip::StrEscape, '\\') => Skip::None,
            (Skip::StrEscape, _) => Skip::Str,
        };
        None
    }
}

/// Appends the clean form of `s` to `out`.
pub fn push_clean(out: &mut impl core::fmt::Write, s: &str) {
    for piece in clean(s) {
        let _ = out.write_str(piece);
    }
}

/// True if `url` may be the target of a terminal hyperlink: it starts with `http://` or
/// `https://` (any case), names a host, and holds only printable ASCII without spaces, so it
/// can neither end the OSC 8 sequence early nor smuggle another escape in.
pub fn is_safe_url(url: &str) -> bool {
    let has_scheme = |scheme: &str| {
        url.len() > scheme.len()
            && url.is_char_boundary(scheme.len())
            && url[..scheme.len()].eq_ignore_ascii_case(scheme)
    };
    let rest = if has_scheme("https://") {
        &url[8..]
    } else if has_scheme("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.starts_with(['/', '?', '#']) && url.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(s: &str) -> String {
        clean(s).collect()
    }

    #[test]
    fn only_printable_http_urls_are_safe() {
        assert!(is_safe_url("https://github.com/o/r/pull/12"));
        assert!(is_safe_url("HTTP://example.com"));
        assert!(!is_safe_url("https://"));
        assert!(!is_safe_url("https:///path"));
        assert!(!is_safe_url("ftp://example.com"));
        assert!(!is_safe_url("file:///etc/passwd"));
        assert!(!is_safe_url("https://a.example/x y"));
        assert!(!is_safe_url("https://a.example/\x1b\\"));
        assert!(!is_safe_url("https://a.example/\u{7}"));
        assert!(!is_safe_url("https://a.example/\u{9c}"));
        assert!(!is_safe_url("https://ex\u{e4}mple.com"));
    }

    #[test]
    fn plain_text_passes_through_as_one_piece() {
        assert_eq!(clean("feature/ümlaut-日本").count(), 1);
        assert!(!needs_cleaning("feature/ümlaut-日本 ✓"));
    }

    #[test]
    fn csi_sequences_are_removed() {
        assert_eq!(cleaned("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(cleaned("up\x1b[2Aclear\x1b[2J"), "upclear");
    }

    #[test]
    fn osc_52_clipboard_write_is_removed() {
        assert_eq!(cleaned("x\x1b]52;c;ZXZpbA==\x07y"), "xy");
        assert_eq!(cleaned("x\x1b]52;c;ZXZpbA==\x1b\\y"), "xy");
    }

    #[test]
    fn osc_8_link_keeps_only_its_visible_text() {
        assert_eq!(
            cleaned("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"),
            "click"
        );
    }

    #[test]
    fn c1_controls_and_8bit_introducers_are_removed() {
        assert_eq!(cleaned("a\u{9b}31mb"), "ab");
        assert_eq!(cleaned("a\u{9d}0;title\u{9c}b"), "ab");
        assert_eq!(cleaned("a\u{85}b"), "ab");
    }

    #[test]
    fn bidi_overrides_are_removed() {
        assert_eq!(cleaned("abc\u{202e}fed\u{2066}x"), "abcfedx");
    }

    #[test]
    fn newlines_and_tabs_become_spaces_other_controls_vanish() {
        assert_eq!(cleaned("a\nb\tc\x07d\x00e\x7f"), "a b cde");
    }

    #[test]
    fn unterminated_sequences_swallow_the_rest_and_never_leak_esc() {
        assert_eq!(cleaned("ok\x1b]0;never ends"), "ok");
        assert_eq!(cleaned("ok\x1b["), "ok");
        assert_eq!(cleaned("ok\x1b"), "ok");
    }

    #[test]
    fn output_never_contains_control_characters() {
        let nasty = "\x1b[1;31m\x1b]0;t\x07\u{9b}2J\x1bP+q\x1b\\\u{202e}\r\x08ok";
        let out = cleaned(nasty);
        assert!(!out.chars().any(is_unsafe_char), "{out:?}");
        assert!(out.ends_with("ok"));
    }
}
