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
        vars: vec![("BLINKLINE_PROFILE".into(), Some("prod".into()))],
        ..Environment::default()
    };
    build_renderer(&cli.render, env).unwrap()
}

fn main() {
    warm_frames_allocate_nothing_in_every_format_and_layout();
    println!("alloc: warm frames allocate nothing in every format and layout: ok");
}

/// A payload with every field the cheap widgets read (no escaped strings: those decode
/// into owned strings, which is the parser's allocation, not a widget's).
const FULL_PAYLOAD: &str = r#"{"session_id":"9f1c2d7e-4b8a-4c61","session_name":"refactor",
  "cwd":"/home/user/src/app/sub","version":"2.1.210",
  "model":{"id":"claude-opus-4-6[1m]","display_name":"Opus 4.6 (1M context)"},
  "workspace":{"current_dir":"/home/user/src/app/sub","project_dir":"/home/user/src/app",
    "added_dirs":["/a","/b"],"git_worktree":"/home/user/src/app-wt/feature",
    "repo":{"host":"github.com","owner":"o","name":"app"}},
  "output_style":{"name":"Explanatory"},
  "cost":{"total_cost_usd":4.2,"total_duration_ms":5400000,"total_api_duration_ms":900000,
    "total_lines_added":10,"total_lines_removed":2},
  "context_window":{"context_window_size":1000000,"used_percentage":21,"remaining_percentage":79,
    "current_usage":{"input_tokens":4,"output_tokens":812,"cache_creation_input_tokens":2211,
      "cache_read_input_tokens":203785}},
  "exceeds_200k_tokens":true,"fast_mode":true,"effort":{"level":"high"},"thinking":{"enabled":true},
  "rate_limits":{"five_hour":{"used_percentage":40,"resets_at":4102444800},
    "seven_day":{"used_percentage":41,"resets_at":4102444800}},
  "vim":{"mode":"VISUAL LINE"},"agent":{"name":"reviewer"},
  "pr":{"number":12,"url":"https://github.com/o/app/pull/12","review_state":"approved","kind":"pr"},
  "worktree":{"name":"fix","branch":"wt/fix","path":"/w"}}"#;

/// Every cheap widget, on two lines, with the options that need values.
const ALL_CHEAP: &[&str] = &[
    "--widgets",
    "model,context,tokens,context_1m,exceeds_200k,cost,burn_rate,duration,lines,rate_limits,rate_5h,rate_7d;\
     effort,thinking,fast_mode,output_style,version,session,vim,agent,worktree,git_worktree,pr,repo,\
     added_dirs,project_dir,text,env,link,cwd|time",
    "--set",
    "text.text=dev",
    "--set",
    "env.name=BLINKLINE_PROFILE",
    "--set",
    "link.url=https://status.example.com",
    "--set",
    "rate_limits.pace=true",
    "--set",
    "context.style=usable",
];

fn warm_frames_allocate_nothing_in_every_format_and_layout() {
    let payload = sample_payload(1_800_000_000);
    let with_format = |format: &'static str| {
        let mut args = vec!["--format", format];
        args.extend_from_slice(ALL_CHEAP);
        args
    };
    let full: Vec<(Vec<&str>, &str)> = vec![
        (ALL_CHEAP.to_vec(), FULL_PAYLOAD),
        (with_format("json"), FULL_PAYLOAD),
        (with_format("plain"), FULL_PAYLOAD),
        (ALL_CHEAP.to_vec(), payload.as_str()),
    ];
    for (args, payload) in &full {
        let mut renderer = renderer_for(args);
        assert_warm_frames_allocate_nothing(&mut renderer, payload, args);
    }
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
        assert_warm_frames_allocate_nothing(&mut renderer, &payload, args);
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

fn assert_warm_frames_allocate_nothing(
    renderer: &mut blinkline::render::Renderer,
    payload: &str,
    args: &[&str],
) {
    // A long warm-up: the counter is process-wide, and the test harness's main thread
    // still allocates for a moment after starting this test.
    for _ in 0..100 {
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
