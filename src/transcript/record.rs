//! A transcript [`State`] as the bytes of its cache record, and back.
//!
//! A render that finds new lines decodes the record before the frame and encodes it after,
//! and the cache checksums it both ways (FNV-1a, a byte at a time), so its size is paid
//! four times per render. Numbers are therefore LEB128 varints (zigzag for signed ones),
//! call times are stored as the difference to the call before, and the call keys, which are
//! hashes, as 8 fixed bytes. The record of the 50 MB fixture transcript (64 calls in the
//! ring) shrank from 6,134 bytes with fixed 8-byte fields to 1,869.
//!
//! Anything that is not exactly a record of this version for this path reads as `None`
//! (the caller then rescans): truncated, padded, a varint longer than 10 bytes, a count
//! past its bound, a model slot out of range. The varints, words and strings are
//! `cache::codec`'s, which the usage index's records use too.

use arrayvec::ArrayString;

use crate::cache::codec::{Reader, Writer};
use crate::transcript::state::{Call, FileId, MAX_MODELS, RING, State, Tokens};

/// Bumped whenever the encoding changes; older records then read as absent.
const RECORD_VERSION: u8 = 2;

/// Serialises `state` for the transcript at `path` (the path is stored to catch hash
/// collisions of record names).
pub fn encode(state: &State, path: &str) -> Vec<u8> {
    let mut w = Writer::with_capacity(512 + path.len() + state.ring.len() * 40);
    w.0.push(RECORD_VERSION);
    w.bytes(path.as_bytes());
    let f = &state.file;
    for v in [f.dev, f.ino, f.size] {
        w.u64(v);
    }
    w.i64(f.mtime_ns);
    w.u64(state.offset);
    w.fixed(state.tail_hash);
    for v in [
        state.lines,
        state.bad_lines,
        state.prompts,
        state.tool_results,
        state.calls,
        state.tool_uses,
        state.compactions,
    ] {
        w.u64(v);
    }
    state.per_model.iter().for_each(|t| t.encode(&mut w));
    w.u64(state.models.len() as u64);
    state.models.iter().for_each(|m| w.bytes(m.as_bytes()));
    w.u64(u64::from(state.last_main.is_some()));
    state.last_main.unwrap_or_default().encode(&mut w);
    w.i64(state.last_main_ms);
    w.i64(state.last_user_ms);
    encode_ring(&mut w, state);
    w.u64(u64::from(state.block.seq));
    w.i64(state.block.start_ms);
    w.i64(state.block.last_ms);
    state.block.per_model.iter().for_each(|t| t.encode(&mut w));
    w.0
}

/// The ring in storage order; each call's times relative to the call before it.
fn encode_ring(w: &mut Writer, state: &State) {
    w.u64(state.ring.len() as u64);
    w.u64(u64::from(state.ring_next));
    let mut last_ms = 0i64;
    for c in &state.ring {
        w.fixed(c.key);
        w.u64(u64::from(c.model) | u64::from(c.sidechain) << 8);
        c.tokens.encode(w);
        w.i64(c.start_ms.wrapping_sub(last_ms));
        w.i64(c.end_ms.wrapping_sub(c.start_ms));
        w.u64(u64::from(c.block));
        last_ms = c.start_ms;
    }
}

/// Reads a state written by [`encode`] for `path`; anything else reads as `None`.
pub fn decode(bytes: &[u8], path: &str) -> Option<State> {
    let (&version, rest) = bytes.split_first()?;
    if version != RECORD_VERSION {
        return None;
    }
    let mut r = Reader(rest);
    if r.bytes()? != path.as_bytes() {
        return None;
    }
    let mut s = State {
        file: FileId {
            dev: r.u64()?,
            ino: r.u64()?,
            size: r.u64()?,
            mtime_ns: r.i64()?,
        },
        offset: r.u64()?,
        tail_hash: r.fixed()?,
        lines: r.u64()?,
        bad_lines: r.u64()?,
        prompts: r.u64()?,
        tool_results: r.u64()?,
        calls: r.u64()?,
        tool_uses: r.u64()?,
        compactions: r.u64()?,
        ..State::default()
    };
    for t in &mut s.per_model {
        *t = Tokens::decode(&mut r)?;
    }
    for _ in 0..r.small(MAX_MODELS as u64)? {
        let name = r.str()?;
        s.models.push(ArrayString::from(name).ok()?);
    }
    let has_main = r.u64()? != 0;
    let main = Tokens::decode(&mut r)?;
    s.last_main = has_main.then_some(main);
    s.last_main_ms = r.i64()?;
    s.last_user_ms = r.i64()?;
    decode_ring(&mut r, &mut s)?;
    s.block.seq = u32::try_from(r.u64()?).ok()?;
    s.block.start_ms = r.i64()?;
    s.block.last_ms = r.i64()?;
    for t in &mut s.block.per_model {
        *t = Tokens::decode(&mut r)?;
    }
    r.0.is_empty().then_some(s)
}

