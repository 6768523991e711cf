//! The process environment, captured once per process.
//!
//! Widgets and formats never call `std::env` themselves: they read this snapshot, which
//! keeps rendering allocation-free and lets tests supply any environment they like.

/// What blinkline reads from its environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    pub home: Option<String>,
    /// `COLUMNS`, when set to a positive number.
    pub columns: Option<usize>,
    pub no_color: bool,
    /// `FORCE_COLOR` / `CLICOLOR_FORCE` set to something other than `0`.
    pub force_color: bool,
    pub colorterm: Option<String>,
    pub term: Option<String>,
    /// Running inside tmux (`TMUX` set).
    pub tmux: bool,
    /// The process's working directory, when it still exists and is UTF-8.
    pub process_cwd: Option<String>,
    /// The working directory for display only, with U+FFFD for what is not UTF-8: set
    /// when it exists but is not UTF-8 (`process_cwd` is `None` then, so nothing opens a
    /// path that is not there).
    pub process_cwd_lossy: Option<String>,
    /// Variables the layout asked for (the `env` widget), captured once at start:
    /// `(name, value)`, value `None` when unset or not UTF-8.
    pub vars: Vec<(String, Option<String>)>,
    /// `XDG_CONFIG_HOME`, where the config file is looked for first.
    pub config_home: Option<String>,
    /// `GIT_DIR` and `GIT_WORK_TREE`, which point git (and the git widgets) at a repository.
    pub git_dir: Option<String>,
    pub git_work_tree: Option<String>,
    /// `XDG_CACHE_HOME`, where the cross-process cache lives (else `~/.cache`).
    pub xdg_cache_home: Option<String>,
    /// Without `COLUMNS` or `--width`, ask the terminal for the width (`/dev/tty`, else
    /// an ancestor's); off with `BLINKLINE_TTY_WIDTH=0` (and in `Environment::default`).
    pub tty_width: bool,
    /// `CLAUDE_CONFIG_DIR`: Claude Code's config directories (comma-separated), whose
    /// `projects/` hold the transcripts `blinkline usage` sums.
    pub claude_config_dir: Option<String>,
}

/// A Windows user folder (`%APPDATA%`, `%LOCALAPPDATA%`, `%USERPROFILE%`): on Windows the
/// fallback of `XDG_CONFIG_HOME`, `XDG_CACHE_HOME` and `HOME`, as the `dirs` crate has it
/// (config in `%APPDATA%\blinkline`, cache in `%LOCALAPPDATA%\blinkline`); never read
/// elsewhere, so Linux and macOS keep `~/.config` and `~/.cache`.
fn windows_dir(get: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    if cfg!(windows) {
        get(name).filter(|v| !v.is_empty())
    } else {
        None
    }
}

impl Environment {
    /// Reads the real environment.
    pub fn capture() -> Self {
        Self::from_lookup(|key| std::env::var_os(key).and_then(|v| v.into_string().ok()))
            .with_process_cwd()
    }

    /// Builds an environment from a lookup function (tests pass a fixed map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let flag = |key: &str| get(key).is_some_and(|v| !v.is_empty() && v != "0");
        Environment {
            home: get("HOME")
                .or_else(|| windows_dir(&get, "USERPROFILE"))
                .filter(|h| !h.is_empty()),
            columns: get("COLUMNS")
                .and_then(|c| c.trim().parse::<usize>().ok())
                .filter(|&c| c > 0),
            no_color: get("NO_COLOR").is_some_and(|v| !v.is_empty()),
            force_color: flag("FORCE_COLOR") || flag("CLICOLOR_FORCE"),
            colorterm: get("COLORTERM"),
            term: get("TERM"),
            tmux: get("TMUX").is_some_and(|v| !v.is_empty()),
            process_cwd: None,
            process_cwd_lossy: None,
            vars: Vec::new(),
            config_home: get("XDG_CONFIG_HOME")
                .or_else(|| windows_dir(&get, "APPDATA"))
                .filter(|h| !h.is_empty()),
            git_dir: get("GIT_DIR").filter(|v| !v.is_empty()),
            git_work_tree: get("GIT_WORK_TREE").filter(|v| !v.is_empty()),
            xdg_cache_home: get("XDG_CACHE_HOME")
                .or_else(|| windows_dir(&get, "LOCALAPPDATA"))
                .filter(|v| !v.is_empty()),
            tty_width: get("BLINKLINE_TTY_WIDTH").is_none_or(|v| v != "0"),
            claude_config_dir: get("CLAUDE_CONFIG_DIR").filter(|v| !v.trim().is_empty()),
        }
    }

    /// Captures the variables in `names` from the real environment, once; names already
    /// captured (or supplied by a test) are kept as they are.
    pub fn with_vars<'n>(mut self, names: impl IntoIterator<Item = &'n str>) -> Self {
        for name in names {
            if self.var_entry(name).is_none() {
                let value = std::env::var_os(name).and_then(|v| v.into_string().ok());
                self.vars.push((name.to_owned(), value));
            }
        }
        self
    }

    fn var_entry(&self, name: &str) -> Option<&(String, Option<String>)> {
        self.vars.iter().find(|(n, _)| n == name)
    }

    /// A captured variable's value (no allocation; `None` when unset or not captured).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.var_entry(name).and_then(|(_, v)| v.as_deref())
    }

    fn with_process_cwd(mut self) -> Self {
        match std::env::current_dir().map(|p| p.into_os_string().into_string()) {
            Ok(Ok(utf8)) => self.process_cwd = Some(utf8),
            Ok(Err(raw)) => self.process_cwd_lossy = Some(raw.to_string_lossy().into_owned()),
            Err(_) => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_user_folders_stand_in_for_xdg_and_home_only_on_windows() {
        let folders = |key: &str| match key {
            "APPDATA" => Some(r"C:\Users\u\AppData\Roaming".to_owned()),
            "LOCALAPPDATA" => Some(r"C:\Users\u\AppData\Local".to_owned()),
            "USERPROFILE" => Some(r"C:\Users\u".to_owned()),
            _ => None,
        };
        let env = Environment::from_lookup(folders);
        let got = (env.config_home, env.xdg_cache_home, env.home);
        if cfg!(windows) {
            let want = (
                folders("APPDATA"),
                folders("LOCALAPPDATA"),
                folders("USERPROFILE"),
            );
            assert_eq!(got, want);
        } else {
            assert_eq!(got, (None, None, None));
        }
        let xdg = Environment::from_lookup(|key| match key {
            "XDG_CONFIG_HOME" => Some("/cfg".to_owned()),
            other => folders(other),
        });
        assert_eq!(
            xdg.config_home.as_deref(),
            Some("/cfg"),
            "XDG wins where set"
        );
    }
}
