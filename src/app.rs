//! Runs the commands. `main` decides between two fast paths that skip clap's set-up (no
//! arguments: Claude Code's invocation; `prompt` with the integration's flags, see
//! `shell/args.rs`) and the full command line.
//!
//! Exit codes: 0 rendered (even from a broken payload: a blank status line helps nobody);
//! 2 a usage error, or any problem under `--strict`. A closed stdout (EPIPE) exits 0
//! quietly, as a pipe reader that went away is not an error.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use crate::cli::{BenchArgs, CharsetChoice, Cli, ColorChoice, Command, RenderArgs, Threads};
use crate::config::resolve::{Resolved, resolve};
use crate::engine::pool::default_threads;
use crate::format::OutputFormat;
use crate::format::ansi::Look;
use crate::format::theme::ColorDepth;
use crate::input::InputProblem;
use crate::input::env::Environment;
use crate::input::stdin::read_payload;
use crate::layout::{self, LayoutSpec};
use crate::render::{Offload, RenderSettings, Renderer};
use crate::widgets::options::OptionValue;

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
const AUTO_THREADS_CAP: usize = 4;

/// The process entry point.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let result = if args.is_empty() {
        render_command(&default_render_args(), false)
    } else if let Some(prompt) = crate::shell::args::parse_prompt(&args) {
        crate::shell::prompt_command(&default_render_args(), &prompt)
    } else {
        run_cli()
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "blinkline: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_cli() -> Result<ExitCode, String> {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let mut cli = match parsed {
        Ok((mut cli, matches)) => {
            cli.render.explicit = crate::cli::explicit_flags(&matches);
            cli
        }
        Err(err) => {
            let _ = err.print();
            return Ok(ExitCode::from(if err.use_stderr() { 2 } else { 0 }));
        }
    };
    match cli.command.take() {
        None | Some(Command::Render) => render_command(&cli.render, false),
        Some(Command::Explain) => render_command(&cli.render, true),
        Some(Command::Bench(ref bench)) => bench_command(&cli.render, bench),
        Some(Command::Widgets) => Ok(list_widgets()),
        Some(Command::Config(action)) => crate::commands::config_command(&cli.render, &action),
        Some(Command::Completions { shell }) => Ok(crate::commands::completions(shell)),
        Some(Command::Man) => crate::commands::man_page(),
        Some(Command::WidgetOptions) => Ok(print_widget_options()),
        Some(Command::RefreshTranscript { ref path }) => {
            crate::transcript::refresh(path, &Environment::capture())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::RefreshGit(ref args)) => refresh_git(args, &Environment::capture()),
        Some(Command::Prompt(ref prompt)) => crate::shell::prompt_command(&cli.render, prompt),
        Some(Command::Init(ref init)) => crate::shell::init_command(init),
        Some(Command::Watch(ref watch)) => crate::watch::watch_command(&cli.render, watch),
    }
}

/// The arguments of a bare `blinkline` run, without going through clap.
fn default_render_args() -> RenderArgs {
    RenderArgs {
        format: OutputFormat::Ansi,
        widgets: None,
        set: Vec::new(),
        deadline: std::time::Duration::from_millis(10),
        budget: layout::DEFAULT_BUDGET,
        threads: Threads::Auto,
        color: ColorChoice::Auto,
        charset: CharsetChoice::Unicode,
        width: None,
        margin: 3,
        strict: false,
        input: None,
        sample: false,
        config: None,
        preset: None,
        theme: None,
        explicit: Vec::new(),
    }
}

/// Builds a renderer from the render arguments (and the config file they point to).
pub fn build_renderer(args: &RenderArgs, env: Environment) -> Result<Renderer, String> {
    build_renderer_with_config(args, env).map(|(renderer, _)| renderer)
}

/// Loads the configuration and resolves it with `args`. A config with problems gives
/// the defaults (and the problems); an unusable flag is an error.
pub fn resolve_settings(
    args: &RenderArgs,
    env: &Environment,
) -> Result<(Resolved, Vec<String>), String> {
    let loaded = crate::config::load(args.config.as_deref(), args.preset.as_deref(), env);
    let mut resolved = resolve(args, &loaded)?;
    for assignment in &args.set {
        apply_set(&mut resolved.spec, assignment)?;
    }
    set_command_trust(
        &mut resolved.spec,
        args.widgets.is_some(),
        loaded.path.as_deref(),
    );
    Ok((resolved, loaded.problems))
}

