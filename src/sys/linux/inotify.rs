//! A small safe wrapper over Linux `inotify(7)`: watch directories, wait (with a timeout)
//! for what happened in them, and read the events as plain values.
//!
//! The git watcher (`crate::git::watch`) keeps a repository's status exact between
//! renders with it: the kernel says which names changed, so only those are looked at
//! again instead of `lstat`ing every tracked file. Events are decoded from the bytes
//! `read(2)` returns field by field (no pointer casts), so a short or odd buffer can only
//! end the batch early.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

/// A file was written (`IN_MODIFY`).
pub const MODIFY: u32 = libc::IN_MODIFY;
/// Metadata changed: mode, owner, times, link count (`IN_ATTRIB`).
pub const ATTRIB: u32 = libc::IN_ATTRIB;
/// A file opened for writing was closed (`IN_CLOSE_WRITE`).
pub const CLOSE_WRITE: u32 = libc::IN_CLOSE_WRITE;
/// A file was opened (`IN_OPEN`).
pub const OPEN: u32 = libc::IN_OPEN;
/// A name was created (`IN_CREATE`).
pub const CREATE: u32 = libc::IN_CREATE;
/// A name was removed (`IN_DELETE`).
pub const DELETE: u32 = libc::IN_DELETE;
/// A name was renamed away from the directory (`IN_MOVED_FROM`).
pub const MOVED_FROM: u32 = libc::IN_MOVED_FROM;
/// A name was renamed into the directory (`IN_MOVED_TO`).
pub const MOVED_TO: u32 = libc::IN_MOVED_TO;
/// The watched directory itself was removed (`IN_DELETE_SELF`).
pub const DELETE_SELF: u32 = libc::IN_DELETE_SELF;
/// The watched directory itself was renamed (`IN_MOVE_SELF`).
pub const MOVE_SELF: u32 = libc::IN_MOVE_SELF;
/// The watch is gone (its directory was removed, or the file system unmounted).
pub const IGNORED: u32 = libc::IN_IGNORED;
/// The kernel's event queue overflowed: events were lost (`wd` is -1).
pub const OVERFLOW: u32 = libc::IN_Q_OVERFLOW;
/// The subject of the event is a directory.
pub const IS_DIR: u32 = libc::IN_ISDIR;
/// Fail instead of watching through a symlink (`IN_DONT_FOLLOW`).
pub const DONT_FOLLOW: u32 = libc::IN_DONT_FOLLOW;
/// Only watch directories (`IN_ONLYDIR`).
pub const ONLY_DIR: u32 = libc::IN_ONLYDIR;

/// The fixed part of `struct inotify_event`: wd, mask, cookie, len (4 bytes each).
const HEADER: usize = 16;

/// One event: which watch, what happened, and the name inside the watched directory
/// (empty for events about the directory itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    pub wd: i32,
    pub mask: u32,
    pub name: &'a [u8],
}

/// An inotify instance (closed on drop, which also drops every watch).
pub struct Inotify {
    fd: OwnedFd,
}

impl Inotify {
    /// A new, non-blocking, close-on-exec instance.
    pub fn new() -> io::Result<Inotify> {
        // SAFETY: inotify_init1 takes only flags and touches no memory of ours.
        let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the descriptor was just returned to us and nothing else owns it, so
        // `OwnedFd` may take it (and close it once).
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Inotify { fd })
    }

    /// Watches `path` for the events in `mask`; returns the watch descriptor (the same
    /// one again for a path already watched). `ENOSPC` means the user's watch limit
    /// (`fs.inotify.max_user_watches`) is reached.
    pub fn add_watch(&self, path: &Path, mask: u32) -> io::Result<i32> {
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: (1) the descriptor is live while `self` is; (2) `c_path` is a
        // NUL-terminated string alive across the call, which the kernel only reads.
        let wd = unsafe { libc::inotify_add_watch(self.fd.as_raw_fd(), c_path.as_ptr(), mask) };
        if wd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(wd)
    }

    /// Waits until events are ready or `timeout` passes (`None`: no limit); whether
    /// events are ready. A signal ends the wait early with `false`.
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.map_or(-1, |t| i32::try_from(t.as_millis()).unwrap_or(i32::MAX));
        // SAFETY: (1) `pfd` is a live local and poll writes only its `revents`; (2) the
        // count 1 matches the one struct passed.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let err = io::Error::last_os_error();
            return if err.kind() == io::ErrorKind::Interrupted {
                Ok(false)
            } else {
                Err(err)
            };
        }
        Ok(rc > 0 && pfd.revents & libc::POLLIN != 0)
    }

    /// Reads what is queued into `buf` (cleared first) without blocking; returns the
    /// number of bytes, 0 when nothing is queued. Decode them with [`events`].
    pub fn read_into(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        buf.clear();
        buf.resize(64 << 10, 0);
        // SAFETY: (1) `buf` is a live, initialized buffer of `buf.len()` bytes and read
        // writes at most that many; (2) the descriptor is live while `self` is.
        let n = unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast::<libc::c_void>(),
                buf.len(),
            )
        };
        if n < 0 {
            let err = io::Error::last_os_error();
            buf.clear();
            return match err.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(0),
                _ => Err(err),
            };
        }
        buf.truncate(n as usize);
        Ok(n as usize)
    }
}

