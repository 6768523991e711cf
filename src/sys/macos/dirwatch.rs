//! Directory change wake-ups on macOS, over kqueue (`EVFILT_VNODE` on each directory,
//! opened with `O_EVTONLY` so a watch never keeps a volume from unmounting).
//!
//! The contract is the Linux back-end's (`linux/dirwatch.rs`, which the tests run): a
//! [`DirWatch`] says *that* a name in a watched directory was created, removed or renamed,
//! or that the directory itself went; never which name, and never that a file was written
//! in place (that changes the file's vnode, not the directory's). FSEvents would say more,
//! but it lives in CoreServices, which a binary linked without the macOS SDK cannot use.
//!
//! Each watch holds a descriptor: a caller watching many directories meets the process's
//! open-file limit (`EMFILE`, 256 by default for programs started from a terminal) and
//! must cope with watching fewer.

use std::collections::HashMap;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

/// What a directory's watch reports: its entries changed (`NOTE_WRITE`, `NOTE_LINK` for
/// a subdirectory made or removed), or the directory itself was removed, renamed or
/// revoked.
const NAME_EVENTS: u32 =
    libc::NOTE_WRITE | libc::NOTE_LINK | libc::NOTE_DELETE | libc::NOTE_RENAME | libc::NOTE_REVOKE;

/// How many events one `kevent` call takes off the queue.
const BATCH: usize = 64;

/// A set of watched directories and the queue of their changes.
pub struct DirWatch {
    queue: OwnedFd,
    /// The watched directories' descriptors, by number (a watch ends when its descriptor
    /// closes, which [`DirWatch::wait`] does once the directory is removed).
    dirs: HashMap<RawFd, OwnedFd>,
}

/// `fd` marked close-on-exec (kqueue takes no flags).
fn cloexec(fd: &OwnedFd) -> io::Result<()> {
    // SAFETY: F_SETFD with FD_CLOEXEC only changes the flags of a descriptor we own.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl DirWatch {
    pub fn new() -> io::Result<DirWatch> {
        // SAFETY: kqueue takes no arguments and touches no memory of ours.
        let fd = unsafe { libc::kqueue() };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the descriptor was just returned to us and nothing else owns it.
        let queue = unsafe { OwnedFd::from_raw_fd(fd) };
        cloexec(&queue)?;
        Ok(DirWatch {
            queue,
            dirs: HashMap::new(),
        })
    }

    /// Watches the directory `path` (not through a symlink). `ENOENT`/`ENOTDIR` when it
    /// is not a directory; `EMFILE` at the open-file limit.
    pub fn add(&mut self, path: &Path) -> io::Result<()> {
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        let flags = libc::O_EVTONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: `c_path` is a NUL-terminated string alive across the call, which the
        // kernel only reads.
        let fd = unsafe { libc::open(c_path.as_ptr(), flags) };
        if fd < 0 {
            let err = io::Error::last_os_error();
            // A symlink refused by O_NOFOLLOW is not a directory to watch.
            return Err(if err.raw_os_error() == Some(libc::ELOOP) {
                io::Error::from_raw_os_error(libc::ENOTDIR)
            } else {
                err
            });
        }
        // SAFETY: the descriptor was just returned to us and nothing else owns it.
        let dir = unsafe { OwnedFd::from_raw_fd(fd) };
        let change = libc::kevent {
            ident: dir.as_raw_fd() as libc::uintptr_t,
            filter: libc::EVFILT_VNODE,
            flags: libc::EV_ADD | libc::EV_CLEAR,
            fflags: NAME_EVENTS,
            data: 0,
            udata: std::ptr::null_mut(),
        };
        // SAFETY: (1) both descriptors are live; (2) `change` is one initialized struct,
        // matching the count 1, which the kernel only reads; (3) no event list is passed
        // (null, count 0) and a null timeout is allowed.
        let rc = unsafe {
            libc::kevent(
                self.queue.as_raw_fd(),
                &change,
                1,
                std::ptr::null_mut(),
                0,
                std::ptr::null(),
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        self.dirs.insert(dir.as_raw_fd(), dir);
        Ok(())
    }

    /// Waits until a watched directory changed or `timeout` passed (`None`: no limit),
    /// then empties the queue; whether anything changed. A signal ends the wait early
    /// with `false`.
    pub fn wait(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        let mut any = false;
        let mut wait = timeout.map(|t| libc::timespec {
            tv_sec: libc::time_t::try_from(t.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_nsec: t.subsec_nanos().into(),
        });
        loop {
            let mut events = [libc::kevent {
                ident: 0,
                filter: 0,
                flags: 0,
                fflags: 0,
                data: 0,
                udata: std::ptr::null_mut(),
            }; BATCH];
            let ts = wait.as_ref().map_or(std::ptr::null(), std::ptr::from_ref);
            // SAFETY: (1) the queue's descriptor is live; (2) no changes are passed
            // (null, count 0); (3) `events` is a live array of BATCH structs, the count
            // given, which the kernel writes; (4) `ts` is null or points at a live
            // timespec the kernel only reads.
            let n = unsafe {
                libc::kevent(
                    self.queue.as_raw_fd(),
                    std::ptr::null(),
                    0,
                    events.as_mut_ptr(),
                    BATCH as libc::c_int,
                    ts,
                )
            };
            if n < 0 {
                let err = io::Error::last_os_error();
                return match err.kind() {
                    io::ErrorKind::Interrupted => Ok(any),
                    _ => Err(err),
                };
            }
            if n == 0 {
                return Ok(any);
            }
            any = true;
            for event in &events[..n as usize] {
                if event.fflags & (libc::NOTE_DELETE | libc::NOTE_REVOKE) != 0 {
                    // Closing the descriptor also takes its event off the queue.
                    self.dirs.remove(&(event.ident as RawFd));
                }
            }
            // The queue is emptied without waiting again.
            wait = Some(libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            });
        }
    }
}
