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
