//! CPU affinity on macOS: there is none to set. Apple silicon has no API that pins a
//! thread to a core (`thread_policy_set`'s affinity tags are ignored there and are only
//! hints on Intel), so workers run where the scheduler puts them; `explain` and `bench`
//! say so instead of claiming pinned workers.

/// Pinning a thread to a CPU is not possible here.
pub const SUPPORTED: bool = false;

/// Which CPUs the thread may run on is not known here: `None` (the caller counts
/// `available_parallelism` instead).
pub fn allowed_cpus() -> Option<Vec<usize>> {
    None
}

/// Does nothing: a thread cannot be pinned on macOS (see [`SUPPORTED`]).
pub fn pin_to(_cpu: usize) {}
