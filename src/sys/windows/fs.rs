//! Files and paths on Windows: what the Unix back-end's `fs` gives, from std's portable
//! calls and `std::os::windows`. Paths are UTF-16 underneath; git stores them as UTF-8,
//! which is what [`os_str`] expects.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fs::{DirBuilder, File, Metadata, OpenOptions};
use std::io;
use std::os::windows::fs::{FileExt, OpenOptionsExt};
use std::time::{SystemTime, UNIX_EPOCH};

pub use super::fsat::FileStat;

/// Whether files have device and inode numbers that identify them: not through std here.
pub const HAS_INODES: bool = false;

/// `FILE_FLAG_OPEN_REPARSE_POINT`: open a symlink or junction itself, not its target.
const OPEN_REPARSE_POINT: u32 = 0x0020_0000;

/// The user id owning the file of `meta`: `None`, files have no numeric owner here.
pub fn owner(_meta: &Metadata) -> Option<u32> {
    None
}

/// The OS string of raw path bytes (as git and the index store them, UTF-8): borrowed
/// when they are UTF-8, else with U+FFFD for the bytes that are not.
pub fn os_str(bytes: &[u8]) -> Cow<'_, OsStr> {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(text) => Cow::Borrowed(OsStr::new(text)),
        Cow::Owned(text) => Cow::Owned(text.into()),
    }
}

/// Seconds and nanoseconds since the Unix epoch (negative before it).
fn unix_time(time: io::Result<SystemTime>) -> (i64, i64) {
    match time.map(|t| t.duration_since(UNIX_EPOCH)) {
        Ok(Ok(since)) => (since.as_secs() as i64, i64::from(since.subsec_nanos())),
        Ok(Err(before)) => {
            let d = before.duration();
            (-(d.as_secs() as i64), -i64::from(d.subsec_nanos()))
        }
        Err(_) => (0, 0),
    }
}

/// The fields of `stat` git compares, as Git for Windows fills them from `meta`: a mode
/// from the file type (`0644`, `0444` when read-only), no device, inode or owner, the
/// creation time as the change time.
pub fn stat_of(meta: &Metadata) -> FileStat {
    let file_type = meta.file_type();
    let mode = if file_type.is_symlink() {
        0o120_000
    } else if file_type.is_dir() {
        0o040_755
    } else if meta.permissions().readonly() {
        0o100_444
    } else {
        0o100_644
    };
    let (mtime, mtime_nsec) = unix_time(meta.modified());
    let (ctime, ctime_nsec) = unix_time(meta.created());
    FileStat {
        mode,
        size: meta.len(),
        mtime,
        mtime_nsec,
        ctime,
        ctime_nsec,
        ..FileStat::default()
    }
}

/// Sets the open flags: `no_follow` opens a symlink itself (`FILE_FLAG_OPEN_REPARSE_POINT`;
/// the caller's checks then see a link, not a file); `non_blocking` needs nothing, as
/// there are no FIFOs to block on.
pub fn open_flags(
    options: &mut OpenOptions,
    no_follow: bool,
    _non_blocking: bool,
) -> &mut OpenOptions {
    if no_follow {
        options.custom_flags(OPEN_REPARSE_POINT);
    }
    options
}

/// A file created through `options` is private: nothing to set (ACLs inherited from the
/// user's profile directory decide).
pub fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    options
}

/// A directory created through `builder` is private: nothing to set (see [`private_file`]).
pub fn private_dir(builder: &mut DirBuilder) -> &mut DirBuilder {
    builder
}

/// The permission bits of `meta`, as Git for Windows reports them (`0444` read-only,
/// else `0644`; directories `0755`).
pub fn mode_bits(meta: &Metadata) -> u32 {
    stat_of(meta).mode & 0o7777
}

/// Reads into `buf` from byte `offset` of `file` (`ReadFile` with an offset; the file's
/// cursor moves, which no caller relies on).
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    file.seek_read(buf, offset)
}

/// Reads exactly `buf.len()` bytes from byte `offset` of `file`.
pub fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes all of `bytes` at byte `offset` of `file` (`WriteFile` with an offset).
pub fn write_all_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match file.seek_write(bytes, offset) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => {
                bytes = &bytes[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Missing as git's `is_missing_file_error` sees it: the name or a leading directory is
/// absent, or something that is not a directory stands where one is expected.
pub fn is_missing(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    ) || matches!(e.raw_os_error(), Some(2 | 3 | 267))
}
