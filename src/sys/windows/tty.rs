//! The console's size on Windows, for `watch`.

use windows_sys::Win32::System::Console::{CONSOLE_SCREEN_BUFFER_INFO, GetConsoleScreenBufferInfo};

/// Columns of the console window on `fd` (1 or 2), or `None` when it is not a console.
pub fn columns(fd: i32) -> Option<usize> {
    let handle = super::os::std_handle(fd)?;
    // SAFETY: the info struct is plain data, valid when zeroed.
    let mut info: CONSOLE_SCREEN_BUFFER_INFO = unsafe { core::mem::zeroed() };
    // SAFETY: (1) `handle` is the process's own standard handle; (2) `info` is a live
    // local of the type the call writes; a non-console handle makes it return 0.
    let ok = unsafe { GetConsoleScreenBufferInfo(handle, &mut info) };
    let width = i32::from(info.srWindow.Right) - i32::from(info.srWindow.Left) + 1;
    (ok != 0 && width > 0).then_some(width as usize)
}
