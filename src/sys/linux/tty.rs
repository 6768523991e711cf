//! The terminal's size: for `watch` (at start and on SIGWINCH), and for a render that has
//! no `$COLUMNS` (the controlling terminal, else the nearest ancestor's terminal).

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

/// Columns of the terminal at `path` (`/dev/tty`, `/dev/pts/3`), opened for this call only:
/// read-only, non-blocking and with `O_NOCTTY`, so that opening it can never make it the
/// controlling terminal of a session leader (Claude Code starts its status line in a new
/// session). `None` when it cannot be opened or is not a terminal.
pub fn columns_of_path(path: &std::path::Path) -> Option<usize> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    columns(file.as_raw_fd())
}

/// The most ancestors [`ancestor_columns`] looks at.
pub const MAX_ANCESTORS: usize = 16;

/// The terminal of the nearest ancestor process that has one on its stdin, stdout or
/// stderr (`/proc/PID/fd/N` → `/dev/pts/N` or `/dev/ttyN`), and its columns: the width of
/// the window a program without a controlling terminal was started from (Claude Code keeps
/// its terminal; its status line runs in a session of its own). Walks parent links in
/// `/proc/PID/stat` from this process's parent, at most [`MAX_ANCESTORS`] steps, and stops
/// at `init`; processes it may not look into (another user's) are passed over.
pub fn ancestor_columns() -> Option<(u32, usize)> {
    let mut pid = parent_of("self")?;
    for _ in 0..MAX_ANCESTORS {
        if pid <= 1 {
            return None;
        }
        for fd in 0..3 {
            let link = std::fs::read_link(format!("/proc/{pid}/fd/{fd}"));
            let Ok(target) = link else { continue };
            if is_terminal_path(&target)
                && let Some(columns) = columns_of_path(&target)
            {
                return Some((pid, columns));
            }
        }
        pid = parent_of(&pid.to_string())?;
    }
    None
}

/// Whether `path` names a terminal device: a pseudo-terminal (`/dev/pts/N`) or a console
/// (`/dev/ttyN`, `/dev/ttySN`), not `/dev/tty` itself (that is the looker's own terminal).
fn is_terminal_path(path: &std::path::Path) -> bool {
    let Some(path) = path.to_str() else {
        return false;
    };
    path.strip_prefix("/dev/pts/")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        || path.strip_prefix("/dev/tty").is_some_and(|n| !n.is_empty())
}

/// The parent pid in `/proc/PROC/stat`: the field after the state, which follows the last
/// `)` (the command name in parentheses may itself hold `)` and spaces).
fn parent_of(proc: &str) -> Option<u32> {
    let stat = std::fs::read(format!("/proc/{proc}/stat")).ok()?;
    let close = stat.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(&stat[close + 1..]).ok()?;
    let mut fields = rest.split_ascii_whitespace();
    fields.next()?;
    fields.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_terminal_devices_count_as_a_terminal() {
        for yes in ["/dev/pts/0", "/dev/pts/17", "/dev/tty1", "/dev/ttyS0"] {
            assert!(is_terminal_path(yes.as_ref()), "{yes}");
        }
        for no in [
            "/dev/tty",
            "/dev/pts/",
            "/dev/pts/ptmx",
            "/dev/null",
            "pipe:[123]",
        ] {
            assert!(!is_terminal_path(no.as_ref()), "{no}");
        }
    }

    #[test]
    fn the_parent_of_this_process_is_the_one_std_reports() {
        assert_eq!(parent_of("self"), Some(std::os::unix::process::parent_id()));
    }

    #[test]
    fn a_path_that_is_not_a_terminal_has_no_columns() {
        assert_eq!(columns_of_path("/dev/null".as_ref()), None);
        assert_eq!(columns_of_path("/nonexistent/tty".as_ref()), None);
    }
}
