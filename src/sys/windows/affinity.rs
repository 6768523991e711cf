//! CPU affinity on Windows: the process's affinity mask, and a thread's (up to 64 CPUs,
//! the first processor group).

use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, GetCurrentThread, GetProcessAffinityMask, SetThreadAffinityMask,
};

/// Pinning a thread to a CPU works here (`SetThreadAffinityMask`).
pub const SUPPORTED: bool = true;

/// The CPUs this process may run on (`GetProcessAffinityMask`), ascending; `None` when
/// the call fails.
pub fn allowed_cpus() -> Option<Vec<usize>> {
    let (mut process, mut system) = (0usize, 0usize);
    // SAFETY: (1) the pseudo-handle of the current process needs no closing; (2) both
    // out-pointers are live locals of the type the call writes.
    let ok = unsafe { GetProcessAffinityMask(GetCurrentProcess(), &mut process, &mut system) };
    if ok == 0 || process == 0 {
        return None;
    }
    Some(
        (0..usize::BITS as usize)
            .filter(|&cpu| process & (1 << cpu) != 0)
            .collect(),
    )
}

/// Pins the calling thread to `cpu`. Failure (a `cpu` outside the mask) is ignored: an
/// unpinned thread is slower to wake, never wrong.
pub fn pin_to(cpu: usize) {
    if cpu >= usize::BITS as usize {
        return;
    }
    // SAFETY: the pseudo-handle of the current thread needs no closing, and the call
    // takes plain values.
    unsafe {
        SetThreadAffinityMask(GetCurrentThread(), 1 << cpu);
    }
}
