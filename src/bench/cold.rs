//! `blinkline bench --cold`: frames that find nothing cached.
//!
//! The renderer gets a cache directory of its own (`XDG_CACHE_HOME` pointed at a
//! temporary directory, removed at the end). Before each frame, untimed, that directory is
//! emptied and every widget forgets what caches told it ([`Renderer::forget_cached`]: the
//! discovered repository, the records read, the tracked transcript). The timed frame is
//! then what a render with nothing cached sets off, end to end: the render itself, then its
//! deferred work ([`Renderer::after_frame`]), whose refreshers (`git status` into the
//! record, the transcript scan) run in this process (an inline [`Refresher`]) instead of
//! detached, so their cost is counted. The report says how many transcript bytes were read
//! and how many git refreshes ran per frame, which is how the tests check that every cold
//! frame redid the work.
//!
//! What is not dropped: the kernel's page cache (that needs root), and the last output of a
//! `command` widget (it runs its command every frame anyway).

use std::time::Instant;

use super::{BenchReport, EngineUse, WorkCounts};
use crate::cache::Refresher;
use crate::cli::BenchArgs;
use crate::config::resolve::Settings;
use crate::engine::alloc::allocation_counts;
use crate::engine::metrics::Histogram;
use crate::error::Error;
use crate::input::env::Environment;
use crate::render::Renderer;
use crate::tempdir::TempDir;

/// A private temporary `XDG_CACHE_HOME` (mode 0700), removed on drop.
struct ColdCacheHome {
    root: TempDir,
}

impl ColdCacheHome {
    fn create() -> Result<Self, Error> {
        let root = TempDir::new("bench-cold")?;
        Ok(ColdCacheHome { root })
    }

    /// Removes every record, lock and spare file: the next frame finds an empty cache.
    fn empty(&self) {
        let _ = std::fs::remove_dir_all(self.root.join("blinkline"));
    }
}

/// One cold frame: caches dropped (untimed), then render and deferred work (timed).
fn cold_frame(renderer: &mut Renderer, home: &ColdCacheHome, payload: &[u8]) -> u64 {
    home.empty();
    renderer.forget_cached();
    let started = Instant::now();
    renderer.render(payload);
    renderer.after_frame();
    started.elapsed().as_nanos() as u64
}

/// Runs `--warmup` then `--frames` cold frames of `payload`.
pub fn run(settings: &Settings, bench: &BenchArgs, payload: &[u8]) -> Result<BenchReport, Error> {
    let home = ColdCacheHome::create()?;
    let mut env = Environment::capture();
    env.xdg_cache_home = Some(home.root.to_string_lossy().into_owned());
    let refresher_env = env.clone();
    let mut renderer = crate::setup::renderer(settings, env)?;
    renderer.set_widget_timing(true);
    // Refreshers run in this process, timed with the frame; errors are dropped, as a
    // detached refresher's are.
    renderer.set_refresher(Refresher::Inline(Box::new(move |job| {
        let _ = crate::commands::refresh(job, &refresher_env, false);
    })));
    for _ in 0..bench.warmup {
        cold_frame(&mut renderer, &home, payload);
    }
    renderer.metrics().widgets.iter().for_each(Histogram::reset);
    let histogram = Histogram::new();
    let work_before = WorkCounts::now();
    let engine_before = EngineUse::now(&renderer);
    let (allocs_before, bytes_before) = allocation_counts();
    for _ in 0..bench.frames() {
        histogram.record(cold_frame(&mut renderer, &home, payload));
    }
    let (allocs_after, bytes_after) = allocation_counts();
    let frames = bench.frames().max(1) as f64;
    let (transcript_bytes_per_frame, git_refreshes_per_frame) =
        WorkCounts::now().per_frame_since(work_before, frames);
    let engine = EngineUse::now(&renderer).per_frame_since(engine_before, frames);
    let widgets = renderer
        .report()
        .map(|w| w.name)
        .zip(renderer.metrics().widgets.iter().map(Histogram::summary))
        .collect();
    Ok(BenchReport {
        cold: true,
        frames: bench.frames(),
        threads: renderer.pool_threads() + crate::engine::batch::stats().threads,
        frame: histogram.summary(),
        widgets,
        allocations_per_frame: (allocs_after - allocs_before) as f64 / frames,
        bytes_per_frame: (bytes_after - bytes_before) as f64 / frames,
        queue_ops_per_sec: engine.queue_ops / (histogram.summary().mean.max(1) as f64 / 1e9),
        frame_bytes: renderer.frame().len(),
        transcript_bytes_per_frame,
        git_refreshes_per_frame,
        engine,
        histogram: histogram.nonzero_buckets().collect(),
    })
}
