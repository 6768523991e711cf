//! `blinkline install|uninstall claude|bash|zsh|fish`: puts blinkline where it is run
//! from (Claude Code's `statusLine` and `subagentStatusLine` entries, a shell's rc file)
//! and takes it out again, in one command.
//!
//! Every change goes the same way: the new text is computed, shown as a unified diff,
//! confirmed on the terminal (or by `--yes`; without either nothing is written), the old
//! file is copied to a timestamped backup beside it, and the new one replaces it
//! atomically (a temporary file renamed over it, with the old file's permissions). A run
//! that would change nothing says so and writes nothing. Only our own entries are edited:
//! the rest of a settings file keeps its bytes (see `json.rs`), the rest of an rc file its
//! lines.
//!
//! Read next: `claude.rs` (the settings entries), `rc.rs` (the shells' rc files),
//! `json.rs` (editing one member in place), `diff.rs`.

pub mod claude;
pub mod diff;
pub mod json;
pub mod rc;

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use crate::cli::{InstallArgs, Target, UninstallArgs};
use crate::error::Error;

/// Why an install or uninstall changed nothing.
#[derive(Debug)]
pub enum InstallError {
    /// The settings file is not JSON we can edit.
    InvalidJson {
        path: PathBuf,
        problem: json::JsonError,
    },
    /// No terminal to confirm on, and no `--yes`.
    NeedsYes { path: PathBuf },
    /// Neither HOME nor the variable that names the file's directory.
    NoLocation {
        what: &'static str,
        fix: &'static str,
    },
    /// `install claude` was given render flags, which the statusLine command does not
    /// carry.
    RenderFlags { flags: String },
    /// A flag that applies to `claude` only, given for a shell.
    ClaudeOnly { flag: &'static str },
}

impl std::fmt::Display for InstallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstallError::InvalidJson { path, problem } => write!(
                f,
                "{} is not valid JSON ({problem}); nothing was changed: fix the file, then run this again",
                shown(path)
            ),
            InstallError::NeedsYes { path } => write!(
                f,
                "{} was not changed: there is no terminal to confirm on; pass --yes to write it",
                shown(path)
            ),
            InstallError::NoLocation { what, fix } => {
                write!(f, "cannot tell where {what} is; {fix}")
            }
            InstallError::RenderFlags { flags } => write!(
                f,
                "install claude does not take render flags ({flags}); put them in the config file (`blinkline config init`)"
            ),
            InstallError::ClaudeOnly { flag } => {
                write!(f, "{flag} applies to `install claude` only")
            }
        }
    }
}

impl std::error::Error for InstallError {}

impl From<InstallError> for Error {
    fn from(e: InstallError) -> Self {
        Error::Install(e)
    }
}

/// `path` for a message: control characters and escapes removed.
pub fn shown(path: &Path) -> String {
    clean_text(&path.to_string_lossy())
}

/// `text` without control characters, escape sequences or bidi overrides.
pub fn clean_text(text: &str) -> String {
    crate::sanitize::clean(text).collect()
}

/// `blinkline install TARGET`; `flags` are the render flags given with it, as words.
pub fn install_command(args: &InstallArgs, flags: &[String]) -> Result<ExitCode, Error> {
    let env = Locations::capture();
    match args.target {
        Target::Claude => {
            if !flags.is_empty() {
                return Err(InstallError::RenderFlags {
                    flags: flags.join(" "),
                }
                .into());
            }
            claude::install(args, &env)
        }
        shell => {
            if args.project || args.settings.is_some() {
                let flag = if args.project {
                    "--project"
                } else {
                    "--settings"
                };
                return Err(InstallError::ClaudeOnly { flag }.into());
            }
            if args.refresh_interval.is_some() {
                let flag = "--refresh-interval";
                return Err(InstallError::ClaudeOnly { flag }.into());
            }
            rc::install(shell, flags, args.yes, &env)
        }
    }
}

/// `blinkline uninstall TARGET`.
pub fn uninstall_command(args: &UninstallArgs) -> Result<ExitCode, Error> {
    let env = Locations::capture();
    match args.target {
        Target::Claude => claude::uninstall(args, &env),
        shell => {
            if args.project || args.settings.is_some() {
                let flag = if args.project {
                    "--project"
                } else {
                    "--settings"
                };
                return Err(InstallError::ClaudeOnly { flag }.into());
            }
            rc::uninstall(shell, args.yes, &env)
        }
    }
}

