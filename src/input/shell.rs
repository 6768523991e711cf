//! The shell's state at a prompt: what `blinkline prompt` is told by the shell integration
//! (exit status, pipe status, command duration, job count, keymap) plus the few environment
//! facts prompt widgets need (user, host, ssh, root, `SHLVL`, Python environments).
//!
//! Captured once per process into a [`ShellContext`]; widgets read it through
//! `RenderContext::shell`, which is `None` for a Claude Code render. Tests build one with
//! [`ShellContext::from_lookup`] and never read the host.

use arrayvec::ArrayVec;

/// A shell blinkline integrates with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellKind {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// The line editor's keymap, for the prompt character.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keymap {
    /// Insert mode, emacs mode or unknown.
    #[default]
    Insert,
    /// vi command (normal) mode: zsh `vicmd`, fish `default`, bash `vi-command`.
    Normal,
}

impl Keymap {
    /// Reads the keymap name each shell reports.
    pub fn parse(name: &str) -> Keymap {
        match name {
            "vicmd" | "default" | "vi-command" | "command" | "normal" | "NORMAL" => Keymap::Normal,
            _ => Keymap::Insert,
        }
    }
}

/// Most pipeline members `status` reports.
pub const MAX_PIPESTATUS: usize = 16;

/// The shell's state when the prompt is drawn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShellContext {
    pub shell: Option<ShellKind>,
    /// Exit status of the last command (`$?`).
    pub status: Option<i32>,
    /// Exit status of each member of the last pipeline (`PIPESTATUS` / `pipestatus`).
    pub pipestatus: ArrayVec<i32, MAX_PIPESTATUS>,
    /// How long the last command ran, in milliseconds.
    pub duration_ms: Option<u64>,
    /// Background jobs of the shell.
    pub jobs: u32,
    pub keymap: Keymap,
    pub user: Option<String>,
    pub host: Option<String>,
    /// Running as root (effective uid 0).
    pub root: bool,
    /// Logged in over ssh (`SSH_CONNECTION`, `SSH_CLIENT` or `SSH_TTY` set).
    pub ssh: bool,
    pub shlvl: Option<u32>,
    /// Inside tmux (`TMUX` set): its panes start one level deeper than the terminal's shell.
    pub tmux: bool,
    /// `VIRTUAL_ENV` (a path).
    pub virtual_env: Option<String>,
    /// `CONDA_DEFAULT_ENV` (a name).
    pub conda_env: Option<String>,
}

impl ShellContext {
    /// The environment part, read from the real process (host name and uid included).
    pub fn capture() -> Self {
        let mut ctx =
            Self::from_lookup(|key| std::env::var_os(key).and_then(|v| v.into_string().ok()));
        if ctx.host.is_none() {
            ctx.host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty());
        }
        {
            // /proc/self belongs to the process's effective user.
            if let Ok(meta) = std::fs::metadata("/proc/self") {
                ctx.root = crate::sys::fs::owner(&meta) == Some(0);
            }
        }
        ctx
    }

    /// The environment part from a lookup function (tests pass a fixed map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |key: &str| get(key).filter(|v| !v.is_empty());
        ShellContext {
            user: non_empty("USER").or_else(|| non_empty("LOGNAME")),
            host: non_empty("HOSTNAME"),
            root: false,
            ssh: ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"]
                .iter()
                .any(|k| non_empty(k).is_some()),
            shlvl: non_empty("SHLVL").and_then(|v| v.trim().parse().ok()),
            tmux: non_empty("TMUX").is_some(),
            virtual_env: non_empty("VIRTUAL_ENV"),
            conda_env: non_empty("CONDA_DEFAULT_ENV"),
            ..ShellContext::default()
        }
    }

    /// Reads a pipe status written as `0 1 0`, `0|1|0` or `0,1,0`.
    pub fn parse_pipestatus(text: &str) -> Result<ArrayVec<i32, MAX_PIPESTATUS>, String> {
        let mut out = ArrayVec::new();
        for part in text
            .split([' ', '|', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let code = part.parse::<i32>().map_err(|_| {
                format!("--pipestatus: `{part}` is not an exit status; pass numbers like \"0 1 0\"")
            })?;
            // A longer pipeline keeps its first members; the widget shows what fits.
            let _ = out.try_push(code);
        }
        Ok(out)
    }
}

/// The name of the signal behind an exit status above 128 (`130` → `INT`).
pub fn signal_name(status: i32) -> Option<&'static str> {
    const NAMES: [&str; 31] = [
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
        "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];
    let signal = status.checked_sub(128)?;
    NAMES
        .get(usize::try_from(signal).ok()?.checked_sub(1)?)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_above_128_name_their_signal() {
        assert_eq!(signal_name(130), Some("INT"));
        assert_eq!(signal_name(137), Some("KILL"));
        assert_eq!(signal_name(143), Some("TERM"));
        assert_eq!(signal_name(1), None);
        assert_eq!(signal_name(128), None);
        assert_eq!(signal_name(255), None);
    }

    #[test]
    fn pipestatus_accepts_spaces_bars_and_commas() {
        for text in ["0 1 0", "0|1|0", "0,1,0", " 0  1 0 "] {
            assert_eq!(
                ShellContext::parse_pipestatus(text).unwrap().as_slice(),
                [0, 1, 0]
            );
        }
        assert_eq!(
            ShellContext::parse_pipestatus("0 x").unwrap_err(),
            "--pipestatus: `x` is not an exit status; pass numbers like \"0 1 0\""
        );
    }

    #[test]
    fn environment_gives_user_ssh_level_and_python_envs() {
        let ctx = ShellContext::from_lookup(|k| {
            match k {
                "LOGNAME" => Some("ada"),
                "SSH_TTY" => Some("/dev/pts/3"),
                "SHLVL" => Some("3"),
                "TMUX" => Some("/tmp/tmux-0/default,1234,0"),
                "VIRTUAL_ENV" => Some("/home/ada/.venvs/ml"),
                "USER" => Some(""),
                _ => None,
            }
            .map(str::to_owned)
        });
        assert_eq!(ctx.user.as_deref(), Some("ada"));
        assert!(ctx.ssh && !ctx.root);
        assert_eq!(ctx.shlvl, Some(3));
        assert!(ctx.tmux);
        assert!(!ShellContext::from_lookup(|_| None).tmux);
        assert_eq!(ctx.virtual_env.as_deref(), Some("/home/ada/.venvs/ml"));
    }

    #[test]
    fn keymaps_of_every_shell_map_to_normal_or_insert() {
        for name in ["vicmd", "default", "vi-command"] {
            assert_eq!(Keymap::parse(name), Keymap::Normal);
        }
        for name in ["main", "viins", "insert", "emacs", ""] {
            assert_eq!(Keymap::parse(name), Keymap::Insert);
        }
    }
}
