//! `blinkline doctor` on a healthy and on a broken setup, in a temporary HOME.

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use blinkline::testing::tempdir::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_blinkline");

struct Setup {
    dir: TempDir,
}

impl Setup {
    fn new(tag: &str) -> Setup {
        let dir = TempDir::new(&format!("doctor-{tag}")).unwrap();
        std::fs::create_dir_all(dir.join("home/.claude")).unwrap();
        Setup { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    fn cache(&self) -> PathBuf {
        self.dir.join("cache/blinkline")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("XDG_CACHE_HOME", self.dir.join("cache"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("COLUMNS", "120")
            .env("TERM", "xterm-256color")
            .stdin(Stdio::null())
            .output()
            .expect("binary runs")
    }

    fn make_cache(&self, mode: u32) {
        std::fs::create_dir_all(self.cache()).unwrap();
        std::fs::set_permissions(self.cache(), std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn doctor_on_a_healthy_setup_exits_0_and_shows_the_test_render() {
    let s = Setup::new("healthy");
    assert!(s.run(&["install", "claude", "--yes"]).status.success());
    s.make_cache(0o700);
    let o = s.run(&["doctor"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("ok   claude settings  runs this blinkline"),
        "{out}"
    );
    assert!(
        out.contains("ok   claude subagents runs this blinkline"),
        "{out}"
    );
    assert!(out.contains("ok   test render "), "{out}");
    assert!(out.contains("Opus 4.6"), "the sample line is shown:\n{out}");
    assert!(out.contains("ok   width            COLUMNS=120"), "{out}");
    assert!(
        out.contains("ok   colour           256 colours (TERM=xterm-256color"),
        "{out}"
    );
    assert!(out.contains("(0700, yours)"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
    assert!(!out.contains('\x1b'), "no colour into a pipe");
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
}

#[test]
fn doctor_names_the_fix_for_a_missing_binary_and_an_open_cache() {
    let s = Setup::new("broken");
    std::fs::write(
        s.home().join(".claude/settings.json"),
        r#"{"statusLine": {"type": "command", "command": "/opt/gone/blinkline", "padding": 0}}"#,
    )
    .unwrap();
    s.make_cache(0o777);
    let o = s.run(&["doctor"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("FAIL claude settings  runs `/opt/gone/blinkline`, which does not exist\n"),
        "{out}"
    );
    assert!(out.contains("fix: blinkline install claude"), "{out}");
    let cache = s.cache().display().to_string();
    assert!(out.contains("FAIL cache "), "{out}");
    assert!(out.contains("0777: others may write to it"), "{out}");
    // Wrapped lines continue under the detail column.
    let flowed = out.replace(&format!("\n{:22}", ""), " ");
    assert!(
        flowed.contains(&format!("fix: chmod 700 {cache}\n")),
        "{out}"
    );
}

#[test]
fn doctor_json_reports_every_check_and_the_verdict() {
    let s = Setup::new("json");
    s.make_cache(0o777);
    std::fs::create_dir_all(s.home().join(".config/blinkline")).unwrap();
    std::fs::write(
        s.home().join(".config/blinkline/config.toml"),
        "theme = \"nrod\"\n",
    )
    .unwrap();
    std::fs::write(
        s.home().join(".bashrc"),
        "eval \"$('/opt/gone/blinkline' init bash)\"\n",
    )
    .unwrap();
    let o = s.run(&["doctor", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let checks = report["checks"].as_array().unwrap();
    let status = |name: &str| {
        checks
            .iter()
            .find(|c| c["check"] == name)
            .map(|c| (c["status"].as_str().unwrap().to_owned(), c["fix"].clone()))
            .unwrap_or_else(|| panic!("no {name} check: {report}"))
    };
    assert_eq!(status("claude settings").0, "warn");
    assert_eq!(status("cache").0, "fail");
    assert_eq!(
        status("config"),
        (
            "fail".to_owned(),
            serde_json::json!("blinkline config check")
        )
    );
    assert_eq!(
        status("shell"),
        (
            "fail".to_owned(),
            serde_json::json!("blinkline install bash")
        )
    );
    assert_eq!(status("git").0, "ok");
    assert_eq!(
        status("test render").0,
        "warn",
        "a config problem warns: {report}"
    );
}

#[test]
fn doctor_checks_the_projects_status_line_which_wins_over_the_users() {
    let s = Setup::new("project");
    assert!(s.run(&["install", "claude", "--yes"]).status.success());
    s.make_cache(0o700);
    let project = s.dir.join("project");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    std::fs::create_dir_all(project.join(".claude")).unwrap();
    std::fs::write(
        project.join(".claude/settings.local.json"),
        r#"{"statusLine": {"type": "command", "command": "/opt/old/blinkline"}}"#,
    )
    .unwrap();
    let o = Command::new(BIN)
        .arg("doctor")
        .env_clear()
        .env("HOME", s.home())
        .env("XDG_CACHE_HOME", s.dir.join("cache"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("COLUMNS", "120")
        .current_dir(&project)
        .output()
        .unwrap();
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let flowed = out.replace(&format!("\n{:22}", ""), " ");
    assert!(
        flowed.contains("FAIL claude project   ")
            && flowed.contains("runs `/opt/old/blinkline`, which does not exist")
            && flowed.contains("fix: blinkline install claude --settings "),
        "{out}"
    );
}
