//! The zero-allocation promise: after warm-up, a frame allocates nothing.
//!
//! This file holds a single test on purpose: the counting allocator is process-wide, and a
//! second test running on another thread would add its own allocations to the count.

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

/// The sample payload pointing at a small generated transcript.
fn payload_with_transcript() -> String {
    let dir = std::env::temp_dir().join(format!("blinkline-alloc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
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
    format!(
        "{}\"transcript_path\": {json}{}",
        &payload[..start],
        &payload[end..]
    )
}

#[test]
fn warm_frames_allocate_nothing_in_every_format_and_layout() {
    // The transcript cache goes to a private directory, never the user's.
    let cache = std::env::temp_dir().join(format!("blinkline-alloc-cache-{}", std::process::id()));
    // SAFETY: set before any other thread of this single-test binary starts.
    unsafe { std::env::set_var("XDG_CACHE_HOME", &cache) };
    let payload = payload_with_transcript();
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
        &[
            "--widgets",
            "session_tokens,messages,compactions,cache_timer,token_speed,block,context",
            "--set",
            "session_tokens.by_model=true",
            "--set",
            "session_tokens.cost=true",
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
}
