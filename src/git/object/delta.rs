//! Git's delta format: a base size, a result size, then copy and insert instructions.
//!
//! - `1xxxxxxx` copy: the low four bits say which offset bytes follow (little-endian), the
//!   next three which size bytes; a size of 0 means 0x10000.
//! - `0nnnnnnn` (n > 0) insert the next n bytes; `0x00` is reserved and refused.
//!
//! Every copy is checked against the base, every write against the announced result size,
//! and the announced sizes against the real base and [`MAX_OBJECT_SIZE`], so a hostile
//! delta can neither read out of range nor make us allocate more than the limit.

use crate::git::object::MAX_OBJECT_SIZE;

/// The sizes at the start of a delta: (base size, result size, header length).
pub fn delta_sizes(delta: &[u8]) -> Result<(u64, u64, usize), &'static str> {
    let (base, used) = varint(delta)?;
    let (result, more) = varint(&delta[used..])?;
    Ok((base, result, used + more))
}

/// Applies `delta` to `base`, writing the result into `out` (cleared first).
pub fn apply_delta(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Result<(), &'static str> {
    out.clear();
    let (base_size, result_size, mut at) = delta_sizes(delta)?;
    if base_size != base.len() as u64 {
        return Err("git: delta base size does not match its base");
    }
    if result_size > MAX_OBJECT_SIZE {
        return Err("git: object larger than the limit");
    }
    let result_size = result_size as usize;
    out.reserve_exact(result_size);
    while let Some(&cmd) = delta.get(at) {
        at += 1;
        if cmd & 0x80 != 0 {
            let (offset, size, used) = copy_args(cmd, &delta[at..])?;
            at += used;
            let end = offset
                .checked_add(size)
                .ok_or("git: delta copy out of range")?;
            let chunk = base
                .get(offset..end)
                .ok_or("git: delta copy out of range")?;
            push_bounded(out, chunk, result_size)?;
        } else if cmd != 0 {
            let n = usize::from(cmd);
            let chunk = delta.get(at..at + n).ok_or("git: delta insert cut short")?;
            at += n;
            push_bounded(out, chunk, result_size)?;
        } else {
            return Err("git: delta with a reserved instruction");
        }
    }
    if out.len() != result_size {
        return Err("git: delta result shorter than announced");
    }
    Ok(())
}

fn push_bounded(out: &mut Vec<u8>, chunk: &[u8], limit: usize) -> Result<(), &'static str> {
    if out.len() + chunk.len() > limit {
        return Err("git: delta result longer than announced");
    }
    out.extend_from_slice(chunk);
    Ok(())
}

/// The offset and size of a copy instruction, and how many argument bytes it used.
fn copy_args(cmd: u8, args: &[u8]) -> Result<(usize, usize, usize), &'static str> {
    let mut used = 0;
    let mut take = |bit: u8, shift: u32| -> Result<usize, &'static str> {
        if cmd & bit == 0 {
            return Ok(0);
        }
        let byte = *args.get(used).ok_or("git: delta copy cut short")?;
        used += 1;
        Ok(usize::from(byte) << shift)
    };
    let offset = take(0x01, 0)? | take(0x02, 8)? | take(0x04, 16)? | take(0x08, 24)?;
    let size = take(0x10, 0)? | take(0x20, 8)? | take(0x40, 16)?;
    Ok((offset, if size == 0 { 0x10000 } else { size }, used))
}

/// A little-endian base-128 size, at most 10 bytes (64 bits).
fn varint(data: &[u8]) -> Result<(u64, usize), &'static str> {
    let mut value = 0u64;
    for (i, &byte) in data.iter().enumerate().take(10) {
        let bits = u64::from(byte & 0x7f);
        if i == 9 && bits > 1 {
            return Err("git: delta size too large");
        }
        value |= bits << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err("git: delta size cut short")
}

/// Appends a size the way [`delta_sizes`] reads it (to build deltas in tests and fuzzing).
pub fn encode_size(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(base_len: u64, result_len: u64, body: &[u8]) -> Vec<u8> {
        let mut d = Vec::new();
        encode_size(base_len, &mut d);
        encode_size(result_len, &mut d);
        d.extend_from_slice(body);
        d
    }

    #[test]
    fn copies_and_inserts_build_the_result() {
        let base = b"hello, world";
        // copy 5 from 0, insert "!!", copy 5 from 7 (offset byte 7, size byte 5)
        let d = delta(12, 12, &[0x90, 5, 2, b'!', b'!', 0x91, 7, 5]);
        let mut out = Vec::new();
        apply_delta(base, &d, &mut out).unwrap();
        assert_eq!(out, b"hello!!world");
    }

    #[test]
    fn a_copy_size_of_zero_means_sixty_four_kib() {
        let base = vec![7u8; 0x10000];
        let d = delta(0x10000, 0x10000, &[0x80]);
        let mut out = Vec::new();
        apply_delta(&base, &d, &mut out).unwrap();
        assert_eq!(out, base);
    }

    #[test]
    fn hostile_deltas_are_refused() {
        let base = b"0123456789";
        let mut out = Vec::new();
        let cases: [(&[u8], u64, u64); 6] = [
            (&[0x91, 8, 5], 10, 5),                         // copy past the base's end
            (&[0x9f, 0xff, 0xff, 0xff, 0xff, 0xff], 10, 5), // huge offset
            (&[0x03, b'a'], 10, 3),                         // insert cut short
            (&[0x00], 10, 0),                               // reserved instruction
            (&[0x90, 4], 10, 3),                            // result longer than announced
            (&[0x90, 2], 10, 3),                            // result shorter than announced
        ];
        for (body, base_len, result_len) in cases {
            let d = delta(base_len, result_len, body);
            assert!(apply_delta(base, &d, &mut out).is_err(), "{body:?}");
        }
        assert!(apply_delta(base, &delta(9, 1, &[0x01, b'a']), &mut out).is_err());
        assert!(apply_delta(base, &delta(10, u64::MAX, &[]), &mut out).is_err());
        assert!(apply_delta(base, &[0x8a], &mut out).is_err());
    }
}
