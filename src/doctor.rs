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

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use clap::Args;
use serde_json::{Value, json};

use crate::cli::RenderArgs;
use crate::config::resolve::Settings;
use crate::error::Error;
use crate::format::theme::ColorDepth;
use crate::input::env::Environment;
use crate::install::{Locations, claude, clean_text, rc};

#[derive(Debug, Args, Clone)]
pub struct DoctorArgs {
    /// Print the findings as JSON: {"ok": BOOL, "checks": [{"check", "status",
    /// "detail", "fix"}]}.
    #[arg(long)]
    pub json: bool,
}

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

/// The oldest git the fallback's `git --no-optional-locks status --porcelain=v2` runs on.
pub const MIN_GIT: (u32, u32) = (2, 15);

/// `blinkline doctor`.
pub fn doctor_command(render: &RenderArgs, args: &DoctorArgs) -> Result<ExitCode, Error> {
    let env = Environment::capture();
    let places = Locations::capture();
    let mut findings = claude_checks(&places);
    findings.push(test_render(render, &places));
    findings.push(width_source(&env));
    match Settings::resolve(render, &env) {
        Ok(settings) => {
            findings.push(colour(&settings, &env));
            findings.push(nerd_font(&settings));
        }
        Err(e) => findings.push(problem(
            "settings",
            Status::Fail,
            e.to_string(),
            "fix the flag or the config file",
        )),
    }
    findings.push(cache_dir(&env));
    findings.push(config_file(render, &env));
    findings.push(git_version(&places));
    findings.push(shells(&places));
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
fn program_of(command: &str, places: &Locations) -> (String, Option<PathBuf>) {
    let word = claude::first_word(command);
    let path = if word.contains('/') {
        Some(PathBuf::from(&word))
    } else {
        places.which(&word)
    };
    (word, path)
}

/// What `program --version` prints, first line.
fn version_of(program: &Path) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.lines().next()?.trim().to_owned()).filter(|v| !v.is_empty())
}

const OUR_VERSION: &str = concat!("blinkline ", env!("CARGO_PKG_VERSION"));

/// Claude Code's entries: `statusLine`, then `subagentStatusLine`.
fn claude_checks(places: &Locations) -> Vec<Finding> {
    let install = "blinkline install claude".to_owned();
    let Some(path) = places.claude_settings() else {
        return vec![problem(
            "claude settings",
            Status::Warn,
            "HOME and CLAUDE_CONFIG_DIR are unset: no settings.json to look at",
            "set HOME",
        )];
    };
    let shown = clean_text(&path.to_string_lossy());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return vec![problem(
                "claude settings",
                Status::Warn,
                format!("{shown} does not exist: Claude Code shows no status line"),
                install,
            )];
        }
        Err(e) => {
            return vec![problem(
                "claude settings",
                Status::Fail,
                format!("cannot read {shown}: {e}"),
                "check the file's permissions",
            )];
        }
    };
    let doc = match crate::install::json::Document::parse(&text) {
        Ok(doc) => doc,
        Err(e) => {
            return vec![problem(
                "claude settings",
                Status::Fail,
                format!("{shown} is not valid JSON ({e}): Claude Code ignores it"),
                "fix the file, then run `blinkline install claude`",
            )];
        }
    };
    let entry = |key: &str| {
        doc.get(key)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
    };
    let mut findings = Vec::new();
    findings.push(match entry("statusLine") {
        None => problem(
            "claude settings",
            Status::Warn,
            format!("{shown} has no statusLine entry: Claude Code shows no status line"),
            install.clone(),
        ),
        Some(value) => command_check("claude settings", &value, &shown, places),
    });
    findings.push(match entry("subagentStatusLine") {
        None => problem(
            "claude subagents",
            Status::Warn,
            "no subagentStatusLine entry: subagent rows use Claude Code's own text",
            install,
        ),
        Some(value) => command_check("claude subagents", &value, &shown, places),
    });
    findings
}

