//! Reader of `.git/index` (the "dircache"), versions 2, 3 and 4.
//!
//! Layout: a 12-byte header (`DIRC`, version, entry count), the entries sorted by path
//! and stage, extensions (4-byte signature, 4-byte size, data), and a trailing SHA-1 of
//! everything before it. An entry holds ten 32-bit stat fields (ctime s/ns, mtime s/ns,
//! dev, ino, mode, uid, gid, size), the blob id and 16 bits of flags (assume-valid,
//! extended, stage, name length); version 3 adds 16 extended flags (skip-worktree,
//! intent-to-add) when the extended bit is set; versions 2 and 3 pad each entry with NULs
//! to a multiple of 8 bytes, version 4 pads nothing and stores each path as "drop N bytes
//! from the end of the previous path, then append this NUL-terminated suffix".
//!
//! Extensions: `TREE` (the cache-tree, `cache_tree.rs`) is parsed; other optional ones
//! (uppercase first letter: `REUC`, `UNTR`, `FSMN`, `EOIE`, `IEOT`) are skipped as git
//! allows; the split index (`link`), the sparse index (`sdir`) and any other required
//! (lowercase) extension make the index [`Unsupported`]: reading on would miscount.
//!
//! Like git (which only checks it in `fsck`), the trailing checksum is not verified: it
//! would cost a SHA-1 over the whole file on every status. Every length is checked
//! instead, so damaged bytes give [`ParseError::Corrupt`], never a panic or a huge
//! allocation.
//!
//! Read next: `cache_tree.rs`, then `worktree.rs`.

use std::ops::Range;
use std::path::Path;

use super::Unsupported;
use super::cache_tree::CacheTree;
use crate::git::RawOid;

/// Flag bits of an entry (first 16-bit word).
const ASSUME_VALID: u16 = 0x8000;
const EXTENDED: u16 = 0x4000;
const NAME_MASK: u16 = 0x0fff;
/// Extended flag bits (version 3 and later).
const SKIP_WORKTREE: u16 = 0x4000;
const INTENT_TO_ADD: u16 = 0x2000;
const KNOWN_EXTENDED: u16 = SKIP_WORKTREE | INTENT_TO_ADD;

/// Bytes of an entry before its path (version 2, or 3 without extended flags).
const ENTRY_FIXED: usize = 62;
/// A trailing SHA-1.
const HASH_LEN: usize = 20;
/// Largest index read (a repository of millions of files has an index of a few hundred
/// MiB); larger files are refused as damage.
pub const MAX_INDEX_BYTES: u64 = 1 << 30;

/// One index entry. Times and sizes are git's truncated 32-bit values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub ctime: (u32, u32),
    pub mtime: (u32, u32),
    pub dev: u32,
    pub ino: u32,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u32,
    pub oid: RawOid,
    pub flags: u16,
    pub extended: u16,
    name: (u32, u32),
}

impl Entry {
    /// Merge stage: 0 for a normal entry, 1–3 for the sides of a conflict.
    pub fn stage(&self) -> u8 {
        ((self.flags >> 12) & 3) as u8
    }
    pub fn assume_valid(&self) -> bool {
        self.flags & ASSUME_VALID != 0
    }
    pub fn skip_worktree(&self) -> bool {
        self.extended & SKIP_WORKTREE != 0
    }
    pub fn intent_to_add(&self) -> bool {
        self.extended & INTENT_TO_ADD != 0
    }

    /// Everything but the path's place in its index is the same: stat data, mode, blob
    /// and flags (for entries of two indexes with the same path).
    pub fn same_data(&self, other: &Entry) -> bool {
        Entry {
            name: other.name,
            ..*self
        } == *other
    }
}

/// A parsed index: entries in index order (path bytes, then stage) and their paths.
#[derive(Debug, Default)]
pub struct Index {
    pub version: u32,
    pub entries: Vec<Entry>,
    names: Vec<u8>,
    pub cache_tree: Option<CacheTree>,
}

