//! The text of objects: tree entries, a commit's tree, parents and committer time, a tag's
//! target, and the `KIND SIZE\0` header of loose objects.
//!
//! Pure functions over bytes that return a static reason on bad input and never panic
//! (fuzzed in `fuzz/fuzz_targets/git_objects.rs`); the store adds the file's path.

use memchr::memchr;

use crate::git::object::{MAX_OBJECT_SIZE, ObjectKind};
use crate::git::{Oid, RawOid};

/// One entry of a tree object, in the tree's (git's) order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    /// The file or directory name (no `/`, never empty; bytes, not necessarily UTF-8).
    pub name: Box<[u8]>,
    /// The mode as git stores it: `0o100644`, `0o100755`, `0o120000`, `0o40000`, `0o160000`.
    pub mode: u32,
    pub oid: RawOid,
}

/// What a commit says about its place in history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub tree: RawOid,
    pub parents: Vec<RawOid>,
    /// The committer timestamp, in seconds since the epoch.
    pub committer_time: i64,
}

/// The longest mode git writes (`100644`); octal digits only.
const MAX_MODE_DIGITS: usize = 7;

/// Parses a tree object into `out` (cleared first).
pub fn parse_tree(mut data: &[u8], out: &mut Vec<TreeEntry>) -> Result<(), &'static str> {
    out.clear();
    while !data.is_empty() {
        let space = memchr(b' ', data).ok_or("git: tree entry without a mode")?;
        let mode = parse_mode(&data[..space])?;
        let rest = &data[space + 1..];
        let nul = memchr(0, rest).ok_or("git: tree entry without a name end")?;
        let name = &rest[..nul];
        if name.is_empty() || memchr(b'/', name).is_some() {
            return Err("git: tree entry with a bad name");
        }
        let oid = rest
            .get(nul + 1..nul + 21)
            .ok_or("git: tree entry cut short")?;
        out.push(TreeEntry {
            name: name.into(),
            mode,
            oid: RawOid(oid.try_into().map_err(|_| "git: tree entry cut short")?),
        });
        data = &rest[nul + 21..];
    }
    Ok(())
}

fn parse_mode(digits: &[u8]) -> Result<u32, &'static str> {
    if digits.is_empty() || digits.len() > MAX_MODE_DIGITS {
        return Err("git: tree entry with a bad mode");
    }
    digits.iter().try_fold(0u32, |mode, &d| match d {
        b'0'..=b'7' => Ok(mode << 3 | u32::from(d - b'0')),
        _ => Err("git: tree entry with a bad mode"),
    })
}

/// Parses a commit object's header (the message is not read).
pub fn parse_commit(data: &[u8]) -> Result<Commit, &'static str> {
    let mut lines = header_lines(data);
    let tree = match lines.next() {
        Some((b"tree", hex)) => parse_hex(hex)?,
        _ => return Err("git: commit without a tree"),
    };
    let mut parents = Vec::new();
    let mut committer_time = None;
    for (key, value) in lines {
        match key {
            b"parent" => parents.push(parse_hex(value)?),
            b"committer" => committer_time = Some(parse_signature_time(value)?),
            _ => {}
        }
    }
    Ok(Commit {
        tree,
        parents,
        committer_time: committer_time.ok_or("git: commit without a committer")?,
    })
}

/// A tag's target object and the kind the tag says it is.
pub fn parse_tag(data: &[u8]) -> Result<(RawOid, ObjectKind), &'static str> {
    let mut lines = header_lines(data);
    let target = match lines.next() {
        Some((b"object", hex)) => parse_hex(hex)?,
        _ => return Err("git: tag without an object"),
    };
    let kind = match lines.next() {
        Some((b"type", name)) => ObjectKind::from_name(name).ok_or("git: tag of unknown type")?,
        _ => return Err("git: tag without a type"),
    };
    Ok((target, kind))
}

/// The `key value` lines before the blank line that starts the message. Continuation
/// lines (a leading space, as in `gpgsig`) come out with an empty key.
fn header_lines(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let end = memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or(&[]);
        if line.is_empty() {
            rest = &[];
            return None;
        }
        match memchr(b' ', line) {
            Some(0) | None => Some((&b""[..], line)),
            Some(sp) => Some((&line[..sp], &line[sp + 1..])),
        }
    })
}

fn parse_hex(hex: &[u8]) -> Result<RawOid, &'static str> {
    Oid::parse(hex)
        .and_then(|oid| RawOid::from_hex(&oid))
        .ok_or("git: bad object id in a commit or tag")
}

