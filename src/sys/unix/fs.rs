//! Files and paths the portable way: what the crate needs from `std::os::unix`'s
//! extension traits (raw path bytes, stat fields, open flags, modes, positional reads,
//! behind functions the Windows back-end also provides.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fs::{DirBuilder, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};

pub use super::fsat::FileStat;

/// Whether files have device and inode numbers that identify them.
pub const HAS_INODES: bool = true;

/// The user id owning the file of `meta` (`None` where files have no numeric owner).
pub fn owner(meta: &Metadata) -> Option<u32> {
    Some(meta.uid())
}

/// The OS string of raw path bytes (as git and the index store them): borrowed, any bytes.
pub fn os_str(bytes: &[u8]) -> Cow<'_, OsStr> {
    Cow::Borrowed(OsStr::from_bytes(bytes))
}

/// The fields of `stat` git compares, from `meta`.
pub fn stat_of(meta: &Metadata) -> FileStat {
    FileStat {
        mode: meta.mode(),
        dev: meta.dev(),
        ino: meta.ino(),
        uid: meta.uid(),
        gid: meta.gid(),
        size: meta.size(),
        mtime: meta.mtime(),
        mtime_nsec: meta.mtime_nsec(),
        ctime: meta.ctime(),
        ctime_nsec: meta.ctime_nsec(),
    }
}

/// Sets the open flags: `no_follow` fails on a symlink (`O_NOFOLLOW`), `non_blocking`
/// never waits on a FIFO or device (`O_NONBLOCK`); always close-on-exec.
pub fn open_flags(
    options: &mut OpenOptions,
    no_follow: bool,
    non_blocking: bool,
) -> &mut OpenOptions {
    let mut flags = libc::O_CLOEXEC;
    if no_follow {
        flags |= libc::O_NOFOLLOW;
    }
    if non_blocking {
        flags |= libc::O_NONBLOCK;
    }
    options.custom_flags(flags)
}

/// A file created through `options` is readable and writable by its owner only (0600).
pub fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    options.mode(0o600)
}

/// A directory created through `builder` is its owner's only (0700).
pub fn private_dir(builder: &mut DirBuilder) -> &mut DirBuilder {
    builder.mode(0o700)
}

/// The permission bits of `meta` (`st_mode & 0o7777`).
pub fn mode_bits(meta: &Metadata) -> u32 {
    meta.permissions().mode() & 0o7777
}

/// Reads into `buf` from byte `offset` of `file` (`pread`).
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    file.read_at(buf, offset)
}

/// Reads exactly `buf.len()` bytes from byte `offset` of `file`.
pub fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    file.read_exact_at(buf, offset)
}

/// Writes all of `bytes` at byte `offset` of `file` (`pwrite`).
pub fn write_all_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    file.write_all_at(bytes, offset)
}

/// Missing as git's `is_missing_file_error` sees it: the name is absent (`ENOENT`), a
/// leading component is not a directory (`ENOTDIR`), or a symlink was met where none may
/// be followed (`ELOOP`, from `O_NOFOLLOW`).
pub fn is_missing(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOENT | libc::ENOTDIR | libc::ELOOP)
    )
}
