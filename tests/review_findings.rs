//! Failing tests for two holes found in review of the shell-prompt fix (see
//! /tmp/review-findings/). Each one passes once its hole is closed.

use std::path::Path;
use std::process::Command;

use blinkline::input::shell::ShellKind;
use blinkline::shell::init_script;
use blinkline::tempdir::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_blinkline");

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `init_script` replaces `@BLINKLINE@` and then `@FLAGS@` in the result, so a binary path
/// holding `@FLAGS@` gets the flag words spliced into its quotes, and a flag value ends up
/// unquoted in the script (it runs when the script is eval'd).
#[test]
fn a_binary_path_holding_the_flags_placeholder_stays_one_quoted_word() {
    let exe = "/opt/x@FLAGS@y/blinkline";
    let flags = ["--set".to_owned(), "text.text=$(touch PWNED)".to_owned()];
    for shell in [ShellKind::Bash, ShellKind::Zsh, ShellKind::Fish] {
        let script = init_script(shell, exe, &flags);
        assert!(
            script.contains("'/opt/x@FLAGS@y/blinkline'"),
            "{shell:?}: the path lost its quoting: {}",
            script
                .lines()
                .find(|l| l.contains("_blinkline_bin"))
                .unwrap_or("")
        );
    }
}

/// Under a CJK locale (GBK, GB18030, BIG5) bash's expansion reads the byte before the
/// backslash that quotes `$` as the lead byte of a two-byte character: `€` is E2 82 AC and
/// GBK reads `AC 5C` as one character, so `$(…)` after it runs.
#[test]
fn bash_in_a_gbk_locale_does_not_run_commands_in_directory_names() {
    if !has("bash") || !has("localedef") {
        eprintln!("skipped: bash or localedef missing");
        return;
    }
    let tmp = TempDir::new("review-gbk").unwrap();
    let loc = tmp.path().join("loc");
    std::fs::create_dir(&loc).unwrap();
    let built = Command::new("localedef")
        .args(["-i", "zh_CN", "-f", "GBK"])
        .arg(loc.join("zh_CN.GBK"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !built {
        eprintln!("skipped: cannot build zh_CN.GBK (no locale sources)");
        return;
    }
    let dir = tmp.path().join("\u{20ac}$(touch PWNED)");
    std::fs::create_dir(&dir).unwrap();
    let status = Command::new("bash")
        .args([
            "-c",
            r#"eval "$("$1" init bash)"; _blinkline_precmd; x=${PS1@P}"#,
            "_",
            BIN,
        ])
        .current_dir(&dir)
        .env("LOCPATH", &loc)
        .env("LC_ALL", "zh_CN.GBK")
        .env("HOME", tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        !Path::new(&dir.join("PWNED")).exists(),
        "the bash prompt ran $(touch PWNED) from the directory name under LC_ALL=zh_CN.GBK"
    );
}

/// init.bash never sets `_blinkline_start`, and the precmd evaluates it in arithmetic,
/// where bash runs command substitutions in array subscripts of a variable's value.
#[test]
fn an_inherited_blinkline_start_does_not_run_at_the_first_bash_prompt() {
    if !has("bash") {
        eprintln!("skipped: bash missing");
        return;
    }
    let tmp = TempDir::new("review-start").unwrap();
    let marker = tmp.path().join("PWNED");
    let status = Command::new("bash")
        .args([
            "-c",
            r#"eval "$("$1" init bash)"; _blinkline_precmd"#,
            "_",
            BIN,
        ])
        .current_dir(tmp.path())
        .env(
            "_blinkline_start",
            format!("a[$(touch {})]", marker.display()),
        )
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        !marker.exists(),
        "an inherited _blinkline_start ran a command"
    );
}
