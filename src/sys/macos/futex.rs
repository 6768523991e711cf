//! The futex on macOS: `__ulock_wait`/`__ulock_wake` from libSystem (since macOS 10.12),
//! the calls libc++'s `std::atomic::wait` and Rust's own parking are built on. Every
//! waiter and waker of a word goes through this module, so they agree on the operation
//! (`UL_COMPARE_AND_WAIT`: compare a 32-bit word, wake by its address).

use core::ffi::c_void;
use core::sync::atomic::AtomicU32;
use std::time::Duration;

/// Compare the 32-bit word at the address with the value, sleep while equal.
const UL_COMPARE_AND_WAIT: u32 = 1;
/// Wake every waiter, not just one.
const ULF_WAKE_ALL: u32 = 0x0000_0100;
/// Return errors as negative values instead of through `errno`.
const ULF_NO_ERRNO: u32 = 0x0100_0000;

unsafe extern "C" {
    /// Sleeps while `*addr == value`, at most `timeout_us` microseconds (0: no limit).
    fn __ulock_wait(operation: u32, addr: *mut c_void, value: u64, timeout_us: u32) -> i32;
    /// Wakes waiters on `addr`.
    fn __ulock_wake(operation: u32, addr: *mut c_void, wake_value: u64) -> i32;
}

fn ulock_wait(word: &AtomicU32, expected: u32, timeout_us: u32) {
    // SAFETY: (1) `word` is a live, 4-byte aligned atomic for the whole call (borrowed),
    // and the kernel only reads it; (2) the call returns early on a changed value, a
    // signal or the timeout, which every caller's loop handles.
    unsafe {
        __ulock_wait(
            UL_COMPARE_AND_WAIT | ULF_NO_ERRNO,
            word.as_ptr().cast(),
            u64::from(expected),
            timeout_us,
        );
    }
}

/// Sleeps while `word == expected`. Spurious wake-ups are possible: the caller re-checks
/// its condition in a loop.
pub fn wait(word: &AtomicU32, expected: u32) {
    ulock_wait(word, expected, 0);
}

/// Sleeps while `word == expected`, at most `timeout` (rounded up to a microsecond; 0
/// would mean "no limit", so a zero timeout does not sleep at all).
pub fn wait_timeout(word: &AtomicU32, expected: u32, timeout: Duration) {
    let micros = timeout.as_nanos().div_ceil(1000).min(u128::from(u32::MAX)) as u32;
    if micros == 0 {
        return;
    }
    ulock_wait(word, expected, micros);
}

fn ulock_wake(word: &AtomicU32, flags: u32) {
    // SAFETY: (1) `word` is live for the call; the kernel uses its address only as a key
    // and touches no memory; (2) waking with no waiter returns ENOENT, which is ignored.
    unsafe {
        __ulock_wake(
            UL_COMPARE_AND_WAIT | ULF_NO_ERRNO | flags,
            word.as_ptr().cast(),
            0,
        );
    }
}

/// Wakes one thread sleeping on `word`, if any.
pub fn wake_one(word: &AtomicU32) {
    ulock_wake(word, 0);
}

/// Wakes every thread sleeping on `word`.
pub fn wake_all(word: &AtomicU32) {
    ulock_wake(word, ULF_WAKE_ALL);
}
