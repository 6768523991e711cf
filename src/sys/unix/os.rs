//! Thin safe wrappers over the few libc calls the rest of the crate needs.

/// Sends SIGKILL to every process of the process group `pgid` (a child started with
/// `process_group(0)` leads a group whose id is its pid). Errors (the group is gone) are
/// ignored: the goal is that nothing of it runs on.
pub fn kill_process_group(pgid: u32) {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return;
    };
    if pgid > 1 {
        // SAFETY: kill(2) takes plain integers and touches no memory of ours; a negative
        // pid addresses the group `pgid`, and `pgid > 1` rules out "every process" (-1).
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// Makes `command`'s child lead a process group of its own, so that a terminal's
/// signals (Ctrl-C) do not reach it and [`kill_process_group`] ends it with everything it
/// started.
pub fn own_process_group(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

/// Makes `command`'s child get SIGKILL when the thread that spawns it ends (Linux's
/// `PR_SET_PDEATHSIG`): the thread's exit, and so the whole process's, even by SIGKILL,
/// takes the child with it. Spawn from a thread that lives as long as the process (it
/// fires when the spawning *thread* exits). A child whose parent is already gone when it
/// starts fails to start. Elsewhere nothing is set: the caller's own clean-up is all.
pub fn die_with_spawning_thread(command: &mut std::process::Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: getpid(2) takes no arguments, cannot fail and touches no memory of ours.
        let parent = unsafe { libc::getpid() };
        // SAFETY: (1) the closure runs in the forked child before exec and calls only
        // prctl(2) and getppid(2), which are async-signal-safe and allocate nothing;
        // (2) it touches no memory but the copied `parent` integer.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent died between fork and prctl: the signal will never come.
                if libc::getppid() != parent {
                    return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

/// True when the reader of the pipe, socket or terminal on `fd` is gone: `poll(2)` reports
/// `POLLERR` (a pipe whose read end is closed) or `POLLHUP` (a hung-up terminal or socket)
/// without waiting. A writer that writes only when something changes learns this way that
/// nobody reads, before it has anything to write. False for files, which never hang up,
/// and when poll itself fails.
pub fn output_hung_up(fd: i32) -> bool {
    let mut pollfd = libc::pollfd {
        fd,
        // POLLERR and POLLHUP are always reported; asking for nothing else keeps a
        // writable or readable fd from counting.
        events: 0,
        revents: 0,
    };
    // SAFETY: (1) `pollfd` is a live, writable local for the whole call and the count is 1,
    // so poll reads and writes exactly that struct; (2) a timeout of 0 makes it return at
    // once; (3) a bad fd is reported in `revents` (POLLNVAL) or as -1, never UB.
    let rc = unsafe { libc::poll(&mut pollfd, 1, 0) };
    rc > 0 && pollfd.revents & (libc::POLLERR | libc::POLLHUP) != 0
}

/// Makes the terminal (or the pipe to it) ready for escape sequences: nothing to do on
/// Unix, where every terminal reads them.
#[inline]
pub fn prepare_output() {}

/// The real user id of this process.
pub fn current_uid() -> u32 {
    // SAFETY: getuid(2) takes no arguments, cannot fail and touches no memory of ours.
    unsafe { libc::getuid() }
}

/// The effective user id of this process (whose files git trusts as the user's own).
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid(2) takes no arguments, cannot fail and touches no memory of ours.
    unsafe { libc::geteuid() }
}

/// Resources a reaped child used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChildUsage {
    /// Exit status as `waitpid` reports it (use `libc::WIFEXITED` etc. semantics).
    pub raw_status: i32,
    pub user_micros: u64,
    pub system_micros: u64,
    /// Peak resident set size in KiB.
    pub max_rss_kib: u64,
}

/// Waits for child `pid` and returns its resource usage (`wait4(2)`).
pub fn wait_child(pid: u32) -> std::io::Result<ChildUsage> {
    let mut status = 0;
    // SAFETY: (1) `rusage` is a plain C struct for which all-zero bytes are valid;
    let mut usage: libc::rusage = unsafe { core::mem::zeroed() };
    loop {
        // SAFETY: (1) both out-pointers are to live locals; (2) wait4 writes only through
        // them; (3) a pid that is not our child is reported as ECHILD, not UB.
        let rc = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        if rc >= 0 {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let micros = |tv: libc::timeval| tv.tv_sec as u64 * 1_000_000 + tv.tv_usec as u64;
    // Linux reports `ru_maxrss` in KiB, macOS in bytes.
    let rss_unit = if cfg!(target_os = "macos") { 1024 } else { 1 };
    Ok(ChildUsage {
        raw_status: status,
        user_micros: micros(usage.ru_utime),
        system_micros: micros(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as u64 / rss_unit,
    })
}

/// Swaps the files at `a` and `b` in one atomic step: a reader opening either path sees
/// one file or the other, never a missing one. Unlike a rename over an existing file, no
/// inode is freed, which on ext4 is most of a replacing rename's cost. Linux does it with
/// `renameat2(2)`'s `RENAME_EXCHANGE`, macOS with `renamex_np(2)`'s `RENAME_SWAP` (APFS).
/// Fails with `ENOENT` when either path is missing, and with `EINVAL` or `ENOTSUP` where
/// the file system cannot exchange; callers fall back to a rename.
pub fn exchange_paths(a: &std::path::Path, b: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &std::path::Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    if exchange_c(&a, &b) == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(target_os = "linux")]
fn exchange_c(a: &std::ffi::CStr, b: &std::ffi::CStr) -> libc::c_long {
    // The raw system call, not libc's wrapper: older musl releases have no `renameat2`.
    // SAFETY: (1) both pointers come from live `CStr`s, so they are valid and
    // NUL-terminated for the duration of the call; (2) renameat2 only reads them;
    // (3) AT_FDCWD resolves relative paths against the working directory as rename(2) does;
    // (4) every argument has the width the kernel expects (ints and pointers).
    unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    }
}

#[cfg(target_os = "macos")]
fn exchange_c(a: &std::ffi::CStr, b: &std::ffi::CStr) -> libc::c_long {
    // SAFETY: (1) both pointers come from live `CStr`s, valid and NUL-terminated for the
    // call; (2) renamex_np only reads them; (3) RENAME_SWAP is a documented flag.
    libc::c_long::from(unsafe { libc::renamex_np(a.as_ptr(), b.as_ptr(), libc::RENAME_SWAP) })
}

/// The file system type of the mount holding `path` (`statfs(2)`'s `f_type`, e.g.
/// `0x6969` for NFS). Linux only: the magic numbers are Linux's (the inotify watcher
/// uses them to refuse network file systems).
#[cfg(target_os = "linux")]
pub fn file_system_type(path: &std::path::Path) -> std::io::Result<i64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    // SAFETY: `statfs` is a plain C struct for which all-zero bytes are valid.
    let mut fs: libc::statfs = unsafe { core::mem::zeroed() };
    // SAFETY: (1) `c_path` is NUL-terminated and alive across the call, which only reads
    // it; (2) the out-pointer is a live local of the type statfs writes.
    let rc = unsafe { libc::statfs(c_path.as_ptr(), &mut fs) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // `f_type`'s width differs between libcs
    Ok(fs.f_type as i64)
}

/// Writes all of `bytes` to `fd`, looping only on a short write or EINTR. A closed pipe
/// (EPIPE) is returned as an error for the caller to treat quietly.
pub fn write_all_fd(fd: i32, bytes: &[u8]) -> std::io::Result<()> {
    let mut rest = bytes;
    while !rest.is_empty() {
        // SAFETY: (1) `rest` is a live slice, valid for `rest.len()` bytes; (2) write(2)
        // only reads from it; (3) an invalid `fd` is reported as EBADF, not UB.
        let n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        rest = &rest[n as usize..];
    }
    Ok(())
}

#[cfg(test)]
mod exchange_tests {
    #[test]
    fn exchanging_swaps_the_contents_of_two_paths() {
        let dir = crate::tempdir::TempDir::new("exchange").unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::write(&a, b"first").unwrap();
        std::fs::write(&b, b"second").unwrap();
        super::exchange_paths(&a, &b).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"second");
        assert_eq!(std::fs::read(&b).unwrap(), b"first");
        let err = super::exchange_paths(&a, &dir.join("missing")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_pipe_hangs_up_once_its_reader_is_closed() {
        let (reader, writer) = std::io::pipe().unwrap();
        assert!(!output_hung_up(writer.as_raw_fd()));
        drop(reader);
        assert!(output_hung_up(writer.as_raw_fd()));
    }

    #[test]
    fn a_file_never_hangs_up() {
        let file = std::fs::File::open("/dev/null").unwrap();
        assert!(!output_hung_up(file.as_raw_fd()));
    }
}
