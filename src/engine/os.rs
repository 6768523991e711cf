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

/// The real user id of this process.
pub fn current_uid() -> u32 {
    // SAFETY: getuid(2) takes no arguments, cannot fail and touches no memory of ours.
    unsafe { libc::getuid() }
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
    Ok(ChildUsage {
        raw_status: status,
        user_micros: micros(usage.ru_utime),
        system_micros: micros(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as u64,
    })
}

/// Peak resident set size of this process so far, in KiB.
pub fn own_max_rss_kib() -> u64 {
    // SAFETY: `rusage` is valid when zeroed.
    let mut usage: libc::rusage = unsafe { core::mem::zeroed() };
    // SAFETY: the out-pointer is a live local; RUSAGE_SELF is always valid.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as u64
}
