//! Pack index files (`objects/pack/pack-*.idx`), versions 1 and 2.
//!
//! Both start with (v2: after `\377tOc` and the version) a fanout table: 256 big-endian
//! counts, entry `b` being how many ids start with a byte `<= b`. The ids are sorted, so a
//! lookup is a binary search inside one fanout bucket.
//! - v1: `fanout | N × (offset u32, id) | pack checksum | idx checksum`
//! - v2: `magic | version | fanout | N × id | N × crc32 | N × offset u32 | K × offset u64 |
//!   checksums`; an offset with its top bit set indexes the 64-bit table (packs > 2 GiB).
//!
//! The file's length is checked against N at open (so no lookup reads out of range) and
//! the fanout must be monotonic; ids out of order only make lookups miss, never panic.

use crate::git::RawOid;

const V2_MAGIC: &[u8; 4] = b"\xfftOc";
const FANOUT_LEN: usize = 256 * 4;
const TRAILER_LEN: usize = 40;

/// A pack index held in memory.
pub struct PackIndex {
    data: Vec<u8>,
    layout: Layout,
    count: usize,
}

#[derive(Clone, Copy)]
enum Layout {
    V1,
    V2 { large_offsets: usize },
}

impl PackIndex {
    /// Checks the layout of an index file's bytes.
    pub fn parse(data: Vec<u8>) -> Result<PackIndex, &'static str> {
        let v2 = data.starts_with(V2_MAGIC);
        if v2 && data.get(4..8) != Some(&[0, 0, 0, 2]) {
            return Err("git: pack index of an unknown version");
        }
        let fanout_at = if v2 { 8 } else { 0 };
        let fanout = data
            .get(fanout_at..fanout_at + FANOUT_LEN)
            .ok_or("git: pack index cut short")?;
        let mut previous = 0u32;
        for chunk in fanout.chunks_exact(4) {
            let n = be32(chunk);
            if n < previous {
                return Err("git: pack index fanout is not monotonic");
            }
            previous = n;
        }
        let count = previous as usize;
        let layout = if v2 {
            let fixed = 8 + FANOUT_LEN + count * 28 + TRAILER_LEN;
            let extra = data
                .len()
                .checked_sub(fixed)
                .filter(|extra| extra % 8 == 0)
                .ok_or("git: pack index size does not match its count")?;
            Layout::V2 {
                large_offsets: extra / 8,
            }
        } else {
            if data.len() != FANOUT_LEN + count * 24 + TRAILER_LEN {
                return Err("git: pack index size does not match its count");
            }
            Layout::V1
        };
        Ok(PackIndex {
            data,
            layout,
            count,
        })
    }

    /// How many objects the pack holds.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The pack offset of `oid`, `Ok(None)` when this pack does not hold it.
    pub fn lookup(&self, oid: &RawOid) -> Result<Option<u64>, &'static str> {
        let first = usize::from(oid.0[0]);
        let mut lo = if first == 0 {
            0
        } else {
            self.fanout(first - 1)
        };
        let mut hi = self.fanout(first);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.oid_bytes(mid).cmp(&oid.0[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.offset(mid).map(Some),
            }
        }
        Ok(None)
    }

    /// The id of the `i`-th object in id order; `None` past the end.
    pub fn oid_at(&self, i: usize) -> Option<RawOid> {
        if i >= self.count {
            return None;
        }
        let mut raw = [0u8; 20];
        raw.copy_from_slice(self.oid_bytes(i));
        Some(RawOid(raw))
    }

    /// The pack offset of the `i`-th object in id order.
    pub fn offset(&self, i: usize) -> Result<u64, &'static str> {
        if i >= self.count {
            return Err("git: pack index position out of range");
        }
        match self.layout {
            Layout::V1 => Ok(u64::from(be32(&self.data[FANOUT_LEN + i * 24..]))),
            Layout::V2 { large_offsets } => {
                let at = 8 + FANOUT_LEN + self.count * 24 + i * 4;
                let small = be32(&self.data[at..]);
                if small & 0x8000_0000 == 0 {
                    return Ok(u64::from(small));
                }
                let index = (small & 0x7fff_ffff) as usize;
                if index >= large_offsets {
                    return Err("git: pack index large offset out of range");
                }
                let at = 8 + FANOUT_LEN + self.count * 28 + index * 8;
                Ok(u64::from(be32(&self.data[at..])) << 32 | u64::from(be32(&self.data[at + 4..])))
            }
        }
    }

    /// The pack checksum the index was written for.
    pub fn pack_checksum(&self) -> &[u8] {
        let end = self.data.len() - 20;
        &self.data[end - 20..end]
    }

    fn fanout(&self, byte: usize) -> usize {
        let at = match self.layout {
            Layout::V1 => 0,
            Layout::V2 { .. } => 8,
        } + byte * 4;
        be32(&self.data[at..]) as usize
    }

    fn oid_bytes(&self, i: usize) -> &[u8] {
        let at = match self.layout {
            Layout::V1 => FANOUT_LEN + i * 24 + 4,
            Layout::V2 { .. } => 8 + FANOUT_LEN + i * 20,
        };
        &self.data[at..at + 20]
    }
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v2 index of `ids` (sorted) at `offsets`, the last ones through the 64-bit table.
    fn v2(ids: &[[u8; 20]], offsets: &[u64]) -> Vec<u8> {
        let mut d = V2_MAGIC.to_vec();
        d.extend_from_slice(&2u32.to_be_bytes());
        for b in 0..256usize {
            let n = ids.iter().filter(|id| usize::from(id[0]) <= b).count() as u32;
            d.extend_from_slice(&n.to_be_bytes());
        }
        ids.iter().for_each(|id| d.extend_from_slice(id));
        ids.iter().for_each(|_| d.extend_from_slice(&[0; 4]));
        let mut large = Vec::new();
        for &off in offsets {
            let small = if off >> 31 == 0 {
                off as u32
            } else {
                large.push(off);
                0x8000_0000 | (large.len() as u32 - 1)
            };
            d.extend_from_slice(&small.to_be_bytes());
        }
        large
            .iter()
            .for_each(|o| d.extend_from_slice(&o.to_be_bytes()));
        d.extend_from_slice(&[0; 40]);
        d
    }

    #[test]
    fn lookups_find_small_and_large_offsets() {
        let ids = [[1u8; 20], [5u8; 20], [200u8; 20]];
        let idx = PackIndex::parse(v2(&ids, &[12, 5 << 32, 99])).unwrap();
        assert_eq!(idx.count(), 3);
        assert_eq!(idx.lookup(&RawOid([1; 20])), Ok(Some(12)));
        assert_eq!(idx.lookup(&RawOid([5; 20])), Ok(Some(5 << 32)));
        assert_eq!(idx.lookup(&RawOid([200; 20])), Ok(Some(99)));
        assert_eq!(idx.lookup(&RawOid([4; 20])), Ok(None));
        assert_eq!(idx.oid_at(2), Some(RawOid([200; 20])));
        assert_eq!(idx.oid_at(3), None);
        assert!(idx.offset(3).is_err());
    }

    #[test]
    fn a_fanout_that_goes_down_is_refused() {
        let mut d = v2(&[[1u8; 20], [5u8; 20]], &[12, 40]);
        d[8 + 3 * 4 + 3] = 9; // fanout[3] = 9 > fanout[4] = 1
        assert_eq!(
            PackIndex::parse(d).err(),
            Some("git: pack index fanout is not monotonic")
        );
    }

    #[test]
    fn sizes_that_do_not_match_the_count_are_refused() {
        let d = v2(&[[1u8; 20]], &[12]);
        assert!(PackIndex::parse(d[..d.len() - 1].to_vec()).is_err());
        assert!(PackIndex::parse(d[..500].to_vec()).is_err());
        let mut bad_version = d.clone();
        bad_version[7] = 3;
        assert!(PackIndex::parse(bad_version).is_err());
    }

    #[test]
    fn a_large_offset_index_past_the_table_is_an_error() {
        let mut d = v2(&[[1u8; 20]], &[5 << 32]);
        let at = 8 + FANOUT_LEN + 24;
        d[at + 3] = 7; // entry 7 of a one-entry table
        let idx = PackIndex::parse(d).unwrap();
        assert!(idx.lookup(&RawOid([1; 20])).is_err());
    }
}
