//! The command line as a user meets it: exit codes, stdout and exact stderr wording.

use std::io::Write;
use std::ops::{Deref, DerefMut};
use std::process::{Command, Output, Stdio};

use blinkline::testing::tempdir::TempDir;

/// The binary with an empty environment and an empty temporary `HOME` (no config file,
/// no cache of the host's): each test adds only the variables it is about.
struct Bin {
    cmd: Command,
    _home: TempDir,
}

impl Deref for Bin {
    type Target = Command;

    fn deref(&self) -> &Command {
        &self.cmd
    }
}

impl DerefMut for Bin {
    fn deref_mut(&mut self) -> &mut Command {
        &mut self.cmd
    }
}

fn bin() -> Bin {
    let home = TempDir::new("cli-home").expect("temp dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blinkline"));
    cmd.env_clear()
        .env("HOME", home.path())
        .env("BLINKLINE_TTY_WIDTH", "0");
    Bin { cmd, _home: home }
}

fn blinkline(args: &[&str], stdin: &[u8]) -> Output {
    // Kept to the end: its drop removes the home the child is still using.
    let mut cmd = bin();
    let mut child = cmd
        .args(args)
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

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const PAYLOAD: &str = r#"{"model":{"display_name":"Opus 4.6"},"workspace":{"current_dir":"/home/user/proj"},
 "cost":{"total_cost_usd":0.58,"total_duration_ms":61000},"context_window":{"used_percentage":28,"context_window_size":200000}}"#;

#[test]
fn renders_one_line_from_stdin_with_no_arguments() {
    let o = blinkline(&[], PAYLOAD.as_bytes());
    assert!(o.status.success());
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1);
    assert!(
        out.starts_with("\x1b[0m"),
        "leading reset undoes Claude Code's dimming"
    );
    assert!(
        out.contains("Opus 4.6")
            && out.contains("28%")
            && out.contains("$0.58")
            && out.contains("proj")
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn plain_format_has_no_escape_bytes() {
    let o = blinkline(&["--format", "plain"], PAYLOAD.as_bytes());
    assert_eq!(
        stdout(&o),
        "proj │ Opus 4.6 │ 28% ▰▰▰▱▱▱▱▱▱▱ 200k │ $0.58 │ 1m01s\n"
    );
}

#[test]
fn no_color_removes_colours_but_keeps_the_line() {
    let mut cmd = bin();
    cmd.env("NO_COLOR", "1").arg("--sample");
    let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(out.contains("Opus 4.6"));
}

#[test]
fn json_format_lists_every_widget_with_its_state() {
    let o = blinkline(
        &["--format", "json", "--widgets", "model,rate_limits"],
        PAYLOAD.as_bytes(),
    );
    let out = stdout(&o);
    let parsed: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let segments = parsed.as_array().unwrap();
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[0]["widget"], "model");
    assert_eq!(segments[0]["text"], "Opus 4.6");
    assert_eq!(segments[0]["state"], "ok");
    assert!(segments[0]["micros"].is_u64());
    assert_eq!(segments[1]["widget"], "rate_limits");
    assert_eq!(segments[1]["state"], "hidden");
}

#[test]
fn invalid_json_still_prints_a_line_and_explains_on_stderr() {
    let o = blinkline(
        &["--format", "plain", "--widgets", "model,time"],
        b"{\"model\": ",
    );
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.starts_with("\u{26a0} input │ "), "{out:?}");
    assert_eq!(
        stderr(&o),
        "blinkline: stdin is not valid JSON (line 1, column 10): EOF while parsing a value\n"
    );
}

#[test]
fn strict_turns_a_broken_payload_into_exit_2() {
    let o = blinkline(&["--strict", "--format", "plain"], b"not json");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "blinkline: stdin is not valid JSON (line 1, column 2): expected ident\n"
    );
}

