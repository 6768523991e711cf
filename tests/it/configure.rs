//! `blinkline configure` driven like a person would: in a real terminal (a tmux pane of
//! 80×24), keys sent with `send-keys`, the screen read with `capture-pane`, then the file it
//! wrote checked. Skipped (with a message) where tmux is not installed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{Sandbox, spawn_with_input};

const CONFIG: &str = "\
# my status line
theme = \"nord\" # the blue one

# the only line
[[line]]
left = [\"model\", \"cost\"]

[widget.cost]
# dollars
warn = \"$2\"
";

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "cfg"];
        args.extend(keys);
        self.run(&args);
    }

    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "cfg", "-l", text]);
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "cfg"])
    }

    /// Waits until the screen shows `what`; returns the screen.
    fn wait_for(&self, what: &str) -> String {
        self.wait_until(|screen| screen.contains(what))
    }

    /// Waits until `ready` holds for the screen; returns the screen.
    fn wait_until(&self, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the screen never got there:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn quoted(path: &Path) -> String {
    let text = path.to_str().unwrap();
    assert!(!text.contains('\''));
    format!("'{text}'")
}

#[test]
fn configure_in_a_terminal_adds_a_widget_sets_a_colour_and_saves_keeping_comments() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let sandbox = Sandbox::new("configure-tmux");
    let config = sandbox.path("home/.config/blinkline/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, CONFIG).unwrap();
    // A Claude Code render records the session the preview then shows.
    let payload = serde_json::json!({
        "session_id": "c0ffee-session",
        "model": {"id": "claude-x", "display_name": "Recorded Model"},
        "cost": {"total_cost_usd": 4.25},
    })
    .to_string();
    let out = spawn_with_input(sandbox.command(&[]), &payload)
        .wait_with_output()
        .unwrap();
    assert!(out.status.success());

    let tmux = Tmux {
        socket: format!("blinkline-configure-{}", std::process::id()),
    };
    let script = format!(
        "env -i HOME={home} XDG_CACHE_HOME={cache} PATH=/usr/bin:/bin TERM=xterm-256color {bin} configure; echo EXITED $?; sleep 60",
        home = quoted(&sandbox.path("home")),
        cache = quoted(&sandbox.cache_home()),
        bin = quoted(Path::new(env!("CARGO_BIN_EXE_blinkline"))),
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "cfg",
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &script,
    ]);

    let screen = tmux.wait_for("Recorded Model");
    assert!(screen.contains("session c0ffee-s"), "{screen}");
    assert!(screen.contains("$4.25"), "{screen}");
    assert!(screen.contains("L cost"), "{screen}");

    tmux.keys(&["j", "j", "a"]);
    tmux.wait_for("add widget");
    tmux.text("durat");
    tmux.keys(&["Enter"]);
    tmux.wait_for("added duration");
    let screen = tmux.wait_for("L duration");
    assert!(screen.contains("[modified]"), "{screen}");

    tmux.keys(&["e"]);
    tmux.wait_for("KEY = VALUE");
    tmux.text("fg = notacolour");
    tmux.keys(&["Enter"]);
    tmux.wait_for("must be a colour");
    tmux.keys(&["Escape"]);
    tmux.wait_until(|screen| !screen.contains("KEY = VALUE"));
    tmux.keys(&["e"]);
    tmux.text("fg = red");
    tmux.keys(&["Enter"]);
    tmux.wait_for("fg = \"red\"");

    tmux.keys(&["t"]);
    tmux.text("gruv");
    tmux.keys(&["Enter"]);
    tmux.wait_for("theme gruvbox");

    tmux.keys(&["?"]);
    tmux.wait_for("any key closes this help");
    tmux.keys(&["Space"]);

    tmux.keys(&["q"]);
    tmux.wait_for("There are unsaved changes");
    tmux.keys(&["y"]);
    tmux.wait_for("EXITED 0");

    let written = std::fs::read_to_string(&config).unwrap();
    for kept in [
        "# my status line",
        "# the blue one",
        "# the only line",
        "# dollars",
        "warn = \"$2\"",
    ] {
        assert!(written.contains(kept), "`{kept}` lost:\n{written}");
    }
    assert!(written.contains("theme = \"gruvbox\""), "{written}");
    assert!(
        written.contains("left = [\"model\", \"cost\", \"duration\"]"),
        "{written}"
    );
    assert!(
        written.contains("[widget.duration]\nfg = \"red\""),
        "{written}"
    );
    assert!(!written.contains("notacolour"), "{written}");
    let check = sandbox.command(&["config", "check"]).output().unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn configure_without_a_terminal_says_it_needs_one() {
    let sandbox = Sandbox::new("configure-no-tty");
    let out = sandbox
        .command(&["configure", "--sample"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("configure needs a terminal"), "{stderr}");
}