/// Whether a settings entry runs blinkline, and a blinkline that exists, may run and is
/// this one (or this version).
fn command_check(check: &'static str, entry: &Value, shown: &str, places: &Locations) -> Finding {
    let install = "blinkline install claude";
    let Some(command) = entry.get("command").and_then(Value::as_str) else {
        return problem(
            check,
            Status::Fail,
            format!("the entry in {shown} has no command"),
            install,
        );
    };
    if !claude::runs_blinkline(entry, places) {
        return problem(
            check,
            Status::Warn,
            format!("runs `{command}`, not blinkline"),
            format!("{install} (the old entry is kept in a backup)"),
        );
    }
    let (word, path) = program_of(command, places);
    let Some(path) = path.filter(|p| p.exists()) else {
        return problem(
            check,
            Status::Fail,
            if word.contains('/') {
                format!("runs `{command}`, which does not exist")
            } else {
                format!("runs `{command}`, but {word} is not on PATH")
            },
            format!("{install} (writes this binary's path)"),
        );
    };
    if !crate::install::is_executable(&path) {
        return problem(
            check,
            Status::Fail,
            format!("{} is not executable", path.display()),
            format!("chmod +x {}", path.display()),
        );
    }
    let this = places
        .exe
        .as_deref()
        .is_some_and(|exe| crate::install::same_file(&path, exe));
    if this {
        return ok(check, format!("runs this blinkline ({})", path.display()));
    }
    match version_of(&path) {
        Some(version) if version == OUR_VERSION => ok(
            check,
            format!("runs {} ({version}, as this one)", path.display()),
        ),
        version => problem(
            check,
            Status::Warn,
            format!(
                "runs {} ({}), this is {OUR_VERSION}",
                path.display(),
                version.as_deref().unwrap_or("unknown version")
            ),
            format!("{install} to run this one"),
        ),
    }
}

/// A render of the sample payload by this binary, as Claude Code runs it.
fn test_render(render: &RenderArgs, places: &Locations) -> Finding {
    let Some(exe) = places.exe.as_ref() else {
        return problem(
            "test render",
            Status::Fail,
            "cannot find this binary",
            "run blinkline by its path",
        );
    };
    let mut cmd = Command::new(exe);
    // The line is shown in the report's detail column, plain (the report is sanitized).
    let width = (WIDTH - INDENT).to_string();
    cmd.args(["--sample", "--color", "never", "--width", &width]);
    if let Some(config) = &render.config {
        cmd.arg("--config").arg(config);
    }
    let started = std::time::Instant::now();
    let out = cmd.stdin(Stdio::null()).output();
    let took = started.elapsed();
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            return problem(
                "test render",
                Status::Fail,
                format!("cannot run {}: {e}", exe.display()),
                "reinstall blinkline",
            );
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().next().unwrap_or("").to_owned();
    let ms = took.as_secs_f64() * 1e3;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || line.trim().is_empty() {
        return problem(
            "test render",
            Status::Fail,
            format!(
                "exit {}, {} (took {ms:.1} ms): Claude Code blanks the line; {}",
                out.status.code().unwrap_or(-1),
                if line.is_empty() {
                    "no output"
                } else {
                    "output"
                },
                clean_text(stderr.lines().next().unwrap_or(""))
            ),
            "blinkline config check; blinkline explain --sample",
        );
    }
    let mut finding = ok("test render", format!("{ms:.1} ms, whole process"));
    if let Some(warning) = stderr.lines().next() {
        finding = problem(
            "test render",
            Status::Warn,
            format!("{ms:.1} ms; {}", clean_text(warning)),
            "blinkline config check",
        );
    }
    finding.output = Some(line);
    finding
}

/// Where the line's width comes from.
fn width_source(env: &Environment) -> Finding {
    if let Some(columns) = env.columns {
        return ok(
            "width",
            format!("COLUMNS={columns}: the line is fitted to it, less the margin"),
        );
    }
    let tty = tty_columns();
    let tty = match tty {
        Some(Some(n)) => format!("/dev/tty opens ({n} columns)"),
        Some(None) => "/dev/tty opens (no size)".to_owned(),
        None => "/dev/tty does not open".to_owned(),
    };
    problem(
        "width",
        Status::Warn,
        format!("COLUMNS is not set; {tty}: the line is not fitted to a width"),
        "Claude Code ≥ 2.1.153 sets COLUMNS; elsewhere export COLUMNS or pass --width",
    )
}

