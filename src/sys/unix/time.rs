//! Local time from libc's `localtime_r`, which honours `TZ` and `/etc/localtime` the way
//! every other terminal tool does.

/// A wall-clock time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// The local time of day of `unix_seconds`, or `None` when libc cannot convert it.
pub fn localtime(unix_seconds: i64) -> Option<TimeOfDay> {
    let t: libc::time_t = unix_seconds as _;
    // SAFETY: (1) `tm` is a plain C struct for which all-zero bytes are a valid value;
    let mut tm: libc::tm = unsafe { core::mem::zeroed() };
    // SAFETY: (1) both pointers are to live, properly aligned locals; (2) localtime_r is the
    // reentrant variant: it writes only into `tm` and is safe to call from any thread.
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    ok.then_some(TimeOfDay {
        hour: tm.tm_hour as u8,
        minute: tm.tm_min as u8,
        second: tm.tm_sec as u8,
    })
}

/// The local time's offset from UTC at `unix_seconds`, in seconds east of Greenwich (`TZ`
/// and `/etc/localtime`, as `localtime_r` sees them); 0 when libc cannot convert it.
pub fn utc_offset(unix_seconds: i64) -> i64 {
    let t: libc::time_t = unix_seconds as _;
    // SAFETY: (1) `tm` is a plain C struct for which all-zero bytes are a valid value;
    let mut tm: libc::tm = unsafe { core::mem::zeroed() };
    // SAFETY: (1) both pointers are to live, properly aligned locals; (2) localtime_r is the
    // reentrant variant: it writes only into `tm` and is safe to call from any thread.
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if ok { tm.tm_gmtoff as i64 } else { 0 }
}

/// Makes `zone` (an IANA name like `Asia/Tokyo`, or `UTC`) this process's local time zone.
/// Only for single-threaded start-up: it sets `TZ`, which other threads may be reading.
pub fn set_time_zone(zone: &str) {
    // SAFETY: (1) called by the `usage` command before it starts any thread, so no other
    // thread reads the environment while it changes; (2) tzset only re-reads `TZ`.
    unsafe {
        std::env::set_var("TZ", zone);
    }
    unsafe extern "C" {
        fn tzset();
    }
    // SAFETY: tzset takes no arguments and only updates libc's time zone globals, which
    // localtime_r reads under libc's own lock.
    unsafe { tzset() };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_of_day_is_in_range() {
        let time = localtime(1_700_000_000).expect("a representable time converts");
        assert!(
            time.hour < 24 && time.minute < 60 && time.second < 61,
            "{time:?}"
        );
        // Time zones differ by whole or half hours (a few by 45 minutes), never by seconds.
        assert_eq!(time.second, 20);
    }
}