#[test]
fn empty_stdin_is_named() {
    let o = blinkline(&["--format", "plain"], b"");
    assert!(o.status.success());
    assert_eq!(
        stderr(&o),
        "blinkline: stdin was empty; expected Claude Code's status JSON\n"
    );
    assert!(!stdout(&o).is_empty(), "a line is printed all the same");
}

#[test]
fn oversized_stdin_is_refused_quickly() {
    let big = vec![b' '; 3 << 20];
    let o = blinkline(&["--format", "plain"], &big);
    assert!(o.status.success());
    assert_eq!(
        stderr(&o),
        "blinkline: stdin is larger than 1024 KiB; the payload was ignored\n"
    );
}

#[test]
fn invalid_utf8_is_repaired_and_reported() {
    let o = blinkline(
        &["--format", "plain", "--widgets", "model"],
        b"{\"model\":\"Op\xffus\"}",
    );
    assert_eq!(stdout(&o), "\u{26a0} input │ Op\u{fffd}us\n");
    assert_eq!(
        stderr(&o),
        "blinkline: stdin is not valid UTF-8; invalid bytes were replaced\n"
    );
}

#[test]
fn escape_sequences_in_payload_text_never_reach_the_output() {
    let payload = br#"{"model":{"display_name":"\u001b]52;c;cHduZWQ=\u0007Opus\u001b[2J\u009b1m"},"cwd":"/x/\u202eevil"}"#;
    let o = blinkline(&["--format", "plain", "--widgets", "model,cwd"], payload);
    assert_eq!(stdout(&o), "Opus │ evil\n");
}

#[test]
fn unknown_widget_is_a_usage_error_with_a_hint_under_strict() {
    let o = blinkline(
        &["--strict", "--widgets", "model,contxt"],
        PAYLOAD.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "blinkline: unknown widget `contxt` (did you mean `context`?); `blinkline widgets` lists them\n"
    );
}

#[test]
fn bad_widget_option_names_the_widget_key_and_fix_under_strict() {
    let o = blinkline(
        &["--strict", "--set", "context.warn=hot"],
        PAYLOAD.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "blinkline: widget `context` option `warn`: must be a percentage like \"80%\", got \"hot\"\n"
    );
}

#[test]
fn an_enum_option_set_on_the_command_line_names_its_choices() {
    let o = blinkline(
        &["--strict", "--set", "cwd.style=fsh", "--widgets", "cwd"],
        PAYLOAD.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "blinkline: widget `cwd` option `style`: must be one of basename, full, short, fish, got \"fsh\" (did you mean \"fish\"?)\n"
    );
}

#[test]
fn widgets_lists_each_option_with_its_kind_and_default() {
    let o = blinkline(&["widgets"], b"");
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains(
        "context       context window used: %, bar, used/total, % left or % of the usable window\n\
         \x20   style           one of bar, percent, used_total, remaining, usable (default \"bar\")\n\
         \x20   warn            percent (default 70)\n"
    ));
    assert!(out.contains("    command         list or string (required)\n"));
    assert!(out.contains("    pace            bool (default true)\n"));
    assert!(out.contains("version       the Claude Code version (v2.1.210)\nsession "));
}

#[test]
fn the_hidden_widget_options_command_prints_each_widgets_table() {
    let o = blinkline(&["__widget-options"], b"");
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.starts_with(
        "## model\n| option | type | default | meaning |\n|---|---|---|---|\n\
         | `prefer_id` | bool | `false` | Show `model.id` instead of the display name. |\n## context\n"
    ));
    assert!(out.contains("## version\nNo options.\n"));
}

#[test]
fn bad_duration_is_explained_by_clap_under_strict() {
    let o = blinkline(&["--strict", "--deadline", "soon"], b"{}");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`soon` is not a duration"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn width_drops_lowest_priority_widgets_first() {
    let o = blinkline(&["--format", "plain", "--width", "28"], PAYLOAD.as_bytes());
    let out = stdout(&o);
    assert_eq!(out, "Opus 4.6 │ 28% │ $0.58\n");
}