/// `command` widgets run only from a trusted source: the command line, or a config file
/// the user owns that neither group nor others may write. A `trusted` key written in the
/// file itself is ignored.
fn set_command_trust(
    spec: &mut LayoutSpec,
    from_command_line: bool,
    config: Option<&std::path::Path>,
) {
    use std::os::unix::fs::MetadataExt;
    let file_is_safe = config.is_none_or(|path| {
        std::fs::metadata(path)
            .is_ok_and(|m| m.uid() == crate::engine::os::current_uid() && m.mode() & 0o022 == 0)
    });
    for widget in spec
        .widgets
        .iter_mut()
        .filter(|w| w.name == crate::widgets::command::INFO.name)
    {
        widget.options.entries.retain(|(key, _)| key != "trusted");
        widget.options.set(
            "trusted",
            OptionValue::Bool(from_command_line || file_is_safe),
        );
    }
}
/// Like [`build_renderer`], and also returns the config file's problems (the renderer
/// then shows the `⚠ config` marker). Widgets are timed only for `--format json`, the one
/// format that shows their times; `explain` and `bench` turn timing on themselves.
pub fn build_renderer_with_config(
    args: &RenderArgs,
    env: Environment,
) -> Result<(Renderer, Vec<String>), String> {
    let (resolved, problems) = resolve_settings(args, &env)?;
    let layout = layout::build(&resolved.spec).map_err(|e| e.to_string())?;
    let env = env.with_vars(
        crate::widgets::env::requested_variables(&resolved.spec)
            .iter()
            .map(String::as_str),
    );
    let depth = color_depth(resolved.color, &env);
    let width = args.width.or_else(|| {
        env.columns.map(|c| {
            c.saturating_sub(resolved.margin)
                .clamp(1, crate::cli::MAX_WIDTH)
        })
    });
    let threads = match args.threads {
        Threads::Auto => default_threads(AUTO_THREADS_CAP),
        Threads::Count(n) => n,
    };
    let icons = if resolved.icons {
        crate::format::themes::icons(resolved.charset)?
    } else {
        &[]
    };
    let look = Look {
        theme: resolved.theme,
        depth,
        charset: resolved.charset,
        icons,
        rules: resolved.rules,
    };
    let settings = RenderSettings {
        deadline: resolved.deadline,
        threads,
        offload: Offload::SlowOnly,
        charset: resolved.charset,
        width,
        rules: resolved.rules,
        config_flagged: !problems.is_empty(),
    };
    let sink = crate::format::make_styled_sink(args.format, look);
    let mut renderer = Renderer::new(layout, settings, env, sink);
    renderer.set_widget_timing(args.format == OutputFormat::Json);
    Ok((renderer, problems))
}

/// `--set widget.key=value`.
pub fn apply_set(spec: &mut LayoutSpec, assignment: &str) -> Result<(), String> {
    let usage =
        || format!("--set `{assignment}`: write it as WIDGET.KEY=VALUE, e.g. context.warn=60");
    let (target, value) = assignment.split_once('=').ok_or_else(usage)?;
    let (widget, key) = target.split_once('.').ok_or_else(usage)?;
    if spec.set_option(
        widget.trim(),
        key.trim(),
        OptionValue::parse_cli(value.trim()),
    ) {
        Ok(())
    } else {
        Err(format!(
            "--set `{assignment}`: widget `{widget}` is not in the layout"
        ))
    }
}

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

