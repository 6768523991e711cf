//! The terminal's size, for `watch` (at start and on SIGWINCH).

/// Columns of the terminal on `fd`, or `None` when it is not a terminal or reports 0.
pub fn columns(fd: i32) -> Option<usize> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: (1) `size` is a live, writable winsize for the whole call, which is what
    // TIOCGWINSZ writes; (2) a bad or non-terminal `fd` makes ioctl fail with an error code
    // (ENOTTY, EBADF), which is handled below, never undefined behaviour.
    let rc = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut size as *mut libc::winsize) };
    (rc == 0 && size.ws_col > 0).then_some(usize::from(size.ws_col))
}
