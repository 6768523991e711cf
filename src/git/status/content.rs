//! Deciding a file by its content: the blob id git would store for it (SHA-1 of
//! `blob <len>\0<bytes>`; a symlink's bytes are its target), compared with the index.
//!
//! Only reached for entries whose stat data cannot decide (same size but other times,
//! "racily clean" entries, entries recorded with size 0), as in git's
//! `ce_modified_check_fs`. Files are streamed through a 64 KiB buffer, so memory stays
//! bounded whatever their size; files above [`MAX_HASHED_FILE`] are left to git.
//!
//! git converts content before hashing when attributes or `core.autocrlf` ask for it
//! (line endings, `ident`, filter drivers, working-tree encodings). This engine does not
//! convert: where conversion could apply, [`needs_filters`] says so and the caller
//! returns `Unsupported` so that git itself answers.
//!
//! Read next: `staged.rs`.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use sha1::{Digest, Sha1};

use crate::git::RawOid;

/// Largest file hashed here (hashing is time, not memory: this bounds a render's work).
pub const MAX_HASHED_FILE: u64 = 1 << 30;

/// The id of the empty blob (`e69de29…`): index entries of size 0 with this id are
/// really empty, any other id means the size was never recorded.
pub const EMPTY_BLOB: RawOid = RawOid([
    0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b, 0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2,
    0xe4, 0x8c, 0x53, 0x91,
]);

/// What hashing a working-tree file found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hashed {
    Same,
    Different,
    /// Larger than [`MAX_HASHED_FILE`].
    TooLarge,
}

fn blob_hasher(len: u64) -> Sha1 {
    let mut hasher = Sha1::new();
    hasher.update(b"blob ");
    hasher.update(len.to_string().as_bytes());
    hasher.update([0]);
    hasher
}

fn finish(hasher: Sha1) -> RawOid {
    let mut raw = [0u8; 20];
    raw.copy_from_slice(&hasher.finalize());
    RawOid(raw)
}

/// The blob id of `bytes`.
pub fn blob_id(bytes: &[u8]) -> RawOid {
    let mut hasher = blob_hasher(bytes.len() as u64);
    hasher.update(bytes);
    finish(hasher)
}

/// Compares the regular file at `path` (not following a symlink) with blob `oid`. `size`
/// is the size `lstat` reported: as in git, a file that no longer has that many bytes
/// is different.
pub fn compare_file(path: &Path, size: u64, oid: &RawOid) -> std::io::Result<Hashed> {
    if size > MAX_HASHED_FILE {
        return Ok(Hashed::TooLarge);
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Ok(Hashed::Different);
    }
    let mut hasher = blob_hasher(size);
    let mut buf = vec![0u8; 64 * 1024];
    let mut reader = file.take(size + 1);
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    if total != size {
        return Ok(Hashed::Different);
    }
    Ok(if finish(hasher) == *oid {
        Hashed::Same
    } else {
        Hashed::Different
    })
}

/// Compares the symlink at `path` (its target, as a blob) with blob `oid`.
pub fn compare_link(path: &Path, oid: &RawOid) -> std::io::Result<Hashed> {
    use std::os::unix::ffi::OsStrExt;
    let target = std::fs::read_link(path)?;
    Ok(if blob_id(target.as_os_str().as_bytes()) == *oid {
        Hashed::Same
    } else {
        Hashed::Different
    })
}

/// Could git convert this path's content before hashing it? True when the repository
/// has global reasons (`core.autocrlf`, a global or `info/attributes` file, a tracked
/// `.gitattributes`: `global`) or a `.gitattributes` file sits in the working tree in
/// the root or any directory above `rel_path`.
pub fn needs_filters(global: bool, root: &Path, rel_path: &[u8]) -> bool {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    if global {
        return true;
    }
    let mut dir = root.to_path_buf();
    let has = |dir: &Path| std::fs::symlink_metadata(dir.join(".gitattributes")).is_ok();
    if has(&dir) {
        return true;
    }
    let parents = rel_path.split(|&b| b == b'/');
    let count = rel_path.iter().filter(|&&b| b == b'/').count();
    for component in parents.take(count) {
        dir.push(OsStr::from_bytes(component));
        if has(&dir) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_match_git() {
        assert_eq!(blob_id(b""), EMPTY_BLOB);
        // `printf 'a\n' | git hash-object --stdin`
        assert_eq!(
            blob_id(b"a\n").to_hex().as_str(),
            "78981922613b2afb6025042ff6bd878ac1994e85"
        );
    }

    #[test]
    fn files_are_compared_by_content_and_a_short_read_is_different() {
        let dir = crate::tempdir::TempDir::new("content").unwrap();
        let file = dir.join("f");
        std::fs::write(&file, b"a\n").unwrap();
        let oid = blob_id(b"a\n");
        assert_eq!(compare_file(&file, 2, &oid).unwrap(), Hashed::Same);
        assert_eq!(compare_file(&file, 3, &oid).unwrap(), Hashed::Different);
        assert_eq!(
            compare_file(&file, 2, &blob_id(b"b\n")).unwrap(),
            Hashed::Different
        );
        std::os::unix::fs::symlink("f", dir.join("l")).unwrap();
        assert_eq!(
            compare_link(&dir.join("l"), &blob_id(b"f")).unwrap(),
            Hashed::Same
        );
        assert!(compare_file(&dir.join("l"), 1, &oid).is_err());
        assert!(!needs_filters(false, &dir, b"f"));
        std::fs::write(dir.join(".gitattributes"), b"* text\n").unwrap();
        assert!(needs_filters(false, &dir, b"sub/f"));
    }
}
