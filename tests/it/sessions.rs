//! Session records: a render of a Claude Code payload records it per session; a render
//! with no payload on stdin shows a recorded session (`--session`).

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, SystemTime};

use crate::support::{Sandbox, spawn_with_input};

fn payload(id: &str, dir: &Path, model: &str, percent: u32, cost: f64) -> String {
    serde_json::json!({
        "session_id": id,
        "cwd": dir,
        "workspace": {"current_dir": dir},
        "model": {"id": "claude-x", "display_name": model},
        "context_window": {"used_percentage": percent, "context_window_size": 200000},
        "cost": {"total_cost_usd": cost},
    })
    .to_string()
}

/// Renders `payload` as Claude Code does (on stdin, plain format) and returns the line.
fn render_payload(sandbox: &Sandbox, payload: &str, args: &[&str]) -> String {
    let mut cmd = sandbox.command(&["--format", "plain"]);
    cmd.args(args);
    let out = spawn_with_input(cmd, payload).wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs the binary with stdin at /dev/null in `dir`.
fn render_without_stdin(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    sandbox
        .command(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn records(sandbox: &Sandbox) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(sandbox.cache_dir().join("sessions")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn set_age(path: &Path, age: Duration) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - age)
        .unwrap();
}

#[test]
fn a_render_records_its_payload_once_per_change() {
    let sandbox = Sandbox::new("sessions-record");
    let dir = sandbox.path("proj");
    std::fs::create_dir_all(&dir).unwrap();
    let first = payload("sess-1", &dir, "Opus 4.6", 42, 1.5);
    render_payload(&sandbox, &first, &[]);
    assert_eq!(records(&sandbox), ["sess-1"]);
    let record = sandbox.cache_dir().join("sessions/sess-1");
    let bytes = std::fs::read(&record).unwrap();
    assert!(
        bytes.ends_with(first.as_bytes()),
        "the record holds the payload"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&record), 0o600);
        assert_eq!(mode(&sandbox.cache_dir().join("sessions")), 0o700);
    }
    // The same payload again is not written: the record keeps its (back-dated) time.
    set_age(&record, Duration::from_secs(600));
    let before = std::fs::metadata(&record).unwrap().modified().unwrap();
    render_payload(&sandbox, &first, &[]);
    assert_eq!(
        std::fs::metadata(&record).unwrap().modified().unwrap(),
        before
    );
    // A changed payload is.
    render_payload(&sandbox, &payload("sess-1", &dir, "Opus 4.6", 43, 1.6), &[]);
    assert!(std::fs::metadata(&record).unwrap().modified().unwrap() > before);
}

