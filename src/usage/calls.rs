//! The winning line of every API call ever seen, in as little memory as exact
//! deduplication allows: the index must remember each call to merge a later line of it,
//! and 1 GB of transcripts holds ~115,000 calls.
//!
//! An entry is 40 bytes with its key: the time in milliseconds since 2020 (48 bits), the
//! session, the model and the five token counts as `u32` (one call's counts fit). The rare
//! `costUSD` lives in a map of its own. The entries sit in one vector sorted by key (no
//! hash-table slack: a hash map would take 60 to 120 bytes per call), with the calls added
//! since the last merge in a small map.

use std::collections::HashMap;

use crate::transcript::state::Tokens;
use crate::usage::index::{BucketKey, QUARTER_MS};

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
#[derive(Clone, Debug, Default)]
pub struct Calls {
    /// Sorted by key: exactly 40 bytes per call, found by binary search.
    sorted: Vec<(u64, Winner)>,
    /// Calls added since the last merge into `sorted`.
    pending: HashMap<u64, Winner>,
    costs: HashMap<u64, f64>,
}

/// Tables are equal when they hold the same calls, merged or pending.
impl PartialEq for Calls {
    fn eq(&self, o: &Calls) -> bool {
        self.len() == o.len() && self.iter().all(|(k, w, c)| o.get(k) == Some((w, c)))
    }
}

/// Pending calls merged into the sorted table at once.
const MERGE: usize = 4096;

impl Calls {
    pub fn new() -> Calls {
        Calls::default()
    }

    /// A table of `entries` (a decoded record); a repeated key keeps its last entry.
    pub fn from_entries(mut entries: Vec<(u64, Winner)>, costs: HashMap<u64, f64>) -> Calls {
        entries.reverse();
        entries.sort_by_key(|e| e.0);
        entries.dedup_by_key(|e| e.0);
        Calls {
            sorted: entries,
            pending: HashMap::new(),
            costs,
        }
    }

    pub fn get(&self, key: u64) -> Option<(Winner, Option<f64>)> {
        let w = match self.pending.get(&key) {
            Some(w) => *w,
            None => {
                let i = self.sorted.binary_search_by_key(&key, |e| e.0).ok()?;
                self.sorted[i].1
            }
        };
        Some((w, self.costs.get(&key).copied()))
    }

    pub fn insert(&mut self, key: u64, w: Winner, cost_usd: Option<f64>) {
        match self.sorted.binary_search_by_key(&key, |e| e.0) {
            Ok(i) => self.sorted[i].1 = w,
            Err(_) => {
                self.pending.insert(key, w);
                if self.pending.len() >= MERGE {
                    self.merge();
                }
            }
        }
        match cost_usd {
            Some(c) => {
                self.costs.insert(key, c);
            }
            None => {
                self.costs.remove(&key);
            }
        }
    }

    /// Moves the pending calls into the sorted table, merging from the back in place (the
    /// table grows by exactly their number; no second copy of it is made).
    fn merge(&mut self) {
        let mut new: Vec<(u64, Winner)> = self.pending.drain().collect();
        new.sort_unstable_by_key(|e| e.0);
        let old_len = self.sorted.len();
        self.sorted.reserve_exact(new.len());
        self.sorted.extend_from_slice(&new);
        let (mut i, mut j, mut k) = (old_len, new.len(), self.sorted.len());
        while j > 0 {
            if i > 0 && self.sorted[i - 1].0 > new[j - 1].0 {
                self.sorted[k - 1] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[k - 1] = new[j - 1];
                j -= 1;
            }
            k -= 1;
        }
        self.pending.shrink_to(MERGE);
    }

    pub fn len(&self) -> usize {
        self.sorted.len() + self.pending.len()
    }

    /// Every call: key, winner, cost.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Winner, Option<f64>)> + '_ {
        self.sorted
            .iter()
            .map(|(k, w)| (*k, *w))
            .chain(self.pending.iter().map(|(k, w)| (*k, *w)))
            .map(|(k, w)| (k, w, self.costs.get(&k).copied()))
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

    #[test]
    fn merged_and_pending_calls_are_all_found_and_replaced() {
        let t = Tokens::default();
        let mut calls = Calls::new();
        let keys: Vec<u64> = (0..3 * MERGE as u64 + 7)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        for (n, &k) in keys.iter().enumerate() {
            calls.insert(k, Winner::new(EPOCH_MS + n as i64, 0, 0, &t), None);
        }
        assert_eq!(calls.len(), keys.len());
        assert!(calls.sorted.windows(2).all(|w| w[0].0 < w[1].0));
        for (n, &k) in keys.iter().enumerate() {
            assert_eq!(calls.get(k).map(|(w, _)| w.ms()), Some(EPOCH_MS + n as i64));
        }
        calls.insert(keys[0], Winner::new(EPOCH_MS + 99_999, 0, 0, &t), Some(2.0));
        assert_eq!(
            calls.get(keys[0]).map(|(w, c)| (w.ms(), c)),
            Some((EPOCH_MS + 99_999, Some(2.0)))
        );
        assert_eq!(calls.len(), keys.len());
        let again = Calls::from_entries(
            calls.iter().map(|(k, w, _)| (k, w)).collect(),
            HashMap::from([(keys[0], 2.0)]),
        );
        assert_eq!(again.len(), keys.len());
        assert_eq!(again.get(keys[5]), calls.get(keys[5]));
    }
}
