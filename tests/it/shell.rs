//! Shell prompts as users meet them: `blinkline prompt` output for each shell, the `init`
//! scripts, and real bash and zsh sessions driven through tmux (skipped, with a message,
//! when tmux or the shell is not installed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use blinkline::testing::tempdir::TempDir;

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
fn bash_prompt_wraps_every_escape_in_readline_markers() {
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
    use blinkline::testing::format::theme::{DEFAULT_THEME, to_ansi16};
    let good = to_ansi16(DEFAULT_THEME.good);
    assert_eq!(
        out,
        format!("\x01\x1b[{good}m\x02\u{276f}\x01\x1b[0m\x02 "),
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
    assert!(
        err.contains("[possible values: bash, zsh, fish, powershell]"),
        "{err}"
    );
    let o = blinkline(&["init", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let o = blinkline(&["init", "powershell"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .contains("function global:prompt")
    );
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
        static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("blinkline-test-{}-{}-{n}", std::process::id(), shell[0]);
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

/// Directory names carrying shell syntax, prompt escapes, a newline and a bidi override.
const HOSTILE_NAMES: &[&str] = &[
    "$(touch PWNED)",
    "`touch PWNED`",
    "${HOME}$((6*7))${PWD}",
    "\\$(touch PWNED)",
    "a\\b\\\\c\\",
    "\\w \\u \\$ \\[ \\!",
    "%F{red}red%f %n %~ %%",
    "!! !$ !1 ^x^y",
    "new\nline$(touch PWNED)",
    "bidi\u{202E}txt`touch PWNED`",
    "q'uote\"$(touch PWNED)'",
];

/// What a prompt shows for `name`: the sanitizer turns a newline into a space and drops
/// bidi overrides; everything else is shown as it is.
fn shown(name: &str) -> String {
    name.replace('\n', " ").replace('\u{202E}', "")
}

/// The text a prompt puts on the screen: escape sequences and readline's `\001`/`\002`
/// markers removed.
fn visible(prompt: &str) -> String {
    let mut out = String::new();
    let mut chars = prompt.chars();
    while let Some(c) = chars.next() {
        match c {
            '\x01' | '\x02' => {}
            '\x1b' => {
                if chars.next() == Some('[') {
                    for c in chars.by_ref() {
                        if ('\x40'..='\x7e').contains(&c) {
                            break;
                        }
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Every file called `PWNED` under `dir`.
fn markers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            found.extend(markers(&path));
        } else if entry.file_name() == "PWNED" {
            found.push(path);
        }
    }
    found
}

/// Runs `script` with `shell`, in a clean environment whose HOME is `home`; `BL` names
/// this binary and `args` are the script's positional parameters. The script's stdout.
fn run_script(
    shell: &str,
    script: &str,
    home: &Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> String {
    let mut command = Command::new(shell);
    match shell {
        "bash" => command.args(["--norc", "--noprofile", "-c", script, "bash"]),
        "zsh" => command.args(["-f", "-c", script, "zsh"]),
        _ => command.args(["--no-config", "-c", script]),
    };
    let o = command
        .args(args)
        .current_dir(home)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("TERM", "xterm-256color")
        .env("USER", "ada")
        .env("SHLVL", "1")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BL", BIN)
        .envs(env.iter().copied())
        .output()
        .expect("the shell runs");
    assert!(
        o.status.success(),
        "{shell}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The prompt each integration draws in `$1` (run from the scripts `init` prints, with
/// `init_flags`), as the shell expands it: bash `${PS1@P}`, zsh `${(%%)PROMPT}` (full
/// prompt expansion, `prompt_subst` on; `prompt_bang` was on before, as in sh emulation),
/// fish the output of `fish_prompt`.
fn prompt_script(shell: &str, init_flags: &str) -> String {
    match shell {
        "bash" => format!(
            r#"eval "$("$BL" init bash {init_flags})" && cd -- "$1" && false; _blinkline_precmd; printf '%s' "${{PS1@P}}""#
        ),
        "zsh" => format!(
            r#"setopt prompt_bang; eval "$("$BL" init zsh {init_flags})" && cd -- "$1" && false; _blinkline_precmd; print -rn -- "${{(%%)PROMPT}}""#
        ),
        _ => format!(
            r#"$BL init fish {init_flags} | source; and cd $argv[1]; and false; fish_prompt"#
        ),
    }
}

/// Each hostile directory name, as `shell`'s integration shows it: literal text, nothing run.
fn hostile_directories_show_as_text(shell: &str) {
    if !has(shell) {
        eprintln!("skipping the {shell} prompt test: {shell} is not installed");
        return;
    }
    let home = TempDir::new(&format!("hostile-{shell}")).unwrap();
    for name in HOSTILE_NAMES {
        let dir = home.join(name);
        std::fs::create_dir(&dir).unwrap();
        let out = run_script(
            shell,
            &prompt_script(shell, ""),
            &home,
            &[],
            &[dir.to_str().unwrap()],
        );
        let text = visible(&out);
        assert!(
            text.contains(&format!("~/{} ", shown(name))),
            "{shell}: {name:?} shows as {text:?} ({out:?})"
        );
        assert!(text.contains("\u{2718} 1"), "{shell}: {text:?}");
        assert_eq!(
            markers(&home),
            Vec::<PathBuf>::new(),
            "{shell} ran {name:?}"
        );
    }
}

#[test]
fn bash_prompt_does_not_run_commands_in_directory_names() {
    hostile_directories_show_as_text("bash");
}

#[test]
fn zsh_prompt_does_not_run_commands_or_prompt_escapes_in_directory_names() {
    hostile_directories_show_as_text("zsh");
}

#[test]
fn fish_prompt_does_not_run_commands_in_directory_names() {
    hostile_directories_show_as_text("fish");
}

#[test]
fn prompts_do_not_run_commands_in_branch_names_env_values_or_command_output() {
    let branch = "$(touch PWNED)`touch PWNED`%n!";
    let value = "e$(touch PWNED)%n\\w`touch PWNED`";
    let venv = "/v/$(touch PWNED)`id`%~";
    let user = "u$(touch PWNED)%n";
    let output = "c$(touch PWNED)`touch PWNED`\\u%F{red}";
    let flags = "--color never --threads 0 --deadline 5s --budget 5s \
         --widgets git_branch,env,venv,user_host,command --set env.name=BL_VALUE \
         --set user_host.always=true --set command.wait=4s --set command.timeout=4s \
         --set 'command.command=cat \"$BL_OUTPUT\"'";
    for shell in ["bash", "zsh", "fish"] {
        if !has(shell) {
            eprintln!("skipping the {shell} prompt test: {shell} is not installed");
            continue;
        }
        let home = TempDir::new(&format!("sources-{shell}")).unwrap();
        let repo = home.join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(
            repo.join(".git/HEAD"),
            format!("ref: refs/heads/{branch}\n"),
        )
        .unwrap();
        let output_file = home.join("output");
        std::fs::write(&output_file, output).unwrap();
        let out = run_script(
            shell,
            &prompt_script(shell, flags),
            &home,
            &[
                ("BL_VALUE", value),
                ("VIRTUAL_ENV", venv),
                ("USER", user),
                ("BL_OUTPUT", output_file.to_str().unwrap()),
            ],
            &[repo.to_str().unwrap()],
        );
        let mut want = vec![
            format!("{branch} (no commits)"),
            value.to_owned(),
            "($(touch PWNED)`id`%~)".to_owned(),
            output.to_owned(),
        ];
        // fish sets USER itself, from the password database.
        if shell != "fish" {
            want.push(user.to_owned());
        }
        for text in want {
            assert!(out.contains(&text), "{shell}: {text:?} not in {out:?}");
        }
        assert_eq!(markers(&home), Vec::<PathBuf>::new(), "{shell}: {out:?}");
    }
}

/// A real interactive shell in tmux with the integration loaded (`init_flags` given to
/// `init`), in `dir`; `None` (with a message) when tmux or the shell is missing.
fn session(shell: &str, dir: &Path, init_flags: &str) -> Option<Tmux> {
    if !has("tmux") || !has(shell) {
        eprintln!("skipping the {shell} session test: tmux or {shell} is not installed");
        return None;
    }
    let argv: &[&str] = match shell {
        "bash" => &["bash", "--norc", "--noprofile", "-i"],
        "zsh" => &["zsh", "-f", "-i"],
        _ => &["fish", "--no-config", "-i"],
    };
    let tmux = Tmux::start(dir, argv);
    let load = if shell == "fish" {
        format!("'{BIN}' init fish {init_flags} | source")
    } else {
        format!("eval \"$('{BIN}' init {shell} {init_flags})\"")
    };
    tmux.send(&["-l", &load]);
    tmux.send(&["Enter"]);
    tmux.wait_for("the first prompt", |s| s.contains('\u{276f}'));
    Some(tmux)
}

/// Lines showing a prompt (the prompt character).
fn prompt_lines(screen: &str) -> Vec<&str> {
    screen.lines().filter(|l| l.contains('\u{276f}')).collect()
}

impl Tmux {
    /// Types `line` and Enter; the prompt line drawn after it has run.
    fn run(&self, line: &str) -> String {
        let before = prompt_lines(&self.screen()).len();
        if !line.is_empty() {
            self.send(&["-l", line]);
        }
        self.send(&["Enter"]);
        let screen = self.wait_for(&format!("the prompt after {line:?}"), |s| {
            prompt_lines(s).len() > before
        });
        prompt_lines(&screen).last().unwrap().to_string()
    }
}

#[test]
fn a_real_bash_does_not_run_commands_in_directory_names() {
    let home = TempDir::new("tmux-hostile").unwrap();
    let name = "$(touch PWNED)`touch PWNED`";
    std::fs::create_dir(home.join(name)).unwrap();
    let Some(tmux) = session("bash", &home, "") else {
        return;
    };
    let line = tmux.run("cd -- '$(touch PWNED)`touch PWNED`'");
    assert!(line.contains(name), "{line}");
    tmux.run("");
    assert_eq!(markers(&home), Vec::<PathBuf>::new());
}

#[test]
fn a_real_fish_in_tmux_shows_hostile_directory_names_as_text() {
    let home = TempDir::new("tmux-fish-hostile").unwrap();
    let name = "$(touch PWNED)%n\\w";
    std::fs::create_dir(home.join(name)).unwrap();
    let Some(tmux) = session("fish", &home, "") else {
        return;
    };
    let line = tmux.run("cd '$(touch PWNED)%n\\\\w'");
    assert!(line.contains(name), "{line}");
    assert_eq!(markers(&home), Vec::<PathBuf>::new());
}

/// `true | false | true` shows `✘ 0|1|0`; a background job started after it, and an empty
/// line after that, show no pipe status; the next pipeline shows it again.
#[test]
fn pipestatus_does_not_persist_after_a_background_job() {
    for shell in ["bash", "zsh", "fish"] {
        let dir = TempDir::new(&format!("pipe-{shell}")).unwrap();
        let Some(tmux) = session(shell, &dir, "--widgets status,jobs,char") else {
            continue;
        };
        assert!(tmux.run("true | false | true").contains("0|1|0"), "{shell}");
        let after_job = tmux.run("sleep 60 &");
        assert!(after_job.contains("\u{2726} 1"), "{shell}: {after_job}");
        assert!(!after_job.contains('\u{2718}'), "{shell}: {after_job}");
        let empty = tmux.run("");
        assert!(!empty.contains('\u{2718}'), "{shell}: {empty}");
        assert!(tmux.run("true | false | true").contains("0|1|0"), "{shell}");
        assert!(
            tmux.run("").contains("0|1|0"),
            "{shell}: an empty line keeps it"
        );
        tmux.run("kill %1");
    }
}

/// A background job that has finished is not counted, though the shell has not yet
/// reported it when the prompt is drawn.
#[test]
fn jobs_count_leaves_out_finished_jobs() {
    for shell in ["bash", "zsh", "fish"] {
        let dir = TempDir::new(&format!("jobs-{shell}")).unwrap();
        let Some(tmux) = session(shell, &dir, "--widgets jobs,char") else {
            continue;
        };
        let running = tmux.run("sleep 1 &");
        assert!(running.contains("\u{2726} 1"), "{shell}: {running}");
        // The job ends while the shell waits at the prompt.
        std::thread::sleep(Duration::from_millis(1600));
        let after = tmux.run("");
        assert!(!after.contains('\u{2726}'), "{shell}: {after}");
    }
}

/// bash lowers SHLVL for the program a command substitution runs last; the prompt shows
/// the shell's own level, as zsh does. (A non-interactive fish leaves SHLVL as it is.)
#[test]
fn shlvl_in_bash_is_the_shells_own_level_not_one_less() {
    for shell in ["bash", "zsh"] {
        if !has(shell) {
            continue;
        }
        let home = TempDir::new(&format!("shlvl-{shell}")).unwrap();
        // The shell raises SHLVL=1 to 2.
        let out = run_script(
            shell,
            &prompt_script(shell, "--color never"),
            &home,
            &[],
            &[home.to_str().unwrap()],
        );
        assert!(out.contains("\u{2195} 2"), "{shell}: {out:?}");
    }
}

#[test]
fn shlvl_is_hidden_inside_tmux_unless_in_tmux_is_set() {
    let prompt = |extra: &[&str]| {
        let o = Command::new(BIN)
            .args([
                "prompt",
                "--shell",
                "bash",
                "--color",
                "never",
                "--widgets",
                "shlvl,char",
            ])
            .args(extra)
            .env_clear()
            .env("SHLVL", "3")
            .env("TMUX", "/tmp/tmux-1000/default,4242,0")
            .output()
            .unwrap();
        stdout(&o)
    };
    assert_eq!(prompt(&[]), "\u{276f} ");
    assert_eq!(
        prompt(&["--set", "shlvl.in_tmux=true"]),
        "\u{2195} 3 \u{276f} "
    );
}

#[test]
fn plain_format_prompt_prints_no_colour() {
    for shell in ["bash", "zsh", "fish"] {
        let o = blinkline(&[
            "prompt",
            "--shell",
            shell,
            "--format",
            "plain",
            "--color",
            "always",
            "--status",
            "1",
            "--widgets",
            "status,char",
        ]);
        assert_eq!(stdout(&o), "\u{2718} 1 \u{276f} ", "{shell}");
    }
}

/// Render flags given to `init` reach every prompt the script draws, quoted for the shell.
#[test]
fn init_passes_its_render_flags_to_the_prompt() {
    for shell in ["bash", "zsh", "fish"] {
        if !has(shell) {
            continue;
        }
        let home = TempDir::new(&format!("init-flags-{shell}")).unwrap();
        let flags = r#"--color never --charset ascii --widgets status,char --set 'status.symbol=it'"'"'s $(touch PWNED) \ "q"'"#;
        let out = run_script(
            shell,
            &prompt_script(shell, flags),
            &home,
            &[],
            &[home.to_str().unwrap()],
        );
        assert_eq!(out, r#"it's $(touch PWNED) \ "q" 1 > "#, "{shell}");
        assert_eq!(markers(&home), Vec::<PathBuf>::new(), "{shell}");
    }
}

#[test]
fn init_makes_a_relative_config_path_absolute() {
    let dir = TempDir::new("init-config").unwrap();
    let o = Command::new(BIN)
        .args(["init", "bash", "--config", "conf/blinkline.toml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let script = stdout(&o);
    let want = format!("'--config' '{}/conf/blinkline.toml'", dir.display());
    assert!(script.contains(&want), "{want} not in:\n{script}");
}

/// `LOCPATH` holding the locale `name` built with `localedef` (`-i input -f charmap`), or
/// `None` (with a message) when it cannot be built here.
fn build_locale(loc: &Path, input: &str, charmap: &str) -> Option<String> {
    let name = format!("{input}.{charmap}");
    let built = has("localedef")
        && Command::new("localedef")
            .args(["-c", "-i", input, "-f", charmap])
            .arg(loc.join(&name))
            .output()
            .is_ok_and(|_| loc.join(&name).join("LC_CTYPE").exists());
    if !built {
        eprintln!("skipping {name}: localedef cannot build it here (no locale sources)");
    }
    built.then_some(name)
}

/// The CJK locales where a backslash (0x5C) can be the second byte of a character, each
/// with a character whose last UTF-8 byte is a lead byte there (`€` ends in AC, `ā` in 81).
const CJK_LOCALES: [(&str, &str, &str); 5] = [
    ("zh_CN", "GBK", "\u{20ac}"),
    ("zh_CN", "GB18030", "\u{20ac}"),
    ("zh_TW", "BIG5", "\u{20ac}"),
    ("zh_HK", "BIG5-HKSCS", "\u{20ac}"),
    ("ja_JP", "SHIFT_JIS", "\u{101}"),
];

/// Under a CJK locale bash read the byte before the backslash that quoted `$` as the lead
/// byte of a two-byte character, so the backslash was lost and `$(…)` in a name ran.
#[test]
fn bash_in_a_gbk_or_big5_locale_does_not_run_commands_in_directory_names() {
    if !has("bash") {
        eprintln!("skipping: bash is not installed");
        return;
    }
    let home = TempDir::new("cjk-dirs").unwrap();
    let loc = home.join(".locales");
    std::fs::create_dir(&loc).unwrap();
    for (input, charmap, lead) in CJK_LOCALES {
        let Some(locale) = build_locale(&loc, input, charmap) else {
            continue;
        };
        for name in [
            format!("{lead}$(touch PWNED)"),
            format!("{lead}`touch PWNED`"),
            format!("{lead}\\$(touch PWNED)"),
        ] {
            let dir = home.join(&name);
            std::fs::create_dir(&dir).unwrap();
            let env = [("LOCPATH", loc.to_str().unwrap()), ("LC_ALL", &locale)];
            let out = run_script(
                "bash",
                &prompt_script("bash", ""),
                &home,
                &env,
                &[dir.to_str().unwrap()],
            );
            assert!(
                visible(&out).contains(&format!("~/{name} ")),
                "{locale}: {name:?} shows as {out:?}"
            );
            assert_eq!(markers(&home), Vec::<PathBuf>::new(), "{locale}: {name:?}");
            std::fs::remove_dir(&dir).unwrap();
        }
    }
}

/// The same through a branch name (the remote picks the default branch of a clone).
#[test]
fn bash_in_a_gbk_or_big5_locale_does_not_run_commands_in_branch_names() {
    if !has("bash") {
        eprintln!("skipping: bash is not installed");
        return;
    }
    let home = TempDir::new("cjk-branch").unwrap();
    let loc = home.join(".locales");
    std::fs::create_dir(&loc).unwrap();
    let repo = home.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    for (input, charmap, lead) in CJK_LOCALES {
        let Some(locale) = build_locale(&loc, input, charmap) else {
            continue;
        };
        let branch = format!("{lead}$(touch PWNED){lead}`touch PWNED`");
        std::fs::write(
            repo.join(".git/HEAD"),
            format!("ref: refs/heads/{branch}\n"),
        )
        .unwrap();
        let env = [("LOCPATH", loc.to_str().unwrap()), ("LC_ALL", &locale)];
        let out = run_script(
            "bash",
            &prompt_script("bash", "--widgets cwd,git_branch"),
            &home,
            &env,
            &[repo.to_str().unwrap()],
        );
        assert!(out.contains(&branch), "{locale}: {branch:?} not in {out:?}");
        assert_eq!(markers(&home), Vec::<PathBuf>::new(), "{locale}");
    }
}

/// init.bash never set `_blinkline_start`, and the precmd evaluated it in arithmetic,
/// where bash runs command substitutions in array subscripts of a variable's value.
#[test]
fn an_inherited_blinkline_start_does_not_run_at_the_first_bash_prompt() {
    if !has("bash") {
        eprintln!("skipping: bash is not installed");
        return;
    }
    let home = TempDir::new("inherited-start").unwrap();
    for value in ["a[$(touch PWNED)]", "0", "x"] {
        let out = run_script(
            "bash",
            &prompt_script("bash", "--color never --widgets cmd_duration,char"),
            &home,
            &[("_blinkline_start", value)],
            &[home.to_str().unwrap()],
        );
        assert_eq!(out, "\u{276f} ", "{value}: no duration is made up");
        assert_eq!(markers(&home), Vec::<PathBuf>::new(), "{value}");
    }
}

/// `!` in a name is text, not the history number: bash reads `!` in PS1 in POSIX mode, zsh
/// with `prompt_bang`, which something may turn on again after the init.
#[test]
fn bang_in_names_is_text_with_bash_posix_mode_and_zsh_prompt_bang_on_again() {
    let home = TempDir::new("bang").unwrap();
    let dir = home.join("a!b!!c");
    std::fs::create_dir(&dir).unwrap();
    let scripts = [
        (
            "bash",
            r#"eval "$("$BL" init bash --color never --widgets cwd)" && cd -- "$1"; set -o posix; _blinkline_precmd; printf '%s' "${PS1@P}""#,
        ),
        (
            "zsh",
            r#"eval "$("$BL" init zsh --color never --widgets cwd)" && cd -- "$1"; setopt prompt_bang; _blinkline_precmd; print -rn -- "${(%%)PROMPT}""#,
        ),
    ];
    for (shell, script) in scripts {
        if !has(shell) {
            eprintln!("skipping the {shell} prompt test: {shell} is not installed");
            continue;
        }
        let out = run_script(shell, script, &home, &[], &[dir.to_str().unwrap()]);
        assert_eq!(out, "a!b!!c ", "{shell}");
    }
}

/// With `promptvars` off bash shows `PS1` as it is: the prompt text itself, not the
/// reference, and nothing in a name is decoded or run.
#[test]
fn bash_without_promptvars_shows_names_as_text() {
    if !has("bash") {
        eprintln!("skipping: bash is not installed");
        return;
    }
    let home = TempDir::new("no-promptvars").unwrap();
    for name in ["$(touch PWNED)", "a\\w!b\\$x"] {
        let dir = home.join(name);
        std::fs::create_dir(&dir).unwrap();
        for posix in ["", "set -o posix;"] {
            let script = format!(
                r#"eval "$("$BL" init bash --color never --widgets cwd)" && cd -- "$1"; shopt -u promptvars; {posix} _blinkline_precmd; printf '%s' "${{PS1@P}}""#
            );
            let out = run_script("bash", &script, &home, &[], &[dir.to_str().unwrap()]);
            assert_eq!(out, format!("{name} "), "{posix}");
        }
        assert_eq!(markers(&home), Vec::<PathBuf>::new());
    }
}

/// A working directory whose name is not UTF-8 hid the `cwd` widget; it shows lossily.
#[test]
fn a_directory_name_that_is_not_utf8_shows_lossily_in_the_prompt() {
    use std::os::unix::ffi::OsStrExt;
    let home = TempDir::new("not-utf8").unwrap();
    let dir = home.join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir(&dir).unwrap();
    let o = Command::new(BIN)
        .args([
            "prompt",
            "--shell",
            "bash",
            "--color",
            "never",
            "--widgets",
            "cwd",
        ])
        .current_dir(&dir)
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "caf\u{FFFD} ");
}
