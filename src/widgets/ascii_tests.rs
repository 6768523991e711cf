//! `--charset ascii` promises 7-bit output: every widget, in every style, rendered with a
//! rich payload whose own text (paths, names, command output) is ASCII, must write ASCII
//! only. Non-ASCII data still passes through as data; this checks the glyphs we add.

use crate::git::test_repo::{git, with_commit};
use crate::input::env::Environment;
use crate::input::shell::{Keymap, ShellContext};
use crate::transcript::testing::TranscriptBuilder;
use crate::widgets::options::OptionValue;
use crate::widgets::testing::{NOW, WidgetTester};
use crate::widgets::{Charset, REGISTRY};

fn shell() -> ShellContext {
    let mut pipestatus = arrayvec::ArrayVec::new();
    pipestatus.extend([0, 1, 130]);
    ShellContext {
        shell: Some(crate::input::shell::ShellKind::Zsh),
        status: Some(130),
        pipestatus,
        duration_ms: Some(125_000),
        jobs: 3,
        keymap: Keymap::Normal,
        user: Some("root".into()),
        host: Some("box".into()),
        root: true,
        ssh: true,
        shlvl: Some(4),
        tmux: false,
        virtual_env: Some("/home/user/venvs/app".into()),
        conda_env: Some("science".into()),
    }
}

fn payload(transcript: &std::path::Path, repo: &std::path::Path) -> String {
    serde_json::json!({
        "session_id": "9f1c2d7e-4b8a-4c61",
        "session_name": "demo",
        "transcript_path": transcript,
        "cwd": repo.join("sub"),
        "model": {"id": "claude-opus-4-6[1m]", "display_name": "Opus 4.6"},
        "workspace": {
            "current_dir": repo.join("sub"),
            "project_dir": repo,
            "added_dirs": ["/a", "/b"],
            "git_worktree": "wt",
            "repo": {"host": "github.com", "owner": "o", "name": "r"}
        },
        "version": "2.1.210",
        "output_style": {"name": "explanatory"},
        "cost": {"total_cost_usd": 12.5, "total_duration_ms": 7_200_000,
                 "total_api_duration_ms": 600_000, "total_lines_added": 412,
                 "total_lines_removed": 87},
        "context_window": {"used_percentage": 93, "remaining_percentage": 7,
                           "context_window_size": 1_000_000,
                           "current_usage": {"input_tokens": 4, "output_tokens": 812,
                                             "cache_creation_input_tokens": 2211,
                                             "cache_read_input_tokens": 73785}},
        "exceeds_200k_tokens": true,
        "fast_mode": true,
        "effort": {"level": "high"},
        "thinking": {"enabled": true},
        "rate_limits": {
            "five_hour": {"used_percentage": 97, "resets_at": NOW + 600},
            "seven_day": {"used_percentage": 3, "resets_at": NOW + 5 * 86_400}
        },
        "vim": {"mode": "VISUAL LINE"},
        "agent": {"name": "reviewer"},
        "pr": {"number": 123, "url": "https://github.com/o/r/pull/123",
               "review_state": "changes_requested"},
        "worktree": {"name": "wt", "path": "/tmp/wt", "branch": "feature",
                     "original_cwd": "/home/user/app", "original_branch": "main"}
    })
    .to_string()
}

/// Option sets worth rendering besides the defaults, per widget.
fn variants(name: &str) -> Vec<Vec<(&'static str, OptionValue)>> {
    let s = |v: &str| OptionValue::Str(v.into());
    let b = OptionValue::Bool;
    let i = OptionValue::Int;
    match name {
        "context" => ["bar", "percent", "used_total", "remaining", "usable"]
            .iter()
            .map(|style| vec![("style", s(style))])
            .collect(),
        "cwd" => ["basename", "full", "short"]
            .iter()
            .map(|style| vec![("style", s(style)), ("max_length", i(6))])
            .collect(),
        "session_tokens" => ["total", "split", "full", "exact"]
            .iter()
            .map(|style| {
                vec![
                    ("style", s(style)),
                    ("by_model", b(true)),
                    ("cost", b(true)),
                ]
            })
            .collect(),
        "tokens" => vec![vec![("total", b(true))]],
        "rate_limits" => vec![vec![("pace", b(true))]],
        "git_branch" => vec![vec![("max_length", i(3))]],
        "git_status" => vec![vec![("lines", b(true))]],
        "vim" => vec![vec![("short", b(true))]],
        "user_host" => vec![vec![("always", b(true)), ("show_host", s("always"))]],
        "text" => vec![vec![("text", s("hi"))]],
        "env" => vec![vec![("name", s("TERM")), ("prefix", s("t "))]],
        "link" => vec![vec![("url", s("https://example.com")), ("text", s("docs"))]],
        "command" => vec![
            vec![("command", s("echo hi"))],
            vec![
                ("command", s("/nonexistent/blinkline-cmd")),
                ("trusted", b(true)),
            ],
        ],
        _ => vec![],
    }
}

/// Widgets that cannot be built without options.
fn required(name: &str) -> bool {
    matches!(name, "text" | "env" | "link" | "command")
}

#[test]
#[cfg_attr(not(unix), ignore = "needs git")]
fn ascii_charset_renders_every_widget_in_ascii_only() {
    let transcript = TranscriptBuilder::new()
        .prompt(3000)
        .call("m1", "claude-opus-4-6", (3, 900, 70_000, 2_000), 2, 2990)
        .tool_result(2980)
        .compact(2000)
        .prompt(100)
        .call("m2", "claude-haiku-4-5", (5, 300, 1_000, 500), 1, 60)
        .raw("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":\n")
        .write("ascii");
    let repo = with_commit("ascii");
    std::fs::create_dir_all(repo.root.join("sub")).unwrap();
    std::fs::write(repo.root.join("a.txt"), "changed\n").unwrap();
    std::fs::write(repo.root.join("new.txt"), "new\n").unwrap();
    git(&repo.root, &["stash", "-q"]);
    std::fs::write(repo.root.join("a.txt"), "again\n").unwrap();
    let cache = crate::tempdir::TempDir::new("ascii-cache").unwrap();
    let env = Environment {
        home: Some("/home/user".into()),
        xdg_cache_home: Some(cache.path().to_string_lossy().into_owned()),
        vars: vec![("TERM".into(), Some("xterm".into()))],
        ..Environment::default()
    };
    let payload = payload(&transcript, &repo.root);
    let mut shown = Vec::new();
    let mut not_ascii = Vec::new();
    for info in REGISTRY {
        let mut sets = variants(info.name);
        if !required(info.name) {
            sets.push(vec![]);
        }
        for set in sets {
            let mut tester = WidgetTester::new(info.name)
                .charset(Charset::Ascii)
                .env(env.clone())
                .shell(shell());
            for (key, value) in &set {
                tester = tester.option(key, value.clone());
            }
            let r = tester.render(&payload);
            for text in [&r.text, &r.short] {
                if !text.is_ascii() {
                    not_ascii.push(format!("{} {set:?}: {text:?}", info.name));
                }
            }
            if !r.text.is_empty() {
                shown.push(info.name);
            }
        }
    }
    assert!(not_ascii.is_empty(), "not ASCII:\n{}", not_ascii.join("\n"));
    // The fixture is rich enough that nearly every widget shows something.
    let silent: Vec<_> = REGISTRY
        .iter()
        .map(|i| i.name)
        .filter(|n| !shown.contains(n))
        .collect();
    assert!(
        silent.len() <= 3,
        "hidden with the rich payload: {silent:?}"
    );
}
