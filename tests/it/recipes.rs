//! The README's tmux, i3bar/swaybar, waybar and polybar recipes, end to end: a render of a
//! Claude Code payload records the session, then the recipe's command, run without a
//! payload, shows the session's model, context and cost; `watch` follows a changed
//! record; a real tmux server runs blinkline from `status-right`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::support::{Sandbox, spawn_with_input};

fn payload(dir: &Path, model: &str, percent: u32, cost: f64) -> String {
    serde_json::json!({
        "session_id": "0b8c-session",
        "workspace": {"current_dir": dir},
        "model": {"id": "claude-x", "display_name": model},
        "context_window": {"used_percentage": percent, "context_window_size": 200000},
        "cost": {"total_cost_usd": cost},
    })
    .to_string()
}

/// Renders `payload` as Claude Code does: on stdin, no flags.
fn claude_render(sandbox: &Sandbox, payload: &str) {
    let out = spawn_with_input(sandbox.command(&[]), payload)
        .wait_with_output()
        .unwrap();
    assert!(out.status.success());
    assert!(!out.stdout.is_empty());
}

fn project(sandbox: &Sandbox) -> PathBuf {
    let dir = sandbox.path("proj/src");
    std::fs::create_dir_all(&dir).unwrap();
    sandbox.path("proj")
}

/// Runs a recipe's command with no stdin in `dir`; returns its stdout.
fn recipe(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> String {
    let out = sandbox
        .command(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn assert_claude_data(output: &str, model: &str, percent: &str, cost: &str) {
    for part in [model, percent, cost] {
        assert!(output.contains(part), "{part} missing in {output}");
    }
}

#[test]
fn tmux_status_right_shows_the_session_of_the_pane_directory() {
    let sandbox = Sandbox::new("recipe-tmux");
    let proj = project(&sandbox);
    claude_render(&sandbox, &payload(&proj, "Opus 4.6", 42, 1.5));
    let line = recipe(
        &sandbox,
        &proj.join("src"),
        &["--format", "tmux", "--session", "cwd"],
    );
    assert_claude_data(&line, "#[fg=#c69cf2]Opus 4.6", "42% ", "$1.50");
    assert!(!line.contains("⚠"), "{line}");
}

#[test]
fn i3bar_waybar_and_polybar_watch_show_the_latest_session() {
    let sandbox = Sandbox::new("recipe-bars");
    let proj = project(&sandbox);
    claude_render(&sandbox, &payload(&proj, "Opus 4.6", 42, 1.5));
    let i3bar = recipe(
        &sandbox,
        &proj,
        &["watch", "--format", "i3bar", "--frames", "1"],
    );
    assert!(i3bar.starts_with("{\"version\":1"), "{i3bar}");
    assert_claude_data(&i3bar, "\"full_text\":\"Opus 4.6\"", "42%", "$1.50");
    let waybar = recipe(
        &sandbox,
        &proj,
        &["watch", "--format", "waybar", "--frames", "1"],
    );
    let frame: serde_json::Value = serde_json::from_str(waybar.trim()).unwrap();
    assert_claude_data(frame["text"].as_str().unwrap(), "Opus 4.6", "42%", "$1.50");
    assert_eq!(frame["percentage"], 42);
    let polybar = recipe(
        &sandbox,
        &proj,
        &["watch", "--format", "polybar", "--frames", "1"],
    );
    assert_claude_data(&polybar, "Opus 4.6", "42%", "$1.50");
}

/// A watch started in `dir` with its frames sent, line by line, to the receiver.
fn start_watch(
    sandbox: &Sandbox,
    dir: &Path,
    args: &[&str],
    poll: bool,
) -> (Child, Receiver<String>) {
    let mut cmd = sandbox.command(&[&["watch"][..], args].concat());
    if poll {
        cmd.env("BLINKLINE_SESSION_POLL", "1");
    }
    let mut child = cmd
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, receive) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if send.send(line).is_err() {
                return;
            }
        }
    });
    (child, receive)
}

/// The next frame that contains `what`, waiting at most `limit`.
fn frame_with(frames: &Receiver<String>, what: &str, limit: Duration) -> Option<String> {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        let frame = frames.recv_timeout(left).ok()?;
        if frame.contains(what) {
            return Some(frame);
        }
    }
}

fn follow_a_changed_record(poll: bool, interval: &str, bound: Duration) {
    let sandbox = Sandbox::new("recipe-watch");
    let proj = project(&sandbox);
    claude_render(&sandbox, &payload(&proj, "Opus 4.6", 42, 1.5));
    let args = ["--format", "waybar", "--interval", interval];
    let (mut child, frames) = start_watch(&sandbox, &proj, &args, poll);
    let first = frame_with(&frames, "Opus 4.6", Duration::from_secs(10));
    assert!(
        first.is_some_and(|f| f.contains("42%")),
        "the first frame shows the session"
    );
    let changed_at = Instant::now();
    claude_render(&sandbox, &payload(&proj, "Sonnet 4.5", 61, 2.25));
    let next = frame_with(&frames, "Sonnet 4.5", bound);
    let took = changed_at.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    let next = next.unwrap_or_else(|| panic!("no new frame within {bound:?}"));
    assert_claude_data(&next, "Sonnet 4.5", "61%", "$2.25");
    eprintln!("new frame after {took:?} (poll: {poll}, interval {interval})");
}

