//! The prompt's arguments read without clap.
//!
//! A shell runs `blinkline prompt --shell … --status … --jobs …` before every command.
//! Building clap's command tree for that costs more than the whole render (figures in
//! BENCHMARKS.md, "Prompts"). The integrations `blinkline init`
//! prints pass only the flags below and the render flags given to `init`
//! ([`PROMPT_FLAGS`]), so [`parse_prompt`] reads exactly those, in either `--flag value`
//! or `--flag=value` form, with the same value parsers clap uses. Anything else (another
//! flag, a repeated flag other than `--set`, a value these parsers refuse, `--right` with
//! `--continuation`) returns `None`, and the caller hands the whole command line to clap,
//! which gives the usual help and errors. A test checks that both readings agree.
//!
use std::ffi::OsString;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::cli::{PROMPT_FLAGS, RenderArgs, parse_duration, parse_threads, parse_width};
use crate::cli::{PromptArgs, parse_millis, parse_pipestatus, parse_shlvl};
use crate::input::shell::ShellKind;

/// The flags of `blinkline prompt` that take a value.
const VALUED: [&str; 7] = [
    "--shell",
    "--status",
    "--pipestatus",
    "--duration",
    "--jobs",
    "--keymap",
    "--shlvl",
];

/// Reads `prompt FLAGS…` (the arguments after the program name) into the render flags and
/// the prompt's own; `None` when clap should.
pub fn parse_prompt(args: &[OsString]) -> Option<(RenderArgs, PromptArgs)> {
    let (first, flags) = args.split_first()?;
    if first.as_os_str() != "prompt" {
        return None;
    }
    let mut seen = [false; VALUED.len() + 2];
    let mut render_seen = [false; PROMPT_FLAGS.len()];
    let mut render = RenderArgs::default();
    let mut parsed = PromptArgs {
        shell: ShellKind::Bash,
        status: None,
        pipestatus: None,
        duration: None,
        jobs: 0,
        keymap: String::new(),
        shlvl: None,
        right: false,
        continuation: false,
    };
    let mut rest = flags.iter();
    while let Some(arg) = rest.next() {
        let arg = arg.to_str()?;
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg, None),
        };
        if let Some(index) = render_flag_index(name) {
            let repeated = std::mem::replace(&mut render_seen[index], true);
            if repeated && PROMPT_FLAGS[index] != "set" {
                return None;
            }
            let value = match inline {
                Some(value) => value,
                None => rest.next()?.to_str()?,
            };
            set_render_value(&mut render, PROMPT_FLAGS[index], value)?;
            continue;
        }
        let index = flag_index(name)?;
        if std::mem::replace(&mut seen[index], true) {
            return None;
        }
        if index >= VALUED.len() {
            inline.is_none().then_some(())?;
            match name {
                "--right" => parsed.right = true,
                _ => parsed.continuation = true,
            }
            continue;
        }
        let value = match inline {
            Some(value) => value,
            None => rest.next()?.to_str()?,
        };
        set_value(&mut parsed, name, value)?;
    }
    let shell_given = seen[0];
    (shell_given && !(parsed.right && parsed.continuation)).then_some((render, parsed))
}

/// The index in [`PROMPT_FLAGS`] of a render flag such as `--theme`.
fn render_flag_index(name: &str) -> Option<usize> {
    let name = name.strip_prefix("--")?;
    PROMPT_FLAGS.iter().position(|flag| *flag == name)
}

/// Parses one render flag's value (`flag` without its `--`) with the parser clap uses for
/// it; `None` where clap would report an error or might read the value differently.
fn set_render_value(render: &mut RenderArgs, flag: &str, value: &str) -> Option<()> {
    // clap reads a value that starts with `-` as a flag.
    if value.starts_with('-') {
        return None;
    }
    match flag {
        "format" => render.format = Some(ValueEnum::from_str(value, false).ok()?),
        "widgets" => render.widgets = Some(value.to_owned()),
        "set" => render.set.push(value.to_owned()),
        "theme" => render.theme = Some(value.to_owned()),
        "preset" => render.preset = Some(value.to_owned()),
        // clap refuses an empty path.
        "config" => render.config = Some(PathBuf::from((!value.is_empty()).then_some(value)?)),
        "color" => render.color = Some(ValueEnum::from_str(value, false).ok()?),
        "charset" => render.charset = Some(ValueEnum::from_str(value, false).ok()?),
        "width" => render.width = Some(parse_width(value).ok()?),
        "margin" => render.margin = Some(digits(value)? as usize),
        "deadline" => render.deadline = Some(parse_duration(value).ok()?),
        "budget" => render.budget = Some(parse_duration(value).ok()?),
        "threads" => render.threads = Some(parse_threads(value).ok()?),
        // A flag added to PROMPT_FLAGS without a parser here is left to clap.
        _ => return None,
    }
    Some(())
}

