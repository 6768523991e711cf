//! Claude Code's settings: the `statusLine` entry (`{"type": "command", "command":
//! BLINKLINE, "padding": 0}`, with `refreshInterval` when asked for) and the
//! `subagentStatusLine` entry (`BLINKLINE subagents`), merged into `settings.json`.
//!
//! An entry of another tool is replaced (the diff shows it, the backup keeps it);
//! `uninstall` removes only entries whose command runs blinkline. A `hideVimModeIndicator`
//! already in `statusLine` is kept, and so is a `refreshInterval` of our own entry when
//! `--refresh-interval` is not given.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value, json};

use super::json::Document;
use super::{Change, InstallArgs, InstallError, Locations, UninstallArgs, shown};
use crate::error::Error;

/// The widgets whose text changes with the clock alone, between Claude Code's updates:
/// with one of them on the line, `refreshInterval` keeps it current.
pub const TIME_BASED: &[&str] = &[
    "time",
    "duration",
    "burn_rate",
    "cache_timer",
    "block",
    "token_speed",
    "rate_limits",
    "rate_5h",
    "rate_7d",
];

/// The refresh interval suggested for a line with time-based widgets, in seconds.
pub const SUGGESTED_INTERVAL: u32 = 10;

const STATUS_LINE: &str = "statusLine";
const SUBAGENT_LINE: &str = "subagentStatusLine";

/// The settings file the flags name.
pub fn settings_path(
    project: bool,
    settings: Option<&Path>,
    env: &Locations,
) -> Result<PathBuf, Error> {
    if let Some(path) = settings {
        return Ok(path.to_path_buf());
    }
    if project {
        let cwd = env.cwd.clone().ok_or(InstallError::NoLocation {
            what: "the current project",
            fix: "run it from a directory that exists",
        })?;
        let root = cwd
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        return Ok(root.join(".claude").join("settings.json"));
    }
    env.claude_settings()
        .ok_or(InstallError::NoLocation {
            what: "Claude Code's settings.json",
            fix: "set HOME or CLAUDE_CONFIG_DIR, or pass --settings FILE",
        })
        .map_err(Error::from)
}

/// A command line word for `text`: as it is when the shell would read it as one plain
/// word, else single-quoted.
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+@%:,=".contains(&b));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The first word of a command line, with simple quoting undone.
pub fn first_word(command: &str) -> String {
    let mut word = String::new();
    let mut chars = command.trim_start().chars();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '\\') => word.extend(chars.next()),
            (None, c) if c.is_whitespace() => break,
            (_, c) => word.push(c),
        }
    }
    word
}

/// True when a settings entry's command runs blinkline (a program named `blinkline`, or
/// this binary under another name).
pub fn runs_blinkline(entry: &Value, env: &Locations) -> bool {
    let Some(command) = entry.get("command").and_then(Value::as_str) else {
        return false;
    };
    let program = first_word(command);
    let path = Path::new(&program);
    path.file_name().is_some_and(|n| n == "blinkline")
        || env.exe.as_deref().is_some_and(|exe| {
            env.which(&program)
                .or_else(|| path.is_absolute().then(|| path.to_path_buf()))
                .is_some_and(|p| super::same_file(&p, exe))
        })
}

/// The `statusLine` entry to write, as ordered members, given the one there now.
fn status_entry(
    command: &str,
    current: Option<&Value>,
    refresh: Option<u32>,
    env: &Locations,
) -> Vec<(&'static str, Value)> {
    let mut entry = vec![
        ("type", json!("command")),
        ("command", json!(command)),
        ("padding", json!(0)),
    ];
    let ours = current.is_some_and(|c| runs_blinkline(c, env));
    let kept_interval = current
        .filter(|_| ours)
        .and_then(|c| c.get("refreshInterval"))
        .cloned();
    if let Some(interval) = refresh.map(|s| json!(s)).or(kept_interval) {
        entry.push(("refreshInterval", interval));
    }
    if let Some(hide) = current.and_then(|c| c.get("hideVimModeIndicator")) {
        entry.push(("hideVimModeIndicator", hide.clone()));
    }
    entry
}

