//! `blinkline install|uninstall claude|bash|zsh|fish` against files in a temporary HOME:
//! bytes outside our entries kept, idempotence, backups, refusals, the confirmation asked
//! on a real terminal (a pty), and real shells loading the rc line they were given.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use blinkline::testing::tempdir::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_blinkline");

/// A temporary HOME; the binary runs in it with a cleared environment.
struct Home {
    dir: TempDir,
}

impl Home {
    fn new(tag: &str) -> Home {
        let dir = TempDir::new(&format!("install-{tag}")).unwrap();
        std::fs::create_dir_all(dir.join("home/.claude")).unwrap();
        std::fs::create_dir_all(dir.join("work")).unwrap();
        Home { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    fn settings(&self) -> PathBuf {
        self.home().join(".claude/settings.json")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .env("XDG_CACHE_HOME", self.dir.join("cache"))
            .current_dir(self.dir.join("work"))
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("binary runs")
    }

    /// The backups beside `path`, oldest first.
    fn backups(&self, path: &Path) -> Vec<PathBuf> {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut found: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{name}.blinkline-backup-"))
            })
            .collect();
        found.sort();
        found
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Oddly formatted settings: 2- and 4-space and tab indents, keys after `statusLine`,
/// non-ASCII text and escapes, another tool's entry.
const ODD: &str = "{\n  \"model\": \"opus\",\n    \"env\": {\n\t\"GREETING\": \"gr\u{fc}\u{df} \u{1f600} \\u00e9\"\n    },\n  \"statusLine\": {\"type\": \"command\", \"command\": \"npx -y ccstatusline\"},\n\t\"permissions\":{\"allow\":[\"Bash(git log:*)\"],\"deny\":[]},\n  \"z\" : [1,2 , 3]\n}\n";

/// `ODD` with blinkline's entries, as `install claude` should write them.
fn odd_installed(exe: &str) -> String {
    ODD.replace(
        "{\"type\": \"command\", \"command\": \"npx -y ccstatusline\"}",
        &format!(
            "{{\n    \"type\": \"command\",\n    \"command\": \"{exe}\",\n    \"padding\": 0\n  }}"
        ),
    )
    .replace(
        "  \"z\" : [1,2 , 3]\n}",
        &format!(
            "  \"z\" : [1,2 , 3],\n  \"subagentStatusLine\": {{\n    \"type\": \"command\",\n    \"command\": \"{exe} subagents\"\n  }}\n}}"
        ),
    )
}

#[test]
fn install_claude_changes_only_our_members_byte_for_byte() {
    let home = Home::new("odd");
    std::fs::write(home.settings(), ODD).unwrap();
    let o = home.run(&["install", "claude", "--yes"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(home.settings()).unwrap();
    assert_eq!(written, odd_installed(BIN));
    let out = text(&o.stdout);
    assert!(
        out.contains("-  \"statusLine\": {\"type\": \"command\", \"command\": \"npx -y ccstatusline\"},\n+  \"statusLine\": {\n"),
        "the diff shows the replaced entry:\n{out}"
    );
    assert!(
        out.contains("another tool (`npx -y ccstatusline`)"),
        "{out}"
    );
    // The backup is the file as it was.
    let backups = home.backups(&home.settings());
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), ODD);
    assert!(out.contains(&backups[0].display().to_string()), "{out}");
}

#[test]
fn a_second_install_says_already_installed_and_writes_nothing() {
    let home = Home::new("twice");
    std::fs::write(home.settings(), "{\"a\": 1}\n").unwrap();
    assert!(home.run(&["install", "claude", "--yes"]).status.success());
    let first = std::fs::read(home.settings()).unwrap();
    let o = home.run(&["install", "claude", "--yes"]);
    assert!(o.status.success());
    assert!(
        text(&o.stdout).contains("already installed"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(std::fs::read(home.settings()).unwrap(), first);
    assert_eq!(home.backups(&home.settings()).len(), 1, "no second backup");
}

#[test]
fn invalid_json_is_refused_with_its_position_and_left_unchanged() {
    let home = Home::new("invalid");
    let broken = "{\n  \"model\": \"opus\",\n  \"statusLine\": {\"type\": \"command\",}\n}\n";
    std::fs::write(home.settings(), broken).unwrap();
    let o = home.run(&["install", "claude", "--yes"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("is not valid JSON (line 3, column") && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(home.settings()).unwrap(), broken);
    assert!(home.backups(&home.settings()).is_empty());
}

#[test]
fn uninstall_restores_the_other_keys_and_names_the_backups() {
    let home = Home::new("uninstall");
    let before = "{\n\t\"model\": \"opus\",\n\t\"hooks\": {}\n}\n";
    std::fs::write(home.settings(), before).unwrap();
    assert!(home.run(&["install", "claude", "--yes"]).status.success());
    let o = home.run(&["uninstall", "claude", "--yes"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(home.settings()).unwrap(), before);
    let out = text(&o.stdout);
    assert!(out.contains("removed blinkline from"), "{out}");
    assert!(out.contains(".blinkline-backup-"), "{out}");
    let again = home.run(&["uninstall", "claude", "--yes"]);
    assert!(text(&again.stdout).contains("not installed"));
}

#[test]
fn uninstall_leaves_another_tools_status_line_alone() {
    let home = Home::new("foreign");
    let other = "{\"statusLine\": {\"type\": \"command\", \"command\": \"ccline\"}}";
    std::fs::write(home.settings(), other).unwrap();
    let o = home.run(&["uninstall", "claude", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("statusLine runs `ccline`, not blinkline; left unchanged"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(std::fs::read_to_string(home.settings()).unwrap(), other);
}

#[test]
fn without_a_terminal_and_without_yes_nothing_is_written() {
    let home = Home::new("noyes");
    std::fs::write(home.settings(), "{}\n").unwrap();
    let o = home.run(&["install", "claude"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("pass --yes to write it"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("+  \"statusLine\": {"),
        "the diff is still shown"
    );
    assert_eq!(std::fs::read_to_string(home.settings()).unwrap(), "{}\n");
}

#[test]
fn claude_config_dir_is_where_the_settings_go_and_is_created() {
    let home = Home::new("config-dir");
    let dir = home.dir.join("elsewhere/claude");
    let o = home
        .command(&["install", "claude", "--yes", "--no-subagents"])
        .env("CLAUDE_CONFIG_DIR", &dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(dir.join("settings.json")).unwrap();
    assert_eq!(
        written,
        format!(
            "{{\n  \"statusLine\": {{\n    \"type\": \"command\",\n    \"command\": \"{BIN}\",\n    \"padding\": 0\n  }}\n}}\n"
        )
    );
    assert!(!home.settings().exists());
}

#[test]
fn project_settings_go_in_the_repositorys_claude_directory() {
    let home = Home::new("project");
    let repo = home.dir.join("work");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("src/deep")).unwrap();
    let o = home
        .command(&[
            "install",
            "claude",
            "--project",
            "--yes",
            "--refresh-interval",
            "5",
        ])
        .current_dir(repo.join("src/deep"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(repo.join(".claude/settings.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(value["statusLine"]["refreshInterval"], 5);
    assert!(!home.settings().exists());
}

#[test]
fn settings_flag_edits_any_file_and_a_bad_refresh_interval_is_refused() {
    let home = Home::new("settings-flag");
    let file = home.dir.join("custom.json");
    let o = home
        .command(&["install", "claude", "--yes", "--settings"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("\"statusLine\"")
    );
    let o = home.run(&["install", "claude", "--refresh-interval", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("--refresh-interval"),
        "{}",
        text(&o.stderr)
    );
}

/// Python's own path (a pyenv shim needs the caller's environment, which the tests clear).
fn python() -> Option<PathBuf> {
    let o = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| PathBuf::from(text(&o.stdout).trim()))
}

/// Runs `cmd`'s program on a pseudo-terminal: when `expect` appears in its output, types
/// `answer` and Enter. Returns the exit code and everything it printed.
const PTY_DRIVER: &str = r#"
import os, pty, select, sys, time
expect, answer, argv = sys.argv[1].encode(), sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out, sent, deadline = b"", False, time.time() + 30
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
        if not sent and expect in out:
            os.write(fd, (answer + "\r").encode())
            sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
"#;

fn on_pty(
    home: &Home,
    expect: &str,
    answer: &str,
    argv: &[&str],
    env: &[(&str, &Path)],
) -> Option<(i32, String)> {
    let Some(python) = python() else {
        eprintln!("skipping: python3 is not installed");
        return None;
    };
    let mut cmd = Command::new(python);
    cmd.arg("-c")
        .arg(PTY_DRIVER)
        .args([expect, answer])
        .args(argv)
        .env_clear()
        .env("HOME", home.home())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("XDG_CACHE_HOME", home.dir.join("cache"))
        .current_dir(home.dir.join("work"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    Some((o.status.code().unwrap_or(-1), text(&o.stdout)))
}

#[test]
fn answering_no_on_the_terminal_changes_nothing_and_yes_writes() {
    let home = Home::new("pty");
    std::fs::write(home.settings(), ODD).unwrap();
    let Some((code, out)) = on_pty(&home, "[y/N]", "n", &[BIN, "install", "claude"], &[]) else {
        return;
    };
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("was not changed"), "{out}");
    assert!(
        out.contains("--refresh-interval 10") && out.contains("(without refreshInterval)? [y/N]"),
        "the question mentions the refresh interval the line's clocks want: {out}"
    );
    assert!(
        out.contains("\x1b[32m+  \"statusLine\": {"),
        "coloured on a terminal: {out:?}"
    );
    assert_eq!(std::fs::read_to_string(home.settings()).unwrap(), ODD);
    assert!(home.backups(&home.settings()).is_empty());

    let (code, out) = on_pty(&home, "[y/N]", "y", &[BIN, "install", "claude"], &[]).unwrap();
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(home.settings()).unwrap(),
        odd_installed(BIN)
    );
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Installs the prompt for `shell` into its rc file, starts that shell interactively on
/// a terminal with the rc file, and checks the blinkline prompt (`❯`, nord's colours) is
/// what it shows; then uninstalls and checks the rc file is as it was.
fn shell_round_trip(shell: &str, rc: &str, argv: &[&str], env: &[(&str, &str)]) {
    if !has(shell) {
        eprintln!("skipping the {shell} install test: {shell} is not installed");
        return;
    }
    let home = Home::new(shell);
    let rc_path = home.home().join(rc);
    std::fs::create_dir_all(rc_path.parent().unwrap()).unwrap();
    let before = "# my settings\nexport KEEP=1\n";
    std::fs::write(&rc_path, before).unwrap();
    let env_paths: Vec<(&str, PathBuf)> =
        env.iter().map(|(k, v)| (*k, home.home().join(v))).collect();
    let install = |args: &[&str]| {
        let mut cmd = home.command(args);
        for (k, v) in &env_paths {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let o = install(&["install", shell, "--yes", "--theme", "nord"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(&rc_path).unwrap();
    assert!(written.starts_with(before), "{written}");
    assert!(
        written.contains(&format!("{BIN} init {shell} --theme nord")),
        "{written}"
    );
    let again = install(&["install", shell, "--yes", "--theme", "nord"]);
    assert!(text(&again.stdout).contains("already installed"));
    assert_eq!(std::fs::read_to_string(&rc_path).unwrap(), written);

    let env_refs: Vec<(&str, &Path)> = env_paths.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let Some((_, screen)) = on_pty(&home, "\u{276f}", "exit", argv, &env_refs) else {
        return;
    };
    assert!(
        screen.contains('\u{276f}'),
        "{shell} did not show the blinkline prompt:\n{screen}"
    );

    let o = install(&["uninstall", shell, "--yes"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&rc_path).unwrap(), before);
}

#[test]
fn install_bash_loads_the_prompt_in_a_real_bash_and_uninstall_removes_it() {
    shell_round_trip("bash", ".bashrc", &["/bin/bash", "-i"], &[]);
}

#[test]
fn install_zsh_follows_zdotdir_and_loads_the_prompt_in_a_real_zsh() {
    let zsh = Command::new("sh")
        .args(["-c", "command -v zsh"])
        .output()
        .map(|o| text(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let zsh = if zsh.is_empty() {
        "/bin/zsh".to_owned()
    } else {
        zsh
    };
    shell_round_trip("zsh", "zdot/.zshrc", &[&zsh, "-i"], &[("ZDOTDIR", "zdot")]);
}

#[test]
fn install_fish_writes_config_fish_and_loads_the_prompt_in_a_real_fish() {
    let fish = Command::new("sh")
        .args(["-c", "command -v fish"])
        .output()
        .map(|o| text(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let fish = if fish.is_empty() {
        "/usr/bin/fish".to_owned()
    } else {
        fish
    };
    shell_round_trip(
        "fish",
        "xdg/fish/config.fish",
        &[&fish, "-i"],
        &[("XDG_CONFIG_HOME", "xdg")],
    );
}

#[test]
fn shell_only_and_claude_only_flags_are_refused_where_they_do_not_apply() {
    let home = Home::new("flags");
    let o = home.run(&["install", "claude", "--yes", "--theme", "nord"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("does not take render flags"),
        "{}",
        text(&o.stderr)
    );
    let o = home.run(&["install", "bash", "--yes", "--project"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--project applies to `install claude` only"));
}

#[cfg(unix)]
#[test]
fn a_linked_settings_file_is_edited_where_it_points_and_stays_a_link() {
    let home = Home::new("link");
    let dotfiles = home.dir.join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    std::fs::write(dotfiles.join("settings.json"), "{\"a\": 1}\n").unwrap();
    std::os::unix::fs::symlink(dotfiles.join("settings.json"), home.settings()).unwrap();
    let o = home.run(&["install", "claude", "--yes"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let meta = std::fs::symlink_metadata(home.settings()).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let written = std::fs::read_to_string(dotfiles.join("settings.json")).unwrap();
    assert!(written.contains("\"statusLine\""), "{written}");
    assert_eq!(home.backups(&dotfiles.join("settings.json")).len(), 1);
}
