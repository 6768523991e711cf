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
    let layout = layout::build(&settings.spec)?;
    let env = env.with_vars(
        crate::widgets::env::requested_variables(&settings.spec)
            .iter()
            .map(String::as_str),
    );
    let depth = color_depth(settings.color, &env);
    let width = settings.width.or_else(|| {
        env.columns.map(|c| {
            c.saturating_sub(settings.margin)
                .clamp(1, crate::cli::MAX_WIDTH)
        })
    });
    let icons = if settings.icons {
        crate::format::themes::icons(settings.charset).map_err(Error::Builtin)?
    } else {
        &[]
    };
    let look = Look {
        theme: settings.theme.clone(),
        depth,
        charset: settings.charset,
        icons,
        rules: settings.rules,
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
