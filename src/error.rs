//! The error a command returns to the binary, and the one place that maps it to an exit
//! code (`app.rs` prints it as `blinkline: MESSAGE` and exits with [`Error::exit_code`]).
//!
//! Inside, each module keeps its own error enum (`LayoutError`, `CacheError`, `GitError`,
//! `InputProblem`, …); they are wrapped here as they are, so their messages reach stderr
//! unchanged and a caller can still tell them apart. The wording of every message is
//! pinned by the CLI tests.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cache::CacheError;
use crate::git::GitError;
use crate::input::InputProblem;
use crate::layout::LayoutError;

/// Why a command could not do its work.
#[derive(Debug)]
pub enum Error {
    /// `--theme` or `theme` names no built-in theme; `hint` is the closest name.
    UnknownTheme {
        name: String,
        hint: Option<&'static str>,
    },
    /// `--icons` names no shipped icon set and no file of the user's.
    UnknownIconSet {
        name: String,
        hint: Option<&'static str>,
    },
    /// A `--set` not written `WIDGET.KEY=VALUE`.
    SetSyntax {
        assignment: String,
    },
    /// A `--set` for a widget the layout does not have.
    SetNotInLayout {
        assignment: String,
        widget: String,
    },
    /// A built-in table (a theme, the icons) does not parse.
    Builtin(crate::format::themes::DataError),
    Layout(LayoutError),
    Cache(CacheError),
    Git(GitError),
    Transcript(crate::transcript::RefreshError),
    /// The payload could not be read (`bench`).
    Input(InputProblem),
    /// An I/O error with nothing to add.
    Io(io::Error),
    /// An I/O error while doing `context` ("cannot write FILE", "wait", a path).
    IoAt {
        context: String,
        source: io::Error,
    },
    /// `config check` or `config print` found no file to read.
    ConfigUnreadable {
        path: PathBuf,
        source: io::Error,
    },
    /// `config init` would overwrite a file without `--force`.
    ConfigExists(PathBuf),
    /// Neither `--config` nor a location from the environment.
    NoConfigLocation,
    /// `bench --processes` has no floor binary to compare with.
    NoFloor(PathBuf),
    /// `watch --input -`.
    WatchStdin,
    /// `subagents --format F` with a format other than ansi or plain.
    SubagentsFormat,
    /// `init` was given a render flag whose value is not UTF-8, which the script cannot
    /// carry.
    PromptFlagNotUtf8 {
        flag: &'static str,
        value: String,
    },
    /// `bench` was given a line flag (`flag`) that its mode would ignore.
    BenchIgnoresFlag {
        flag: &'static str,
        processes: bool,
    },
    /// `install` or `uninstall` changed nothing (invalid settings, no confirmation).
    Install(crate::install::InstallError),
    /// `usage` was given a value it cannot use.
    Usage(crate::usage::command::UsageError),
}

impl Error {
    /// An I/O error while doing `context`.
    pub fn io_at(context: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let context = context.into();
        move |source| Error::IoAt { context, source }
    }

