//! `blinkline bench`: measures the real render path in-process.
//!
//! It builds the same renderer a normal run builds, renders `--warmup` frames, then
//! `--frames` frames of the same payload, and reports the frame latency percentiles (from
//! the engine's own atomic histogram), allocations and bytes allocated per frame (from the
//! counting global allocator), and the pool's queue operations per second when widgets run
//! on the pool. Each widget's latency comes from a second pass with widget timing on (up
//! to 5,000 frames), so the frame figures are what a normal render pays, without the
//! timing a normal render does not do. Frames are assembled but not written, so the
//! figures are the renderer's alone. It also counts the transcript bytes read and the git
//! refreshes run per frame (both 0 for warm frames with nothing new).
//!
//! `--cold` (`cold.rs`) measures frames with nothing cached instead; `--compare`
//! (`compare.rs`) compares queues or pool sizes; `--processes` (`processes.rs`) times whole
//! processes against a floor binary. [`command`] picks one.

pub mod cold;
pub mod compare;
pub mod processes;

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Instant;

use crate::cli::{BenchArgs, CompareWhat, RenderArgs, Threads};
use crate::config::resolve::Settings;
use crate::engine::alloc::allocation_counts;
use crate::engine::metrics::{Histogram, Summary};
use crate::error::Error;
use crate::input::env::Environment;
use crate::render::Offload;
use crate::setup::{AUTO_THREADS_CAP, sample_payload};

/// The first line-shaping flag given on the command line (`--widgets`, `--set`, `--config`,
/// `--preset`, `--theme`, `--width`), for the modes that build no renderer of their own and
/// would silently ignore it: `--processes` (the timed binary gets `--exe-arg`s) and
/// `--compare queue`.
pub fn line_flag_given(args: &RenderArgs) -> Option<&'static str> {
    [
        ("--widgets", args.widgets.is_some()),
        ("--set", !args.set.is_empty()),
        ("--config", args.config.is_some()),
        ("--preset", args.preset.is_some()),
        ("--theme", args.theme.is_some()),
        ("--width", args.width.is_some()),
    ]
    .into_iter()
    .find_map(|(flag, given)| given.then_some(flag))
}

/// Frames of the pass that times each widget.
const WIDGET_PASS_FRAMES: u64 = 5_000;

/// What one benchmark run measured.
pub struct BenchReport {
    /// Frames with blinkline's caches dropped first (`--cold`).
    pub cold: bool,
    pub frames: u64,
    pub threads: usize,
    pub frame: Summary,
    pub widgets: Vec<(&'static str, Summary)>,
    pub allocations_per_frame: f64,
    pub bytes_per_frame: f64,
    pub queue_ops_per_sec: f64,
    pub frame_bytes: usize,
    pub transcript_bytes_per_frame: f64,
    pub git_refreshes_per_frame: f64,
    /// What the engine's pools did per frame: the renderer's widget pool and the batch
    /// pool of the refreshers run in this process (`--cold`).
    pub engine: EngineUse,
    /// Frame latency histogram: (bucket upper bound ns, count).
    pub histogram: Vec<(u64, u64)>,
}

/// Engine activity: worker threads started, jobs queued, queue operations (pushes plus
/// pops) and steals (batch items a worker took from the thread that started the batch).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EngineUse {
    pub threads: usize,
    pub jobs: f64,
    pub queue_ops: f64,
    pub steals: f64,
}

impl EngineUse {
    /// The totals so far of `renderer`'s pool and of the batch pool.
    pub fn now(renderer: &crate::render::Renderer) -> EngineUse {
        let batch = crate::engine::batch::stats();
        EngineUse {
            threads: renderer.pool_threads() + batch.threads,
            jobs: (renderer.metrics().jobs_submitted.get() + batch.jobs) as f64,
            queue_ops: (renderer.pool_queue_ops() + batch.queue_ops) as f64,
            steals: batch.steals as f64,
        }
    }