/// The timestamp of `Name <email> 1700000000 +0100`: the number after the last `>`.
fn parse_signature_time(value: &[u8]) -> Result<i64, &'static str> {
    let after = memchr::memrchr(b'>', value).map_or(value, |gt| &value[gt + 1..]);
    let digits = after.trim_ascii_start().split(|&b| b == b' ').next();
    let digits = digits.filter(|d| !d.is_empty() && d.len() <= 18);
    let digits = digits.ok_or("git: commit with a bad committer time")?;
    digits.iter().try_fold(0i64, |t, &d| match d {
        b'0'..=b'9' => Ok(t * 10 + i64::from(d - b'0')),
        _ => Err("git: commit with a bad committer time"),
    })
}

/// Parses a loose object's `KIND SIZE\0` header: the kind, the size and the header length.
pub fn parse_loose_header(data: &[u8]) -> Result<(ObjectKind, usize, usize), &'static str> {
    let nul = memchr(0, data).ok_or("git: loose object without a header")?;
    let header = &data[..nul];
    let space = memchr(b' ', header).ok_or("git: loose object with a bad header")?;
    let kind =
        ObjectKind::from_name(&header[..space]).ok_or("git: loose object of unknown kind")?;
    let digits = &header[space + 1..];
    if digits.is_empty() || digits.len() > 12 || (digits.len() > 1 && digits[0] == b'0') {
        return Err("git: loose object with a bad size");
    }
    let size = digits.iter().try_fold(0u64, |n, &d| match d {
        b'0'..=b'9' => Ok(n * 10 + u64::from(d - b'0')),
        _ => Err("git: loose object with a bad size"),
    })?;
    if size > MAX_OBJECT_SIZE {
        return Err("git: object larger than the limit");
    }
    Ok((kind, size as usize, nul + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(mode: &str, name: &str, byte: u8) -> Vec<u8> {
        let mut v = format!("{mode} {name}\0").into_bytes();
        v.extend_from_slice(&[byte; 20]);
        v
    }

    #[test]
    fn tree_entries_come_out_in_order_with_their_modes() {
        let mut data = entry("100644", "a.txt", 1);
        data.extend(entry("40000", "dir", 2));
        data.extend(entry("120000", "link", 3));
        let mut out = Vec::new();
        parse_tree(&data, &mut out).unwrap();
        let got: Vec<_> = out.iter().map(|e| (&*e.name, e.mode, e.oid.0[0])).collect();
        assert_eq!(
            got,
            [
                (&b"a.txt"[..], 0o100644, 1),
                (b"dir", 0o40000, 2),
                (b"link", 0o120000, 3)
            ]
        );
    }

    #[test]
    fn damaged_trees_are_refused() {
        let good = entry("100644", "a", 1);
        let mut out = Vec::new();
        assert!(parse_tree(&good[..good.len() - 1], &mut out).is_err());
        assert!(parse_tree(&entry("100844", "a", 1), &mut out).is_err());
        assert!(parse_tree(&entry("100644", "a/b", 1), &mut out).is_err());
        assert!(parse_tree(&entry("100644", "", 1), &mut out).is_err());
        assert!(parse_tree(b"100644 a", &mut out).is_err());
        assert!(parse_tree(&entry("1006440000", "a", 1), &mut out).is_err());
    }

    #[test]
    fn commit_header_gives_tree_parents_and_committer_time() {
        let text = b"tree 0123456789abcdef0123456789abcdef01234567\n\
parent 1111111111111111111111111111111111111111\n\
parent 2222222222222222222222222222222222222222\n\
author A <a@x> 1 +0000\n\
committer C <c> d> 1700000000 -0700\n\
gpgsig -----BEGIN\n -----END\n\nmessage\nparent 3333333333333333333333333333333333333333\n";
        let c = parse_commit(text).unwrap();
        assert_eq!(c.tree.0[0], 0x01);
        assert_eq!(c.parents.len(), 2);
        assert_eq!(c.parents[1].0, [0x22; 20]);
        assert_eq!(c.committer_time, 1_700_000_000);
        assert!(parse_commit(b"parent 1111111111111111111111111111111111111111\n").is_err());
        assert!(parse_commit(b"tree 0123456789abcdef0123456789abcdef01234567\n").is_err());
    }

    #[test]
    fn loose_headers_are_checked() {
        assert_eq!(
            parse_loose_header(b"blob 12\0rest"),
            Ok((ObjectKind::Blob, 12, 8))
        );
        assert!(parse_loose_header(b"blob 012\0").is_err());
        assert!(parse_loose_header(b"blob 99999999999\0").is_err());
        assert!(parse_loose_header(b"blobs 1\0").is_err());
        assert!(parse_loose_header(b"blob 1").is_err());
    }

    #[test]
    fn tag_names_its_target_and_kind() {
        let text = b"object 0123456789abcdef0123456789abcdef01234567\ntype commit\ntag v1\n";
        assert_eq!(parse_tag(text).unwrap().1, ObjectKind::Commit);
        assert!(parse_tag(b"object 01\ntype commit\n").is_err());
    }
}
