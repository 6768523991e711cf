//! Ahead/behind against `git rev-list --left-right --count A...B` and against the plain
//! definition (set differences of `git rev-list A` and `git rev-list B`), for every pair
//! of branch tips of histories with merges, criss-cross merges, disjoint roots, equal
//! tips and one side the ancestor of the other; with and without a commit-graph.

use std::collections::HashSet;
use std::time::Duration;

use blinkline::testing::git::GitError;
use blinkline::testing::git::object::{WalkBudget, ahead_behind, ahead_behind_within};

use super::repo::{Repo, TempDir};

/// Branches `main`, `ahead`, `up`, `merged`, `x`, `y` (criss-cross), `orphan`.
fn branching_history(repo: &Repo, commit: &dyn Fn(&Repo, &str)) {
    let step = |name: &str| {
        repo.write(&format!("{name}.txt"), name);
        commit(repo, name);
    };
    for i in 0..4 {
        step(&format!("base{i}"));
    }
    repo.git(&["branch", "fork"]);
    repo.git(&["checkout", "-q", "-b", "ahead"]);
    step("ahead1");
    step("ahead2");
    repo.git(&["checkout", "-q", "-b", "up", "main~2"]);
    step("up1");
    step("up2");
    step("up3");
    repo.git(&["checkout", "-q", "-b", "merged", "ahead"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge up", "up"]);
    step("merged1");
    repo.git(&["checkout", "-q", "-b", "x", "fork"]);
    step("x1");
    repo.git(&["checkout", "-q", "-b", "y", "fork"]);
    step("y1");
    repo.git(&["checkout", "-q", "x"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "x takes y", "y~0"]);
    repo.git(&["checkout", "-q", "y"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "y takes x", "x~1"]);
    step("y2");
    repo.git(&["checkout", "-q", "--orphan", "orphan"]);
    step("orphan1");
    step("orphan2");
    repo.git(&["checkout", "-q", "main"]);
}

const TIPS: [&str; 8] = ["main", "ahead", "up", "merged", "x", "y", "orphan", "fork"];

fn reachable(repo: &Repo, tip: &str) -> HashSet<String> {
    repo.git(&["rev-list", tip])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every ordered pair of tips: our counts, git's, and the set definition agree.
fn assert_all_pairs(repo: &Repo, with_rev_list: bool) {
    let store = repo.store();
    for a in TIPS {
        for b in TIPS {
            let got = ahead_behind(&store, &repo.rev(a), &repo.rev(b)).unwrap();
            let (ra, rb) = (reachable(repo, a), reachable(repo, b));
            let truth = (
                ra.difference(&rb).count() as u32,
                rb.difference(&ra).count() as u32,
            );
            assert_eq!(got, truth, "{a}...{b}");
            if with_rev_list {
                let range = format!("{a}...{b}");
                let out = repo.git(&["rev-list", "--left-right", "--count", &range]);
                let mut n = out.split_whitespace().map(|n| n.parse::<u32>().unwrap());
                assert_eq!(
                    got,
                    (n.next().unwrap(), n.next().unwrap()),
                    "{range} vs git"
                );
            }
        }
    }
}

fn timed(repo: &Repo, message: &str) {
    repo.commit(message);
}

fn same_time(repo: &Repo, message: &str) {
    repo.commit_same_time(message);
}

#[test]
fn counts_match_git_without_a_commit_graph() {
    let tmp = TempDir::new("ab-plain");
    let repo = tmp.repo("r");
    branching_history(&repo, &timed);
    assert_all_pairs(&repo, true);
}

#[test]
fn counts_match_git_with_a_commit_graph_and_commits_after_it() {
    let tmp = TempDir::new("ab-graph");
    let repo = tmp.repo("r");
    branching_history(&repo, &timed);
    repo.git(&["commit-graph", "write", "--reachable"]);
    assert!(repo.store().has_commit_graph());
    assert_all_pairs(&repo, true);
    for branch in ["main", "up", "y"] {
        repo.git(&["checkout", "-q", branch]);
        repo.write("late.txt", branch);
        repo.commit("after the graph");
    }
    assert_all_pairs(&repo, true);
}

#[test]
fn counts_are_exact_when_every_commit_has_the_same_date() {
    let tmp = TempDir::new("ab-same");
    let repo = tmp.repo("r");
    branching_history(&repo, &same_time);
    assert_all_pairs(&repo, false);
    repo.git(&["commit-graph", "write", "--reachable"]);
    assert_all_pairs(&repo, false);
}

#[test]
fn a_walk_over_its_budget_gives_up_with_an_error() {
    let tmp = TempDir::new("ab-budget");
    let repo = tmp.repo("r");
    repo.commit("root");
    repo.git(&["checkout", "-q", "-b", "other"]);
    for i in 0..30 {
        repo.commit(&format!("other {i}"));
    }
    let store = repo.store();
    let (local, upstream) = (repo.rev("main"), repo.rev("other"));
    assert_eq!(ahead_behind(&store, &local, &upstream).unwrap(), (0, 30));
    let tight = WalkBudget {
        max_commits: 10,
        max_time: Duration::from_secs(5),
    };
    let err = ahead_behind_within(&store, &local, &upstream, tight).unwrap_err();
    assert!(matches!(err, GitError::TooCostly { .. }), "{err}");
}

#[test]
fn a_shallow_clone_counts_as_git_does_from_its_boundary() {
    let tmp = TempDir::new("ab-shallow");
    let origin = tmp.repo("origin");
    branching_history(&origin, &timed);
    let url = format!("file://{}", origin.dir.display());
    let clone_dir = tmp.root.join("clone");
    origin.git(&[
        "clone",
        "-q",
        "--no-single-branch",
        "--depth",
        "2",
        &url,
        clone_dir.to_str().unwrap(),
    ]);
    let clone = origin.at(clone_dir);
    assert!(clone.dir.join(".git/shallow").is_file());
    let store = clone.store();
    for (a, b) in [
        ("origin/main", "origin/up"),
        ("origin/merged", "origin/x"),
        ("origin/y", "origin/ahead"),
    ] {
        let got = ahead_behind(&store, &clone.rev(a), &clone.rev(b)).unwrap();
        let range = format!("{a}...{b}");
        let out = clone.git(&["rev-list", "--left-right", "--count", &range]);
        let mut n = out.split_whitespace().map(|n| n.parse::<u32>().unwrap());
        assert_eq!(got, (n.next().unwrap(), n.next().unwrap()), "{range}");
    }
}

/// `git commit-tree` of the empty tree with `parents`, committed at Unix time `time`.
fn commit_at(tmp: &TempDir, repo: &Repo, parents: &[&str], time: u64, message: &str) -> String {
    let git = crate::support::GitCli::new(tmp.path("home"))
        .date(Some(format!("{} +0000", 1_700_000_000 + time)));
    let tree = git.text(&repo.dir, &["write-tree"]);
    let mut args = vec!["commit-tree", tree.trim()];
    for parent in parents {
        args.extend(["-p", parent]);
    }
    args.extend(["-m", message]);
    git.text(&repo.dir, &args).trim().to_owned()
}

#[test]
fn ahead_behind_without_a_commit_graph_is_exact_when_dates_go_backwards() {
    // `x` (500) is common: `right` reaches it through `q` (10) and `p` (600), whose date
    // is newer than its child's. A date-ordered walk pops `x` one-sided, then sees only
    // the common `q` queued below it and used to stop there: `^2 v1` against git's `+1 -1`.
    let tmp = TempDir::new("ab-skew");
    let repo = tmp.repo("r");
    let x = commit_at(&tmp, &repo, &[], 500, "x");
    let p = commit_at(&tmp, &repo, &[&x], 600, "p");
    let q = commit_at(&tmp, &repo, &[&p], 10, "q");
    let left = commit_at(&tmp, &repo, &[&x, &q], 1000, "left");
    let right = commit_at(&tmp, &repo, &[&q], 900, "right");
    repo.git(&["branch", "left", &left]);
    repo.git(&["branch", "right", &right]);
    let out = repo.git(&["rev-list", "--left-right", "--count", "left...right"]);
    assert_eq!(out.trim(), "1\t1");
    let store = repo.store();
    assert!(!store.has_commit_graph());
    let got = ahead_behind(&store, &repo.rev("left"), &repo.rev("right")).unwrap();
    assert_eq!(got, (1, 1));
}
