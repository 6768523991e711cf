//! Finding the end of a JSON string in a transcript line: the first `"` (values), or the
//! first `"` or `\` (keys, which the walker reads only when they hold no escape).
//!
//! Most strings of a line are short (keys, ids, uuids, timestamps), and `memchr` pays a
//! dispatch and a set-up per call that cost more than searching a 36-byte uuid. So the
//! first [`SHORT`] bytes are searched 16 at a time as two 8-byte words (plain integer code:
//! no `unsafe`, no CPU detection); longer strings (thinking, text, tool output) go on with
//! `memchr`/`memchr2`. Keys are searched for a quote or a backslash at once, which replaced
//! a second loop over every key. Scan of a 5 MB transcript (callgrind): 22.9M → 20.5M
//! instructions against one word at a time for quotes plus a byte loop per key for
//! backslashes; [`is_plain_ascii`] on ids, timestamps and models, 20.5M → 19.6M with the
//! walker's one-compare `eat`.
//!
//! Read next: `walk.rs`, which calls these for every string it passes.

use memchr::{memchr, memchr2};

/// Bytes searched in 16-byte blocks before `memchr` takes over.
const SHORT: usize = 64;
const BLOCK: usize = 16;

/// The index of the first `"` in `s`.
#[inline(always)]
pub fn find_quote(s: &[u8]) -> Option<usize> {
    find_either(s, b'"', b'"')
}

/// The index of the first `"` or `\` in `s`.
#[inline(always)]
pub fn find_quote_or_backslash(s: &[u8]) -> Option<usize> {
    find_either(s, b'"', b'\\')
}

/// True when every byte of `s` is ASCII and none is `\` (ids, timestamps and model names
/// nearly always), checked a word at a time.
pub fn is_plain_ascii(s: &[u8]) -> bool {
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    let mut words = s.chunks_exact(8);
    let plain_words = words.by_ref().all(|w| {
        let w = w.try_into().map_or(HIGHS, u64::from_le_bytes);
        (w & HIGHS) | zeros(w ^ BACKSLASHES) == 0
    });
    plain_words && words.remainder().iter().all(|&c| c < 0x80 && c != b'\\')
}

/// True when `s` holds a `\`.
#[inline]
pub fn has_backslash(s: &[u8]) -> bool {
    find_either(s, b'\\', b'\\').is_some()
}

#[inline(always)]
fn find_either(s: &[u8], a: u8, b: u8) -> Option<usize> {
    let mut at = 0;
    while at < SHORT {
        let Some(block) = s.get(at..at + BLOCK) else {
            break;
        };
        if let Some(i) = block_find(block, a, b) {
            return Some(at + i);
        }
        at += BLOCK;
    }
    let rest = &s[at..];
    let found = if rest.len() < BLOCK {
        // The end of a line: fewer bytes than a `memchr` call costs.
        rest.iter().position(|&c| c == a || c == b)
    } else if a == b {
        memchr(a, rest)
    } else {
        memchr2(a, b, rest)
    };
    found.map(|i| at + i)
}

/// The first `a` or `b` in a 16-byte block, as two 8-byte words.
#[inline(always)]
fn block_find(block: &[u8], a: u8, b: u8) -> Option<usize> {
    // The lowest bit of the union of two `zeros` masks is the first byte matching either.
    let (a, b) = (ONES * u64::from(a), ONES * u64::from(b));
    let (lo, hi) = (word(block, 0), word(block, 8));
    let found_lo = zeros(lo ^ a) | zeros(lo ^ b);
    if found_lo != 0 {
        return Some(found_lo.trailing_zeros() as usize / 8);
    }
    let found_hi = zeros(hi ^ a) | zeros(hi ^ b);
    (found_hi != 0).then_some(8 + found_hi.trailing_zeros() as usize / 8)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each zero byte of `x` is set, and possibly of bytes above the first
/// zero byte (borrows): the lowest set bit marks the first zero byte exactly, and the mask
/// is 0 only when no byte is zero.
#[inline(always)]
fn zeros(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The little-endian word at `at` (blocks always hold it; 0 never matches a needle here).
#[inline(always)]
fn word(block: &[u8], at: usize) -> u64 {
    block
        .get(at..at + 8)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(s: &[u8], a: u8, b: u8) -> Option<usize> {
        s.iter().position(|&c| c == a || c == b)
    }

    #[test]
    fn quotes_and_backslashes_are_found_at_every_offset_and_length() {
        for len in 0..100 {
            let mut text = vec![b'a'; len];
            assert_eq!(find_quote(&text), None, "len {len}");
            for at in 0..len {
                for (needle, decoy) in [(b'"', 0xa2), (b'\\', 0xdc)] {
                    // A decoy byte has the needle's low 7 bits.
                    text[at] = decoy;
                    assert_eq!(find_quote_or_backslash(&text), None, "len {len} at {at}");
                    text[at] = needle;
                    let quote = (needle == b'"').then_some(at);
                    assert_eq!(find_quote(&text), quote, "len {len} at {at}");
                    assert_eq!(find_quote_or_backslash(&text), Some(at));
                    // A later needle does not hide the first one.
                    if at + 1 < len {
                        text[len - 1] = b'"';
                        assert_eq!(find_quote_or_backslash(&text), Some(at));
                        text[len - 1] = b'a';
                    }
                    text[at] = b'a';
                }
            }
        }
    }

    #[test]
    fn plain_ascii_means_no_byte_over_127_and_no_backslash() {
        for len in 0..40 {
            let mut text = vec![b'a'; len];
            assert!(is_plain_ascii(&text), "len {len}");
            for at in 0..len {
                for odd in [b'\\', 0x80, 0xdc, 0xff] {
                    text[at] = odd;
                    assert!(!is_plain_ascii(&text), "len {len} at {at} byte {odd:#x}");
                    assert_eq!(has_backslash(&text), odd == b'\\');
                }
                text[at] = 0x7f;
                assert!(is_plain_ascii(&text), "len {len} at {at}");
                text[at] = b'a';
            }
        }
    }

    #[test]
    fn the_block_search_agrees_with_a_byte_loop() {
        let mut seed = 7u64;
        for _ in 0..20_000 {
            let mut block = [0u8; BLOCK];
            for c in &mut block {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                // Mostly plain bytes, some needles and near-needles (borrow patterns).
                *c = match (seed >> 60) as u8 {
                    0 => b'"',
                    1 => b'\\',
                    2 => b'"' + 1,
                    3 => 0,
                    4 => 0x80 | b'"',
                    _ => (seed >> 33) as u8,
                };
            }
            for (a, b) in [(b'"', b'"'), (b'"', b'\\')] {
                let want = naive(&block, a, b);
                assert_eq!(block_find(&block, a, b), want, "{block:?}");
            }
        }
    }
}
