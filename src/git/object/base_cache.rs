//! A small cache of recently inflated delta bases, keyed by (pack, offset).
//!
//! Deltified trees and commits share bases: reading a directory's tree at two commits, or
//! sibling trees chained against each other, inflates the same base again without it.
//! Bounded by entries and bytes; the least recently used entry goes first. A linear scan
//! over at most [`MAX_ENTRIES`] keys costs less than one inflate.

use crate::git::object::ObjectKind;

/// At most this many bases are kept.
pub const MAX_ENTRIES: usize = 64;

struct Entry {
    pack: usize,
    offset: u64,
    kind: ObjectKind,
    data: Vec<u8>,
    used: u64,
}

/// Recently inflated objects of the packs.
pub struct BaseCache {
    entries: Vec<Entry>,
    bytes: usize,
    max_bytes: usize,
    clock: u64,
}

impl BaseCache {
    /// A cache holding at most `max_bytes` of object data (0 disables it).
    pub fn new(max_bytes: usize) -> BaseCache {
        BaseCache {
            entries: Vec::new(),
            bytes: 0,
            max_bytes,
            clock: 0,
        }
    }

    /// Copies the cached object at (`pack`, `offset`) into `out`.
    pub fn get(&mut self, pack: usize, offset: u64, out: &mut Vec<u8>) -> Option<ObjectKind> {
        self.clock += 1;
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.pack == pack && e.offset == offset)?;
        entry.used = self.clock;
        out.clear();
        out.extend_from_slice(&entry.data);
        Some(entry.kind)
    }

    /// Keeps a copy of `data`, evicting the least recently used entries to make room.
    pub fn put(&mut self, pack: usize, offset: u64, kind: ObjectKind, data: &[u8]) {
        if data.len() > self.max_bytes / 4
            || self
                .entries
                .iter()
                .any(|e| e.pack == pack && e.offset == offset)
        {
            return;
        }
        while self.entries.len() >= MAX_ENTRIES || self.bytes + data.len() > self.max_bytes {
            let Some(oldest) = (0..self.entries.len()).min_by_key(|&i| self.entries[i].used) else {
                break;
            };
            self.bytes -= self.entries.swap_remove(oldest).data.len();
        }
        self.clock += 1;
        self.bytes += data.len();
        self.entries.push(Entry {
            pack,
            offset,
            kind,
            data: data.to_vec(),
            used: self.clock,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_base_is_evicted_first() {
        let mut cache = BaseCache::new(400);
        cache.put(0, 10, ObjectKind::Tree, &[1; 100]);
        cache.put(0, 20, ObjectKind::Tree, &[2; 100]);
        cache.put(0, 30, ObjectKind::Tree, &[3; 100]);
        let mut out = Vec::new();
        assert_eq!(cache.get(0, 10, &mut out), Some(ObjectKind::Tree));
        cache.put(1, 40, ObjectKind::Blob, &[4; 100]);
        cache.put(1, 50, ObjectKind::Blob, &[5; 100]);
        assert!(cache.get(0, 20, &mut out).is_none());
        assert!(cache.get(0, 10, &mut out).is_some());
        assert_eq!(out, [1; 100]);
        assert!(cache.bytes <= 400);
    }

    #[test]
    fn a_zero_sized_cache_keeps_nothing() {
        let mut cache = BaseCache::new(0);
        cache.put(0, 10, ObjectKind::Tree, &[1; 10]);
        assert!(cache.get(0, 10, &mut Vec::new()).is_none());
    }
}