fn flag_index(name: &str) -> Option<usize> {
    match name {
        "--right" => Some(VALUED.len()),
        "--continuation" => Some(VALUED.len() + 1),
        _ => VALUED.iter().position(|flag| *flag == name),
    }
}

/// Parses one flag's value; `None` where clap would report an error (or might read it
/// differently, such as a value that looks like a flag).
fn set_value(parsed: &mut PromptArgs, name: &str, value: &str) -> Option<()> {
    // clap reads a value that starts with `-` as a flag (a negative status aside).
    if value.starts_with('-') && !(name == "--status" && value.len() > 1) {
        return None;
    }
    match name {
        "--shell" => {
            parsed.shell = match value {
                "bash" => ShellKind::Bash,
                "zsh" => ShellKind::Zsh,
                "fish" => ShellKind::Fish,
                "powershell" => ShellKind::Powershell,
                _ => return None,
            }
        }
        "--status" => parsed.status = Some(signed_number(value)?),
        "--pipestatus" => parsed.pipestatus = Some(parse_pipestatus(value).ok()?),
        "--duration" => parsed.duration = Some(parse_millis(value).ok()?),
        "--jobs" => parsed.jobs = digits(value)?,
        "--shlvl" => parsed.shlvl = Some(parse_shlvl(value).ok()?),
        _ => parsed.keymap = value.to_owned(),
    }
    Some(())
}

/// Plain decimal digits only; anything fancier is left to clap.
fn digits(text: &str) -> Option<u32> {
    let plain = !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit());
    plain.then(|| text.parse().ok())?
}

