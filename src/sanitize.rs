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
//!   text display in a different order than it is stored (trojan-source style);
//! - invisible format characters that make two names look alike (`main` and `ma\u{200B}in`)
//!   or move text around: the Default_Ignorable format and filler characters — soft
//!   hyphen, combining grapheme joiner, Arabic letter mark, Hangul and Khmer fillers,
//!   Mongolian variation selectors and vowel separator, zero-width space, non-joiner,
//!   LRM/RLM, word joiner and the invisible operators (U+2060–U+206F), the byte order
//!   mark, interlinear annotations, shorthand and musical format controls, and the tag
//!   block. Line and paragraph separators (U+2028, U+2029) become a space like a newline.
//!
//! Two of them are kept where emoji need them: the zero-width joiner between two
//! pictographs (`👩‍💻`), and tag characters right after a black flag (subdivision flags
//! such as England's). Variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF) are kept: they
//! choose a glyph of the character before them and show nothing by themselves.
//!
//! Text with none of these passes through as one borrowed piece (the common case costs one
//! scan and no allocation).

/// True for characters that may be dropped or replaced; for the joiner and tag characters
/// the neighbours decide ([`kept_in_context`]).
fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Default_Ignorable format and filler characters, the bidi controls and the line and
/// paragraph separators (variation selectors left out).
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E00FF}'
            | '\u{E01F0}'..='\u{E0FFF}'
    )
}

/// Characters emoji ZWJ sequences are made of (Extended_Pictographic, by block).
fn is_pictographic(c: char) -> bool {
    matches!(
        c,
        '\u{A9}'
            | '\u{AE}'
            | '\u{203C}'
            | '\u{2049}'
            | '\u{2122}'
            | '\u{2139}'
            | '\u{2194}'..='\u{21AA}'
            | '\u{2300}'..='\u{23FF}'
            | '\u{24C2}'
            | '\u{25AA}'..='\u{25FE}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2934}'..='\u{2935}'
            | '\u{2B05}'..='\u{2B55}'
            | '\u{3030}'
            | '\u{303D}'
            | '\u{3297}'
            | '\u{3299}'
            | '\u{1F000}'..='\u{1FAFF}'
    )
}

const ZWJ: char = '\u{200D}';
const BLACK_FLAG: char = '\u{1F3F4}';
const CANCEL_TAG: char = '\u{E007F}';

/// A joiner between two pictographs, or a tag character of a subdivision flag (a black
/// flag, 2 to 6 tags of `0-9a-z`, a cancel tag): parts of an emoji, kept. `prev` is the
/// last char kept, `after` the text after `c`.
fn kept_in_context(prev: char, c: char, after: &str) -> bool {
    match c {
        ZWJ => {
            (is_pictographic(prev) || prev == '\u{FE0F}')
                && after.chars().next().is_some_and(is_pictographic)
        }
        '\u{E0020}'..='\u{E007F}' => match prev {
            BLACK_FLAG => is_subdivision_tags(c, after),
            // The run was checked whole at its first tag.
            '\u{E0030}'..='\u{E0039}' | '\u{E0061}'..='\u{E007A}' => true,
            _ => false,
        },
        _ => false,
    }
}

/// Whether `first` and the text after it start with a subdivision flag's tags: 2 to 6 of
/// `0-9a-z` and the cancel tag. Any other run of tags spells invisible text (it could
/// smuggle words past a reader) and is removed whole.
fn is_subdivision_tags(first: char, after: &str) -> bool {
    let mut count = 0;
    for tag in std::iter::once(first).chain(after.chars()) {
        match tag {
            '\u{E0030}'..='\u{E0039}' | '\u{E0061}'..='\u{E007A}' if count < 6 => count += 1,
            CANCEL_TAG => return count >= 2,
            _ => return false,
        }
    }
    false
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
    /// The last char kept before `rest`.
    prev: char,
}

