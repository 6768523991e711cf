//! Shell prompts as users meet them: `blinkline prompt` output for each shell, the `init`
//! scripts, and real bash and zsh sessions driven through tmux (skipped, with a message,
//! when tmux or the shell is not installed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use blinkline::tempdir::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_blinkline");

fn blinkline(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("HOME", "/home/user")
        .env("TERM", "xterm-256color")
        .env("USER", "ada")
        .output()
        .expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn zsh_prompt_wraps_every_escape_in_percent_braces() {
    let o = blinkline(&[
        "prompt",
        "--shell",
        "zsh",
        "--status",
        "1",
        "--widgets",
        "status,char",
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.starts_with("%{\x1b[") && out.ends_with("%} "),
        "{out:?}"
    );
    let outside: String = out
        .split("%{")
        .map(|p| p.split_once("%}").map_or(p, |(_, t)| t))
        .collect();
    assert!(
        !outside.contains('\x1b'),
        "an escape outside %{{ %}}: {out:?}"
    );
    assert!(outside.contains("\u{2718} 1 \u{276f}"), "{outside:?}");
}

#[test]
fn bash_prompt_wraps_every_escape_in_brackets() {
    let o = blinkline(&[
        "prompt",
        "--shell",
        "bash",
        "--status",
        "0",
        "--color",
        "16",
        "--widgets",
        "status,char",
    ]);
    let out = stdout(&o);
    use blinkline::format::theme::{DEFAULT_THEME, to_ansi16};
    let good = to_ansi16(DEFAULT_THEME.good);
    assert_eq!(
        out,
        format!("\\[\x1b[{good}m\\]\u{276f}\\[\x1b[0m\\] "),
        "status 0 hides; the char is in the good tone"
    );
}

#[test]
fn fish_right_prompt_shows_only_the_right_group_without_a_trailing_space() {
    let o = blinkline(&[
        "prompt",
        "--shell",
        "fish",
        "--right",
        "--color",
        "never",
        "--duration",
        "65000",
        "--widgets",
        "char|cmd_duration",
    ]);
    assert_eq!(stdout(&o), "took 1m05s");
}

#[test]
fn prompt_widgets_read_the_flags_the_integration_passes() {
    let o = blinkline(&[
        "prompt",
        "--shell",
        "fish",
        "--color",
        "never",
        "--status",
        "130",
        "--pipestatus",
        "0 130",
        "--jobs",
        "2",
        "--keymap",
        "vicmd",
        "--widgets",
        "jobs,status,char",
    ]);
    assert_eq!(stdout(&o), "\u{2726} 2 \u{2718} 0|130 INT \u{276e} ");
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_choices() {
    let o = blinkline(&["prompt", "--shell", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("invalid value 'tcsh' for '--shell <SHELL>'"),
        "{err}"
    );
    assert!(err.contains("[possible values: bash, zsh, fish]"), "{err}");
    let o = blinkline(&["init", "powershell"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_bad_pipestatus_names_the_flag_and_the_fix() {
    let o = blinkline(&["prompt", "--shell", "zsh", "--pipestatus", "0 x"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("`x` is not an exit status; pass numbers like \"0 1 0\""),
        "{err}"
    );
}

#[test]
fn continuation_prompt_is_a_short_marker() {
    assert_eq!(
        stdout(&blinkline(&["prompt", "--shell", "bash", "--continuation"])),
        "\u{2219} "
    );
}

#[test]
fn init_scripts_are_valid_shell_syntax() {
    for (shell, check) in [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish")] {
        let script = stdout(&blinkline(&["init", shell]));
        assert!(script.contains(BIN), "{shell} init calls this binary");
        if !has(check) {
            eprintln!("skipping the {shell} syntax check: {check} is not installed");
            continue;
        }
        let o = Command::new(check)
            .args(["-n", "-c", &script])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// A tmux server of our own, with one pane running a shell.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(dir: &Path, shell: &[&str]) -> Tmux {
        let socket = format!("blinkline-test-{}-{}", std::process::id(), shell[0]);
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "20",
            ])
            .arg("-c")
            .arg(dir)
            .args([
                "env",
                "-i",
                "TERM=xterm-256color",
                "HOME=/nonexistent",
                "USER=ada",
                "SHLVL=1",
            ])
            .arg(format!(
                "PATH={}",
                std::env::var("PATH").unwrap_or_default()
            ))
            .args(shell)
            .status()
            .expect("tmux runs");
        assert!(status.success());
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn send(&self, keys: &[&str]) {
        self.tmux(&[&["send-keys", "-t", "0"][..], keys].concat());
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "0"])
    }

    fn cursor(&self) -> (usize, usize) {
        let text = self.tmux(&[
            "display-message",
            "-p",
            "-t",
            "0",
            "#{cursor_x} #{cursor_y}",
        ]);
        let mut parts = text.split_whitespace().map(|n| n.parse().unwrap());
        (parts.next().unwrap(), parts.next().unwrap())
    }

    /// Polls the pane (the shell is another process) until `done` holds, up to 10 s.
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// A temporary directory (removed on drop) holding `shop/.git` and `shop/src`; the path
/// of `shop/src`.
fn fixture_repo(name: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(&format!("shell-{name}")).unwrap();
    std::fs::create_dir_all(dir.join("shop/.git")).unwrap();
    std::fs::create_dir_all(dir.join("shop/src")).unwrap();
    let src = dir.join("shop/src");
    (dir, src)
}

/// The column right after the prompt character `❯ ` on its line.
fn prompt_end(screen: &str, marker_count: usize) -> (usize, usize) {
    let (row, line) = screen
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains('\u{276f}'))
        .nth(marker_count - 1)
        .expect("a prompt line");
    let col = line.split('\u{276f}').next().unwrap().chars().count() + 2;
    (col, row)
}

fn drive(shell: &str, argv: &[&str]) {
    if !has("tmux") || !has(shell) {
        eprintln!("skipping the {shell} session test: tmux or {shell} is not installed");
        return;
    }
    let (_root, dir) = fixture_repo(shell);
    let tmux = Tmux::start(&dir, argv);
    let load = if shell == "fish" {
        format!("'{BIN}' init fish | source")
    } else {
        format!("eval \"$('{BIN}' init {shell})\"")
    };
    tmux.send(&[&load, "Enter"]);
    tmux.wait_for("the first prompt", |s| {
        s.contains("shop/src") && s.contains('\u{276f}')
    });
    tmux.send(&["false", "Enter"]);
    let screen = tmux.wait_for("the failed status", |s| s.contains("\u{2718} 1"));
    let count = screen.matches('\u{276f}').count();
    // Typing, then moving to the start of the line: the line editor must know exactly how
    // wide the prompt is, escapes excluded.
    tmux.send(&["echo hi", "C-a"]);
    let (col, row) = prompt_end(
        &tmux.wait_for("the typed command", |s| s.contains("echo hi")),
        count,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.cursor() != (col, row) {
        assert!(
            Instant::now() < deadline,
            "cursor at {:?}, want {:?}:\n{}",
            tmux.cursor(),
            (col, row),
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    tmux.send(&["C-e", "Enter"]);
    tmux.wait_for("the command output", |s| {
        s.lines().any(|l| l.trim() == "hi")
    });
}

#[test]
fn a_real_bash_shows_the_prompt_and_keeps_the_cursor_in_place() {
    drive("bash", &["bash", "--norc", "--noprofile", "-i"]);
}

#[test]
fn a_real_zsh_shows_the_prompt_and_keeps_the_cursor_in_place() {
    drive("zsh", &["zsh", "-f", "-i"]);
}

#[test]
fn a_real_fish_shows_the_prompt_and_keeps_the_cursor_in_place() {
    drive("fish", &["fish", "--no-config", "-i"]);
}

#[test]
fn a_prompt_takes_its_look_from_the_config_file() {
    let dir = TempDir::new("prompt-config").unwrap();
    let config = dir.join("config.toml");
    std::fs::write(&config, "charset = \"ascii\"\ncolor = \"never\"\n").unwrap();
    let o = blinkline(&[
        "prompt",
        "--shell",
        "zsh",
        "--status",
        "1",
        "--config",
        config.to_str().unwrap(),
        "--widgets",
        "status,char",
    ]);
    assert_eq!(stdout(&o), "x 1 > ", "ascii glyphs, no colour");
}