impl Index {
    /// The path of `entry` (relative to the working tree, `/`-separated).
    pub fn path(&self, entry: &Entry) -> &[u8] {
        let (start, len) = (entry.name.0 as usize, entry.name.1 as usize);
        self.names.get(start..start + len).unwrap_or(&[])
    }

    /// The range of entries whose path starts with `prefix` (which ends with `/`, or is
    /// empty for all). Paths are sorted, so they are contiguous.
    pub fn range_under(&self, prefix: &[u8]) -> Range<usize> {
        let lo = self.entries.partition_point(|e| self.path(e) < prefix);
        let hi = lo + self.entries[lo..].partition_point(|e| self.path(e).starts_with(prefix));
        lo..hi
    }
}

/// Why bytes could not be read as an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    Corrupt(&'static str),
    Unsupported(Unsupported),
}

type Parsed<T> = Result<T, ParseError>;

fn corrupt<T>(what: &'static str) -> Parsed<T> {
    Err(ParseError::Corrupt(what))
}

/// A bounds-checked reader over the index bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Parsed<&'a [u8]> {
        match self.bytes.get(self.pos..self.pos.saturating_add(n)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => corrupt("git index: truncated"),
        }
    }
    fn u32(&mut self) -> Parsed<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u16(&mut self) -> Parsed<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn oid(&mut self) -> Parsed<RawOid> {
        let mut raw = [0u8; 20];
        raw.copy_from_slice(self.take(20)?);
        Ok(RawOid(raw))
    }
}

/// Parses index bytes (the whole file, checksum included).
pub fn parse(bytes: &[u8]) -> Parsed<Index> {
    if bytes.len() < 12 + HASH_LEN {
        return corrupt("git index: shorter than its header");
    }
    let body = &bytes[..bytes.len() - HASH_LEN];
    let mut cur = Cursor {
        bytes: body,
        pos: 0,
    };
    if cur.take(4)? != b"DIRC" {
        return corrupt("git index: bad signature");
    }
    let version = cur.u32()?;
    if !(2..=4).contains(&version) {
        return Err(ParseError::Unsupported(Unsupported::IndexVersion(version)));
    }
    let count = cur.u32()? as usize;
    // Every entry takes at least 63 bytes (v2/v3) or 64 (v4: varint + NUL): a count that
    // cannot fit is damage, refused before allocating for it.
    if count > body.len() / ENTRY_FIXED {
        return corrupt("git index: more entries than the file can hold");
    }
    let mut index = Index {
        version,
        entries: Vec::with_capacity(count),
        names: Vec::with_capacity(body.len().min(count.saturating_mul(32))),
        cache_tree: None,
    };
    for _ in 0..count {
        read_entry(&mut cur, &mut index)?;
    }
    read_extensions(&mut cur, &mut index)?;
    Ok(index)
}

fn read_entry(cur: &mut Cursor<'_>, index: &mut Index) -> Parsed<()> {
    let start = cur.pos;
    let mut stat = [0u32; 10];
    for field in &mut stat {
        *field = cur.u32()?;
    }
    let oid = cur.oid()?;
    let flags = cur.u16()?;
    let extended = if flags & EXTENDED != 0 {
        if index.version < 3 {
            return corrupt("git index: extended flags in a version 2 index");
        }
        let extended = cur.u16()?;
        if extended & !KNOWN_EXTENDED != 0 {
            return corrupt("git index: unknown extended entry flags");
        }
        extended
    } else {
        0
    };
    let name_start = index.names.len();
    if index.version == 4 {
        read_v4_name(cur, index)?;
    } else {
        read_padded_name(cur, index, start, flags)?;
    }
    let name_len = index.names.len() - name_start;
    if name_len == 0 {
        return corrupt("git index: entry with an empty path");
    }
    let previous = index.entries.last().map(|e| index.path(e));
    let name = &index.names[name_start..];
    let stage = (flags >> 12) & 3;
    if let Some(prev) = previous {
        let prev_stage = index.entries.last().map_or(0, |e| e.stage());
        if (prev, prev_stage) >= (name, stage as u8) {
            return corrupt("git index: entries out of order");
        }
    }
    let (Ok(name_start), Ok(name_len)) = (u32::try_from(name_start), u32::try_from(name_len))
    else {
        return corrupt("git index: paths too long");
    };
    index.entries.push(Entry {
        ctime: (stat[0], stat[1]),
        mtime: (stat[2], stat[3]),
        dev: stat[4],
        ino: stat[5],
        mode: stat[6],
        uid: stat[7],
        gid: stat[8],
        size: stat[9],
        oid,
        flags,
        extended,
        name: (name_start, name_len),
    });
    Ok(())
}

