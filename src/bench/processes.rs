//! `blinkline bench --processes N`: whole-process timings, the way Claude Code runs us.
//!
//! Each round spawns the measured binary (no arguments, payload on stdin, stdout read to
//! EOF) and the floor binary (`blinkline-floor`: reads stdin, prints a fixed line), in an
//! order that alternates every round so drift on a shared machine hits both alike. Wall
//! time is taken from just before spawn to just after reaping; CPU time and peak RSS come
//! from `wait4`. Every figure is reported with its ratio to the floor of the same run.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::sys::os::wait_child;

/// One candidate's figures, in microseconds (RSS in KiB).
#[derive(Clone, Debug, Default)]
pub struct ProcessStats {
    pub label: String,
    pub runs: usize,
    pub wall_p50: f64,
    pub wall_p90: f64,
    pub wall_p99: f64,
    pub cpu_p50: f64,
    pub max_rss_kib: u64,
    pub failures: usize,
}

/// A whole-process comparison.
pub struct ProcessReport {
    pub subject: ProcessStats,
    pub floor: ProcessStats,
    pub idle: Duration,
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

struct Samples {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    rss: u64,
    failures: usize,
    output: Vec<u8>,
}

fn run_once(
    exe: &Path,
    args: &[String],
    payload: &Path,
    samples: &mut Samples,
) -> Result<(), Error> {
    let stdin = File::open(payload).map_err(Error::io_at(payload.display().to_string()))?;
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::from(stdin))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(Error::io_at(format!("cannot run {}", exe.display())))?;
    samples.output.clear();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_end(&mut samples.output);
    }
    let usage = wait_child(child.id()).map_err(Error::io_at("wait"))?;
    let wall = started.elapsed().as_secs_f64() * 1e6;
    samples.wall.push(wall);
    samples
        .cpu
        .push((usage.user_micros + usage.system_micros) as f64);
    samples.rss = samples.rss.max(usage.max_rss_kib);
    if usage.raw_status != 0 {
        samples.failures += 1;
    }
    Ok(())
}

fn finish(label: &str, mut s: Samples) -> ProcessStats {
    s.wall.sort_by(f64::total_cmp);
    s.cpu.sort_by(f64::total_cmp);
    ProcessStats {
        label: label.to_owned(),
        runs: s.wall.len(),
        wall_p50: percentile(&s.wall, 0.5),
        wall_p90: percentile(&s.wall, 0.9),
        wall_p99: percentile(&s.wall, 0.99),
        cpu_p50: percentile(&s.cpu, 0.5),
        max_rss_kib: s.rss,
        failures: s.failures,
    }
}

/// The floor binary shipped next to the blinkline binary.
pub fn default_floor(exe: &Path) -> PathBuf {
    exe.with_file_name("blinkline-floor")
}

/// Times `exe ARGS < payload` against `floor < payload`, `runs` rounds, interleaved.
pub fn compare(
    exe: &Path,
    args: &[String],
    floor: &Path,
    payload: &Path,
    runs: usize,
    idle: Duration,
) -> Result<ProcessReport, Error> {
    let new = || Samples {
        wall: Vec::with_capacity(runs),
        cpu: Vec::with_capacity(runs),
        rss: 0,
        failures: 0,
        output: Vec::new(),
    };
    let (mut subject, mut base) = (new(), new());
    // One untimed warm-up of each (page cache, dynamic loader caches).
    run_once(exe, args, payload, &mut new())?;
    run_once(floor, &[], payload, &mut new())?;
    for round in 0..runs {
        if round % 2 == 0 {
            run_once(exe, args, payload, &mut subject)?;
            std::thread::sleep(idle);
            run_once(floor, &[], payload, &mut base)?;
        } else {
            run_once(floor, &[], payload, &mut base)?;
            std::thread::sleep(idle);
            run_once(exe, args, payload, &mut subject)?;
        }
        std::thread::sleep(idle);
    }
    Ok(ProcessReport {
        subject: finish("blinkline", subject),
        floor: finish("floor", base),
        idle,
    })
}

impl ProcessReport {
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "whole process, {} interleaved runs each{}:",
            self.subject.runs,
            if self.idle.is_zero() {
                String::new()
            } else {
                format!(", {:?} idle between runs", self.idle)
            }
        );
        let _ = writeln!(
            s,
            "{:<10} {:>10} {:>10} {:>10} {:>10} {:>9}",
            "", "wall p50", "wall p90", "wall p99", "cpu p50", "peak RSS"
        );
        for r in [&self.subject, &self.floor] {
            let _ = writeln!(
                s,
                "{:<10} {:>8.0}µs {:>8.0}µs {:>8.0}µs {:>8.0}µs {:>6.1}MiB{}",
                r.label,
                r.wall_p50,
                r.wall_p90,
                r.wall_p99,
                r.cpu_p50,
                r.max_rss_kib as f64 / 1024.0,
                if r.failures > 0 {
                    format!("  ({} failed)", r.failures)
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(
            s,
            "ratio to floor: wall p50 {:.2}×, cpu p50 {:.2}×",
            self.subject.wall_p50 / self.floor.wall_p50.max(1.0),
            self.subject.cpu_p50 / self.floor.cpu_p50.max(1.0)
        );
        s
    }

    pub fn to_json(&self) -> String {
        let one = |r: &ProcessStats| {
            format!(
                "{{\"runs\":{},\"wall_p50_us\":{:.1},\"wall_p90_us\":{:.1},\"wall_p99_us\":{:.1},\"cpu_p50_us\":{:.1},\"max_rss_kib\":{},\"failures\":{}}}",
                r.runs, r.wall_p50, r.wall_p90, r.wall_p99, r.cpu_p50, r.max_rss_kib, r.failures
            )
        };
        format!(
            "{{\"idle_ms\":{},\"blinkline\":{},\"floor\":{},\"wall_ratio\":{:.3},\"cpu_ratio\":{:.3}}}\n",
            self.idle.as_millis(),
            one(&self.subject),
            one(&self.floor),
            self.subject.wall_p50 / self.floor.wall_p50.max(1.0),
            self.subject.cpu_p50 / self.floor.cpu_p50.max(1.0)
        )
    }
}
