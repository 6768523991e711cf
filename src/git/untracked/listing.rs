//! Directory listings for the untracked walk, read with `readdir` (`sys::fsat::read_dir_at`,
//! relative to the work tree's descriptor; on the walk's thread or ahead of it on the
//! pool) or taken from the [`UntrackedCache`] when the directory is unchanged.
//!
//! # Why the cache stays exact
//! It replaces `readdir` and nothing else. A listing (names and kinds: file or symlink,
//! directory, other) is a function of the directory's entries, and every change to the
//! entries (create, unlink, rename, a type change, which is an unlink and a create)
//! updates the directory's mtime and ctime. A listing is reused only when the directory's
//! device, inode, size, mtime and ctime (nanoseconds) are all unchanged. Ignore files,
//! `info/exclude`, `core.excludesFile` and the index are read afresh by every walk, so
//! edits to them need no invalidation. One race remains: timestamps come from a coarse
//! clock, so a change made in the same tick as our read would leave the stamp unchanged;
//! a directory modified less than [`RACY_WINDOW`] before the read is therefore never
//! stored (as git does with its "racily clean" index entries). The stamp is taken before
//! the entries are read, so a change during the read shows in the next stamp; listings read
//! ahead on the pool follow the same two rules.
//!
//! # Encoding
//! `BLUC`, version, the work tree path, then per directory: its path, stamp and entries.
//! Every length is bounds-checked on decode; anything inconsistent gives `None` (the walk
//! then reads every directory). Read next: `walk.rs`.

use std::collections::HashMap;
use std::ffi::CString;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, SystemTime};

use crate::sys::fsat::{self, Dir, EntryKind, FileStat};

/// A directory modified this recently is listed but not cached.
pub const RACY_WINDOW: Duration = Duration::from_secs(2);

const MAGIC: &[u8; 4] = b"BLUC";
const VERSION: u8 = 1;
/// Bounds on decode: more directories or entries than this is not a cache we wrote.
const MAX_DIRS: u32 = 1 << 22;
const MAX_ENTRIES: u32 = 1 << 24;

/// What an entry is, as far as the walk cares (symlinks are files: never followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    /// FIFOs, sockets and devices: git reports none of them.
    Other,
}

impl Kind {
    fn of(kind: EntryKind) -> Kind {
        match kind {
            EntryKind::Dir => Kind::Dir,
            EntryKind::File | EntryKind::Symlink => Kind::File,
            EntryKind::Other => Kind::Other,
        }
    }

    fn code(self) -> u8 {
        self as u8
    }

    fn from_code(code: u8) -> Option<Kind> {
        [Kind::File, Kind::Dir, Kind::Other]
            .get(usize::from(code))
            .copied()
    }
}

/// The entries of one directory, `.`, `..` and `.git` left out.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Listing {
    names: Vec<u8>,
    entries: Vec<(u32, u32, Kind)>,
    /// The directory has a `.git` entry (of any kind).
    pub has_dot_git: bool,
    /// The directory has a `.gitignore` that is a file or a symlink.
    pub has_gitignore: bool,
}

impl Listing {
    fn push(&mut self, name: &[u8], kind: Kind) {
        if name == b".git" {
            self.has_dot_git = true;
            return;
        }
        if name == b".gitignore" && kind == Kind::File {
            self.has_gitignore = true;
        }
        let start = self.names.len() as u32;
        self.names.extend_from_slice(name);
        self.entries.push((start, name.len() as u32, kind));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entry `i`: its name and kind.
    pub fn get(&self, i: usize) -> (&[u8], Kind) {
        let (start, len, kind) = self.entries[i];
        (&self.names[start as usize..(start + len) as usize], kind)
    }

    /// Reads directory `rel` (`""` or `"dir/sub/"`) of the work tree open as `root`, with
    /// its stamp taken before the entries; `None` when it cannot be opened (git warns and
    /// treats it as empty).
    pub fn read(root: &Dir, rel: &[u8]) -> Option<(Stamp, Listing)> {
        let rel = match rel.strip_suffix(b"/") {
            Some(dir) => CString::new(dir).ok()?,
            None if rel.is_empty() => CString::from(c"."),
            None => CString::new(rel).ok()?,
        };
        let mut listing = Listing::default();
        let st = fsat::read_dir_at(root, &rel, &mut |name, kind| {
            listing.push(name, Kind::of(kind));
        })
        .ok()?;
        Some((Stamp::of(&st), listing))
    }
}

/// What identifies a directory's state: any change of its entries changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Stamp {
    fn of(meta: &FileStat) -> Stamp {
        Stamp {
            dev: meta.dev,
            ino: meta.ino,
            size: meta.size,
            mtime: (meta.mtime, meta.mtime_nsec),
            ctime: (meta.ctime, meta.ctime_nsec),
        }
    }