/// Reads the payload from `--sample`, `--input FILE` or stdin.
fn read_input(args: &RenderArgs, buf: &mut Vec<u8>) -> Option<InputProblem> {
    if args.sample {
        buf.clear();
        buf.extend_from_slice(sample_payload(crate::engine::clock::unix_now()).as_bytes());
        return None;
    }
    match &args.input {
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

fn render_command(args: &RenderArgs, explain: bool) -> Result<ExitCode, String> {
    let (mut renderer, config_problems) = build_renderer_with_config(args, Environment::capture())?;
    if explain {
        renderer.set_widget_timing(true);
    }
    for problem in &config_problems {
        let _ = writeln!(std::io::stderr(), "blinkline: config: {problem}");
    }
    let mut payload = Vec::with_capacity(16 * 1024);
    let read_problem = read_input(args, &mut payload);
    let report = renderer.render_flagged(&payload, read_problem.is_some());
    let problem = read_problem.or(report.problem);
    if explain {
        print_explain(&renderer, &payload, problem.as_ref());
    } else if let Err(err) = renderer.write_frame() {
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(std::io::stderr(), "blinkline: cannot write the line: {err}");
            return Ok(ExitCode::from(2));
        }
        return Ok(ExitCode::SUCCESS);
    }
    renderer.after_frame();
    let errors = renderer.metrics().widget_errors.get();
    if let Some(problem) = &problem {
        let _ = writeln!(std::io::stderr(), "blinkline: {problem}");
    }
    let failed = problem.is_some() || errors > 0 || !config_problems.is_empty();
    Ok(if args.strict && failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_explain(renderer: &Renderer, payload: &[u8], problem: Option<&InputProblem>) {
    let mut out = String::new();
    out.push_str("widget        state    µs  runs    source                              value\n");
    for w in renderer.report() {
        let cost = match w.cost {
            crate::widgets::Cost::Cheap => "inline",
            crate::widgets::Cost::Slow => "pool",
        };
        let source = if w.source.is_empty() { "-" } else { w.source };
        let value = if w.state.is_visible() { w.text } else { "" };
        out.push_str(&format!(
            "{:<13} {:<7} {:>4}  {:<7} {:<35} {}\n",
            w.name,
            w.state.as_str(),
            w.micros,
            cost,
            source,
            value
        ));
    }
    match problem {
        Some(p) => out.push_str(&format!("input: {p}\n")),
        None => out.push_str(&format!("input: {} bytes\n", payload.len())),
    }
    if let Some(drift) = crate::input::schema::drift(payload) {
        let list = |paths: &[String]| {
            if paths.is_empty() {
                "none".to_owned()
            } else {
                paths.join(", ")
            }
        };
        out.push_str(&format!(
            "unknown fields ({}): {}\nnull fields ({}): {}\n",
            drift.unknown.len(),
            list(&drift.unknown),
            drift.nulls.len(),
            list(&drift.nulls)
        ));
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
}

/// `__refresh-git`: the detached refresher behind the git widgets.
fn refresh_git(args: &crate::cli::RefreshGitArgs, env: &Environment) -> Result<ExitCode, String> {
    refresh_git_with(args, env, true)
}

/// [`refresh_git`]; `watch`: the refresher may stay on as the repository's watcher (not
/// when it runs inside `bench --cold`).
fn refresh_git_with(
    args: &crate::cli::RefreshGitArgs,
    env: &Environment,
    watch: bool,
) -> Result<ExitCode, String> {
    let cache = crate::cache::Cache::open(env).map_err(|e| e.to_string())?;
    cache.sweep_temporaries();
    let git_env = crate::git::discover::GitEnv::from_vars(
        env.git_dir.as_deref(),
        env.git_work_tree.as_deref(),
        env.process_cwd.as_deref(),
    );
    // Renders name the record after the absolute git directory; a relative `DIR` given
    // by hand must reach the same record.
    let dir = std::path::absolute(&args.dir).unwrap_or_else(|_| args.dir.clone());
    let request = crate::git::refresh::RefreshRequest {
        dir: &dir,
        diffstat: args.diffstat,
        locked: args.locked,
        watch,
    };
    crate::git::refresh::refresh(&request, &git_env, &cache).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// Runs a refresher's command line (`__refresh-git …`, `__refresh-transcript PATH`) in
/// this process with `env`: what `bench --cold` installs with
/// [`crate::cache::run_refreshers_inline`]. Errors are dropped, as a detached refresher's
/// are.
pub fn run_refresher_here(env: &Environment, args: &[&std::ffi::OsStr]) {
    use clap::Parser as _;
    let argv = std::iter::once(std::ffi::OsStr::new("blinkline")).chain(args.iter().copied());
    let Ok(cli) = Cli::try_parse_from(argv) else {
        return;
    };
    let _ = match cli.command {
        Some(Command::RefreshTranscript { ref path }) => crate::transcript::refresh(path, env),
        Some(Command::RefreshGit(ref git)) => refresh_git_with(git, env, false).map(drop),
        _ => Ok(()),
    };
}

/// `blinkline widgets`: each widget's summary, then its options with kind and default.
fn list_widgets() -> ExitCode {
    let mut out = String::new();
    for info in crate::widgets::REGISTRY {
        out.push_str(&format!("{:<13} {}\n", info.name, info.summary));
        for spec in info.options {
            let default = spec
                .default_value()
                .map_or("required".into(), |d| format!("default {d}"));
            out.push_str(&format!(
                "    {:<15} {} ({default})\n",
                spec.key,
                (spec.kind)()
            ));
        }
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// `__widget-options`: a `## NAME` heading and the options table of each widget, in
/// registry order, for scripts/widget_docs.py.
fn print_widget_options() -> ExitCode {
    let mut out = String::new();
    for info in crate::widgets::REGISTRY {
        out.push_str(&format!("## {}\n", info.name));
        out.push_str(&crate::widgets::options::markdown_table(info.options));
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

fn bench_command(args: &RenderArgs, bench: &BenchArgs) -> Result<ExitCode, String> {
    if let Some(runs) = bench.processes {
        return bench_processes(args, bench, runs);
    }
    let mut args = args.clone();
    if args.input.is_none() {
        args.sample = true;
    }
    let mut payload = Vec::new();
    if let Some(problem) = read_input(&args, &mut payload) {
        return Err(problem.to_string());
    }
    match bench.compare {
        Some(crate::cli::CompareWhat::Queue) => {
            let text = crate::bench::compare::queues(bench.frames().max(1000) * 100);
            let _ = std::io::stdout().write_all(text.as_bytes());
            return Ok(ExitCode::SUCCESS);
        }
        Some(crate::cli::CompareWhat::Threads) => {
            let max = match args.threads {
                Threads::Count(n) if n > 0 => n,
                _ => default_threads(AUTO_THREADS_CAP).max(2),
            };
            let text = crate::bench::compare::threads(&args, bench, &payload, max)?;
            let _ = std::io::stdout().write_all(text.as_bytes());
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let report = crate::bench::run(&args, bench, &payload)?;
    let text = if bench.json {
        report.to_json()
    } else {
        report.to_text()
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn bench_processes(args: &RenderArgs, bench: &BenchArgs, runs: usize) -> Result<ExitCode, String> {
    use crate::bench::processes;
    let exe = match &bench.exe {
        Some(path) => path.clone(),
        None => std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?,
    };
    let floor = bench
        .floor
        .clone()
        .unwrap_or_else(|| processes::default_floor(&exe));
    if !floor.is_file() {
        return Err(format!(
            "floor binary {} not found; build it with `cargo build --release` or pass --floor",
            floor.display()
        ));
    }
    // Holds the sample payload's file, when one is written, until the runs are done.
    let mut sample_dir = None;
    let payload_path = match &args.input {
        Some(path) => path.clone(),
        None => sample_dir
            .insert(write_sample_payload()?)
            .join("payload.json"),
    };
    let report = processes::compare(
        &exe,
        &bench.exe_args,
        &floor,
        &payload_path,
        runs.max(1),
        bench.idle,
    )?;
    let text = if bench.json {
        report.to_json()
    } else {
        report.to_text()
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The sample payload in `payload.json` of a temporary directory (removed on drop).
fn write_sample_payload() -> Result<crate::tempdir::TempDir, String> {
    let dir = crate::tempdir::TempDir::new("bench-payload").map_err(|e| e.to_string())?;
    let path = dir.join("payload.json");
    std::fs::write(&path, sample_payload(crate::engine::clock::unix_now()))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::default_render_args;
    use crate::cli::Cli;
    use clap::{CommandFactory, FromArgMatches};

    /// The fast paths (no arguments, `prompt`) use `default_render_args` where the full
    /// path uses clap's defaults: they must be the same settings.
    #[test]
    fn the_fast_paths_render_with_clap_defaults() {
        for argv in [
            &["blinkline"][..],
            &["blinkline", "prompt", "--shell", "bash"],
        ] {
            let matches = Cli::command().try_get_matches_from(argv).unwrap();
            let mut cli = Cli::from_arg_matches(&matches).unwrap();
            cli.render.explicit = crate::cli::explicit_flags(&matches);
            assert_eq!(
                format!("{:?}", cli.render),
                format!("{:?}", default_render_args()),
                "{argv:?}"
            );
        }
    }
}
