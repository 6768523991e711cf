//! The shells' rc files: `install bash|zsh|fish` appends the line that loads the prompt
//! (`eval "$(blinkline init bash)"`, zsh the same, fish `blinkline init fish | source`,
//! PowerShell `Invoke-Expression (& blinkline init powershell | Out-String)` in `$PROFILE`),
//! ending in a marker comment; `uninstall` removes the lines that carry the marker and
//! nothing else. Render flags given to `install` (`--theme nord`) are written into the
//! line, each quoted as one word.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Change, InstallError, Locations, Target, shown};
use crate::error::Error;
use crate::input::shell::ShellKind;

/// Ends every line `install` writes; `uninstall` removes the lines that end with it.
pub const MARKER: &str = "# added by `blinkline install`";

fn kind(target: Target) -> ShellKind {
    match target {
        Target::Zsh => ShellKind::Zsh,
        Target::Fish => ShellKind::Fish,
        Target::Powershell => ShellKind::Powershell,
        _ => ShellKind::Bash,
    }
}

fn name(shell: ShellKind) -> &'static str {
    match shell {
        ShellKind::Bash => "bash",
        ShellKind::Zsh => "zsh",
        ShellKind::Fish => "fish",
        ShellKind::Powershell => "powershell",
    }
}

/// The rc file of `shell`: `~/.bashrc`, `${ZDOTDIR:-~}/.zshrc`,
/// `${XDG_CONFIG_HOME:-~/.config}/fish/config.fish`.
pub fn rc_path(shell: ShellKind, env: &Locations) -> Option<PathBuf> {
    let home = env.home.clone();
    match shell {
        ShellKind::Bash => home.map(|h| h.join(".bashrc")),
        ShellKind::Zsh => env.zdotdir.clone().or(home).map(|d| d.join(".zshrc")),
        ShellKind::Fish => env
            .xdg_config_home
            .clone()
            .or_else(|| home.map(|h| h.join(".config")))
            .map(|d| d.join("fish").join("config.fish")),
        // `$PROFILE` (CurrentUserCurrentHost) of PowerShell 7: under Documents on Windows,
        // under the XDG config directory elsewhere.
        ShellKind::Powershell if cfg!(windows) => home.map(|h| {
            h.join("Documents")
                .join("PowerShell")
                .join("Microsoft.PowerShell_profile.ps1")
        }),
        ShellKind::Powershell => env
            .xdg_config_home
            .clone()
            .or_else(|| home.map(|h| h.join(".config")))
            .map(|d| {
                d.join("powershell")
                    .join("Microsoft.PowerShell_profile.ps1")
            }),
    }
}

/// `text` as one word for `shell`: as it is when plain, else quoted.
fn word(shell: ShellKind, text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+@%:,=".contains(&b));
    if plain {
        text.to_owned()
    } else {
        crate::shell::quote(shell, text)
    }
}

/// The line that loads the prompt, marker included.
pub fn init_line(shell: ShellKind, exe: &str, flags: &[String]) -> String {
    let mut command = format!("{} init {}", word(shell, exe), name(shell));
    for flag in flags {
        command.push(' ');
        command.push_str(&word(shell, flag));
    }
    match shell {
        ShellKind::Fish => format!("{command} | source  {MARKER}"),
        ShellKind::Powershell => {
            format!("Invoke-Expression (& {command} | Out-String)  {MARKER}")
        }
        _ => format!("eval \"$({command})\"  {MARKER}"),
    }
}

/// True when `line` loads blinkline's prompt for `shell` without our marker.
fn loads_by_hand(line: &str, shell: ShellKind) -> bool {
    let line = line.trim_start();
    !line.starts_with('#')
        && line.contains(&format!("init {}", name(shell)))
        && line.contains("blinkline")
}

/// What an install does to an rc file's text.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// The new text.
    Write(String),
    /// Our line is there as wanted.
    Done,
    /// A line the user wrote loads blinkline already (its 1-based number).
    ByHand(usize),
}

/// The rc text with `line` in it: our old line replaced, else appended.
pub fn plan_install(text: &str, line: &str, shell: ShellKind) -> Plan {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if let Some(at) = lines.iter().position(|l| l.trim_end().ends_with(MARKER)) {
        if lines[at].trim_end() == line {
            return Plan::Done;
        }
        let ending = if lines[at].ends_with('\n') { "\n" } else { "" };
        let mut new = String::with_capacity(text.len() + line.len());
        for (n, l) in lines.iter().enumerate() {
            if n == at {
                new.push_str(line);
                new.push_str(ending);
            } else if !l.trim_end().ends_with(MARKER) {
                new.push_str(l);
            }
        }
        return Plan::Write(new);
    }
    if let Some(at) = lines.iter().position(|l| loads_by_hand(l, shell)) {
        return Plan::ByHand(at + 1);
    }
    let mut new = text.to_owned();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(line);
    new.push('\n');
    Plan::Write(new)
}

/// The rc text without our lines, or `None` when it has none.
pub fn plan_uninstall(text: &str) -> Option<String> {
    let kept: String = text
        .split_inclusive('\n')
        .filter(|l| !l.trim_end().ends_with(MARKER))
        .collect();
    (kept.len() != text.len()).then_some(kept)
}

