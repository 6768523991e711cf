//! The tracked-file status engine (`git::status`) on the benchmark fixture repositories
//! (`$BLINKLINE_FIXTURES`, default `sl-fixtures` in the temporary directory, built by
//! `make-fixtures.py`; skipped when absent), beside git itself in the same run:
//! - `index_read`: read and parse `.git/index`;
//! - `tracked/1`, `tracked/auto` and `tracked/4`: the whole tracked status on one
//!   thread, one per allowed CPU, and four;
//! - `lstat_full_paths`: `symlink_metadata` of every tracked path by its full path, the
//!   naive lower bound the directory-relative lookup is compared with;
//! - `git_status_v2_branch` and `git_status_uno`: `git --no-optional-locks status
//!   --porcelain=v2 --branch` and the same with `-uno` (whole processes).
//!
//! Before the criterion groups, `interleaved` runs the same measurements in turn,
//! round after round (`BLINKLINE_BENCH_ROUNDS`, default 31), and prints each one's median
//! and its ratio to `git status`: on a shared, noisy machine only figures taken side by
//! side compare.
//!
//! Trees come from `git ls-tree`, kept in memory after the first read (the object store
//! is not part of this module); the setup prints how many the staged side needs (a clean
//! fixture with a valid cache-tree needs none).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use blinkline::testing::git::discover::{GitEnv, discover};
use blinkline::testing::git::status::{
    ConfigEnv, Options, TreeEntry, TreeSource, index, tracked_status_with,
};
use blinkline::testing::git::{GitError, Oid, RawOid};
use criterion::{Criterion, criterion_group, criterion_main};

/// Trees from `git ls-tree`, each kept in memory after its first read, so the timings
/// are the engine's and not process spawns (a warm object store reads a tree in µs).
struct CliTrees {
    dir: PathBuf,
    seen: RefCell<HashMap<RawOid, Vec<TreeEntry>>>,
}

impl TreeSource for CliTrees {
    fn tree(&self, oid: &RawOid) -> Result<Vec<TreeEntry>, GitError> {
        if let Some(entries) = self.seen.borrow().get(oid) {
            return Ok(entries.clone());
        }
        let entries = ls_tree(&self.dir, oid)?;
        self.seen.borrow_mut().insert(*oid, entries.clone());
        Ok(entries)
    }
}

fn ls_tree(dir: &Path, oid: &RawOid) -> Result<Vec<TreeEntry>, GitError> {
    {
        let out = git(dir, &["ls-tree", "-z", oid.to_hex().as_str()]);
        let entry = |line: &[u8]| {
            let tab = line.iter().position(|&b| b == b'\t')?;
            let mut meta = line[..tab].split(|&b| b == b' ');
            let mode = u32::from_str_radix(std::str::from_utf8(meta.next()?).ok()?, 8).ok()?;
            let oid = RawOid::from_hex(&Oid::parse(meta.nth(1)?)?)?;
            let name = line[tab + 1..].into();
            Some(TreeEntry { name, mode, oid })
        };
        out.split(|&b| b == 0)
            .filter(|l| !l.is_empty())
            .map(|l| {
                entry(l).ok_or(GitError::Command {
                    message: "git ls-tree: unexpected output".into(),
                })
            })
            .collect()
    }
}

/// `git status` in porcelain v2 with branch information, as the comparison runs it.
const GIT_STATUS_V2: [&str; 4] = [
    "--no-optional-locks",
    "status",
    "--porcelain=v2",
    "--branch",
];

/// [`GIT_STATUS_V2`] without untracked files (what the tracked engine compares with).
const GIT_STATUS_UNO: [&str; 5] = [
    "--no-optional-locks",
    "status",
    "--porcelain=v2",
    "--branch",
    "-uno",
];

fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default()
}

fn head_tree(dir: &Path) -> Option<RawOid> {
    let out = git(dir, &["rev-parse", "-q", "--verify", "HEAD^{tree}"]);
    RawOid::from_hex(&Oid::parse(out.trim_ascii())?)
}

fn fixtures() -> PathBuf {
    std::env::var_os("BLINKLINE_FIXTURES")
        .map_or_else(|| std::env::temp_dir().join("sl-fixtures"), PathBuf::from)
}

