//! CPU affinity: which CPUs this process may run on, and pinning a thread to one.

/// Pinning a thread to a CPU works here (`sched_setaffinity`).
pub const SUPPORTED: bool = true;

/// The CPUs the calling thread may run on (from `sched_getaffinity`), in ascending order;
/// `None` when the call fails.
pub fn allowed_cpus() -> Option<Vec<usize>> {
    // SAFETY: (1) `cpu_set_t` is a plain bit array, valid when zeroed; (2) the pointer and
    // size passed describe exactly that local; (3) pid 0 means the calling thread.
    let (ok, set) = unsafe {
        let mut set: libc::cpu_set_t = core::mem::zeroed();
        let rc = libc::sched_getaffinity(0, core::mem::size_of::<libc::cpu_set_t>(), &mut set);
        (rc == 0, set)
    };
    if !ok {
        return None;
    }
    let cpus = (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `CPU_ISSET` only reads the bit array for an index below CPU_SETSIZE.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect();
    Some(cpus)
}

/// Pins the calling thread to `cpu`. Failure (e.g. a restricted container, or a `cpu` at
/// or above `CPU_SETSIZE`) is ignored: an unpinned thread is slower to wake, never wrong.
pub fn pin_to(cpu: usize) {
    if cpu >= libc::CPU_SETSIZE as usize {
        return;
    }
    // SAFETY: (1) the zeroed set is valid; (2) `CPU_SET` writes one bit below CPU_SETSIZE
    // (checked above); (3) the syscall reads `size_of::<cpu_set_t>()` bytes of that local;
    // pid 0 is the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = core::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, core::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_pinned_to_an_allowed_cpu_is_allowed_only_that_cpu() {
        let cpus = allowed_cpus().expect("sched_getaffinity works for this thread");
        assert!(!cpus.is_empty());
        let last = *cpus.last().unwrap();
        let pinned = std::thread::spawn(move || {
            pin_to(last);
            allowed_cpus()
        })
        .join()
        .unwrap();
        assert_eq!(pinned, Some(vec![last]));
    }
}