    /// Modified (or changed) within `window` of `now`, or later.
    fn is_racy(&self, now: SystemTime, window: Duration) -> bool {
        let since_epoch = |(secs, nanos): (i64, i64)| {
            Duration::new(secs.max(0) as u64, nanos.clamp(0, 999_999_999) as u32)
        };
        let newest = since_epoch(self.mtime).max(since_epoch(self.ctime));
        let now = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        newest + window >= now
    }
}

/// Listings of the directories the last walk read, keyed by path below the work tree
/// (`""` for the top, `"dir/sub/"` below).
#[derive(Debug)]
pub struct UntrackedCache {
    work_tree: Vec<u8>,
    racy_window: Duration,
    previous: HashMap<Vec<u8>, (Stamp, Rc<Listing>)>,
    current: HashMap<Vec<u8>, (Stamp, Rc<Listing>)>,
    /// Directories the last walk read but did not remember (changed too recently).
    racy: Vec<Vec<u8>>,
    /// Untracked counts of the subtrees below directories that hold tracked files, from
    /// the walks that recorded them (see [`UntrackedCache::reuse_subtotals`]).
    subtotals: HashMap<Vec<u8>, u32>,
    record_subtotals: bool,
    /// The next walk reuses `subtotals` except below these directories.
    reuse_except: Option<Vec<Vec<u8>>>,
    /// Directories whose listing came from the cache in the last walk.
    pub hits: u32,
    /// Directories read with `readdir` in the last walk.
    pub misses: u32,
}

impl Default for UntrackedCache {
    fn default() -> UntrackedCache {
        UntrackedCache {
            work_tree: Vec::new(),
            racy_window: RACY_WINDOW,
            previous: HashMap::new(),
            current: HashMap::new(),
            racy: Vec::new(),
            subtotals: HashMap::new(),
            record_subtotals: false,
            reuse_except: None,
            hits: 0,
            misses: 0,
        }
    }
}

impl UntrackedCache {
    /// Sets how recent a directory change must be for its listing not to be stored
    /// ([`RACY_WINDOW`] by default). Zero is only safe when the caller knows the clock
    /// has ticked since the last change (tests do).
    pub fn with_racy_window(mut self, window: Duration) -> UntrackedCache {
        self.racy_window = window;
        self
    }

    /// An empty cache for the work tree at `work_tree`.
    pub fn new(work_tree: &Path) -> UntrackedCache {
        UntrackedCache {
            work_tree: work_tree.as_os_str().as_encoded_bytes().to_vec(),
            ..UntrackedCache::default()
        }
    }

    /// Called by the walk before it starts: the last walk's listings become the ones to
    /// reuse; directories the new walk does not visit are dropped.
    pub(crate) fn begin(&mut self, work_tree: &Path) {
        if self.work_tree != work_tree.as_os_str().as_encoded_bytes() {
            let window = self.racy_window;
            *self = UntrackedCache::new(work_tree).with_racy_window(window);
        }
        if self.reuse_except.is_none() && !self.current.is_empty() {
            self.previous = std::mem::take(&mut self.current);
        }
        self.racy.clear();
        self.hits = 0;
        self.misses = 0;
    }

    /// The directories this cache knows (`""` for the top, `"dir/sub/"` below): those the
    /// last walk visited, or those a decoded cache remembers. A directory that vanished
    /// since may be among them.
    pub fn directories(&self) -> impl Iterator<Item = &[u8]> {
        self.current
            .keys()
            .chain(self.previous.keys())
            .chain(self.racy.iter())
            .map(Vec::as_slice)
    }

    /// The listing of directory `rel` of the work tree open as `root`: reused when its
    /// stamp is unchanged, else read and remembered. `read` is the directory read
    /// already (with the stamp taken before it), when the caller read it ahead.
    pub(crate) fn list(
        &mut self,
        root: &Dir,
        rel: &[u8],
        read: Option<(Stamp, Listing)>,
    ) -> Option<Rc<Listing>> {
        if let Some((stamp, listing)) = read {
            self.misses += 1;
            self.previous.remove(rel);
            return Some(self.remember(rel, stamp, listing));
        }
        let mut dir = rel.strip_suffix(b"/").unwrap_or(rel);
        if dir.is_empty() {
            dir = b".";
        }
        let stamp = Stamp::of(&fsat::lstat_at(root, &CString::new(dir).ok()?).ok()?);
        if self.reuse_except.is_some()
            && let Some((old, listing)) = self.current.get(rel)
            && *old == stamp
        {
            // A partial walk keeps every listing in `current`: the subtrees it skips
            // still hold theirs there.
            self.hits += 1;
            return Some(Rc::clone(listing));
        }
        if let Some((key, (old, listing))) = self.previous.remove_entry(rel)
            && old == stamp
        {
            self.hits += 1;
            self.current.insert(key, (stamp, Rc::clone(&listing)));
            return Some(listing);
        }
        self.misses += 1;
        let (stamp, listing) = Listing::read(root, rel)?;
        Some(self.remember(rel, stamp, listing))
    }

