//! Number formats shared by widgets: compact token counts, durations, countdowns, money.
//! All write into a slot without allocating.

use crate::fixed::fixed;
use std::fmt::Write as _;

use crate::engine::slots::SlotContent;

/// `950`, `39.4k`, `1.2M` (into a slot or its short form).
pub fn write_compact(out: &mut impl std::fmt::Write, value: f64) {
    let v = value.max(0.0);
    let _ = if v >= 999_950.0 {
        write!(out, "{}M", fixed(v / 1_000_000.0, 1))
    } else if v >= 1_000.0 {
        write!(out, "{}k", fixed(v / 1_000.0, 1))
    } else {
        write!(out, "{}", fixed(v, 0))
    };
}

/// A context window size: `200k`, `1M`.
pub fn write_window_size(out: &mut impl std::fmt::Write, tokens: f64) {
    let _ = if tokens >= 1_000_000.0 && tokens % 1_000_000.0 == 0.0 {
        write!(out, "{}M", fixed(tokens / 1_000_000.0, 0))
    } else if tokens >= 1_000.0 {
        write!(out, "{}k", fixed(tokens / 1_000.0, 0))
    } else {
        write!(out, "{}", fixed(tokens, 0))
    };
}

/// An elapsed time: `45s`, `12m30s`, `1h02m`, `3d4h`.
pub fn write_duration(out: &mut SlotContent, seconds: f64) {
    let s = seconds.max(0.0) as u64;
    let _ = if s < 60 {
        write!(out, "{s}s")
    } else if s < 3600 {
        write!(out, "{}m{:02}s", s / 60, s % 60)
    } else if s < 86_400 {
        write!(out, "{}h{:02}m", s / 3600, s / 60 % 60)
    } else {
        write!(out, "{}d{}h", s / 86_400, s / 3600 % 24)
    };
}

/// A countdown with two units at most: `45s`, `13m`, `2h13m`, `3d4h`.
pub fn write_countdown(out: &mut impl std::fmt::Write, seconds: f64) {
    let s = seconds.max(0.0) as u64;
    let _ = if s < 60 {
        write!(out, "{s}s")
    } else if s < 3600 {
        write!(out, "{}m", s / 60)
    } else if s < 86_400 {
        write!(out, "{}h{}m", s / 3600, s / 60 % 60)
    } else {
        write!(out, "{}d{}h", s / 86_400, s / 3600 % 24)
    };
}

/// `$0.58`, `$12.30`, `$1234`.
pub fn write_dollars(out: &mut impl std::fmt::Write, amount: f64) {
    let a = amount.max(0.0);
    let _ = if a >= 1000.0 {
        write!(out, "${}", fixed(a, 0))
    } else {
        write!(out, "${}", fixed(a, 2))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut SlotContent)) -> String {
        let mut c = SlotContent::default();
        f(&mut c);
        c.text.to_string()
    }

    #[test]
    fn compact_counts() {
        assert_eq!(text(|c| write_compact(c, 950.0)), "950");
        assert_eq!(text(|c| write_compact(c, 39_412.0)), "39.4k");
        assert_eq!(text(|c| write_compact(c, 1_234_567.0)), "1.2M");
        assert_eq!(text(|c| write_compact(c, 999_999.0)), "1.0M");
    }

    #[test]
    fn durations_and_countdowns() {
        assert_eq!(text(|c| write_duration(c, 45.0)), "45s");
        assert_eq!(text(|c| write_duration(c, 750.0)), "12m30s");
        assert_eq!(text(|c| write_duration(c, 3720.0)), "1h02m");
        assert_eq!(
            text(|c| write_countdown(c, 2.0 * 3600.0 + 13.0 * 60.0 + 5.0)),
            "2h13m"
        );
        assert_eq!(
            text(|c| write_countdown(c, 3.0 * 86_400.0 + 4.0 * 3600.0)),
            "3d4h"
        );
        assert_eq!(text(|c| write_countdown(c, -5.0)), "0s");
    }

    #[test]
    fn money_and_window_sizes() {
        assert_eq!(text(|c| write_dollars(c, 0.5812)), "$0.58");
        assert_eq!(text(|c| write_dollars(c, 1234.4)), "$1234");
        assert_eq!(text(|c| write_window_size(c, 200_000.0)), "200k");
        assert_eq!(text(|c| write_window_size(c, 1_000_000.0)), "1M");
    }
}
