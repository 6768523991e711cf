//! From resolved [`Settings`] to what a run needs: the [`Renderer`] (through a
//! [`RendererBuilder`], so each command adds what it differs in: `watch` its interval
//! refresh, `bench` its offload, prompts their shell) and the payload it renders.
//!
//! Nothing here parses flags or reads the config file: `config/resolve.rs` did that once.
//!
//! Read next: `render.rs` (the renderer), `commands.rs` (the commands that use it).

use std::io::{IsTerminal, Read};
use std::path::Path;

use crate::cli::{ColorChoice, RenderArgs, Threads};
use crate::config::resolve::Settings;
use crate::engine::pool::default_threads;
use crate::error::Error;
use crate::format::OutputFormat;
use crate::format::ansi::Look;
use crate::format::theme::ColorDepth;
use crate::input::InputProblem;
use crate::input::env::Environment;
use crate::input::stdin::read_payload;
use crate::layout;
use crate::render::{RenderSettings, Renderer, RendererBuilder};

/// The built-in sample payload (`--sample`, `make demo`). Its rate-limit reset times are
/// placeholders, filled in relative to the current time by [`sample_payload`].
pub const SAMPLE_PAYLOAD: &str = include_str!("input/sample.json");

/// The sample payload with reset times 2h13m and 3d4h from `now`.
pub fn sample_payload(now: i64) -> String {
    SAMPLE_PAYLOAD
        .replace(
            "\"{{FIVE_HOUR_RESET}}\"",
            &(now + 2 * 3600 + 13 * 60 + 30).to_string(),
        )
        .replace(
            "\"{{SEVEN_DAY_RESET}}\"",
            &(now + 3 * 86_400 + 4 * 3600 + 30).to_string(),
        )
}

/// Most worker threads `--threads auto` starts.
pub const AUTO_THREADS_CAP: usize = 4;

/// The pool size for `threads`, `auto` meaning one per core up to `cap`.
pub fn pool_threads(threads: Threads, cap: usize) -> usize {
    match threads {
        Threads::Auto => default_threads(cap),
        Threads::Count(n) => n,
    }
}

/// The status-line renderer for `settings`, ready to be finished by the command. Widgets
/// are timed only for `--format json`, the one format that shows their times; `explain`
/// and `bench` turn timing on themselves. A config with problems shows `⚠ config`.
pub fn builder(settings: &Settings, env: Environment) -> Result<RendererBuilder, Error> {
    let mut layout = layout::build(&settings.spec)?;
    let styles = prepare_styles(&mut layout, settings)?;
    let env = env.with_vars(settings.spec.env_variables().iter().map(String::as_str));
    let depth = color_depth(settings.color, &env);
    let (width, _) = line_width(settings, &env);
    let icons = if settings.icons {
        icon_table(settings)?
    } else {
        &[]
    };
    let look = Look {
        theme: settings.theme.clone(),
        depth,
        charset: settings.charset,
        icons,
        rules: settings.rules,
        styles,
    };
    let threads = pool_threads(settings.threads, AUTO_THREADS_CAP);
    // The same size for the batch pool (a refresher run in this process, e.g. `bench --cold`).
    crate::engine::batch::set_threads(threads);
    let render_settings = RenderSettings {
        deadline: settings.deadline,
        threads,
        charset: settings.charset,
        width,
        rules: settings.rules,
        config_flagged: !settings.problems.is_empty(),
    };
    let sink = crate::format::make_styled_sink(settings.format, look);
    Ok(Renderer::builder(layout, render_settings, env, sink)
        .widget_timing(settings.format == OutputFormat::Json))
}

/// The icon set `settings` names, loaded (a user's file, else a shipped set).
pub fn icon_table(settings: &Settings) -> Result<crate::format::themes::IconTable, Error> {
    let dir = settings.icons_dir.as_deref();
    match crate::format::icon_sets::load_icon_set(&settings.icon_set, dir) {
        Some(table) => table.map_err(Error::Builtin),
        None => Err(Error::UnknownIconSet {
            name: settings.icon_set.clone(),
            hint: crate::util::closest(&settings.icon_set, crate::format::icon_sets::set_names()),
        }),
    }
}