/// Versions 2 and 3: the path, then 1–8 NULs up to a multiple of 8 from the entry start.
fn read_padded_name(
    cur: &mut Cursor<'_>,
    index: &mut Index,
    start: usize,
    flags: u16,
) -> Parsed<()> {
    let rest = &cur.bytes[cur.pos..];
    let len = match flags & NAME_MASK {
        // 0xfff means "this long or longer": the path ends at its NUL.
        NAME_MASK => {
            memchr::memchr(0, rest).ok_or(ParseError::Corrupt("git index: unterminated path"))?
        }
        n => usize::from(n),
    };
    let name = cur.take(len)?;
    if memchr::memchr(0, name).is_some() {
        return corrupt("git index: NUL inside a path");
    }
    index.names.extend_from_slice(name);
    let entry_len = (cur.pos - start + 8) & !7;
    let padding = cur.take(start + entry_len - cur.pos)?;
    if padding.iter().any(|&b| b != 0) {
        return corrupt("git index: bad entry padding");
    }
    Ok(())
}

/// Version 4: a varint count of bytes to drop from the previous path, then a
/// NUL-terminated suffix.
fn read_v4_name(cur: &mut Cursor<'_>, index: &mut Index) -> Parsed<()> {
    let drop = read_varint(cur)?;
    let previous = index
        .entries
        .last()
        .map_or(0..0, |e| e.name.0 as usize..(e.name.0 + e.name.1) as usize);
    let Some(keep) = previous.len().checked_sub(drop) else {
        return corrupt("git index: v4 path drops more than the previous path");
    };
    let rest = &cur.bytes[cur.pos..];
    let suffix_len =
        memchr::memchr(0, rest).ok_or(ParseError::Corrupt("git index: unterminated path"))?;
    let suffix = cur.take(suffix_len + 1)?;
    index
        .names
        .extend_from_within(previous.start..previous.start + keep);
    index.names.extend_from_slice(&suffix[..suffix_len]);
    Ok(())
}

/// git's offset varint (`decode_varint`): 7 bits a byte, high bit = more, +1 per
/// continuation.
fn read_varint(cur: &mut Cursor<'_>) -> Parsed<usize> {
    let mut byte = cur.take(1)?[0];
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        value += 1;
        if value > (u64::MAX >> 8) {
            return corrupt("git index: varint overflow");
        }
        byte = cur.take(1)?[0];
        value = (value << 7) | u64::from(byte & 0x7f);
    }
    usize::try_from(value).or(corrupt("git index: varint overflow"))
}

fn read_extensions(cur: &mut Cursor<'_>, index: &mut Index) -> Parsed<()> {
    while cur.pos < cur.bytes.len() {
        let mut signature = [0u8; 4];
        signature.copy_from_slice(cur.take(4)?);
        let size = cur.u32()? as usize;
        let data = cur.take(size)?;
        match &signature {
            b"TREE" => index.cache_tree = Some(CacheTree::parse(data)?),
            b"link" => return Err(ParseError::Unsupported(Unsupported::SplitIndex)),
            b"sdir" => return Err(ParseError::Unsupported(Unsupported::SparseIndex)),
            [first, ..] if first.is_ascii_uppercase() => {}
            _ => {
                return Err(ParseError::Unsupported(Unsupported::RequiredExtension(
                    signature,
                )));
            }
        }
    }
    Ok(())
}