/// `Some(columns)` when /dev/tty opens, `None` when it does not.
#[cfg(target_os = "linux")]
fn tty_columns() -> Option<Option<usize>> {
    use std::os::fd::AsRawFd as _;
    let tty = std::fs::File::open("/dev/tty").ok()?;
    Some(crate::sys::tty::columns(tty.as_raw_fd()))
}

#[cfg(not(target_os = "linux"))]
fn tty_columns() -> Option<Option<usize>> {
    std::fs::File::open("/dev/tty").ok().map(|_| None)
}

/// The colour depth a render uses, and the variable that decided it.
fn colour(settings: &Settings, env: &Environment) -> Finding {
    let depth = crate::setup::color_depth(settings.color, env);
    let name = match depth {
        ColorDepth::None => "no colour",
        ColorDepth::Ansi16 => "16 colours",
        ColorDepth::Ansi256 => "256 colours",
        ColorDepth::TrueColor => "24-bit colour",
    };
    let var = |v: &Option<String>| v.as_deref().map_or("unset".to_owned(), clean_text);
    let why = if settings.color != crate::cli::ColorChoice::Auto {
        "--color or the config's color".to_owned()
    } else if env.no_color && !env.force_color {
        "NO_COLOR is set".to_owned()
    } else if matches!(env.colorterm.as_deref(), Some("truecolor" | "24bit")) {
        format!(
            "COLORTERM={}{}",
            var(&env.colorterm),
            if env.tmux { ", inside tmux" } else { "" }
        )
    } else if env.tmux {
        "inside tmux".to_owned()
    } else {
        format!("TERM={}, COLORTERM={}", var(&env.term), var(&env.colorterm))
    };
    let detail = format!("{name} ({why})");
    if depth == ColorDepth::None && settings.color == crate::cli::ColorChoice::Auto {
        return problem(
            "colour",
            Status::Warn,
            detail,
            "unset NO_COLOR, or set color = \"256\" in the config",
        );
    }
    ok("colour", detail)
}

/// The glyph set and how wide Nerd Font icons are taken to be.
fn nerd_font(settings: &Settings) -> Finding {
    let width = settings.rules.private_use;
    match settings.charset {
        crate::widgets::Charset::NerdFont => ok(
            "nerd font",
            format!(
                "charset nerd-font, icons {} cells wide (nerd_font_width = {width}); if icons \
                 overlap the next character set it to 2, if they leave a gap to 1",
                width
            ),
        ),
        charset => ok(
            "nerd font",
            format!(
                "not used (charset {}); nerd_font_width = {width}",
                match charset {
                    crate::widgets::Charset::Ascii => "ascii",
                    _ => "unicode",
                }
            ),
        ),
    }
}

/// The cache directory: missing (made on first use), or owned by the user and closed
/// to others.
fn cache_dir(env: &Environment) -> Finding {
    let Ok(dir) = crate::cache::Cache::locate(env) else {
        return problem(
            "cache",
            Status::Warn,
            "no cache location: git and transcript figures are not kept",
            "set HOME or XDG_CACHE_HOME",
        );
    };
    let shown = clean_text(&dir.to_string_lossy());
    match std::fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ok(
            "cache",
            format!("{shown} does not exist yet (made 0700 on first use)"),
        ),
        Err(e) => problem(
            "cache",
            Status::Fail,
            format!("cannot look at {shown}: {e}"),
            format!("rm -r {shown} (it is made again)"),
        ),
        Ok(meta) if !meta.is_dir() => problem(
            "cache",
            Status::Fail,
            format!("{shown} is not a directory: nothing is cached"),
            format!("rm {shown} (it is made again as a directory)"),
        ),
        Ok(meta) => cache_permissions(&shown, &meta),
    }
}

#[cfg(unix)]
fn cache_permissions(shown: &str, meta: &std::fs::Metadata) -> Finding {
    use std::os::unix::fs::MetadataExt as _;
    let mode = meta.mode() & 0o777;
    if meta.uid() != crate::sys::os::current_uid() {
        return problem(
            "cache",
            Status::Fail,
            format!(
                "{shown} belongs to another user (uid {}): nothing is cached",
                meta.uid()
            ),
            format!("rm -r {shown} as that user, or set XDG_CACHE_HOME"),
        );
    }
    if mode & 0o022 != 0 {
        return problem(
            "cache",
            Status::Fail,
            format!("{shown} is {mode:04o}: others may write to it, so it is not used"),
            format!("chmod 700 {shown}"),
        );
    }
    if mode & 0o077 != 0 {
        return problem(
            "cache",
            Status::Warn,
            format!("{shown} is {mode:04o}: others may read it"),
            format!("chmod 700 {shown}"),
        );
    }
    ok("cache", format!("{shown} ({mode:04o}, yours)"))
}

