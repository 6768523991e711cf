//! The render command line when clap refuses it. Claude Code blanks its status line on a
//! non-zero exit, so a mistyped flag in `statusLine.command` (`blinkline --them nord`,
//! `--charset nerdfont`) must not cost the whole line: [`recover`] keeps every flag clap
//! accepts, leaves out each one it refuses, and says why in one short line per flag.
//!
//! Only render mode recovers (no subcommand, or `render`), and not under `--strict`: a
//! command a person types (`config check`, `explain`, `bench`, a mistyped subcommand)
//! keeps clap's usage error, and `--help`/`--version` keep theirs.
//!
//! How: the words are cut into units (a flag with its value, a bare word), and the units
//! are parsed one more at a time; a unit that makes the parse fail is dropped with clap's
//! reason. That costs one parse per unit, and only after clap has refused the line.

use std::ffi::{OsStr, OsString};

use clap::error::{ContextKind, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command, RenderArgs};

/// The render flags clap accepts from `args` (the words after the program name) and one
/// problem per unit it refused; `None` when `args` is not a render command line, asks for
/// help or the version, or says `--strict`.
pub fn recover(args: &[OsString]) -> Option<(RenderArgs, Vec<String>)> {
    let command = Cli::command();
    let units = units(&command, args);
    if units.iter().flatten().any(|w| w == "--strict") || !is_render(&command, &units) {
        return None;
    }
    let mut kept: Vec<OsString> = vec!["blinkline".into()];
    let mut problems = Vec::new();
    for unit in units {
        let trial: Vec<&OsString> = kept.iter().chain(&unit).collect();
        match Cli::command().try_get_matches_from(trial) {
            Ok(_) => kept.extend(unit),
            Err(err) if !err.use_stderr() => return None,
            Err(err) => problems.push(describe(&err)),
        }
    }
    let matches = Cli::command().try_get_matches_from(kept).ok()?;
    let cli = Cli::from_arg_matches(&matches).ok()?;
    match cli.command {
        None | Some(Command::Render) => Some((cli.render, problems)),
        Some(_) => None,
    }
}

/// The words cut into units: a flag and the value it takes (`--theme nord`; `--theme=nord`
/// and `-wmodel` are one word), or one other word. After `--`, each word is a unit.
fn units(command: &clap::Command, args: &[OsString]) -> Vec<Vec<OsString>> {
    let mut units = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let mut unit = vec![word.clone()];
        if word == "--" {
            units.push(unit);
            units.extend(words.by_ref().map(|w| vec![w.clone()]));
            break;
        }
        if takes_separate_value(command, word) {
            unit.extend(words.next().cloned());
        }
        units.push(unit);
    }
    units
}

/// Whether `word` is a flag of `command` whose value is the next word.
fn takes_separate_value(command: &clap::Command, word: &OsStr) -> bool {
    let Some(word) = word.to_str() else {
        return false;
    };
    let arg = if let Some(long) = word.strip_prefix("--") {
        if long.contains('=') {
            return false;
        }
        command.get_arguments().find(|a| a.get_long() == Some(long))
    } else if let Some(short) = word.strip_prefix('-') {
        let mut chars = short.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => command.get_arguments().find(|a| a.get_short() == Some(c)),
            _ => None,
        }
    } else {
        None
    };
    arg.is_some_and(|a| a.get_action().takes_values())
}

/// Whether the first bare word (a subcommand's place) is absent, `render`, or no command
/// at all; a word that looks like a mistyped command is left to clap's usage error.
fn is_render(command: &clap::Command, units: &[Vec<OsString>]) -> bool {
    let first_word = units
        .iter()
        .filter(|u| u.len() == 1)
        .map(|u| u[0].to_string_lossy())
        .find(|w| !w.starts_with('-'));
    let Some(word) = first_word else {
        return true;
    };
    if word == "render" {
        return true;
    }
    let names = command.get_subcommands().map(clap::Command::get_name);
    crate::util::closest(&word, names).is_none()
}

