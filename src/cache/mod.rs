//! The cross-process cache: small records shared by every blinkline process of a user.
//!
//! Slow figures (git status of a huge repo, transcript totals, a slow command's output) are
//! computed at most once by one *refresher* and read by every render after it. Records live
//! in `$XDG_CACHE_HOME/blinkline` (else `~/.cache/blinkline`):
//! - the directory is created `0700`; it is refused if another user owns it or if group or
//!   others may write to it;
//! - a record is written to a temporary file (`0600`) and renamed over the old one, so a
//!   reader sees the old record or the new one, never half of one, even if the writer is
//!   killed mid-write (a killed writer's temporary file is swept by a later refresher);
//! - a record starts with a header (magic, format version, length, FNV-1a checksum); a
//!   record that fails any check, or that another user owns, reads as absent, and the next
//!   write replaces it (the cache heals itself);
//! - single flight: a refresher holds an exclusive `flock` on `NAME.lock` while it works;
//!   a render that cannot take the lock knows a refresher is already running and does not
//!   start another. The kernel drops the lock when the process dies, so a killed refresher
//!   never blocks the next one.
//!
//! - records saved after every frame use [`Cache::replace`]: written in place into a spare
//!   file, then exchanged with the record in one atomic rename; a plain rename over an
//!   existing file frees an inode, which ext4 makes an order of magnitude dearer than the
//!   exchange (BENCHMARKS.md, "Transcripts").
//!
//! Renames are kept off the frame's path: renders read before the frame and save after it.
//!
//! `blinkline bench --cold` gives its renderer an inline [`Refresher`]: the refresher's
//! work then runs in the calling thread, so a cold frame pays for everything a render
//! with nothing cached sets off.
//!
//! Read next: `record.rs` (the bytes of a record), `refresher.rs` (the jobs and how a
//! refresher is started).

pub mod codec;
mod record;
mod refresher;
pub mod sessions;

pub use record::fnv1a;
use record::{HEADER_LEN, decode_record, encode_record};
pub use refresher::{Refresh, Refresher};

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::input::env::Environment;
use crate::sys::fs::{mode_bits, open_flags, private_dir, private_file};
use crate::sys::os::current_uid;

/// Whether the user owns the file of `meta` (always, where files have no numeric owner).
fn users(meta: &fs::Metadata) -> bool {
    crate::sys::fs::owner(meta).is_none_or(|uid| uid == current_uid())
}

/// Whether two stats are of the same file: the same device and inode; where files have
/// no inode numbers, the same size and modification time.
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    let (a, b) = (crate::sys::fs::stat_of(a), crate::sys::fs::stat_of(b));
    if crate::sys::fs::HAS_INODES {
        (a.dev, a.ino) == (b.dev, b.ino)
    } else {
        (a.size, a.mtime, a.mtime_nsec) == (b.size, b.mtime, b.mtime_nsec)
    }
}

/// Records larger than this are refused (a cache entry is a summary, never a file copy).
pub const MAX_RECORD: usize = 4 << 20;
/// The limit of [`Cache::write_large`] records.
pub const MAX_LARGE_RECORD: usize = 1 << 30;
/// Records up to this size are written with their header in one `write`; larger ones
/// are written from where they are, without a copy.
const SMALL_RECORD: usize = 64 << 10;
/// A temporary file this old is a leftover of a killed writer (a write takes milliseconds).
pub const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_secs(60);

/// Why the cache cannot be used. Rendering goes on without it.
#[derive(Debug)]
pub enum CacheError {
    NoLocation,
    Insecure { path: PathBuf, reason: &'static str },
    Io { path: PathBuf, source: io::Error },
    TooLarge { len: usize },
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::NoLocation => write!(
                f,
                "no cache directory: neither XDG_CACHE_HOME nor HOME is set"
            ),
            CacheError::Insecure { path, reason } => {
                write!(
                    f,
                    "cache directory {} is not safe to use: {reason}",
                    path.display()
                )
            }
            CacheError::Io { path, source } => write!(f, "cache {}: {source}", path.display()),
            CacheError::TooLarge { len } => write!(
                f,
                "cache record of {len} bytes is over the {MAX_RECORD}-byte limit"
            ),
        }
    }
}