/// The events in `bytes` (what [`Inotify::read_into`] read), in order. Names lose the
/// NUL padding the kernel adds. A truncated event ends the list.
pub fn events(bytes: &[u8]) -> impl Iterator<Item = Event<'_>> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let header = rest.get(..HEADER)?;
        let word = |i: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&header[i * 4..i * 4 + 4]);
            b
        };
        let wd = i32::from_ne_bytes(word(0));
        let mask = u32::from_ne_bytes(word(1));
        let len = u32::from_ne_bytes(word(3)) as usize;
        let padded = rest.get(HEADER..HEADER + len)?;
        let name_len = memchr::memchr(0, padded).unwrap_or(padded.len());
        rest = &rest[HEADER + len..];
        Some(Event {
            wd,
            mask,
            name: &padded[..name_len],
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(wd: i32, mask: u32, name: &[u8], padded: usize) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&wd.to_ne_bytes());
        out.extend_from_slice(&mask.to_ne_bytes());
        out.extend_from_slice(&0u32.to_ne_bytes());
        out.extend_from_slice(&(padded as u32).to_ne_bytes());
        out.extend_from_slice(name);
        out.resize(out.len() + padded - name.len(), 0);
        out
    }

    #[test]
    fn events_decode_names_without_padding_and_stop_at_a_truncated_one() {
        let mut bytes = raw(3, CREATE, b"a.txt", 16);
        bytes.extend(raw(4, DELETE_SELF, b"", 0));
        bytes.extend(raw(5, MODIFY, b"b", 16));
        bytes.truncate(bytes.len() - 3);
        let got: Vec<_> = events(&bytes).collect();
        assert_eq!(
            got,
            vec![
                Event {
                    wd: 3,
                    mask: CREATE,
                    name: b"a.txt"
                },
                Event {
                    wd: 4,
                    mask: DELETE_SELF,
                    name: b""
                },
            ]
        );
    }

    #[test]
    fn any_bytes_decode_without_panicking_and_within_the_buffer() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (seed >> 56) as u8 % 24
                })
                .collect();
            let decoded: usize = events(&bytes).map(|e| HEADER + e.name.len()).sum();
            assert!(
                decoded <= bytes.len(),
                "decoded past the end of {len} bytes"
            );
        }
    }

    #[test]
    fn a_watched_directory_reports_what_happens_in_it() {
        let dir = crate::tempdir::TempDir::new("inotify").unwrap();
        let inotify = Inotify::new().unwrap();
        let wd = inotify.add_watch(&dir, CREATE | MODIFY | DELETE).unwrap();
        assert!(!inotify.wait(Some(Duration::ZERO)).unwrap(), "nothing yet");
        std::fs::write(dir.join("f"), "x").unwrap();
        std::fs::remove_file(dir.join("f")).unwrap();
        assert!(inotify.wait(Some(Duration::from_secs(5))).unwrap());
        let mut buf = Vec::new();
        inotify.read_into(&mut buf).unwrap();
        let masks: Vec<u32> = events(&buf)
            .filter(|e| e.wd == wd && e.name == b"f")
            .map(|e| e.mask)
            .collect();
        assert_eq!(masks, vec![CREATE, MODIFY, DELETE]);
    }
}
