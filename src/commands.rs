//! The commands: `render` and `explain`, `widgets`, `config init|check|print`,
//! `completions`, the hidden `__man` (used by `make man`) and the refreshers renders start
//! (`__refresh-git`, `__refresh-transcript`). Each returns its exit code or an [`Error`];
//! messages name the file and the fix. `bench` is in `bench/`, `prompt` and `init` in
//! `shell/`, `watch` in `watch/`; `app.rs` only dispatches to them.
//!
//! Exit codes of a render: 0 rendered (even from a broken payload: a blank status line
//! helps nobody); 2 any problem under `--strict`. A closed stdout (EPIPE) exits 0 quietly,
//! as a pipe reader that went away is not an error.

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cache::Refresh;
use crate::cli::{Cli, ConfigCommand, RenderArgs};
use crate::config;
use crate::config::resolve::Settings;
use crate::error::Error;
use crate::input::InputProblem;
use crate::input::env::Environment;
use crate::render::Renderer;

/// `blinkline [render]` (`explain`: `blinkline explain`).
pub fn render(args: &RenderArgs, explain: bool) -> Result<ExitCode, Error> {
    let env = Environment::capture();
    let settings = Settings::resolve(args, &env)?;
    render_with(&settings, env, explain)
}

/// `blinkline [render]` as Claude Code runs it: a problem on the command line (clap's
/// `arg_problems`, an unknown theme or widget, a bad `--set`) leaves out only what is
/// wrong and shows `⚠ args`; `--strict` fails as [`render`] does.
pub fn render_line(args: &RenderArgs, arg_problems: Vec<String>) -> Result<ExitCode, Error> {
    if args.strict {
        return render(args, false);
    }
    let env = Environment::capture();
    let settings = Settings::resolve_lenient(args, &env, arg_problems)?;
    render_with(&settings, env, false)
}

