//! Monotonic stopwatches and wall-clock reads used by the engine and the widgets.
//!
//! `Instant` is the vDSO `clock_gettime(CLOCK_MONOTONIC)`: no syscall, no allocation.
//! Local time for the `time` widget comes from libc's `localtime_r`, which honours `TZ`
//! and `/etc/localtime` the way every other terminal tool does.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A broken-down local time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LocalTime {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// The local wall-clock time of `unix_seconds`, or UTC if the conversion fails.
pub fn local_time(unix_seconds: i64) -> LocalTime {
    let t = unix_seconds as _;
    // SAFETY: (1) `tm` is a plain C struct for which all-zero bytes are a valid value;
    let mut tm: libc::tm = unsafe { core::mem::zeroed() };
    // SAFETY: (1) both pointers are to live, properly aligned locals; (2) localtime_r is the
    // reentrant variant: it writes only into `tm` and is safe to call from any thread.
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if ok {
        LocalTime {
            hour: tm.tm_hour as u8,
            minute: tm.tm_min as u8,
            second: tm.tm_sec as u8,
        }
    } else {
        let day = unix_seconds.rem_euclid(86_400);
        LocalTime {
            hour: (day / 3600) as u8,
            minute: (day / 60 % 60) as u8,
            second: (day % 60) as u8,
        }
    }
}
