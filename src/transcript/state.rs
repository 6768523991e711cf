//! The running figures of one transcript: what a scan has learnt from its first `offset`
//! bytes, small enough to live in one cache record (a few KiB whatever the transcript size).
//!
//! # Deduplication
//! Claude Code writes one assistant line per content block; all lines of one API call share
//! `message.id` + `requestId` and repeat the call's usage, and a later line may carry a
//! larger (final) `output_tokens`. A call is therefore counted once, with the usage of its
//! *last* line: the last [`RING`] calls are kept with their usage, and a line of a call still
//! in the ring replaces that call's usage in every sum instead of adding to it. Lines of one
//! call are contiguous in practice; a call whose lines are more than [`RING`] calls apart
//! would be counted twice.
//!
//! # Invariant
//! Every sum equals the sum over the calls seen so far of each call's last-seen usage, so
//! the state after bytes `0..n` equals a full parse of those bytes (tests check this).
//!
//! Read next: `scan.rs`, which feeds lines in; `record.rs`, how a state is saved.

use arrayvec::{ArrayString, ArrayVec};

use crate::cache::codec::{Reader, Writer};

/// API calls remembered for deduplication and token speed.
pub const RING: usize = 64;
/// Models tracked by name; further models share the last slot, named `other`.
pub const MAX_MODELS: usize = 8;
/// The length of a usage block (Anthropic's 5-hour session window), in milliseconds.
pub const BLOCK_MS: i64 = 5 * 3600 * 1000;

/// Token counts of one usage row, or sums of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
}

impl Tokens {
    /// The five counts as record varints (`cache::codec`).
    pub fn encode(&self, w: &mut Writer) {
        w.u64s([
            self.input,
            self.output,
            self.cache_read,
            self.cache_write_5m,
            self.cache_write_1h,
        ]);
    }

    pub fn decode(r: &mut Reader<'_>) -> Option<Tokens> {
        let [input, output, cache_read, cache_write_5m, cache_write_1h] = r.u64s()?;
        Some(Tokens {
            input,
            output,
            cache_read,
            cache_write_5m,
            cache_write_1h,
        })
    }

    pub fn cache_write(&self) -> u64 {
        self.cache_write_5m + self.cache_write_1h
    }

    pub fn total(&self) -> u64 {
        self.input + self.output + self.cache_read + self.cache_write()
    }

    /// Tokens the model read for the call: the context size.
    pub fn context(&self) -> u64 {
        self.input + self.cache_read + self.cache_write()
    }

    fn add(&mut self, o: &Tokens) {
        self.input += o.input;
        self.output += o.output;
        self.cache_read += o.cache_read;
        self.cache_write_5m += o.cache_write_5m;
        self.cache_write_1h += o.cache_write_1h;
    }

    fn sub(&mut self, o: &Tokens) {
        self.input = self.input.saturating_sub(o.input);
        self.output = self.output.saturating_sub(o.output);
        self.cache_read = self.cache_read.saturating_sub(o.cache_read);
        self.cache_write_5m = self.cache_write_5m.saturating_sub(o.cache_write_5m);
        self.cache_write_1h = self.cache_write_1h.saturating_sub(o.cache_write_1h);
    }
}

/// One recent API call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Call {
    /// Hash of `message.id` + `requestId`; 0 when the line had no id (never matched).
    pub key: u64,
    pub model: u8,
    pub sidechain: bool,
    pub tokens: Tokens,
    /// When the request was sent (the last user line before it), ms since the epoch.
    pub start_ms: i64,
    /// The timestamp of its last line.
    pub end_ms: i64,
    /// The usage block it belongs to.
    pub block: u32,
}

/// The 5-hour usage block the last call fell into.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// 0 before the first call; increases with each new block.
    pub seq: u32,
    /// The first call's time, floored to the hour.
    pub start_ms: i64,
    pub last_ms: i64,
    pub per_model: [Tokens; MAX_MODELS],
}

/// What the transcript file looked like when the state was saved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i64,
}

/// Everything known about one transcript.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    pub file: FileId,
    /// End of the last complete line consumed.
    pub offset: u64,
    /// FNV-1a of the (up to) [`TAIL_LEN`] bytes before `offset`: a file rewritten in place
    /// fails this check and is rescanned.
    pub tail_hash: u64,
    pub lines: u64,
    /// Lines that looked like usage but could not be parsed: totals are then a lower bound.
    pub bad_lines: u64,
    pub prompts: u64,
    pub tool_results: u64,
    /// Distinct API calls (main chain and sub-agents).
    pub calls: u64,
    pub tool_uses: u64,
    pub compactions: u64,
    /// Session totals, per model slot; sub-agent (sidechain) calls included.
    pub per_model: [Tokens; MAX_MODELS],
    pub models: ArrayVec<ArrayString<48>, MAX_MODELS>,
    /// The usage of the last main-chain call: the context size fallback.
    pub last_main: Option<Tokens>,
    pub last_main_ms: i64,
    /// The last user line's time (start of the next request).
    pub last_user_ms: i64,
    pub ring: ArrayVec<Call, RING>,
    /// Where the next call goes once the ring is full.
    pub ring_next: u16,
    pub block: Block,
}

/// Bytes before the offset covered by [`State::tail_hash`].
pub const TAIL_LEN: u64 = 64;

impl State {
    /// Session totals over every model.
    pub fn totals(&self) -> Tokens {
        let mut t = Tokens::default();
        self.per_model.iter().for_each(|m| t.add(m));
        t
    }

