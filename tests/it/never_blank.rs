//! Claude Code's line is never blank: a mistyped flag, value or widget in the render
//! command, or a config file with some bad settings, still renders the best line it can
//! with a `⚠` marker, the reason on stderr and exit 0 (`--strict`: exit 2).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use blinkline::testing::tempdir::TempDir;

const PAYLOAD: &str = r#"{"model":{"display_name":"Opus 4.6"},"workspace":{"current_dir":"/home/user/proj"},
 "cost":{"total_cost_usd":0.58,"total_duration_ms":61000},"context_window":{"used_percentage":28,"context_window_size":200000}}"#;

/// The full default line of [`PAYLOAD`] in plain text.
const LINE: &str = "proj │ Opus 4.6 │ 28% ▰▰▰▱▱▱▱▱▱▱ 200k │ $0.58 │ 1m01s";

fn run(args: &[&str], home: &TempDir) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let _ = child.stdin.take().unwrap().write_all(PAYLOAD.as_bytes());
    child.wait_with_output().unwrap()
}

fn render(args: &[&str]) -> (Option<i32>, String, String) {
    let home = TempDir::new("never-blank").unwrap();
    let o = run(args, &home);
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

#[track_caller]
fn assert_renders(args: &[&str], line: &str, stderr: &str) {
    let mut full = vec!["--format", "plain"];
    full.extend_from_slice(args);
    let (code, out, err) = render(&full);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (Some(0), line, stderr),
        "{args:?}"
    );
    full.push("--strict");
    let (code, out, _) = render(&full);
    assert_eq!((code, out.as_str()), (Some(2), ""), "{args:?} --strict");
}

#[test]
fn an_unknown_widget_in_the_render_command_blanked_the_line() {
    assert_renders(
        &["--widgets", "modle,cost"],
        "⚠ args │ $0.58\n",
        "blinkline: args: unknown widget `modle` (did you mean `model`?); `blinkline widgets` lists them\n",
    );
}

#[test]
fn an_unknown_theme_in_the_render_command_blanked_the_line() {
    assert_renders(
        &["--theme", "nordd"],
        &format!("⚠ args │ {LINE}\n"),
        "blinkline: args: unknown theme `nordd` (did you mean `nord`?); themes: classic, powerline, capsule, plain, nord, gruvbox, catppuccin, tokyo-night\n",
    );
}

#[test]
fn a_mistyped_set_option_in_the_render_command_blanked_the_line() {
    assert_renders(
        &["--set", "context.wran=60", "--set", "cost.warn=0.1"],
        // `cost.warn` still applies: $0.58 is past it and styled so, which plain text
        // does not show; the bad `--set` alone is left out.
        &format!("⚠ args │ {LINE}\n"),
        "blinkline: args: widget `context` option `wran`: unknown option (did you mean `warn`?); known: style, warn, critical, bar_width, show_size, compact_buffer\n",
    );
}

#[test]
fn an_unknown_flag_in_the_render_command_blanked_the_line_and_lost_the_flags_after_it() {
    assert_renders(
        &["--flag", "--widgets", "model,cost"],
        "⚠ args │ Opus 4.6 │ $0.58\n",
        "blinkline: args: unknown flag '--flag'\n",
    );
    assert_renders(
        &["render", "--wigdets", "--widgets=cost"],
        "⚠ args │ $0.58\n",
        "blinkline: args: unknown flag '--wigdets' (did you mean '--widgets'?)\n",
    );
}

#[test]
fn a_bad_flag_value_in_the_render_command_blanked_the_line() {
    assert_renders(
        &["--charset", "nerdfont", "--widgets", "cost"],
        "⚠ args │ $0.58\n",
        "blinkline: args: invalid value 'nerdfont' for '--charset' (did you mean 'nerd-font'?); possible values: nerd-font, unicode, ascii\n",
    );
    assert_renders(
        &["--width", "0", "--widgets", "cost"],
        "⚠ args │ $0.58\n",
        "blinkline: args: invalid value '0' for '--width': `0` is not a usable width; pass 1 to 1000 columns, or leave --width out to use $COLUMNS\n",
    );
}

#[test]
fn commands_a_person_types_keep_clap_usage_errors() {
    for args in [
        &["explain", "--bogus"][..],
        &["config", "check", "--bogus"],
        &["widgts"],
    ] {
        let (code, out, err) = render(args);
        assert_eq!((code, out.as_str()), (Some(2), ""), "{args:?}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
}

#[test]
fn a_bad_set_value_in_the_render_command_blanked_the_line() {
    assert_renders(
        &["--widgets", "cost,context", "--set", "context.warn=hot"],
        "⚠ args │ $0.58 │ 28% ▰▰▰▱▱▱▱▱▱▱ 200k\n",
        "blinkline: args: widget `context` option `warn`: must be a percentage like \"80%\", got \"hot\"\n",
    );
}
