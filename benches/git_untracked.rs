//! The untracked count on a fixture repository: our walk without and with the untracked
//! cache, against `git status --porcelain=v2 --untracked-files=normal` (which also
//! refreshes the index: an upper bound) and `git ls-files --others --exclude-standard
//! --directory` (the same question as ours), all in the same run. `readdir_only` is the
//! floor: reading every directory and nothing else.
//!
//! The repository is `$BLINKLINE_FIXTURES/repo-large` (from `make-fixtures.py`) when set,
//! else a synthetic one of 4,000 files in 200 directories built in the temporary directory.
//! The configuration comes from this process's environment, as for a render.

use std::path::{Path, PathBuf};
use std::process::Command;

use blinkline::testing::git::discover::{GitEnv, discover};
use blinkline::testing::git::untracked::{
    ConfigEnv, TrackedPaths, UntrackedCache, UntrackedMode, UntrackedSettings, count_untracked,
};
use blinkline::testing::tempdir::TempDir;
use criterion::{Criterion, criterion_group, criterion_main};

fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "B")
        .env("GIT_AUTHOR_EMAIL", "b@example.com")
        .env("GIT_COMMITTER_NAME", "B")
        .env("GIT_COMMITTER_EMAIL", "b@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}");
    out.stdout
}

/// The benchmark repository: the fixture, or a synthetic one in `scratch`.
fn repository(scratch: &Path) -> PathBuf {
    if let Some(fixtures) = std::env::var_os("BLINKLINE_FIXTURES") {
        let repo = PathBuf::from(fixtures).join("repo-large");
        if repo.join(".git").exists() {
            return repo;
        }
    }
    let dir = scratch.join("repo");
    for d in 0..200 {
        let sub = dir.join(format!("pkg{}/mod{d}", d % 20));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..20 {
            std::fs::write(sub.join(format!("file{f}.rs")), "x").unwrap();
        }
    }
    std::fs::write(dir.join(".gitignore"), "target/\n*.tmp\n").unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-qm", "bench"]);
    std::fs::write(dir.join("pkg1/new.rs"), "n").unwrap();
    std::fs::create_dir_all(dir.join("untracked/tree")).unwrap();
    std::fs::write(dir.join("untracked/tree/f"), "n").unwrap();
    dir
}

/// Every directory read once, `.git` skipped: the cost of the listings alone.
fn readdir_only(dir: &Path) -> usize {
    let mut entries = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in read.flatten() {
            entries += 1;
            if entry.file_type().is_ok_and(|t| t.is_dir()) && entry.file_name() != ".git" {
                stack.push(entry.path());
            }
        }
    }
    entries
}

fn bench(c: &mut Criterion) {
    // Holds the synthetic repository, if one is built, until the benchmark ends.
    let scratch = TempDir::new("bench-untracked").expect("temporary directory");
    let dir = repository(&scratch);
    let repo = discover(&dir, &GitEnv::default()).unwrap().unwrap();
    let listing = git(&dir, &["ls-files", "-z"]);
    let paths: Vec<&[u8]> = listing
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .collect();
    let tracked = TrackedPaths::new(&paths);
    let home = ConfigEnv::from_process();
    let count = |cache: Option<&mut UntrackedCache>| {
        let settings = UntrackedSettings::load(&repo, &home).unwrap();
        count_untracked(
            &repo,
            &tracked,
            Some(UntrackedMode::Normal),
            &settings,
            cache,
        )
        .unwrap()
    };
    let mut cache = UntrackedCache::new(&dir);
    let expected = count(Some(&mut cache));
    assert_eq!(count(None), expected);
    eprintln!(
        "{}: {} tracked, {expected} untracked entries, {} directories cached",
        dir.display(),
        paths.len(),
        cache.misses
    );

    let mut group = c.benchmark_group("untracked");
    group.sample_size(30);
    group.bench_function("readdir_only", |b| b.iter(|| readdir_only(&dir)));
    group.bench_function("walk", |b| b.iter(|| count(None)));
    group.bench_function("walk_cached", |b| {
        b.iter(|| {
            let n = count(Some(&mut cache));
            assert_eq!(n, expected);
            n
        })
    });
    group.bench_function("cache_decode_encode", |b| {
        let bytes = cache.encode();
        b.iter(|| UntrackedCache::decode(&bytes).unwrap().encode().len())
    });
    group.bench_function("git_status_porcelain_v2", |b| {
        b.iter(|| {
            git(
                &dir,
                &[
                    "--no-optional-locks",
                    "status",
                    "--porcelain=v2",
                    "--untracked-files=normal",
                ],
            )
        })
    });
    group.bench_function("git_ls_files_others", |b| {
        b.iter(|| {
            git(
                &dir,
                &["ls-files", "--others", "--exclude-standard", "--directory"],
            )
        })
    });
    group.finish();
    eprintln!(
        "cache: {} bytes, {} hits in the last walk",
        cache.encode().len(),
        cache.hits
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
