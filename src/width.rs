//! Display width, counted by grapheme cluster.
//!
//! Terminals lay text out in cells. A grapheme cluster (what a reader sees as one
//! character: `e` + combining accent, an emoji ZWJ sequence, a flag of two regional
//! indicators, a keycap) takes 0, 1 or 2 cells, never more. Counting `char`s, or summing
//! each `char`'s width, overcounts ZWJ sequences and flags and undercounts emoji written
//! with a variation selector. Two cases depend on the user's terminal and font, so they are
//! settings ([`WidthRules`]): Nerd Font icons (private-use code points, 1 or 2 cells) and
//! East Asian ambiguous characters (1 cell in Western locales, 2 in CJK ones).
//!
//! Measuring never allocates; it runs on every visible segment of every frame. Text is
//! measured before it is styled: escape sequences are not text.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How wide the font-dependent characters are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WidthRules {
    /// Cells of a Nerd Font icon (a private-use code point): 1 (the default) or 2.
    pub private_use: u8,
    /// Cells of an East Asian ambiguous character (`…`, `○`, Greek, Cyrillic): 1 or 2.
    pub ambiguous: u8,
}

impl Default for WidthRules {
    fn default() -> Self {
        WidthRules {
            private_use: 1,
            ambiguous: 1,
        }
    }
}

/// True when `c` is a grapheme cluster of its own beside any other such character: its
/// Grapheme_Cluster_Break is Other (no Extend, SpacingMark, Prepend, ZWJ, regional
/// indicator, Hangul jamo, CR/LF or control). Conservative: printable Latin, general
/// punctuation, symbols, arrows, box drawing, geometric shapes, dingbats and private-use
/// icons: what widgets write. A test checks every character of these ranges.
fn stands_alone(c: char) -> bool {
    matches!(c as u32,
        0x20..=0x7E | 0xA0..=0xAC | 0xAE..=0x2FF | 0x2000..=0x200A | 0x2010..=0x2027
        | 0x202F..=0x205F | 0x2070..=0x20CF | 0x2100..=0x2BFF | 0xE000..=0xF8FF)
}

fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

impl WidthRules {
    /// Cells `text` takes on a terminal.
    pub fn width(&self, text: &str) -> usize {
        if text.is_ascii() {
            // Printable ASCII is one cell each; widgets never emit control characters.
            return text.bytes().filter(|b| !b.is_ascii_control()).count();
        }
        self.width_by_char(text)
            .unwrap_or_else(|| text.graphemes(true).map(|g| self.cluster_width(g)).sum())
    }

    /// The width of `text` when every char stands alone (then each char is its own
    /// cluster, measured the same way); `None` as soon as one does not.
    fn width_by_char(&self, text: &str) -> Option<usize> {
        let mut total = 0;
        for c in text.chars() {
            if !stands_alone(c) {
                return None;
            }
            total += self.char_width(c);
        }
        Some(total)
    }

    /// [`WidthRules::cluster_width`] of `c` alone, without building a string when the
    /// character's own width settles it (a test holds the two equal on every character
    /// that stands alone).
    fn char_width(&self, c: char) -> usize {
        if c.is_ascii() {
            return usize::from(!c.is_ascii_control());
        }
        if is_private_use(c) {
            return usize::from(self.private_use.clamp(1, 2));
        }
        let base = if self.ambiguous == 2 {
            c.width_cjk()
        } else {
            c.width()
        };
        match base {
            Some(width @ 1..=2) => width,
            _ => self.cluster_width(c.encode_utf8(&mut [0u8; 4])),
        }
    }