fn signed_number(text: &str) -> Option<i32> {
    match text.strip_prefix('-') {
        Some(magnitude) => digits(magnitude).map(|n| -(n as i32)),
        None => digits(text).map(|n| n as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser as _;

    fn words(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    /// What clap makes of the same command line, as the full path sees it: the render
    /// flags and the prompt's own.
    fn clap_reading(args: &[OsString]) -> Option<String> {
        let argv = std::iter::once(OsString::from("blinkline")).chain(args.iter().cloned());
        let cli = Cli::try_parse_from(argv).ok()?;
        match cli.command {
            Some(Command::Prompt(prompt)) => Some(format!("{:?} {prompt:?}", cli.render)),
            _ => None,
        }
    }

    fn fast_reading(args: &[OsString]) -> Option<String> {
        parse_prompt(args).map(|(render, prompt)| format!("{render:?} {prompt:?}"))
    }

    #[test]
    fn every_command_line_the_integrations_send_reads_as_clap_reads_it() {
        let lines: [&[&str]; 13] = [
            &[
                "prompt",
                "--shell",
                "bash",
                "--status",
                "0",
                "--pipestatus",
                "0",
                "--jobs",
                "0",
            ],
            &[
                "prompt",
                "--shell",
                "bash",
                "--status",
                "130",
                "--pipestatus",
                "0 1 0",
                "--duration",
                "1234",
                "--jobs",
                "2",
                "--shlvl",
                "3",
            ],
            &["prompt", "--shell", "bash", "--shlvl", "", "--jobs", "0"],
            &["prompt", "--shell", "bash", "--continuation"],
            &[
                "prompt",
                "--shell",
                "zsh",
                "--status",
                "-1",
                "--pipestatus",
                "1",
                "--jobs",
                "3",
                "--keymap",
                "vicmd",
            ],
            &[
                "prompt",
                "--right",
                "--shell",
                "zsh",
                "--status",
                "0",
                "--pipestatus",
                "0",
                "--jobs",
                "0",
                "--keymap",
                "main",
                "--duration",
                "5",
            ],
            &[
                "prompt",
                "--shell",
                "fish",
                "--status",
                "1",
                "--pipestatus",
                "1",
                "--duration",
                "",
                "--jobs",
                "0",
                "--keymap",
                "default",
            ],
            &[
                "prompt",
                "--shell=fish",
                "--status=2",
                "--jobs=1",
                "--keymap=insert",
                "--duration=12.5",
            ],
            &["prompt", "--shell", "zsh", "--continuation"],
            // The render flags `blinkline init` writes into the integration.
            &[
                "prompt",
                "--theme",
                "nord",
                "--widgets",
                "cwd,char",
                "--shell",
                "bash",
                "--status",
                "0",
                "--jobs",
                "0",
            ],
            &[
                "prompt",
                "--format",
                "plain",
                "--widgets",
                "cwd,git;char|clock",
                "--set",
                "context.warn=60",
                "--set",
                "text.text=$(x) --y",
                "--theme",
                "",
                "--preset",
                "minimal",
                "--config",
                "/home/u/my blinkline.toml",
                "--color",
                "256",
                "--charset",
                "nerd-font",
                "--width",
                "80",
                "--margin",
                "0",
                "--deadline",
                "20ms",
                "--budget",
                "1.5",
                "--threads",
                "auto",
                "--shell",
                "zsh",
                "--right",
            ],
            &[
                "prompt",
                "--format=tmux",
                "--widgets=",
                "--set=a.b=c",
                "--theme=plain",
                "--preset=full",
                "--config=rel/c.toml",
                "--color=truecolor",
                "--charset=ascii",
                "--width=1000",
                "--margin=12",
                "--deadline=300us",
                "--budget=2ms",
                "--threads=0",
                "--shell=fish",
            ],
            &[
                "prompt",
                "--shell",
                "bash",
                "--threads",
                "4",
                "--color",
                "never",
                "--set",
                "x.y=-1",
                "--continuation",
            ],
        ];
        let mut flags_read: Vec<&str> = Vec::new();
        for line in lines {
            let args: Vec<OsString> = line.iter().map(OsString::from).collect();
            let fast = fast_reading(&args).unwrap_or_else(|| panic!("not fast: {line:?}"));
            assert_eq!(Some(fast), clap_reading(&args), "{line:?}");
            flags_read.extend(line.iter().filter_map(|word| word.strip_prefix("--")));
        }
        for flag in PROMPT_FLAGS {
            let read = |word: &&str| word.split('=').next() == Some(*flag);
            assert!(flags_read.iter().any(read), "--{flag} is not tried");
        }
    }

    #[test]
    fn a_prompt_with_the_render_flags_init_writes_does_not_go_through_clap() {
        let args = words("prompt --theme nord --widgets cwd,char --set a.b=1 --shell bash");
        let (render, _) = parse_prompt(&args).expect("read without clap");
        assert_eq!(render.theme.as_deref(), Some("nord"));
        assert_eq!(render.widgets.as_deref(), Some("cwd,char"));
        assert_eq!(render.set, ["a.b=1"]);
        assert_eq!(fast_reading(&args), clap_reading(&args));
    }

    #[test]
    fn anything_unusual_is_left_to_clap() {
        for line in [
            "prompt",
            "prompt --status 0",
            "prompt --shell tcsh",
            "prompt --shell bash --shell zsh",
            "prompt --shell bash --right --continuation",
            "prompt --shell bash --jobs -1",
            "prompt --shell bash --jobs +1",
            "prompt --shell bash --status 99999999999",
            "prompt --shell bash --duration soon",
            "prompt --shell bash --pipestatus x",
            "prompt --shell bash --strict",
            "prompt --shell bash -w cwd",
            "prompt --shell bash --theme nord --theme plain",
            "prompt --shell bash --format fancy",
            "prompt --shell bash --format Plain",
            "prompt --shell bash --color",
            "prompt --shell bash --color=sometimes",
            "prompt --shell bash --charset emoji",
            "prompt --shell bash --width 0",
            "prompt --shell bash --width 1001",
            "prompt --shell bash --margin +1",
            "prompt --shell bash --margin -1",
            "prompt --shell bash --deadline soon",
            "prompt --shell bash --budget 5h",
            "prompt --shell bash --threads many",
            "prompt --shell bash --threads 257",
            "prompt --shell bash --config=",
            "prompt --shell bash --widgets -x",
            "prompt --shell bash --set --theme",
            "prompt --shell bash --right=yes",
            "prompt --shell bash --keymap --right",
            "prompt --shell bash --keymap -x",
            "prompt --shell bash --status -",
            "prompt --shell bash --jobs",
            "prompt --shell bash --shlvl two",
            "prompt --help",
            "render --shell bash",
        ] {
            assert!(parse_prompt(&words(line)).is_none(), "{line}");
        }
    }

    #[test]
    fn flags_left_to_clap_are_ones_clap_handles() {
        // Lines the fast path refuses but clap accepts still render (through clap).
        let args = words("prompt --shell bash --jobs +1");
        assert!(parse_prompt(&args).is_none());
        assert!(clap_reading(&args).is_some());
    }
}
