//! The dispatcher: reads the command line and hands it to the command that runs it. Two
//! fast paths skip clap's set-up: no arguments (Claude Code's invocation) and `prompt` with
//! the integration's flags (see `shell/args.rs`); both render with the same
//! [`RenderArgs`] clap would give.
//!
//! Exit codes: what the command returns (see `commands.rs`), or, for an [`Error`], its
//! [`Error::exit_code`] after `blinkline: MESSAGE` on stderr; clap's own usage errors exit 2,
//! `--help` and `--version` 0. A render's usage error is not one: the line is rendered
//! without what clap refused (`recover.rs`), with `⚠ args` and the reasons on stderr.
//! Only the binary calls this module.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use crate::cache::Refresh;
use crate::cli::{Cli, Command, RenderArgs};
use crate::error::Error;
use crate::input::env::Environment;

/// The process entry point.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    // Windows consoles show colours only in VT mode; nothing to do elsewhere.
    crate::sys::os::prepare_output();
    let result = if args.is_empty() {
        crate::commands::render_line(&RenderArgs::default(), Vec::new())
    } else if let Some((render, prompt)) = crate::shell::args::parse_prompt(&args) {
        crate::shell::prompt_command(&render, &prompt)
    } else {
        run_cli()
    };
    result.unwrap_or_else(|error| {
        let _ = writeln!(std::io::stderr(), "blinkline: {error}");
        error.exit_code()
    })
}

fn run_cli() -> Result<ExitCode, Error> {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => {
            // Claude Code blanks its line on a usage error: render what clap accepts.
            let args: Vec<OsString> = std::env::args_os().skip(1).collect();
            if err.use_stderr()
                && let Some((render, problems)) = crate::recover::recover(&args)
            {
                return crate::commands::render_line(&render, problems);
            }
            let _ = err.print();
            return Ok(ExitCode::from(if err.use_stderr() { 2 } else { 0 }));
        }
    };
    dispatch(cli, &matches)
}