    /// Keeps a listing just read, unless its directory changed too recently to trust the
    /// stamp.
    fn remember(&mut self, rel: &[u8], stamp: Stamp, listing: Listing) -> Rc<Listing> {
        let listing = Rc::new(listing);
        if stamp.is_racy(SystemTime::now(), self.racy_window) {
            self.racy.push(rel.to_vec());
        } else {
            self.current
                .insert(rel.to_vec(), (stamp, Rc::clone(&listing)));
        }
        listing
    }

    /// Should a walk read directory `rel` ahead, in parallel? Not when this cache may
    /// reuse a listing for it (an unchanged directory then costs one `lstat`, not a read)
    /// nor in a partial walk, which enters few directories.
    pub(crate) fn wants_read_ahead(&self, rel: &[u8]) -> bool {
        self.reuse_except.is_none() && !self.previous.contains_key(rel)
    }

    /// From now on, walks record the untracked count of each subtree below a directory
    /// that holds tracked files, for [`UntrackedCache::reuse_subtotals`].
    pub fn record_subtotals(&mut self) {
        self.record_subtotals = true;
    }

    /// Makes the next walk partial: it takes the recorded count of every subtree that
    /// contains none of `changed` (directories where names appeared or vanished, `""`
    /// for the top or `"dir/sub/"`) instead of walking it. Only for a caller that knows
    /// nothing else changed since the subtotals were recorded: no tracked path, no
    /// ignore file, no other directory (the git watcher knows it from inotify).
    pub fn reuse_subtotals(&mut self, changed: Vec<Vec<u8>>) {
        self.reuse_except = Some(changed);
    }

    /// Makes the next walk whole again and drops the recorded subtotals.
    pub fn forget_subtotals(&mut self) {
        self.reuse_except = None;
        self.subtotals.clear();
    }

    /// The recorded count of subtree `rel` (`"dir/sub/"`), if this walk may reuse it.
    pub(crate) fn reusable_subtotal(&self, rel: &[u8]) -> Option<u32> {
        let changed = self.reuse_except.as_ref()?;
        if changed.iter().any(|dir| dir.starts_with(rel)) {
            return None;
        }
        self.subtotals.get(rel).copied()
    }

    /// Records the count of subtree `rel`, when subtotals are recorded.
    pub(crate) fn note_subtotal(&mut self, rel: &[u8], count: u32) {
        if !self.record_subtotals {
            return;
        }
        match self.subtotals.get_mut(rel) {
            Some(n) => *n = count,
            None => {
                self.subtotals.insert(rel.to_vec(), count);
            }
        }
    }

    /// Did the last walk reuse every remembered listing and read none (so the stored
    /// bytes need not be written again)?
    pub fn unchanged_by_last_walk(&self) -> bool {
        self.misses == 0 && self.previous.is_empty()
    }

    /// The cache as bytes, for the cross-process cache: about 28 bytes per file and 70
    /// per directory (563 KB for the 20,000-file fixture). Past `cache::MAX_RECORD` (huge
    /// trees) the caller does not store it and the next walk reads every directory.
    pub fn encode(&self) -> Vec<u8> {
        let dirs = if self.current.is_empty() {
            &self.previous
        } else {
            &self.current
        };
        let mut out = Vec::with_capacity(64 + dirs.len() * 64);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        put_bytes(&mut out, &self.work_tree);
        out.extend_from_slice(&(dirs.len() as u32).to_le_bytes());
        for (rel, (stamp, listing)) in dirs {
            put_bytes(&mut out, rel);
            for v in [stamp.dev, stamp.ino, stamp.size] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            for v in [stamp.mtime.0, stamp.mtime.1, stamp.ctime.0, stamp.ctime.1] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.push(u8::from(listing.has_dot_git));
            out.extend_from_slice(&(listing.len() as u32).to_le_bytes());
            for i in 0..listing.len() {
                let (name, kind) = listing.get(i);
                out.push(kind.code());
                put_bytes(&mut out, name);
            }
        }
        out
    }