#[cfg(target_os = "linux")]
#[test]
fn watch_shows_a_changed_record_at_once_through_inotify() {
    // A 60 s interval: only the inotify notification can bring the frame in time.
    follow_a_changed_record(false, "60s", Duration::from_secs(5));
}

#[test]
fn watch_shows_a_changed_record_at_the_next_tick_when_polling() {
    follow_a_changed_record(true, "200ms", Duration::from_secs(5));
}

#[cfg(target_os = "linux")]
#[test]
fn polling_waits_for_the_tick_so_the_inotify_test_measures_inotify() {
    let sandbox = Sandbox::new("recipe-poll-tick");
    let proj = project(&sandbox);
    claude_render(&sandbox, &payload(&proj, "Opus 4.6", 42, 1.5));
    let args = ["--format", "waybar", "--interval", "60s"];
    let (mut child, frames) = start_watch(&sandbox, &proj, &args, true);
    assert!(frame_with(&frames, "Opus 4.6", Duration::from_secs(10)).is_some());
    claude_render(&sandbox, &payload(&proj, "Sonnet 4.5", 61, 2.25));
    let early = frame_with(&frames, "Sonnet 4.5", Duration::from_millis(1500));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(early, None, "a polling watch renders only at its tick");
}

fn has_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A tmux server on its own socket, with the sandbox's environment.
struct TmuxServer {
    socket: String,
}

impl TmuxServer {
    fn start(sandbox: &Sandbox, tag: &str, command: &[&str]) -> TmuxServer {
        let socket = format!("blinkline-recipe-{}-{tag}", std::process::id());
        let server = TmuxServer { socket };
        let status = server
            .command(sandbox)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "160",
                "-y",
                "8",
            ])
            .args(command)
            .status()
            .expect("tmux runs");
        assert!(status.success());
        server
    }

    fn command(&self, sandbox: &Sandbox) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &self.socket])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", sandbox.path("home"))
            .env("XDG_CACHE_HOME", sandbox.cache_home())
            .env("TERM", "xterm-256color");
        cmd
    }

    fn run(&self, sandbox: &Sandbox, args: &[&str]) -> String {
        let out = self.command(sandbox).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// Polls the outer pane (the attached client draws the inner status line) until its
/// bottom line contains `what`, up to 10 s.
fn status_line_with(outer: &TmuxServer, sandbox: &Sandbox, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let screen = outer.run(sandbox, &["capture-pane", "-p", "-t", "0"]);
        let status = screen
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_owned();
        if status.contains(what) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "no {what} in the status line; screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_real_tmux_status_right_shows_the_claude_session_and_follows_it() {
    if !has_tmux() {
        eprintln!("skipping the tmux status line test: tmux is not installed");
        return;
    }
    let sandbox = Sandbox::new("recipe-real-tmux");
    let proj = project(&sandbox);
    claude_render(&sandbox, &payload(&proj, "Opus 4.6", 42, 1.5));
    // The inner server's status line runs the README's command; a client attached to it
    // inside the outer server's pane draws that status line where capture-pane sees it.
    let pane_dir = proj.join("src");
    let inner = TmuxServer::start(&sandbox, "inner", &["-c", pane_dir.to_str().unwrap()]);
    // The README's line, with the binary under test.
    let status_right = format!(
        "#(cd \"#{{pane_current_path}}\" && '{}' --format tmux --session cwd)",
        env!("CARGO_BIN_EXE_blinkline")
    );
    inner.run(&sandbox, &["set", "-g", "status-right", &status_right]);
    inner.run(&sandbox, &["set", "-g", "status-right-length", "150"]);
    inner.run(&sandbox, &["set", "-g", "status-interval", "1"]);
    let attach = format!("tmux -L {} attach", inner.socket);
    let outer = TmuxServer::start(&sandbox, "outer", &[attach.as_str()]);
    let line = status_line_with(&outer, &sandbox, "Opus 4.6");
    assert_claude_data(&line, "Opus 4.6", "42%", "$1.50");
    eprintln!("tmux status line: {line}");
    claude_render(&sandbox, &payload(&proj, "Sonnet 4.5", 61, 2.25));
    let line = status_line_with(&outer, &sandbox, "Sonnet 4.5");
    assert_claude_data(&line, "Sonnet 4.5", "61%", "$2.25");
}

#[test]
fn watch_with_session_none_renders_without_a_payload_as_before() {
    let sandbox = Sandbox::new("recipe-none");
    let proj = project(&sandbox);
    claude_render(&sandbox, &payload(&proj, "Opus 4.6", 42, 1.5));
    let args = ["watch", "--format", "plain", "--frames", "1"];
    assert!(recipe(&sandbox, &proj, &args).contains("Opus 4.6"));
    let none = recipe(
        &sandbox,
        &proj,
        &[&args[..], &["--session", "none"]].concat(),
    );
    assert_eq!(none, "proj\n");
}