/// `blinkline install bash|zsh|fish`.
pub fn install(
    target: Target,
    flags: &[String],
    yes: bool,
    env: &Locations,
) -> Result<ExitCode, Error> {
    let shell = kind(target);
    let path = rc_path(shell, env).ok_or(InstallError::NoLocation {
        what: "the shell's rc file",
        fix: "set HOME",
    })?;
    let (path, old) = super::read_for_edit(&path)?;
    let line = init_line(shell, &env.exe_word(), flags);
    let new = match plan_install(old.as_deref().unwrap_or(""), &line, shell) {
        Plan::Write(new) => new,
        Plan::Done => {
            println!(
                "the blinkline prompt is already installed in {}",
                shown(&path)
            );
            return Ok(ExitCode::SUCCESS);
        }
        Plan::ByHand(n) => {
            println!(
                "{}:{n} already loads the blinkline prompt; nothing was changed",
                shown(&path)
            );
            return Ok(ExitCode::SUCCESS);
        }
    };
    let change = Change {
        path: path.clone(),
        old,
        new,
    };
    match change.confirm_and_write(yes, &format!("Write {}?", shown(&path)))? {
        Ok(backup) => {
            println!(
                "installed the blinkline prompt in {}; it loads in new {} sessions",
                shown(&path),
                name(shell)
            );
            if let Some(backup) = backup {
                println!("the previous file is in {}", shown(&backup));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(code) => Ok(code),
    }
}

/// `blinkline uninstall bash|zsh|fish`.
pub fn uninstall(target: Target, yes: bool, env: &Locations) -> Result<ExitCode, Error> {
    let shell = kind(target);
    let path = rc_path(shell, env).ok_or(InstallError::NoLocation {
        what: "the shell's rc file",
        fix: "set HOME",
    })?;
    let (path, old) = super::read_for_edit(&path)?;
    let text = old.clone().unwrap_or_default();
    let Some(new) = plan_uninstall(&text) else {
        match text.lines().position(|l| loads_by_hand(l, shell)) {
            Some(n) => println!(
                "{}:{} loads the blinkline prompt but was not added by `blinkline install`; remove it by hand",
                shown(&path),
                n + 1
            ),
            None => println!("the blinkline prompt is not installed in {}", shown(&path)),
        }
        return Ok(ExitCode::SUCCESS);
    };
    let change = Change {
        path: path.clone(),
        old,
        new,
    };
    match change.confirm_and_write(yes, &format!("Write {}?", shown(&path)))? {
        Ok(backup) => {
            println!("removed the blinkline prompt from {}", shown(&path));
            if let Some(backup) = backup {
                println!("the file as it was is in {}", shown(&backup));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(code) => Ok(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_lines_quote_what_the_shell_would_expand() {
        let flags = ["--set".to_owned(), "text.text=$(touch x)".to_owned()];
        assert_eq!(
            init_line(ShellKind::Bash, "/opt/b l/blinkline", &flags),
            format!(
                "eval \"$('/opt/b l/blinkline' init bash --set 'text.text=$(touch x)')\"  {MARKER}"
            )
        );
        assert_eq!(
            init_line(
                ShellKind::Fish,
                "blinkline",
                &["--theme".into(), "nord".into()]
            ),
            format!("blinkline init fish --theme nord | source  {MARKER}")
        );
    }

    #[test]
    fn the_powershell_line_loads_the_prompt_with_its_flags_quoted() {
        let flags = ["--set".to_owned(), "text.text=$(x) it's".to_owned()];
        assert_eq!(
            init_line(ShellKind::Powershell, "C:/bin/blink line.exe", &flags),
            format!(
                "Invoke-Expression (& 'C:/bin/blink line.exe' init powershell --set \
                 'text.text=$(x) it''s' | Out-String)  {MARKER}"
            )
        );
    }

    #[test]
    fn install_appends_once_and_uninstall_removes_exactly_it() {
        let line = init_line(ShellKind::Zsh, "blinkline", &[]);
        for text in ["", "export A=1\n", "alias x=y"] {
            let Plan::Write(new) = plan_install(text, &line, ShellKind::Zsh) else {
                panic!("{text:?}");
            };
            assert_eq!(plan_install(&new, &line, ShellKind::Zsh), Plan::Done);
            let back = plan_uninstall(&new).unwrap();
            let want = if text.ends_with('\n') || text.is_empty() {
                text.to_owned()
            } else {
                format!("{text}\n")
            };
            assert_eq!(back, want);
        }
    }

    #[test]
    fn new_flags_replace_our_line_in_place() {
        let old = init_line(ShellKind::Bash, "blinkline", &[]);
        let new = init_line(
            ShellKind::Bash,
            "blinkline",
            &["--theme".into(), "nord".into()],
        );
        let text = format!("a\n{old}\nb\n");
        assert_eq!(
            plan_install(&text, &new, ShellKind::Bash),
            Plan::Write(format!("a\n{new}\nb\n"))
        );
    }

    #[test]
    fn a_line_written_by_hand_is_left_alone() {
        let text =
            "# eval \"$(blinkline init bash)\"\neval \"$(blinkline init bash --theme nord)\"\n";
        let line = init_line(ShellKind::Bash, "blinkline", &[]);
        assert_eq!(plan_install(text, &line, ShellKind::Bash), Plan::ByHand(2));
        assert_eq!(plan_uninstall(text), None);
    }
}