fn as_object(members: &[(&str, Value)]) -> Value {
    Value::Object(
        members
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

/// The time-based widgets on the configured line.
fn time_based_widgets() -> Vec<String> {
    let env = crate::input::env::Environment::capture();
    let Ok(settings) =
        crate::config::resolve::Settings::resolve(&crate::cli::RenderArgs::default(), &env)
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = settings
        .spec
        .widgets
        .iter()
        .map(|w| w.name.clone())
        .filter(|n| TIME_BASED.contains(&n.as_str()))
        .collect();
    names.dedup();
    names
}

/// `blinkline install claude`.
pub fn install(args: &InstallArgs, env: &Locations) -> Result<ExitCode, Error> {
    let path = settings_path(args.project, args.settings.as_deref(), env)?;
    let (path, old) = super::read_for_edit(&path)?;
    let text = old.clone().unwrap_or_default();
    let exe = super::shell_exe(env);
    let new = match plan_install(&text, &exe, args.refresh_interval, !args.no_subagents, env) {
        Ok(Some(new)) => new,
        Ok(None) => {
            println!("blinkline is already installed in {}", shown(&path));
            return Ok(ExitCode::SUCCESS);
        }
        Err(problem) => return Err(InstallError::InvalidJson { path, problem }.into()),
    };
    let doc = Document::parse(&text).ok();
    if let Some(current) = doc.as_ref().and_then(|d| d.get(STATUS_LINE)) {
        let value: Value = serde_json::from_str(current).unwrap_or(Value::Null);
        if !runs_blinkline(&value, env) {
            let other = value.get("command").and_then(Value::as_str).unwrap_or("?");
            println!(
                "replacing the statusLine of another tool (`{}`); the backup keeps it",
                super::clean_text(other)
            );
        }
    }
    let timed = time_based_widgets();
    let mut question = format!("Write {}?", shown(&path));
    if args.refresh_interval.is_none() && !timed.is_empty() {
        let note = format!(
            "note: the line shows {}, which change with time;\n      \
             --refresh-interval {SUGGESTED_INTERVAL} makes Claude Code re-run it every \
             {SUGGESTED_INTERVAL} s",
            timed.join(", ")
        );
        println!("{note}");
        question = format!("Write {} (without refreshInterval)?", shown(&path));
    }
    let change = Change {
        path: path.clone(),
        old,
        new,
    };
    match change.confirm_and_write(args.yes, &question)? {
        Ok(backup) => {
            println!("installed blinkline in {}", shown(&path));
            if let Some(backup) = backup {
                println!("the previous file is in {}", shown(&backup));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(code) => Ok(code),
    }
}

/// The settings text with our entries, or `None` when they are already there as wanted.
pub fn plan_install(
    text: &str,
    exe: &str,
    refresh: Option<u32>,
    subagents: bool,
    env: &Locations,
) -> Result<Option<String>, super::json::JsonError> {
    let doc = Document::parse(text)?;
    let current = |key| {
        doc.get(key)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
    };
    let status_now = current(STATUS_LINE);
    let status = status_entry(exe, status_now.as_ref(), refresh, env);
    let subagent = [
        ("type", json!("command")),
        ("command", json!(format!("{exe} subagents"))),
    ];
    let status_done = status_now.as_ref() == Some(&as_object(&status));
    let subagent_done = !subagents || current(SUBAGENT_LINE) == Some(as_object(&subagent));
    if status_done && subagent_done {
        return Ok(None);
    }
    let mut new = text.to_owned();
    if !status_done {
        new = Document::parse(&new)?.with_member(STATUS_LINE, &status);
    }
    if !subagent_done {
        new = Document::parse(&new)?.with_member(SUBAGENT_LINE, &subagent);
    }
    Ok(Some(new))
}

/// The settings text without our entries: `Ok(None)` when it has none. An entry that runs
/// another program is left alone and named in `foreign`.
pub fn plan_uninstall(
    text: &str,
    env: &Locations,
    foreign: &mut Vec<String>,
) -> Result<Option<String>, super::json::JsonError> {
    let mut new = text.to_owned();
    let mut changed = false;
    for key in [STATUS_LINE, SUBAGENT_LINE] {
        let doc = Document::parse(&new)?;
        let Some(value) = doc
            .get(key)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
        else {
            continue;
        };
        if runs_blinkline(&value, env) {
            if let Some(edited) = doc.without_member(key) {
                new = edited;
                changed = true;
            }
        } else {
            let command = value.get("command").and_then(Value::as_str).unwrap_or("?");
            foreign.push(format!("{key} runs `{}`", super::clean_text(command)));
        }
    }
    Ok(changed.then_some(new))
}

/// The newest backup of `path` that `install` or `uninstall` left, if any.
fn newest_backup(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let prefix = format!("{name}.blinkline-backup-");
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty())?;
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .max()
        .map(|n| dir.join(n))
}

/// `blinkline uninstall claude`.
pub fn uninstall(args: &UninstallArgs, env: &Locations) -> Result<ExitCode, Error> {
    let path = settings_path(args.project, args.settings.as_deref(), env)?;
    let (path, old) = super::read_for_edit(&path)?;
    let Some(text) = old.clone() else {
        println!("{} does not exist: nothing to remove", shown(&path));
        return Ok(ExitCode::SUCCESS);
    };
    let earlier = newest_backup(&path);
    let mut foreign = Vec::new();
    let new = match plan_uninstall(&text, env, &mut foreign) {
        Ok(new) => new,
        Err(problem) => return Err(InstallError::InvalidJson { path, problem }.into()),
    };
    for entry in &foreign {
        println!("{}: {entry}, not blinkline; left unchanged", shown(&path));
    }
    let Some(new) = new else {
        if foreign.is_empty() {
            println!(
                "blinkline is not installed in {}: nothing to remove",
                shown(&path)
            );
            return Ok(ExitCode::SUCCESS);
        }
        return Ok(ExitCode::from(1));
    };
    let change = Change {
        path: path.clone(),
        old,
        new,
    };
    match change.confirm_and_write(args.yes, &format!("Write {}?", shown(&path)))? {
        Ok(backup) => {
            println!("removed blinkline from {}", shown(&path));
            if let Some(backup) = backup {
                println!("the file as it was is in {}", shown(&backup));
            }
            if let Some(earlier) = earlier {
                println!(
                    "the file from before an earlier install is in {} (restore a previous statusLine from there)",
                    shown(&earlier)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(code) => Ok(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Locations {
        Locations::default()
    }

    #[test]
    fn every_time_based_widget_exists() {
        for name in TIME_BASED {
            assert!(crate::widgets::find(name).is_some(), "{name}");
        }
    }

    #[test]
    fn commands_are_quoted_only_when_the_shell_would_split_them() {
        assert_eq!(shell_word("/usr/bin/blinkline"), "/usr/bin/blinkline");
        assert_eq!(
            shell_word("/opt/my tools/blinkline"),
            "'/opt/my tools/blinkline'"
        );
        assert_eq!(shell_word("/x/it's"), r"'/x/it'\''s'");
        assert_eq!(
            first_word("'/opt/my tools/blinkline' subagents"),
            "/opt/my tools/blinkline"
        );
        assert_eq!(first_word("  ccline --x"), "ccline");
    }

    #[test]
    fn install_then_install_again_changes_nothing() {
        let text = "{\n  \"model\": \"opus\"\n}\n";
        let once = plan_install(text, "/b/blinkline", None, true, &env())
            .unwrap()
            .unwrap();
        assert_eq!(
            plan_install(&once, "/b/blinkline", None, true, &env()),
            Ok(None)
        );
        let value: Value = serde_json::from_str(&once).unwrap();
        assert_eq!(
            value["statusLine"],
            json!({"type": "command", "command": "/b/blinkline", "padding": 0})
        );
        assert_eq!(
            value["subagentStatusLine"]["command"],
            "/b/blinkline subagents"
        );
    }

    #[test]
    fn our_refresh_interval_and_the_vim_indicator_setting_are_kept() {
        let text = r#"{"statusLine": {"type": "command", "command": "blinkline", "padding": 0, "refreshInterval": 5, "hideVimModeIndicator": true}}"#;
        let out = plan_install(text, "/b/blinkline", None, false, &env())
            .unwrap()
            .unwrap();
        let value: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["statusLine"]["refreshInterval"], 5);
        assert_eq!(value["statusLine"]["hideVimModeIndicator"], true);
        assert_eq!(value["statusLine"]["command"], "/b/blinkline");
    }

    #[test]
    fn uninstall_leaves_another_tools_entry_alone() {
        let text = r#"{"statusLine": {"type": "command", "command": "npx ccstatusline"}}"#;
        let mut foreign = Vec::new();
        assert_eq!(plan_uninstall(text, &env(), &mut foreign), Ok(None));
        assert_eq!(foreign, ["statusLine runs `npx ccstatusline`"]);
    }
}