fn decode_ring(r: &mut Reader<'_>, s: &mut State) -> Option<()> {
    let calls = r.small(RING as u64)?;
    s.ring_next = r.small(RING as u64)? as u16;
    let mut last_ms = 0i64;
    for _ in 0..calls {
        let key = r.fixed()?;
        let flags = r.small(0x1ff)?;
        let model = (flags & 0xff) as u8;
        if model as usize >= MAX_MODELS {
            return None;
        }
        let tokens = Tokens::decode(r)?;
        let start_ms = last_ms.wrapping_add(r.i64()?);
        let end_ms = start_ms.wrapping_add(r.i64()?);
        s.ring.push(Call {
            key,
            model,
            sidechain: flags >> 8 == 1,
            tokens,
            start_ms,
            end_ms,
            block: u32::try_from(r.u64()?).ok()?,
        });
        last_ms = start_ms;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(key: u64, model: u8, start_ms: i64, end_ms: i64) -> Call {
        Call {
            key,
            model,
            sidechain: key.is_multiple_of(2),
            tokens: Tokens {
                input: key,
                output: u64::MAX - key,
                cache_read: 0,
                cache_write_5m: 1 << 40,
                cache_write_1h: 127,
            },
            start_ms,
            end_ms,
            block: key as u32,
        }
    }

    /// A state with every field away from its default, extremes included.
    fn busy_state() -> State {
        let mut s = State {
            file: FileId {
                dev: u64::MAX,
                ino: 1 << 63,
                size: 50_040_018,
                mtime_ns: -1,
            },
            offset: 50_040_018,
            tail_hash: 0xdead_beef_0000_0001,
            lines: 20_004,
            bad_lines: 3,
            prompts: 128,
            tool_results: 129,
            calls: 6_446,
            tool_uses: 4_000,
            compactions: 2,
            last_main: Some(Tokens {
                input: 1,
                ..Tokens::default()
            }),
            last_main_ms: i64::MAX,
            last_user_ms: i64::MIN,
            ring_next: 5,
            ..State::default()
        };
        for name in ["claude-opus-4-6", "claude-haiku-4-5", "ü✓"] {
            s.model_slot(name);
        }
        s.per_model[7].output = u64::MAX;
        let times = [
            (1_795_165_211_338, 1_795_165_299_000),
            (0, -5),
            (i64::MIN, i64::MAX),
        ];
        for k in 0..RING as u64 {
            let (start, end) = times[k as usize % times.len()];
            s.ring.push(call(
                k.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                (k % 8) as u8,
                start,
                end,
            ));
        }
        s.block.seq = u32::MAX;
        s.block.start_ms = 1_795_165_200_000;
        s.block.last_ms = -7;
        s.block.per_model[2].cache_read = 99;
        s
    }

    #[test]
    fn a_busy_state_round_trips() {
        let s = busy_state();
        assert_eq!(decode(&encode(&s, "/a.jsonl"), "/a.jsonl"), Some(s));
        let empty = State::default();
        assert_eq!(decode(&encode(&empty, "/a.jsonl"), "/a.jsonl"), Some(empty));
    }

    #[test]
    fn other_paths_truncations_padding_and_garbage_read_as_absent() {
        let bytes = encode(&busy_state(), "/a.jsonl");
        assert_eq!(decode(&bytes, "/b.jsonl"), None);
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut], "/a.jsonl"), None, "cut at {cut}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert_eq!(decode(&padded, "/a.jsonl"), None);
        assert_eq!(decode(b"\x02garbage", "/a.jsonl"), None);
        let mut old = bytes;
        old[0] = 1;
        assert_eq!(decode(&old, "/a.jsonl"), None);
    }

    #[test]
    fn a_full_ring_takes_under_half_the_fixed_width_size() {
        let mut s = State::default();
        let slot = s.model_slot("claude-opus-4-6");
        for k in 1..=RING as u64 {
            let at = 1_795_165_211_338 + k as i64 * 20_000;
            s.record_row(Call {
                key: k.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                model: slot,
                tokens: Tokens {
                    input: 6,
                    output: 497,
                    cache_read: 90_000,
                    cache_write_5m: 19_117,
                    cache_write_1h: 0,
                },
                end_ms: at,
                ..Call::default()
            });
        }
        let fixed_width_ring = RING * 80;
        assert!(encode(&s, "/a.jsonl").len() < fixed_width_ring / 2);
    }
}