fn bench_repo(c: &mut Criterion, name: &str) {
    let dir = fixtures().join(name);
    let Ok(Some(repo)) = discover(&dir, &GitEnv::default()) else {
        eprintln!("{name}: fixture absent, skipped");
        return;
    };
    let tree = head_tree(&dir);
    let trees = CliTrees {
        dir: dir.clone(),
        seen: RefCell::default(),
    };
    let options = |threads| Options {
        config_env: ConfigEnv::from_process(),
        threads,
        index_file: None,
    };
    let first = tracked_status_with(&repo, tree, &trees, &options(0));
    match &first {
        Ok(t) => eprintln!("{name}: {:?}, {} trees read", t.counts, t.trees_read),
        Err(e) => {
            eprintln!("{name}: {e}, skipped");
            return;
        }
    }
    let paths: Vec<PathBuf> = first
        .iter()
        .flat_map(|t| t.paths())
        .map(|p| dir.join(std::str::from_utf8(p).unwrap_or("")))
        .collect();
    let index_path = repo.git_dir.join("index");
    let mut group = c.benchmark_group(format!("git_status/{name}"));
    group.sample_size(30);
    group.bench_function("index_read", |b| {
        b.iter(|| index::read(&index_path).unwrap())
    });
    group.bench_function("tracked/1", |b| {
        b.iter(|| tracked_status_with(&repo, tree, &trees, &options(1)).unwrap())
    });
    group.bench_function("tracked/auto", |b| {
        b.iter(|| tracked_status_with(&repo, tree, &trees, &options(0)).unwrap())
    });
    group.bench_function("tracked/4", |b| {
        b.iter(|| tracked_status_with(&repo, tree, &trees, &options(4)).unwrap())
    });
    group.bench_function("lstat_full_paths", |b| {
        b.iter(|| {
            paths
                .iter()
                .filter(|p| std::fs::symlink_metadata(p).is_ok())
                .count()
        })
    });
    group.bench_function("git_status_v2_branch", |b| {
        b.iter(|| git(&dir, &GIT_STATUS_V2))
    });
    group.bench_function("git_status_uno", |b| b.iter(|| git(&dir, &GIT_STATUS_UNO)));
    group.finish();
}

/// Runs every measurement once per round, in turn, and prints the medians.
fn interleaved(name: &str, steps: &mut [(&str, &mut dyn FnMut())]) {
    let rounds: usize = std::env::var("BLINKLINE_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(31);
    let mut times = vec![Vec::with_capacity(rounds); steps.len()];
    for round in 0..rounds + 3 {
        for (i, (_, step)) in steps.iter_mut().enumerate() {
            let start = std::time::Instant::now();
            step();
            if round >= 3 {
                times[i].push(start.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect();
    let git = steps
        .iter()
        .zip(&medians)
        .find(|((label, _), _)| label.starts_with("git status v2"))
        .map_or(f64::NAN, |(_, median)| *median);
    eprintln!("{name}: medians of {rounds} interleaved rounds");
    for ((label, _), median) in steps.iter().zip(&medians) {
        eprintln!(
            "  {label:<24} {median:>9.3} ms  {:>6.3}x git status",
            median / git
        );
    }
}

fn interleave_repo(name: &str) {
    let dir = fixtures().join(name);
    let Ok(Some(repo)) = discover(&dir, &GitEnv::default()) else {
        return;
    };
    let tree = head_tree(&dir);
    let trees = CliTrees {
        dir: dir.clone(),
        seen: RefCell::default(),
    };
    let run = |threads| {
        let options = Options {
            config_env: ConfigEnv::from_process(),
            threads,
            index_file: None,
        };
        tracked_status_with(&repo, tree, &trees, &options).map(|t| t.counts)
    };
    let Ok(tracked) = tracked_status_with(&repo, tree, &trees, &Options::default()) else {
        return;
    };
    let paths: Vec<PathBuf> = tracked
        .paths()
        .map(|p| dir.join(std::str::from_utf8(p).unwrap_or("")))
        .collect();
    let mut lstat_all = || {
        let found = paths
            .iter()
            .filter(|p| std::fs::symlink_metadata(p).is_ok());
        std::hint::black_box(found.count());
    };
    let index_path = repo.git_dir.join("index");
    interleaved(
        name,
        &mut [
            ("index_read", &mut || drop(index::read(&index_path))),
            ("tracked/1", &mut || drop(run(1))),
            ("tracked/auto", &mut || drop(run(0))),
            ("tracked/4", &mut || drop(run(4))),
            ("lstat_full_paths/1", &mut lstat_all),
            ("git status v2 --branch", &mut || {
                drop(git(&dir, &GIT_STATUS_V2))
            }),
            ("git status -uno", &mut || drop(git(&dir, &GIT_STATUS_UNO))),
        ],
    );
}

fn bench(c: &mut Criterion) {
    interleave_repo("repo-small");
    interleave_repo("repo-large");
    bench_repo(c, "repo-small");
    bench_repo(c, "repo-large");
}

criterion_group!(benches, bench);
criterion_main!(benches);
