//! Processes, users and outputs on Windows.

use std::io::Write;

use windows_sys::Win32::Foundation::CloseHandle;
use windows_sys::Win32::System::Console::{
    ENABLE_VIRTUAL_TERMINAL_PROCESSING, GetConsoleMode, GetStdHandle, STD_ERROR_HANDLE,
    STD_OUTPUT_HANDLE, SetConsoleMode,
};
use windows_sys::Win32::System::Threading::{
    CREATE_NEW_PROCESS_GROUP, CREATE_NO_WINDOW, DETACHED_PROCESS, OpenProcess, PROCESS_TERMINATE,
    TerminateProcess,
};

/// Starts `command`'s child detached: no console of its own and no window
/// (`DETACHED_PROCESS | CREATE_NO_WINDOW`), in a new process group so a console's Ctrl-C
/// does not reach it.
///
/// This process's own standard handles stop being inheritable first: CreateProcess hands
/// every inheritable handle to the child, so a detached refresher would otherwise keep
/// the caller's stdout pipe open, and a caller reading the line to its end (tmux `#()`,
/// a script, a test) would wait for the refresher to exit. Handles given to a child
/// explicitly (`Stdio`) are duplicated for it and are not affected.
pub fn own_process_group(command: &mut std::process::Command) {
    use std::os::windows::process::CommandExt;
    use windows_sys::Win32::Foundation::{HANDLE_FLAG_INHERIT, SetHandleInformation};
    use windows_sys::Win32::System::Console::STD_INPUT_HANDLE;
    for which in [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE] {
        // SAFETY: (1) GetStdHandle returns a handle owned by the process, or null or
        // INVALID_HANDLE_VALUE, for which SetHandleInformation just fails; (2) clearing
        // the inherit flag changes no other property of the handle.
        unsafe {
            SetHandleInformation(GetStdHandle(which), HANDLE_FLAG_INHERIT, 0);
        }
    }
    command.creation_flags(DETACHED_PROCESS | CREATE_NO_WINDOW | CREATE_NEW_PROCESS_GROUP);
}

/// Windows has no parent-death signal: the caller's own clean-up is all.
pub fn die_with_spawning_thread(_command: &mut std::process::Command) {}

/// Ends the process `pid` (`TerminateProcess`). Windows has no process groups: processes
/// it started itself are not ended with it. Errors (it is gone) are ignored.
pub fn kill_process_group(pid: u32) {
    // SAFETY: (1) OpenProcess takes plain values and returns null on failure; (2) a
    // non-null handle is ours to use and is closed exactly once below.
    unsafe {
        let handle = OpenProcess(PROCESS_TERMINATE, 0, pid);
        if !handle.is_null() {
            TerminateProcess(handle, 1);
            CloseHandle(handle);
        }
    }
}

/// Turns on escape sequences (`ENABLE_VIRTUAL_TERMINAL_PROCESSING`) when stdout is a
/// console, so colours show instead of raw `ESC[` codes. A pipe or file is left alone.
pub fn prepare_output() {
    // SAFETY: (1) GetStdHandle returns a handle owned by the process (not to be closed)
    // or null/invalid, which GetConsoleMode rejects; (2) `mode` is a live local the call
    // writes; (3) SetConsoleMode takes plain values.
    unsafe {
        let handle = GetStdHandle(STD_OUTPUT_HANDLE);
        let mut mode = 0;
        if GetConsoleMode(handle, &mut mode) != 0 {
            SetConsoleMode(handle, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
        }
    }
}

/// Whether the reader of `fd` is gone cannot be asked without writing on Windows: false.
/// A closed pipe shows as an error of the next write instead.
pub fn output_hung_up(_fd: i32) -> bool {
    false
}

/// There are no numeric user ids on Windows: every file counts as the user's own
/// (`fs::owner` is `None`, so callers skip owner checks).
pub fn current_uid() -> u32 {
    0
}

/// See [`current_uid`].
pub fn effective_uid() -> u32 {
    0
}

/// Resources a reaped child used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChildUsage {
    /// The exit code (0 for success).
    pub raw_status: i32,
    pub user_micros: u64,
    pub system_micros: u64,
    /// Peak resident set size in KiB.
    pub max_rss_kib: u64,
}

/// Waiting for a child by pid with its resource usage is a Unix call (`wait4`): on
/// Windows this reports `Unsupported` (the whole-process bench says so).
pub fn wait_child(_pid: u32) -> std::io::Result<ChildUsage> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "timing child processes is not supported on this platform",
    ))
}

/// Windows cannot exchange two paths in one step: `Unsupported`, and callers fall back
/// to a rename (`MoveFileExW` with `MOVEFILE_REPLACE_EXISTING`, atomic on NTFS).
pub fn exchange_paths(_a: &std::path::Path, _b: &std::path::Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Writes all of `bytes` to standard output (`fd` 1) or standard error (2) with one
/// write through std, which converts to UTF-16 for a console; other descriptors do not
/// exist on Windows (`Unsupported`).
pub fn write_all_fd(fd: i32, bytes: &[u8]) -> std::io::Result<()> {
    match fd {
        1 => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()
        }
        2 => std::io::stderr().lock().write_all(bytes),
        _ => Err(std::io::Error::from(std::io::ErrorKind::Unsupported)),
    }
}

/// The console handle behind `fd` 1 or 2, for `tty`.
pub(super) fn std_handle(fd: i32) -> Option<windows_sys::Win32::Foundation::HANDLE> {
    let which = match fd {
        1 => STD_OUTPUT_HANDLE,
        2 => STD_ERROR_HANDLE,
        _ => return None,
    };
    // SAFETY: GetStdHandle takes a plain value; the handle is the process's own.
    let handle = unsafe { GetStdHandle(which) };
    (!handle.is_null()).then_some(handle)
}
