//! The command line, declared with clap. The doc comments here are the `--help` text.
//!
//! The plain `blinkline` invocation (how Claude Code runs it: no arguments, JSON on stdin)
//! never reaches clap: `app.rs` takes a fast path that skips argument parsing entirely and
//! renders with [`RenderArgs::default`], which is what clap gives for no flags.
//!
//! These are the raw flags, as given. A flag that the config file can also set is an
//! `Option` (`None`: not given), and no flag has a default here: the defaults live in one
//! place, `config/resolve.rs`, which resolves flags, config file and preset into the
//! `Settings` of a run. A flag's `[default: …]` in `--help` is part of its doc comment; a
//! test checks it against the default the settings give.
//!
//! Read next: `config/resolve.rs` (flags → `Settings`), `setup.rs` (`Settings` → renderer).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::format::OutputFormat;

/// Renders a status line from Claude Code's statusLine JSON on stdin.
///
/// `blinkline install claude` makes it Claude Code's status line (the statusLine entry of
/// ~/.claude/settings.json); `blinkline doctor` checks the setup.
///
/// A broken or missing payload still gives a line (with a ⚠ marker) and exit 0, with the
/// detail on stderr; --strict exits 2 instead.
#[derive(Debug, Parser)]
#[command(name = "blinkline", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub render: RenderArgs,
}

/// Options of every command that renders.
#[derive(Debug, Args, Clone, Default)]
pub struct RenderArgs {
    /// Output format [default: ansi]
    #[arg(long, short = 'f', value_enum, global = true)]
    pub format: Option<OutputFormat>,

    /// Widgets to show, e.g. "model,context,cost". ";" starts a new line, "|" moves the
    /// rest of a line to the right edge. Default: cwd,git_branch,git_status,model,context,
    /// cost,duration,lines,rate_limits (the git widgets only inside a repository).
    #[arg(long, short = 'w', value_name = "LIST", global = true)]
    pub widgets: Option<String>,

    /// Set a widget option, e.g. --set context.warn=60 (repeatable).
    #[arg(long = "set", value_name = "WIDGET.KEY=VALUE", global = true)]
    pub set: Vec<String>,

    /// Frame deadline: widgets not ready by then are left out (or shown stale) [default: 10ms]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, global = true)]
    pub deadline: Option<std::time::Duration>,

    /// How long the frame waits for each pool-rendered widget [default: 5ms]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, global = true)]
    pub budget: Option<std::time::Duration>,

    /// Worker threads for slow widgets: a number, or "auto" (one per core, at most 4);
    /// 0 renders every widget inline [default: auto]
    #[arg(long, value_name = "N", value_parser = parse_threads, global = true)]
    pub threads: Option<Threads>,

    /// When to colour the output [default: auto]
    #[arg(long, value_enum, global = true)]
    pub color: Option<ColorChoice>,

    /// Glyph set for bars, separators and icons [default: unicode]
    #[arg(long, value_enum, global = true)]
    pub charset: Option<CharsetChoice>,

    /// Icon set: nerd-font, unicode, ascii, or the user's (~/.config/blinkline/icons/SET.toml);
    /// "none" hides the icons (default: the config's `icons`; with it true, the charset's set)
    #[arg(long, value_name = "SET", global = true)]
    pub icons: Option<String>,

    /// Width of the line in columns (default: $COLUMNS, else the terminal's width, minus
    /// --margin; unlimited without either).
    #[arg(long, value_name = "COLUMNS", global = true, value_parser = parse_width)]
    pub width: Option<usize>,

    /// Columns kept free at the right edge when the width comes from $COLUMNS [default: 3]
    #[arg(long, value_name = "COLUMNS", global = true)]
    pub margin: Option<usize>,

    /// Exit with status 2 when the input is broken or a widget fails (after printing).
    #[arg(long, global = true)]
    pub strict: bool,

