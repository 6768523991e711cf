//! The zero-allocation promise: after warm-up, a frame allocates nothing.
//!
//! This file holds a single test on purpose: the counting allocator is process-wide, and a
//! second test running on another thread would add its own allocations to the count.

use blinkline::app::{build_renderer, sample_payload};
use blinkline::cli::Cli;
use blinkline::engine::alloc::{CountingAllocator, allocation_counts};
use blinkline::input::env::Environment;
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::Command;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn renderer_for(args: &[&str], cache_home: &Path) -> blinkline::render::Renderer {
    let cli =
        Cli::try_parse_from(std::iter::once("blinkline").chain(args.iter().copied())).unwrap();
    let env = Environment {
        home: Some("/home/user".into()),
        columns: Some(120),
        colorterm: Some("truecolor".into()),
        xdg_cache_home: Some(cache_home.to_string_lossy().into_owned()),
        ..Environment::default()
    };
    build_renderer(&cli.render, env).unwrap()
}

/// A repository with an upstream, a change and a cached status record, so the git widgets
/// take their full path (refs, config, record) in every frame.
fn git_fixture(root: &Path) -> PathBuf {
    let origin = root.join("origin");
    std::fs::create_dir_all(&origin).unwrap();
    let git = |dir: &Path, args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(dir)
            .env("HOME", root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&origin, &["init", "-q"]);
    std::fs::write(origin.join("a.txt"), "a\n").unwrap();
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "-qm", "one"]);
    git(root, &["clone", "-q", "origin", "clone"]);
    let clone = root.join("clone");
    std::fs::write(clone.join("a.txt"), "changed\n").unwrap();
    let refreshed = Command::new(env!("CARGO_BIN_EXE_blinkline"))
        .args(["__refresh-git"])
        .arg(&clone)
        .env("XDG_CACHE_HOME", root.join("cache"))
        .status()
        .unwrap();
    assert!(refreshed.success());
    clone
}

#[test]
fn warm_frames_allocate_nothing_in_every_format_and_layout() {
    let root = std::env::temp_dir().join(format!("blinkline-alloc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let cache_home = root.join("cache");
    let repo = git_fixture(&root);
    let mut payload: serde_json::Value =
        serde_json::from_str(&sample_payload(1_800_000_000)).unwrap();
    payload["workspace"]["current_dir"] = serde_json::Value::from(repo.to_str().unwrap());
    let git_payload = payload.to_string();
    let payload = sample_payload(1_800_000_000);
    let git_setups: &[&[&str]] = &[
        &["--widgets", "git_branch,git_status,model"],
        &["--widgets", "cwd,git_branch", "--format", "json"],
    ];
    for args in git_setups {
        let mut renderer = renderer_for(args, &cache_home);
        renderer.render(git_payload.as_bytes());
        let frame = String::from_utf8_lossy(renderer.frame().as_bytes()).into_owned();
        assert!(frame.contains("main"), "{frame}");
        for _ in 0..3 {
            renderer.render(git_payload.as_bytes());
        }
        let (before, _) = allocation_counts();
        for _ in 0..1000 {
            renderer.render(git_payload.as_bytes());
        }
        let (after, _) = allocation_counts();
        assert_eq!(
            after - before,
            0,
            "allocations in 1000 git frames with {args:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&root);
    let setups: &[&[&str]] = &[
        &[],
        &["--format", "json"],
        &["--format", "plain", "--charset", "ascii"],
        &[
            "--widgets",
            "model,context,cost|time;cwd,lines,rate_limits,duration,git_branch,git_status",
            "--width",
            "40",
        ],
        &["--color", "256"],
    ];
    for args in setups {
        let mut renderer = renderer_for(args, Path::new("/nonexistent"));
        for _ in 0..3 {
            renderer.render(payload.as_bytes());
        }
        let (before, _) = allocation_counts();
        for _ in 0..1000 {
            let report = renderer.render(payload.as_bytes());
            assert!(report.problem.is_none());
        }
        let (after, _) = allocation_counts();
        assert_eq!(
            after - before,
            0,
            "allocations in 1000 warm frames with {args:?}"
        );
        assert!(!renderer.frame().is_empty());
    }
}
