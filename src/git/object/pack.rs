//! Pack files (`objects/pack/pack-*.pack`): the header, entry headers, and inflating one
//! entry's data. Resolving delta chains is `resolve.rs`.
//!
//! A pack is `PACK | version (2 or 3) | N | N entries | checksum`. An entry starts with
//! its type (3 bits) and inflated size (base-128, low bits first), then for `OFS_DELTA` the
//! distance back to its base (git's offset varint, +1 per continuation byte) or for
//! `REF_DELTA` the base's id, then the zlib stream.
//!
//! The pack is read with `pread`, not mapped (no `unsafe` outside the engine): an entry
//! costs one small read for the header and one or two for the stream.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::git::object::inflate::{InflateError, Inflater, Source};
use crate::git::object::pack_index::PackIndex;
use crate::git::object::{MAX_OBJECT_SIZE, ObjectKind, open_regular};
use crate::git::{GitError, RawOid};

/// The longest entry header: 10 size bytes and a 20-byte base id.
const MAX_HEADER_LEN: usize = 32;
const PACK_HEADER_LEN: u64 = 12;

/// What an entry header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryHeader {
    /// A whole object of `size` bytes.
    Base { kind: ObjectKind, size: u64 },
    /// A delta of `size` bytes against the entry at pack offset `base`.
    OfsDelta { base: u64, size: u64 },
    /// A delta of `size` bytes against the object `base`.
    RefDelta { base: RawOid, size: u64 },
}

impl EntryHeader {
    /// The inflated size of the entry's data.
    pub fn size(&self) -> u64 {
        match *self {
            EntryHeader::Base { size, .. }
            | EntryHeader::OfsDelta { size, .. }
            | EntryHeader::RefDelta { size, .. } => size,
        }
    }
}

/// Parses the entry header at pack offset `offset` from `bytes` (the file from there on);
/// returns it and its length. Sizes past [`MAX_OBJECT_SIZE`] and bases outside the pack
/// are refused.
pub fn parse_entry_header(bytes: &[u8], offset: u64) -> Result<(EntryHeader, usize), &'static str> {
    let first = *bytes.first().ok_or("git: pack entry cut short")?;
    let mut size = u64::from(first & 0x0f);
    let mut at = 1;
    let mut byte = first;
    while byte & 0x80 != 0 {
        byte = *bytes.get(at).ok_or("git: pack entry cut short")?;
        let shift = 4 + 7 * (at as u32 - 1);
        if shift > 57 {
            return Err("git: pack entry size too large");
        }
        size |= u64::from(byte & 0x7f) << shift;
        at += 1;
    }
    if size > MAX_OBJECT_SIZE {
        return Err("git: object larger than the limit");
    }
    let header = match (first >> 4) & 7 {
        1 => EntryHeader::Base {
            kind: ObjectKind::Commit,
            size,
        },
        2 => EntryHeader::Base {
            kind: ObjectKind::Tree,
            size,
        },
        3 => EntryHeader::Base {
            kind: ObjectKind::Blob,
            size,
        },
        4 => EntryHeader::Base {
            kind: ObjectKind::Tag,
            size,
        },
        6 => {
            let (distance, used) = ofs_distance(&bytes[at..])?;
            at += used;
            let base = offset
                .checked_sub(distance)
                .filter(|&b| b >= PACK_HEADER_LEN && distance > 0)
                .ok_or("git: delta base offset out of range")?;
            EntryHeader::OfsDelta { base, size }
        }
        7 => {
            let id = bytes.get(at..at + 20).ok_or("git: pack entry cut short")?;
            at += 20;
            let mut raw = [0u8; 20];
            raw.copy_from_slice(id);
            EntryHeader::RefDelta {
                base: RawOid(raw),
                size,
            }
        }
        _ => return Err("git: pack entry of unknown type"),
    };
    Ok((header, at))
}

/// git's offset encoding: big-endian base-128 where each continuation adds one.
fn ofs_distance(bytes: &[u8]) -> Result<(u64, usize), &'static str> {
    let mut byte = *bytes.first().ok_or("git: pack entry cut short")?;
    let mut value = u64::from(byte & 0x7f);
    let mut at = 1;
    while byte & 0x80 != 0 {
        byte = *bytes.get(at).ok_or("git: pack entry cut short")?;
        if value >> 56 != 0 {
            return Err("git: delta base offset out of range");
        }
        value = ((value + 1) << 7) | u64::from(byte & 0x7f);
        at += 1;
    }
    Ok((value, at))
}

