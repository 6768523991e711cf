//! The object database on the 20,000-file fixture repository: opening the store, HEAD's
//! root tree, HEAD's whole tree walked recursively (delta base cache on and off), and
//! ahead/behind against the upstream (commit-graph on and off), each beside the git
//! command that answers the same question, in the same run.
//!
//! The walk is also measured on a synthetic 4,000-commit history (ahead 2,000, behind
//! 1,000), with and without its commit-graph.
//!
//! Uses `$BLINKLINE_BENCH_REPO` when set, else `sl-fixtures/repo-large` under the
//! temporary directory (what `make bench-peers` generates); skips when neither exists.

use std::path::{Path, PathBuf};
use std::process::Command;

use blinkline::testing::git::object::{ObjectStore, ahead_behind};
use blinkline::testing::git::{Oid, RawOid};
use blinkline::testing::tempdir::TempDir;
use criterion::{Criterion, criterion_group, criterion_main};

fn fixture() -> Option<PathBuf> {
    let repo = std::env::var_os("BLINKLINE_BENCH_REPO")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("sl-fixtures/repo-large"));
    repo.join(".git").is_dir().then_some(repo)
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn rev(repo: &Path, name: &str) -> RawOid {
    let hex = git(repo, &["rev-parse", name]);
    RawOid::from_hex(&Oid::parse(hex.trim().as_bytes()).unwrap()).unwrap()
}

/// Every entry of the tree under `root`, recursively; returns how many non-tree entries.
fn walk(store: &ObjectStore, root: RawOid) -> usize {
    let (mut data, mut entries, mut files) = (Vec::new(), Vec::new(), 0);
    let mut stack = vec![root];
    while let Some(tree) = stack.pop() {
        store.tree_into(&tree, &mut data, &mut entries).unwrap();
        for entry in &entries {
            if entry.mode == 0o40000 {
                stack.push(entry.oid);
            } else {
                files += 1;
            }
        }
    }
    files
}

/// A synthetic history for the walk: `main` of 3,000 commits, `up` forked from its
/// 1,000th with 1,000 more (ahead/behind 2,000/1,000), written by `git fast-import`, with a
/// commit-graph.
fn long_history() -> TempDir {
    let dir = TempDir::new("bench-history").unwrap();
    git(&dir, &["init", "-q", "--bare"]);
    let mut stream = String::new();
    let mut commit = |branch: &str, mark: usize, from: Option<usize>, time: usize| {
        let content = format!("revision {mark}\n");
        stream.push_str(&format!(
            "commit refs/heads/{branch}\nmark :{mark}\ncommitter T <t@example.com> {} +0000\n\
             data 3\nmsg\n{}M 644 inline file\ndata {}\n{content}\n",
            1_700_000_000 + time * 60,
            from.map_or(String::new(), |m| format!("from :{m}\n")),
            content.len()
        ));
    };
    for i in 1..=3000 {
        commit("main", i, (i > 1).then(|| i - 1), i);
    }
    for i in 1..=1000 {
        let from = if i == 1 { 1000 } else { 3000 + i - 1 };
        commit("up", 3000 + i, Some(from), 1000 + i);
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    git(&dir, &["commit-graph", "write", "--reachable"]);
    dir
}

fn bench_long_walk(c: &mut Criterion) {
    let repo = long_history();
    let (main, up) = (rev(&repo, "main"), rev(&repo, "up"));
    let store = ObjectStore::open(&repo).unwrap();
    assert!(store.has_commit_graph());
    assert_eq!(ahead_behind(&store, &main, &up).unwrap(), (2000, 1000));
    let inflating = ObjectStore::open(&repo).unwrap().without_commit_graph();
    let mut group = c.benchmark_group("git_objects_walk_3000");
    group.sample_size(20);
    group.bench_function("ahead_behind_graph", |b| {
        b.iter(|| ahead_behind(&store, &main, &up).unwrap())
    });
    group.bench_function("ahead_behind_inflate", |b| {
        b.iter(|| ahead_behind(&inflating, &main, &up).unwrap())
    });
    group.bench_function("git_rev_list_left_right_count", |b| {
        b.iter(|| git(&repo, &["rev-list", "--left-right", "--count", "main...up"]))
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let Some(repo) = fixture() else {
        eprintln!("git_objects: no fixture repository (set BLINKLINE_BENCH_REPO); skipped");
        return;
    };
    let common = repo.join(".git");
    let head = rev(&repo, "HEAD");
    let upstream = rev(&repo, "@{upstream}");
    let store = ObjectStore::open(&common).unwrap();
    let uncached = ObjectStore::open_with_cache(&common, 0).unwrap();
    let root = store.commit_tree(&head).unwrap();
    eprintln!("git_objects: {} files in HEAD", walk(&store, root));

    let mut group = c.benchmark_group("git_objects");
    group.sample_size(20);
    group.bench_function("open", |b| b.iter(|| ObjectStore::open(&common).unwrap()));
    group.bench_function("root_tree", |b| {
        b.iter(|| store.tree(&store.commit_tree(&head).unwrap()).unwrap())
    });
    group.bench_function("open_and_root_tree", |b| {
        b.iter(|| {
            let store = ObjectStore::open(&common).unwrap();
            store.tree(&store.commit_tree(&head).unwrap()).unwrap()
        })
    });
    group.bench_function("recursive_tree", |b| b.iter(|| walk(&store, root)));
    group.bench_function("recursive_tree_no_cache", |b| {
        b.iter(|| walk(&uncached, root))
    });
    group.bench_function("ahead_behind_graph", |b| {
        b.iter(|| ahead_behind(&store, &head, &upstream).unwrap())
    });
    let inflating = ObjectStore::open(&common).unwrap().without_commit_graph();
    group.bench_function("ahead_behind_inflate", |b| {
        b.iter(|| ahead_behind(&inflating, &head, &upstream).unwrap())
    });
    group.bench_function("git_ls_tree_HEAD", |b| {
        b.iter(|| git(&repo, &["ls-tree", "HEAD"]))
    });
    group.bench_function("git_ls_tree_r_HEAD", |b| {
        b.iter(|| git(&repo, &["ls-tree", "-r", "HEAD"]))
    });
    group.bench_function("git_rev_list_left_right_count", |b| {
        b.iter(|| {
            git(
                &repo,
                &["rev-list", "--left-right", "--count", "HEAD...@{upstream}"],
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_long_walk, bench);
criterion_main!(benches);