    /// Read the payload from FILE instead of stdin ("-" for stdin).
    #[arg(
        long,
        short = 'i',
        value_name = "FILE",
        global = true,
        conflicts_with = "sample"
    )]
    pub input: Option<PathBuf>,

    /// Render the built-in sample payload (no stdin needed).
    #[arg(long, global = true)]
    pub sample: bool,

    /// Read the configuration from FILE (default: $XDG_CONFIG_HOME/blinkline/config.toml,
    /// else ~/.config/blinkline/config.toml).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Start from a shipped preset: default, minimal, full, powerline.
    #[arg(long, value_name = "NAME", global = true)]
    pub preset: Option<String>,

    /// Theme: classic, powerline, capsule, plain, nord, gruvbox, catppuccin, tokyo-night.
    #[arg(long, value_name = "NAME", global = true)]
    pub theme: Option<String>,

    /// With no payload on stdin (a terminal, /dev/null, tmux, bars, watch), show the
    /// Claude Code session recorded by the last render of its payload: latest (the most
    /// recently updated), cwd (the latest whose directory is this one or above it), a
    /// session id, or none [default: latest]
    #[arg(long, value_name = "WHICH", global = true, value_parser = parse_session)]
    pub session: Option<crate::cache::sessions::SessionPick>,

    /// A session record not updated for this long is not shown [default: 60m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, global = true)]
    pub session_max_age: Option<std::time::Duration>,
}

/// The render flags a prompt uses, which `blinkline init` passes on to every prompt.
pub const PROMPT_FLAGS: &[&str] = &[
    "format", "widgets", "set", "theme", "preset", "config", "color", "charset", "width", "margin",
    "deadline", "budget", "threads",
];

/// The [`PROMPT_FLAGS`] given on the command line (before or after a subcommand), as words
/// (`--widgets`, `cwd,char`, …). A relative `--config` is made absolute: the prompt runs
/// in whatever directory the shell is in.
pub fn prompt_flags_given(matches: &clap::ArgMatches) -> Result<Vec<String>, crate::error::Error> {
    let given = |m: &clap::ArgMatches, name: &str| {
        m.value_source(name) == Some(clap::parser::ValueSource::CommandLine)
    };
    let mut words = Vec::new();
    for name in PROMPT_FLAGS {
        let source = match matches.subcommand() {
            Some((_, sub)) if given(sub, name) => sub,
            _ if given(matches, name) => matches,
            _ => continue,
        };
        for value in source.get_raw(name).into_iter().flatten() {
            let value = match *name {
                "config" => std::path::absolute(value).map_err(crate::error::Error::io_at(
                    format!("--config {}", value.to_string_lossy()),
                ))?,
                _ => PathBuf::from(value),
            };
            let value = value.into_os_string().into_string().map_err(|value| {
                crate::error::Error::PromptFlagNotUtf8 {
                    flag: name,
                    value: value.to_string_lossy().into_owned(),
                }
            })?;
            words.push(format!("--{name}"));
            words.push(value);
        }
    }
    Ok(words)
}

/// `blinkline theme …`.
#[derive(Debug, Subcommand)]
pub enum ThemeCommand {
    /// Render the sample line in theme NAME (built-in or the user's).
    Show {
        /// The theme, e.g. `nord`.
        name: String,
    },
}

