//! blinkline run as Claude Code runs it, by `tests/claude_code_parent.py`: through `sh -c`,
//! in a session of its own, the payload on a stdin pipe, stdout a pipe, no `COLUMNS`, a
//! terminal of known width (the parent's, or the run's controlling terminal), and updates
//! faster than the 300 ms debounce, each cancelling the run in flight by killing its
//! process group (and no command of a cancelled run may outlive it). Every line must be non-empty and fit the terminal, every bad input exit
//! 0, and nothing may be left running in the runs' sessions.

use std::process::Command;

use blinkline::testing::tempdir::TempDir;
use blinkline::testing::width::WidthRules;
use serde_json::Value;

fn python3() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The parent's report (see the script's doc).
fn report() -> Option<Value> {
    if !python3() {
        eprintln!("skipped: python3 is not installed (the Claude Code parent is a Python script)");
        return None;
    }
    let dir = TempDir::new("claude-harness").unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/claude_code_parent.py");
    let out = Command::new("python3")
        .args([script, env!("CARGO_BIN_EXE_blinkline")])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the parent failed: {stderr}");
    Some(serde_json::from_slice(&out.stdout).expect("the parent prints JSON"))
}

/// Columns of `line` on screen: escape sequences removed.
fn visible_width(line: &str) -> usize {
    let text: String = blinkline::testing::sanitize::clean(line).collect();
    WidthRules::default().width(&text)
}

fn first_line(run: &Value) -> &str {
    run["stdout"].as_str().unwrap().lines().next().unwrap_or("")
}

#[test]
fn claude_codes_line_is_never_blank_fits_the_terminal_and_leaves_nothing_running() {
    let Some(report) = report() else { return };
    let runs = report["runs"].as_array().unwrap();
    let parent = report["parent_pid"].as_u64().unwrap();
    for run in runs.iter().filter(|r| r["mode"] != "debounce") {
        let (case, mode) = (run["case"].as_str().unwrap(), run["mode"].as_str().unwrap());
        let columns = report["columns"][mode].as_u64().unwrap() as usize;
        let what = format!("{case} ({mode}): {run}");
        assert_eq!(run["code"], 0, "{what}");
        let line = first_line(run);
        assert!(visible_width(line) > 0, "blank line: {what}");
        match case {
            "explain" => {
                let source = match mode {
                    "ancestor" => format!("the terminal of ancestor pid {parent}"),
                    _ => "/dev/tty".to_owned(),
                };
                let last = run["stdout"].as_str().unwrap().lines().last().unwrap();
                assert_eq!(
                    last,
                    format!("width: {} columns (from {source})", columns - 3)
                );
            }
            "no terminal width" => {
                assert!(visible_width(line) > columns, "unlimited: {what}");
            }
            _ => assert!(visible_width(line) <= columns, "too wide: {what}"),
        }
        if ["bad json", "empty stdin", "unknown flag", "bad config"].contains(&case) {
            assert!(line.contains('⚠'), "no marker: {what}");
            assert!(!run["stderr"].as_str().unwrap().is_empty(), "{what}");
        }
    }
    let debounced: Vec<&Value> = runs.iter().filter(|r| r["mode"] == "debounce").collect();
    let (last, cancelled) = debounced.split_last().unwrap();
    assert_eq!(cancelled.len(), 3);
    assert!(
        cancelled.iter().all(|r| r["code"].is_null()),
        "{cancelled:?}"
    );
    assert_eq!(last["code"], 0, "{last}");
    assert!(visible_width(first_line(last)) > 0, "{last}");
    assert_eq!(report["left_running"], Value::Array(Vec::new()));
}

/// A render cancelled while a `command` widget's command ran used to leave the command
/// running (in a process group of its own, it outlived its supervisor thread): it wrote
/// its marker later. SIGTERM now kills its group before blinkline exits; SIGKILL leaves
/// the parent-death signal (Linux) to end it before it writes anything.
#[test]
fn a_cancelled_render_leaves_no_command_running() {
    let Some(report) = report() else { return };
    let cancels = &report["cancels"];
    let sigterm = &cancels["sigterm"];
    assert_eq!(sigterm["marker_written"], false, "{cancels}");
    assert_eq!(sigterm["group_left"], Value::Array(Vec::new()), "{cancels}");
    if cfg!(target_os = "linux") {
        assert_eq!(cancels["sigkill"]["marker_written"], false, "{cancels}");
    }
}
