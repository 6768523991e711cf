//! The bytes inside a cache record's payload, shared by every record that has more than a
//! few fixed fields (the transcript state, the usage index and its call table).
//!
//! Numbers are LEB128 varints (zigzag for signed ones), hashes and `f64`s their 8 little
//! endian bytes, strings and byte runs their length and then the bytes. A [`Reader`] never
//! panics and never trusts a length: a varint longer than 10 bytes or past 64 bits, a count
//! larger than the bytes left, or a run past the end reads as `None`, so a damaged record
//! reads as absent and is rebuilt.
//!
//! Read next: `record.rs` (the header around the payload).

/// Appends values to a payload.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn with_capacity(n: usize) -> Writer {
        Writer(Vec::with_capacity(n))
    }

    pub fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    pub fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }

    /// Eight bytes as they are (hashes, whose varint would be longer).
    pub fn fixed(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub fn f64(&mut self, v: f64) {
        self.fixed(v.to_bits());
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub fn u64s<const N: usize>(&mut self, vs: [u64; N]) {
        vs.into_iter().for_each(|v| self.u64(v));
    }
}

/// Takes values off a payload, front to back.
pub struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    pub fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for (i, &byte) in self.0.iter().take(10).enumerate() {
            let bits = u64::from(byte & 0x7f);
            if i == 9 && bits > 1 {
                return None; // past 64 bits
            }
            v |= bits << (7 * i);
            if byte < 0x80 {
                self.0 = &self.0[i + 1..];
                return Some(v);
            }
        }
        None
    }

    pub fn i64(&mut self) -> Option<i64> {
        let v = self.u64()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    pub fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    pub fn fixed(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*head))
    }

    pub fn f64(&mut self) -> Option<f64> {
        self.fixed().map(f64::from_bits)
    }

    /// A varint no larger than `max`.
    pub fn small(&mut self, max: u64) -> Option<u64> {
        self.u64().filter(|v| *v <= max)
    }

    /// A count of items that take at least a byte each: never more than the bytes left.
    pub fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }

    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.count()?;
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    pub fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    pub fn u64s<const N: usize>(&mut self) -> Option<[u64; N]> {
        let mut out = [0; N];
        for v in &mut out {
            *v = self.u64()?;
        }
        Some(out)
    }

    /// True when every byte was read: a record with bytes left over is not one.
    pub fn done(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_take_every_width_and_refuse_overlong_ones() {
        for v in [0, 1, 127, 128, 16_383, 16_384, u64::MAX >> 1, u64::MAX] {
            let mut w = Writer::default();
            w.u64(v);
            assert_eq!(
                w.0.len(),
                (64 - v.leading_zeros() as usize).div_ceil(7).max(1)
            );
            assert_eq!(Reader(&w.0).u64(), Some(v));
        }
        for v in [0, -1, 1, i64::MIN, i64::MAX] {
            let mut w = Writer::default();
            w.i64(v);
            assert_eq!(Reader(&w.0).i64(), Some(v));
        }
        assert_eq!(Reader(&[0xff; 10]).u64(), None);
        assert_eq!(
            Reader(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]).u64(),
            None
        );
        assert_eq!(Reader(&[0x80]).u64(), None);
    }

    #[test]
    fn strings_fixed_words_and_floats_round_trip_and_lengths_are_not_trusted() {
        let mut w = Writer::default();
        w.str("ü✓");
        w.fixed(u64::MAX - 1);
        w.f64(-0.25);
        w.u64s([1, 1 << 40]);
        let mut r = Reader(&w.0);
        assert_eq!(r.str(), Some("ü✓"));
        assert_eq!(r.fixed(), Some(u64::MAX - 1));
        assert_eq!(r.f64(), Some(-0.25));
        assert_eq!(r.u64s::<2>(), Some([1, 1 << 40]));
        assert!(r.done());
        assert_eq!(Reader(&[5, b'a', b'b']).bytes(), None);
        assert_eq!(Reader(&[2, 0xff, 0xfe]).str(), None);
        assert_eq!(Reader(&[1, 2, 3]).fixed(), None);
    }
}