    /// Cells of one grapheme cluster (0, 1 or 2).
    pub fn cluster_width(&self, cluster: &str) -> usize {
        let mut chars = cluster.chars();
        let Some(first) = chars.next() else {
            return 0;
        };
        if is_private_use(first) {
            return usize::from(self.private_use.clamp(1, 2));
        }
        // An emoji presentation selector or a joiner makes the cluster one wide picture.
        if cluster.contains(['\u{FE0F}', '\u{200D}']) && first.width().unwrap_or(0) > 0 {
            return 2;
        }
        let base = if self.ambiguous == 2 {
            first.width_cjk().unwrap_or(0)
        } else {
            first.width().unwrap_or(0)
        };
        if base == 0 {
            // A cluster that starts with a zero-width mark (a stray combining accent).
            return cluster.width().min(2);
        }
        // Regional-indicator pairs (flags) and other multi-char clusters never exceed 2.
        base.max(cluster.width().min(2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NARROW: WidthRules = WidthRules {
        private_use: 1,
        ambiguous: 1,
    };
    const WIDE: WidthRules = WidthRules {
        private_use: 2,
        ambiguous: 2,
    };

    #[test]
    fn ascii_is_one_cell_per_byte() {
        assert_eq!(NARROW.width("Opus 4.6 | $1.83"), 16);
    }

    #[test]
    fn cjk_ideographs_take_two_cells() {
        assert_eq!(NARROW.width("日本語"), 6);
        assert_eq!(NARROW.width("src/プロジェクト"), 4 + 12);
    }

    #[test]
    fn emoji_zwj_sequences_count_as_one_wide_cluster() {
        // family: man, woman, girl, boy joined by ZWJ: one picture, two cells.
        assert_eq!(
            NARROW.width("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"),
            2
        );
        assert_eq!(NARROW.width("\u{1F680}"), 2);
    }

    #[test]
    fn flags_are_two_cells() {
        assert_eq!(NARROW.width("\u{1F1EF}\u{1F1F5}"), 2);
        assert_eq!(NARROW.width("a\u{1F1EB}\u{1F1F7}b"), 4);
    }

    #[test]
    fn variation_selector_sixteen_makes_a_text_symbol_wide() {
        assert_eq!(NARROW.width("\u{2764}"), 1);
        assert_eq!(NARROW.width("\u{2764}\u{FE0F}"), 2);
    }

    #[test]
    fn combining_marks_add_no_width() {
        assert_eq!(NARROW.width("e\u{301}te\u{301}"), 3);
    }

    #[test]
    fn nerd_font_icons_follow_the_setting() {
        let branch = "\u{E0A0} main";
        assert_eq!(NARROW.width(branch), 6);
        assert_eq!(WIDE.width(branch), 7);
        assert_eq!(WIDE.width("\u{F0A9D}"), 2);
    }

    #[test]
    fn characters_measured_one_by_one_are_clusters_of_their_own() {
        let ranges = [
            0x20..=0x7E,
            0xA0..=0x2FF,
            0x2000..=0x205F,
            0x2070..=0x20CF,
            0x2100..=0x2BFF,
            0xE000..=0xF8FF,
        ];
        let mut checked = 0;
        let alone = ranges.into_iter().flatten().filter_map(char::from_u32);
        for c in alone.filter(|&c| stands_alone(c)) {
            for text in [
                format!("a{c}a"),
                format!("{c}{c}"),
                format!("\u{25b0}{c}\u{2022}"),
            ] {
                let clusters = text.graphemes(true).count();
                assert_eq!(
                    clusters,
                    text.chars().count(),
                    "U+{:04X} joins a neighbour",
                    c as u32
                );
                for rules in [NARROW, WIDE] {
                    let by_cluster: usize =
                        text.graphemes(true).map(|g| rules.cluster_width(g)).sum();
                    assert_eq!(rules.width(&text), by_cluster, "U+{:04X}", c as u32);
                }
            }
            checked += 1;
        }
        assert!(checked > 10_000, "only {checked} characters checked");
    }

    #[test]
    fn a_lone_character_is_as_wide_as_its_cluster() {
        let every = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| stands_alone(c));
        for c in every {
            for rules in [NARROW, WIDE] {
                let cluster = rules.cluster_width(c.encode_utf8(&mut [0u8; 4]));
                assert_eq!(rules.char_width(c), cluster, "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn a_joiner_or_selector_takes_the_cluster_path() {
        assert_eq!(NARROW.width("\u{25b0}\u{2764}\u{FE0F}"), 3);
        assert_eq!(NARROW.width("\u{2764}\u{200D}\u{1F525}"), 2);
        assert_eq!(NARROW.width("\u{2022}e\u{301}"), 2);
    }

    #[test]
    fn ambiguous_characters_follow_the_setting() {
        assert_eq!(NARROW.width("○…"), 2);
        assert_eq!(WIDE.width("○…"), 4);
        // Box drawing used by the separators is ambiguous too.
        assert_eq!(WIDE.width("│"), 2);
    }
}
