//! A line made the user's own: several instances of one widget, per-widget style and
//! format strings, theme files, in every output format.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use blinkline::testing::tempdir::TempDir;

const PAYLOAD: &str = r#"{"model":{"id":"claude-opus-4-6","display_name":"Opus 4.6 (1M context)"},
 "cost":{"total_cost_usd":1.83},"context_window":{"used_percentage":38,"context_window_size":200000}}"#;

/// Runs the binary in a cleared environment with `home` as `HOME`, the payload on stdin.
fn run_in(home: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .env_clear()
        .env("HOME", home)
        .env("TERM", "xterm-256color")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(PAYLOAD.as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    let home = TempDir::new("styles-home").unwrap();
    run_in(home.path(), args)
}

/// Stdout of a successful run with nothing on stderr.
fn line(args: &[&str]) -> String {
    let o = run(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && err.is_empty(), "{args:?}: {err}");
    String::from_utf8(o.stdout).unwrap()
}

/// Writes `config` into a temporary directory and renders with it.
fn line_with_config(config: &str, args: &[&str]) -> String {
    let dir = TempDir::new("styles-config").unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, config).unwrap();
    let flag = format!("--config={}", path.display());
    let mut all = vec![flag.as_str()];
    all.extend_from_slice(args);
    line(&all)
}

#[test]
fn text_model_text_printed_one_text_twice() {
    let out = line(&[
        "--color=never",
        "--widgets=text#left,model,text#right",
        "--set=text#left.text=L",
        "--set=text#right.text=R",
    ]);
    assert_eq!(out, "L │ Opus 4.6 (1M context) │ R\n");
}

#[test]
fn a_repeated_plain_name_is_two_instances_sharing_the_widget_table() {
    let out = line(&[
        "--color=never",
        "--widgets=text,model,text",
        "--set=text.text=same",
    ]);
    assert_eq!(out, "same │ Opus 4.6 (1M context) │ same\n");
}

#[test]
fn instance_tables_and_inline_widgets_render_independently() {
    let config = r#"
[[line]]
left = ["env#user", "text#a", { widget = "text", text = "inline" }, "text", "env"]

[widget.text]
text = "shared"

[widget."text#a"]
text = "A"

[widget.env]
name = "HOME"

[widget."env#user"]
name = "USER"
"#;
    let dir = TempDir::new("styles-env").unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, config).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blinkline"));
    let o = cmd
        .env_clear()
        .env("HOME", "/home/ada")
        .env("USER", "ada")
        .args(["--color=never", "--sample"])
        .arg(format!("--config={}", path.display()))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "ada │ A │ inline │ shared │ /home/ada\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_bad_instance_name_is_a_config_problem_with_its_place() {
    let dir = TempDir::new("styles-check").unwrap();
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        "[[line]]\nleft = [\"text#\", { text = \"x\" }]\n[widget.\"modle#a\"]\n",
    )
    .unwrap();
    let o = run(&["config", "check", &format!("--config={}", path.display())]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let file = path.display().to_string();
    let all = format!("{out}{err}");
    for expected in [
        format!(
            "{file}:2:9: `text#`: an instance name after `#` is letters, digits, `-` and `_`, like `text#left`"
        ),
        format!(
            "{file}:2:18: an inline widget names its widget: {{ widget = \"text\", text = \"hi\" }}"
        ),
        format!(
            "{file}:3:9: unknown widget `modle#a` (did you mean `model`?); `blinkline widgets` lists them"
        ),
    ] {
        assert!(all.contains(&expected), "{expected}\nnot in\n{all}");
    }
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn config_print_keeps_instances_apart() {
    let config = "[[line]]\nleft = [\"text#a\", { widget = \"text\", text = \"in\" }]\n\
                  [widget.\"text#a\"]\ntext = \"A\"\n";
    let printed = line_with_config(config, &["config", "print"]);
    assert!(
        printed.contains("left = [\"text#a\", \"text#inline-1\"]"),
        "{printed}"
    );
    assert!(
        printed.contains("[widget.\"text#a\"]\npriority = 50\ntext = \"A\""),
        "{printed}"
    );
    let again = line_with_config(&printed, &["--color=never", "--sample"]);
    assert_eq!(again, "A │ in\n");
}