/// Runs the parsed command; `matches` tells `init` which render flags were given.
fn dispatch(cli: Cli, matches: &clap::ArgMatches) -> Result<ExitCode, Error> {
    let render = &cli.render;
    match cli.command {
        None | Some(Command::Render) => crate::commands::render_line(render, Vec::new()),
        Some(Command::Explain) => crate::commands::render(render, true),
        Some(Command::Bench(ref bench)) => crate::bench::command(render, bench),
        Some(Command::Widgets { name: None }) => Ok(crate::commands::list_widgets()),
        Some(Command::Widgets { name: Some(name) }) => crate::commands::describe_widget(&name),
        Some(Command::Config(ref action)) => crate::commands::config_command(render, action),
        Some(Command::Themes) => Ok(crate::commands::list_themes(&Environment::capture())),
        Some(Command::Theme(crate::cli::ThemeCommand::Show { ref name })) => {
            crate::commands::show_theme(render, name)
        }
        Some(Command::Icons) => crate::commands::list_icon_sets(&Environment::capture()),
        Some(Command::Icon(crate::cli::IconCommand::Show { ref name })) => {
            crate::commands::show_icon_set(render, name)
        }
        Some(Command::Completions { shell }) => Ok(crate::commands::completions(shell)),
        Some(Command::Man) => crate::commands::man_page(),
        Some(Command::WidgetOptions) => Ok(crate::commands::print_widget_options()),
        Some(Command::WidgetFields) => Ok(crate::commands::print_widget_fields()),
        Some(
            ref command @ (Command::RefreshTranscript { .. }
            | Command::RefreshGit(_)
            | Command::RefreshUsage { .. }),
        ) => {
            if let Some(job) = refresh_job(command) {
                // `--threads N` sizes the pool a refresher's status runs on (default: one
                // worker per core), for measuring it at a given width.
                if let Some(threads) = render.threads {
                    crate::engine::batch::set_threads(crate::setup::pool_threads(
                        threads,
                        crate::engine::batch::MAX_THREADS,
                    ));
                }
                crate::commands::refresh(&job, &Environment::capture(), true)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Prompt(ref prompt)) => crate::shell::prompt_command(render, prompt),
        Some(Command::Init(ref init)) => {
            crate::shell::init_command(init, &crate::cli::prompt_flags_given(matches)?)
        }
        Some(Command::Subagents) => crate::subagents::command(render),
        Some(Command::Watch(ref watch)) => crate::watch::watch_command(render, watch),
        Some(Command::Install(ref install)) => {
            crate::install::install_command(install, &crate::cli::prompt_flags_given(matches)?)
        }
        Some(Command::Uninstall(ref uninstall)) => crate::install::uninstall_command(uninstall),
        Some(Command::Doctor(ref doctor)) => crate::doctor::doctor_command(render, doctor),
        Some(Command::Configure) => crate::configure::command(render),
        Some(Command::Usage(ref usage)) => crate::usage::command::run(usage),
    }
}

/// The refresher's work a `__refresh-…` command asks for ([`Refresh::args`] in reverse).
fn refresh_job(command: &Command) -> Option<Refresh<'_>> {
    match command {
        Command::RefreshTranscript { path } => Some(Refresh::Transcript { path }),
        Command::RefreshUsage { locked } => Some(Refresh::Usage { locked: *locked }),
        Command::RefreshGit(git) => Some(Refresh::Git {
            dir: &git.dir,
            diffstat: git.diffstat,
            locked: git.locked,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::refresh_job;
    use crate::cache::Refresh;
    use crate::cli::{Cli, RenderArgs};
    use clap::Parser as _;
    use std::path::Path;

    /// A render hands a refresher its work as a command line; the refresher must read
    /// back the same work.
    #[test]
    fn a_refresher_reads_back_the_work_its_command_line_describes() {
        let mut jobs = vec![
            Refresh::Transcript {
                path: "/home/u/.claude/t --diffstat.jsonl",
            },
            Refresh::Transcript { path: "-x.jsonl" },
            Refresh::Transcript { path: "--locked" },
            Refresh::Usage { locked: false },
            Refresh::Usage { locked: true },
        ];
        for dir in ["/srv/repo with space/-x", "-x", "--diffstat"].map(Path::new) {
            for (diffstat, locked) in [(false, false), (true, false), (false, true), (true, true)] {
                jobs.push(Refresh::Git {
                    dir,
                    diffstat,
                    locked,
                });
            }
        }
        for job in jobs {
            let argv = std::iter::once("blinkline".as_ref()).chain(job.args());
            let cli = Cli::try_parse_from(argv).expect("a refresher command line parses");
            let command = cli.command.expect("a command");
            assert_eq!(refresh_job(&command), Some(job));
        }
    }

    #[test]
    fn a_transcript_path_or_git_dir_starting_with_a_dash_is_not_read_as_a_flag() {
        let jobs = [
            Refresh::Transcript { path: "-x.jsonl" },
            Refresh::Git {
                dir: Path::new("-x"),
                diffstat: true,
                locked: false,
            },
        ];
        for job in jobs {
            let argv = std::iter::once("blinkline".as_ref()).chain(job.args());
            let cli = Cli::try_parse_from(argv).expect("a refresher command line parses");
            assert_eq!(refresh_job(&cli.command.expect("a command")), Some(job));
        }
    }

    /// The fast paths start from `RenderArgs::default()` (no arguments: all of it; `prompt`:
    /// the flags not given) where the full path uses clap: they must be the same settings.
    #[test]
    fn the_fast_paths_render_with_clap_defaults() {
        for argv in [
            &["blinkline"][..],
            &["blinkline", "prompt", "--shell", "bash"],
        ] {
            let cli = Cli::try_parse_from(argv).unwrap();
            assert_eq!(
                format!("{:?}", cli.render),
                format!("{:?}", RenderArgs::default()),
                "{argv:?}"
            );
        }
    }
}