/// The variables and paths that decide where files are.
#[derive(Clone, Debug, Default)]
pub struct Locations {
    pub home: Option<PathBuf>,
    pub claude_config_dir: Option<PathBuf>,
    pub zdotdir: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    pub cwd: Option<PathBuf>,
    /// This binary, absolute.
    pub exe: Option<PathBuf>,
    pub path: Option<std::ffi::OsString>,
}

impl Locations {
    pub fn capture() -> Locations {
        let dir = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        Locations {
            home: dir("HOME"),
            claude_config_dir: dir("CLAUDE_CONFIG_DIR"),
            zdotdir: dir("ZDOTDIR"),
            xdg_config_home: dir("XDG_CONFIG_HOME"),
            cwd: std::env::current_dir().ok(),
            exe: std::env::current_exe().ok(),
            path: std::env::var_os("PATH"),
        }
    }

    /// The user's Claude Code settings: `$CLAUDE_CONFIG_DIR/settings.json`, else
    /// `~/.claude/settings.json`.
    pub fn claude_settings(&self) -> Option<PathBuf> {
        self.claude_config_dir
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".claude")))
            .map(|d| d.join("settings.json"))
    }

    /// Where `name` is found on PATH, if anywhere.
    pub fn which(&self, name: &str) -> Option<PathBuf> {
        std::env::split_paths(self.path.as_deref()?)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    }

    /// How a command line names this binary: `blinkline` when that is what PATH finds,
    /// else its absolute path.
    pub fn exe_word(&self) -> String {
        let exe = self
            .exe
            .clone()
            .unwrap_or_else(|| PathBuf::from("blinkline"));
        let on_path = self
            .which("blinkline")
            .is_some_and(|found| same_file(&found, &exe));
        if on_path {
            "blinkline".to_owned()
        } else {
            exe.to_string_lossy().into_owned()
        }
    }
}

/// This binary's absolute path as one command line word (what Claude Code's settings
/// run).
pub fn shell_exe(env: &Locations) -> String {
    let exe = env
        .exe
        .clone()
        .unwrap_or_else(|| PathBuf::from("blinkline"));
    claude::shell_word(&exe.to_string_lossy())
}

/// True when `a` and `b` are the same file (after following links).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// True when `path` is a file this user may run.
pub fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// A change to one file, computed and not yet written.
pub struct Change {
    /// The file written (a link is followed: its target is written).
    pub path: PathBuf,
    /// The text before (`None`: the file does not exist).
    pub old: Option<String>,
    pub new: String,
}

