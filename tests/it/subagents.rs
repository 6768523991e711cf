//! `blinkline subagents` as Claude Code runs it: a payload with `columns` and `tasks` on
//! stdin, one `{"id","content"}` JSON line per row on stdout.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use blinkline::testing::tempdir::TempDir;
use blinkline::testing::width::WidthRules;

fn subagents(args: &[&str], stdin: &[u8]) -> Output {
    let home = TempDir::new("subagents-home").expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .arg("subagents")
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

/// Each stdout line parsed as JSON: (id, content).
fn rows(output: &Output) -> Vec<(String, String)> {
    let text = String::from_utf8(output.stdout.clone()).expect("UTF-8 rows");
    text.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("row is not JSON ({e}): {line}"));
            let object = value.as_object().expect("a row is an object");
            assert_eq!(object.len(), 2, "only id and content: {line}");
            (
                object["id"].as_str().expect("string id").to_owned(),
                object["content"]
                    .as_str()
                    .expect("string content")
                    .to_owned(),
            )
        })
        .collect()
}

/// The text of a styled row: its SGR sequences removed.
fn visible(content: &str) -> String {
    let mut out = String::new();
    let mut chars = content.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            assert_eq!(chars.next(), Some('['), "only SGR sequences: {content:?}");
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    assert_eq!(c, 'm', "only SGR sequences: {content:?}");
                    break;
                }
            }
        } else {
            assert!(!c.is_control(), "a raw control char in {content:?}");
            out.push(c);
        }
    }
    out
}

fn task(i: usize) -> String {
    format!(
        r#"{{"id":"task-{i}","name":"worker {i}","type":"general-purpose","status":"{status}",
        "description":"Look through the configuration loader and list every key it reads","label":"Scan config {i}",
        "startTime":{start},"model":"claude-sonnet-4-5","effort":"high","contextWindowSize":200000,
        "tokenCount":{tokens},"tokenSamples":[100,200],"cwd":"/home/u/proj"}}"#,
        status = ["running", "completed", "failed", "pending", "killed"][i % 5],
        start = (blinkline::testing::engine::clock::unix_now() - 75) * 1000,
        tokens = 30_000 * (i + 1),
    )
}

fn payload(tasks: &[String], columns: usize) -> String {
    format!(
        r#"{{"session_id":"s","model":{{"display_name":"Opus 4.6"}},"cwd":"/home/u/proj","columns":{columns},"tasks":[{}]}}"#,
        tasks.join(",")
    )
}

