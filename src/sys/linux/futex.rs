//! The futex: sleeping on an `AtomicU32` while it holds an expected value, with or without
//! a timeout, and waking sleepers. The one wrapper the engine's `WaitWord` (pool parking,
//! the frame's wait for its slow widgets) and `watch`'s writer use, on every platform:
//! Linux calls `futex(2)` with the private flag (the word never leaves the process).

use core::sync::atomic::AtomicU32;
use std::time::Duration;

fn futex(word: &AtomicU32, op: libc::c_int, value: u32, timeout: Option<&libc::timespec>) {
    let ts = timeout.map_or(core::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: (1) `word` is a live, 4-byte aligned atomic for the whole call (borrowed);
    // (2) `ts` is null or points to a timespec borrowed for the call; (3) FUTEX_WAIT only
    // reads both and may return early (EINTR, EAGAIN when the value already changed,
    // ETIMEDOUT), which every caller's loop handles; FUTEX_WAKE ignores the timeout;
    // (4) waiters and wakers all pass FUTEX_PRIVATE_FLAG.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            op | libc::FUTEX_PRIVATE_FLAG,
            value,
            ts,
        );
    }
}

/// Sleeps while `word == expected`. Spurious wake-ups are possible: the caller re-checks
/// its condition in a loop.
// The loom build replaces the engine's futex with loom's own parking (`engine::sync`).
#[cfg_attr(crossbeam_loom, allow(dead_code))]
pub fn wait(word: &AtomicU32, expected: u32) {
    futex(word, libc::FUTEX_WAIT, expected, None);
}

/// Sleeps while `word == expected`, at most `timeout` (relative). Spurious wake-ups are
/// possible: the caller re-checks its condition in a loop.
pub fn wait_timeout(word: &AtomicU32, expected: u32, timeout: Duration) {
    let ts = libc::timespec {
        tv_sec: timeout.as_secs().min(i64::MAX as u64) as _,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    futex(word, libc::FUTEX_WAIT, expected, Some(&ts));
}

/// Wakes one thread sleeping on `word`, if any.
#[cfg_attr(crossbeam_loom, allow(dead_code))]
pub fn wake_one(word: &AtomicU32) {
    futex(word, libc::FUTEX_WAKE, 1, None);
}

/// Wakes every thread sleeping on `word`.
pub fn wake_all(word: &AtomicU32) {
    futex(word, libc::FUTEX_WAKE, i32::MAX as u32, None);
}