/// clap's reason in one line: `unknown flag '--them' (did you mean '--theme'?)`,
/// `invalid value 'nerdfont' for '--charset' (did you mean 'nerd-font'?); possible values:
/// …`, or the first line of clap's own message.
fn describe(err: &clap::Error) -> String {
    let context = |kind| err.get(kind).map(ToString::to_string);
    let arg = context(ContextKind::InvalidArg).map(|a| match a.split_once(' ') {
        Some((flag, _)) if flag.starts_with('-') => flag.to_owned(),
        _ => a,
    });
    let hint = |kind| {
        context(kind)
            .filter(|h| !h.is_empty())
            .map(|h| format!(" (did you mean '{h}'?)"))
            .unwrap_or_default()
    };
    match (err.kind(), arg) {
        (ErrorKind::UnknownArgument, Some(arg)) if arg.starts_with('-') => {
            format!("unknown flag '{arg}'{}", hint(ContextKind::SuggestedArg))
        }
        (ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand, Some(arg)) => {
            format!("unexpected argument '{arg}'")
        }
        (ErrorKind::InvalidValue, Some(arg)) => {
            let value = context(ContextKind::InvalidValue).unwrap_or_default();
            let mut text = format!(
                "invalid value '{value}' for '{arg}'{}",
                hint(ContextKind::SuggestedValue)
            );
            if let Some(valid) = context(ContextKind::ValidValue) {
                text.push_str("; possible values: ");
                text.push_str(&valid);
            }
            text
        }
        (ErrorKind::ValueValidation, Some(arg)) => {
            let value = context(ContextKind::InvalidValue).unwrap_or_default();
            let reason = std::error::Error::source(err).map(ToString::to_string);
            format!(
                "invalid value '{value}' for '{arg}': {}",
                reason.unwrap_or_default()
            )
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            first.trim_start_matches("error: ").trim().to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(words: &[&str]) -> Option<(RenderArgs, Vec<String>)> {
        let args: Vec<OsString> = words.iter().map(OsString::from).collect();
        recover(&args)
    }

    #[test]
    fn an_unknown_flag_is_dropped_and_the_flags_after_it_are_kept() {
        let (args, problems) = run(&["--bogus", "--theme", "nord", "-w", "model"]).unwrap();
        assert_eq!(args.theme.as_deref(), Some("nord"));
        assert_eq!(args.widgets.as_deref(), Some("model"));
        assert_eq!(problems, ["unknown flag '--bogus'"]);
    }

    #[test]
    fn a_mistyped_flag_names_the_flag_it_resembles() {
        let (args, problems) = run(&["render", "--them", "--margin=1"]).unwrap();
        assert_eq!(args.margin, Some(1));
        assert_eq!(
            problems,
            ["unknown flag '--them' (did you mean '--theme'?)"]
        );
    }

    #[test]
    fn a_bad_value_drops_its_flag_with_the_choices() {
        let (args, problems) = run(&["--charset", "nerdfont", "--color", "never"]).unwrap();
        assert_eq!(args.charset, None);
        assert_eq!(args.color, Some(crate::cli::ColorChoice::Never));
        assert_eq!(
            problems,
            [
                "invalid value 'nerdfont' for '--charset' (did you mean 'nerd-font'?); possible values: nerd-font, unicode, ascii"
            ]
        );
    }

    #[test]
    fn a_failed_value_check_keeps_the_checks_reason() {
        let (_, problems) = run(&["--width", "0", "--deadline=soon"]).unwrap();
        assert_eq!(
            problems,
            [
                "invalid value '0' for '--width': `0` is not a usable width; pass 1 to 1000 columns, or leave --width out to use $COLUMNS",
                "invalid value 'soon' for '--deadline': `soon` is not a duration; write it like \"10ms\", \"300us\" or \"1s\""
            ]
        );
    }

    #[test]
    fn subcommands_help_and_strict_keep_clap_usage_errors() {
        for words in [
            &["config", "check", "--bogus"][..],
            &["explain", "--bogus"],
            &["widgts"],
            &["--bogus", "--help"],
            &["--bogus", "--strict"],
        ] {
            assert!(run(words).is_none(), "{words:?}");
        }
    }

    #[test]
    fn a_stray_word_and_a_flag_missing_its_value_are_dropped() {
        let (args, problems) = run(&["--format", "plain", "zzzzzz", "--theme"]).unwrap();
        assert_eq!(args.format, Some(crate::format::OutputFormat::Plain));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0], "unrecognized subcommand 'zzzzzz'");
    }
}
