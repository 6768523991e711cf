//! Hostile and broken input: each case asserts what the user sees. The line is never blank,
//! the exit is 0 (2 under --strict), stderr says what was wrong, and no escape sequence from
//! the input reaches the output.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use blinkline::testing::tempdir::TempDir;

fn run_with(
    args: &[&str],
    stdin: &[u8],
    envs: &[(&str, &str)],
    remove_home: bool,
) -> (Output, Duration) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blinkline"));
    cmd.args(args)
        .env_clear()
        .env("TERM", "xterm-256color")
        .env("BLINKLINE_TTY_WIDTH", "0");
    if !remove_home {
        cmd.env("HOME", "/home/user");
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    (out, started.elapsed())
}

fn plain(stdin: &[u8]) -> (String, String, Option<i32>) {
    let (o, _) = run_with(
        &[
            "--format",
            "plain",
            "--widgets",
            "model,context,cost,rate_limits,cwd",
        ],
        stdin,
        &[],
        false,
    );
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
        o.status.code(),
    )
}

#[test]
fn whitespace_only_stdin_prints_a_marked_line() {
    let (out, err, code) = plain(b" \n\t ");
    assert_eq!(code, Some(0));
    assert!(out.starts_with("\u{26a0} input"), "{out:?}");
    assert_eq!(
        err,
        "blinkline: stdin was empty; expected Claude Code's status JSON\n"
    );
}

#[test]
fn a_hundred_megabytes_of_stdin_is_refused_fast() {
    let big = vec![b'{'; 100 << 20];
    let (o, took) = run_with(&["--format", "plain"], &big, &[], false);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "blinkline: stdin is larger than 1024 KiB; the payload was ignored\n"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let mut deep = b"{\"model\":".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 200_000));
    let (out, err, code) = plain(&deep);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("\u{26a0} input"));
    assert!(
        err.starts_with("blinkline: stdin is not valid JSON (line 1, column "),
        "{err}"
    );
    assert!(err.ends_with("EOF while parsing a list\n"), "{err}");
}

#[test]
fn numbers_as_strings_are_read() {
    let (out, err, _) =
        plain(br#"{"cost":{"total_cost_usd":"1.5"},"context_window":{"used_percentage":"42"}}"#);
    assert_eq!(err, "");
    assert!(out.contains("42%") && out.contains("$1.50"), "{out}");
}

#[test]
fn nan_huge_and_negative_numbers_are_tamed() {
    let (out, err, code) = plain(
        br#"{"cost":{"total_cost_usd":-5},"context_window":{"used_percentage":1e308},"rate_limits":{"five_hour":{"used_percentage":"NaN","resets_at":-1}}}"#,
    );
    assert_eq!(code, Some(0));
    assert_eq!(err, "");
    assert!(out.contains("100%"), "clamped percentage: {out}");
    assert!(out.contains("$0.00"), "negative cost shown as zero: {out}");
    assert!(!out.contains("NaN") && !out.contains("inf"), "{out}");
}

#[test]
fn resets_at_in_the_past_or_as_a_string_shows_no_countdown() {
    let (out, _, _) = plain(br#"{"rate_limits":{"five_hour":{"used_percentage":20,"resets_at":1000},"seven_day":{"used_percentage":30,"resets_at":"2026-01-01T00:00:00Z"}}}"#);
    assert!(out.contains("5h reset · 7d 30%"), "{out}");
}

#[test]
fn duplicate_keys_keep_the_last_and_a_plain_model_string_works() {
    let (out, err, _) =
        plain(br#"{"model":"first","model":"claude-sonnet-4","cwd":"/a","cwd":"/b"}"#);
    assert_eq!(err, "");
    assert_eq!(out, "claude-sonnet-4 │ b\n");
}

#[test]
fn every_field_null_renders_what_it_can() {
    let nulls = br#"{"cwd":null,"session_id":null,"model":null,"workspace":null,"cost":null,"context_window":null,"rate_limits":null,"exceeds_200k_tokens":null,"version":null}"#;
    let (o, _) = run_with(&["--format", "json"], nulls, &[], false);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for seg in v.as_array().unwrap() {
        let state = seg["state"].as_str().unwrap();
        if seg["widget"] == "cwd" {
            assert_eq!(state, "ok", "cwd falls back to the process directory");
        } else if seg["widget"].as_str().unwrap().starts_with("git_") {
            // They follow the process directory too: shown in a repository, else hidden.
            assert!(["ok", "hidden"].contains(&state), "{seg}");
        } else {
            assert_eq!(state, "hidden", "{seg}");
        }
    }
}

#[test]
fn home_unset_still_renders() {
    let (o, _) = run_with(
        &["--format", "plain", "--widgets", "model,cwd"],
        br#"{"model":"m","cwd":"/home/user/x"}"#,
        &[],
        true,
    );
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "m │ x\n");
}

#[test]
#[cfg_attr(
    not(unix),
    ignore = "Windows cannot remove a process's working directory"
)]
fn a_deleted_working_directory_is_survived() {
    let root = TempDir::new("gone").unwrap();
    let dir = root.join("cwd");
    std::fs::create_dir(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .args(["--format", "plain", "--widgets", "model,cwd"])
        .env_clear()
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::fs::remove_dir(&dir).unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"model":"m"}"#)
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("m"), "{out:?}");
}

#[test]
fn injection_through_every_text_field_is_neutralised() {
    let evil = r#"\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u001b]8;;http://x\u001b\\\u009b31m\u202e"#;
    let payload = format!(
        r#"{{"model":{{"display_name":"M{evil}"}},"workspace":{{"current_dir":"/tmp/d{evil}"}}}}"#
    );
    let (o, _) = run_with(
        &["--widgets", "model,cwd"],
        payload.as_bytes(),
        &[("COLORTERM", "truecolor")],
        false,
    );
    let out = String::from_utf8(o.stdout).unwrap();
    // Our own SGR colour sequences remain; nothing else that starts with ESC may.
    let mut rest = out.as_str();
    while let Some(i) = rest.find('\x1b') {
        let seq = &rest[i..];
        let end = seq.find('m').expect("only SGR sequences");
        assert!(
            seq[..=end].starts_with("\x1b[")
                && seq[2..end].bytes().all(|b| b.is_ascii_digit() || b == b';'),
            "foreign sequence {:?}",
            &seq[..=end]
        );
        rest = &seq[end + 1..];
    }
    assert!(!out.contains('\u{9b}') && !out.contains('\u{202e}') && !out.contains('\x07'));
    // The path's last component (after the "/" inside the OSC 8 URL) is "x" plus escapes.
    assert!(out.contains("mM\x1b") && out.contains("mx\x1b"), "{out:?}");
}

#[test]
fn strict_mode_fails_every_broken_input() {
    for input in [&b""[..], b"{", b"[]", b"\xff\xfe"] {
        let (o, _) = run_with(&["--strict", "--format", "plain"], input, &[], false);
        assert_eq!(o.status.code(), Some(2), "input {input:?}");
        assert!(!o.stderr.is_empty());
    }
}

#[test]
fn a_closed_stdout_exits_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .arg("--sample")
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