/// Gives each widget whose format places `{icon}` its icon (its `icon` option, else its
/// icon in the icon set, even with icons off), and returns what the output format draws
/// of each widget's style, in layout order.
pub fn prepare_styles(
    layout: &mut [crate::render::LayoutEntry],
    settings: &Settings,
) -> Result<Vec<crate::format::style::SegmentStyle>, Error> {
    let charset = settings.charset;
    let places_icon = |e: &crate::render::LayoutEntry| {
        e.icon.is_empty() && e.style.format.as_ref().is_some_and(|f| f.has_icon())
    };
    if layout.iter().any(places_icon) {
        let table = icon_table(settings)?;
        for entry in layout.iter_mut().filter(|e| places_icon(e)) {
            if let Some((_, icon)) = table.iter().find(|(name, _)| *name == entry.name) {
                entry.icon = (*icon).to_owned();
            }
        }
    }
    Ok(layout
        .iter()
        .map(|e| crate::format::style::SegmentStyle::of(&e.style, charset))
        .collect())
}

/// The status-line renderer for `settings`, as a plain render uses it.
pub fn renderer(settings: &Settings, env: Environment) -> Result<Renderer, Error> {
    builder(settings, env).map(RendererBuilder::build)
}

/// Resolves `args` (and the config file they point to) and builds the renderer: the one
/// call for embedding blinkline (benchmarks, tests, fuzz targets).
pub fn build_renderer(args: &RenderArgs, env: Environment) -> Result<Renderer, Error> {
    let settings = Settings::resolve(args, &env)?;
    renderer(&settings, env)
}

/// Where the width of a line came from (`explain` shows it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidthSource {
    /// `--width`.
    Flag,
    /// `$COLUMNS`.
    Columns,
    /// The controlling terminal.
    DevTty,
    /// The terminal of this ancestor process (Claude Code's own, for its status line);
    /// Linux only (the walk reads `/proc`).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Ancestor(u32),
    /// None: the line is not cut.
    Unlimited,
}

impl std::fmt::Display for WidthSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WidthSource::Flag => f.write_str("--width"),
            WidthSource::Columns => f.write_str("$COLUMNS"),
            WidthSource::DevTty if cfg!(windows) => f.write_str("the console"),
            WidthSource::DevTty => f.write_str("/dev/tty"),
            WidthSource::Ancestor(pid) => write!(f, "the terminal of ancestor pid {pid}"),
            WidthSource::Unlimited => f.write_str("no --width, $COLUMNS or terminal"),
        }
    }
}

/// The usable width of the line and where it came from: `--width`; else `$COLUMNS`, the
/// controlling terminal or the nearest ancestor's terminal, minus the margin; else none.
pub fn line_width(settings: &Settings, env: &Environment) -> (Option<usize>, WidthSource) {
    if let Some(width) = settings.width {
        return (Some(width), WidthSource::Flag);
    }
    let measured = match env.columns {
        Some(columns) => Some((columns, WidthSource::Columns)),
        None if env.tty_width => terminal_columns(),
        None => None,
    };
    match measured {
        Some((columns, source)) => {
            let usable = columns
                .saturating_sub(settings.margin)
                .clamp(1, crate::cli::MAX_WIDTH);
            (Some(usable), source)
        }
        None => (None, WidthSource::Unlimited),
    }
}

/// The columns of the controlling terminal, else (Linux) of the nearest ancestor's.
#[cfg(target_os = "linux")]
fn terminal_columns() -> Option<(usize, WidthSource)> {
    use crate::sys::tty;
    tty::columns_of_path("/dev/tty".as_ref())
        .map(|c| (c, WidthSource::DevTty))
        .or_else(|| tty::ancestor_columns().map(|(pid, c)| (c, WidthSource::Ancestor(pid))))
}

/// The columns of the controlling terminal (no ancestor walk without `/proc`).
#[cfg(all(unix, not(target_os = "linux")))]
fn terminal_columns() -> Option<(usize, WidthSource)> {
    crate::sys::tty::columns_of_path("/dev/tty".as_ref()).map(|c| (c, WidthSource::DevTty))
}