#[cfg(not(unix))]
fn cache_permissions(shown: &str, _meta: &std::fs::Metadata) -> Finding {
    ok("cache", shown.to_owned())
}

/// The config file's problems, as `config check` reports them.
fn config_file(render: &RenderArgs, env: &Environment) -> Finding {
    let Some(path) = render
        .config
        .clone()
        .or_else(|| crate::config::default_path(env))
    else {
        return ok("config", "no config location: the built-in line");
    };
    let shown = clean_text(&path.to_string_lossy());
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && render.config.is_none() => {
            return ok("config", format!("no {shown}: the built-in line"));
        }
        Err(e) => {
            return problem(
                "config",
                Status::Fail,
                format!("cannot read {shown}: {e}"),
                "blinkline config init writes one",
            );
        }
    };
    let (_, problems) = crate::config::parse(&source);
    match problems.first() {
        None => ok("config", format!("{shown} has no problems")),
        Some(first) => problem(
            "config",
            Status::Fail,
            format!(
                "{} problem{} (the line shows ⚠ config and the defaults); first: {}",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                first.render(&shown, &source).lines().next().unwrap_or("")
            ),
            "blinkline config check",
        ),
    }
}

/// `git --version`, against [`MIN_GIT`].
fn git_version(places: &Locations) -> Finding {
    let Some(git) = places.which("git") else {
        return problem(
            "git",
            Status::Warn,
            "git is not on PATH: the git widgets read repositories themselves, but cases \
             they leave to git (submodules, some attributes) show no counts",
            "install git",
        );
    };
    let version = version_of(&git).unwrap_or_default();
    let numbers: Vec<u32> = version
        .split_whitespace()
        .nth(2)
        .unwrap_or("")
        .split('.')
        .map_while(|n| n.parse().ok())
        .collect();
    match numbers.as_slice() {
        [major, minor, ..] if (*major, *minor) >= MIN_GIT => ok("git", clean_text(&version)),
        [_, _, ..] => problem(
            "git",
            Status::Warn,
            format!(
                "{} is older than {}.{}, which the status fallback needs",
                clean_text(&version),
                MIN_GIT.0,
                MIN_GIT.1
            ),
            "upgrade git",
        ),
        _ => problem(
            "git",
            Status::Warn,
            format!("cannot tell the version of {}", git.display()),
            "check that `git --version` works",
        ),
    }
}

/// Which rc files load the prompt, and whether the binary they name exists.
fn shells(places: &Locations) -> Finding {
    use crate::input::shell::ShellKind;
    let mut loaded = Vec::new();
    for (name, shell) in [
        ("bash", ShellKind::Bash),
        ("zsh", ShellKind::Zsh),
        ("fish", ShellKind::Fish),
    ] {
        let Some(path) = rc::rc_path(shell, places) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Some(line) = text.lines().find(|l| {
            let t = l.trim_start();
            !t.starts_with('#') && t.contains("blinkline") && t.contains(&format!("init {name}"))
        }) else {
            continue;
        };
        let shown = clean_text(&path.to_string_lossy());
        // The program: the word before `init`, quotes and `$(` taken off.
        let before = line.split(" init ").next().unwrap_or("");
        let word = before
            .rsplit(['(', ' '])
            .next()
            .unwrap_or("")
            .trim_matches(['\'', '"']);
        let (_, program) = program_of(word, places);
        if program.is_none_or(|p| !p.exists()) {
            return problem(
                "shell",
                Status::Fail,
                format!("{shown} runs `{word}`, which does not exist: the prompt fails"),
                format!("blinkline install {name}"),
            );
        }
        loaded.push(format!("{name} ({shown})"));
    }
    if loaded.is_empty() {
        ok(
            "shell",
            "no rc file loads the prompt (optional: blinkline install bash|zsh|fish)",
        )
    } else {
        ok(
            "shell",
            format!("the prompt loads in {}", loaded.join(", ")),
        )
    }
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
