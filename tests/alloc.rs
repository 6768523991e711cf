//! The zero-allocation promise: after warm-up, a frame allocates nothing.
//!
//! This file holds a single test on purpose, run without libtest (`harness = false`): the
//! counting allocator is process-wide, and libtest's own thread, or a second test running
//! on another thread, would add its allocations to the count.

use blinkline::app::{build_renderer, sample_payload};
use blinkline::cli::Cli;
use blinkline::engine::alloc::{CountingAllocator, allocation_counts};
use blinkline::input::env::Environment;
use clap::Parser;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn renderer_for(args: &[&str]) -> blinkline::render::Renderer {
    let cli =
        Cli::try_parse_from(std::iter::once("blinkline").chain(args.iter().copied())).unwrap();
    let env = Environment {
        home: Some("/home/user".into()),
        columns: Some(120),
        colorterm: Some("truecolor".into()),
        ..Environment::default()
    };
    build_renderer(&cli.render, env).unwrap()
}

fn main() {
    warm_frames_allocate_nothing_in_every_format_and_layout();
    println!("alloc: warm frames allocate nothing in every format and layout: ok");
}

fn warm_frames_allocate_nothing_in_every_format_and_layout() {
    let payload = sample_payload(1_800_000_000);
    let setups: &[&[&str]] = &[
        &[],
        &["--format", "json"],
        &["--format", "plain", "--charset", "ascii"],
        &[
            "--widgets",
            "model,context,cost|time;cwd,lines,rate_limits,duration",
            "--width",
            "40",
        ],
        &["--color", "256"],
        &["--format", "tmux", "--widgets", "cwd,model,context|time"],
        &["--format", "i3bar"],
        &["--format", "waybar"],
        &["--format", "polybar", "--width", "50"],
        &[
            "--format",
            "zsh",
            "--set",
            "cwd.style=fish",
            "--set",
            "cwd.max_length=12",
        ],
        &[
            "--format",
            "bash",
            "--widgets",
            "user_host,cwd,venv,shlvl,jobs,status,cmd_duration,char",
            "--set",
            "cwd.repo_relative=true",
            "--set",
            "cwd.style=full",
        ],
    ];
    for args in setups {
        let mut renderer = renderer_for(args);
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
    warm_prompt_frames_allocate_nothing(&payload);
}

/// A prompt renderer, with the shell's state for every prompt widget to show.
fn warm_prompt_frames_allocate_nothing(payload: &str) {
    use blinkline::cli::Command;
    use blinkline::input::shell::ShellContext;
    let cli = Cli::try_parse_from([
        "blinkline",
        "prompt",
        "--shell",
        "zsh",
        "--status",
        "130",
        "--pipestatus",
        "0 130",
        "--duration",
        "65000",
        "--jobs",
        "2",
        "--keymap",
        "vicmd",
    ])
    .unwrap();
    let Some(Command::Prompt(prompt)) = &cli.command else {
        panic!("a prompt command");
    };
    let env = Environment {
        home: Some("/home/user".into()),
        process_cwd: Some(env!("CARGO_MANIFEST_DIR").into()),
        ..Environment::default()
    };
    let shell = ShellContext {
        ssh: true,
        user: Some("ada".into()),
        host: Some("build".into()),
        shlvl: Some(3),
        virtual_env: Some("/home/ada/.venvs/ml".into()),
        ..blinkline::shell::shell_context(prompt)
    };
    let mut renderer = blinkline::shell::prompt_renderer(&cli.render, prompt, env)
        .unwrap()
        .with_shell(shell);
    for _ in 0..3 {
        renderer.render(payload.as_bytes());
    }
    let (before, _) = allocation_counts();
    for _ in 0..1000 {
        renderer.render(b"{}");
    }
    let (after, _) = allocation_counts();
    assert_eq!(after - before, 0, "allocations in 1000 warm prompt frames");
    let frame = String::from_utf8_lossy(renderer.frame().as_bytes()).into_owned();
    assert!(
        frame.contains("ada@build") && frame.contains("130 INT") && frame.contains("(ml)"),
        "{frame:?}"
    );
}
