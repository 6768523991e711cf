//! Fast fixed-point printing of `f64` for the per-frame path, byte for byte what
//! `{:.N}` prints.
//!
//! Core's `{:.N}` runs an exact float printer (Grisu, falling back to big-number Dragon):
//! it was the largest single cost of a frame's widgets. [`Fixed`] scales the value by 10^N
//! and prints the rounded integer when the rounding is unambiguous: with no decimals the
//! rounding is exact (ties to even, as core does); with decimals the scaled value must sit
//! further from a rounding tie than the scaling error. Anything else (near a tie, negative
//! or huge values, NaN, infinities, more than 3 decimals) goes to core's printer.
//!
//! A [`Fixed`] writes its digits in one piece and ignores width and fill flags: use `{}`.

use core::fmt;

/// Largest value printed without core's printer (scaled values stay below 2^53).
const FAST_LIMIT: f64 = 1e12;
const POW10: [f64; 4] = [1.0, 10.0, 100.0, 1000.0];

/// `value` printed with `decimals` decimal places; see the module doc.
#[derive(Clone, Copy, Debug)]
pub struct Fixed {
    value: f64,
    decimals: usize,
}

/// `value` with `decimals` places, e.g. `write!(out, "{}%", fixed(used, 0))`.
pub fn fixed(value: f64, decimals: usize) -> Fixed {
    Fixed { value, decimals }
}

impl Fixed {
    /// The value times 10^decimals, rounded, when that is certainly what core prints.
    fn scaled(&self) -> Option<u64> {
        let v = self.value;
        let scale = *POW10.get(self.decimals)?;
        if !(0.0..FAST_LIMIT).contains(&v) || v.is_sign_negative() {
            return None;
        }
        let s = v * scale;
        // The product is off by at most half an ulp of `s` (< s * EPSILON): rounding is
        // safe unless the fraction is that close to one half.
        if self.decimals > 0 && (s.fract() - 0.5).abs() <= 2.0 * s * f64::EPSILON {
            return None;
        }
        Some(s.round_ties_even() as u64)
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(mut n) = self.scaled() else {
            return write!(f, "{:.*}", self.decimals, self.value);
        };
        let mut buf = [0u8; 24];
        let mut at = buf.len();
        let mut digits = 0;
        loop {
            if digits == self.decimals && self.decimals > 0 {
                at -= 1;
                buf[at] = b'.';
            }
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
            digits += 1;
            if n == 0 && digits > self.decimals {
                break;
            }
        }
        // Only ASCII digits and a dot were written.
        f.write_str(core::str::from_utf8(&buf[at..]).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(value: f64, decimals: usize) -> (String, String) {
        (
            fixed(value, decimals).to_string(),
            format!("{value:.decimals$}"),
        )
    }

    #[test]
    fn prints_what_core_prints_for_everyday_values() {
        for (value, decimals, text) in [
            (38.0, 0, "38"),
            (0.0, 0, "0"),
            (1.8342, 2, "1.83"),
            (0.05, 2, "0.05"),
            (73.785, 1, "73.8"),
            (2.5, 0, "2"),
            (3.5, 0, "4"),
            (0.004, 2, "0.00"),
            (999.96, 1, "1000.0"),
            (7.0, 3, "7.000"),
        ] {
            assert_eq!(
                fixed(value, decimals).to_string(),
                text,
                "{value} .{decimals}"
            );
            assert_eq!(format!("{value:.decimals$}"), text, "{value} .{decimals}");
        }
    }

    #[test]
    fn agrees_with_core_on_ties_edges_and_many_values() {
        let mut edges = vec![
            -0.0,
            -0.4,
            -2.5,
            f64::NAN,
            f64::INFINITY,
            1e12,
            1e15,
            0.125,
            0.375,
            1.005,
            2.675,
            1.045,
            0.5,
            1.5,
            99.95,
            1e12 - 0.5,
        ];
        // A cheap deterministic generator: values of every magnitude, many near ties.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let magnitude = 10f64.powi((x % 13) as i32 - 3);
            let v = (x >> 11) as f64 / (1u64 << 53) as f64 * magnitude;
            edges.push(v);
            edges.push((v * 1000.0).round() / 1000.0 + 0.0005);
            edges.push((v * 100.0).round() / 100.0 + 0.005);
        }
        for v in edges {
            for decimals in 0..=4 {
                let (ours, core) = both(v, decimals);
                assert_eq!(ours, core, "{v:e} with {decimals} decimals");
            }
        }
    }
}
