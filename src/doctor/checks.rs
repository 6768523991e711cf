//! `doctor`'s checks of the environment: the width source, colour depth, Nerd Font
//! width, cache directory, config file, git and the shells' rc files.

use super::{Finding, Status, ok, problem, program_of, version_of};
use crate::cli::RenderArgs;
use crate::config::resolve::Settings;
use crate::format::theme::ColorDepth;
use crate::input::env::Environment;
use crate::install::{Locations, clean_text, rc};

/// The oldest git the fallback's `git --no-optional-locks status --porcelain=v2` runs on.
pub const MIN_GIT: (u32, u32) = (2, 15);

/// Where the line's width comes from.
pub fn width_source(env: &Environment) -> Finding {
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
pub fn colour(settings: &Settings, env: &Environment) -> Finding {
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
pub fn nerd_font(settings: &Settings) -> Finding {
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
pub fn cache_dir(env: &Environment) -> Finding {
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
pub fn config_file(render: &RenderArgs, env: &Environment) -> Finding {
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
pub fn git_version(places: &Locations) -> Finding {
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
pub fn shells(places: &Locations) -> Finding {
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