    /// Per frame since `before` (threads: now).
    pub fn per_frame_since(self, before: EngineUse, frames: f64) -> EngineUse {
        EngineUse {
            threads: self.threads,
            jobs: (self.jobs - before.jobs) / frames,
            queue_ops: (self.queue_ops - before.queue_ops) / frames,
            steals: (self.steals - before.steals) / frames,
        }
    }

    /// `pool threads N   jobs/frame …   queue ops/frame …   steals/frame …`.
    pub fn to_text(self) -> String {
        format!(
            "pool threads {}   jobs/frame {:.1}   queue ops/frame {:.1}   steals/frame {:.1}",
            self.threads, self.jobs, self.queue_ops, self.steals
        )
    }
}

/// What the process has done so far: read from transcripts, refreshed git records.
#[derive(Clone, Copy)]
struct WorkCounts {
    transcript_bytes: u64,
    git_refreshes: u64,
}

impl WorkCounts {
    fn now() -> Self {
        WorkCounts {
            transcript_bytes: crate::transcript::bytes_read(),
            git_refreshes: crate::git::refresh::refreshes(),
        }
    }

    /// Per frame since `before`: (transcript bytes, git refreshes).
    fn per_frame_since(self, before: WorkCounts, frames: f64) -> (f64, f64) {
        (
            (self.transcript_bytes - before.transcript_bytes) as f64 / frames,
            (self.git_refreshes - before.git_refreshes) as f64 / frames,
        )
    }
}