fn render_with(settings: &Settings, env: Environment, explain: bool) -> Result<ExitCode, Error> {
    // A cancelled render (SIGTERM from Claude Code) takes its commands with it.
    crate::engine::children::kill_children_on_signals();
    let mut renderer = crate::setup::builder(settings, env.clone())?
        .args_flagged(!settings.arg_problems.is_empty())
        .build();
    if explain {
        renderer.set_widget_timing(true);
    }
    for problem in &settings.arg_problems {
        let mut line = String::from("blinkline: args: ");
        crate::sanitize::push_clean(&mut line, problem);
        line.push('\n');
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
    for problem in &settings.problems {
        let _ = writeln!(std::io::stderr(), "blinkline: config: {problem}");
    }
    let mut payload = Vec::with_capacity(16 * 1024);
    let from_stdin = crate::setup::reads_stdin(settings);
    let stdin_terminal = from_stdin && std::io::stdin().is_terminal();
    let mut read_problem =
        crate::setup::read_input(settings.input.as_deref(), settings.sample, &mut payload);
    let mut from_record = None;
    if from_stdin
        && (stdin_terminal || payload.iter().all(u8::is_ascii_whitespace))
        && let Some(found) = crate::setup::session_record(settings, &env)
    {
        payload = found.payload;
        read_problem = None;
        from_record = Some((found.id, found.age));
    }
    // A payload Claude Code sent (not one read back from a record) becomes its record.
    let recordable = from_stdin && from_record.is_none() && !explain && read_problem.is_none();
    let engine_before = crate::bench::EngineUse::now(&renderer);
    let report = renderer.render_flagged(&payload, read_problem.is_some());
    let problem = read_problem.or(report.problem);
    if explain {
        let (width, source) = crate::setup::line_width(settings, &env);
        print_explain(
            &renderer,
            &payload,
            problem.as_ref(),
            from_record.as_ref(),
            engine_before,
        );
        let width = width.map_or_else(|| "unlimited".to_owned(), |w| format!("{w} columns"));
        let _ = writeln!(std::io::stdout(), "width: {width} (from {source})");
    } else if let Err(err) = renderer.write_frame() {
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(std::io::stderr(), "blinkline: cannot write the line: {err}");
            return Ok(ExitCode::from(2));
        }
        return Ok(ExitCode::SUCCESS);
    }
    renderer.after_frame();
    if recordable {
        record_session(&env, &payload);
    }
    let errors = renderer.metrics().widget_errors.get();
    if let Some(problem) = &problem {
        let _ = writeln!(std::io::stderr(), "blinkline: {problem}");
    }
    let failed = problem.is_some()
        || errors > 0
        || !settings.problems.is_empty()
        || !settings.arg_problems.is_empty();
    Ok(if settings.strict && failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Saves a Claude Code payload as its session's record (after the frame is out), so that
/// renders without a payload can show the session. A failure only costs the record.
fn record_session(env: &Environment, payload: &[u8]) {
    let (session, _) = crate::input::parse_session(payload);
    let Some(id) = session.session_id.as_deref() else {
        return;
    };
    if let Ok(store) = crate::cache::sessions::SessionStore::open(env) {
        let _ = store.save(id, payload);
    }
}

fn print_explain(
    renderer: &Renderer,
    payload: &[u8],
    problem: Option<&InputProblem>,
    record: Option<&(String, std::time::Duration)>,
    engine_before: crate::bench::EngineUse,
) {
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
            w.id,
            w.state.as_str(),
            w.micros,
            cost,
            source,
            value
        ));
    }
    let engine = crate::bench::EngineUse::now(renderer).per_frame_since(engine_before, 1.0);
    out.push_str(&format!("engine: {}\n", engine.to_text()));
    match problem {
        Some(p) => out.push_str(&format!("input: {p}\n")),
        None => out.push_str(&format!("input: {} bytes\n", payload.len())),
    }
    if let Some((id, age)) = record {
        out.push_str(&format!(
            "input from the record of session {id}, updated {}s ago\n",
            age.as_secs()
        ));
    }
    if !crate::sys::affinity::SUPPORTED {
        out.push_str(
            "pool threads: not pinned (thread pinning is not supported on this platform)\n",
        );
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

/// `blinkline widgets`.
pub fn list_widgets() -> ExitCode {
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

/// `blinkline themes`: the built-in themes, then the user's files (a user's file of a
/// built-in's name shadows it).
pub fn list_themes(env: &Environment) -> ExitCode {
    let dir = crate::format::themes::user_dir(env);
    let user = crate::format::themes::user_themes(dir.as_deref());
    let mut out = String::new();
    for name in crate::format::themes::theme_names() {
        let shadowed = user.iter().any(|(n, _)| n == name);
        let mark = if shadowed {
            "built-in, shadowed by the user's"
        } else {
            "built-in"
        };
        out.push_str(&format!("{name:<13} {mark}\n"));
    }
    for (name, path) in &user {
        out.push_str(&format!("{name:<13} user  {}\n", path.display()));
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// The widgets whose icons `blinkline icons` shows.
const ICON_PREVIEW: &[&str] = &["model", "context", "cost", "git_branch", "cwd", "time"];

/// `blinkline icons`: the shipped icon sets, then the user's files (a user's file of a
/// shipped set's name shadows it), each with a few of its icons, or what is wrong with it.
pub fn list_icon_sets(env: &Environment) -> Result<ExitCode, Error> {
    use crate::format::icon_sets;
    let dir = icon_sets::user_dir(env);
    let user = crate::format::themes::user_themes(dir.as_deref());
    let preview = |name: &str| match icon_sets::load_icon_set(name, dir.as_deref()) {
        Some(Ok(table)) => ICON_PREVIEW
            .iter()
            .map(|w| table.iter().find(|(n, _)| n == w).map_or("-", |(_, i)| *i))
            .collect::<Vec<_>>()
            .join(" "),
        Some(Err(err)) => format!("error: {err}"),
        None => String::new(),
    };
    let mut out = format!("{:<13} {:<9} {}\n", "set", "from", ICON_PREVIEW.join(" "));
    for name in icon_sets::set_names() {
        let from = if user.iter().any(|(n, _)| n == name) {
            "user"
        } else {
            "built-in"
        };
        out.push_str(&format!("{name:<13} {from:<9} {}\n", preview(name)));
    }
    for (name, path) in user
        .iter()
        .filter(|(n, _)| icon_sets::set_names().all(|b| b != n))
    {
        out.push_str(&format!("{name:<13} {:<9} {}\n", "user", preview(name)));
        out.push_str(&format!("{:<23} {}\n", "", path.display()));
    }
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(Error::Io)?;
    Ok(ExitCode::SUCCESS)
}

/// `blinkline icon show NAME`: the sample line with that icon set, icons on.
pub fn show_icon_set(args: &RenderArgs, name: &str) -> Result<ExitCode, Error> {
    let args = RenderArgs {
        icons: Some(name.to_owned()),
        sample: true,
        ..args.clone()
    };
    render(&args, false)
}

/// `blinkline theme show NAME`: the sample line in that theme (the config's layout).
pub fn show_theme(args: &RenderArgs, name: &str) -> Result<ExitCode, Error> {
    let args = RenderArgs {
        theme: Some(name.to_owned()),
        sample: true,
        ..args.clone()
    };
    render(&args, false)
}

/// `blinkline widgets NAME`: one widget's summary, options, format fields and style keys.
pub fn describe_widget(name: &str) -> Result<ExitCode, Error> {
    let info = crate::widgets::find(name).ok_or_else(|| {
        Error::Layout(crate::layout::LayoutError::UnknownWidget {
            name: name.to_owned(),
            hint: crate::widgets::closest(name),
        })
    })?;
    let mut out = format!("{}: {}\n\noptions:\n", info.name, info.summary);
    let line = |out: &mut String, key: &str, kind: String, doc: String| {
        out.push_str(&format!("    {key:<15} {kind:<22} {doc}\n"));
    };
    if info.options.is_empty() {
        out.push_str("    none\n");
    }
    for spec in info.options {
        let default = spec
            .default_value()
            .map_or("required".into(), |d| format!("default {d}"));
        line(
            &mut out,
            spec.key,
            (spec.kind)(),
            format!("{} ({default})", spec.doc_line()),
        );
    }
    out.push_str("\nformat fields (format = \"{icon} {value}\"):\n");
    for field in crate::widgets::style::COMMON_FIELDS
        .iter()
        .chain(info.fields)
    {
        line(
            &mut out,
            &format!("{{{}}}", field.name),
            String::new(),
            field.doc.to_owned(),
        );
    }
    out.push_str("\nstyle:\n");
    for spec in style_specs(info) {
        line(&mut out, spec.key, (spec.kind)(), spec.doc_line());
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The style keys `info` takes (those it does not declare as options of its own).
fn style_specs(
    info: &crate::widgets::WidgetInfo,
) -> impl Iterator<Item = &'static crate::widgets::options::OptionSpec> + '_ {
    crate::widgets::style::STYLE_SPECS
        .iter()
        .filter(|s| crate::widgets::style::is_style_key(info, s.key))
}

/// `__widget-options`: a `## NAME` heading and the options table of each widget, in
/// registry order, for scripts/widget_docs.py.
pub fn print_widget_options() -> ExitCode {
    let mut out = String::new();
    for info in crate::widgets::REGISTRY {
        out.push_str(&format!("## {}\n", info.name));
        out.push_str(&crate::widgets::options::markdown_table(info.options));
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// `__widget-fields`: a `## NAME` heading, the format fields table and the style keys of
/// each widget, in registry order, for scripts/widget_docs.py.
pub fn print_widget_fields() -> ExitCode {
    let mut out = String::new();
    for info in crate::widgets::REGISTRY {
        out.push_str(&format!("## {}\n| field | holds |\n|---|---|\n", info.name));
        for field in crate::widgets::style::COMMON_FIELDS
            .iter()
            .chain(info.fields)
        {
            out.push_str(&format!(
                "| `{{{}}}` | {} |\n",
                field.name,
                field.doc.replace('|', "\\|")
            ));
        }
        let keys: Vec<String> = style_specs(info).map(|s| format!("`{}`", s.key)).collect();
        out.push_str(&format!(
            "\nStyle keys: {} (see [Style and format](#style-and-format)).\n",
            keys.join(", ")
        ));
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// Runs a refresher's work (`__refresh-git`, `__refresh-transcript`) in this process with
/// `env`. `watch`: a git refresher may stay on as the repository's watcher (not when it
/// runs inside `bench --cold`, through an inline [`crate::cache::Refresher`]).
pub fn refresh(job: &Refresh<'_>, env: &Environment, watch: bool) -> Result<(), Error> {
    match *job {
        Refresh::Transcript { path } => Ok(crate::transcript::refresh(path, env)?),
        Refresh::Usage { locked } => {
            crate::usage::command::refresh_detached(env, locked);
            Ok(())
        }
        Refresh::Git {
            dir,
            diffstat,
            locked,
        } => {
            let cache = crate::cache::Cache::open(env)?;
            cache.sweep_temporaries();
            let git_env = crate::git::discover::GitEnv::from_vars(
                env.git_dir.as_deref(),
                env.git_work_tree.as_deref(),
                env.process_cwd.as_deref(),
            );
            // Renders name the record after the absolute git directory; a relative `DIR`
            // given by hand must reach the same record.
            let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
            let request = crate::git::refresh::RefreshRequest {
                dir: &dir,
                diffstat,
                locked,
                watch,
            };
            crate::git::refresh::refresh(&request, &git_env, &cache)?;
            Ok(())
        }
    }
}

/// The file `config` commands work on: `--config FILE` or the default location.
fn config_path(args: &RenderArgs, env: &Environment) -> Result<PathBuf, Error> {
    args.config
        .clone()
        .or_else(|| config::default_path(env))
        .ok_or(Error::NoConfigLocation)
}

/// `blinkline config init|check|print`.
pub fn config_command(args: &RenderArgs, action: &ConfigCommand) -> Result<ExitCode, Error> {
    let env = Environment::capture();
    match action {
        ConfigCommand::Init { force } => init(&config_path(args, &env)?, *force),
        ConfigCommand::Check => check(&config_path(args, &env)?),
        ConfigCommand::Print => {
            let settings = Settings::resolve(args, &env)?;
            for problem in &settings.problems {
                let _ = writeln!(std::io::stderr(), "blinkline: config: {problem}");
            }
            let _ = std::io::stdout().write_all(config::print::to_toml(&settings).as_bytes());
            Ok(ExitCode::from(u8::from(!settings.problems.is_empty())))
        }
    }
}

fn init(path: &Path, force: bool) -> Result<ExitCode, Error> {
    if path.exists() && !force {
        return Err(Error::ConfigExists(path.to_path_buf()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(Error::io_at(format!("cannot create {}", dir.display())))?;
    }
    std::fs::write(path, config::INIT_TEMPLATE)
        .map_err(Error::io_at(format!("cannot write {}", path.display())))?;
    let _ = writeln!(std::io::stdout(), "wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}

fn check(path: &Path) -> Result<ExitCode, Error> {
    let source = std::fs::read_to_string(path).map_err(|source| Error::ConfigUnreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let (_, problems) = config::parse(&source);
    let name = path.display().to_string();
    let mut out = String::new();
    for problem in &problems {
        out.push_str(&problem.render(&name, &source));
        out.push('\n');
    }
    if problems.is_empty() {
        let _ = writeln!(std::io::stdout(), "{name}: no problems");
        return Ok(ExitCode::SUCCESS);
    }
    out.push_str(&format!(
        "{} problem{} in {name}\n",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    ));
    let _ = std::io::stderr().write_all(out.as_bytes());
    Ok(ExitCode::from(1))
}

/// `blinkline completions SHELL`. The script is generated into memory first:
/// `clap_complete::generate` panics on a write error, and a closed pipe (`| head`) is not
/// one for us.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "blinkline", &mut script);
    let _ = std::io::stdout().write_all(&script);
    ExitCode::SUCCESS
}

/// `blinkline __man`: the man page, generated from the clap definition.
pub fn man_page() -> Result<ExitCode, Error> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(Error::io_at("cannot render the man page"))?;
    let _ = std::io::stdout().write_all(&out);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tempdir::TempDir;

    fn env_with_cache(dir: &TempDir) -> Environment {
        Environment {
            xdg_cache_home: Some(dir.path().to_string_lossy().into_owned()),
            ..Environment::default()
        }
    }

    #[test]
    fn a_refresher_error_keeps_its_type_and_its_message() {
        let dir = TempDir::new("refresh-errors").unwrap();
        let env = env_with_cache(&dir);
        let missing = dir.join("gone.jsonl");
        let path = missing.to_str().unwrap();
        let err = refresh(&Refresh::Transcript { path }, &env, false).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Transcript(crate::transcript::RefreshError::Scan {
                    problem: crate::transcript::Problem::Missing,
                    ..
                })
            ),
            "{err:?}"
        );
        assert_eq!(err.to_string(), format!("{path}: \u{26a0} no transcript"));

        let outside = dir.join("not-a-repo");
        std::fs::create_dir(&outside).unwrap();
        let job = Refresh::Git {
            dir: &outside,
            diffstat: false,
            locked: false,
        };
        let err = refresh(&job, &env, false).unwrap_err();
        assert!(matches!(err, Error::Git(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("{} is not in a git repository", outside.display())
        );
    }

    #[test]
    fn a_refresher_without_a_cache_says_why() {
        let err = refresh(
            &Refresh::Transcript { path: "/x.jsonl" },
            &Environment::default(),
            false,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Transcript(crate::transcript::RefreshError::Cache(
                    crate::cache::CacheError::NoLocation
                ))
            ),
            "{err:?}"
        );
    }
}