/// One pack: its index in memory and the pack file open for `pread`.
pub struct Pack {
    pub(crate) index: PackIndex,
    file: File,
    path: PathBuf,
    /// Where entries end (the trailing checksum starts).
    data_end: u64,
}

impl Pack {
    /// Opens `pack-X.pack` for the index already read from `pack-X.idx`.
    pub fn open(path: PathBuf, index: PackIndex) -> Result<Pack, GitError> {
        let io = |source| GitError::Io {
            path: path.clone(),
            source,
        };
        let Some((file, len)) = open_regular(&path)? else {
            return Err(GitError::Corrupt {
                path,
                what: "git: pack file missing",
            });
        };
        let mut header = [0u8; 12];
        crate::sys::fs::read_exact_at(&file, &mut header, 0).map_err(io)?;
        let count = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
        let problem =
            if &header[..4] != b"PACK" || !matches!(header[7], 2 | 3) || header[4..7] != [0; 3] {
                Some("git: not a pack file")
            } else if count as usize != index.count() {
                Some("git: pack and index disagree on the object count")
            } else if len < PACK_HEADER_LEN + 20 {
                Some("git: pack file cut short")
            } else {
                None
            };
        if let Some(what) = problem {
            return Err(GitError::Corrupt { path, what });
        }
        Ok(Pack {
            index,
            file,
            data_end: len - 20,
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The entry header at `offset` and where its zlib stream starts.
    pub fn entry_header(&self, offset: u64) -> Result<(EntryHeader, u64), GitError> {
        if offset < PACK_HEADER_LEN || offset >= self.data_end {
            return Err(self.corrupt("git: pack offset out of range"));
        }
        let mut buf = [0u8; MAX_HEADER_LEN];
        let available = (self.data_end - offset).min(MAX_HEADER_LEN as u64) as usize;
        crate::sys::fs::read_exact_at(&self.file, &mut buf[..available], offset)
            .map_err(|e| self.io(e))?;
        let (header, len) =
            parse_entry_header(&buf[..available], offset).map_err(|what| self.corrupt(what))?;
        Ok((header, offset + len as u64))
    }

    /// Inflates `size` bytes of entry data starting at `data_offset` into `out`.
    pub fn inflate(&self, data_offset: u64, size: u64, out: &mut Vec<u8>) -> Result<(), GitError> {
        let size = size as usize; // bounded by MAX_OBJECT_SIZE in the header parser
        out.clear();
        out.resize(size, 0);
        let source = Source::File {
            file: &self.file,
            offset: data_offset,
            end: self.data_end,
        };
        Inflater::new(source, size)
            .exact(out, 0)
            .map_err(|e| match e {
                InflateError::Io(kind) => self.io(kind.into()),
                InflateError::Corrupt(what) => self.corrupt(what),
            })
    }

    pub(crate) fn corrupt(&self, what: &'static str) -> GitError {
        GitError::Corrupt {
            path: self.path.clone(),
            what,
        }
    }

    fn io(&self, source: std::io::Error) -> GitError {
        GitError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_entry_headers_give_kind_and_size() {
        // type 3 (blob), size 0x5 | 0x12 << 4
        let (h, len) = parse_entry_header(&[0xb5, 0x12, 0x78], 12).unwrap();
        assert_eq!(
            h,
            EntryHeader::Base {
                kind: ObjectKind::Blob,
                size: 5 | 0x12 << 4
            }
        );
        assert_eq!(len, 2);
    }

    #[test]
    fn ofs_delta_distances_use_gits_offset_encoding() {
        // 0x81 0x00 = ((1 + 1) << 7) | 0 = 256
        let (h, len) = parse_entry_header(&[0x60 | 3, 0x81, 0x00], 1000).unwrap();
        assert_eq!(h, EntryHeader::OfsDelta { base: 744, size: 3 });
        assert_eq!(len, 3);
        assert!(parse_entry_header(&[0x63, 0x81, 0x00], 200).is_err());
        assert!(parse_entry_header(&[0x63, 0x00], 200).is_err());
    }

    #[test]
    fn bad_entry_headers_are_refused() {
        assert!(parse_entry_header(&[], 12).is_err());
        assert!(parse_entry_header(&[0x05], 12).is_err()); // type 0
        assert!(parse_entry_header(&[0x55], 12).is_err()); // type 5
        assert!(parse_entry_header(&[0xb5, 0x80], 12).is_err()); // cut short
        assert!(parse_entry_header(&[0xff; 12], 12).is_err()); // size too large
        assert!(parse_entry_header(&[0x73, 1, 2], 12).is_err()); // REF_DELTA cut short
    }
}
