//! One warm frame per widget family, each the real render path (decode, widgets, assembly):
//! - `payload`: every widget that reads only the payload, on the sample payload;
//! - `git`: `git_branch` and `git_status` on a warm record (the refresher's work done once
//!   beforehand into a private cache), in the fixtures' 50-file and 20,000-file
//!   repositories;
//! - `transcript`: the transcript widgets on a fully scanned transcript with nothing new
//!   (one `stat` a frame), the fixtures' 136 KB and 50 MB transcripts.
//!
//! The git and transcript benches read the fixtures of `make-fixtures.py` from the
//! directory in `$BLINKLINE_FIXTURES` (`make bench` passes its `FIXTURES`) and are skipped,
//! with a note on stderr, when it is unset or lacks them.
//!
//! Measured (2-vCPU VM, load ≈ 10, medians): payload (23 widgets) 9.9 µs; git 161 µs
//! (50 files) and 159 µs (20,000 files: the record makes the size irrelevant); transcript
//! 23 µs (136 KB) and 26 µs (50 MB: one `stat`, nothing read).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use blinkline::testing::cache::Cache;
use blinkline::testing::cli::Cli;
use blinkline::testing::git::discover::GitEnv;
use blinkline::testing::git::refresh::{RefreshRequest, refresh};
use blinkline::testing::input::env::Environment;
use blinkline::testing::render::Renderer;
use blinkline::testing::setup::{build_renderer, sample_payload};
use blinkline::testing::tempdir::TempDir;
use clap::Parser;
use criterion::{Criterion, criterion_group, criterion_main};

const PAYLOAD_WIDGETS: &str = "model,context,cost,duration,lines,rate_limits,tokens,\
    context_1m,exceeds_200k,burn_rate,rate_5h,rate_7d,effort,thinking,fast_mode,\
    output_style,version,session,vim,agent,worktree,added_dirs,project_dir";
const GIT_WIDGETS: &str = "git_branch,git_status";
const TRANSCRIPT_WIDGETS: &str = "session_tokens,messages,compactions,block,token_speed";

/// A private `XDG_CACHE_HOME` under the temporary directory, removed on drop.
struct CacheHome(TempDir);

impl CacheHome {
    fn new() -> Self {
        CacheHome(TempDir::new("bench-widgets").expect("temporary directory"))
    }

    fn env(&self) -> Environment {
        Environment {
            home: Some("/home/user".into()),
            colorterm: Some("truecolor".into()),
            xdg_cache_home: Some(self.0.to_string_lossy().into_owned()),
            ..Environment::default()
        }
    }
}

fn renderer(env: Environment, widgets: &str, extra: &[&str]) -> Renderer {
    let args = ["blinkline", "--widgets", widgets, "--width", "400"];
    let cli = Cli::try_parse_from(args.iter().chain(extra)).expect("valid args");
    build_renderer(&cli.render, env).expect("valid layout")
}

/// The fixture payload `name` (`input-small-small.json`, …), if the fixtures are there.
fn fixture(name: &str) -> Option<Vec<u8>> {
    let dir = std::env::var_os("BLINKLINE_FIXTURES")?;
    std::fs::read(Path::new(&dir).join(name)).ok()
}

/// A payload's string field at `pointer` (`/transcript_path`, `/workspace/current_dir`).
fn field(payload: &[u8], pointer: &str) -> String {
    let value: serde_json::Value = serde_json::from_slice(payload).expect("fixture JSON");
    value
        .pointer(pointer)
        .and_then(|v| v.as_str())
        .expect("fixture field")
        .to_owned()
}

fn bench_frame(c: &mut Criterion, name: &str, renderer: &mut Renderer, payload: &[u8]) {
    renderer.render(payload);
    c.bench_function(name, |b| {
        b.iter(|| black_box(renderer.render(black_box(payload)).nanos))
    });
}

fn bench_payload_widgets(c: &mut Criterion) {
    let home = CacheHome::new();
    let payload = sample_payload(1_800_000_000);
    let mut r = renderer(home.env(), PAYLOAD_WIDGETS, &[]);
    bench_frame(c, "widgets/payload", &mut r, payload.as_bytes());
}

fn bench_git_widgets(c: &mut Criterion) {
    for (name, input) in [
        ("widgets/git/repo_50_files", "input-small-small.json"),
        ("widgets/git/repo_20000_files", "input-large-small.json"),
    ] {
        let Some(payload) = fixture(input) else {
            eprintln!("{name}: skipped (no {input} in $BLINKLINE_FIXTURES)");
            continue;
        };
        let home = CacheHome::new();
        let env = home.env();
        let cache = Cache::open(&env).expect("cache directory");
        let dir = PathBuf::from(field(&payload, "/workspace/current_dir"));
        let request = RefreshRequest {
            dir: &dir,
            diffstat: false,
            locked: false,
            watch: false,
        };
        refresh(&request, &GitEnv::from_vars(None, None, None), &cache).expect("git refresh");
        // A record that stays fresh for the whole bench: no frame shows it stale.
        let mut r = renderer(
            env,
            GIT_WIDGETS,
            &["--set", "git_status.refresh_ms=3600000"],
        );
        bench_frame(c, name, &mut r, &payload);
    }
}

fn bench_transcript_widgets(c: &mut Criterion) {
    for (name, input) in [
        (
            "widgets/transcript/136KB_nothing_new",
            "input-small-small.json",
        ),
        (
            "widgets/transcript/50MB_nothing_new",
            "input-small-large.json",
        ),
    ] {
        let Some(payload) = fixture(input) else {
            eprintln!("{name}: skipped (no {input} in $BLINKLINE_FIXTURES)");
            continue;
        };
        let home = CacheHome::new();
        let env = home.env();
        blinkline::testing::transcript::refresh(&field(&payload, "/transcript_path"), &env)
            .expect("transcript scan");
        let mut r = renderer(env, TRANSCRIPT_WIDGETS, &[]);
        bench_frame(c, name, &mut r, &payload);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench_payload_widgets, bench_git_widgets, bench_transcript_widgets
}
criterion_main!(benches);
