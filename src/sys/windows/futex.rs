//! The futex on Windows: `WaitOnAddress` and `WakeByAddressSingle`/`All` (Windows 8 and
//! later), which compare and wake by the word's address like Linux's futex.

use core::sync::atomic::AtomicU32;
use std::time::Duration;

use windows_sys::Win32::System::Threading::{WaitOnAddress, WakeByAddressAll, WakeByAddressSingle};

/// `INFINITE`: no time limit.
const INFINITE: u32 = u32::MAX;

fn wait_on(word: &AtomicU32, expected: u32, millis: u32) {
    // SAFETY: (1) `word` is a live, aligned 4-byte atomic for the whole call (borrowed);
    // (2) `expected` is a live local of the same size as the size passed; (3) the call
    // only reads both and returns early on a changed value, a spurious wake or the
    // timeout, which every caller's loop handles.
    unsafe {
        WaitOnAddress(
            word.as_ptr().cast_const().cast(),
            (&expected as *const u32).cast(),
            core::mem::size_of::<u32>(),
            millis,
        );
    }
}

/// Sleeps while `word == expected`. Spurious wake-ups are possible: the caller re-checks
/// its condition in a loop.
pub fn wait(word: &AtomicU32, expected: u32) {
    wait_on(word, expected, INFINITE);
}

/// Sleeps while `word == expected`, at most `timeout` (rounded up to a millisecond).
pub fn wait_timeout(word: &AtomicU32, expected: u32, timeout: Duration) {
    let millis = timeout
        .as_nanos()
        .div_ceil(1_000_000)
        .min(u128::from(INFINITE - 1)) as u32;
    wait_on(word, expected, millis);
}

/// Wakes one thread sleeping on `word`, if any.
pub fn wake_one(word: &AtomicU32) {
    // SAFETY: the address is only used as a key; nothing is read or written through it.
    unsafe { WakeByAddressSingle(word.as_ptr().cast_const().cast()) }
}

/// Wakes every thread sleeping on `word`.
pub fn wake_all(word: &AtomicU32) {
    // SAFETY: the address is only used as a key; nothing is read or written through it.
    unsafe { WakeByAddressAll(word.as_ptr().cast_const().cast()) }
}
