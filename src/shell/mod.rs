//! Shell prompts: `blinkline prompt` renders one, `blinkline init SHELL` prints the
//! integration that calls it before every command.
//!
//! The integration passes the shell's state as flags (exit status, pipe status, command
//! duration, jobs, keymap); they become a [`ShellContext`] that prompt widgets read. The
//! layout's left group is the prompt; its right group (after `|`) is zsh's `RPROMPT` or
//! fish's right prompt (`--right`); bash has no right prompt, so there it is left out.
//! Escapes are wrapped for each shell by `format/shell.rs`.
//!
//! What the integrations take care of, because the shells get it wrong: after a command
//! line that started a background job, every shell keeps the pipe status of the pipeline
//! before it, so only `$?` is passed until a command line runs again; only running and
//! stopped jobs are counted (finished ones stay listed until the shell reports them); bash
//! passes its own `SHLVL` (a command substitution lowers it for the program it runs last).
//! Render flags given to `init` are written into the script, quoted for the shell.
//!
//! PowerShell (`init.ps1`) sets `function global:prompt`, which returns the rendered line as
//! text (PowerShell shows a prompt's value and never evaluates it); it has no right prompt.
//!
//! Read next: `init.bash`, `init.zsh`, `init.fish`, `init.ps1` (the scripts `init` prints).

pub mod args;

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::{CharsetChoice, InitArgs, PromptArgs, RenderArgs, ShellLevel};
use crate::config::resolve::{
    DEFAULT_BUDGET, DEFAULT_CHARSET, Settings, apply_set, set_command_trust,
};
use crate::error::Error;
use crate::format::OutputFormat;
use crate::format::shell::ShellSink;
use crate::format::theme::ColorDepth;
use crate::input::env::Environment;
use crate::input::shell::{Keymap, ShellContext, ShellKind};
use crate::layout::{self, LayoutSpec};
use crate::render::{RenderSettings, Renderer, RendererBuilder};
use crate::setup::{color_depth, pool_threads};
use crate::widgets::options::OptionValue;

/// The default prompt: left group, then `|` and the right prompt.
pub const DEFAULT_PROMPT: &str = "user_host,cwd,venv,shlvl,jobs,status,cmd_duration,char|time";

/// The shell state from the flags and the environment.
pub fn shell_context(args: &PromptArgs) -> ShellContext {
    let mut ctx = ShellContext::capture();
    ctx.shell = Some(args.shell);
    ctx.status = args.status;
    ctx.pipestatus = args.pipestatus.clone().map(|p| p.0).unwrap_or_default();
    ctx.duration_ms = args.duration;
    ctx.jobs = args.jobs;
    ctx.keymap = Keymap::parse(&args.keymap);
    if let Some(ShellLevel(level)) = args.shlvl {
        ctx.shlvl = level;
    }
    ctx
}

/// The layout for one side of the prompt: `--widgets`, else the config's `[prompt]`
/// (`configured`), else the default with the prompt defaults for `cwd`.
pub fn prompt_layout(
    render: &RenderArgs,
    args: &PromptArgs,
    configured: Option<&LayoutSpec>,
) -> Result<LayoutSpec, Error> {
    let mut spec = match (&render.widgets, configured) {
        (None, Some(configured)) => configured.clone(),
        (widgets, _) => LayoutSpec::from_list(widgets.as_deref().unwrap_or(DEFAULT_PROMPT)),
    };
    if render.widgets.is_none() && configured.is_none() {
        spec.set_option("cwd", "style", OptionValue::Str("fish".into()));
        spec.set_option("cwd", "repo_relative", OptionValue::Bool(true));
        spec.set_option("cwd", "max_length", OptionValue::Int(40));
    }
    for assignment in &render.set {
        apply_set(&mut spec, assignment)?;
    }
    spec.widgets.retain(|w| w.placement.right == args.right);
    for widget in &mut spec.widgets {
        widget.placement.right = false;
        if configured.is_none() || render.widgets.is_some() {
            widget.budget = render.budget.unwrap_or(DEFAULT_BUDGET);
        } else if let Some(budget) = render.budget {
            widget.budget = budget;
        }
    }
    Ok(spec)
}

/// Most worker threads `--threads auto` starts for a prompt.
const PROMPT_THREADS_CAP: usize = 2;

/// The renderer for a prompt, with the shell's state from the flags and the environment.
pub fn prompt_renderer(
    render: &RenderArgs,
    args: &PromptArgs,
    env: Environment,
) -> Result<Renderer, Error> {
    prompt_builder(render, args, env).map(|b| b.shell(shell_context(args)).build())
}