/// `blinkline icon …`.
#[derive(Debug, Subcommand)]
pub enum IconCommand {
    /// Render the sample line with icon set NAME (shipped or the user's).
    Show {
        /// The icon set, e.g. `ascii`.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render once (the default when no command is given).
    Render,
    /// Show each widget's value, state, data source and render time.
    Explain,
    /// Measure the in-process render path: latency percentiles, per-widget time,
    /// allocations per frame and pool queue throughput.
    Bench(BenchArgs),
    /// List the widgets and their options; with a NAME, one widget's options, format
    /// fields and style keys.
    Widgets {
        /// A widget to describe, e.g. `model`.
        name: Option<String>,
    },
    /// Write, check or print the configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List the themes: the built-in ones and the user's (~/.config/blinkline/themes/NAME.toml).
    Themes,
    /// Show a theme.
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// List the icon sets with a few of their icons: the shipped ones and the user's
    /// (~/.config/blinkline/icons/NAME.toml).
    Icons,
    /// Show an icon set.
    #[command(subcommand)]
    Icon(IconCommand),
    /// Print a shell completion script, e.g. `blinkline completions bash > ~/.local/share/bash-completion/completions/blinkline`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    #[command(name = "__man", hide = true)]
    Man,
    /// Print each widget's options table (markdown) for docs/widgets.md.
    #[command(name = "__widget-options", hide = true)]
    WidgetOptions,
    /// Print each widget's format fields and style keys (markdown) for docs/widgets.md.
    #[command(name = "__widget-fields", hide = true)]
    WidgetFields,
    /// Finish scanning a transcript into the cache (started detached by renders).
    #[command(name = "__refresh-transcript", hide = true)]
    RefreshTranscript { path: String },
    /// Recompute a repository's git status into the cache (started detached by renders).
    #[command(name = "__refresh-git", hide = true)]
    RefreshGit(RefreshGitArgs),
    /// Render a shell prompt (run by the integration that `blinkline init` prints).
    Prompt(PromptArgs),
    /// Print the shell integration; add  eval "$(blinkline init bash)"  to ~/.bashrc
    /// (zsh: ~/.zshrc; fish: `blinkline init fish | source` in config.fish; PowerShell:
    /// `Invoke-Expression (& blinkline init powershell | Out-String)` in $PROFILE).
    Init(InitArgs),
    /// Render the rows of Claude Code's subagentStatusLine (one JSON line per task).
    ///
    /// Reads the sub-agents' tasks on stdin and writes one {"id","content"} line per task:
    /// status, name, label, model, elapsed time, tokens and a context bar, fitted to the
    /// payload's `columns`. Add to ~/.claude/settings.json:
    ///   {"subagentStatusLine": {"type": "command", "command": "blinkline subagents"}}
    Subagents,
    /// Render continuously for tmux, bars and scripts: a new frame is written only when it
    /// changes (in a terminal, the line is rewritten in place).
    Watch(WatchArgs),
    /// Add blinkline to Claude Code's settings (claude) or a shell's rc file (bash, zsh,
    /// fish): shows the diff, asks, keeps a backup.
    Install(InstallArgs),
    /// Remove what `install` added (only entries that run blinkline).
    Uninstall(UninstallArgs),
    /// Check what breaks status lines in practice, and say how to fix it; exits 1 when a
    /// check fails.
    Doctor(DoctorArgs),
    /// Edit the config file in a terminal UI with a live preview of the line: add, remove
    /// and reorder widgets and lines, edit options and styles (checked as `config check`
    /// checks them), pick theme, charset, colour depth and preview width, save keeping
    /// comments. `--config FILE` edits another file; `--sample` previews the sample payload
    /// instead of the latest recorded session.
    Configure,
    /// Tokens and cost across every session and project, from all transcripts under the
    /// Claude config directories (CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude),
    /// kept in an incremental index in the cache.
    Usage(UsageArgs),
    /// Bring the usage index up to date (started detached by the usage widgets).
    #[command(name = "__refresh-usage", hide = true)]
    RefreshUsage {
        /// Stdin is the index's lock file, already locked by the render that started it.
        #[arg(long)]
        locked: bool,
    },
}

/// What `blinkline usage` reports.
#[derive(Debug, Args, Clone)]
pub struct UsageArgs {
    /// The report: rows per local day, week, month, session, or 5-hour billing block.
    #[arg(value_enum, default_value = "daily")]
    pub report: UsageReport,
    /// The first day to include (local date), YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// The last day to include (local date), YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only this project (its directory name under projects/, as `session` shows it).
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// A row per model under each row.
    #[arg(long)]
    pub breakdown: bool,
    /// Print JSON (ccusage's field names) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The time zone days are counted in (IANA name, e.g. Europe/Berlin); default: TZ, else
    /// the system's.
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
    /// Number format: en (1,234.56), de (1.234,56), fr, ch, plain; default: LC_ALL,
    /// LC_NUMERIC or LANG, else en.
    #[arg(long, value_name = "LANG")]
    pub locale: Option<String>,
    /// A price table (JSON or TOML, USD per million tokens per model prefix) tried before
    /// the built-in one.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<String>,
    /// Costs: auto (a transcript line's own costUSD, else computed), calculate (always
    /// computed from tokens), display (costUSD only).
    #[arg(long, value_enum, default_value = "auto")]
    pub mode: UsageMode,
    /// The first day of a week in the weekly report.
    #[arg(long, value_enum, default_value = "sunday")]
    pub start_of_week: Weekday,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum UsageReport {
    Daily,
    Weekly,
    Monthly,
    Session,
    Blocks,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum UsageMode {
    Auto,
    Calculate,
    Display,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Weekday {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented default config file (refuses to overwrite without --force).
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Report every problem of the config file with line:column and the fix; exit 1 if any.
    Check,
    /// Print the configuration in effect (preset, file and flags together) as TOML.
    Print,
}

#[derive(Debug, Args, Clone)]
pub struct BenchArgs {
    /// Frames to measure (default: 10000; 100 with --cold).
    #[arg(long, value_name = "N")]
    pub frames: Option<u64>,

    /// Measure cold frames: before each frame, blinkline's own caches are dropped (a fresh,
    /// empty cache directory; the discovered repository and the transcript state
    /// forgotten), and the refreshers such a frame sets off (git status, the transcript
    /// scan) run in-process and are timed with it. The kernel's page cache is not dropped:
    /// that needs root (`sync; echo 1 > /proc/sys/vm/drop_caches`).
    #[arg(long, conflicts_with_all = ["processes", "compare", "all_on_pool"])]
    pub cold: bool,

    /// Frames rendered first and not measured.
    #[arg(long, default_value = "100")]
    pub warmup: u64,

    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,

    /// Instead of in-process frames, run the binary N times as Claude Code does (payload
    /// on stdin) interleaved with the floor binary, and report wall/CPU percentiles, peak
    /// RSS and the ratio to the floor.
    #[arg(long, value_name = "N", conflicts_with_all = ["compare", "frames", "warmup", "all_on_pool"])]
    pub processes: Option<usize>,

    /// Pause between process runs (Claude Code renders at most every 300ms; a machine
    /// that idles between renders starts processes more slowly).
    #[arg(long, value_name = "DURATION", default_value = "0ms", value_parser = parse_duration, requires = "processes")]
    pub idle: std::time::Duration,

    /// The binary to time with --processes (default: this blinkline).
    #[arg(long, value_name = "PATH", requires = "processes")]
    pub exe: Option<PathBuf>,

    /// The floor binary (default: blinkline-floor next to the timed binary).
    #[arg(long, value_name = "PATH", requires = "processes")]
    pub floor: Option<PathBuf>,

    /// Compare implementations side by side: `queue` (our MS queue, SegQueue,
    /// Mutex<VecDeque>) or `threads` (inline vs 1..N pool workers).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub compare: Option<CompareWhat>,

    /// Render every widget on the worker pool (not only slow ones), to measure the pool
    /// against inline rendering (use with --threads N; --threads 0 is inline).
    /// `--compare threads` always does.
    #[arg(long, conflicts_with = "compare")]
    pub all_on_pool: bool,

    /// Arguments passed to the timed binary with --processes (repeatable).
    #[arg(
        long = "exe-arg",
        value_name = "ARG",
        allow_hyphen_values = true,
        requires = "processes"
    )]
    pub exe_args: Vec<String>,
}

impl BenchArgs {
    /// Frames to measure: `--frames`, else 100 cold or 10000 warm frames.
    pub fn frames(&self) -> u64 {
        self.frames.unwrap_or(if self.cold { 100 } else { 10_000 })
    }
}

/// What `bench --compare` compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompareWhat {
    Queue,
    Threads,
}

#[derive(Debug, Args, Clone)]
pub struct RefreshGitArgs {
    /// A directory inside the repository.
    pub dir: PathBuf,
    /// Also count inserted and deleted lines.
    #[arg(long)]
    pub diffstat: bool,
    /// Stdin is the record's lock file, already locked by the render that started us.
    #[arg(long)]
    pub locked: bool,
}

/// Pool size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    Auto,
    Count(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Decide from NO_COLOR, FORCE_COLOR, COLORTERM, TERM and TMUX.
    Auto,
    /// Never colour.
    Never,
    /// Always colour, at the detected depth (at least 256 colours).
    Always,
    /// 24-bit colour.
    Truecolor,
    /// The 256-colour palette.
    #[value(name = "256")]
    Ansi256,
    /// The 16 basic colours.
    #[value(name = "16")]
    Ansi16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CharsetChoice {
    NerdFont,
    Unicode,
    Ascii,
}

/// Parses `10ms`, `300us`, `1.5s`, `2m`; a bare number means milliseconds.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().map_err(|_| {
        format!("`{text}` is not a duration; write it like \"10ms\", \"300us\" or \"1s\"")
    })?;
    let seconds = match unit.trim() {
        "" | "ms" => value / 1e3,
        "us" | "µs" => value / 1e6,
        "ns" => value / 1e9,
        "s" => value,
        "m" | "min" => value * 60.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`; use ns, us, ms, s or m"
            ));
        }
    };
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!("`{text}` is out of range (0 to 24h)"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// The widest line blinkline lays out; a larger `--width` or `$COLUMNS` is refused or
/// clamped (right alignment pads with up to that many columns, in one 8 KiB frame).
pub const MAX_WIDTH: usize = 1000;

pub(crate) fn parse_width(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_WIDTH).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{text}` is not a usable width; pass 1 to {MAX_WIDTH} columns, or leave --width out to use $COLUMNS"
        )),
    }
}