/// `blinkline bench`: the benchmark `bench` asks for, its report on stdout.
pub fn command(args: &RenderArgs, bench: &BenchArgs) -> Result<ExitCode, Error> {
    if let Some(flag) = line_flag_given(args) {
        let processes = bench.processes.is_some();
        if processes || bench.compare == Some(CompareWhat::Queue) {
            return Err(Error::BenchIgnoresFlag { flag, processes });
        }
    }
    if let Some(runs) = bench.processes {
        return command_processes(args, bench, runs);
    }
    let payload = bench_payload(args)?;
    if bench.compare == Some(CompareWhat::Queue) {
        let text = compare::queues(bench.frames().max(1000) * 100, bench.warmup, bench.json);
        let _ = std::io::stdout().write_all(text.as_bytes());
        return Ok(ExitCode::SUCCESS);
    }
    let settings = Settings::resolve(args, &Environment::capture())?;
    let text = if bench.compare == Some(CompareWhat::Threads) {
        let max = match settings.threads {
            Threads::Count(n) if n > 0 => n,
            _ => crate::engine::pool::default_threads(AUTO_THREADS_CAP).max(2),
        };
        compare::threads(&settings, bench, &payload, max)?
    } else {
        let report = run(&settings, bench, &payload)?;
        if bench.json {
            report.to_json()
        } else {
            report.to_text()
        }
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The payload to measure, found as a render finds it: `--input FILE` (`-` is stdin),
/// else a payload piped on stdin; `--sample`, a terminal or an empty stdin measure the
/// sample payload.
fn bench_payload(args: &RenderArgs) -> Result<Vec<u8>, Error> {
    let mut payload = Vec::new();
    let sample = args.sample || (args.input.is_none() && std::io::stdin().is_terminal());
    if let Some(problem) = crate::setup::read_input(args.input.as_deref(), sample, &mut payload) {
        return Err(problem.into());
    }
    if !sample && args.input.is_none() && payload.iter().all(u8::is_ascii_whitespace) {
        crate::setup::read_input(None, true, &mut payload);
    }
    Ok(payload)
}

/// `bench --processes N`.
fn command_processes(args: &RenderArgs, bench: &BenchArgs, runs: usize) -> Result<ExitCode, Error> {
    let exe = match &bench.exe {
        Some(path) => path.clone(),
        None => std::env::current_exe().map_err(Error::io_at("cannot find this binary"))?,
    };
    let floor = bench
        .floor
        .clone()
        .unwrap_or_else(|| processes::default_floor(&exe));
    if !floor.is_file() {
        return Err(Error::NoFloor(floor));
    }
    // Holds the sample payload's file, when one is written, until the runs are done.
    let mut sample_dir = None;
    let payload_path = match &args.input {
        Some(path) => path.clone(),
        None => sample_dir
            .insert(write_sample_payload()?)
            .join("payload.json"),
    };
    let report = processes::compare(
        &exe,
        &bench.exe_args,
        &floor,
        &payload_path,
        runs.max(1),
        bench.idle,
    )?;
    let text = if bench.json {
        report.to_json()
    } else {
        report.to_text()
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The sample payload in `payload.json` of a temporary directory (removed on drop).
fn write_sample_payload() -> Result<crate::tempdir::TempDir, Error> {
    let dir = crate::tempdir::TempDir::new("bench-payload")?;
    let path = dir.join("payload.json");
    std::fs::write(&path, sample_payload(crate::engine::clock::unix_now()))
        .map_err(Error::io_at(path.display().to_string()))?;
    Ok(dir)
}

/// Runs the benchmark on `payload`.
pub fn run(settings: &Settings, bench: &BenchArgs, payload: &[u8]) -> Result<BenchReport, Error> {
    if bench.cold {
        return cold::run(settings, bench, payload);
    }
    let offload = if bench.all_on_pool {
        Offload::All
    } else {
        Offload::SlowOnly
    };
    let mut renderer = crate::setup::builder(settings, Environment::capture())?
        .offload(offload)
        .build();
    for _ in 0..bench.warmup {
        renderer.render(payload);
        // As after a real frame: store what the frame computed (e.g. a small repository's
        // git status), so the measured frames are warm.
        renderer.after_frame();
    }
    let metrics = renderer.metrics();
    metrics.frame.reset();
    metrics.widgets.iter().for_each(Histogram::reset);
    let ops_before = renderer.pool_queue_ops();
    let engine_before = EngineUse::now(&renderer);
    let work_before = WorkCounts::now();
    let (allocs_before, bytes_before) = allocation_counts();
    let started = Instant::now();
    for _ in 0..bench.frames() {
        renderer.render(payload);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (allocs_after, bytes_after) = allocation_counts();
    let frames = bench.frames().max(1) as f64;
    let (transcript_bytes_per_frame, git_refreshes_per_frame) =
        WorkCounts::now().per_frame_since(work_before, frames);
    let queue_ops = renderer.pool_queue_ops() - ops_before;
    let engine = EngineUse::now(&renderer).per_frame_since(engine_before, frames);
    let frame = renderer.metrics().frame.summary();
    let histogram = renderer.metrics().frame.nonzero_buckets().collect();
    renderer.set_widget_timing(true);
    renderer.metrics().widgets.iter().for_each(Histogram::reset);
    for _ in 0..bench.frames().min(WIDGET_PASS_FRAMES) {
        renderer.render(payload);
    }
    let metrics = renderer.metrics();
    let widgets = renderer
        .report()
        .map(|w| w.name)
        .zip(metrics.widgets.iter().map(Histogram::summary))
        .collect();
    Ok(BenchReport {
        cold: false,
        frames: bench.frames(),
        threads: renderer.pool_threads(),
        frame,
        widgets,
        allocations_per_frame: (allocs_after - allocs_before) as f64 / frames,
        bytes_per_frame: (bytes_after - bytes_before) as f64 / frames,
        queue_ops_per_sec: queue_ops as f64 / elapsed.max(1e-9),
        frame_bytes: renderer.frame().len(),
        transcript_bytes_per_frame,
        git_refreshes_per_frame,
        engine,
        histogram,
    })
}

fn micros(nanos: u64) -> f64 {
    nanos as f64 / 1000.0
}

impl BenchReport {
    /// A human-readable report with a latency histogram.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let f = &self.frame;
        let _ = writeln!(
            s,
            "{} frames: {}   pool threads: {}   frame size: {} bytes",
            if self.cold { "cold" } else { "warm" },
            self.frames,
            self.threads,
            self.frame_bytes
        );
        if !crate::sys::affinity::SUPPORTED {
            s.push_str(
                "pool threads are not pinned: thread pinning is not supported on this platform\n",
            );
        }
        let _ = writeln!(
            s,
            "frame latency µs   p50 {:.2}   p90 {:.2}   p99 {:.2}   p99.9 {:.2}   max {:.2}   mean {:.2}",
            micros(f.p50),
            micros(f.p90),
            micros(f.p99),
            micros(f.p999),
            micros(f.max),
            micros(f.mean)
        );
        let _ = writeln!(
            s,
            "allocations/frame {:.3}   bytes/frame {:.1}   queue ops/s {:.0}",
            self.allocations_per_frame, self.bytes_per_frame, self.queue_ops_per_sec
        );
        let _ = writeln!(
            s,
            "transcript bytes read/frame {:.0}   git refreshes/frame {:.2}",
            self.transcript_bytes_per_frame, self.git_refreshes_per_frame
        );
        let _ = writeln!(s, "engine: {}", self.engine.to_text());
        let _ = writeln!(s, "\nwidget         p50 µs   p99 µs   max µs");
        for (name, w) in &self.widgets {
            let _ = writeln!(
                s,
                "{name:<13} {:>7.2}  {:>7.2}  {:>7.2}",
                micros(w.p50),
                micros(w.p99),
                micros(w.max)
            );
        }
        s.push_str("\nframe latency histogram\n");
        s.push_str(&self.histogram_text());
        s
    }

    /// One bar per populated bucket, scaled to 50 columns.
    fn histogram_text(&self) -> String {
        let mut s = String::new();
        let peak = self
            .histogram
            .iter()
            .map(|&(_, n)| n)
            .max()
            .unwrap_or(1)
            .max(1);
        for &(upper, count) in &self.histogram {
            let width = ((count as f64 / peak as f64) * 50.0).ceil() as usize;
            let _ = writeln!(
                s,
                "≤{:>9.2} µs │{:<50} {}",
                micros(upper),
                "█".repeat(width),
                count
            );
        }
        s
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        let summary = |w: &Summary| {
            format!(
                "{{\"count\":{},\"mean_ns\":{},\"p50_ns\":{},\"p90_ns\":{},\"p99_ns\":{},\"p999_ns\":{},\"max_ns\":{}}}",
                w.count, w.mean, w.p50, w.p90, w.p99, w.p999, w.max
            )
        };
        let widgets: Vec<String> = self
            .widgets
            .iter()
            .map(|(name, w)| format!("\"{name}\":{}", summary(w)))
            .collect();
        let histogram: Vec<String> = self
            .histogram
            .iter()
            .map(|(upper, count)| format!("[{upper},{count}]"))
            .collect();
        format!(
            "{{\"cold\":{},\"frames\":{},\"threads\":{},\"frame_bytes\":{},\"frame\":{},\"widgets\":{{{}}},\"allocations_per_frame\":{},\"bytes_per_frame\":{},\"queue_ops_per_sec\":{:.0},\"transcript_bytes_per_frame\":{},\"git_refreshes_per_frame\":{},\"engine\":{{\"threads\":{},\"jobs_per_frame\":{},\"queue_ops_per_frame\":{},\"steals_per_frame\":{}}},\"histogram\":[{}]}}\n",
            self.cold,
            self.frames,
            self.threads,
            self.frame_bytes,
            summary(&self.frame),
            widgets.join(","),
            self.allocations_per_frame,
            self.bytes_per_frame,
            self.queue_ops_per_sec,
            self.transcript_bytes_per_frame,
            self.git_refreshes_per_frame,
            self.engine.threads,
            self.engine.jobs,
            self.engine.queue_ops,
            self.engine.steals,
            histogram.join(",")
        )
    }
}
