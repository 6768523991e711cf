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

#[cfg(target_os = "linux")]
/// The most ancestors [`ancestor_columns`] looks at: Claude Code is the first or second
/// (`sh -c` may stay between), a wrapper script adds one or two.
pub const MAX_ANCESTORS: usize = 4;

#[cfg(target_os = "linux")]
/// The terminal of the nearest ancestor process that has one, and its columns: the width
/// of the window a program without a controlling terminal was started from (Claude Code
/// keeps its terminal and starts its status line in a session of its own).
///
/// The walk follows parent links in `/proc/PID/stat` from this process's parent. Ancestors
/// in this process's own session are passed over: the session has no controlling terminal
/// (else `/dev/tty` would have answered), and reading their descriptors would cost three
/// system calls each for nothing in the case this serves. The first ancestor in another
/// session is the one that started this session (Claude Code): its terminal is its
/// controlling terminal (`tty_nr` in the same `stat`), else a terminal on its stdin,
/// stdout or stderr (`/proc/PID/fd/N` → `/dev/pts/N` or `/dev/ttyN`); the walk ends there
/// either way, its own ancestors share its terminal or have none. At most
/// [`MAX_ANCESTORS`] are read, and the walk stops at `init` or at a process it may not
/// look into (another user's).
pub fn ancestor_columns() -> Option<(u32, usize)> {
    // SAFETY: getsid(2) takes a plain integer (0: this process) and touches no memory of
    // ours; for this process it cannot fail.
    let own_session = unsafe { libc::getsid(0) };
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..MAX_ANCESTORS {
        if pid <= 1 {
            return None;
        }
        let stat = Stat::of(pid)?;
        if i64::from(stat.session) != i64::from(own_session) {
            let controlling = stat.tty.and_then(|path| columns_of_path(path.as_ref()));
            return controlling.or_else(|| stdio_columns(pid)).map(|c| (pid, c));
        }
        pid = stat.parent;
    }
    None
}

#[cfg(target_os = "linux")]
/// Columns of the terminal on `pid`'s stdin, stdout or stderr.
fn stdio_columns(pid: u32) -> Option<usize> {
    (0..3).find_map(|fd| {
        let target = std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).ok()?;
        is_terminal_path(&target)
            .then(|| columns_of_path(&target))
            .flatten()
    })
}

#[cfg(target_os = "linux")]
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

#[cfg(target_os = "linux")]
/// What the walk reads from `/proc/PID/stat`.
struct Stat {
    parent: u32,
    session: u32,
    /// The controlling terminal's device path, when it has one blinkline can name.
    tty: Option<String>,
}

#[cfg(target_os = "linux")]
impl Stat {
    /// One `read` into a stack buffer: the file is a few hundred bytes, built whole by the
    /// kernel. Fields follow the last `)` (the command name may hold `)` and spaces):
    /// state, ppid, pgrp, session, tty_nr.
    fn of(pid: u32) -> Option<Stat> {
        use std::io::Read;
        let mut buf = [0u8; 1024];
        let mut file = std::fs::File::open(format!("/proc/{pid}/stat")).ok()?;
        let len = file.read(&mut buf).ok()?;
        Stat::parse(&buf[..len])
    }

    fn parse(stat: &[u8]) -> Option<Stat> {
        let close = stat.iter().rposition(|&b| b == b')')?;
        let rest = std::str::from_utf8(&stat[close + 1..]).ok()?;
        let mut fields = rest.split_ascii_whitespace().skip(1);
        let parent = fields.next()?.parse().ok()?;
        let session = fields.nth(1)?.parse().ok()?;
        let tty_nr: u32 = fields.next()?.parse().ok()?;
        Some(Stat {
            parent,
            session,
            tty: device_path(tty_nr),
        })
    }
}

#[cfg(target_os = "linux")]
/// The path of terminal device `tty_nr` (a `dev_t` as `/proc/PID/stat` prints it):
/// pseudo-terminals (majors 136–143) and virtual consoles (major 4, minors 1–63).
fn device_path(tty_nr: u32) -> Option<String> {
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        136..=143 => Some(format!("/dev/pts/{}", (major - 136) * 256 + minor)),
        4 if (1..64).contains(&minor) => Some(format!("/dev/tty{minor}")),
        _ => None,
    }
}

#[cfg(all(test, target_os = "linux"))]
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
    fn the_parent_read_from_proc_is_the_one_the_kernel_reports() {
        let me = Stat::of(std::process::id()).expect("our own stat");
        assert_eq!(me.parent, std::os::unix::process::parent_id());
        assert!(Stat::of(u32::MAX).is_none());
    }

    #[test]
    fn a_controlling_terminal_number_names_its_device() {
        let stat = b"42 (a) b) c) S 7 42 42 34817 42 4194560";
        let parsed = Stat::parse(stat).unwrap();
        assert_eq!(
            (parsed.parent, parsed.tty.as_deref()),
            (7, Some("/dev/pts/1"))
        );
        assert_eq!(device_path(136 << 8 | 5), Some("/dev/pts/5".into()));
        assert_eq!(device_path((137 << 8) | 2), Some("/dev/pts/258".into()));
        assert_eq!(
            device_path((136 << 8) | (300 & 0xff) | ((300 & !0xff) << 12)),
            Some("/dev/pts/300".into())
        );
        assert_eq!(device_path(4 << 8 | 2), Some("/dev/tty2".into()));
        assert_eq!(device_path(0), None, "no controlling terminal");
    }

    #[test]
    fn a_path_that_is_not_a_terminal_has_no_columns() {
        assert_eq!(columns_of_path("/dev/null".as_ref()), None);
        assert_eq!(columns_of_path("/nonexistent/tty".as_ref()), None);
    }
}