#[test]
fn columns_env_sets_the_width_with_a_margin() {
    let mut cmd = bin();
    cmd.env("COLUMNS", "31")
        .args(["--format", "plain"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(PAYLOAD.as_bytes())
        .unwrap();
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    assert_eq!(out, "Opus 4.6 │ 28% │ $0.58\n");
}

#[test]
fn right_group_is_padded_with_no_break_spaces() {
    let o = blinkline(
        &[
            "--format",
            "plain",
            "--widgets",
            "model|cost",
            "--width",
            "20",
        ],
        PAYLOAD.as_bytes(),
    );
    let out = stdout(&o);
    assert_eq!(out, format!("Opus 4.6{}$0.58\n", "\u{a0}".repeat(7)));
}

#[test]
fn explain_shows_state_source_and_value() {
    let o = blinkline(
        &["explain", "--widgets", "model,rate_limits"],
        PAYLOAD.as_bytes(),
    );
    let out = stdout(&o);
    let model = out.lines().find(|l| l.starts_with("model")).unwrap();
    assert!(
        model.contains(" ok ")
            && model.contains("model.display_name")
            && model.ends_with("Opus 4.6"),
        "{model}"
    );
    let rl = out.lines().find(|l| l.starts_with("rate_limits")).unwrap();
    assert!(rl.contains(" hidden "), "{rl}");
}

#[test]
fn sample_renders_without_stdin() {
    let out = bin().args(["--sample", "-f", "plain"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Opus 4.6") && text.contains("5h 23% (2h13m)"),
        "{text}"
    );
}

#[test]
fn help_and_version_work() {
    let o = blinkline(&["--help"], b"");
    assert!(o.status.success());
    let help = stdout(&o);
    for word in [
        "explain",
        "bench",
        "--format",
        "--deadline",
        "--strict",
        "statusLine",
    ] {
        assert!(help.contains(word), "--help lacks {word}");
    }
    let v = blinkline(&["--version"], b"");
    assert_eq!(
        stdout(&v),
        format!("blinkline {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bench_reports_percentiles_and_allocations() {
    let o = blinkline(
        &["bench", "--frames", "200", "--warmup", "10", "--json"],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["frames"], 200);
    assert_eq!(v["frame"]["count"], 200);
    assert!(v["frame"]["p50_ns"].as_u64().unwrap() > 0);
    assert!(v["frame"]["p99_ns"].as_u64().unwrap() >= v["frame"]["p50_ns"].as_u64().unwrap());
    assert_eq!(v["allocations_per_frame"].as_f64(), Some(0.0));
    assert!(v["widgets"]["context"]["count"].as_u64().unwrap() == 200);
}

const PR_PAYLOAD: &str =
    r#"{"pr":{"number":12,"url":"https://github.com/o/r/pull/12","review_state":"approved"}}"#;

#[test]
fn a_pr_is_an_osc8_hyperlink_in_ansi_and_plain_text_elsewhere() {
    let ansi = stdout(&blinkline(
        &["--widgets", "pr", "--color", "256"],
        PR_PAYLOAD.as_bytes(),
    ));
    assert!(
        ansi.contains("\x1b]8;;https://github.com/o/r/pull/12\x1b\\#12 approved\x1b]8;;\x1b\\"),
        "{ansi:?}"
    );
    let plain = stdout(&blinkline(
        &["--widgets", "pr", "--format", "plain"],
        PR_PAYLOAD.as_bytes(),
    ));
    assert_eq!(plain, "#12 approved\n");
    let json = stdout(&blinkline(
        &["--widgets", "pr", "--format", "json"],
        PR_PAYLOAD.as_bytes(),
    ));
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v[0]["link"], "https://github.com/o/r/pull/12");
}

#[test]
fn an_env_widget_shows_a_variable_captured_at_start() {
    let mut cmd = bin();
    cmd.env("BLINKLINE_TEST_PROFILE", "st\x1b[31mage")
        .args([
            "--format",
            "plain",
            "--widgets",
            "env,text",
            "--set",
            "env.name=BLINKLINE_TEST_PROFILE",
        ])
        .args(["--set", "text.text=box", "--sample"]);
    let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    assert_eq!(out, "stage │ box\n");
}

#[test]
#[cfg_attr(not(unix), ignore = "runs sh")]
fn a_command_widget_shows_its_output_through_the_pool() {
    let mut cmd = bin();
    let cache = TempDir::new("cli-command").unwrap();
    cmd.env("XDG_CACHE_HOME", cache.path())
        .args([
            "--format",
            "plain",
            "--widgets",
            "model,command",
            "--sample",
        ])
        .args([
            "--deadline",
            "2s",
            "--budget",
            "2s",
            "--set",
            "command.wait=1s",
        ])
        .args(["--set", "command.command=printf 'up \\033[2J%s' ok"]);
    let out = cmd.output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Opus 4.6 │ up ok\n");
    assert!(out.status.success());
}

fn blinkline_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut command = bin();
    command.args(args).env("TERM", "xterm-256color");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
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

/// `text` in `config.toml` of a temporary directory (removed on drop); the file's path.
fn temp_config(name: &str, text: &str) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new(&format!("test-{name}")).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn a_config_file_sets_lines_options_and_theme() {
    let (_dir, path) = temp_config(
        "ok",
        "[[line]]\nleft = [\"model\", \"cost\"]\n[[line]]\nleft = [\"context\"]\n\
         [widget.context]\nbar_width = 0\n",
    );
    let o = blinkline_env(
        &["--format", "plain", "--config", path.to_str().unwrap()],
        PAYLOAD.as_bytes(),
        &[],
    );
    assert_eq!(stdout(&o), "Opus 4.6 │ $0.58\n28% 200k\n");
    assert_eq!(stderr(&o), "");
}

#[test]
fn the_config_is_found_under_xdg_config_home() {
    let (_dir, path) = temp_config("xdg", "[[line]]\nleft = [\"cost\"]\n");
    let xdg = path.parent().unwrap().join("xdg");
    std::fs::create_dir_all(xdg.join("blinkline")).unwrap();
    std::fs::copy(&path, xdg.join("blinkline/config.toml")).unwrap();
    let o = blinkline_env(
        &["--format", "plain"],
        PAYLOAD.as_bytes(),
        &[("XDG_CONFIG_HOME", xdg.to_str().unwrap())],
    );
    assert_eq!(stdout(&o), "$0.58\n");
}

#[test]
fn a_broken_config_renders_defaults_with_a_marker_and_exit_0() {
    let (_dir, path) = temp_config("broken", "theme = \"nrod\"\n");
    let file = path.to_str().unwrap();
    let o = blinkline_env(
        &["--format", "plain", "--config", file],
        PAYLOAD.as_bytes(),
        &[],
    );
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        "\u{26a0} config │ proj │ Opus 4.6 │ 28% ▰▰▰▱▱▱▱▱▱▱ 200k │ $0.58 │ 1m01s\n"
    );
    assert_eq!(
        stderr(&o),
        format!(
            "blinkline: config: {file}:1:9: `theme` must be one of classic, powerline, capsule, plain, nord, gruvbox, catppuccin, tokyo-night, got \"nrod\" (did you mean `nord`?)\n"
        )
    );
    let strict = blinkline_env(&["--strict", "--config", file], PAYLOAD.as_bytes(), &[]);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn config_check_lists_every_problem_and_exits_1() {
    let (_dir, path) = temp_config("check", "colour = 1\n[widget.cost]\nwarn = \"five\"\n");
    let file = path.to_str().unwrap();
    let o = blinkline_env(&["config", "check", "--config", file], b"", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "{file}:1:1: unknown key `colour` (did you mean `color`?); known keys: preset, theme, style, charset, icons, color, margin, deadline, budget, nerd_font_width, ambiguous_width, line, widget\n\
             {file}:3:8: widget `cost` option `warn`: must be an amount like \"$5\", got \"five\"\n\
             2 problems in {file}\n"
        )
    );
}

#[test]
fn config_init_writes_a_valid_file_and_refuses_to_overwrite() {
    let dir = TempDir::new("test-init").unwrap();
    let file = dir.join("sub/config.toml");
    let file = file.to_str().unwrap();
    let o = blinkline_env(&["config", "init", "--config", file], b"", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let check = blinkline_env(&["config", "check", "--config", file], b"", &[]);
    assert_eq!(stdout(&check), format!("{file}: no problems\n"));
    let again = blinkline_env(&["config", "init", "--config", file], b"", &[]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        stderr(&again),
        format!("blinkline: {file} already exists; use --force to overwrite it\n")
    );
    let forced = blinkline_env(&["config", "init", "--force", "--config", file], b"", &[]);
    assert!(forced.status.success());
}

#[test]
fn config_print_shows_the_preset_and_flags_in_effect() {
    let o = blinkline_env(
        &["config", "print", "--preset", "minimal", "--margin", "5"],
        b"",
        &[],
    );
    let out = stdout(&o);
    assert!(out.contains("margin = 5\n"), "{out}");
    assert!(out.contains("icons = false\n"), "{out}");
    assert!(
        out.contains(
            "[[line]]\nleft = [\"git_branch\", \"git_status\", \"model\", \"context\", \"cost\"]\nright = []\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("[widget.context]\npriority = 100\nbar_width = 0\n"),
        "{out}"
    );
}

#[test]
fn explain_lists_unknown_and_null_payload_fields() {
    let payload = br#"{"model":{"display_name":"Opus","family":"x"},"brand_new":1,"context_window":{"used_percentage":null}}"#;
    let o = blinkline_env(&["explain"], payload, &[]);
    let out = stdout(&o);
    assert!(
        out.contains("unknown fields (2): brand_new, model.family\n"),
        "{out}"
    );
    assert!(
        out.contains("null fields (1): context_window.used_percentage\n"),
        "{out}"
    );
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = blinkline_env(&["completions", shell], b"", &[]);
        assert!(o.status.success(), "{shell}");
        assert!(stdout(&o).contains("preset"), "{shell} completes --preset");
    }
    let man = blinkline_env(&["__man"], b"", &[]);
    assert!(
        stdout(&man).starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        stdout(&man)
    );
    assert!(stdout(&man).contains("blinkline"));
}

#[test]
fn wide_characters_are_fitted_by_display_width() {
    // "プロジェクト" is 6 characters but 12 columns.
    let payload = r#"{"model":{"display_name":"Opus 4.6"},"workspace":{"current_dir":"/home/user/プロジェクト"},
        "cost":{"total_cost_usd":0.58}}"#;
    let fits = |columns: &str| {
        let o = blinkline_env(
            &["--format", "plain", "--widgets", "cwd,model|cost"],
            payload.as_bytes(),
            &[("COLUMNS", columns)],
        );
        stdout(&o)
    };
    // 12 + 3 + 8 + 1 + 5 = 29 columns, plus the 3-column margin.
    assert_eq!(fits("32"), "プロジェクト │ Opus 4.6\u{a0}$0.58\n");
    assert_eq!(
        fits("40"),
        format!("プロジェクト │ Opus 4.6{}$0.58\n", "\u{a0}".repeat(9))
    );
    // One column short: the lowest priority (the last listed) goes first.
    assert_eq!(fits("31"), "プロジェクト │ Opus 4.6\n");
    assert_eq!(fits("20"), "プロジェクト\n");
}

#[test]
fn waybar_percentage_is_the_context_not_a_directory_named_50_percent_off() {
    let payload = r#"{"workspace":{"current_dir":"/home/user/50% off"},
        "context_window":{"used_percentage":95,"context_window_size":200000}}"#;
    for style in ["bar", "used_total", "remaining"] {
        let o = blinkline(
            &[
                "--format",
                "waybar",
                "--widgets",
                "cwd,context",
                "--set",
                &format!("context.style={style}"),
            ],
            payload.as_bytes(),
        );
        let out = stdout(&o);
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["percentage"], 95, "style {style}: {out}");
        assert!(v["text"].as_str().unwrap().contains("50% off"), "{out}");
    }
}

/// Runs `args` with stdout a pipe whose reader is already closed.
fn into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    bin()
        .args(args)
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("binary runs")
}