/// A builder for the prompt's renderer (the shell's state left to the caller).
pub fn prompt_builder(
    render: &RenderArgs,
    args: &PromptArgs,
    env: Environment,
) -> Result<RendererBuilder, Error> {
    // The config file's look (theme, charset, colour, widths, deadline) applies to prompts
    // too; its problems are reported by `blinkline config check`, never in a prompt.
    // `--set` applies to the prompt layout below, not to the config's status line.
    let look_args = RenderArgs {
        set: Vec::new(),
        ..render.clone()
    };
    let settings = Settings::resolve(&look_args, &env)?;
    let mut spec = prompt_layout(render, args, settings.prompt.as_ref())?;
    // Widgets from the command line (`--widgets`, `--set`, or the default list) are the
    // user's own; those of the config's `[prompt]` are trusted as its file is.
    if render.widgets.is_some() || settings.prompt.is_none() {
        set_command_trust(&mut spec, true, None);
    }
    let mut layout = layout::build(&spec)?;
    let env = env.with_vars(spec.env_variables().iter().map(String::as_str));
    // `--format plain` asks for text without escapes; the text is still quoted for the shell.
    let depth = match render.format {
        Some(OutputFormat::Plain) => ColorDepth::None,
        _ => color_depth(settings.color, &env),
    };
    let render_settings = RenderSettings {
        deadline: settings.deadline,
        threads: pool_threads(settings.threads, PROMPT_THREADS_CAP),
        charset: settings.charset,
        width: settings.width,
        rules: settings.rules,
        config_flagged: false,
    };
    let styles = crate::setup::prepare_styles(&mut layout, &settings)?;
    let sink = ShellSink::new(args.shell, settings.theme, depth, args.right).with_styles(styles);
    Ok(Renderer::builder(
        layout,
        render_settings,
        env,
        Box::new(sink),
    ))
}

/// `blinkline prompt`.
pub fn prompt_command(render: &RenderArgs, args: &PromptArgs) -> Result<ExitCode, Error> {
    if args.continuation {
        let text = match render.charset.unwrap_or(DEFAULT_CHARSET) {
            CharsetChoice::Ascii => ". ",
            _ => "\u{2219} ",
        };
        let _ = std::io::stdout().write_all(text.as_bytes());
        return Ok(ExitCode::SUCCESS);
    }
    crate::engine::children::kill_children_on_signals();
    let mut renderer = prompt_renderer(render, args, Environment::capture())?;
    renderer.render(b"{}");
    match renderer.write_frame() {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io_at("cannot write the prompt")(err))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Quotes `text` as one word for `shell`.
pub(crate) fn quote(shell: ShellKind, text: &str) -> String {
    match shell {
        ShellKind::Bash | ShellKind::Zsh => format!("'{}'", text.replace('\'', r"'\''")),
        ShellKind::Fish => format!("'{}'", text.replace('\\', r"\\").replace('\'', r"\'")),
        ShellKind::Powershell => {
            // Inside '…' PowerShell ends the string at any single quotation mark, curly ones
            // included; each is doubled to stand for itself.
            let mut quoted = String::with_capacity(text.len() + 2);
            quoted.push('\'');
            for c in text.chars() {
                if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
                    quoted.push(c);
                }
                quoted.push(c);
            }
            quoted.push('\'');
            quoted
        }
    }
}

/// The integration script for `shell`, calling the binary at `exe` with `flags` (words
/// put before the prompt's own flags, each quoted as one word).
pub fn init_script(shell: ShellKind, exe: &str, flags: &[String]) -> String {
    let template = match shell {
        ShellKind::Bash => include_str!("init.bash"),
        ShellKind::Zsh => include_str!("init.zsh"),
        ShellKind::Fish => include_str!("init.fish"),
        ShellKind::Powershell => include_str!("init.ps1"),
    };
    let exe = quote(shell, exe);
    let words: Vec<String> = flags.iter().map(|word| quote(shell, word)).collect();
    // PowerShell's array literal (`@(…)`) needs commas between its elements.
    let words = words.join(if shell == ShellKind::Powershell {
        ", "
    } else {
        " "
    });
    // One pass: text put in for one placeholder is never searched for the other.
    let mut script = String::with_capacity(template.len() + exe.len() + words.len());
    let mut rest = template;
    while let Some(at) = rest.find('@') {
        script.push_str(&rest[..at]);
        let tail = &rest[at..];
        rest = if let Some(after) = tail.strip_prefix("@BLINKLINE@") {
            script.push_str(&exe);
            after
        } else if let Some(after) = tail.strip_prefix("@FLAGS@") {
            script.push_str(&words);
            after
        } else {
            script.push('@');
            &tail[1..]
        };
    }
    script.push_str(rest);
    script
}

