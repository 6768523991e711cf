//! Deciding a file by its content: the blob id git would store for it (SHA-1 of
//! `blob <len>\0<bytes>`; a symlink's bytes are its target), compared with the index.
//!
//! Only reached for entries whose stat data cannot decide (same size but other times,
//! "racily clean" entries, entries recorded with size 0), as in git's
//! `ce_modified_check_fs`. Files are streamed through a 64 KiB buffer, so memory stays
//! bounded whatever their size; files above [`MAX_HASHED_FILE`] are left to git.
//!
//! Hashing is the one part of a status whose cost grows with file sizes rather than file
//! counts, so a render that computes a status inline bounds it ([`HashBudget`]: bytes and
//! a time limit, from the frame's deadline). A file that does not fit the bytes left is
//! not opened at all, and a file being hashed is abandoned between two reads once the
//! time is up (a slow disk); the status then gives up and the detached refresher, which
//! has no budget, does the work. Every budget allows at least [`MIN_HASH_BYTES`] and
//! [`MIN_HASH_TIME`], so that the small files a status must hash right after a commit
//! ("racily clean": written in the same second as the index) are always decided, however
//! little of the frame is left on a loaded machine.
//!
//! git converts content before hashing when attributes or `core.autocrlf` ask for it
//! (line endings, `ident`, filter drivers, working-tree encodings). This engine does not
//! convert: where conversion could apply, [`needs_filters`] says so and the caller
//! returns `Unsupported` so that git itself answers.
//!
//! Read next: `staged.rs`.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

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
    /// Past the [`HashBudget`]: not decided.
    OverBudget,
}

/// The slowest hashing rate a budget counts on, in bytes per second: a quarter of what
/// reading and hashing a file in the page cache runs at here (about 1.1–1.4 GB/s: a
/// 900 MB file took 0.63–0.84 s), so that a file that fits the bytes also fits the time on
/// a loaded machine. The time limit catches what is slower still (a cold disk).
pub const HASH_RATE_FLOOR: u64 = 256 << 20;

/// The least any budget allows: about 0.25 ms of hashing, what a few hundred racily
/// clean small files take.
pub const MIN_HASH_BYTES: u64 = 64 << 10;

/// The least time any budget allows a file to be read in.
pub const MIN_HASH_TIME: Duration = Duration::from_millis(1);

/// How much a status may hash: at most `bytes` in all, and no file goes on being read
/// after `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashBudget {
    pub bytes: u64,
    pub until: Instant,
}

impl HashBudget {
    /// What fits in `time` from now at [`HASH_RATE_FLOOR`] (at least the minimums).
    pub fn within(time: Duration) -> HashBudget {
        let bytes = u128::from(HASH_RATE_FLOOR) * time.as_micros() / 1_000_000;
        HashBudget {
            bytes: u64::try_from(bytes).unwrap_or(u64::MAX).max(MIN_HASH_BYTES),
            until: Instant::now() + time.max(MIN_HASH_TIME),
        }
    }
}

/// A [`HashBudget`] being spent by one status computation, shared by its worker threads.
/// The byte counter is a plain counter (Relaxed: it orders nothing else).
#[derive(Debug)]
pub struct Hashing {
    left: AtomicU64,
    until: Instant,
}

impl Hashing {
    pub fn new(budget: HashBudget) -> Hashing {
        Hashing {
            left: AtomicU64::new(budget.bytes),
            until: budget.until,
        }
    }

    /// Takes `len` bytes from what is left; false, taking nothing, when they do not fit.
    fn take(&self, len: u64) -> bool {
        self.left
            .fetch_update(Relaxed, Relaxed, |left| left.checked_sub(len))
            .is_ok()
    }

