//! Directory-relative file status: `openat(2)` a directory once, then `fstatat(2)` each
//! name in it, without resolving the whole path again for every file.
//!
//! The tracked-file status (`crate::git::status::worktree`) stats every file the index
//! lists. With full paths the kernel walks every leading directory again for each file;
//! holding one descriptor per directory makes each stat a single-component lookup, and
//! opening directories with `O_NOFOLLOW` answers git's "is a leading directory a
//! symlink?" question for free (such a directory's files count as missing, as in git).
//! Measured numbers are in the status module's documentation.
//!
//! The untracked walk reads directories the same way ([`read_dir_at`]): opened relative to
//! the work tree's descriptor, each entry's type taken from `readdir`'s `d_type`, with no
//! `lstat` unless the file system leaves the type unknown.

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

/// The fields of `struct stat` git's index compares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileStat {
    pub mode: u32,
    pub dev: u64,
    pub ino: u64,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub ctime: i64,
    pub ctime_nsec: i64,
}

impl FileStat {
    #[allow(clippy::unnecessary_cast)] // the field widths differ between Linux and macOS
    fn from_raw(st: &libc::stat) -> FileStat {
        FileStat {
            mode: st.st_mode as u32,
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            uid: st.st_uid,
            gid: st.st_gid,
            size: u64::try_from(st.st_size).unwrap_or(0),
            mtime: st.st_mtime,
            mtime_nsec: st.st_mtime_nsec,
            ctime: st.st_ctime,
            ctime_nsec: st.st_ctime_nsec,
        }
    }
}

/// An open directory that names are looked up in.
#[derive(Debug)]
pub struct Dir(OwnedFd);

/// How directories are opened: only for lookups (`O_PATH`, which needs no read
/// permission) where Linux has it, else for reading (macOS has no `O_PATH`).
#[cfg(target_os = "linux")]
const LOOKUP_ONLY: libc::c_int = libc::O_PATH;
#[cfg(not(target_os = "linux"))]
const LOOKUP_ONLY: libc::c_int = libc::O_RDONLY;

impl Dir {
    /// Opens the directory at `path` (following symlinks, as a path given by the user is).
    pub fn open(path: &Path) -> io::Result<Dir> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(path)?;
        Ok(Dir(OwnedFd::from(file)))
    }
}

