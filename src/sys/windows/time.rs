//! Local time on Windows: the system's time zone rules (`SystemTimeToTzSpecificLocalTime`
//! with the current zone, daylight saving included).

use windows_sys::Win32::Foundation::{FILETIME, SYSTEMTIME};
use windows_sys::Win32::System::Time::{FileTimeToSystemTime, SystemTimeToTzSpecificLocalTime};

/// A wall-clock time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// 100 ns intervals between 1601-01-01 (FILETIME's epoch) and 1970-01-01.
const EPOCH_DIFFERENCE: i64 = 116_444_736_000_000_000;

/// The local time of day of `unix_seconds`, or `None` when Windows cannot convert it.
pub fn localtime(unix_seconds: i64) -> Option<TimeOfDay> {
    let ticks = unix_seconds
        .checked_mul(10_000_000)?
        .checked_add(EPOCH_DIFFERENCE)?;
    let ticks = u64::try_from(ticks).ok()?;
    let file_time = FILETIME {
        dwLowDateTime: ticks as u32,
        dwHighDateTime: (ticks >> 32) as u32,
    };
    // SAFETY: SYSTEMTIME is plain data, valid when zeroed.
    let (mut utc, mut local): (SYSTEMTIME, SYSTEMTIME) = unsafe { core::mem::zeroed() };
    // SAFETY: (1) every pointer is to a live local of the type the call reads or writes;
    // (2) a null time zone means the current one.
    let ok = unsafe {
        FileTimeToSystemTime(&file_time, &mut utc) != 0
            && SystemTimeToTzSpecificLocalTime(core::ptr::null(), &utc, &mut local) != 0
    };
    ok.then_some(TimeOfDay {
        hour: local.wHour as u8,
        minute: local.wMinute as u8,
        second: local.wSecond as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_of_day_is_in_range() {
        let time = localtime(1_700_000_000).expect("a representable time converts");
        assert!(time.hour < 24 && time.minute < 60, "{time:?}");
        assert_eq!(time.second, 20);
    }
}
