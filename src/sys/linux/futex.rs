//! A futex wait with a timeout, for the frame owner waiting on its slow widgets.
//!
//! `atomic-wait` (used by the pool's workers) has no timeout, and the frame must never wait
//! past its deadline, so this calls `FUTEX_WAIT_PRIVATE` directly with a relative timeout.
//! The waker side is `atomic_wait::wake_all`, which issues the matching `FUTEX_WAKE_PRIVATE`.

use core::sync::atomic::AtomicU32;
use std::time::Duration;

/// Sleeps while `word == expected`, at most `timeout`. Spurious wake-ups are possible: the
/// caller re-checks its condition in a loop.
pub fn wait_timeout(word: &AtomicU32, expected: u32, timeout: Duration) {
    let ts = libc::timespec {
        tv_sec: timeout.as_secs().min(i64::MAX as u64) as _,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: (1) `word` is a live, 4-byte aligned atomic for the whole call (borrowed);
    // (2) `ts` is a live local timespec; (3) FUTEX_WAIT only reads both and may return early
    // (EINTR, EAGAIN when the value already changed, ETIMEDOUT), all handled by the caller's
    // loop; (4) the private flag matches atomic-wait's private wake.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            expected,
            &ts as *const libc::timespec,
        );
    }
}
