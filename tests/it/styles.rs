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

#[test]
fn widgets_name_lists_the_format_fields_and_style_keys() {
    let out = line(&["widgets", "model"]);
    for expected in [
        "model: the model's display name (Opus 4.6)",
        "    {short}",
        "the name without its parenthesised suffix",
        "    fg              colour",
        "    separator       string",
    ] {
        assert!(out.contains(expected), "{expected:?} not in\n{out}");
    }
    let o = run(&["widgets", "modle"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "blinkline: unknown widget `modle` (did you mean `model`?); `blinkline widgets` lists them\n"
    );
    assert!(!o.status.success());
}

#[test]
fn a_styled_config_renders_its_format_colours_and_separators() {
    let config = r##"
[[line]]
left = ["model", "context", { widget = "text", text = "dev", fg = "black", bg = "yellow", bold = true }]
separator = " · "

[widget.model]
fg = "#ff8700"
bold = true
format = "{short} [{id}]"

[widget.context]
prefix = "ctx "
format = "{percent} of {size}"
"##;
    assert_eq!(
        line_with_config(config, &["--color=never"]),
        "Opus 4.6 [claude-opus-4-6] · ctx 38% of 200k · dev\n"
    );
    assert_eq!(
        line_with_config(config, &["--color=256"]),
        "\x1b[0m\x1b[38;5;208m\x1b[1mOpus 4.6 [claude-opus-4-6]\x1b[0m\
         \x1b[38;5;60m · \x1b[0m\x1b[38;5;117mctx 38% of 200k\x1b[0m\
         \x1b[38;5;60m · \x1b[0m\x1b[30m\x1b[43m\x1b[1mdev\x1b[0m\n"
    );
}

#[test]
fn an_unknown_format_field_is_a_config_problem_naming_the_fields() {
    let dir = TempDir::new("styles-field").unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, "[widget.model]\nformat = \"{shrot}\"\n").unwrap();
    let o = run(&["config", "check", &format!("--config={}", path.display())]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let expected = format!(
        "{}:2:10: widget `model` option `format`: unknown field {{shrot}} (did you mean {{short}}?); fields: value, icon, name, short, id",
        path.display()
    );
    assert!(all.contains(&expected), "{all}");
    let o = run(&["--widgets=model", "--set=model.format={nme}"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "blinkline: widget `model` option `format`: unknown field {nme} (did you mean {name}?); fields: value, icon, name, short, id\n"
    );
}

/// A `HOME` with theme files in `~/.config/blinkline/themes`.
fn home_with_themes(themes: &[(&str, &str)]) -> TempDir {
    let home = TempDir::new("styles-themes").unwrap();
    let dir = home.join(".config/blinkline/themes");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, source) in themes {
        std::fs::write(dir.join(format!("{name}.toml")), source).unwrap();
    }
    home
}

#[test]
fn a_user_theme_extends_a_shipped_one_and_changes_a_few_colours() {
    let home = home_with_themes(&[(
        "mine",
        "extends = \"nord\"\nstyle = \"classic\"\n[widgets]\nmodel = \"#ff0000\"\n",
    )]);
    let args = ["--widgets=model,cost", "--color=truecolor"];
    let mine = run_in(home.path(), &[&args[..], &["--theme=mine"]].concat());
    let nord = run_in(
        home.path(),
        &[&args[..], &["--theme=nord", "--set=model.fg=#ff0000"]].concat(),
    );
    assert!(
        mine.status.success(),
        "{}",
        String::from_utf8_lossy(&mine.stderr)
    );
    let mine = String::from_utf8(mine.stdout).unwrap();
    // The model's colour is the file's; the cost keeps nord's.
    assert!(mine.contains("\x1b[38;2;255;0;0mOpus"), "{mine:?}");
    assert!(mine.contains("\x1b[38;2;163;190;140m$1.83"), "{mine:?}");
    // In the classic style, where nord itself draws powerline segments.
    assert!(!mine.contains('\u{25b6}'), "{mine:?}");
    assert!(String::from_utf8(nord.stdout).unwrap().contains('\u{25b6}'));
    // Named in the config too, and checked there.
    let config = home.join("config.toml");
    std::fs::write(&config, "theme = \"mine\"\n").unwrap();
    let flag = format!("--config={}", config.display());
    let checked = run_in(home.path(), &["config", "check", &flag]);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn themes_lists_built_in_and_user_themes_and_theme_show_renders_one() {
    let home = home_with_themes(&[
        ("mine", "extends = \"gruvbox\"\n"),
        ("nord", "extends = \"nord\"\nink = \"#000000\"\n"),
    ]);
    let listed = run_in(home.path(), &["themes"]);
    let listed = String::from_utf8(listed.stdout).unwrap();
    let dir = home.join(".config/blinkline/themes");
    assert!(listed.starts_with("classic       built-in\n"), "{listed}");
    assert!(
        listed.contains("nord          built-in, shadowed by the user's\n"),
        "{listed}"
    );
    assert!(
        listed.contains(&format!(
            "mine          user  {}\n",
            dir.join("mine.toml").display()
        )),
        "{listed}"
    );
    let shown = run_in(home.path(), &["theme", "show", "mine", "--color=never"]);
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(
        shown.contains("Opus 4.6") && shown.contains("$1.83"),
        "{shown}"
    );
}

#[test]
fn an_error_in_a_theme_file_names_the_file_and_line() {
    let home = home_with_themes(&[
        ("bad", "extends = \"nord\"\n\nink = \"#12\"\n"),
        ("typo", "extends = \"nrod\"\n"),
        ("half", "style = \"classic\"\n"),
        ("syntax", "extends = \"nord\"\nink = \n"),
    ]);
    let dir = home.join(".config/blinkline/themes");
    let error = |theme: &str| {
        let o = run_in(
            home.path(),
            &["--strict", "--widgets=model", &format!("--theme={theme}")],
        );
        assert_eq!(o.status.code(), Some(2), "{theme}");
        String::from_utf8(o.stderr).unwrap()
    };
    assert_eq!(
        error("bad"),
        format!(
            "blinkline: {}:3:7: theme `bad`: `ink` must be a colour like \"#7aa2f7\", got \"#12\"\n",
            dir.join("bad.toml").display()
        )
    );
    assert_eq!(
        error("typo"),
        format!(
            "blinkline: {}:1:11: `extends`: no theme `nrod` (did you mean `nord`?)\n",
            dir.join("typo.toml").display()
        )
    );
    assert!(error("half").contains(
        "half.toml:1:1: theme `half`: `ink` is missing; set it, or `extends = \"THEME\"`"
    ));
    assert!(error("syntax").starts_with(&format!(
        "blinkline: {}:2:",
        dir.join("syntax.toml").display()
    )));
}

#[test]
fn a_user_theme_was_called_unknown_by_the_render_claude_code_runs() {
    let home = home_with_themes(&[
        ("mine", "extends = \"nord\"\n"),
        ("bad", "extends = \"nord\"\n\nink = \"#12\"\n"),
    ]);
    let out = run_in(home.path(), &["--widgets=model", "--theme=mine"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(line.contains("Opus") && !line.contains("args"), "{line}");
    // A theme file with an error leaves the default theme and says why, without blanking.
    let out = run_in(home.path(), &["--widgets=model", "--theme=bad"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("args"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("theme `bad`: `ink` must be a colour"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_prompt_takes_its_layout_from_the_prompt_section() {
    let dir = TempDir::new("styles-prompt").unwrap();
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        r#"
[[line]]
left = ["model"]

[prompt]
left = [{ widget = "text", text = "$(x) 100%", fg = "green", bold = true }, "env"]
right = ["text#r"]

[widget."text#r"]
text = "right side"

[widget.env]
name = "BLINKLINE_TEST_VALUE"
"#,
    )
    .unwrap();
    let config = format!("--config={}", path.display());
    let prompt = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_blinkline"));
        let o = cmd
            .env_clear()
            .env("HOME", dir.path())
            .env("TERM", "xterm-256color")
            .env("BLINKLINE_TEST_VALUE", "v")
            .args(["prompt", "--shell", "zsh", &config])
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    assert_eq!(
        prompt(&[]),
        "%{\x1b[32m\x1b[1m%}$(x) 100%%%{\x1b[0m%} %{\x1b[38;5;146m%}v%{\x1b[0m%} "
    );
    assert_eq!(prompt(&["--right", "--color=never"]), "right side");
    // --widgets still wins over the config.
    assert_eq!(prompt(&["--widgets=char", "--color=never"]), "❯ ");
    // Lines as [[prompt.line]], like [[line]].
    std::fs::write(
        &path,
        "[[prompt.line]]\nleft = [\"env\"]\n[[prompt.line]]\nleft = [\"char\"]\n\
         [widget.env]\nname = \"BLINKLINE_TEST_VALUE\"\n",
    )
    .unwrap();
    assert_eq!(prompt(&["--color=never"]), "v\n❯ ");
}

#[test]
fn json_and_explain_name_each_instance_as_the_layout_does() {
    let args = [
        "--widgets=text#left,model,text#right",
        "--set=text#left.text=L",
        "--set=text#right.text=R",
    ];
    let json = line(&[&args[..], &["--format=json"]].concat());
    let segments: serde_json::Value = serde_json::from_str(json.trim_end()).unwrap();
    let names: Vec<&str> = segments
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["widget"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["text#left", "model", "text#right"]);
    let explained = line(&[&args[..], &["explain"]].concat());
    let rows: Vec<&str> = explained
        .lines()
        .skip(1)
        .take(3)
        .map(|row| row.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(rows, ["text#left", "model", "text#right"], "{explained}");
}

fn home_with_icon_sets(sets: &[(&str, &str)]) -> TempDir {
    let home = TempDir::new("styles-icons").unwrap();
    let dir = home.join(".config/blinkline/icons");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, source) in sets {
        std::fs::write(dir.join(format!("{name}.toml")), source).unwrap();
    }
    home
}

#[test]
fn an_icon_set_is_chosen_by_name_on_the_command_line_and_in_the_config() {
    let home = home_with_icon_sets(&[(
        "mine",
        "extends = \"ascii\"\n[icons]\nmodel = \"M:\"\ncost = \"\"\n",
    )]);
    let args = ["--widgets=model,cost", "--color=never"];
    let shipped = run_in(home.path(), &[&args[..], &["--icons=ascii"]].concat());
    assert_eq!(
        String::from_utf8_lossy(&shipped.stdout),
        "@ Opus 4.6 (1M context) │ cost $1.83\n"
    );
    let mine = run_in(home.path(), &[&args[..], &["--icons=mine"]].concat());
    assert_eq!(
        String::from_utf8_lossy(&mine.stdout),
        "M: Opus 4.6 (1M context) │ $1.83\n",
        "{}",
        String::from_utf8_lossy(&mine.stderr)
    );
    let config = home.join("config.toml");
    std::fs::write(&config, "icons = \"mine\"\n").unwrap();
    let flag = format!("--config={}", config.display());
    let from_config = run_in(home.path(), &[&args[..], &[flag.as_str()]].concat());
    assert_eq!(from_config.stdout, mine.stdout);
    // `--icons none` wins over the config; `icons = true` keeps the charset's set.
    let none = run_in(
        home.path(),
        &[&args[..], &[flag.as_str(), "--icons=none"]].concat(),
    );
    assert_eq!(
        String::from_utf8_lossy(&none.stdout),
        "Opus 4.6 (1M context) │ $1.83\n"
    );
    std::fs::write(&config, "icons = true\ncharset = \"ascii\"\n").unwrap();
    let charset = run_in(home.path(), &[&args[..], &[flag.as_str()]].concat());
    assert_eq!(
        String::from_utf8_lossy(&charset.stdout),
        "@ Opus 4.6 (1M context) | cost $1.83\n"
    );
}

#[test]
fn an_unknown_icon_set_in_the_config_names_the_sets_with_a_hint() {
    let home = home_with_icon_sets(&[]);
    let config = home.join("config.toml");
    std::fs::write(&config, "icons = \"unicod\"\n").unwrap();
    let flag = format!("--config={}", config.display());
    let checked = run_in(home.path(), &["config", "check", &flag]);
    assert_eq!(
        String::from_utf8_lossy(&checked.stdout) + String::from_utf8_lossy(&checked.stderr),
        format!(
            "{}:1:9: `icons` must be true, false or an icon set (nerd-font, unicode, ascii), \
             got \"unicod\" (did you mean `unicode`?)\n1 problem in {}\n",
            config.display(),
            config.display()
        )
    );
}

#[test]
fn an_error_in_an_icon_set_file_names_the_file_and_line() {
    let home = home_with_icon_sets(&[
        ("typo", "extends = \"nerd-fnot\"\n"),
        ("syntax", "[icons]\nmodel = \n"),
    ]);
    let dir = home.join(".config/blinkline/icons");
    let strict = run_in(
        home.path(),
        &["--strict", "--widgets=model", "--icons=typo"],
    );
    assert_eq!(strict.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&strict.stderr),
        format!(
            "blinkline: {}:1:11: `extends`: no icon set `nerd-fnot` (did you mean `nerd-font`?)\n",
            dir.join("typo.toml").display()
        )
    );
    let syntax = run_in(
        home.path(),
        &["--strict", "--widgets=model", "--icons=syntax"],
    );
    assert!(
        String::from_utf8_lossy(&syntax.stderr).starts_with(&format!(
            "blinkline: {}:2:",
            dir.join("syntax.toml").display()
        )),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    // The line Claude Code shows keeps its icons off and says why, without blanking.
    let lenient = run_in(home.path(), &["--widgets=model", "--icons=nothing"]);
    assert_eq!(lenient.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&lenient.stdout).contains("Opus"));
    assert!(
        String::from_utf8_lossy(&lenient.stderr)
            .contains("unknown icon set `nothing`; icon sets: nerd-font, unicode, ascii"),
        "{}",
        String::from_utf8_lossy(&lenient.stderr)
    );
}

#[test]
fn icons_lists_shipped_and_user_sets_and_icon_show_renders_one() {
    let home = home_with_icon_sets(&[
        ("mine", "extends = \"unicode\"\n[icons]\nmodel = \"m\"\n"),
        ("ascii", "extends = \"ascii\"\n[icons]\ntime = \"T\"\n"),
        ("broken", "extends = \"nope\"\n"),
    ]);
    let listed = run_in(home.path(), &["icons"]);
    let listed = String::from_utf8(listed.stdout).unwrap();
    let dir = home.join(".config/blinkline/icons");
    assert_eq!(
        listed,
        format!(
            "set           from      model context cost git_branch cwd time\n\
             nerd-font     built-in  \u{f2db} \u{f1c0} \u{f155} \u{e0a0} \u{f07b} \u{f43a}\n\
             unicode       built-in  ✻ ◔ ¤ ⎇ ⌂ ◴\n\
             ascii         user      @ ctx cost git dir T\n\
             broken        user      error: {}:1:11: `extends`: no icon set `nope`\n\
             {:<23} {}\n\
             mine          user      m ◔ ¤ ⎇ ⌂ ◴\n\
             {:<23} {}\n",
            dir.join("broken.toml").display(),
            "",
            dir.join("broken.toml").display(),
            "",
            dir.join("mine.toml").display(),
        )
    );
    let shown = run_in(home.path(), &["icon", "show", "mine", "--color=never"]);
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(shown.contains(" │ m Opus 4.6 │ ◔ 38%"), "{shown}");
}

#[test]
fn a_broken_theme_or_icon_set_named_in_the_config_never_blanks_the_line() {
    let home = home_with_icon_sets(&[("bad", "extends = \"nope\"\n")]);
    let themes = home.join(".config/blinkline/themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(themes.join("badt.toml"), "extends = \"nope\"\n").unwrap();
    let config = home.join(".config/blinkline/config.toml");
    for (source, file) in [
        (
            "icons = \"bad\"\n",
            home.join(".config/blinkline/icons/bad.toml"),
        ),
        ("theme = \"badt\"\n", themes.join("badt.toml")),
    ] {
        std::fs::write(&config, source).unwrap();
        let out = run_in(home.path(), &["--widgets=model", "--color=never"]);
        assert_eq!(out.status.code(), Some(0), "{source}");
        let line = String::from_utf8_lossy(&out.stdout);
        assert!(
            line.contains("Opus 4.6") && line.contains("config"),
            "{line}"
        );
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains(&format!("{}:1:11: `extends`: no ", file.display())),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