/// Opens the directory `name` inside `parent` for lookups, not following a symlink: a
/// symlink or a non-directory fails with `ENOTDIR` or `ELOOP`.
pub fn open_subdir(parent: &Dir, name: &CStr) -> io::Result<Dir> {
    let flags = LOOKUP_ONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: (1) `parent` is a live descriptor borrowed for the call; (2) `name` is a
    // NUL-terminated string that lives across the call and openat only reads it;
    // (3) no mode argument is needed because O_CREAT is not passed.
    let fd = unsafe { libc::openat(parent.0.as_raw_fd(), name.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: openat returned a fresh descriptor that nothing else owns, so handing its
    // ownership to `OwnedFd` (which closes it once) is sound.
    Ok(Dir(unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// What a directory entry is, from `readdir`'s `d_type` (or `lstat` where that is
/// unknown); symlinks are not followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A FIFO, socket or device.
    Other,
}

impl EntryKind {
    fn of_mode(mode: u32) -> EntryKind {
        #[allow(clippy::unnecessary_cast)] // `mode_t` is 16 bits wide on macOS
        match mode & libc::S_IFMT as u32 {
            m if m == libc::S_IFREG as u32 => EntryKind::File,
            m if m == libc::S_IFDIR as u32 => EntryKind::Dir,
            m if m == libc::S_IFLNK as u32 => EntryKind::Symlink,
            _ => EntryKind::Other,
        }
    }
}

/// Reads the directory `rel` (a relative path, `.` for `dir` itself) inside `dir`: takes
/// its status first, then calls `visit` with the name and kind of every entry but `.` and
/// `..`. The status comes before the entries, so a change made while reading changes the
/// status a later read sees. A read error part way ends the listing there (as an
/// unreadable directory is treated as empty by git's walk).
pub fn read_dir_at(
    dir: &Dir,
    rel: &CStr,
    visit: &mut dyn FnMut(&[u8], EntryKind),
) -> io::Result<FileStat> {
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: (1) `dir` is a live descriptor borrowed for the call; (2) `rel` is
    // NUL-terminated and outlives the call; (3) no mode argument: O_CREAT is not passed.
    let fd = unsafe { libc::openat(dir.0.as_raw_fd(), rel.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: openat returned a fresh descriptor nothing else owns; `OwnedFd` closes it
    // once.
    let opened = Dir(unsafe { OwnedFd::from_raw_fd(fd) });
    let stat = lstat_at(&opened, c".")?;
    entries(opened, visit);
    Ok(stat)
}

/// The kind of an entry from its `d_type`, asking `lstat` (in `dir`) where the file system
/// leaves it unknown; `None` when the entry is gone (as std's `DirEntry::file_type`
/// failing).
fn kind_of(d_type: u8, dir: &Dir, name: &CStr) -> Option<EntryKind> {
    Some(match d_type {
        libc::DT_REG => EntryKind::File,
        libc::DT_DIR => EntryKind::Dir,
        libc::DT_LNK => EntryKind::Symlink,
        libc::DT_UNKNOWN => EntryKind::of_mode(lstat_at(dir, name).ok()?.mode),
        _ => EntryKind::Other,
    })
}

/// Calls `visit` for every entry of the open directory `dir` with `getdents64`, which
/// needs none of the checks `fdopendir` makes (an `fstat` and two `fcntl`s per directory).
#[cfg(target_os = "linux")]
fn entries(dir: Dir, visit: &mut dyn FnMut(&[u8], EntryKind)) {
    /// Bytes asked for per call: most directories fit in one.
    const BUFFER: usize = 32 * 1024;
    thread_local! {
        /// Each thread's buffer, kept between directories (taken while in use, so a
        /// nested read gets a fresh one).
        static BUF: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    }
    let mut buf = BUF.take();
    if buf.len() != BUFFER {
        buf = vec![0; BUFFER];
    }
    read_entries(&dir, &mut buf, visit);
    BUF.set(buf);
}

/// The `getdents64` loop of [`entries`], over `buf`.
#[cfg(target_os = "linux")]
fn read_entries(dir: &Dir, buf: &mut [u8], visit: &mut dyn FnMut(&[u8], EntryKind)) {
    // The fixed part of `struct linux_dirent64`: inode (8), offset (8), record length
    // (2), type (1); the NUL-terminated name follows.
    const NAME_AT: usize = 19;
    loop {
        // SAFETY: (1) `dir` is a live descriptor; (2) `buf` is writable for `buf.len()`
        // bytes, the length passed, and the kernel writes no more than that.
        let n = unsafe {
            libc::syscall(
                libc::SYS_getdents64,
                dir.0.as_raw_fd(),
                buf.as_mut_ptr(),
                buf.len(),
            )
        };
        let Ok(n) = usize::try_from(n) else { return };
        if n == 0 || n > buf.len() {
            return;
        }
        let mut at = 0;
        while at + NAME_AT < n {
            let len = usize::from(u16::from_ne_bytes([buf[at + 16], buf[at + 17]]));
            if len <= NAME_AT || at + len > n {
                return;
            }
            let record = &buf[at..at + len];
            at += len;
            let Ok(name) = CStr::from_bytes_until_nul(&record[NAME_AT..]) else {
                return;
            };
            let bytes = name.to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            if let Some(kind) = kind_of(record[18], dir, name) {
                visit(bytes, kind);
            }
        }
    }
}

/// Calls `visit` for every entry of the open directory `dir` through a directory stream.
#[cfg(not(target_os = "linux"))]
fn entries(dir: Dir, visit: &mut dyn FnMut(&[u8], EntryKind)) {
    let fd = std::os::fd::IntoRawFd::into_raw_fd(dir.0);
    // SAFETY: `fd` is an open directory descriptor owned by nobody else (taken out of its
    // `OwnedFd` above); on success the stream owns it and `closedir` closes it.
    let stream = unsafe { libc::fdopendir(fd) };
    if stream.is_null() {
        // SAFETY: fdopendir failed, so the descriptor is still ours; it is closed once.
        drop(unsafe { OwnedFd::from_raw_fd(fd) });
        return;
    }
    let stream = Stream(stream);
    // SAFETY: `stream.0` is live; `dirfd` only reads its descriptor.
    let raw = unsafe { libc::dirfd(stream.0) };
    // SAFETY: the stream owns `raw` and keeps it open while `stream` lives, longer than
    // this borrow; `ManuallyDrop` keeps the borrowed `Dir` from closing it.
    let lookup = std::mem::ManuallyDrop::new(Dir(unsafe { OwnedFd::from_raw_fd(raw) }));
    loop {
        // SAFETY: `stream.0` is a live stream used by this thread alone; the entry it
        // returns stays valid until the next readdir or closedir on it, and is read before
        // either.
        let entry = unsafe { libc::readdir(stream.0) };
        if entry.is_null() {
            return;
        }
        // SAFETY: readdir returned a valid entry (above) whose `d_name` is NUL-terminated.
        let (name, d_type) = unsafe { (CStr::from_ptr((*entry).d_name.as_ptr()), (*entry).d_type) };
        let bytes = name.to_bytes();
        if bytes == b"." || bytes == b".." {
            continue;
        }
        if let Some(kind) = kind_of(d_type, &lookup, name) {
            visit(bytes, kind);
        }
    }
}

/// An open directory stream, closed on drop.
#[cfg(not(target_os = "linux"))]
struct Stream(*mut libc::DIR);

#[cfg(not(target_os = "linux"))]
impl Drop for Stream {
    fn drop(&mut self) {
        // SAFETY: the stream is live and closed exactly once, here; this closes its
        // descriptor too.
        unsafe { libc::closedir(self.0) };
    }
}

/// `lstat` of `name` inside the directory `dir` (`fstatat` with `AT_SYMLINK_NOFOLLOW`).
pub fn lstat_at(dir: &Dir, name: &CStr) -> io::Result<FileStat> {
    let mut raw = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: (1) `dir` is a live descriptor borrowed for the call; (2) `name` is
    // NUL-terminated and outlives the call; (3) `raw` points to writable memory the size
    // of `struct stat`, which fstatat fills completely when it returns 0.
    let rc = unsafe {
        libc::fstatat(
            dir.0.as_raw_fd(),
            name.as_ptr(),
            raw.as_mut_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fstatat returned 0, so it initialised the whole struct (point 3 above).
    let st = unsafe { raw.assume_init() };
    Ok(FileStat::from_raw(&st))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn stat_at_agrees_with_std_and_subdirs_refuse_symlinks() {
        let root = crate::tempdir::TempDir::new("fsat").unwrap();
        std::fs::create_dir_all(root.join("d")).unwrap();
        std::fs::write(root.join("d/f"), b"12345").unwrap();
        std::os::unix::fs::symlink("d", root.join("link")).unwrap();
        let dir = Dir::open(&root).unwrap();
        let sub = open_subdir(&dir, c"d").unwrap();
        let st = lstat_at(&sub, c"f").unwrap();
        let meta = std::fs::symlink_metadata(root.join("d/f")).unwrap();
        assert_eq!((st.size, st.ino, st.mode), (5, meta.ino(), meta.mode()));
        assert_eq!((st.mtime, st.mtime_nsec), (meta.mtime(), meta.mtime_nsec()));
        assert!(open_subdir(&dir, c"link").is_err());
        let link = lstat_at(&dir, c"link").unwrap();
        #[allow(clippy::unnecessary_cast)] // `mode_t` is 16 bits wide on macOS
        let (format, link_type) = (libc::S_IFMT as u32, libc::S_IFLNK as u32);
        assert_eq!(link.mode & format, link_type);
        let missing = lstat_at(&sub, c"nope").unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn read_dir_at_lists_every_entry_with_its_kind_and_the_directory_status() {
        let root = crate::tempdir::TempDir::new("fsat-read").unwrap();
        std::fs::create_dir_all(root.join("d/sub")).unwrap();
        std::fs::write(root.join("d/f"), b"1").unwrap();
        std::os::unix::fs::symlink("sub", root.join("d/link")).unwrap();
        let dir = Dir::open(&root).unwrap();
        let mut seen = Vec::new();
        let st = read_dir_at(&dir, c"d", &mut |name, kind| {
            seen.push((name.to_vec(), kind))
        })
        .unwrap();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        let expected = [
            (b"f".to_vec(), EntryKind::File),
            (b"link".to_vec(), EntryKind::Symlink),
            (b"sub".to_vec(), EntryKind::Dir),
        ];
        assert_eq!(seen, expected);
        let meta = std::fs::symlink_metadata(root.join("d")).unwrap();
        assert_eq!((st.ino, st.mtime_nsec), (meta.ino(), meta.mtime_nsec()));
        let mut top = 0;
        read_dir_at(&dir, c".", &mut |_, _| top += 1).unwrap();
        assert_eq!(top, 1);
        assert!(read_dir_at(&dir, c"d/f", &mut |_, _| ()).is_err());
        assert!(read_dir_at(&dir, c"nope", &mut |_, _| ()).is_err());
    }
}
