//! The winning line of every API call ever seen, in as little memory as exact
//! deduplication allows: the index must remember each call to merge a later line of it,
//! and 1 GB of transcripts holds ~115,000 calls.
//!
//! An entry is 40 bytes with its key: the time in milliseconds since 2020 (48 bits), the
//! session, the model and the five token counts as `u32` (one call's counts fit). The rare
//! `costUSD` lives in a map of its own. The table is split into [`SHARDS`] hash maps by the
//! key's low bits, so growing never holds two copies of the whole table at once (a single
//! map doubles, and briefly needs 1.5 times its size).

use std::collections::HashMap;

use crate::transcript::state::Tokens;
use crate::usage::index::{BucketKey, QUARTER_MS};

/// Shards of the table.
const SHARDS: usize = 64;
/// Stored times count from 2020-01-01T00:00:00Z; earlier ones are stored as that instant.
const EPOCH_MS: i64 = 1_577_836_800_000;

/// The line that counts for one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Winner {
    ms_hi: u32,
    ms_lo: u16,
    model: u16,
    session: u32,
    /// Input, output, cache read, 5-minute and 1-hour cache writes.
    tokens: [u32; 5],
}

impl Winner {
    pub fn new(ms: i64, session: u32, model: u32, t: &Tokens) -> Winner {
        let c = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        let since = (ms - EPOCH_MS).clamp(0, (1 << 48) - 1) as u64;
        Winner {
            ms_hi: (since >> 16) as u32,
            ms_lo: since as u16,
            model: u16::try_from(model).unwrap_or(u16::MAX),
            session,
            tokens: [
                c(t.input),
                c(t.output),
                c(t.cache_read),
                c(t.cache_write_5m),
                c(t.cache_write_1h),
            ],
        }
    }

    pub fn ms(&self) -> i64 {
        EPOCH_MS + ((u64::from(self.ms_hi) << 16) | u64::from(self.ms_lo)) as i64
    }

    pub fn session(&self) -> u32 {
        self.session
    }

    pub fn model(&self) -> u32 {
        u32::from(self.model)
    }

    pub fn tokens(&self) -> Tokens {
        let [input, output, cache_read, cache_write_5m, cache_write_1h] =
            self.tokens.map(u64::from);
        Tokens {
            input,
            output,
            cache_read,
            cache_write_5m,
            cache_write_1h,
        }
    }

    pub fn bucket(&self) -> BucketKey {
        BucketKey {
            quarter: self.ms().div_euclid(QUARTER_MS),
            session: self.session,
            model: self.model(),
        }
    }
}

/// The table: key (a hash of `message.id` and `requestId`) → winner, and the `costUSD` of
/// the winners that had one.
#[derive(Clone, Debug, PartialEq)]
pub struct Calls {
    shards: Vec<HashMap<u64, Winner>>,
    costs: HashMap<u64, f64>,
}

impl Default for Calls {
    fn default() -> Self {
        Calls::new()
    }
}

impl Calls {
    pub fn new() -> Calls {
        Calls {
            shards: (0..SHARDS).map(|_| HashMap::new()).collect(),
            costs: HashMap::new(),
        }
    }

    /// An empty table sized for `n` calls.
    pub fn with_capacity(n: usize) -> Calls {
        let mut calls = Calls::new();
        calls
            .shards
            .iter_mut()
            .for_each(|s| s.reserve(n / SHARDS + n / (SHARDS * 8) + 1));
        calls
    }

    fn shard(&self, key: u64) -> usize {
        // The keys are FNV hashes: their low bits are as good as any.
        key as usize % SHARDS
    }

    pub fn get(&self, key: u64) -> Option<(Winner, Option<f64>)> {
        let w = *self.shards[self.shard(key)].get(&key)?;
        Some((w, self.costs.get(&key).copied()))
    }

    pub fn insert(&mut self, key: u64, w: Winner, cost_usd: Option<f64>) {
        let s = self.shard(key);
        self.shards[s].insert(key, w);
        match cost_usd {
            Some(c) => {
                self.costs.insert(key, c);
            }
            None => {
                self.costs.remove(&key);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(HashMap::len).sum()
    }

    /// Every call: key, winner, cost.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Winner, Option<f64>)> + '_ {
        self.shards
            .iter()
            .flat_map(|s| s.iter())
            .map(|(&k, &w)| (k, w, self.costs.get(&k).copied()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_forty_bytes_with_its_key_and_keeps_every_field() {
        assert_eq!(std::mem::size_of::<(u64, Winner)>(), 40);
        let t = Tokens {
            input: 1,
            output: 2,
            cache_read: 3,
            cache_write_5m: 4,
            cache_write_1h: 5,
        };
        let ms = 1_795_165_211_338;
        let w = Winner::new(ms, 7, 9, &t);
        assert_eq!((w.ms(), w.session(), w.model(), w.tokens()), (ms, 7, 9, t));
        let mut calls = Calls::new();
        calls.insert(42, w, Some(1.5));
        calls.insert(43, w, None);
        assert_eq!(calls.get(42), Some((w, Some(1.5))));
        calls.insert(42, w, None);
        assert_eq!((calls.get(42), calls.len()), (Some((w, None)), 2));
    }
}