pub(crate) fn parse_session(text: &str) -> Result<crate::cache::sessions::SessionPick, String> {
    crate::cache::sessions::SessionPick::parse(text)
}

pub(crate) fn parse_threads(text: &str) -> Result<Threads, String> {
    if text == "auto" {
        return Ok(Threads::Auto);
    }
    match text.parse::<usize>() {
        Ok(n) if n <= 256 => Ok(Threads::Count(n)),
        _ => Err(format!(
            "`{text}` is not a thread count; use a number from 0 to 256 or \"auto\""
        )),
    }
}

/// `blinkline watch`'s own flags.
#[derive(Debug, Args, Clone)]
pub struct WatchArgs {
    /// Time between frames (0 renders as fast as it can).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub interval: std::time::Duration,

    /// Print metrics to stderr on exit (SIGUSR1 prints them at any time).
    #[arg(long)]
    pub metrics: bool,

    /// Stop after this many frames (default: run until a signal or a closed pipe).
    #[arg(long, value_name = "N")]
    pub frames: Option<u64>,
}

/// `blinkline prompt`'s own flags (the shell integration passes them).
#[derive(Debug, Args, Clone)]
pub struct PromptArgs {
    /// The shell the prompt is for: decides how escapes are wrapped.
    #[arg(long, value_enum)]
    pub shell: crate::input::shell::ShellKind,