#[test]
fn a_closed_pipe_exits_quietly_not_with_a_broken_pipe_panic() {
    let commands: &[&[&str]] = &[
        &["completions", "bash"],
        &["completions", "zsh"],
        &["widgets"],
        &["config", "print"],
        &["config", "init"],
        &["__man"],
        &["--help"],
        &["bench", "--help"],
        &["--version"],
        &["explain", "--sample"],
        &["--sample"],
        &["render", "--sample", "--format", "json"],
        &["watch", "--sample", "--frames", "3", "--interval", "10ms"],
        &["prompt", "--shell", "zsh", "--status", "1"],
        &["init", "zsh"],
        &["bench", "--frames", "10", "--warmup", "0"],
    ];
    for args in commands {
        let o = into_closed_pipe(args);
        assert_eq!(
            (o.status.code(), stderr(&o).as_str()),
            (Some(0), ""),
            "blinkline {}",
            args.join(" ")
        );
    }
}

#[test]
fn bench_compare_queue_json_prints_json_not_the_table() {
    let o = blinkline(
        &[
            "bench",
            "--compare",
            "queue",
            "--json",
            "--frames",
            "1",
            "--warmup",
            "3",
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["compare"], "queue");
    assert_eq!(v["operations"], 100_000);
    assert_eq!(v["warmup"], 3);
    let names: Vec<_> = v["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["queue"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["ms-queue (ours)", "SegQueue", "Mutex<VecDeque>"]);
    assert_eq!(v["queues"][1]["single_thread_ratio"], 1.0);
    assert!(v["queues"][0]["two_thread_ns_per_item"].as_f64().unwrap() > 0.0);
}

#[test]
fn bench_compare_threads_json_prints_json_not_the_table() {
    let o = blinkline(
        &[
            "bench",
            "--compare",
            "threads",
            "--json",
            "--frames",
            "5",
            "--warmup",
            "0",
            "--threads",
            "1",
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["compare"].as_str(), v["frames"].as_u64()),
        (Some("threads"), Some(5))
    );
    let threads: Vec<_> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["threads"].as_u64().unwrap())
        .collect();
    assert_eq!(threads, [0, 1]);
    assert_eq!(v["rows"][0]["p50_ratio"], 1.0);
}

#[test]
fn bench_flags_a_mode_would_ignore_are_rejected() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--processes", "2", "--frames", "10"],
            "error: the argument '--processes <N>' cannot be used with '--frames <N>'",
        ),
        (
            &["--processes", "2", "--warmup", "1"],
            "error: the argument '--processes <N>' cannot be used with '--warmup <WARMUP>'",
        ),
        (
            &["--compare", "queue", "--processes", "2"],
            "error: the argument '--compare <WHAT>' cannot be used with '--processes <N>'",
        ),
        (
            &["--compare", "queue", "--all-on-pool"],
            "error: the argument '--compare <WHAT>' cannot be used with '--all-on-pool'",
        ),
        (
            &["--idle", "1ms"],
            "error: the following required arguments were not provided:\n  --processes <N>",
        ),
        (
            &["--exe", "/bin/true"],
            "error: the following required arguments were not provided:\n  --processes <N>",
        ),
        (
            &["--floor", "/bin/true"],
            "error: the following required arguments were not provided:\n  --processes <N>",
        ),
        (
            &["--exe-arg", "-x"],
            "error: the following required arguments were not provided:\n  --processes <N>",
        ),
        (
            &["--processes", "2", "--widgets", "model"],
            "blinkline: bench --processes times the binary as Claude Code runs it and ignores --widgets; pass the binary's flags with --exe-arg, e.g. --exe-arg=--widgets --exe-arg=VALUE\n",
        ),
        (
            &["--compare", "queue", "--theme", "nord"],
            "blinkline: bench --compare queue renders no line and ignores --theme; leave it out\n",
        ),
    ];
    for (args, wording) in cases {
        let o = blinkline(&[&["bench"], *args].concat(), b"");
        assert_eq!(o.status.code(), Some(2), "bench {}", args.join(" "));
        assert!(
            stderr(&o).starts_with(wording),
            "bench {}: {}",
            args.join(" "),
            stderr(&o)
        );
        assert_eq!(stdout(&o), "");
    }
}