impl std::error::Error for CacheError {}

/// A record name from a kind and the parts that identify it: `git-3f2a…`.
pub fn record_name(kind: &str, parts: &[&[u8]]) -> String {
    let mut hash: u64 = fnv1a(kind.as_bytes());
    for part in parts {
        hash ^= fnv1a(part).rotate_left(17);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{kind}-{hash:016x}")
}

/// An opened, checked cache directory.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// A held single-flight lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct FlightLock {
    _file: File,
}

impl Cache {
    /// Opens (creating if needed) the user's cache directory.
    pub fn open(env: &Environment) -> Result<Cache, CacheError> {
        Cache::at(Cache::locate(env)?)
    }

    /// Where the user's cache directory is (`$XDG_CACHE_HOME/blinkline`, else
    /// `~/.cache/blinkline`), without creating it.
    pub fn locate(env: &Environment) -> Result<PathBuf, CacheError> {
        let base = env
            .xdg_cache_home
            .as_ref()
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| env.home.as_ref().map(|h| Path::new(h).join(".cache")))
            .ok_or(CacheError::NoLocation)?;
        Ok(base.join("blinkline"))
    }

    /// The user's cache directory if it already exists and passes the checks of
    /// [`Cache::at`]; never creates anything (for renders, which only read).
    pub fn existing(env: &Environment) -> Option<Cache> {
        let dir = Cache::locate(env).ok()?;
        let meta = fs::symlink_metadata(&dir).ok()?;
        (meta.is_dir() && users(&meta) && mode_bits(&meta) & 0o022 == 0).then_some(Cache { dir })
    }

    /// Opens a cache at `dir` (created `0700` if missing), checking who owns it. An existing
    /// directory costs one `lstat`.
    pub fn at(dir: PathBuf) -> Result<Cache, CacheError> {
        let io_err = |source| CacheError::Io {
            path: dir.clone(),
            source,
        };
        let meta = match fs::symlink_metadata(&dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match private_dir(fs::DirBuilder::new().recursive(true)).create(&dir) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io_err(e)),
                }
                fs::symlink_metadata(&dir).map_err(io_err)?
            }
            Err(e) => return Err(io_err(e)),
        };
        if !meta.is_dir() {
            return Err(CacheError::Insecure {
                path: dir,
                reason: "it is not a directory",
            });
        }
        if !users(&meta) {
            return Err(CacheError::Insecure {
                path: dir,
                reason: "another user owns it",
            });
        }
        if mode_bits(&meta) & 0o022 != 0 {
            return Err(CacheError::Insecure {
                path: dir,
                reason: "group or others may write to it",
            });
        }
        Ok(Cache { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads record `name`. A missing, foreign, corrupt or outdated record reads as `None`.
    /// A record that fails its checksum is read once more: [`Cache::replace`] may have
    /// reused the file between our open and our read.
    pub fn read(&self, name: &str) -> Option<Vec<u8>> {
        self.read_limited(name, MAX_RECORD)
    }

    /// Like [`Cache::read`] for a record written by [`Cache::write_large`].
    pub fn read_large(&self, name: &str) -> Option<Vec<u8>> {
        self.read_limited(name, MAX_LARGE_RECORD)
    }

    fn read_limited(&self, name: &str, limit: usize) -> Option<Vec<u8>> {
        let path = self.path(name);
        let mut bytes = Vec::new();
        for _ in 0..2 {
            let mut file = File::open(&path).ok()?;
            let meta = file.metadata().ok()?;
            if !meta.is_file() || !users(&meta) || meta.len() > (limit + HEADER_LEN) as u64 {
                return None;
            }
            // The exact size: no size probe, no extra read for the end of the file.
            bytes.resize(meta.len() as usize, 0);
            if file.read_exact(&mut bytes).is_ok() && decode_record(&bytes).is_some() {
                bytes.drain(..HEADER_LEN);
                return Some(bytes);
            }
        }
        None
    }

    /// Like [`Cache::read`], but into reused buffers (`path` and `buf` keep their capacity,
    /// so a warm caller allocates nothing). Returns the payload inside `buf`.
    pub fn read_into<'b>(
        &self,
        name: &str,
        path: &mut PathBuf,
        buf: &'b mut Vec<u8>,
    ) -> Option<&'b [u8]> {
        path.as_mut_os_string().clear();
        path.push(&self.dir);
        path.push(name);
        let mut file = File::open(&*path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || !users(&meta) || meta.len() > (MAX_RECORD + HEADER_LEN) as u64 {
            return None;
        }
        // The exact size (a record is replaced by rename, never written in place): one
        // read, without `read_to_end`'s size probe, seek and closing empty read.
        buf.clear();
        buf.resize(meta.len() as usize, 0);
        file.read_exact(buf).ok()?;
        decode_record(buf)
    }

    /// Replaces record `name` atomically (write a `0600` temporary file, then rename).
    pub fn write(&self, name: &str, payload: &[u8]) -> Result<(), CacheError> {
        self.write_limited(name, payload, MAX_RECORD)
    }

    /// Like [`Cache::write`] for an index that grows with the data it covers (the usage
    /// index's call table), up to [`MAX_LARGE_RECORD`]; read it with [`Cache::read_large`].
    pub fn write_large(&self, name: &str, payload: &[u8]) -> Result<(), CacheError> {
        self.write_limited(name, payload, MAX_LARGE_RECORD)
    }

    fn write_limited(&self, name: &str, payload: &[u8], limit: usize) -> Result<(), CacheError> {
        if payload.len() > limit {
            return Err(CacheError::TooLarge { len: payload.len() });
        }
        self.write_via_temporary(name, |file| {
            if payload.len() <= SMALL_RECORD {
                file.write_all(&encode_record(payload))
            } else {
                // No second copy of a large payload in memory.
                file.write_all(&record::header(payload))
                    .and_then(|()| file.write_all(payload))
            }
        })
    }

    /// Like [`Cache::write_large`] for a payload made piece by piece: `fill` writes it into
    /// a buffered stream that checksums it on its way to the file, so the whole payload is
    /// never in memory (the usage call table: 26 bytes a call, ~3.5 MB for 1 GB of
    /// transcripts).
    pub fn write_large_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), CacheError> {
        self.write_via_temporary(name, |file| {
            file.write_all(&[0; HEADER_LEN])?;
            let mut out = Checksummed {
                inner: io::BufWriter::with_capacity(64 << 10, &mut *file),
                len: 0,
                hash: record::FNV_START,
            };
            fill(&mut out)?;
            out.inner.flush()?;
            let (len, hash) = (out.len, out.hash);
            drop(out);
            if len > MAX_LARGE_RECORD {
                return Err(io::Error::other(CacheError::TooLarge { len }.to_string()));
            }
            file.seek(io::SeekFrom::Start(0))?;
            file.write_all(&record::header_of(len, hash))
        })
    }

    /// Writes a `0600` temporary file with `write` and renames it over record `name`; the
    /// temporary file is removed when anything fails.
    fn write_via_temporary(
        &self,
        name: &str,
        write: impl FnOnce(&mut File) -> io::Result<()>,
    ) -> Result<(), CacheError> {
        let final_path = self.path(name);
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let serial = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp_path = self
            .dir
            .join(format!(".{name}.{}.{serial}.tmp", std::process::id()));
        let io_err = |path: &Path, source| CacheError::Io {
            path: path.to_owned(),
            source,
        };
        let result = (|| {
            let mut file = private_file(OpenOptions::new().write(true).create_new(true))
                .open(&tmp_path)
                .map_err(|e| io_err(&tmp_path, e))?;
            write(&mut file).map_err(|e| io_err(&tmp_path, e))?;
            fs::rename(&tmp_path, &final_path).map_err(|e| io_err(&final_path, e))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp_path);
        }
        result
    }

    /// Replaces record `name` like [`Cache::write`], for records rewritten often: the record
    /// is written in place into a spare file (`.NAME.spare`, kept between writes) and the
    /// spare is then exchanged with the record in one atomic rename (`RENAME_EXCHANGE`).
    /// Readers see the old record or the new one, whole, as with `write`; but no inode is
    /// created or freed, which makes it ~10x cheaper on ext4. An exclusive `flock` on the
    /// spare keeps two writers out of it; `Ok(false)` when another process holds it (it is
    /// saving the same record right now). Falls back to `write` where exchanging is not
    /// supported. No `fsync`: a record lost in a crash reads as absent (its checksum fails)
    /// and is rebuilt.
    pub fn replace(&self, name: &str, payload: &[u8]) -> Result<bool, CacheError> {
        if payload.len() > MAX_RECORD {
            return Err(CacheError::TooLarge { len: payload.len() });
        }
        let spare = self.dir.join(format!(".{name}.spare"));
        let target = self.path(name);
        match fill_spare(&spare, &encode_record(payload)) {
            Ok(Some(file)) => {
                let swapped = match crate::sys::os::exchange_paths(&spare, &target) {
                    // The first save: there is no record to exchange with yet.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => fs::rename(&spare, &target),
                    other => other,
                };
                drop(file);
                if swapped.is_ok() {
                    return Ok(true);
                }
            }
            Ok(None) => return Ok(false),
            Err(_) => {}
        }
        self.write(name, payload).map(|()| true)
    }

    /// Removes temporary files left by writers killed between creating them and renaming
    /// them into place. Only files older than [`STALE_TEMPORARY`] go: a younger one may
    /// belong to a write in progress. Refreshers call this; renders never do. Returns how
    /// many were removed.
    pub fn sweep_temporaries(&self) -> usize {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return 0;
        };
        let now = std::time::SystemTime::now();
        entries
            .flatten()
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.as_encoded_bytes();
                name.starts_with(b".") && name.ends_with(b".tmp")
            })
            .filter(|entry| {
                entry
                    .metadata()
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .is_some_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_TEMPORARY))
            })
            .filter(|entry| fs::remove_file(entry.path()).is_ok())
            .count()
    }

    /// Takes the single-flight lock for `name` without waiting; `None` if another process
    /// holds it (a refresher is already at work) or the lock file cannot be made.
    pub fn try_lock(&self, name: &str) -> Option<FlightLock> {
        let path = self.path(&format!("{name}.lock"));
        let file = private_file(OpenOptions::new().write(true).create(true).truncate(false))
            .open(&path)
            .ok()?;
        file.try_lock().ok()?;
        Some(FlightLock { _file: file })
    }

    /// True if some process holds the single-flight lock for `name` right now.
    pub fn is_locked(&self, name: &str) -> bool {
        match File::open(self.path(&format!("{name}.lock"))) {
            Ok(file) => match file.try_lock_shared() {
                Ok(()) => {
                    let _ = file.unlock();
                    false
                }
                Err(_) => true,
            },
            Err(_) => false,
        }
    }
}