/// Returns the safe pieces of `s`; concatenated, they are `s` without control characters,
/// escape sequences or bidi overrides.
pub fn clean(s: &str) -> Clean<'_> {
    Clean {
        rest: s,
        skip: Skip::None,
        prev: '\0',
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
                let mut prev = self.prev;
                let mut safe_len = self.rest.len();
                for (i, c) in self.rest.char_indices() {
                    if is_unsafe_char(c)
                        && !kept_in_context(prev, c, &self.rest[i + c.len_utf8()..])
                    {
                        safe_len = i;
                        break;
                    }
                    prev = c;
                }
                if safe_len > 0 {
                    let (piece, rest) = self.rest.split_at(safe_len);
                    self.rest = rest;
                    self.prev = piece.chars().next_back().unwrap_or('\0');
                    return Some(piece);
                }
            }
            let c = self.rest.chars().next()?;
            self.rest = &self.rest[c.len_utf8()..];
            if matches!(c, '\u{E0020}'..='\u{E007F}') {
                // A dropped tag drops the rest of its run: no tail of it may pass for a
                // flag of its own.
                self.prev = CANCEL_TAG;
            }
            if let Some(piece) = self.step(c) {
                self.prev = ' ';
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
            (Skip::None, '\t' | '\n' | '\u{2028}' | '\u{2029}') => return Some(" "),
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
        assert_eq!(clean("feature/ümlaut-日本 ✓").count(), 1);
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
    fn zero_width_and_directional_marks_that_spoof_names_are_removed() {
        let spoofs = [
            "ma\u{200B}in",
            "ma\u{200C}in",
            "ma\u{200E}in",
            "ma\u{200F}in",
            "ma\u{061C}in",
            "\u{FEFF}main",
            "ma\u{2060}in\u{2061}\u{2062}\u{2063}\u{2064}",
            "ma\u{00AD}in\u{034F}",
            "ma\u{3164}in\u{115F}",
            "main\u{E0041}\u{E0042}",
            "ma\u{200D}in",
        ];
        for spoof in spoofs {
            assert_eq!(cleaned(spoof), "main", "{spoof:?}");
        }
    }

    #[test]
    fn line_and_paragraph_separators_become_spaces() {
        assert_eq!(cleaned("a\u{2028}b\u{2029}c"), "a b c");
    }

    #[test]
    fn zero_width_joiner_is_kept_only_inside_emoji_sequences() {
        for emoji in [
            "\u{1F469}\u{200D}\u{1F4BB}",
            "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}",
            "\u{1F468}\u{1F3FD}\u{200D}\u{1F692}",
            "\u{2764}\u{FE0F}\u{200D}\u{1F525}",
        ] {
            let text = format!("x {emoji} y");
            assert_eq!(clean(&text).collect::<Vec<_>>(), [text.as_str()]);
        }
        assert_eq!(cleaned("\u{1F469}\u{200D}x"), "\u{1F469}x");
        assert_eq!(cleaned("x\u{200D}\u{1F4BB}"), "x\u{1F4BB}");
        assert_eq!(cleaned("\u{200D}\u{1F4BB}"), "\u{1F4BB}");
    }

    #[test]
    fn tag_characters_are_kept_only_in_a_flag_sequence() {
        let england = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
        assert_eq!(cleaned(england), england);
        assert_eq!(cleaned("ok\u{E0067}\u{E0062}\u{E007F}"), "ok");
    }

    #[test]
    fn tag_characters_spelling_hidden_text_after_a_flag_are_removed() {
        // "rm -rf ~" in tag characters after a black flag: invisible, not a flag.
        let hidden: String = "rm -rf ~"
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
            .collect();
        assert_eq!(cleaned(&format!("main\u{1F3F4}{hidden}")), "main\u{1F3F4}");
        assert_eq!(
            cleaned(&format!("main\u{1F3F4}{hidden}\u{E007F}")),
            "main\u{1F3F4}"
        );
        // Seven letters are too many for a subdivision code.
        let long =
            "\u{1F3F4}\u{E0061}\u{E0062}\u{E0063}\u{E0064}\u{E0065}\u{E0066}\u{E0067}\u{E007F}";
        assert_eq!(cleaned(long), "\u{1F3F4}");
    }

    #[test]
    fn emoji_and_variation_selectors_without_joiners_pass_through() {
        assert_eq!(clean("\u{2764}\u{FE0F} \u{845B}\u{E0100} ok").count(), 1);
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
