//! Turning a pack entry into its object: follow the delta chain down to a base (a whole
//! entry, a cached object, or a loose object named by a `REF_DELTA`), then apply the deltas
//! back up. A loop over an explicit chain, not recursion, so a 4095-deep chain costs a
//! vector of offsets and no stack; chains past [`MAX_DELTA_DEPTH`] (or a `REF_DELTA` cycle)
//! are an error. Each delta is inflated only when it is applied, so memory stays at two
//! objects and one delta whatever the depth.

use crate::git::GitError;
use crate::git::object::delta::apply_delta;
use crate::git::object::loose::read_loose;
use crate::git::object::pack::EntryHeader;
use crate::git::object::store::ObjectStore;
use crate::git::object::{MAX_DELTA_DEPTH, ObjectKind};

/// One delta of a chain: where its entry is and where its data starts.
struct Link {
    pack: usize,
    offset: u64,
    data_offset: u64,
    size: u64,
}

impl ObjectStore {
    /// Reads the object whose entry is at `offset` in pack `pack`.
    pub(crate) fn read_packed(
        &self,
        pack: usize,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Result<ObjectKind, GitError> {
        let mut chain = Vec::new();
        let kind = self.find_base(pack, offset, &mut chain, out)?;
        let mut delta = Vec::new();
        let mut result = Vec::new();
        for (i, link) in chain.iter().enumerate().rev() {
            let pack = &self.packs[link.pack];
            pack.inflate(link.data_offset, link.size, &mut delta)?;
            apply_delta(out, &delta, &mut result).map_err(|what| pack.corrupt(what))?;
            std::mem::swap(out, &mut result);
            if i > 0 {
                self.remember(link.pack, link.offset, kind, out);
            }
        }
        Ok(kind)
    }

    /// Walks down from (`pack`, `offset`) collecting deltas into `chain` until a base is
    /// found, which is left in `out`; returns the base's kind.
    fn find_base(
        &self,
        mut pack: usize,
        mut offset: u64,
        chain: &mut Vec<Link>,
        out: &mut Vec<u8>,
    ) -> Result<ObjectKind, GitError> {
        loop {
            if chain.len() > MAX_DELTA_DEPTH {
                return Err(self.packs[pack].corrupt("git: delta chain too long"));
            }
            if let Some(kind) = self.cached(pack, offset, out) {
                return Ok(kind);
            }
            let (header, data_offset) = self.packs[pack].entry_header(offset)?;
            let size = header.size();
            match header {
                EntryHeader::Base { kind, size } => {
                    self.packs[pack].inflate(data_offset, size, out)?;
                    if !chain.is_empty() {
                        self.remember(pack, offset, kind, out);
                    }
                    return Ok(kind);
                }
                EntryHeader::OfsDelta { base, .. } => {
                    chain.push(Link {
                        pack,
                        offset,
                        data_offset,
                        size,
                    });
                    offset = base;
                }
                EntryHeader::RefDelta { base, .. } => {
                    chain.push(Link {
                        pack,
                        offset,
                        data_offset,
                        size,
                    });
                    match self.locate(&base)? {
                        Some((base_pack, base_offset)) => (pack, offset) = (base_pack, base_offset),
                        None => return self.loose_base(pack, &base, out),
                    }
                }
            }
        }
    }

    /// The base of a `REF_DELTA` that no pack holds: it must be a loose object.
    fn loose_base(
        &self,
        pack: usize,
        base: &crate::git::RawOid,
        out: &mut Vec<u8>,
    ) -> Result<ObjectKind, GitError> {
        let mut file = Vec::new();
        for dir in &self.objects_dirs {
            if let Some(kind) = read_loose(dir, base, &mut file, out)? {
                return Ok(kind);
            }
        }
        Err(self.packs[pack].corrupt("git: delta base missing"))
    }

    fn cached(&self, pack: usize, offset: u64, out: &mut Vec<u8>) -> Option<ObjectKind> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(pack, offset, out)
    }

    fn remember(&self, pack: usize, offset: u64, kind: ObjectKind, data: &[u8]) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.put(pack, offset, kind, data);
    }
}