/// A payload whose every text field is ASCII, so ASCII output is all an ASCII charset may
/// give: any other byte is a glyph of ours.
const RICH_ASCII: &str = r#"{"session_id":"9f1c2d7e-4b8a","session_name":"demo",
 "cwd":"/home/user/src/app/sub",
 "model":{"id":"claude-opus-4-6[1m]","display_name":"Opus 4.6"},
 "workspace":{"current_dir":"/home/user/src/app/sub","project_dir":"/home/user/src/app",
   "added_dirs":["/a","/b"],"git_worktree":"wt","repo":{"host":"github.com","owner":"o","name":"r"}},
 "version":"2.1.210","output_style":{"name":"explanatory"},
 "cost":{"total_cost_usd":12.5,"total_duration_ms":7200000,"total_api_duration_ms":600000,
   "total_lines_added":412,"total_lines_removed":87},
 "context_window":{"used_percentage":93,"remaining_percentage":7,"context_window_size":1000000,
   "current_usage":{"input_tokens":4,"output_tokens":812,"cache_creation_input_tokens":2211,"cache_read_input_tokens":73785}},
 "exceeds_200k_tokens":true,"fast_mode":true,"effort":{"level":"high"},"thinking":{"enabled":true},
 "rate_limits":{"five_hour":{"used_percentage":97,"resets_at":4102444800},
   "seven_day":{"used_percentage":41,"resets_at":4102444800}},
 "vim":{"mode":"NORMAL"},"agent":{"name":"reviewer"},
 "pr":{"number":123,"url":"https://github.com/o/r/pull/123","review_state":"approved"},
 "worktree":{"name":"wt","path":"/tmp/wt","branch":"feature","original_cwd":"/home/user/app","original_branch":"main"}}"#;

