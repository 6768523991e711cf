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

/// Set by [`set_time_zone`] with a UTC name: local time is then UTC.
static UTC_ZONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The local time's offset from UTC at `unix_seconds`, in seconds east of Greenwich (the
/// system's time zone rules); 0 when Windows cannot convert it.
pub fn utc_offset(unix_seconds: i64) -> i64 {
    if UTC_ZONE.load(std::sync::atomic::Ordering::Relaxed) {
        return 0;
    }
    let Some(ticks) = unix_seconds
        .checked_mul(10_000_000)
        .and_then(|t| t.checked_add(EPOCH_DIFFERENCE))
        .and_then(|t| u64::try_from(t).ok())
    else {
        return 0;
    };
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
    if !ok {
        return 0;
    }
    let seconds = |t: &SYSTEMTIME| {
        let day = days_from_civil(t.wYear as i64, t.wMonth as i64, t.wDay as i64);
        day * 86_400 + t.wHour as i64 * 3600 + t.wMinute as i64 * 60 + t.wSecond as i64
    };
    seconds(&local) - seconds(&utc)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Makes `zone` this process's local time zone. Windows has no IANA time zone database:
/// only the UTC names (`UTC`, `GMT`, `Etc/UTC`, `Etc/GMT`, `Z`) are honoured; any other
/// zone keeps the system's (the `usage` command refuses such names before calling this).
pub fn set_time_zone(zone: &str) {
    if matches!(zone, "UTC" | "GMT" | "Etc/UTC" | "Etc/GMT" | "Z") {
        UTC_ZONE.store(true, std::sync::atomic::Ordering::Relaxed);
    }
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

    #[test]
    fn the_offset_is_whole_minutes_within_a_day_and_utc_makes_it_zero() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2023, 11, 14), 19_675);
        let offset = utc_offset(1_700_000_000);
        assert!(offset.abs() < 86_400 && offset % 60 == 0, "{offset}");
        set_time_zone("UTC");
        assert_eq!(utc_offset(1_700_000_000), 0);
    }
}