    /// The process exit code for this error: 2, a usage error or a run that could not
    /// complete (the same code `--strict` uses for a broken input).
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(2)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownTheme { name, hint } => {
                write!(f, "unknown theme `{name}`")?;
                if let Some(hint) = hint {
                    write!(f, " (did you mean `{hint}`?)")?;
                }
                let names: Vec<&str> = crate::format::themes::theme_names().collect();
                write!(f, "; themes: {}", names.join(", "))
            }
            Error::UnknownIconSet { name, hint } => {
                write!(f, "unknown icon set `{name}`")?;
                if let Some(hint) = hint {
                    write!(f, " (did you mean `{hint}`?)")?;
                }
                let names: Vec<&str> = crate::format::icon_sets::set_names().collect();
                write!(
                    f,
                    "; icon sets: {}, none, or a file in ~/.config/blinkline/icons",
                    names.join(", ")
                )
            }
            Error::SetSyntax { assignment } => write!(
                f,
                "--set `{assignment}`: write it as WIDGET.KEY=VALUE, e.g. context.warn=60"
            ),
            Error::SetNotInLayout { assignment, widget } => write!(
                f,
                "--set `{assignment}`: widget `{widget}` is not in the layout"
            ),
            Error::Builtin(e) => e.fmt(f),
            Error::Transcript(e) => e.fmt(f),
            Error::Layout(e) => e.fmt(f),
            Error::Cache(e) => e.fmt(f),
            Error::Git(e) => e.fmt(f),
            Error::Input(e) => e.fmt(f),
            Error::Install(e) => e.fmt(f),
            Error::Io(e) => e.fmt(f),
            Error::IoAt { context, source } => write!(f, "{context}: {source}"),
            Error::ConfigUnreadable { path, source } => write!(
                f,
                "cannot read {}: {source}; `blinkline config init` writes one",
                path.display()
            ),
            Error::ConfigExists(path) => write!(
                f,
                "{} already exists; use --force to overwrite it",
                path.display()
            ),
            Error::NoConfigLocation => f.write_str(
                "cannot tell where the config file goes: set HOME or XDG_CONFIG_HOME, or pass --config FILE",
            ),
            Error::NoFloor(path) => write!(
                f,
                "floor binary {} not found; build it with `cargo build --release` or pass --floor",
                path.display()
            ),
            Error::PromptFlagNotUtf8 { flag, value } => write!(
                f,
                "--{flag} {value}: only UTF-8 values can be passed on to the prompt"
            ),
            Error::BenchIgnoresFlag {
                flag,
                processes: true,
            } => write!(
                f,
                "bench --processes times the binary as Claude Code runs it and ignores {flag}; pass the binary's flags with --exe-arg, e.g. --exe-arg={flag} --exe-arg=VALUE"
            ),
            Error::BenchIgnoresFlag {
                flag,
                processes: false,
            } => write!(
                f,
                "bench --compare queue renders no line and ignores {flag}; leave it out"
            ),
            Error::SubagentsFormat => f.write_str(
                "subagents writes Claude Code rows; --format must be ansi (the default) or plain",
            ),
            Error::Usage(e) => e.fmt(f),
            Error::WatchStdin => f.write_str(
                "watch cannot read the payload from stdin; write it to a file and pass --input FILE (it is re-read when it changes)",
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Layout(e) => Some(e),
            Error::Cache(e) => Some(e),
            Error::Git(e) => Some(e),
            Error::Transcript(e) => Some(e),
            Error::Builtin(e) => Some(e),
            Error::Io(e) | Error::IoAt { source: e, .. } => Some(e),
            Error::ConfigUnreadable { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<LayoutError> for Error {
    fn from(e: LayoutError) -> Self {
        Error::Layout(e)
    }
}

impl From<crate::usage::command::UsageError> for Error {
    fn from(e: crate::usage::command::UsageError) -> Self {
        Error::Usage(e)
    }
}

impl From<CacheError> for Error {
    fn from(e: CacheError) -> Self {
        Error::Cache(e)
    }
}

impl From<GitError> for Error {
    fn from(e: GitError) -> Self {
        Error::Git(e)
    }
}

impl From<crate::transcript::RefreshError> for Error {
    fn from(e: crate::transcript::RefreshError) -> Self {
        Error::Transcript(e)
    }
}

impl From<InputProblem> for Error {
    fn from(e: InputProblem) -> Self {
        Error::Input(e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_errors_keep_their_own_message() {
        let layout = LayoutError::TooMany { count: 99 };
        assert_eq!(Error::from(layout.clone()).to_string(), layout.to_string());
        let cache = CacheError::NoLocation;
        assert_eq!(
            Error::from(CacheError::NoLocation).to_string(),
            cache.to_string()
        );
    }

    #[test]
    fn setting_errors_name_the_setting_and_the_fix() {
        let resolve = |argv: &[&str]| {
            use clap::Parser as _;
            let args = crate::cli::Cli::try_parse_from(argv).unwrap().render;
            let loaded = crate::config::Loaded::default();
            let mut settings = crate::config::resolve::resolve(&args, &loaded)?;
            for assignment in &args.set {
                crate::config::resolve::apply_set(&mut settings.spec, assignment)?;
            }
            Ok::<_, Error>(settings)
        };
        let message = |argv: &[&str]| resolve(argv).unwrap_err().to_string();
        let themes =
            "themes: classic, powerline, capsule, plain, nord, gruvbox, catppuccin, tokyo-night";
        assert_eq!(
            message(&["blinkline", "--theme", "nrod"]),
            format!("unknown theme `nrod` (did you mean `nord`?); {themes}")
        );
        assert_eq!(
            message(&["blinkline", "--theme", "bogus"]),
            format!("unknown theme `bogus`; {themes}")
        );
        assert_eq!(
            message(&["blinkline", "--set", "foo"]),
            "--set `foo`: write it as WIDGET.KEY=VALUE, e.g. context.warn=60"
        );
        assert_eq!(
            message(&["blinkline", "--set", "nope.x=1"]),
            "--set `nope.x=1`: widget `nope` is not in the layout"
        );
    }

    #[test]
    fn io_errors_name_what_was_being_done() {
        let e = Error::io_at("cannot write /x/y")(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(e.to_string(), "cannot write /x/y: entity not found");
        assert!(std::error::Error::source(&e).is_some());
    }
}
