//! Waiting on several pipes at once (`poll(2)`), making a pipe non-blocking, and a waker
//! (a self-pipe) that ends a wait from another thread or a signal handler. The command
//! supervisor (`engine/children.rs`) multiplexes every running child's stdin and stdout
//! through these on one thread.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// Sets `O_NONBLOCK` on `fd`: a read or write that would wait fails with `WouldBlock`.
/// Only this side's open file description changes: the child's end of a pipe is its own.
pub fn set_nonblocking(fd: &impl AsRawFd) -> std::io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY: fcntl(2) with F_GETFL takes plain integers and touches no memory of ours; a
    // bad fd is reported as -1.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: as above: F_SETFL with an integer argument reads and writes no memory.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// One descriptor to wait on, and after [`poll`] what it is ready for.
#[derive(Clone, Copy, Debug)]
pub struct Interest {
    pub fd: RawFd,
    pub read: bool,
    pub write: bool,
    /// Set by [`poll`]: readable, writable, hung up or in error (each is worth one
    /// non-blocking attempt, which then says which).
    pub ready: bool,
}

impl Interest {
    pub fn read(fd: &impl AsRawFd) -> Interest {
        Interest {
            fd: fd.as_raw_fd(),
            read: true,
            write: false,
            ready: false,
        }
    }

    pub fn write(fd: &impl AsRawFd) -> Interest {
        Interest {
            fd: fd.as_raw_fd(),
            read: false,
            write: true,
            ready: false,
        }
    }
}

/// Waits until one of `interests` is ready or `timeout` (forever when `None`) passes, and
/// marks the ready ones. An interrupted wait (`EINTR`) returns with none marked.
pub fn poll(interests: &mut [Interest], timeout: Option<Duration>) -> std::io::Result<()> {
    let mut fds = Vec::with_capacity(interests.len());
    fds.extend(interests.iter().map(|i| libc::pollfd {
        fd: i.fd,
        events: if i.read { libc::POLLIN } else { 0 } | if i.write { libc::POLLOUT } else { 0 },
        revents: 0,
    }));
    // Rounded up, so a wait never ends before its deadline and spins.
    let millis = timeout.map_or(-1, |t| {
        i32::try_from(t.as_micros().div_ceil(1000)).unwrap_or(i32::MAX)
    });
    // SAFETY: (1) `fds` is a live, writable buffer of exactly `fds.len()` pollfd structs
    // for the whole call; (2) poll writes only their `revents`; (3) a bad fd is reported
    // as POLLNVAL in `revents`, never UB.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, millis) };
    if rc < 0 {
        let err = std::io::Error::last_os_error();
        return match err.kind() {
            std::io::ErrorKind::Interrupted => Ok(()),
            _ => Err(err),
        };
    }
    for (interest, fd) in interests.iter_mut().zip(&fds) {
        interest.ready = fd.revents != 0;
    }
    Ok(())
}

/// A self-pipe: [`Waker::wake`] (or a signal handler writing to [`Waker::write_fd`]) makes
/// the read end readable, which ends a [`poll`] that includes [`Waker::interest`].
pub struct Waker {
    read: std::io::PipeReader,
    write: std::io::PipeWriter,
}

impl Waker {
    pub fn new() -> std::io::Result<Waker> {
        let (read, write) = std::io::pipe()?;
        set_nonblocking(&read)?;
        set_nonblocking(&write)?;
        Ok(Waker { read, write })
    }

    /// Makes the next (or current) wait end. A full pipe already says so: nothing lost.
    pub fn wake(&self) {
        let _ = (&self.write).write(&[1]);
    }

    /// Empties the pipe, so the next wait waits again.
    pub fn drain(&self) {
        let mut buf = [0u8; 64];
        while matches!((&self.read).read(&mut buf), Ok(n) if n > 0) {}
    }

    pub fn interest(&self) -> Interest {
        Interest::read(&self.read)
    }

    /// The write end, for `signal_hook::low_level::pipe::register`.
    pub fn write_fd(&self) -> RawFd {
        self.write.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{Interest, Waker, poll};

    #[test]
    fn a_wake_ends_a_wait_and_a_drain_rearms_it() {
        let waker = Waker::new().unwrap();
        waker.wake();
        let mut set = [waker.interest()];
        poll(&mut set, Some(Duration::from_secs(5))).unwrap();
        assert!(set[0].ready);
        waker.drain();
        let started = Instant::now();
        poll(&mut set, Some(Duration::from_millis(20))).unwrap();
        assert!(!set[0].ready);
        assert!(started.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn a_pipe_with_room_is_writable_at_once() {
        let (_read, write) = std::io::pipe().unwrap();
        let mut set = [Interest::write(&write)];
        poll(&mut set, Some(Duration::from_secs(5))).unwrap();
        assert!(set[0].ready);
    }
}
