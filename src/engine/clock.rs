//! Monotonic stopwatches and wall-clock reads used by the engine and the widgets.
//!
//! `Instant` is the vDSO `clock_gettime(CLOCK_MONOTONIC)`: no syscall, no allocation.
//! Local time for the `time` widget comes from `sys::time::localtime` (libc's
//! `localtime_r`, which honours `TZ` and `/etc/localtime` the way every other terminal tool
//! does).

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
    if let Some(time) = crate::sys::time::localtime(unix_seconds) {
        LocalTime {
            hour: time.hour,
            minute: time.minute,
            second: time.second,
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
