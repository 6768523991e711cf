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
        .env("BLINKLINE_TTY_WIDTH", "0")
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

/// `--config FILE` of `source`, rendered with `args`: (exit code, stdout, stderr).
fn render_config(source: &str, args: &[&str]) -> (Option<i32>, String, String, String) {
    let home = TempDir::new("never-blank-config").unwrap();
    let path = home.join("config.toml");
    std::fs::write(&path, source).unwrap();
    let file = path.to_str().unwrap().to_owned();
    let mut full = vec!["--config", file.as_str()];
    full.extend_from_slice(args);
    let o = run(&full, &home);
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    (o.status.code(), text(&o.stdout), text(&o.stderr), file)
}

const GOOD: &str = "theme = \"nord\"\n[[line]]\nleft = [\"cost\", \"model\"]\n";
const BAD: &str =
    "theme = \"nord\"\ncolour = 1\n[[line]]\nleft = [\"cost\", \"modle\", \"model\"]\n";

#[test]
fn one_bad_key_threw_the_whole_config_away() {
    let (code, plain, err, file) = render_config(BAD, &["--format", "plain"]);
    assert_eq!(code, Some(0));
    assert_eq!(plain, "⚠ config │ $0.58 │ Opus 4.6\n", "the layout applies");
    assert_eq!(
        err,
        format!(
            "blinkline: config: {file}:2:1: unknown key `colour` (did you mean `color`?); known keys: preset, theme, style, charset, icons, color, margin, deadline, budget, nerd_font_width, ambiguous_width, line, widget\n\
             blinkline: config: {file}:4:17: unknown widget `modle` (did you mean `model`?); `blinkline widgets` lists them\n"
        )
    );
    // The theme applies: from the cost segment on, the line is the good config's, and
    // not the default theme's.
    let colour = ["--color", "truecolor"];
    let (_, bad, _, _) = render_config(BAD, &colour);
    let (_, good, _, _) = render_config(GOOD, &colour);
    let (_, classic, _, _) = render_config(&GOOD.replace("nord", "classic"), &colour);
    let tail = |line: &str| line[line.find("$0.58").expect("the cost segment")..].to_owned();
    assert_eq!(tail(&bad), tail(&good));
    assert_ne!(tail(&good), tail(&classic));
    let (code, _, _, _) = render_config(BAD, &["--strict"]);
    assert_eq!(code, Some(2));
}

#[test]
fn config_check_lists_the_problems_a_render_skips() {
    let home = TempDir::new("never-blank-check").unwrap();
    let path = home.join("config.toml");
    std::fs::write(&path, BAD).unwrap();
    let file = path.to_str().unwrap();
    let rendered = run(&["--config", file], &home);
    let checked = Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .args(["config", "check", "--config", file])
        .env_clear()
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(checked.status.code(), Some(1));
    let rendered = String::from_utf8(rendered.stderr).unwrap();
    let checked = String::from_utf8(checked.stderr).unwrap();
    let skipped: Vec<&str> = rendered
        .lines()
        .map(|l| l.strip_prefix("blinkline: config: ").unwrap())
        .collect();
    let listed: Vec<&str> = checked.lines().collect();
    assert_eq!(skipped.len(), 2);
    assert_eq!(listed[..2], skipped[..]);
    assert_eq!(listed[2], format!("2 problems in {file}"));
}

#[test]
fn a_config_that_is_not_toml_renders_the_defaults_with_the_marker() {
    let (code, plain, err, file) = render_config("theme = \"nord\n", &["--format", "plain"]);
    assert_eq!(code, Some(0));
    assert_eq!(plain, format!("⚠ config │ {LINE}\n"));
    assert!(
        err.starts_with(&format!("blinkline: config: {file}:1:")),
        "{err}"
    );
}

#[test]
fn a_right_group_was_glued_to_the_left_one_with_no_width() {
    let (code, out, _) = render(&["--format", "plain", "--widgets", "model|cost"]);
    assert_eq!((code, out.as_str()), (Some(0), "Opus 4.6 │ $0.58\n"));
    let (_, out, _) = render(&["--format", "plain", "--widgets", "model|cost", "--width=20"]);
    let aligned = format!("Opus 4.6{}$0.58\n", "\u{a0}".repeat(7));
    assert_eq!(
        out, aligned,
        "with a width, the right group is aligned as before"
    );
}

#[test]
fn explain_says_where_the_width_came_from() {
    let last = |args: &[&str], columns: Option<&str>| {
        let home = TempDir::new("never-blank-explain").unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_blinkline"));
        cmd.arg("explain").args(args).arg("--sample").env_clear();
        cmd.env("HOME", home.path()).env("BLINKLINE_TTY_WIDTH", "0");
        if let Some(columns) = columns {
            cmd.env("COLUMNS", columns);
        }
        let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
        out.lines().last().unwrap_or_default().to_owned()
    };
    assert_eq!(
        last(&["--width=40"], Some("90")),
        "width: 40 columns (from --width)"
    );
    assert_eq!(last(&[], Some("90")), "width: 87 columns (from $COLUMNS)");
    assert_eq!(
        last(&[], None),
        "width: unlimited (from no --width, $COLUMNS or terminal)"
    );
}

/// The default line (no `--widgets`) rendered for `dir` in a sandbox.
fn default_line(sb: &crate::support::Sandbox, dir: &std::path::Path) -> (String, String) {
    let payload = format!(
        r#"{{"model":{{"display_name":"Opus 4.6"}},"workspace":{{"current_dir":"{}"}},"cost":{{"total_cost_usd":0.58}}}}"#,
        dir.display()
    );
    let mut cmd = sb.command(&["--format", "plain"]);
    cmd.current_dir(dir);
    let out = crate::support::spawn_with_input(cmd, &payload)
        .wait_with_output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (text(out.stdout), text(out.stderr))
}

#[test]
fn the_default_line_shows_the_git_branch_and_status_only_in_a_repository() {
    let sb = crate::support::Sandbox::new("default-git");
    let repo = sb.repo("proj");
    crate::support::write_file(&repo, "new.txt", "untracked\n");
    let (line, err) = default_line(&sb, &repo);
    assert_eq!(
        (line.as_str(), err.as_str()),
        ("proj │ main │ ?1 │ Opus 4.6 │ $0.58\n", "")
    );
    let plain = sb.path("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let (line, err) = default_line(&sb, &plain);
    assert_eq!(
        (line.as_str(), err.as_str()),
        ("plain │ Opus 4.6 │ $0.58\n", "")
    );
    assert!(sb.refreshers_done_within(std::time::Duration::from_secs(10)));
}