    /// The slot of model `name` (the shared last slot once all are taken).
    pub fn model_slot(&mut self, name: &str) -> u8 {
        let name = crate::engine::slots::cut_at_char_boundary(name, 48);
        if let Some(i) = self.models.iter().position(|m| m.as_str() == name) {
            return i as u8;
        }
        if self.models.len() + 1 < MAX_MODELS {
            let mut s = ArrayString::new();
            s.push_str(name);
            self.models.push(s);
            return (self.models.len() - 1) as u8;
        }
        if self.models.len() + 1 == MAX_MODELS {
            let mut s = ArrayString::new();
            s.push_str("other");
            self.models.push(s);
        }
        (MAX_MODELS - 1) as u8
    }

    /// Records one usage row of a call (see the module doc for the dedupe rule).
    pub fn record_row(&mut self, mut call: Call) {
        let found = (call.key != 0)
            .then(|| self.ring.iter().rposition(|c| c.key == call.key))
            .flatten();
        if let Some(i) = found {
            let old = self.ring[i];
            self.per_model[old.model as usize].sub(&old.tokens);
            if old.block == self.block.seq {
                self.block.per_model[old.model as usize].sub(&old.tokens);
            }
            call.start_ms = old.start_ms;
            call.block = old.block;
            call.end_ms = call.end_ms.max(old.end_ms);
            self.add_call_tokens(&call);
            self.ring[i] = call;
        } else {
            self.calls += 1;
            self.enter_block(call.end_ms);
            call.block = self.block.seq;
            call.start_ms = if self.last_user_ms > 0 && self.last_user_ms <= call.end_ms {
                self.last_user_ms
            } else {
                call.end_ms
            };
            self.add_call_tokens(&call);
            self.push_ring(call);
        }
        if !call.sidechain {
            self.last_main = Some(call.tokens);
            self.last_main_ms = self.last_main_ms.max(call.end_ms);
        }
    }

    fn add_call_tokens(&mut self, call: &Call) {
        self.per_model[call.model as usize].add(&call.tokens);
        if call.block == self.block.seq {
            self.block.per_model[call.model as usize].add(&call.tokens);
        }
    }

    fn push_ring(&mut self, call: Call) {
        if self.ring.is_full() {
            let i = self.ring_next as usize % RING;
            self.ring[i] = call;
            self.ring_next = ((i + 1) % RING) as u16;
        } else {
            self.ring.push(call);
        }
    }

    /// Starts a new block when `ms` is 5 h past the block start or the last call.
    fn enter_block(&mut self, ms: i64) {
        const HOUR_MS: i64 = 3_600_000;
        let b = &mut self.block;
        let expired = ms > 0 && (ms - b.start_ms >= BLOCK_MS || ms - b.last_ms >= BLOCK_MS);
        if b.seq == 0 || expired {
            b.seq += 1;
            b.start_ms = ms - ms.rem_euclid(HOUR_MS);
            b.last_ms = ms;
            b.per_model = [Tokens::default(); MAX_MODELS];
        }
        b.last_ms = b.last_ms.max(ms);
    }

    /// Calls in the ring, oldest first.
    pub fn recent_calls(&self) -> impl Iterator<Item = &Call> {
        let split = if self.ring.is_full() {
            self.ring_next as usize % RING
        } else {
            0
        };
        self.ring[split..].iter().chain(self.ring[..split].iter())
    }

    /// The name of model slot `i`.
    pub fn model_name(&self, i: usize) -> &str {
        self.models.get(i).map_or("?", |m| m.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: u64, output: u64, ms: i64) -> Call {
        Call {
            key,
            tokens: Tokens {
                input: 10,
                output,
                ..Tokens::default()
            },
            end_ms: ms,
            ..Call::default()
        }
    }

    #[test]
    fn later_rows_of_a_call_replace_its_usage() {
        let mut s = State::default();
        s.record_row(row(7, 5, 1_000));
        s.record_row(row(7, 80, 1_001));
        s.record_row(row(8, 1, 1_002));
        assert_eq!(s.calls, 2);
        assert_eq!(s.totals().output, 81);
        assert_eq!(s.totals().input, 20);
    }

    #[test]
    fn rows_without_an_id_are_each_counted() {
        let mut s = State::default();
        s.record_row(row(0, 5, 1));
        s.record_row(row(0, 5, 2));
        assert_eq!((s.calls, s.totals().output), (2, 10));
    }

    #[test]
    fn a_gap_of_five_hours_starts_a_new_block_on_the_hour() {
        let mut s = State::default();
        let t0 = 1_800_000_000_000 + 25 * 60_000;
        s.record_row(row(1, 5, t0));
        s.record_row(row(2, 5, t0 + BLOCK_MS + 1));
        assert_eq!(s.block.seq, 2);
        assert_eq!(s.block.start_ms % 3_600_000, 0);
        assert_eq!(s.block.per_model[0].output, 5);
        assert_eq!(s.totals().output, 10);
    }

    #[test]
    fn the_ring_forgets_the_oldest_call_first() {
        let mut s = State::default();
        for k in 1..=(RING as u64 + 3) {
            s.record_row(row(k, 1, k as i64));
        }
        let keys: Vec<u64> = s.recent_calls().map(|c| c.key).collect();
        assert_eq!(keys.first(), Some(&4));
        assert_eq!(keys.last(), Some(&(RING as u64 + 3)));
    }

    #[test]
    fn a_ninth_model_shares_the_other_slot() {
        let mut s = State::default();
        let slots: Vec<u8> = (0..10).map(|i| s.model_slot(&format!("m{i}"))).collect();
        assert_eq!(&slots[..7], &[0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(&slots[7..], &[7, 7, 7]);
        assert_eq!(s.model_name(7), "other");
    }
}