#[test]
fn no_tasks_give_no_rows_and_exit_0() {
    for json in [payload(&[], 80), r#"{"columns":80}"#.to_owned()] {
        let out = subagents(&[], json.as_bytes());
        assert!(out.status.success());
        assert!(out.stdout.is_empty(), "{json}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn one_running_task_shows_status_name_model_elapsed_tokens_and_context() {
    let out = subagents(&["--color", "never"], payload(&[task(0)], 200).as_bytes());
    assert!(out.status.success());
    let rows = rows(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "task-0");
    // The task started 75 s before the payload was written; the render is a moment later.
    let (before, after) = rows[0].1.split_once(" │ 1m1").expect("elapsed 1m1Xs");
    assert_eq!(
        before,
        "▶ running │ worker 0 │ Scan config 0 │ claude-sonnet-4-5"
    );
    assert!(
        ["5s", "6s", "7s", "8s", "9s"]
            .iter()
            .any(|s| after.starts_with(s)),
        "{after}"
    );
    assert_eq!(&after[2..], " │ 30.0k tok │ 15% ▰▰▱▱▱▱▱▱▱▱");
}

#[test]
fn five_tasks_give_five_rows_in_order_each_fitted_to_every_width() {
    let tasks: Vec<String> = (0..5).map(task).collect();
    for columns in [40, 80, 200] {
        for args in [
            &["--color", "always"][..],
            &[
                "--color",
                "always",
                "--theme",
                "powerline",
                "--charset",
                "nerd-font",
            ],
            &[
                "--color",
                "always",
                "--theme",
                "capsule",
                "--charset",
                "ascii",
            ],
        ] {
            let out = subagents(args, payload(&tasks, columns).as_bytes());
            let rows = rows(&out);
            let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
            assert_eq!(ids, ["task-0", "task-1", "task-2", "task-3", "task-4"]);
            for (id, content) in &rows {
                let text = visible(content);
                let width = WidthRules::default().width(&text);
                assert!(
                    width <= columns,
                    "{args:?} {id}: {width} > {columns}: {text}"
                );
                assert!(!text.is_empty(), "{args:?} {id} at {columns} columns");
                assert!(text.contains("worker"), "the name stays: {text}");
            }
        }
    }
}

#[test]
fn a_narrow_row_keeps_status_and_name_and_drops_the_rest_first() {
    let out = subagents(&["--color", "never"], payload(&[task(0)], 40).as_bytes());
    let rows = rows(&out);
    assert_eq!(rows[0].1, "▶ │ worker 0 │ claude-sonnet-4-5 │ 15%");
    let out = subagents(
        &["--color", "never", "--width", "11"],
        payload(&[task(0)], 200).as_bytes(),
    );
    assert_eq!(rows_of(&out), ["worker 0"]);
    let out = subagents(
        &["--color", "never", "--width", "5"],
        payload(&[task(0)], 200).as_bytes(),
    );
    assert_eq!(rows_of(&out), ["work…"]);
}

fn rows_of(out: &Output) -> Vec<String> {
    rows(out).into_iter().map(|r| r.1).collect()
}

#[test]
fn a_task_with_only_an_id_gets_a_row_and_one_without_an_id_gets_none() {
    let json = r#"{"columns":80,"tasks":[{"id":"lonely"},{"name":"no id"},{"id":null},{"id":"b","status":null,"model":null,"tokenCount":"oops"}]}"#;
    let out = subagents(&["--color", "never"], json.as_bytes());
    assert!(out.status.success());
    assert_eq!(
        rows(&out),
        [
            ("lonely".to_owned(), "lonely".to_owned()),
            ("b".to_owned(), "b".to_owned())
        ]
    );
}

#[test]
fn hostile_names_are_sanitized_and_ids_survive_a_json_round_trip() {
    let id = "id \"quoted\" \\back\\slash \u{1b}[2J\n\u{202e}";
    let task = serde_json::json!({
        "id": id,
        "name": "evil\u{1b}]52;c;ZWNobyBo\u{7}name\u{1b}[31m\nnext\u{202e}line\u{0}",
        "label": "\u{1b}[2Jclear\r\nscreen",
        "status": "running\u{1b}[5m",
        "model": "son\u{1b}[1mnet",
    });
    let json = format!(r#"{{"columns":200,"tasks":[{task}]}}"#);
    for color in ["never", "always"] {
        let out = subagents(&["--color", color], json.as_bytes());
        let rows = rows(&out);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, id, "the id is echoed exactly");
        let text = visible(&rows[0].1);
        assert_eq!(
            text, "▶ running │ evilname nextline │ clear screen │ sonnet",
            "{color}"
        );
    }
}

#[test]
fn bad_json_gives_no_rows_a_message_and_exit_0_or_2_under_strict() {
    let out = subagents(&[], b"{\"tasks\": [");
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "blinkline: stdin is not valid JSON (line 1, column 11): EOF while parsing a list\n"
    );
    let out = subagents(&["--strict"], b"{\"tasks\": [");
    assert_eq!(out.status.code(), Some(2));
    let out = subagents(&["--strict"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "blinkline: stdin was empty; expected Claude Code's status JSON\n"
    );
}

#[test]
fn formats_other_than_ansi_and_plain_are_refused() {
    let out = subagents(&["--format", "tmux"], b"{}");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "blinkline: subagents writes Claude Code rows; --format must be ansi (the default) or plain\n"
    );
}

#[test]
fn rows_use_the_theme_colours_and_reset_first() {
    let out = subagents(
        &["--color", "truecolor"],
        payload(&[task(1)], 200).as_bytes(),
    );
    let content = &rows(&out)[0].1;
    assert!(
        content.starts_with("\u{1b}[0m"),
        "undoes Claude Code's dimming"
    );
    // completed is drawn in the theme's good colour (classic: #9ece6a).
    assert!(
        content.contains("\u{1b}[38;2;158;206;106m✓ completed"),
        "{content:?}"
    );
    let plain = subagents(&["--format", "plain"], payload(&[task(1)], 200).as_bytes());
    assert!(!rows(&plain)[0].1.contains('\u{1b}'));
}