#[test]
fn ascii_charset_output_is_ascii_in_every_format_theme_and_notice() {
    let widgets = "model,context,cost,duration,lines,rate_limits,cwd,tokens,context_1m,\
        exceeds_200k,burn_rate,rate_5h,rate_7d,effort,thinking,fast_mode,output_style,version,\
        session,vim,agent,worktree,pr,repo,added_dirs,project_dir|time";
    let formats = [
        "ansi", "plain", "json", "tmux", "i3bar", "waybar", "polybar", "zsh", "bash", "fish",
    ];
    let mut not_ascii = Vec::new();
    for format in formats {
        for theme in ["classic", "powerline", "capsule", "plain"] {
            for (payload, extra) in [
                (RICH_ASCII, &["--widgets", widgets, "--width", "900"][..]),
                (RICH_ASCII, &["--preset", "full"][..]),
                (
                    "{not json",
                    &["--widgets", "model|time", "--width", "40"][..],
                ),
            ] {
                let args = [
                    &["--charset", "ascii", "--format", format, "--theme", theme][..],
                    extra,
                ]
                .concat();
                let o = blinkline(&args, payload.as_bytes());
                let out = stdout(&o);
                if out.is_empty() || !out.is_ascii() {
                    not_ascii.push(format!("{}: {out:?}", args.join(" ")));
                }
            }
        }
    }
    assert!(not_ascii.is_empty(), "{}", not_ascii.join("\n"));
}
