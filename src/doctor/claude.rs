//! `doctor`'s checks of Claude Code: the settings entries and the binary they run, and a
//! test render of the sample payload run as Claude Code runs it.

use std::process::{Command, Stdio};

use serde_json::Value;

use super::{Finding, INDENT, Status, WIDTH, ok, problem, program_of, version_of};
use crate::cli::RenderArgs;
use crate::install::{Locations, claude, clean_text};

const OUR_VERSION: &str = concat!("blinkline ", env!("CARGO_PKG_VERSION"));

/// Claude Code's entries: the user's `statusLine` and `subagentStatusLine`, then a
/// `statusLine` of the current project's settings, which wins over the user's.
pub fn claude_checks(places: &Locations) -> Vec<Finding> {
    let mut findings = user_checks(places);
    findings.extend(project_check(places));
    findings
}

/// The project's `.claude/settings.local.json` or `.claude/settings.json` statusLine,
/// when one of them has it.
fn project_check(places: &Locations) -> Option<Finding> {
    let shared = claude::settings_path(true, None, places).ok()?;
    let local = shared.with_file_name("settings.local.json");
    [local, shared].iter().find_map(|path| {
        let text = std::fs::read_to_string(path).ok()?;
        let doc = crate::install::json::Document::parse(&text).ok()?;
        let value: Value = serde_json::from_str(doc.get("statusLine")?).ok()?;
        let shown = clean_text(&path.to_string_lossy());
        let mut finding = command_check("claude project", &value, &shown, places);
        finding.detail = format!("{shown}: {}", finding.detail);
        if let Some(fix) = &mut finding.fix {
            *fix = fix.replace(
                "blinkline install claude",
                &format!("blinkline install claude --settings {shown}"),
            );
        }
        Some(finding)
    })
}

fn user_checks(places: &Locations) -> Vec<Finding> {
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
pub fn test_render(render: &RenderArgs, places: &Locations) -> Finding {
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
