//! Criterion benches of the render path: payload decoding, one whole warm frame (decode,
//! widgets, assembly) per output format (ansi, plain, json, tmux, i3bar, waybar, polybar,
//! and the zsh prompt), the width fitting of a narrow line, and the configs of
//! `benches/configs/` (5 and 20 widgets in the same look). Pool round trips are in
//! `pool.rs`, widget families in `widgets.rs`.

use std::hint::black_box;

use blinkline::testing::cli::Cli;
use blinkline::testing::input::env::Environment;
use blinkline::testing::input::parse_session;
use blinkline::testing::setup::{build_renderer, sample_payload};
use clap::Parser;
use criterion::{Criterion, criterion_group, criterion_main};

const FIVE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/configs/five.toml");
const TWENTY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/configs/twenty.toml");

fn renderer(args: &[&str]) -> blinkline::testing::render::Renderer {
    let cli = Cli::try_parse_from(std::iter::once("blinkline").chain(args.iter().copied()))
        .expect("valid args");
    let env = Environment {
        home: Some("/home/user".into()),
        colorterm: Some("truecolor".into()),
        ..Environment::default()
    };
    build_renderer(&cli.render, env).expect("valid layout")
}

fn bench_parse(c: &mut Criterion) {
    let payload = sample_payload(1_800_000_000);
    c.bench_function("parse/sample_payload", |b| {
        b.iter(|| {
            let (session, problem) = parse_session(black_box(payload.as_bytes()));
            black_box((session.model.is_some(), problem.is_none()))
        })
    });
}

fn bench_frames(c: &mut Criterion) {
    let payload = sample_payload(1_800_000_000);
    let mut group = c.benchmark_group("frame");
    for (name, args) in [
        ("ansi_default", &[][..]),
        ("plain", &["--format", "plain"][..]),
        ("json", &["--format", "json"][..]),
        ("tmux", &["--format", "tmux"][..]),
        ("i3bar", &["--format", "i3bar"][..]),
        ("waybar", &["--format", "waybar"][..]),
        ("polybar", &["--format", "polybar"][..]),
        ("zsh_prompt", &["--format", "zsh"][..]),
        ("ansi_narrow_40_cols", &["--width", "40"][..]),
        // The per-widget cost: the same look with 5 and with 20 widgets (197 columns, as
        // with COLUMNS=200 and the default margin).
        ("five_widgets", &["--config", FIVE, "--width", "197"][..]),
        (
            "twenty_widgets",
            &["--config", TWENTY, "--width", "197"][..],
        ),
    ] {
        let mut r = renderer(args);
        r.render(payload.as_bytes());
        group.bench_function(name, |b| {
            b.iter(|| black_box(r.render(black_box(payload.as_bytes())).nanos))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench_parse, bench_frames
}
criterion_main!(benches);