    /// Exit status of the last command ($?).
    #[arg(long, value_name = "CODE", allow_negative_numbers = true)]
    pub status: Option<i32>,

    /// Exit status of each pipeline member, e.g. "0 1 0".
    #[arg(long, value_name = "CODES", value_parser = parse_pipestatus)]
    pub pipestatus: Option<PipeStatus>,

    /// How long the last command ran, in milliseconds.
    #[arg(long, value_name = "MS", value_parser = parse_millis)]
    pub duration: Option<u64>,

    /// Number of background jobs.
    #[arg(long, value_name = "N", default_value = "0")]
    pub jobs: u32,

    /// The line editor's keymap (zsh `vicmd`, fish `default`, …: vi command mode).
    #[arg(long, value_name = "NAME", default_value = "")]
    pub keymap: String,

    /// The shell's nesting level ($SHLVL), when the shell passes it; default: the
    /// environment's SHLVL. (bash lowers SHLVL for the program a command substitution
    /// runs last, so its integration passes the shell's own value.)
    #[arg(long, value_name = "N", value_parser = parse_shlvl)]
    pub shlvl: Option<ShellLevel>,

    /// Render the right prompt (the layout's right-aligned group).
    #[arg(long, conflicts_with = "continuation")]
    pub right: bool,

    /// Render the continuation prompt (PS2).
    #[arg(long)]
    pub continuation: bool,
}