    /// A cache from [`UntrackedCache::encode`]'s bytes; `None` when they are not one (wrong
    /// version, truncated, out of bounds).
    pub fn decode(bytes: &[u8]) -> Option<UntrackedCache> {
        let mut r = Reader(bytes);
        if r.take(4)? != MAGIC || r.take(1)?[0] != VERSION {
            return None;
        }
        let work_tree = r.bytes()?.to_vec();
        let count = r.u32()?;
        if count > MAX_DIRS {
            return None;
        }
        let mut previous = HashMap::new();
        for _ in 0..count {
            let rel = r.bytes()?.to_vec();
            let (dev, ino, size) = (r.u64()?, r.u64()?, r.u64()?);
            let mtime = (r.u64()? as i64, r.u64()? as i64);
            let ctime = (r.u64()? as i64, r.u64()? as i64);
            let stamp = Stamp {
                dev,
                ino,
                size,
                mtime,
                ctime,
            };
            let listing = decode_listing(&mut r)?;
            previous.insert(rel, (stamp, Rc::new(listing)));
        }
        r.0.is_empty().then_some(UntrackedCache {
            work_tree,
            previous,
            ..UntrackedCache::default()
        })
    }
}

fn decode_listing(r: &mut Reader<'_>) -> Option<Listing> {
    let mut listing = Listing {
        has_dot_git: match r.take(1)?[0] {
            0 => false,
            1 => true,
            _ => return None,
        },
        ..Listing::default()
    };
    let entries = r.u32()?;
    if entries > MAX_ENTRIES || entries as usize > r.0.len() / 5 {
        return None;
    }
    for _ in 0..entries {
        let kind = Kind::from_code(r.take(1)?[0])?;
        let name = r.bytes()?;
        if name.is_empty() || name.contains(&b'/') || name.contains(&0) || name == b".git" {
            return None;
        }
        listing.push(name, kind);
    }
    Some(listing)
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

struct Reader<'b>(&'b [u8]);

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn bytes(&mut self) -> Option<&'b [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_round_trips_and_garbage_decodes_to_none() {
        let dir = crate::tempdir::TempDir::new("listing").unwrap();
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("f"), "x").unwrap();
        let root = Dir::open(&dir).unwrap();
        let mut cache = UntrackedCache::new(&dir);
        cache.begin(&dir);
        let listing = cache.list(&root, b"", None).unwrap();
        assert_eq!(listing.len(), 2);
        // Just written: racy, so not stored.
        assert!(
            UntrackedCache::decode(&cache.encode())
                .unwrap()
                .previous
                .is_empty()
        );
        let stamp = Stamp::of(&crate::sys::fs::stat_of(
            &std::fs::symlink_metadata(&dir).unwrap(),
        ));
        cache.current.insert(Vec::new(), (stamp, listing));
        let bytes = cache.encode();
        let decoded = UntrackedCache::decode(&bytes).unwrap();
        assert_eq!(decoded.previous.len(), 1);
        assert_eq!(decoded.encode(), bytes);
        for cut in 0..bytes.len() {
            assert!(
                UntrackedCache::decode(&bytes[..cut]).is_none(),
                "cut at {cut}"
            );
        }
        // A walk that reuses the one listing leaves it unchanged; a new file changes it.
        let mut again = UntrackedCache::decode(&bytes).unwrap();
        again.begin(&dir);
        assert!(again.list(&root, b"", None).is_some());
        assert!(again.unchanged_by_last_walk());
        std::fs::write(dir.join("g"), "y").unwrap();
        again.begin(&dir);
        assert_eq!(again.list(&root, b"", None).unwrap().len(), 3);
        assert!(!again.unchanged_by_last_walk());
        let mut wrong = bytes.clone();
        wrong[4] = VERSION + 1;
        assert!(UntrackedCache::decode(&wrong).is_none());
    }

    #[test]
    fn a_listing_read_ahead_in_the_racy_window_is_not_kept() {
        let dir = crate::tempdir::TempDir::new("listing-ahead").unwrap();
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/f"), "x").unwrap();
        let root = Dir::open(&dir).unwrap();
        let mut cache = UntrackedCache::new(&dir);
        cache.begin(&dir);
        assert!(cache.wants_read_ahead(b"sub/"));
        // Just written: a file added within the same clock tick would leave the stamp as
        // it is, so the listing must not be reused by a later walk.
        let ahead = Listing::read(&root, b"sub/").unwrap();
        assert_eq!(cache.list(&root, b"sub/", Some(ahead)).unwrap().len(), 1);
        assert!(!cache.current.contains_key(&b"sub/"[..]));
        assert!(cache.directories().any(|d| d == b"sub/"));
        // Outside the window it is kept, and the next walk reuses it without a read.
        let mut cache = UntrackedCache::new(&dir).with_racy_window(Duration::ZERO);
        cache.begin(&dir);
        let ahead = Listing::read(&root, b"sub/").unwrap();
        cache.list(&root, b"sub/", Some(ahead)).unwrap();
        cache.begin(&dir);
        assert!(!cache.wants_read_ahead(b"sub/"));
        assert_eq!(cache.list(&root, b"sub/", None).unwrap().len(), 1);
        assert_eq!((cache.hits, cache.misses), (1, 0));
    }
}