impl Change {
    /// The unified diff of the change, with untrusted text made harmless and, on a
    /// terminal, removed lines red and added lines green.
    pub fn diff(&self, color: bool) -> String {
        let name = shown(&self.path);
        let old_name = if self.old.is_some() {
            name.clone()
        } else {
            "/dev/null".to_owned()
        };
        let raw = diff::unified(
            self.old.as_deref().unwrap_or(""),
            &self.new,
            &old_name,
            &name,
        );
        let mut out = String::with_capacity(raw.len());
        for line in raw.lines() {
            // Tabs are kept: they are the file's indentation.
            let clean = line
                .split('\t')
                .map(clean_text)
                .collect::<Vec<_>>()
                .join("\t");
            let paint = match line.as_bytes().first() {
                _ if !color || line.starts_with("---") || line.starts_with("+++") => None,
                Some(b'-') => Some("31"),
                Some(b'+') => Some("32"),
                Some(b'@') => Some("36"),
                _ => None,
            };
            match paint {
                Some(code) => out.push_str(&format!("\x1b[{code}m{clean}\x1b[0m\n")),
                None => {
                    out.push_str(&clean);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// Shows the diff, asks (unless `yes`), backs the old file up and writes the new one.
    /// Returns the backup's path, or `Ok(None)` with no backup (a new file), or
    /// `Err(ExitCode)` when the user said no.
    pub fn confirm_and_write(
        &self,
        yes: bool,
        question: &str,
    ) -> Result<Result<Option<PathBuf>, ExitCode>, Error> {
        let terminal = std::io::stdin().is_terminal();
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let mut out = std::io::stdout();
        let _ = out.write_all(self.diff(color).as_bytes());
        if !yes {
            if !terminal {
                return Err(InstallError::NeedsYes {
                    path: self.path.clone(),
                }
                .into());
            }
            let _ = write!(out, "{question} [y/N] ");
            let _ = out.flush();
            let mut answer = String::new();
            let _ = std::io::stdin().lock().read_line(&mut answer);
            if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
                let _ = writeln!(out, "{} was not changed", shown(&self.path));
                return Ok(Err(ExitCode::from(1)));
            }
        }
        let backup = match &self.old {
            Some(old) => Some(write_backup(&self.path, old)?),
            None => None,
        };
        write_atomically(&self.path, &self.new)?;
        Ok(Ok(backup))
    }
}

/// Reads `path` for editing: its target when it is a link, and its text (`None` when it
/// does not exist).
pub fn read_for_edit(path: &Path) -> Result<(PathBuf, Option<String>), Error> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match std::fs::read_to_string(&target) {
        Ok(text) => Ok((target, Some(text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((target, None)),
        Err(e) => Err(Error::io_at(format!("cannot read {}", shown(&target)))(e)),
    }
}

/// The backup name for `path` at `now` (UTC): `NAME.blinkline-backup-YYYYMMDD-HHMMSS`.
pub fn backup_name(path: &Path, now: std::time::SystemTime) -> PathBuf {
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    let stamp = format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".blinkline-backup-{stamp}"));
    path.with_file_name(name)
}

/// The date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Writes `text` as a new backup of `path`, never over an older backup.
fn write_backup(path: &Path, text: &str) -> Result<PathBuf, Error> {
    let base = backup_name(path, std::time::SystemTime::now());
    for n in 1.. {
        let candidate = if n == 1 {
            base.clone()
        } else {
            let mut name = base.clone().into_os_string();
            name.push(format!("-{n}"));
            PathBuf::from(name)
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(Error::io_at(format!("cannot write {}", shown(&candidate))))?;
                copy_permissions(path, &candidate);
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::io_at(format!("cannot write {}", shown(&candidate)))(
                    e,
                ));
            }
        }
    }
    unreachable!("an unbounded search ends by returning")
}

/// Gives `to` the permission bits of `from`, when both exist.
fn copy_permissions(from: &Path, to: &Path) {
    if let Ok(meta) = std::fs::metadata(from) {
        let _ = std::fs::set_permissions(to, meta.permissions());
    }
}

/// Replaces `path` with `text`: a temporary file beside it (with the old file's
/// permissions, or the umask's for a new file) renamed over it, so a reader sees the old
/// file or the new one, whole. Creates the directory if needed.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let at = |what: &str, p: &Path| Error::io_at(format!("cannot {what} {}", shown(p)));
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(at("create", dir))?;
    }
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".blinkline-{}.tmp", std::process::id()));
    let temp = path.with_file_name(name);
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        copy_permissions(path, &temp);
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(at("write", path)(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names_carry_the_utc_date_and_time() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_709_251_199);
        assert_eq!(
            backup_name(Path::new("/h/.claude/settings.json"), at),
            PathBuf::from("/h/.claude/settings.json.blinkline-backup-20240229-235959")
        );
        let at = std::time::UNIX_EPOCH;
        assert_eq!(
            backup_name(Path::new("rc"), at),
            PathBuf::from("rc.blinkline-backup-19700101-000000")
        );
    }

    #[test]
    fn a_file_is_replaced_whole_and_keeps_its_permissions() {
        let dir = crate::tempdir::TempDir::new("install-write").unwrap();
        let path = dir.join("sub/settings.json");
        write_atomically(&path, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(&path, "{\"a\": 1}\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\": 1}\n");
        let names: Vec<_> = std::fs::read_dir(dir.join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_second_backup_in_the_same_second_does_not_overwrite_the_first() {
        let dir = crate::tempdir::TempDir::new("install-backup").unwrap();
        let path = dir.join("settings.json");
        let a = write_backup(&path, "one").unwrap();
        let b = write_backup(&path, "two").unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read_to_string(a).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(b).unwrap(), "two");
    }
}
