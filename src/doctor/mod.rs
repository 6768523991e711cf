//! `blinkline doctor`: checks what breaks status lines in practice and says how to fix
//! each problem. Every check gives one finding (ok, warn or fail) with its detail and,
//! when something is wrong, the fix; the command exits 1 when any check fails.
//!
//! The checks: Claude Code's settings entries (present, their command existing,
//! executable, this binary or its version), a test render of the sample payload (timed,
//! as a whole process, as Claude Code runs it), where the width comes from, the colour
//! depth and why, the Nerd Font width setting, the cache directory's owner and
//! permissions, the config file, git, and the shells' rc files. Everything shown is
//! sanitized, wrapped to 80 columns, and coloured only on a terminal; `--json` gives
//! the same findings to scripts.

mod checks;
mod claude;

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use serde_json::{Value, json};

use crate::cli::{DoctorArgs, RenderArgs};
use crate::config::resolve::Settings;
use crate::error::Error;
use crate::input::env::Environment;
use crate::install::{Locations, clean_text};

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub status: Status,
    pub detail: String,
    pub fix: Option<String>,
    /// What the check printed (the test render's line), shown on a line of its own.
    pub output: Option<String>,
}

fn ok(check: &'static str, detail: impl Into<String>) -> Finding {
    Finding {
        check,
        status: Status::Ok,
        detail: detail.into(),
        fix: None,
        output: None,
    }
}

fn problem(
    check: &'static str,
    status: Status,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Finding {
    Finding {
        check,
        status,
        detail: detail.into(),
        fix: Some(fix.into()),
        output: None,
    }
}

/// `blinkline doctor`.
pub fn doctor_command(render: &RenderArgs, args: &DoctorArgs) -> Result<ExitCode, Error> {
    let env = Environment::capture();
    let places = Locations::capture();
    let mut findings = claude::claude_checks(&places);
    findings.push(claude::test_render(render, &places));
    findings.push(checks::width_source(&env));
    match Settings::resolve(render, &env) {
        Ok(settings) => {
            findings.push(checks::colour(&settings, &env));
            findings.push(checks::nerd_font(&settings));
        }
        Err(e) => findings.push(problem(
            "settings",
            Status::Fail,
            e.to_string(),
            "fix the flag or the config file",
        )),
    }
    findings.push(checks::cache_dir(&env));
    findings.push(checks::config_file(render, &env));
    findings.push(checks::git_version(&places));
    findings.push(checks::shells(&places));
    let failed = findings.iter().any(|f| f.status == Status::Fail);
    let out = if args.json {
        let checks: Vec<Value> = findings
            .iter()
            .map(|f| {
                json!({"check": f.check, "status": f.status.as_str(),
                       "detail": clean_text(&f.detail), "fix": f.fix.as_deref().map(clean_text),
                       "output": f.output.as_deref().map(clean_text)})
            })
            .collect();
        format!("{}\n", json!({"ok": !failed, "checks": checks}))
    } else {
        let color = std::io::stdout().is_terminal() && !env.no_color;
        report(&findings, color)
    };
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(ExitCode::from(u8::from(failed)))
}

/// Columns of the report.
const WIDTH: usize = 80;
/// Where the detail starts: status (4), a space, the check's name (16), a space.
const INDENT: usize = 22;

/// The findings as text, each wrapped to [`WIDTH`] columns.
pub fn report(findings: &[Finding], color: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let (label, paint) = match f.status {
            Status::Ok => ("ok", "32"),
            Status::Warn => ("warn", "33"),
            Status::Fail => ("FAIL", "1;31"),
        };
        let label = if color {
            format!("\x1b[{paint}m{label:<4}\x1b[0m")
        } else {
            format!("{label:<4}")
        };
        let mut lines = wrap(&clean_text(&f.detail), WIDTH - INDENT);
        if let Some(output) = &f.output {
            lines.push(clean_text(output));
        }
        if let Some(fix) = &f.fix {
            lines.extend(wrap(&format!("fix: {}", clean_text(fix)), WIDTH - INDENT));
        }
        for (n, line) in lines.iter().enumerate() {
            if n == 0 {
                out.push_str(&format!("{label} {:<16} {line}\n", f.check));
            } else {
                out.push_str(&format!("{:INDENT$}{line}\n", ""));
            }
        }
    }
    out
}

/// `text` broken at spaces into lines of at most `width` columns (a longer word, a path,
/// is broken where it must be).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr as _;
    let mut lines = Vec::new();
    {
        let paragraph = text;
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let mut word = word.to_owned();
            loop {
                let sep = usize::from(!line.is_empty());
                if line.width() + sep + word.width() <= width {
                    if sep == 1 {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    continue;
                }
                // A word wider than the line: cut it.
                let mut cut = 0;
                let mut used = 0;
                for (i, c) in word.char_indices() {
                    let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    if used + w > width {
                        break;
                    }
                    used += w;
                    cut = i + c.len_utf8();
                }
                let cut = cut.max(word.chars().next().map_or(1, char::len_utf8));
                lines.push(word[..cut].to_owned());
                word = word[cut..].to_owned();
                if word.is_empty() {
                    break;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// The program a command line runs: its first word, found on PATH when it has no `/`.
pub(crate) fn program_of(command: &str, places: &Locations) -> (String, Option<PathBuf>) {
    let word = crate::install::claude::first_word(command);
    let path = if word.contains('/') {
        Some(PathBuf::from(&word))
    } else {
        places.which(&word)
    };
    (word, path)
}

/// What `program --version` prints, first line.
pub(crate) fn version_of(program: &Path) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.lines().next()?.trim().to_owned()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_details_wrap_within_the_width_and_long_words_are_cut() {
        let lines = wrap("alpha beta gamma delta", 11);
        assert_eq!(lines, ["alpha beta", "gamma delta"]);
        let lines = wrap("/a/very/long/path/name", 8);
        assert_eq!(lines, ["/a/very/", "long/pat", "h/name"]);
    }

    #[test]
    fn the_report_fits_eighty_columns_and_names_the_fix() {
        let findings = [
            ok("git", "git version 2.47.3"),
            problem(
                "cache",
                Status::Fail,
                "/home/someone/.cache/blinkline is 0777: others may write to it, so it is not used",
                "chmod 700 /home/someone/.cache/blinkline",
            ),
        ];
        let text = report(&findings, false);
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert!(
            text.starts_with("ok   git              git version 2.47.3\n"),
            "{text}"
        );
        assert!(text.contains("FAIL cache "), "{text}");
        assert!(text.contains("fix: chmod 700"), "{text}");
        assert!(!text.contains('\x1b'));
        assert!(report(&findings, true).contains("\x1b[1;31mFAIL\x1b[0m"));
    }

    #[test]
    fn untrusted_text_in_a_finding_is_sanitized() {
        let f = problem(
            "claude settings",
            Status::Warn,
            "runs `x\x1b]0;pwn\x07y`",
            "z",
        );
        let text = report(&[f], false);
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    }
}