/// Writes `record` into the spare file at `path` under an exclusive lock; `None` when
/// another writer holds the lock or the file we locked is no longer the spare (a writer
/// exchanged it into place between our open and our lock). The returned file holds the
/// lock until it is dropped.
fn fill_spare(path: &Path, record: &[u8]) -> io::Result<Option<File>> {
    let mut options = OpenOptions::new();
    private_file(options.write(true).create(true).truncate(false));
    let file = open_flags(&mut options, true, false).open(path)?;
    if file.try_lock().is_err() {
        return Ok(None);
    }
    let (held, named) = (file.metadata()?, fs::symlink_metadata(path)?);
    if !held.is_file() || !users(&held) || !same_file(&held, &named) {
        return Ok(None);
    }
    crate::sys::fs::write_all_at(&file, record, 0)?;
    if held.len() != record.len() as u64 {
        file.set_len(record.len() as u64)?;
    }
    Ok(Some(file))
}

/// A writer that counts and checksums (FNV-1a) what passes through it.
struct Checksummed<W: Write> {
    inner: W,
    len: usize,
    hash: u64,
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.len += n;
        self.hash = record::fnv1a_more(self.hash, &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// A cache that creates its own directory inside a temporary one, removed on drop.
    struct TempCache {
        cache: Cache,
        _dir: crate::tempdir::TempDir,
    }

    impl std::ops::Deref for TempCache {
        type Target = Cache;

        fn deref(&self) -> &Cache {
            &self.cache
        }
    }

    fn temp_cache(tag: &str) -> TempCache {
        let dir = crate::tempdir::TempDir::new(&format!("cache-test-{tag}")).unwrap();
        let cache = Cache::at(dir.join("cache")).unwrap();
        TempCache { cache, _dir: dir }
    }

    #[test]
    fn a_large_record_reads_back_only_as_a_large_one() {
        let cache = temp_cache("large");
        let payload: Vec<u8> = (0..MAX_RECORD + 100).map(|i| (i % 251) as u8).collect();
        assert!(matches!(
            cache.write("usage-calls-1", &payload),
            Err(CacheError::TooLarge { .. })
        ));
        cache.write_large("usage-calls-1", &payload).unwrap();
        assert_eq!(cache.read_large("usage-calls-1"), Some(payload));
        assert_eq!(cache.read("usage-calls-1"), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(cache.dir().join("usage-calls-1"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_streamed_record_is_the_same_record_as_one_written_whole() {
        let cache = temp_cache("streamed");
        let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        cache
            .write_large_with("usage-calls-2", |out| {
                payload.chunks(7_777).try_for_each(|c| out.write_all(c))
            })
            .unwrap();
        cache.write_large("usage-calls-3", &payload).unwrap();
        let bytes = |name| fs::read(cache.dir().join(name)).unwrap();
        assert_eq!(bytes("usage-calls-2"), bytes("usage-calls-3"));
        assert_eq!(cache.read_large("usage-calls-2"), Some(payload));
        cache.write_large_with("usage-calls-4", |_| Ok(())).unwrap();
        assert_eq!(cache.read_large("usage-calls-4"), Some(Vec::new()));
        let failed = cache.write_large_with("usage-calls-2", |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(failed.is_err());
        assert!(
            cache.read_large("usage-calls-2").is_some(),
            "the old record stays"
        );
        let left: Vec<_> = fs::read_dir(cache.dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "a failed write leaves no temporary file");
    }

    #[test]
    fn a_written_record_reads_back() {
        let cache = temp_cache("roundtrip");
        cache.write("git-1", b"hello").unwrap();
        assert_eq!(cache.read("git-1").as_deref(), Some(&b"hello"[..]));
        cache.write("git-1", b"world!").unwrap();
        assert_eq!(cache.read("git-1").as_deref(), Some(&b"world!"[..]));
        #[cfg(unix)]
        {
            let mode = mode_bits(&fs::metadata(cache.dir().join("git-1")).unwrap());
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = mode_bits(&fs::metadata(cache.dir()).unwrap());
            assert_eq!(dir_mode & 0o777, 0o700);
        }
    }

    #[test]
    fn corrupt_or_truncated_records_read_as_absent() {
        let cache = temp_cache("corrupt");
        cache.write("r", b"some payload").unwrap();
        let path = cache.dir().join("r");
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.read("r"), None, "checksum mismatch");
        fs::write(&path, &bytes[..HEADER_LEN + 2]).unwrap();
        assert_eq!(cache.read("r"), None, "truncated");
        fs::write(&path, b"garbage").unwrap();
        assert_eq!(cache.read("r"), None, "no header");
        cache.write("r", b"healed").unwrap();
        assert_eq!(cache.read("r").as_deref(), Some(&b"healed"[..]));
    }

    #[test]
    fn replace_swaps_in_the_new_record_and_keeps_the_old_one_as_spare() {
        let cache = temp_cache("replace");
        assert!(cache.replace("t-1", b"first").unwrap());
        assert_eq!(cache.read("t-1").as_deref(), Some(&b"first"[..]));
        assert!(cache.replace("t-1", b"second, longer").unwrap());
        assert!(cache.replace("t-1", b"third").unwrap());
        assert_eq!(cache.read("t-1").as_deref(), Some(&b"third"[..]));
        // Windows cannot exchange two files: the record is renamed into place instead.
        #[cfg(unix)]
        {
            let spare = fs::read(cache.dir().join(".t-1.spare")).unwrap();
            assert_eq!(decode_record(&spare), Some(&b"second, longer"[..]));
        }
        #[cfg(unix)]
        assert_eq!(
            mode_bits(&fs::metadata(cache.dir().join("t-1")).unwrap()) & 0o777,
            0o600
        );
    }

    #[test]
    fn replace_gives_way_to_a_writer_holding_the_spare() {
        let cache = temp_cache("replace-busy");
        cache.replace("t", b"a").unwrap();
        cache.replace("t", b"b").unwrap();
        let other = File::open(cache.dir().join(".t.spare")).unwrap();
        other.try_lock().unwrap();
        assert!(!cache.replace("t", b"c").unwrap());
        assert_eq!(cache.read("t").as_deref(), Some(&b"b"[..]));
        drop(other);
        assert!(cache.replace("t", b"c").unwrap());
        assert_eq!(cache.read("t").as_deref(), Some(&b"c"[..]));
    }

    #[test]
    #[cfg(unix)]
    fn replace_never_follows_a_symlinked_spare() {
        let cache = temp_cache("replace-link");
        let victim = cache.dir().join("victim");
        fs::write(&victim, b"keep").unwrap();
        std::os::unix::fs::symlink(&victim, cache.dir().join(".t.spare")).unwrap();
        assert!(cache.replace("t", b"new").unwrap());
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert_eq!(cache.read("t").as_deref(), Some(&b"new"[..]));
    }

    #[test]
    #[cfg(unix)]
    fn a_world_writable_directory_is_refused() {
        let cache = temp_cache("perm");
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(cache.dir(), fs::Permissions::from_mode(0o777)).unwrap();
        let err = Cache::at(cache.dir().to_owned()).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("is not safe to use: group or others may write to it"),
            "{err}"
        );
    }

    #[test]
    fn single_flight_lock_is_exclusive_until_dropped() {
        let cache = temp_cache("lock");
        let held = cache.try_lock("git-x").expect("first lock");
        assert!(cache.is_locked("git-x"));
        assert!(cache.try_lock("git-x").is_none(), "second taker is refused");
        drop(held);
        assert!(!cache.is_locked("git-x"));
        assert!(cache.try_lock("git-x").is_some());
    }

    #[test]
    fn a_killed_writers_old_temporary_file_is_swept_and_a_young_one_kept() {
        let cache = temp_cache("sweep");
        cache.write("r", b"kept").unwrap();
        let _lock = cache.try_lock("r").unwrap();
        let old = cache.dir().join(".r.1.0.tmp");
        let young = cache.dir().join(".r.1.1.tmp");
        fs::write(&old, b"BLNK half").unwrap();
        fs::write(&young, b"BLNK writing").unwrap();
        let past = std::time::SystemTime::now() - STALE_TEMPORARY * 2;
        File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(past)
            .unwrap();
        assert_eq!(cache.sweep_temporaries(), 1);
        assert!(!old.exists() && young.exists());
        assert_eq!(cache.read("r").as_deref(), Some(&b"kept"[..]));
        assert!(cache.is_locked("r"));
    }

    #[test]
    fn record_names_depend_on_every_part() {
        let a = record_name("git", &[b"/repo", b"HEAD1"]);
        let b = record_name("git", &[b"/repo", b"HEAD2"]);
        assert_ne!(a, b);
        assert!(a.starts_with("git-") && a.len() == 4 + 16);
        assert_eq!(a, record_name("git", &[b"/repo", b"HEAD1"]));
    }

    #[test]
    fn oversized_records_are_refused() {
        let cache = temp_cache("big");
        let big = vec![0u8; MAX_RECORD + 1];
        assert!(matches!(
            cache.write("big", &big),
            Err(CacheError::TooLarge { .. })
        ));
    }
}