/// The columns of the console this process writes its errors to (Windows has no
/// controlling terminal to open; stdout is Claude Code's pipe).
#[cfg(not(unix))]
fn terminal_columns() -> Option<(usize, WidthSource)> {
    crate::sys::tty::columns(2).map(|c| (c, WidthSource::DevTty))
}

/// The colour depth `choice` gives in `env`.
pub fn color_depth(choice: ColorChoice, env: &Environment) -> ColorDepth {
    match choice {
        ColorChoice::Auto => ColorDepth::detect(env),
        ColorChoice::Never => ColorDepth::None,
        ColorChoice::Always => match ColorDepth::detect(&Environment {
            no_color: false,
            ..env.clone()
        }) {
            ColorDepth::None => ColorDepth::Ansi256,
            depth => depth,
        },
        ColorChoice::Truecolor => ColorDepth::TrueColor,
        ColorChoice::Ansi256 => ColorDepth::Ansi256,
        ColorChoice::Ansi16 => ColorDepth::Ansi16,
    }
}

/// True when the payload comes from stdin (no `--sample`, no `--input FILE`).
pub fn reads_stdin(settings: &Settings) -> bool {
    !settings.sample
        && settings
            .input
            .as_deref()
            .is_none_or(|path| path.as_os_str() == "-")
}

/// The session record `--session` picks for a render without a payload, if there is one
/// recent enough (`--session-max-age`).
pub fn session_record(
    settings: &Settings,
    env: &Environment,
) -> Option<crate::cache::sessions::Found> {
    if settings.session == crate::cache::sessions::SessionPick::None {
        return None;
    }
    let store = crate::cache::sessions::SessionStore::existing(env)?;
    let cwd = std::env::current_dir().ok();
    store
        .find(&settings.session, cwd.as_deref())
        .filter(|found| found.age <= settings.session_max_age)
}

/// Reads the payload into `buf`: the sample (`--sample`), `input` (`--input FILE`), or
/// stdin (no `--input`, or `--input -`).
pub fn read_input(input: Option<&Path>, sample: bool, buf: &mut Vec<u8>) -> Option<InputProblem> {
    if sample {
        buf.clear();
        buf.extend_from_slice(sample_payload(crate::engine::clock::unix_now()).as_bytes());
        return None;
    }
    match input {
        Some(path) if path.as_os_str() != "-" => match std::fs::File::open(path) {
            Ok(mut file) => read_payload(&mut file, buf),
            Err(err) => {
                buf.clear();
                Some(InputProblem::Unreadable {
                    reason: format!("{}: {err}", path.display()),
                })
            }
        },
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                buf.clear();
                return Some(InputProblem::Unreadable {
                    reason: "stdin is a terminal; pipe Claude Code's JSON in, or try --sample"
                        .into(),
                });
            }
            let mut lock = stdin.lock();
            read_payload(&mut lock as &mut dyn Read, buf)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::RenderArgs;

    fn width(args: &[&str], columns: Option<usize>) -> (Option<usize>, WidthSource) {
        use clap::Parser as _;
        let argv = std::iter::once("blinkline").chain(args.iter().copied());
        let args: RenderArgs = crate::cli::Cli::try_parse_from(argv).unwrap().render;
        let env = Environment {
            columns,
            ..Environment::default()
        };
        let settings = Settings::resolve(&args, &env).unwrap();
        line_width(&settings, &env)
    }

    #[test]
    fn the_width_flag_wins_over_columns_and_columns_loses_the_margin() {
        assert_eq!(
            width(&["--width=30"], Some(80)),
            (Some(30), WidthSource::Flag)
        );
        assert_eq!(width(&[], Some(80)), (Some(77), WidthSource::Columns));
        assert_eq!(
            width(&["--margin=0"], Some(80)),
            (Some(80), WidthSource::Columns)
        );
    }

    #[test]
    fn with_no_width_and_no_terminal_probe_the_line_is_unlimited() {
        assert_eq!(width(&[], None), (None, WidthSource::Unlimited));
    }
}
