//! The zero-allocation promise: after warm-up, a frame allocates nothing.
//!
//! This file holds a single test on purpose, run without libtest (`harness = false`): the
//! counting allocator is process-wide, and libtest's own thread, or a second test running
//! on another thread, would add its allocations to the count.

use blinkline::testing::cli::Cli;
use blinkline::testing::engine::alloc::{CountingAllocator, allocation_counts};
use blinkline::testing::input::env::Environment;
use blinkline::testing::setup::{build_renderer, sample_payload};
use blinkline::testing::tempdir::TempDir;
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::Command;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn renderer_for(args: &[&str], cache_home: &Path) -> blinkline::testing::render::Renderer {
    let cli =
        Cli::try_parse_from(std::iter::once("blinkline").chain(args.iter().copied())).unwrap();
    let env = Environment {
        home: Some("/home/user".into()),
        columns: Some(120),
        colorterm: Some("truecolor".into()),
        xdg_cache_home: Some(cache_home.to_string_lossy().into_owned()),
        vars: vec![("BLINKLINE_PROFILE".into(), Some("prod".into()))],
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
        .env("BLINKLINE_GIT_WATCH", "0")
        .status()
        .unwrap();
    assert!(refreshed.success());
    clone
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

/// The sample payload pointing at a small generated transcript, written in `dir`.
fn payload_with_transcript(dir: &Path) -> (String, String) {
    let path = dir.join("t.jsonl");
    let mut text = String::from(
        "{\"type\":\"user\",\"timestamp\":\"2027-01-15T07:59:00Z\",\"message\":{\"content\":\"hi\"}}\n",
    );
    for i in 0..20 {
        text += &format!(
            "{{\"type\":\"assistant\",\"timestamp\":\"2027-01-15T07:59:30Z\",\"message\":{{\"model\":\"claude-opus-4-6\",\"id\":\"m{i}\",\"content\":[{{\"type\":\"tool_use\"}}],\"usage\":{{\"input_tokens\":3,\"output_tokens\":40,\"cache_read_input_tokens\":9000}}}},\"requestId\":\"r{i}\"}}\n"
        );
    }
    text += "{\"type\":\"system\",\"subtype\":\"compact_boundary\"}\n";
    std::fs::write(&path, text).unwrap();
    let payload = sample_payload(1_800_000_000);
    let json = serde_json::to_string(path.to_str().unwrap()).unwrap();
    let start = payload.find("\"transcript_path\"").unwrap();
    let end = start + payload[start..].find(",\n").unwrap();
    let full = format!(
        "{}\"transcript_path\": {json}{}",
        &payload[..start],
        &payload[end..]
    );
    // Without `context_window`, the context widget falls back to the transcript.
    let bare = format!(r#"{{"model":{{"id":"claude-opus-4-6"}},"transcript_path":{json}}}"#);
    (full, bare)
}

fn main() {
    warm_frames_allocate_nothing_in_every_format_and_layout();
    println!("alloc: warm frames allocate nothing in every format and layout: ok");
    warm_pool_frames_reuse_queue_nodes();
    println!("alloc: warm frames with a pool widget reuse the queue's nodes: ok");
}

/// A slow widget (it runs on the pool) that allocates nothing itself.
struct PoolWidget;

impl blinkline::testing::widgets::Widget for PoolWidget {
    fn render(
        &self,
        ctx: &blinkline::testing::widgets::RenderContext<'_>,
        out: &mut blinkline::testing::engine::slots::SlotContent,
    ) -> blinkline::testing::engine::slots::Outcome {
        out.push_str(if ctx.payload.len() > 2 {
            "pool"
        } else {
            "empty"
        });
        blinkline::testing::engine::slots::Outcome::Shown
    }
    fn cost(&self) -> blinkline::testing::widgets::Cost {
        blinkline::testing::widgets::Cost::Slow
    }
}

/// A cheap widget (rendered inline) that allocates nothing.
struct InlineWidget;

impl blinkline::testing::widgets::Widget for InlineWidget {
    fn render(
        &self,
        _: &blinkline::testing::widgets::RenderContext<'_>,
        out: &mut blinkline::testing::engine::slots::SlotContent,
    ) -> blinkline::testing::engine::slots::Outcome {
        out.push_str("inline");
        blinkline::testing::engine::slots::Outcome::Shown
    }
}

/// A frame with a pool widget: the frame's own path (slots, payload ring, wait, assembly)
/// allocates nothing, and the queue's nodes are recycled (`engine/recycle.rs`), so a job
/// costs no allocation either. What is left is crossbeam-epoch's bag of retired nodes
/// (chains of 16), sealed and queued once per 1024 of them.
fn warm_pool_frames_reuse_queue_nodes() {
    use blinkline::testing::engine::frame::Placement;
    use blinkline::testing::render::{LayoutEntry, Offload, RenderSettings, Renderer};
    use std::time::Duration;
    let placement = Placement {
        line: 0,
        right: false,
        priority: 1,
        keep_stale: true,
    };
    let layout = vec![
        LayoutEntry {
            name: "pool",
            id: String::new(),
            widget: Box::new(PoolWidget),
            placement,
            budget: Duration::from_secs(10),
            style: Default::default(),
            icon: String::new(),
        },
        LayoutEntry {
            name: "model",
            id: String::new(),
            widget: Box::new(InlineWidget),
            placement,
            budget: Duration::from_secs(10),
            style: Default::default(),
            icon: String::new(),
        },
    ];
    let settings = RenderSettings {
        deadline: Duration::from_secs(10),
        threads: 1,
        charset: blinkline::testing::widgets::Charset::Unicode,
        width: None,
        rules: blinkline::testing::width::WidthRules::default(),
        config_flagged: false,
    };
    let sink = Box::new(blinkline::testing::format::json::JsonSink);
    let mut renderer = Renderer::builder(layout, settings, Environment::default(), sink)
        .offload(Offload::SlowOnly)
        .build();
    let payload = sample_payload(1_800_000_000);
    // Warm up past the recycled nodes' working set: the nodes in flight plus those waiting
    // two epochs in crossbeam-epoch's bags and on the threads' free lists (a few hundred).
    for _ in 0..1000 {
        renderer.render(payload.as_bytes());
    }
    const FRAMES: u64 = 1000;
    let (before, _) = allocation_counts();
    for _ in 0..FRAMES {
        let report = renderer.render(payload.as_bytes());
        assert_eq!(report.late, 0, "the pool widget missed a 10 s deadline");
    }
    let (after, _) = allocation_counts();
    let jobs = renderer.metrics().jobs_submitted.get();
    assert_eq!(jobs, 2000, "one pool job per frame");
    let allocations = after - before;
    println!("alloc: {allocations} allocations in {FRAMES} warm pool frames");
    assert!(
        allocations <= FRAMES / 16,
        "{allocations} allocations in {FRAMES} warm pool frames: the queue's nodes are \
         recycled, so only an epoch bag per 1024 retired nodes is expected"
    );
    let frame = String::from_utf8_lossy(renderer.frame().as_bytes()).into_owned();
    assert!(frame.contains("pool"), "{frame:?}");
}

fn warm_frames_allocate_nothing_in_every_format_and_layout() {
    let root = TempDir::new("alloc-git").unwrap();
    let cache_home = root.join("cache");
    let repo = git_fixture(&root);
    let mut payload: serde_json::Value =
        serde_json::from_str(&sample_payload(1_800_000_000)).unwrap();
    payload["workspace"]["current_dir"] = serde_json::Value::from(repo.to_str().unwrap());
    let git_payload = payload.to_string();
    let git_setups: &[&[&str]] = &[
        &["--widgets", "git_branch,git_status,model"],
        &["--widgets", "cwd,git_branch", "--format", "json"],
    ];
    for args in git_setups {
        let mut renderer = renderer_for(args, &cache_home);
        renderer.render(git_payload.as_bytes());
        let frame = String::from_utf8_lossy(renderer.frame().as_bytes()).into_owned();
        assert!(frame.contains("main"), "{frame}");
        assert_warm_frames_allocate_nothing(&mut renderer, &git_payload, args);
    }
    drop(root);
    // The transcript cache goes to a private directory, never the user's.
    let cache = TempDir::new("alloc-cache").unwrap();
    // SAFETY: set before any other thread of this single-test binary starts.
    unsafe { std::env::set_var("XDG_CACHE_HOME", cache.path()) };
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
        let mut renderer = renderer_for(args, Path::new("/nonexistent"));
        assert_warm_frames_allocate_nothing(&mut renderer, payload, args);
    }
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
        &[
            "--theme",
            "powerline",
            "--charset",
            "nerd-font",
            "--color",
            "truecolor",
        ],
        &["--theme", "catppuccin", "--color", "16", "--width", "50"],
        &[
            "--preset",
            "full",
            "--theme",
            "nord",
            "--charset",
            "ascii",
            "--width",
            "60",
        ],
        &[
            "--theme",
            "tokyo-night",
            "--preset",
            "powerline",
            "--width",
            "70",
        ],
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
        let mut renderer = renderer_for(args, Path::new("/nonexistent"));
        assert_warm_frames_allocate_nothing(&mut renderer, &payload, args);
    }
    // Styled, formatted, several instances of one widget, in every format that styles.
    const STYLED: &[&str] = &[
        "--widgets",
        "model,text#a,context,text#b,cost|time",
        "--set=text#a.text=A",
        "--set=text#b.text=B",
        "--set=text#b.separator=powerline",
        "--set=model.format={icon} {short} ({id})",
        "--set=model.fg=#ff8700",
        "--set=model.bold=true",
        "--set=context.format={percent} {bar} of {size}",
        "--set=cost.prefix=spent:",
        "--set=cost.bg=236",
        "--set=cost.underline=true",
    ];
    for look in [
        &["--theme", "nord", "--color", "truecolor"][..],
        &["--theme", "classic", "--color", "16"],
        &["--format", "tmux"],
        &["--format", "tmux", "--theme", "nord"],
        &["--format", "polybar"],
        &["--format", "i3bar"],
        &["--format", "waybar"],
        &["--theme", "powerline", "--color", "256", "--icons", "ascii"],
        &[
            "--theme",
            "capsule",
            "--color",
            "256",
            "--icons",
            "nerd-font",
        ],
        &["--format", "zsh"],
    ] {
        let args: Vec<&str> = STYLED.iter().chain(look).copied().collect();
        let mut renderer = renderer_for(&args, Path::new("/nonexistent"));
        renderer.render(payload.as_bytes());
        let frame = String::from_utf8_lossy(renderer.frame().as_bytes()).into_owned();
        assert!(
            frame.contains("Opus 4.6 (claude-") && frame.contains("spent:$"),
            "{frame}"
        );
        assert_warm_frames_allocate_nothing(&mut renderer, &payload, &args);
    }
    let transcript_dir = TempDir::new("alloc").unwrap();
    let (with_transcript, bare) = payload_with_transcript(&transcript_dir);
    let transcript_args: &[&str] = &[
        "--widgets",
        "session_tokens,messages,compactions,cache_timer,token_speed,block,context",
        "--set",
        "session_tokens.by_model=true",
        "--set",
        "session_tokens.cost=true",
    ];
    for payload in [&with_transcript, &bare] {
        let mut renderer = renderer_for(transcript_args, Path::new("/nonexistent"));
        assert_warm_frames_allocate_nothing(&mut renderer, payload, transcript_args);
    }
    warm_prompt_frames_allocate_nothing(&payload);
}

/// A prompt renderer, with the shell's state for every prompt widget to show.
fn warm_prompt_frames_allocate_nothing(payload: &str) {
    use blinkline::testing::cli::Command;
    use blinkline::testing::input::shell::ShellContext;
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
        ..blinkline::testing::shell::shell_context(prompt)
    };
    let mut renderer = blinkline::testing::shell::prompt_builder(&cli.render, prompt, env)
        .unwrap()
        .shell(shell)
        .build();
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
    renderer: &mut blinkline::testing::render::Renderer,
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