/// Reads and parses the index file at `path`. A missing index is an empty index (a fresh
/// repository). Also returns the file's mtime (seconds, nanoseconds): entries modified at
/// or after it are "racily clean" and must be checked by content.
pub fn read(path: &Path) -> Result<(Index, (i64, i64)), super::StatusError> {
    use std::io::Read;
    let io = |source| {
        super::StatusError::Git(crate::git::GitError::Io {
            path: path.to_owned(),
            source,
        })
    };
    let damaged = |what| {
        super::StatusError::Git(crate::git::GitError::Corrupt {
            path: path.to_owned(),
            what,
        })
    };
    let mut file =
        match crate::sys::fs::open_flags(std::fs::OpenOptions::new().read(true), false, true)
            .open(path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Index::default(), (0, 0)));
            }
            Err(e) => return Err(io(e)),
        };
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() || meta.len() > MAX_INDEX_BYTES {
        return Err(damaged("git index: not a regular file, or too large"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.by_ref()
        .take(MAX_INDEX_BYTES)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    match parse(&bytes) {
        Ok(index) => {
            let st = crate::sys::fs::stat_of(&meta);
            Ok((index, (st.mtime, st.mtime_nsec)))
        }
        Err(ParseError::Corrupt(what)) => Err(damaged(what)),
        Err(ParseError::Unsupported(why)) => Err(super::StatusError::Unsupported(why)),
    }
}

// The repositories here are made with git and hold symlinks (Unix only).
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::git::test_repo::{TempRepo, git, with_commit};

    /// A repository whose index has nested paths, an executable and a symlink.
    fn repo(tag: &str) -> TempRepo {
        let repo = with_commit(tag);
        for (rel, text) in [("d/e/f.txt", "f\n"), ("d/g.txt", "g\n"), ("z", "z\n")] {
            let path = repo.root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::os::unix::fs::symlink("z", repo.root.join("link")).unwrap();
        git(&repo.root, &["add", "."]);
        git(&repo.root, &["update-index", "--chmod=+x", "z"]);
        git(&repo.root, &["commit", "-qm", "two"]);
        repo
    }

    /// `git ls-files -s`: (mode, oid, stage, path) per entry.
    fn ls_files(root: &Path) -> Vec<(u32, String, u8, Vec<u8>)> {
        let out = std::process::Command::new("git")
            .args(["ls-files", "-s", "-z"])
            .current_dir(root)
            .output()
            .unwrap();
        out.stdout
            .split(|&b| b == 0)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let tab = line.iter().position(|&b| b == b'\t').unwrap();
                let meta = std::str::from_utf8(&line[..tab]).unwrap();
                let mut parts = meta.split(' ');
                let mode = u32::from_str_radix(parts.next().unwrap(), 8).unwrap();
                let oid = parts.next().unwrap().to_owned();
                let stage = parts.next().unwrap().parse().unwrap();
                (mode, oid, stage, line[tab + 1..].to_vec())
            })
            .collect()
    }

    fn ours(index: &Index) -> Vec<(u32, String, u8, Vec<u8>)> {
        index
            .entries
            .iter()
            .map(|e| {
                let oid = e.oid.to_hex().as_str().to_owned();
                (e.mode, oid, e.stage(), index.path(e).to_vec())
            })
            .collect()
    }

    #[test]
    fn versions_2_3_and_4_read_as_git_lists_them() {
        let repo = repo("index-versions");
        let read = || parse(&std::fs::read(repo.root.join(".git/index")).unwrap()).unwrap();
        let v2 = read();
        assert_eq!(v2.version, 2);
        assert_eq!(ours(&v2), ls_files(&repo.root));
        std::fs::write(repo.root.join("ita.txt"), "later\n").unwrap();
        // An intent-to-add entry needs extended flags: git writes version 3.
        git(&repo.root, &["add", "-N", "ita.txt"]);
        for version in [3, 4] {
            git(
                &repo.root,
                &["update-index", "--index-version", &version.to_string()],
            );
            let index = read();
            assert_eq!(index.version, version);
            assert_eq!(ours(&index), ls_files(&repo.root), "version {version}");
            let ita: Vec<_> = index.entries.iter().filter(|e| e.intent_to_add()).collect();
            assert_eq!(ita.len(), 1);
            assert_eq!(index.path(ita[0]), b"ita.txt");
        }
    }

    #[test]
    fn stat_fields_and_flags_are_read() {
        use std::os::unix::fs::MetadataExt;
        let repo = repo("index-fields");
        git(&repo.root, &["update-index", "--skip-worktree", "d/g.txt"]);
        git(&repo.root, &["update-index", "--assume-unchanged", "z"]);
        let index = parse(&std::fs::read(repo.root.join(".git/index")).unwrap()).unwrap();
        let find = |p: &[u8]| *index.entries.iter().find(|e| index.path(e) == p).unwrap();
        let meta = std::fs::symlink_metadata(repo.root.join("d/e/f.txt")).unwrap();
        let f = find(b"d/e/f.txt");
        assert_eq!((f.size, f.ino, f.uid), (2, meta.ino() as u32, meta.uid()));
        assert_eq!(f.mtime, (meta.mtime() as u32, meta.mtime_nsec() as u32));
        assert!(find(b"d/g.txt").skip_worktree() && !find(b"d/g.txt").assume_valid());
        assert!(find(b"z").assume_valid());
        assert_eq!(find(b"z").mode, 0o100755);
        assert_eq!(find(b"link").mode, 0o120000);
        assert_eq!(index.range_under(b"d/"), 1..3);
        assert!(index.cache_tree.is_some());
    }

    /// The index with an extension appended before a (not verified) checksum.
    fn with_extension(bytes: &[u8], signature: &[u8; 4]) -> Vec<u8> {
        let mut out = bytes[..bytes.len() - HASH_LEN].to_vec();
        out.extend_from_slice(signature);
        out.extend_from_slice(&3u32.to_be_bytes());
        out.extend_from_slice(b"abc");
        out.extend_from_slice(&[0; HASH_LEN]);
        out
    }

    #[test]
    fn required_extensions_are_unsupported_and_optional_ones_skipped() {
        let repo = repo("index-ext");
        let bytes = std::fs::read(repo.root.join(".git/index")).unwrap();
        let unsupported = |sig: &[u8; 4]| match parse(&with_extension(&bytes, sig)) {
            Err(ParseError::Unsupported(why)) => Some(why),
            _ => None,
        };
        assert_eq!(unsupported(b"link"), Some(Unsupported::SplitIndex));
        assert_eq!(unsupported(b"sdir"), Some(Unsupported::SparseIndex));
        assert_eq!(
            unsupported(b"abcd"),
            Some(Unsupported::RequiredExtension(*b"abcd"))
        );
        assert!(parse(&with_extension(&bytes, b"ABCD")).is_ok());
    }

    #[test]
    fn damaged_indexes_are_errors_never_panics() {
        let repo = repo("index-damage");
        git(&repo.root, &["update-index", "--index-version", "4"]);
        let v4 = std::fs::read(repo.root.join(".git/index")).unwrap();
        git(&repo.root, &["update-index", "--index-version", "2"]);
        let v2 = std::fs::read(repo.root.join(".git/index")).unwrap();
        for bytes in [&v2, &v4] {
            let whole = parse(bytes).unwrap().entries.len();
            for cut in 0..bytes.len() - HASH_LEN {
                let mut truncated = bytes[..cut].to_vec();
                truncated.extend_from_slice(&[0; HASH_LEN]);
                // Cutting between extensions leaves a valid index with every entry.
                if let Ok(index) = parse(&truncated) {
                    assert_eq!(index.entries.len(), whole, "cut at {cut}");
                }
            }
            for at in 0..bytes.len() {
                for flip in [0x01, 0x80, 0xff] {
                    let mut damaged = bytes.clone();
                    damaged[at] ^= flip;
                    let _ = parse(&damaged);
                }
            }
        }
    }
}