    fn expired(&self) -> bool {
        Instant::now() >= self.until
    }
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
/// is different. With a `budget`, a file larger than what is left is not opened, and
/// one still being read when its time is up is abandoned ([`Hashed::OverBudget`]).
pub fn compare_file(
    path: &Path,
    size: u64,
    oid: &RawOid,
    budget: Option<&Hashing>,
) -> std::io::Result<Hashed> {
    if size > MAX_HASHED_FILE {
        return Ok(Hashed::TooLarge);
    }
    if budget.is_some_and(|b| !b.take(size)) {
        return Ok(Hashed::OverBudget);
    }
    let file = crate::sys::fs::open_flags(std::fs::OpenOptions::new().read(true), true, true)
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
        if total < size && budget.is_some_and(Hashing::expired) {
            return Ok(Hashed::OverBudget);
        }
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
    let target = std::fs::read_link(path)?;
    Ok(if blob_id(target.as_os_str().as_encoded_bytes()) == *oid {
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
        dir.push(&*crate::sys::fs::os_str(component));
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
    #[cfg(unix)] // makes a symlink
    fn files_are_compared_by_content_and_a_short_read_is_different() {
        let dir = crate::tempdir::TempDir::new("content").unwrap();
        let file = dir.join("f");
        std::fs::write(&file, b"a\n").unwrap();
        let oid = blob_id(b"a\n");
        assert_eq!(compare_file(&file, 2, &oid, None).unwrap(), Hashed::Same);
        assert_eq!(
            compare_file(&file, 3, &oid, None).unwrap(),
            Hashed::Different
        );
        assert_eq!(
            compare_file(&file, 2, &blob_id(b"b\n"), None).unwrap(),
            Hashed::Different
        );
        std::os::unix::fs::symlink("f", dir.join("l")).unwrap();
        assert_eq!(
            compare_link(&dir.join("l"), &blob_id(b"f")).unwrap(),
            Hashed::Same
        );
        assert!(compare_file(&dir.join("l"), 1, &oid, None).is_err());
        assert!(!needs_filters(false, &dir, b"f"));
        std::fs::write(dir.join(".gitattributes"), b"* text\n").unwrap();
        assert!(needs_filters(false, &dir, b"sub/f"));
    }

    #[test]
    fn a_budget_hashes_what_fits_and_refuses_the_rest_without_reading_it() {
        let dir = crate::tempdir::TempDir::new("content-budget").unwrap();
        let file = dir.join("f");
        std::fs::write(&file, b"a\n").unwrap();
        let oid = blob_id(b"a\n");
        let later = Instant::now() + Duration::from_secs(3600);
        let budget = Hashing::new(HashBudget {
            bytes: 3,
            until: later,
        });
        assert_eq!(
            compare_file(&file, 2, &oid, Some(&budget)).unwrap(),
            Hashed::Same
        );
        // One byte is left: the next file does not fit, and is not even opened.
        let missing = dir.join("missing");
        assert_eq!(
            compare_file(&missing, 2, &oid, Some(&budget)).unwrap(),
            Hashed::OverBudget
        );
        // Out of time: a file that takes one read is still decided, a longer one is not.
        let long = dir.join("long");
        let text = vec![b'x'; 3 * 64 * 1024];
        std::fs::write(&long, &text).unwrap();
        let spent = Hashing::new(HashBudget {
            bytes: u64::MAX,
            until: Instant::now(),
        });
        assert_eq!(
            compare_file(&file, 2, &oid, Some(&spent)).unwrap(),
            Hashed::Same
        );
        assert_eq!(
            compare_file(&long, text.len() as u64, &blob_id(&text), Some(&spent)).unwrap(),
            Hashed::OverBudget
        );
        assert_eq!(
            compare_file(&long, text.len() as u64, &blob_id(&text), None).unwrap(),
            Hashed::Same
        );
        let ten_ms = HashBudget::within(Duration::from_millis(10));
        assert_eq!(ten_ms.bytes, HASH_RATE_FLOOR / 100);
        assert_eq!(HashBudget::within(Duration::ZERO).bytes, MIN_HASH_BYTES);
    }
}