/// `blinkline init SHELL`; `flags` are the render flags given with it, as words.
pub fn init_command(args: &InitArgs, flags: &[String]) -> Result<ExitCode, Error> {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.into_os_string().into_string().ok())
        .unwrap_or_else(|| "blinkline".to_owned());
    let _ = std::io::stdout().write_all(init_script(args.shell, &exe, flags).as_bytes());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::parse_millis;

    const ALL_SHELLS: [ShellKind; 4] = [
        ShellKind::Bash,
        ShellKind::Zsh,
        ShellKind::Fish,
        ShellKind::Powershell,
    ];

    #[test]
    fn powershell_words_double_every_single_quotation_mark_curly_ones_included() {
        assert_eq!(
            quote(ShellKind::Powershell, "C:\\it's \u{2018}x\u{2019} $(calc)"),
            "'C:\\it''s \u{2018}\u{2018}x\u{2019}\u{2019} $(calc)'"
        );
    }

    #[test]
    fn the_powershell_prompt_function_passes_status_duration_jobs_and_width() {
        let flags = ["--theme".to_owned(), "nord".to_owned()];
        let script = init_script(ShellKind::Powershell, r"C:\Tools\blinkline.exe", &flags);
        assert!(script.contains(r"$global:_blinkline_bin = 'C:\Tools\blinkline.exe'"));
        assert!(script.contains("$global:_blinkline_flags = @('--theme', 'nord')"));
        assert!(script.contains("function global:prompt {"));
        // $? and $LASTEXITCODE are read before any other statement can reset them, and
        // the exit code is put back for the user's next command.
        let body = script.split("function global:prompt {").nth(1).unwrap();
        let first: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .take(2)
            .collect();
        assert_eq!(first, ["$ok = $global:?", "$code = $global:LASTEXITCODE"]);
        assert!(body.contains("$global:LASTEXITCODE = $code"));
        for flag in [
            "'--shell', 'powershell'",
            "'--status'",
            "'--duration'",
            "'--jobs'",
            "'--width'",
        ] {
            assert!(body.contains(flag), "{flag} is not passed");
        }
        // The rendered line is returned as a value, never run through Invoke-Expression.
        assert!(!body.contains("Invoke-Expression") && !body.contains("iex "));
    }

    #[test]
    fn paths_are_quoted_for_each_shell() {
        assert_eq!(quote(ShellKind::Bash, "/opt/it's/bl"), r"'/opt/it'\''s/bl'");
        assert_eq!(quote(ShellKind::Fish, r"/opt/it's\bl"), r"'/opt/it\'s\\bl'");
    }

    #[test]
    fn init_scripts_call_the_binary_they_were_printed_by() {
        for shell in ALL_SHELLS {
            let script = init_script(shell, "/usr/local/bin/blinkline", &[]);
            assert!(script.contains("'/usr/local/bin/blinkline'"), "{shell:?}");
            assert!(!script.contains("@BLINKLINE@") && !script.contains("@FLAGS@"));
        }
    }

    #[test]
    fn init_does_not_splice_flags_into_a_binary_path_holding_the_flags_placeholder() {
        let exe = "/opt/x@FLAGS@y/blinkline";
        let flags = ["--set".to_owned(), "text.text=$(touch PWNED)".to_owned()];
        for shell in ALL_SHELLS {
            let script = init_script(shell, exe, &flags);
            let bin_line = script.lines().find(|l| l.contains("_blinkline_bin "));
            let bin_line =
                bin_line.or_else(|| script.lines().find(|l| l.contains("_blinkline_bin=")));
            assert!(
                bin_line.is_some_and(|l| l.ends_with("'/opt/x@FLAGS@y/blinkline'")),
                "{shell:?}: the path lost its quoting: {bin_line:?}"
            );
            assert_eq!(script.matches("$(touch PWNED)").count(), 1, "{shell:?}");
        }
    }

    #[test]
    fn durations_in_milliseconds_accept_fractions_and_reject_words() {
        assert_eq!(parse_millis("1234"), Ok(1234));
        assert_eq!(parse_millis("12.7"), Ok(12));
        assert_eq!(parse_millis(""), Ok(0));
        assert_eq!(
            parse_millis("soon").unwrap_err(),
            "`soon` is not a duration in milliseconds; pass a number like 1234"
        );
    }
}
