//! `blinkline watch` as tmux, bars and scripts meet it: the piped formats, a reader that
//! stops reading or goes away, every signal, and a terminal (tmux) that gets resized.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use blinkline::testing::tempdir::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_blinkline");

fn watch(args: &[&str]) -> Child {
    Command::new(BIN)
        .arg("watch")
        .args(args)
        .env_clear()
        .env("HOME", "/home/user")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs")
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name}");
}

/// Waits for the child to exit, failing the test after `limit` (a hang is the bug).
fn exit_within(mut child: Child, limit: Duration) -> ExitStatus {
    let (tx, rx) = mpsc::channel();
    let pid = child.id();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(limit) {
        Ok(status) => status.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("watch did not exit within {limit:?}");
        }
    }
}

/// `text` in `{name}.json` of a temporary directory (removed on drop); the file's path.
fn payload_file(name: &str, text: &str) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new("watch").unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Sends SIGUSR1 and reads the metrics line it prints: (frames, dropped).
fn metrics(child: &Child, stderr: &mut BufReader<ChildStderr>) -> (u64, u64) {
    signal(child, "USR1");
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let number_before = |word: &str| -> u64 {
        let head = &line[..line
            .find(word)
            .unwrap_or_else(|| panic!("{word} in {line:?}"))];
        head.trim_end().rsplit(' ').next().unwrap().parse().unwrap()
    };
    (number_before(" frames"), number_before(" dropped"))
}

#[test]
fn in_a_pipe_each_changed_frame_is_one_line_and_repeats_are_skipped() {
    let (_dir, path) = payload_file("repeat", r#"{"model":{"display_name":"Opus 4.6"}}"#);
    let child = watch(&[
        "--input",
        path.to_str().unwrap(),
        "--widgets",
        "model",
        "--interval",
        "0",
        "--frames",
        "200",
    ]);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Opus 4.6\n",
        "plain on a pipe, written once"
    );
}

#[test]
#[cfg_attr(not(unix), ignore = "stops watch with kill -TERM")]
fn a_changed_input_file_is_rendered() {
    let (_dir, path) = payload_file("change", r#"{"model":{"display_name":"Opus"}}"#);
    let mut child = watch(&[
        "--input",
        path.to_str().unwrap(),
        "--widgets",
        "model",
        "--interval",
        "5ms",
    ]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "Opus");
    std::fs::write(&path, r#"{"model":{"display_name":"Sonnet, longer"}}"#).unwrap();
    assert_eq!(lines.next().unwrap().unwrap(), "Sonnet, longer");
    signal(&child, "TERM");
    assert!(exit_within(child, Duration::from_secs(5)).success());
}

#[test]
fn the_i3bar_stream_is_a_header_and_arrays_of_blocks() {
    let (_dir, path) = payload_file(
        "i3bar",
        r#"{"model":{"display_name":"Opus"},"cost":{"total_cost_usd":12.5}}"#,
    );
    let child = watch(&[
        "--format",
        "i3bar",
        "--input",
        path.to_str().unwrap(),
        "--widgets",
        "model,cost",
        "--frames",
        "3",
    ]);
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    let mut lines = out.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(
        (
            header["version"].as_i64(),
            header["stop_signal"].as_i64(),
            header["cont_signal"].as_i64()
        ),
        (Some(1), Some(12), Some(18))
    );
    assert_eq!(lines.next(), Some("["));
    let blocks: serde_json::Value =
        serde_json::from_str(lines.next().unwrap().trim_end_matches(',')).unwrap();
    assert_eq!(blocks[0]["full_text"], "Opus");
    assert_eq!(blocks[1]["name"], "cost");
    assert_eq!(lines.next(), None, "unchanged frames are not repeated");
}

#[test]
fn the_waybar_stream_is_one_json_object_per_line() {
    let child = watch(&["--format", "waybar", "--sample", "--frames", "2"]);
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["text"].as_str().unwrap().contains("Opus 4.6"));
        assert_eq!(v["percentage"], 38);
        assert!(v["tooltip"].as_str().unwrap().contains("context: 38%"));
    }
}

#[test]
fn tmux_format_doubles_a_hash_in_a_name() {
    let (_dir, path) = payload_file("hash", r#"{"workspace":{"current_dir":"/src/fix#12"}}"#);
    let child = watch(&[
        "--format",
        "tmux",
        "--input",
        path.to_str().unwrap(),
        "--widgets",
        "cwd",
        "--frames",
        "1",
    ]);
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    assert_eq!(out, "#[fg=#7aa2f7]fix##12#[default]\n");
}

#[test]
#[cfg_attr(not(unix), ignore = "stops watch with kill -TERM")]
fn a_reader_that_stops_reading_never_stalls_rendering_and_exit_stays_prompt() {
    // JSON frames carry each widget's render time, so nearly every frame differs.
    let mut child = watch(&[
        "--format",
        "json",
        "--widgets",
        "model,time",
        "--interval",
        "0",
        "--metrics",
    ]);
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    // Stop reading: the pipe fills up and the writer blocks. Rendering must go on.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (frames, dropped) = metrics(&child, &mut stderr);
        if frames > 20_000 && dropped > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "rendering stalled at {frames} frames, {dropped} dropped"
        );
    }
    signal(&child, "TERM");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(
        rest.contains("dropped as stale"),
        "final metrics on exit: {rest:?}"
    );
    assert!(exit_within(child, Duration::from_secs(5)).success());
    drop(stdout);
}