#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    /// bash, zsh, fish or powershell. Render flags given with it (--widgets, --set, --theme, --config,
    /// --color, …) are passed to every prompt the script draws.
    #[arg(value_enum)]
    pub shell: crate::input::shell::ShellKind,
}

/// A parsed `--pipestatus`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipeStatus(pub arrayvec::ArrayVec<i32, { crate::input::shell::MAX_PIPESTATUS }>);

pub fn parse_pipestatus(text: &str) -> Result<PipeStatus, String> {
    crate::input::shell::ShellContext::parse_pipestatus(text).map(PipeStatus)
}

/// A parsed `--shlvl`: `None` when the shell's SHLVL is unset (passed as "").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShellLevel(pub Option<u32>);

pub fn parse_shlvl(text: &str) -> Result<ShellLevel, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(ShellLevel(None));
    }
    t.parse::<u32>()
        .map(|n| ShellLevel(Some(n)))
        .map_err(|_| format!("`{text}` is not a shell level; pass a number like 2"))
}

/// Milliseconds; an empty value (a shell with no duration yet) means none.
pub fn parse_millis(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    t.parse::<f64>()
        .ok()
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map(|ms| ms as u64)
        .ok_or_else(|| {
            format!("`{text}` is not a duration in milliseconds; pass a number like 1234")
        })
}

/// Where `install` puts blinkline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Claude Code's statusLine (and subagentStatusLine) in its settings.json.
    Claude,
    /// `eval "$(blinkline init bash)"` in ~/.bashrc.
    Bash,
    /// `eval "$(blinkline init zsh)"` in ${ZDOTDIR:-~}/.zshrc.
    Zsh,
    /// `blinkline init fish | source` in ~/.config/fish/config.fish.
    Fish,
    /// `Invoke-Expression (& blinkline init powershell | Out-String)` in PowerShell's
    /// profile.
    Powershell,
}

#[derive(Debug, Args, Clone)]
pub struct InstallArgs {
    /// claude, bash, zsh, fish or powershell. For a shell, render flags given with it
    /// (--theme, --widgets, …) are written into the init line.
    #[arg(value_enum)]
    pub target: Target,

    /// Write without asking (needed when there is no terminal to ask on).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// claude: edit the project's .claude/settings.json (the repository's top directory,
    /// else the current one) instead of the user's.
    #[arg(long, conflicts_with = "settings")]
    pub project: bool,

    /// claude: edit this settings file.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,

    /// claude: set statusLine.refreshInterval, so Claude Code re-runs the line every SECS
    /// seconds (clocks, durations, countdowns).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub refresh_interval: Option<u32>,

    /// claude: leave out the subagentStatusLine entry.
    #[arg(long)]
    pub no_subagents: bool,
}

#[derive(Debug, Args, Clone)]
pub struct UninstallArgs {
    /// claude, bash, zsh, fish or powershell.
    #[arg(value_enum)]
    pub target: Target,

    /// Write without asking (needed when there is no terminal to ask on).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// claude: edit the project's .claude/settings.json instead of the user's.
    #[arg(long, conflicts_with = "settings")]
    pub project: bool,

    /// claude: edit this settings file.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
}

/// `blinkline doctor`'s own flags.
#[derive(Debug, Args, Clone)]
pub struct DoctorArgs {
    /// Print the findings as JSON: {"ok": BOOL, "checks": [{"check", "status",
    /// "detail", "fix"}]}.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("10ms"), Ok(Duration::from_millis(10)));
        assert_eq!(parse_duration("300us"), Ok(Duration::from_micros(300)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_millis(7)));
        assert_eq!(
            parse_duration("fast").unwrap_err(),
            "`fast` is not a duration; write it like \"10ms\", \"300us\" or \"1s\""
        );
        assert_eq!(
            parse_duration("5h").unwrap_err(),
            "unknown unit `h` in `5h`; use ns, us, ms, s or m"
        );
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