#[test]
fn payloads_without_a_usable_session_id_are_not_recorded() {
    let sandbox = Sandbox::new("sessions-ids");
    let dir = sandbox.path("proj");
    for id in ["../../escape", "a/b", "..", ".hidden", "", "x y"] {
        render_payload(&sandbox, &payload(id, &dir, "M", 1, 0.0), &[]);
    }
    render_payload(&sandbox, r#"{"model":{"display_name":"no id"}}"#, &[]);
    render_payload(&sandbox, "{not json", &[]);
    assert!(records(&sandbox).is_empty(), "{:?}", records(&sandbox));
    assert!(!sandbox.path("escape").exists() && !sandbox.cache_dir().join("escape").exists());
}

#[test]
fn a_render_without_stdin_shows_the_latest_session_and_none_keeps_the_old_line() {
    let sandbox = Sandbox::new("sessions-latest");
    let dir = sandbox.path("proj");
    std::fs::create_dir_all(&dir).unwrap();
    render_payload(
        &sandbox,
        &payload("older", &dir, "Sonnet 4.5", 10, 0.25),
        &[],
    );
    set_age(
        &sandbox.cache_dir().join("sessions/older"),
        Duration::from_secs(60),
    );
    render_payload(&sandbox, &payload("newer", &dir, "Opus 4.6", 42, 1.5), &[]);
    let out = render_without_stdin(&sandbox, &dir, &["--format", "plain"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "proj │ Opus 4.6 │ 42% ▰▰▰▰▱▱▱▱▱▱ 200k │ $1.50\n"
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let explain = render_without_stdin(&sandbox, &dir, &["explain"]);
    assert!(
        String::from_utf8_lossy(&explain.stdout)
            .contains("input from the record of session newer, updated "),
        "{}",
        String::from_utf8_lossy(&explain.stdout)
    );
    let by_id = render_without_stdin(&sandbox, &dir, &["--format", "plain", "--session", "older"]);
    assert!(String::from_utf8_lossy(&by_id.stdout).contains("Sonnet 4.5"));
    let none = render_without_stdin(&sandbox, &dir, &["--format", "plain", "--session", "none"]);
    assert_eq!(String::from_utf8_lossy(&none.stdout), "⚠ input │ proj\n");
    assert_eq!(
        String::from_utf8_lossy(&none.stderr),
        "blinkline: stdin was empty; expected Claude Code's status JSON\n"
    );
}

#[test]
fn session_cwd_picks_the_latest_session_at_or_above_the_directory() {
    let sandbox = Sandbox::new("sessions-cwd");
    let (a, b) = (sandbox.path("a"), sandbox.path("b"));
    std::fs::create_dir_all(a.join("deep/er")).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    render_payload(&sandbox, &payload("in-a", &a, "Model A", 10, 0.1), &[]);
    set_age(
        &sandbox.cache_dir().join("sessions/in-a"),
        Duration::from_secs(30),
    );
    render_payload(&sandbox, &payload("in-b", &b, "Model B", 20, 0.2), &[]);
    let shown = |dir: &Path| {
        let out = render_without_stdin(
            &sandbox,
            dir,
            &[
                "--format",
                "plain",
                "--widgets",
                "model",
                "--session",
                "cwd",
            ],
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(shown(&a.join("deep/er")), "Model A\n");
    assert_eq!(shown(&b), "Model B\n");
    assert_eq!(
        shown(&sandbox.root),
        "⚠ input\n",
        "no session above the sandbox root"
    );
}

#[test]
fn a_stale_record_is_not_shown() {
    let sandbox = Sandbox::new("sessions-stale");
    let dir = sandbox.path("proj");
    std::fs::create_dir_all(&dir).unwrap();
    render_payload(&sandbox, &payload("s", &dir, "Opus 4.6", 42, 1.5), &[]);
    set_age(
        &sandbox.cache_dir().join("sessions/s"),
        Duration::from_secs(2 * 3600),
    );
    let args = ["--format", "plain", "--widgets", "model"];
    let out = render_without_stdin(&sandbox, &dir, &args);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "⚠ input\n");
    let out = render_without_stdin(
        &sandbox,
        &dir,
        &[&args[..], &["--session-max-age", "180m"]].concat(),
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Opus 4.6\n");
}

#[test]
fn a_payload_on_stdin_wins_over_every_record() {
    let sandbox = Sandbox::new("sessions-stdin");
    let dir = sandbox.path("proj");
    render_payload(&sandbox, &payload("rec", &dir, "Recorded", 10, 0.1), &[]);
    for session in ["latest", "rec", "cwd", "none"] {
        let line = render_payload(
            &sandbox,
            r#"{"model":{"display_name":"From stdin"}}"#,
            &["--widgets", "model", "--session", session],
        );
        assert_eq!(line, "From stdin\n", "--session {session}");
    }
}

#[test]
fn a_bad_session_flag_is_refused_with_the_choices_under_strict() {
    let sandbox = Sandbox::new("sessions-flag");
    let out = sandbox
        .command(&["--strict", "--session", "../x"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "`../x` is not a session; use latest, cwd, none or a session id (letters, digits, -, _ and .)"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
