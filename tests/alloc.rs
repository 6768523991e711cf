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

#[test]
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
