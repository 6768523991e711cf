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