#[test]
fn a_reader_that_goes_away_ends_watch_quietly_with_status_0() {
    let mut child = watch(&["--format", "json", "--widgets", "time", "--interval", "0"]);
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = child.stderr.take().unwrap();
    let status = exit_within(child, Duration::from_secs(5));
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert!(status.success());
    assert_eq!(err, "");
}

#[test]
#[cfg_attr(
    not(unix),
    ignore = "a reader that left shows only as a failed write on Windows, and the frames stopped changing"
)]
fn head_n_1_ends_watch_when_frames_stop_changing() {
    // `blinkline watch | head -n 1`: one frame, then nothing changes, so nothing is
    // written that could fail with EPIPE. The closed reader must still be noticed.
    let mut child = watch(&["--sample", "--widgets", "model", "--interval", "100ms"]);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "Opus 4.6\n");
    drop(stdout);
    let mut stderr = child.stderr.take().unwrap();
    let status = exit_within(child, Duration::from_secs(3));
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert!(status.success());
    assert_eq!(err, "");
}

#[test]
#[cfg_attr(not(unix), ignore = "Unix signals")]
fn every_signal_is_handled_and_a_storm_of_them_is_survived() {
    let mut child = watch(&["--sample", "--interval", "20ms", "--metrics"]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("Opus 4.6"));
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    for name in ["WINCH", "USR2", "CONT", "PIPE"] {
        signal(&child, name);
    }
    let (frames_before, _) = metrics(&child, &mut stderr);
    let storm = format!(
        "for i in $(seq 300); do kill -WINCH {0}; kill -USR2 {0}; kill -CONT {0}; done",
        child.id()
    );
    assert!(
        Command::new("bash")
            .args(["-c", &storm])
            .status()
            .unwrap()
            .success()
    );
    let (frames_after, _) = metrics(&child, &mut stderr);
    assert!(
        frames_after >= frames_before,
        "still rendering after the storm"
    );
    signal(&child, "INT");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(rest.starts_with("blinkline watch: "), "{rest:?}");
    assert!(exit_within(child, Duration::from_secs(5)).success());
}

#[test]
fn stdin_is_refused_as_the_payload_with_the_fix() {
    let out = Command::new(BIN)
        .args(["watch", "--input", "-"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("pass --input FILE (it is re-read when it changes)"),
        "{err}"
    );
}

#[test]
fn in_a_terminal_the_line_is_rewritten_in_place_and_follows_resizes() {
    let has = |p: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has("tmux") {
        eprintln!("skipping the terminal test: tmux is not installed");
        return;
    }
    let socket = format!("blinkline-watch-{}", std::process::id());
    let tmux = |args: &[&str]| -> String {
        let o = Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let command =
        format!("env TERM=xterm-256color '{BIN}' watch --sample --interval 20ms; sleep 60");
    tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "10",
        &command,
    ]);
    let wait_for = |what: &str, done: &dyn Fn(&str) -> bool| -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = tmux(&["capture-pane", "-p", "-t", "0"]);
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    };
    let screen = wait_for("the first frame", &|s| s.contains("Opus 4.6"));
    assert_eq!(
        screen.lines().filter(|l| !l.trim().is_empty()).count(),
        1,
        "one line:\n{screen}"
    );
    tmux(&["resize-window", "-t", "0", "-x", "40"]);
    let screen = wait_for("a narrower frame", &|s| {
        s.lines()
            .next()
            .is_some_and(|l| !l.contains("5h") && l.contains("38%"))
    });
    let first = screen.lines().next().unwrap();
    assert!(first.trim_end().chars().count() <= 40, "{first:?}");
    assert_eq!(
        screen.lines().filter(|l| !l.trim().is_empty()).count(),
        1,
        "still one line:\n{screen}"
    );
    let _ = std::io::stdout().flush();
    tmux(&["kill-server"]);
}

/// The ids of `pid`'s threads now.
#[cfg(target_os = "linux")]
fn thread_ids(pid: u32) -> std::collections::BTreeSet<u32> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// A `command` widget used to start three threads (supervisor, stdin writer, killer) at
/// every render: a long `watch` started thousands. Now every command runs under one
/// supervisor thread, so after the first frames no new thread appears.
#[test]
#[cfg(target_os = "linux")]
fn a_command_widget_in_watch_starts_no_thread_per_frame() {
    let (_dir, path) = payload_file("threads", r#"{"session_id":"t1"}"#);
    let mut child = watch(&[
        "--input",
        path.to_str().unwrap(),
        "--format",
        "plain",
        "--interval",
        "5ms",
        "--widgets",
        "command",
        "--set",
        "command.command=sleep 0.02; echo hi",
        "--set",
        "command.wait=1ms",
        "--set",
        "command.timeout=2s",
    ]);
    let mut stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let pid = child.id();
    let sample = |for_how_long: Duration| {
        let mut seen = std::collections::BTreeSet::new();
        let until = Instant::now() + for_how_long;
        while Instant::now() < until {
            seen.extend(thread_ids(pid));
            std::thread::sleep(Duration::from_millis(2));
        }
        seen
    };
    let warm = sample(Duration::from_millis(400));
    let (frames_before, _) = metrics(&child, &mut stderr);
    let later = sample(Duration::from_millis(1500));
    let (frames_after, _) = metrics(&child, &mut stderr);
    signal(&child, "TERM");
    exit_within(child, Duration::from_secs(10));
    assert!(
        frames_after - frames_before >= 20,
        "{frames_before} → {frames_after} frames"
    );
    let new: Vec<&u32> = later.difference(&warm).collect();
    assert!(
        new.len() <= 1,
        "threads started after the first frames: {new:?} ({} frames)",
        frames_after - frames_before
    );
}
